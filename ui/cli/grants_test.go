package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// grantEnv is a config file with tenants on a running test provider, a keyring, and
// the injected parts of the grant commands: no sleeping, a headless browser, and device
// codes approved over HTTP (or whatever onDevice says).
type grantEnv struct {
	t        *testing.T
	p        *tokenstest.Provider
	cfg      string
	secrets  *store.Secrets
	deps     grantDeps
	waits    []time.Duration
	onDevice func(*oauth.DeviceAuthorization) error
	mu       sync.Mutex
}

func newGrantEnv(t *testing.T) *grantEnv {
	t.Helper()
	t.Setenv(store.EnvClientSecret, "")
	e := &grantEnv{t: t, p: tokenstest.New(t), cfg: filepath.Join(t.TempDir(), "config.toml")}
	kr := keyringtest.NewMemory()
	e.secrets = &store.Secrets{Keyring: kr}
	ts := &store.Tenants{Path: e.cfg, Secrets: e.secrets}
	add := func(tn store.Tenant, secret string) {
		tn.Kind, tn.Issuer = store.KindOIDC, e.p.Issuer
		change := store.SecretChange{}
		if secret != "" {
			change = store.SetSecret(secret)
		}
		if err := ts.Add(tn, change); err != nil {
			t.Fatal(err)
		}
	}
	add(store.Tenant{Name: "m2m", ClientID: tokenstest.ConfidentialClientID, Confidential: true, Grant: oauth.GrantClientCredentials, Scopes: []string{"openid"}}, tokenstest.ConfidentialClientSecret)
	add(store.Tenant{Name: "m2m-post", ClientID: tokenstest.ConfidentialClientID, Confidential: true, Grant: oauth.GrantClientCredentials, AuthMethod: oauth.AuthSecretPost}, tokenstest.ConfidentialClientSecret)
	add(store.Tenant{Name: "bad", ClientID: tokenstest.ConfidentialClientID, Confidential: true, Grant: oauth.GrantClientCredentials}, "wrong-secret")
	add(store.Tenant{Name: "dev", ClientID: tokenstest.DeviceClientID, Grant: oauth.GrantDevice, Scopes: []string{"openid", "profile", "offline_access"}}, "")
	add(store.Tenant{Name: "app", ClientID: tokenstest.NativeClientID, Grant: oauth.GrantPKCE, Scopes: []string{"openid", "profile", "offline_access"}}, "")
	e.onDevice = func(da *oauth.DeviceAuthorization) error { return e.p.Approve(context.Background(), da.UserCode) }
	e.deps = grantDeps{
		keyring: kr,
		Overrides: oauth.Overrides{
			KeyCache: &keys.Cache{}, // memory only: nothing in the user's cache directory
			Sleep: func(ctx context.Context, d time.Duration) error {
				e.mu.Lock()
				e.waits = append(e.waits, d)
				e.mu.Unlock()
				return ctx.Err()
			},
			OpenBrowser: e.p.Browser(t, nil),
		},
		onDevice: func(da *oauth.DeviceAuthorization) {
			if err := e.onDevice(da); err != nil {
				t.Error(err)
			}
		},
	}
	return e
}

// run runs one grant command in-process, the way main does.
func (e *grantEnv) run(newCmd func(grantDeps) *cobra.Command, args ...string) result {
	cmd := newCmd(e.deps)
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetArgs(append(args, "--config", e.cfg))
	code := Execute(cmd, &errb)
	return result{code, out.String(), errb.String()}
}

func (e *grantEnv) mustRun(newCmd func(grantDeps) *cobra.Command, args ...string) result {
	e.t.Helper()
	r := e.run(newCmd, args...)
	if r.code != 0 {
		e.t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r
}

func (e *grantEnv) cachedSet(tenant string) *oauth.TokenSet {
	e.t.Helper()
	raw, err := e.secrets.Get(tenant, store.SecretTokenSet)
	if err != nil {
		e.t.Fatalf("no cached token set for %s: %v", tenant, err)
	}
	ts, err := oauth.DecodeTokenSet([]byte(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	if rt, err := e.secrets.Get(tenant, store.SecretRefreshToken); err == nil {
		ts.RefreshToken = rt
	}
	return ts
}

func (e *grantEnv) tokenRequests(grantType string) int {
	n := 0
	for _, r := range e.p.Requests("/oauth/token") {
		if r.Form.Get("grant_type") == grantType {
			n++
		}
	}
	return n
}

func TestGetClientCredentialsAndToken(t *testing.T) {
	e := newGrantEnv(t)
	r := e.mustRun(newGetCmd, "--tenant", "m2m")
	for _, want := range []string{"grant:", "client-credentials", "JWS (RS256)", "stored:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	cached := e.cachedSet("m2m")
	if strings.Contains(r.stdout, cached.AccessToken) {
		t.Error("the summary printed the raw access token")
	}

	r = e.mustRun(newGetCmd, "--tenant", "m2m", "--json")
	var doc GetDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.AccessToken == "" || doc.Grant != oauth.GrantClientCredentials {
		t.Fatalf("get --json: %v %+v", err, doc)
	}

	// token serves the cache (the provider's tokens live 5 minutes, so a 1 minute margin).
	before := e.tokenRequests("client_credentials")
	r = e.mustRun(newTokenCmd, "--tenant", "m2m", "--margin", "1m")
	if r.stdout != doc.AccessToken+"\n" || e.tokenRequests("client_credentials") != before {
		t.Fatalf("token did not serve the cached token: %q", r.stdout)
	}
	// Within the margin a client-credentials tenant gets a new token.
	r = e.mustRun(newTokenCmd, "--tenant", "m2m", "--margin", "1m", "--now", doc.Expiry.Add(-30*time.Second).Format(time.RFC3339))
	if r.stdout == doc.AccessToken+"\n" || e.tokenRequests("client_credentials") != before+1 || r.stderr != "" {
		t.Fatalf("token within the margin: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

func TestClientAuthMethodFollowsTheTenant(t *testing.T) {
	e := newGrantEnv(t)
	for _, c := range []struct {
		tenant    string
		wantBasic bool
	}{{"m2m", true}, {"m2m-post", false}} {
		e.mustRun(newGetCmd, "--tenant", c.tenant)
		reqs := e.p.Requests("/oauth/token")
		last := reqs[len(reqs)-1]
		gotBasic := last.BasicUser == tokenstest.ConfidentialClientID
		gotPost := last.Form.Get("client_id") == tokenstest.ConfidentialClientID && last.Form.Get("client_secret") != ""
		if gotBasic != c.wantBasic || gotPost == c.wantBasic {
			t.Errorf("%s: basic %v, secret in form %v; want basic %v", c.tenant, gotBasic, gotPost, c.wantBasic)
		}
	}
}

func TestGetErrors(t *testing.T) {
	e := newGrantEnv(t)
	tests := []struct {
		name  string
		args  []string
		fault *tokenstest.Fault
		code  int
		says  string
	}{
		{"wrong client secret", []string{"--tenant", "bad"}, nil, 1, "check the client ID, client secret and auth method of tenant bad"},
		{"provider down", []string{"--tenant", "m2m"}, &tokenstest.Fault{Drop: true}, 2, "could not be reached"},
		{"provider 5xx", []string{"--tenant", "m2m"}, &tokenstest.Fault{Path: "/oauth/token", Status: 500}, 2, "HTTP 500"},
		{"rate limited", []string{"--tenant", "m2m"}, &tokenstest.Fault{Path: "/oauth/token", Status: 429}, 2, "HTTP 429"},
		{"unknown grant", []string{"--tenant", "m2m", "--grant", "password"}, nil, 2, "unknown grant"},
		{"public client credentials", []string{"--tenant", "dev", "--grant", "client-credentials"}, nil, 2, "public client"},
		{"refresh without a refresh token", []string{"--tenant", "dev", "--grant", "refresh"}, nil, 1, "no stored refresh token"},
		{"unknown tenant", []string{"--tenant", "nope"}, nil, 2, "no such tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer e.p.Clear()
			if tt.fault != nil {
				e.p.Inject(*tt.fault)
			}
			r := e.run(newGetCmd, tt.args...)
			wantFail(t, r, tt.code, tt.says)
			if strings.Contains(r.stderr, "wrong-secret") {
				t.Errorf("the secret leaked: %q", r.stderr)
			}
		})
	}
}

func TestGetDevice(t *testing.T) {
	e := newGrantEnv(t)
	r := e.mustRun(newGetCmd, "--tenant", "dev")
	for _, want := range []string{e.p.Issuer + "/device", "enter the code", "user_code=", "Waiting for approval"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("prompt lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "grant:         device") && !strings.Contains(r.stdout, "device") {
		t.Errorf("summary %q", r.stdout)
	}
	if ts := e.cachedSet("dev"); ts.RefreshToken == "" || ts.IDToken == "" {
		t.Fatalf("cached %+v", ts)
	}

	t.Run("slow_down", func(t *testing.T) {
		e.waits = nil
		e.onDevice = func(da *oauth.DeviceAuthorization) error {
			e.p.SlowDown(1)
			return e.p.Approve(context.Background(), da.UserCode)
		}
		e.mustRun(newGetCmd, "--tenant", "dev")
		if fmt.Sprint(e.waits) != "[1s 6s]" {
			t.Fatalf("waits %v, want [1s 6s]", e.waits)
		}
	})
	t.Run("access_denied", func(t *testing.T) {
		e.onDevice = func(da *oauth.DeviceAuthorization) error { return e.p.Deny(context.Background(), da.UserCode) }
		wantGrantFail(t, e.run(newGetCmd, "--tenant", "dev"), 1, "access_denied")
	})
	t.Run("expired_token", func(t *testing.T) {
		e.onDevice = func(da *oauth.DeviceAuthorization) error { e.p.ExpireDeviceCode(da.UserCode); return nil }
		wantGrantFail(t, e.run(newGetCmd, "--tenant", "dev"), 1, "device code expired")
	})
}

// wantFail is tenants_test's check minus "no stdout": grant prompts go to stderr too,
// so only the last stderr line is the error.
func wantGrantFail(t *testing.T, r result, code int, substr string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	if r.code != code || !strings.HasPrefix(last, "tokenbench: ") || !strings.Contains(last, substr) || r.stdout != "" {
		t.Errorf("exit %d stderr %q stdout %q; want exit %d, last line with %q", r.code, r.stderr, r.stdout, code, substr)
	}
}

func TestGetPKCE(t *testing.T) {
	e := newGrantEnv(t)
	r := e.mustRun(newGetCmd, "--tenant", "app", "--json")
	var doc GetDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.IDToken == "" || doc.RefreshToken == "" {
		t.Fatalf("get --json: %v %q", err, r.stdout)
	}
	if !strings.Contains(r.stderr, e.p.Issuer+"/authorize?") {
		t.Errorf("the authorize URL was not shown: %q", r.stderr)
	}

	t.Run("wrong state", func(t *testing.T) {
		e.deps.OpenBrowser = e.p.Browser(t, func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
		})
		wantGrantFail(t, e.run(newGetCmd, "--tenant", "app"), 1, "state does not match")
	})
	t.Run("callback timeout", func(t *testing.T) {
		e.deps.OpenBrowser = func(string) error { return nil } // nobody logs in
		e.deps.After = func(time.Duration) <-chan time.Time {
			c := make(chan time.Time, 1)
			c <- time.Time{}
			return c
		}
		wantGrantFail(t, e.run(newGetCmd, "--tenant", "app"), 2, "no login callback arrived in time")
	})
}

func TestRefreshRotationThroughCLI(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "dev")
	first := e.cachedSet("dev")
	e.mustRun(newGetCmd, "--tenant", "dev", "--grant", "refresh")
	second := e.cachedSet("dev")
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("not rotated: %q -> %q", first.RefreshToken, second.RefreshToken)
	}
	// The spent refresh token no longer works; the stored one does.
	c := oauth.NewClient(oauth.ClientConfig{Issuer: e.p.Issuer, ClientID: tokenstest.DeviceClientID})
	if _, err := c.Refresh(context.Background(), first); err == nil {
		t.Fatal("the old refresh token still works")
	}
	e.mustRun(newGetCmd, "--tenant", "dev", "--grant", "refresh")
}

// countingKeyring counts the writes of each account (chunk accounts included).
type countingKeyring struct {
	store.Keyring
	mu   sync.Mutex
	sets map[string]int
}

func (k *countingKeyring) Set(service, account, value string) error {
	k.mu.Lock()
	k.sets[account]++
	k.mu.Unlock()
	return k.Keyring.Set(service, account, value)
}

func (k *countingKeyring) count(tenant string, kind store.SecretKind) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sets[store.Account(tenant, kind)]
}

// TestGetRefreshStoresOnce: the tenant session stores a refreshed set; the command must
// not store it a second time (each write of a rotated refresh token is one more moment a
// crash can leave the keyring torn, and outside the session it is outside the lock).
func TestGetRefreshStoresOnce(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "dev")
	kr := &countingKeyring{Keyring: e.deps.keyring, sets: map[string]int{}}
	e.deps.keyring = kr
	e.mustRun(newGetCmd, "--tenant", "dev", "--grant", "refresh")
	if rt, set := kr.count("dev", store.SecretRefreshToken), kr.count("dev", store.SecretTokenSet); rt != 1 || set != 1 {
		t.Errorf("get --grant refresh wrote the refresh token %d times and the token set %d times, want once each", rt, set)
	}
	kr.sets = map[string]int{}
	e.mustRun(newGetCmd, "--tenant", "dev")
	if rt, set := kr.count("dev", store.SecretRefreshToken), kr.count("dev", store.SecretTokenSet); rt != 1 || set != 1 {
		t.Errorf("get (device) wrote the refresh token %d times and the token set %d times, want once each", rt, set)
	}
}

func TestTokenRefreshMargin(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "dev")
	cached := e.cachedSet("dev")
	at := func(d time.Duration) string { return cached.Expiry.Add(d).Format(time.RFC3339) }

	// Outside the margin: the cached token, no provider call.
	r := e.mustRun(newTokenCmd, "--tenant", "dev", "--margin", "2m", "--now", at(-3*time.Minute))
	if r.stdout != cached.AccessToken+"\n" || e.tokenRequests("refresh_token") != 0 {
		t.Fatalf("outside the margin: %q, %d refreshes", r.stdout, e.tokenRequests("refresh_token"))
	}
	// Inside the margin: refreshed, the rotated refresh token stored at once.
	r = e.mustRun(newTokenCmd, "--tenant", "dev", "--margin", "2m", "--now", at(-time.Minute))
	now := e.cachedSet("dev")
	if r.stdout != now.AccessToken+"\n" || now.AccessToken == cached.AccessToken || now.RefreshToken == cached.RefreshToken || e.tokenRequests("refresh_token") != 1 {
		t.Fatalf("inside the margin: %q (cached %q), %d refreshes", r.stdout, now.AccessToken, e.tokenRequests("refresh_token"))
	}
	// The default margin is 5 minutes, or half the lifetime of a shorter-lived token: the
	// provider's tokens live 5 minutes, so they are due 2m30s before expiry, not at once.
	e.mustRun(newTokenCmd, "--tenant", "dev", "--now", now.Expiry.Add(-4*time.Minute).Format(time.RFC3339))
	if e.tokenRequests("refresh_token") != 1 {
		t.Fatalf("default margin, 4m before expiry of a 5m token: %d refreshes, want still 1", e.tokenRequests("refresh_token"))
	}
	r = e.mustRun(newTokenCmd, "--tenant", "dev", "--now", now.Expiry.Add(-2*time.Minute).Format(time.RFC3339))
	if e.tokenRequests("refresh_token") != 2 {
		t.Fatalf("default margin, 2m before expiry of a 5m token: %d refreshes, want 2", e.tokenRequests("refresh_token"))
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestTokenNeedsAPerson(t *testing.T) {
	e := newGrantEnv(t)
	wantFail(t, e.run(newTokenCmd, "--tenant", "dev"), 1, "run 'tokenbench get --tenant dev'")
	wantFail(t, e.run(newTokenCmd, "--tenant", "app"), 1, "grant pkce")
	// A client-credentials tenant needs nobody.
	if r := e.mustRun(newTokenCmd, "--tenant", "m2m"); strings.Count(r.stdout, ".") != 2 {
		t.Fatalf("stdout %q", r.stdout)
	}
	// A refused refresh token with an expired cache says what to run.
	e.mustRun(newGetCmd, "--tenant", "dev")
	if err := e.secrets.Set("dev", store.SecretRefreshToken, "spent"); err != nil {
		t.Fatal(err)
	}
	late := e.cachedSet("dev").Expiry.Add(time.Minute).Format(time.RFC3339)
	wantFail(t, e.run(newTokenCmd, "--tenant", "dev", "--now", late), 1, "refresh token of \"dev\" was refused")
}

// Several `token` calls at once on a token inside the margin: one refresh, and every
// caller prints the refreshed token.
func TestTokenConcurrentOneRefresh(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "dev")
	// Make the cached token expire in 30 s (its refresh token is real).
	ts := e.cachedSet("dev")
	ts.Expiry = time.Now().Add(30 * time.Second)
	ts.ObtainedAt = ts.Expiry.Add(-time.Hour)
	ts.RefreshToken = ""
	b, _ := ts.Encode()
	if err := e.secrets.Set("dev", store.SecretTokenSet, string(b)); err != nil {
		t.Fatal(err)
	}
	const n = 6
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.run(newTokenCmd, "--tenant", "dev", "--margin", "1m")
		}()
	}
	wg.Wait()
	if got := e.tokenRequests("refresh_token"); got != 1 {
		t.Fatalf("%d refreshes, want 1", got)
	}
	fresh := e.cachedSet("dev")
	for i, r := range results {
		if r.code != 0 || r.stdout != fresh.AccessToken+"\n" {
			t.Errorf("caller %d: exit %d stdout %q stderr %q", i, r.code, r.stdout, r.stderr)
		}
	}
}

func TestUserinfoAndIntrospectCLI(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "app")
	app := e.cachedSet("app")

	r := e.mustRun(newUserinfoCmd, "--tenant", "app", "Bearer "+app.AccessToken)
	if !strings.Contains(r.stdout, "sub:") || !strings.Contains(r.stdout, tokenstest.Username) {
		t.Fatalf("userinfo: %q", r.stdout)
	}
	// Without a token argument (empty stdin) the cached one is used; --json keeps order.
	r = e.mustRun(newUserinfoCmd, "--tenant", "app", "--json")
	var info map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info["sub"] != tokenstest.Username {
		t.Fatalf("userinfo --json: %v %q", err, r.stdout)
	}
	wantFail(t, e.run(newUserinfoCmd, "--tenant", "app", "abcdefghijklmnopqrstuvwxyz"), 1, "refused the access token")

	e.mustRun(newGetCmd, "--tenant", "m2m")
	m2m := e.cachedSet("m2m")
	r = e.mustRun(newIntrospectCmd, "--tenant", "m2m", m2m.AccessToken)
	if !strings.Contains(r.stdout, "active:") || !strings.Contains(r.stdout, "true") {
		t.Fatalf("introspect: %q", r.stdout)
	}
	// Another client's token is not active for this client: exit 1.
	r = e.run(newIntrospectCmd, "--tenant", "m2m", "--json", app.AccessToken)
	if r.code != 1 || !strings.Contains(r.stdout, `"active": false`) || !strings.Contains(r.stderr, "not active") {
		t.Fatalf("introspect of a foreign token: %+v", r)
	}
}

// Cached tokens of another issuer (the tenant was edited since) are not served.
func TestTokenIgnoresAnotherIssuersCache(t *testing.T) {
	e := newGrantEnv(t)
	e.mustRun(newGetCmd, "--tenant", "dev")
	ts := e.cachedSet("dev")
	ts.Issuer = "https://old-issuer.example/"
	if err := e.secrets.SaveTokenSet("dev", ts); err != nil {
		t.Fatal(err)
	}
	r := e.run(newTokenCmd, "--tenant", "dev", "--margin", "1m")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "they come from https://old-issuer.example/") || !strings.Contains(r.stderr, "no token is cached") {
		t.Fatalf("%+v", r)
	}
}
