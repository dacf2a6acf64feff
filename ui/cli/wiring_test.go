package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// addTenant saves tn on the env's provider with a client credential change.
func (e *grantEnv) addTenant(tn store.Tenant, change store.SecretChange) {
	e.t.Helper()
	if tn.Kind == "" {
		tn.Kind, tn.Issuer = store.KindOIDC, e.p.Issuer
	}
	if err := (&store.Tenants{Path: e.cfg, Secrets: e.secrets}).Add(tn, change); err != nil {
		e.t.Fatal(err)
	}
}

func TestPrivateKeyJWTTenantCommands(t *testing.T) {
	e := newGrantEnv(t)
	e.addTenant(store.Tenant{Name: "pk", ClientID: tokenstest.PrivateKeyClientID, Confidential: true,
		Grant: oauth.GrantClientCredentials, AuthMethod: oauth.AuthPrivateKeyJWT}, store.SetPrivateKey(string(pemWithKid(t, e.p))))
	first := e.mustRun(newTokenCmd, "--tenant", "pk")
	if r := e.mustRun(newTokenCmd, "--tenant", "pk"); r.stdout != first.stdout {
		t.Fatal("without --force the cached token was not served")
	}
	forced := e.mustRun(newTokenCmd, "--tenant", "pk", "--force")
	if forced.stdout == first.stdout || strings.Count(forced.stdout, ".") != 2 {
		t.Fatalf("--force served %q", forced.stdout)
	}
	reqs := e.p.Requests("/oauth/token")
	if f := reqs[len(reqs)-1].Form; f.Get("client_assertion_type") != oauth.ClientAssertionType || f.Get("client_secret") != "" {
		t.Fatalf("token request form %v", f)
	}
	// introspect authenticates with an assertion too; revoke then clears the cache.
	if r := e.run(newIntrospectCmd, "--tenant", "pk"); r.code != 0 {
		t.Fatalf("introspect: %+v", r)
	}
	r := e.mustRun(newRevokeCmd, "--tenant", "pk")
	if !strings.Contains(r.stdout, "revoked the access token") || !strings.Contains(r.stderr, "cleared the cached tokens") {
		t.Fatalf("revoke: %+v", r)
	}
	if _, err := e.secrets.Get("pk", store.SecretTokenSet); err == nil {
		t.Fatal("the cache entry survived revoke")
	}
	if r := e.run(newRevokeCmd, "--tenant", "pk"); r.code != ExitUsage || !strings.Contains(r.stderr, "none cached") {
		t.Fatalf("revoke with nothing cached: %+v", r)
	}
}

// pemWithKid returns the provider's client key as a JWK with its registered kid.
func pemWithKid(t *testing.T, p *tokenstest.Provider) []byte {
	b, err := json.Marshal(jose.JSONWebKey{Key: p.ClientKey, KeyID: tokenstest.ClientKeyID})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRevokeRefreshTokenCommand(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "app", "--grant", "pkce")
	cached := e.cachedSet("app")
	r := e.mustRun(newRevokeCmd, "--tenant", "app", "--refresh")
	if strings.TrimSpace(r.stdout) != "revoked the refresh token" {
		t.Fatalf("revoke --refresh: %+v", r)
	}
	reqs := e.p.Requests("/revoke")
	if f := reqs[len(reqs)-1].Form; f.Get("token") != cached.RefreshToken || f.Get("token_type_hint") != "refresh_token" {
		t.Fatalf("revocation request %v", f)
	}
	// The provider no longer takes the refresh token.
	c := oauth.NewClient(oauth.ClientConfig{Issuer: e.p.Issuer, ClientID: tokenstest.NativeClientID})
	if _, err := c.Refresh(context.Background(), cached); err == nil {
		t.Fatal("the revoked refresh token still works")
	}
}

func TestExchangeCommand(t *testing.T) {
	e := newGrantEnv(t)
	subject := strings.TrimSpace(e.mustRun(newTokenCmd, "--tenant", "m2m").stdout)
	r := e.mustRun(newExchangeCmd, "--tenant", "m2m", "--subject-token", subject, "--audience", "https://orders.test", "--scope", "openid read", "--json")
	var doc ExchangeDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.IssuedTokenType != oauth.TokenTypeAccess || doc.AccessToken == "" || doc.Grant != oauth.GrantExchange {
		t.Fatalf("exchange --json: %v %s", err, r.stdout)
	}
	reqs := e.p.Requests("/oauth/token")
	f := reqs[len(reqs)-1].Form
	if f.Get("audience") != "https://orders.test" || f.Get("scope") != "openid read" || f.Get("subject_token_type") != oauth.TokenTypeAccess {
		t.Errorf("exchange form %v", f)
	}
	r = e.mustRun(newExchangeCmd, "--tenant", "m2m", "--subject-token", subject, "--requested-token-type", "access_token")
	if strings.Count(r.stdout, "\n") != 1 || strings.Count(r.stdout, ".") != 2 || !strings.Contains(r.stderr, "issued urn:ietf:params:oauth:token-type:access_token") {
		t.Errorf("exchange text: %+v", r)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--tenant", "m2m"}, ExitUsage, "--subject-token is required"},
		{[]string{"--tenant", "m2m", "--subject-token", subject, "--subject-token-type", "bogus"}, ExitUsage, "token type URN"},
		{[]string{"--tenant", "m2m", "--subject-token", "-", "--actor-token", "-"}, ExitUsage, "only one of"},
		{[]string{"--tenant", "m2m", "--subject-token", "not-a-token"}, ExitInvalid, "invalid_request"},
	} {
		r := e.run(newExchangeCmd, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
			t.Errorf("%v: %+v, want exit %d with %q", tc.args, r, tc.code, tc.want)
		}
	}
}

func TestTenantWithoutDiscovery(t *testing.T) {
	e := newGrantEnv(t)
	off := tokenstest.New(t, tokenstest.WithoutDiscovery())
	e.addTenant(store.Tenant{Name: "bare", Kind: store.KindOIDC, Issuer: off.Issuer, ClientID: tokenstest.ConfidentialClientID,
		Confidential: true, Grant: oauth.GrantClientCredentials, NoDiscovery: true,
		Endpoints: store.Endpoints{Token: off.Endpoint(oauth.EndpointToken)}}, store.SetSecret(tokenstest.ConfidentialClientSecret))
	if r := e.run(newGetCmd, "--tenant", "bare"); r.code != 0 {
		t.Fatalf("get without discovery: %+v", r)
	}
	r := e.run(newIntrospectCmd, "--tenant", "bare")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "no introspection_endpoint: discovery is off") || !strings.Contains(r.stderr, "--introspection-endpoint URL") || strings.Contains(r.stderr, "Auth0") {
		t.Fatalf("introspect without the endpoint: %+v", r)
	}
	// With discovery on, the document's missing endpoint is named the same way.
	e.addTenant(store.Tenant{Name: "m2m-nodevice", ClientID: tokenstest.ConfidentialClientID, Confidential: true}, store.SetSecret(tokenstest.ConfidentialClientSecret))
	e.addTenant(store.Tenant{Name: "mixed", Kind: store.KindOIDC, Issuer: off.Issuer, ClientID: tokenstest.ConfidentialClientID, Confidential: true,
		Endpoints: store.Endpoints{Token: off.Endpoint(oauth.EndpointToken)}}, store.SetSecret(tokenstest.ConfidentialClientSecret))
	if r := e.run(newGetCmd, "--tenant", "mixed"); r.code != ExitUsage && r.code != ExitInvalid || r.stdout != "" {
		t.Fatalf("discovery 404 with discovery on: %+v", r)
	}
}

func TestRedirectURITenant(t *testing.T) {
	e := newGrantEnv(t)
	e.addTenant(store.Tenant{Name: "lh", ClientID: tokenstest.LocalhostClientID, Grant: oauth.GrantPKCE,
		RedirectURI: tokenstest.LocalhostRedirectURI, Scopes: []string{"openid"}}, store.KeepSecret)
	r := e.mustRun(newGetCmd, "--tenant", "lh")
	if !strings.Contains(r.stderr, "redirect_uri=http%3A%2F%2Flocalhost%3A") || !strings.Contains(r.stderr, "%2Fauth%2Fdone") {
		t.Fatalf("the authorize URL does not carry the registered redirect URI: %s", r.stderr)
	}
}

// A PKCE login whose redirect URI is on the IPv6 loopback: the listener binds [::1], the
// provider's browser comes back to http://[::1]:PORT/callback, and the code is exchanged
// with that exact URI.
func TestRedirectURIOnIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	ln.Close()
	e := newGrantEnv(t)
	e.addTenant(store.Tenant{Name: "v6", ClientID: tokenstest.NativeClientID, Grant: oauth.GrantPKCE,
		RedirectURI: "http://[::1]" + tokenstest.NativeRedirectPath, Scopes: []string{"openid", "offline_access"}}, store.KeepSecret)
	r := e.mustRun(newGetCmd, "--tenant", "v6", "--json")
	var doc GetDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.AccessToken == "" || doc.Grant != oauth.GrantPKCE {
		t.Fatalf("get: %v\n%+v", err, r)
	}
	tok := e.p.Requests("/oauth/token")
	ru, err := url.Parse(tok[len(tok)-1].Form.Get("redirect_uri"))
	if err != nil || ru.Scheme != "http" || ru.Hostname() != "::1" || ru.Port() == "" || ru.Path != tokenstest.NativeRedirectPath {
		t.Fatalf("the code was exchanged with redirect_uri %v (%v), want http://[::1]:PORT/callback", ru, err)
	}
	if code, page := e.p.LastRedirectPage(); code != 200 || !strings.Contains(page, "tokenbench") {
		t.Errorf("the browser's visit to %s got HTTP %d: %.200s", ru, code, page)
	}
}

// The tenant flags, run by the built binary without any keyring (a public tenant needs
// none; every refusal comes before the keyring is asked).
func TestTenantsWiringFlags(t *testing.T) {
	p := newProc(t, noBus)
	cfg := p.cfg
	pub := filepath.Join(t.TempDir(), "pub.jwk")
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubJWK, _ := json.Marshal(jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "k"})
	if err := os.WriteFile(pub, pubJWK, 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"add", "x", "--issuer", "https://id.example.com/", "--client-id", "c", "--no-discovery"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--public", "--redirect-uri", "https://localhost:8400/cb"}, "is not a loopback redirect URI"},
		{[]string{"--public", "--redirect-uri", "http://app.example:8400/cb"}, "is not a loopback redirect URI"},
		{[]string{"--public", "--redirect-uri", "http://localhost:8400/cb", "--redirect-port", "8765"}, "not both"},
		{[]string{"--auth-method", "private_key_jwt"}, "private_key_jwt needs the client's private key"},
		{[]string{"--auth-method", "client_secret_post", "--private-key-file", pub}, "only used with --auth-method private_key_jwt"},
		{[]string{"--auth-method", "private_key_jwt", "--private-key-file", pub}, "public key"},
		{[]string{"--auth-method", "private_key_jwt", "--private-key-file", filepath.Join(t.TempDir(), "missing")}, "cannot read the private key"},
		{[]string{"--auth-method", "tls_client_auth", "--public"}, "auth_method"},
		{[]string{"--public", "--token-endpoint", "http://id.example.com/token"}, "token_endpoint"},
	} {
		r := p.run(t, "", append(append([]string{}, base...), tc.args...)...)
		wantFail(t, r, ExitUsage, tc.want)
		if _, err := os.Stat(cfg); err == nil {
			t.Fatalf("%v wrote the config", tc.args)
		}
	}
	mustProc := func(args ...string) result {
		t.Helper()
		r := p.run(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		return r
	}
	// A confidential tenant whose secret comes from the environment needs no keyring.
	p.extraEnv = []string{store.EnvClientSecret + "=from-env"}
	mustProc(append(base, "--auth-method", "client_secret_post", "--redirect-uri", "http://[::1]:8400/auth/cb",
		"--token-endpoint", "https://id.example.com/oauth2/token", "--introspection-endpoint", "https://admin.example.com:8443/introspect")...)
	r := mustProc("show", "x")
	for _, want := range []string{"redirect uri:", "http://[::1]:8400/auth/cb", "discovery:", "off", "token endpoint:", "https://admin.example.com:8443/introspect", "auth method:", "client_secret_post"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	mustProc("edit", "x", "--introspection-endpoint", "", "--no-discovery=false", "--redirect-port", "8765")
	c, err := store.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := c.Tenant("x")
	if x.Endpoints.Introspection != "" || x.Endpoints.Token == "" || x.NoDiscovery || x.RedirectURI != "" || x.RedirectPort != 8765 {
		t.Fatalf("after edit: %+v", x)
	}
}

// Against a real Secret Service, with the built binary: a private key given by file is
// stored chunked in the keyring, never in the config file or output, and signs the
// client credentials grant at the provider.
func TestPrivateKeyInSecretService(t *testing.T) {
	bus := keyringtest.Require(t)
	prov := tokenstest.New(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		t.Fatal(err)
	}
	prov.AddClientKey("rsa-4096", rsaKey.Public())
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: rsaKey, KeyID: "rsa-4096", Algorithm: "RS256"})
	keyFile := filepath.Join(t.TempDir(), "client.jwk")
	if err := os.WriteFile(keyFile, jwk, 0o600); err != nil {
		t.Fatal(err)
	}
	p := newProc(t, bus)
	name := fmt.Sprintf("it%d-pk", os.Getpid())
	t.Cleanup(func() { store.NewSecrets().DeleteAll(name) })
	r := p.run(t, "", "add", name, "--issuer", prov.Issuer, "--client-id", tokenstest.PrivateKeyClientID,
		"--grant", "client-credentials", "--auth-method", "private_key_jwt", "--private-key-file", keyFile)
	if r.code != 0 || !strings.Contains(r.stderr, "private key RS256 (kid rsa-4096)") {
		t.Fatalf("add: %+v", r)
	}
	h, _ := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretPrivateKey))
	if !strings.HasPrefix(h, fmt.Sprintf("tokenbench-secret/1 chunks=%d len=%d ", (len(jwk)+store.ChunkSize-1)/store.ChunkSize, len(jwk))) {
		t.Errorf("header %q for a %d-byte key", h, len(jwk))
	}
	var stored strings.Builder
	for i := 0; ; i++ {
		chunk, ok := keyringtest.Lookup(t, store.Service, fmt.Sprintf("%s/%d", store.Account(name, store.SecretPrivateKey), i))
		if !ok {
			break
		}
		stored.WriteString(chunk)
	}
	if stored.String() != string(jwk) {
		t.Fatalf("the keyring holds %d bytes, want the %d-byte key", stored.Len(), len(jwk))
	}
	data, _ := os.ReadFile(p.cfg)
	d := string(jwk[strings.Index(string(jwk), `"d":"`)+5:][:40])
	if strings.Contains(string(data), d) || strings.Contains(r.stdout+r.stderr, d) {
		t.Fatalf("the private key leaked into the config or output:\n%s", data)
	}
	// The binary obtains a token with it.
	get := exec.Command(p.bin, "token", "--tenant", name)
	get.Env = p.cmd("").Env
	var out, errb bytes.Buffer
	get.Stdout, get.Stderr = &out, &errb
	if err := get.Run(); err != nil || strings.Count(out.String(), ".") != 2 {
		t.Fatalf("token: %v stdout %q stderr %q", err, out.String(), errb.String())
	}
	if r := p.run(t, "", "rm", name, "--yes"); r.code != 0 {
		t.Fatalf("rm: %+v", r)
	}
	if accts := keyringtest.Accounts(t, store.Service, name+"/"); len(accts) != 0 {
		t.Errorf("left in the keyring: %v", accts)
	}
}
