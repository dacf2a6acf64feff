package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func mockTenants(t *testing.T) *Tenants {
	t.Helper()
	return &Tenants{Path: filepath.Join(t.TempDir(), "config.toml"), Secrets: mockSecrets(t)}
}

// failWrites makes every config write of ts fail.
func failWrites(ts *Tenants) error {
	boom := errors.New("writing config: disk full")
	ts.write = func(string, []byte) error { return boom }
	return boom
}

// flakyKeyring passes calls to the mock, except that Set call number failAt (1-based)
// fails as a dropped D-Bus connection would (and every later one when sticky).
type flakyKeyring struct {
	next         Keyring
	sets, failAt int
	sticky       bool // every Set from failAt on fails
}

func (f *flakyKeyring) Set(s, a, v string) error {
	f.sets++
	if f.sets == f.failAt || f.sticky && f.sets > f.failAt {
		return errors.New("dial unix /run/user/0/bus: connection reset")
	}
	return f.next.Set(s, a, v)
}
func (f *flakyKeyring) Get(s, a string) (string, error) { return f.next.Get(s, a) }
func (f *flakyKeyring) Delete(s, a string) error        { return f.next.Delete(s, a) }

func TestTenantsLifecycle(t *testing.T) {
	ts := mockTenants(t)
	prod, dev := sampleTenant("prod"), sampleTenant("dev")
	if err := ts.Add(prod, SetSecret("prod-secret")); err != nil {
		t.Fatal(err)
	}
	if err := ts.Add(dev, SetSecret("dev-secret")); err != nil {
		t.Fatal(err)
	}
	if err := ts.Add(dev, KeepSecret); !errors.Is(err, ErrTenantExists) {
		t.Errorf("second add = %v, want ErrTenantExists", err)
	}
	if got, err := ts.Resolve(""); err != nil || got.Name != "prod" {
		t.Errorf("default after first add = %q, %v; want prod", got.Name, err)
	}
	if err := ts.Use("dev"); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.Resolve(""); got.Name != "dev" {
		t.Errorf("default after use = %q", got.Name)
	}
	if err := ts.Use("nope"); !errors.Is(err, ErrTenantNotFound) {
		t.Errorf("use nope = %v", err)
	}
	if _, err := ts.Resolve("nope"); !errors.Is(err, ErrTenantNotFound) {
		t.Errorf("resolve nope = %v", err)
	}
	// Edit fields and the secret.
	err := ts.Edit("dev", func(t *Tenant) error { t.Audience = "https://other"; return nil }, SetSecret("dev-secret-2"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.Resolve("dev"); got.Audience != "https://other" {
		t.Errorf("audience = %q", got.Audience)
	}
	if v, _ := ts.Secrets.Get("dev", SecretClient); v != "dev-secret-2" {
		t.Errorf("secret after edit = %q", v)
	}
	if err := ts.Edit("dev", func(t *Tenant) error { t.Name = "x"; return nil }, KeepSecret); !errors.Is(err, ErrInvalidTenant) {
		t.Errorf("rename = %v", err)
	}
	// Making it public removes the stored secret.
	err = ts.Edit("dev", func(t *Tenant) error { t.Confidential = false; t.Grant = oauth.GrantDevice; return nil }, KeepSecret)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := ts.Secrets.Has("dev", SecretClient); ok {
		t.Error("public tenant still has a client secret")
	}
	if err := ts.Edit("dev", nil, SetSecret("x")); !errors.Is(err, ErrInvalidTenant) {
		t.Errorf("secret for a public client = %v", err)
	}
	// Remove deletes every keyring entry and the default marker.
	ts.Secrets.Set("dev", SecretRefreshToken, strings.Repeat("r", 3*ChunkSize))
	ts.Secrets.Set("dev", SecretTokenSet, "{}")
	if st, err := ts.Status("dev"); err != nil || st != (SecretStatus{StateNone, StateStored, StateStored, StateNone}) {
		t.Errorf("status = %+v, %v", st, err)
	}
	if err := ts.Remove("dev"); err != nil {
		t.Fatal(err)
	}
	for _, k := range SecretKinds {
		if c := chunkCount(t, ts.Secrets.Keyring, "dev", k); c != 0 {
			t.Errorf("%s: %d chunks left", k, c)
		}
		if ok, err := ts.Secrets.Has("dev", k); ok || err != nil {
			t.Errorf("%s still stored: %v", k, err)
		}
	}
	c, _ := ts.Load()
	if c.Default != "" || len(c.Tenants) != 1 {
		t.Errorf("after remove: default %q, tenants %v", c.Default, c.Names())
	}
	if _, err := ts.Resolve(""); !errors.Is(err, ErrNoDefault) {
		t.Errorf("resolve with no default = %v", err)
	}
	if v, _ := ts.Secrets.Get("prod", SecretClient); v != "prod-secret" {
		t.Errorf("prod secret = %q", v)
	}
	if err := ts.Remove("dev"); !errors.Is(err, ErrTenantNotFound) {
		t.Errorf("second remove = %v", err)
	}
}

func TestTenantsNoSecretInConfig(t *testing.T) {
	ts := mockTenants(t)
	if err := ts.Add(sampleTenant("prod"), SetSecret("very-secret-value")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(ts.Path)
	if strings.Contains(string(data), "very-secret-value") {
		t.Fatalf("secret in config:\n%s", data)
	}
}

// A failed config write rolls the keyring back to what it held before.
func TestTenantsConfigWriteFailureRollsBack(t *testing.T) {
	ts := mockTenants(t)
	if err := ts.Add(sampleTenant("prod"), SetSecret("old")); err != nil {
		t.Fatal(err)
	}
	ts.Secrets.Set("prod", SecretRefreshToken, "rt")
	ts.Secrets.Set("orphan", SecretClient, "left by hand") // no tenant "orphan" in the file
	boom := failWrites(ts)

	if err := ts.Edit("prod", nil, SetSecret(strings.Repeat("n", 3*ChunkSize))); !errors.Is(err, boom) {
		t.Fatalf("edit = %v", err)
	}
	if v, err := ts.Secrets.Get("prod", SecretClient); v != "old" || err != nil {
		t.Errorf("after failed edit secret = %q, %v; want old restored", v, err)
	}
	if c := chunkCount(t, ts.Secrets.Keyring, "prod", SecretClient); c != 1 {
		t.Errorf("%d chunks after rollback, want 1", c)
	}
	orphan := sampleTenant("orphan")
	if err := ts.Add(orphan, SetSecret("new")); !errors.Is(err, boom) {
		t.Fatalf("add = %v", err)
	}
	if v, _ := ts.Secrets.Get("orphan", SecretClient); v != "left by hand" {
		t.Errorf("after failed add the earlier value is %q", v)
	}
	if err := ts.Add(sampleTenant("fresh"), SetSecret("new")); !errors.Is(err, boom) {
		t.Fatalf("add = %v", err)
	}
	if _, err := ts.Secrets.Get("fresh", SecretClient); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("after failed add of a new tenant: %v, want nothing stored", err)
	}
	if err := ts.Remove("prod"); !errors.Is(err, boom) {
		t.Fatalf("remove = %v", err)
	}
	if v, _ := ts.Secrets.Get("prod", SecretClient); v != "old" {
		t.Errorf("after failed remove client secret = %q", v)
	}
	if v, _ := ts.Secrets.Get("prod", SecretRefreshToken); v != "rt" {
		t.Errorf("after failed remove refresh token = %q", v)
	}
}

// A keyring that fails part-way through a write leaves the config untouched and the
// previous secret in place.
func TestTenantsKeyringFailsPartWay(t *testing.T) {
	ts := mockTenants(t)
	if err := ts.Add(sampleTenant("prod"), SetSecret("old")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ts.Path)
	mem := ts.Secrets.Keyring
	// Two chunks go in, the third fails; the restore that follows succeeds.
	ts.Secrets = &Secrets{Keyring: &flakyKeyring{next: mem, failAt: 3}}
	err := ts.Edit("prod", func(t *Tenant) error { t.Audience = "changed"; return nil }, SetSecret(strings.Repeat("n", 4*ChunkSize)))
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("edit = %v", err)
	}
	if after, _ := os.ReadFile(ts.Path); string(after) != string(before) {
		t.Errorf("config changed:\n%s", after)
	}
	if v, err := ts.Secrets.Get("prod", SecretClient); v != "old" || err != nil {
		t.Errorf("secret = %d bytes, %v; want old", len(v), err)
	}
	if c := chunkCount(t, mem, "prod", SecretClient); c != 1 {
		t.Errorf("%d chunks, want 1", c)
	}
	// When the restore fails too, the error says so and the entry reads as damaged, never
	// as the half-written new value.
	ts.Secrets = &Secrets{Keyring: &flakyKeyring{next: mem, failAt: 3, sticky: true}}
	err = ts.Edit("prod", nil, SetSecret(strings.Repeat("n", 4*ChunkSize)))
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "restoring the keyring failed") {
		t.Fatalf("edit = %v", err)
	}
	if _, err := ts.Secrets.Get("prod", SecretClient); !errors.Is(err, ErrSecretCorrupt) {
		t.Errorf("Get = %v, want ErrSecretCorrupt", err)
	}
}

func TestPrivateKeyTenant(t *testing.T) {
	ts := mockTenants(t)
	tn := sampleTenant("pk")
	tn.AuthMethod = oauth.AuthPrivateKeyJWT
	tn.RedirectURI = "http://localhost:8400/auth/done"
	tn.Endpoints = Endpoints{Introspection: "https://admin.example/introspect"}
	key := "-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", 100) + "-----END PRIVATE KEY-----\n"
	if err := ts.Add(tn, SetSecret("s")); !errors.Is(err, ErrInvalidTenant) {
		t.Fatalf("client secret for a private_key_jwt tenant: %v", err)
	}
	if err := ts.Add(tn, SetPrivateKey(key)); err != nil {
		t.Fatal(err)
	}
	got, fromEnv, err := ts.Secrets.PrivateKey("pk")
	if err != nil || got != key || fromEnv {
		t.Fatalf("stored key: %d bytes, env %v, %v", len(got), fromEnv, err)
	}
	if n := chunksFor(len(key)); n < 2 {
		t.Fatalf("the key fits one chunk (%d bytes); the test wants a chunked one", len(key))
	}
	data, _ := os.ReadFile(ts.Path)
	if strings.Contains(string(data), "PRIVATE KEY") || strings.Contains(string(data), "MIIEvQ") {
		t.Fatalf("the private key reached the config file:\n%s", data)
	}
	for _, want := range []string{"version = 2", `redirect_uri = "http://localhost:8400/auth/done"`, `introspection_endpoint = "https://admin.example/introspect"`, `auth_method = "private_key_jwt"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config lacks %s:\n%s", want, data)
		}
	}
	if st, _ := ts.Status("pk"); st.PrivateKey != StateStored || st.ClientSecret != StateNone {
		t.Errorf("status %+v", st)
	}
	// Switching to a secret method drops the key from the keyring.
	if err := ts.Edit("pk", func(t *Tenant) error { t.AuthMethod = oauth.AuthSecretPost; return nil }, SetSecret("s2")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := ts.Secrets.Has("pk", SecretPrivateKey); ok {
		t.Error("the private key outlived private_key_jwt")
	}
	if err := ts.Edit("pk", nil, SetPrivateKey(key)); !errors.Is(err, ErrInvalidTenant) {
		t.Errorf("private key for a secret tenant: %v", err)
	}
}

func TestConfigVersion1StillReads(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	v1 := "version = 1\ndefault = 'a'\n[tenants.a]\nkind = 'oidc'\nissuer = 'https://issuer.example/'\nclient_id = 'c'\nconfidential = false\nredirect_port = 8765\n"
	if err := os.WriteFile(p, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Update(p, func(c *Config) error {
		a, _ := c.Tenant("a")
		a.Endpoints.Revocation = "https://issuer.example/revoke"
		return c.Put(a)
	}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.Tenant("a")
	if c.Version != ConfigVersion || a.RedirectPort != 8765 || a.Endpoints.Revocation != "https://issuer.example/revoke" {
		t.Fatalf("after upgrade: version %d tenant %+v", c.Version, a)
	}
}

// An add killed between its keyring writes and its config write leaves the tenant in the
// journal and its secret in the keyring; the next write removes both, and leaves the
// secrets of saved tenants alone.
func TestTenantsNextWriteSweepsAKilledAdd(t *testing.T) {
	ts := mockTenants(t)
	if err := ts.Add(sampleTenant("prod"), SetSecret("prod-secret")); err != nil {
		t.Fatal(err)
	}
	if err := ts.journal([]string{"ghost", "prod"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Secrets.Set("ghost", SecretClient, strings.Repeat("g", 2*ChunkSize+1)); err != nil {
		t.Fatal(err)
	}
	if err := ts.Use("prod"); err != nil {
		t.Fatal(err)
	}
	if c := chunkCount(t, ts.Secrets.Keyring, "ghost", SecretClient); c != 0 {
		t.Errorf("%d chunks of the killed add left", c)
	}
	if ok, err := ts.Secrets.Has("ghost", SecretClient); ok || err != nil {
		t.Errorf("the killed add's secret: %v %v", ok, err)
	}
	if v, err := ts.Secrets.Get("prod", SecretClient); v != "prod-secret" || err != nil {
		t.Errorf("a saved tenant's secret was swept: %q %v", v, err)
	}
	if _, err := os.Stat(ts.pendingPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the journal is still there: %v", err)
	}
}

// An edit that changes what tokens are asked for (audience, scopes, client, issuer, …)
// forgets the tokens cached for what the tenant was: after Auth0 sent an opaque token and
// the user names the API's audience, `token` must fetch a JWT, not serve the old token.
// An edit that does not (the redirect port) keeps them.
func TestTenantsEditForgetsTokensObtainedForWhatItWas(t *testing.T) {
	for name, edit := range map[string]func(*Tenant){
		"audience":             func(t *Tenant) { t.Audience = "https://api.shop.test/" },
		"scopes":               func(t *Tenant) { t.Scopes = append(t.Scopes, "write:orders") },
		"client":               func(t *Tenant) { t.ClientID = "another-client" },
		"token params":         func(t *Tenant) { t.TokenParams = map[string]string{"resource": "https://r"} },
		"redirect port (kept)": func(t *Tenant) { t.RedirectPort = 8765 },
	} {
		t.Run(name, func(t *testing.T) {
			ts := mockTenants(t)
			if err := ts.Add(sampleTenant("dev"), SetSecret("dev-secret")); err != nil {
				t.Fatal(err)
			}
			for _, k := range []SecretKind{SecretRefreshToken, SecretTokenSet} {
				if err := ts.Secrets.Set("dev", k, "cached-"+string(k)); err != nil {
					t.Fatal(err)
				}
			}
			if err := ts.Edit("dev", func(t *Tenant) error { edit(t); return nil }, KeepSecret); err != nil {
				t.Fatal(err)
			}
			kept := strings.HasSuffix(name, "(kept)")
			for _, k := range []SecretKind{SecretRefreshToken, SecretTokenSet} {
				_, err := ts.Secrets.Get("dev", k)
				if gone := errors.Is(err, ErrSecretNotFound); gone == kept {
					t.Errorf("%s after the edit: %v (want kept %v)", k, err, kept)
				}
			}
			if v, err := ts.Secrets.Get("dev", SecretClient); err != nil || v != "dev-secret" {
				t.Errorf("the client secret went with the tokens: %q, %v", v, err)
			}
		})
	}
}
