package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// getHarness is the workbench with saved tenants on a running test provider, on
// an in-memory keyring, with device polls that never sleep.
func getHarness(t *testing.T) (*harness, *tokenstest.Provider, *store.Tenants) {
	t.Helper()
	t.Setenv(store.EnvClientSecret, "")
	p := tokenstest.New(t)
	ts := store.OpenTenants(filepath.Join(t.TempDir(), "config.toml"))
	ts.Secrets.Keyring = keyringtest.NewMemory()
	for _, tn := range []store.Tenant{
		{Name: "dev", ClientID: tokenstest.DeviceClientID, Grant: oauth.GrantDevice, Scopes: []string{"openid", "offline_access"}},
		{Name: "m2m", ClientID: tokenstest.ConfidentialClientID, Confidential: true, Grant: oauth.GrantClientCredentials},
	} {
		tn.Kind, tn.Issuer = store.KindOIDC, p.Issuer
		change := store.SecretChange{}
		if tn.Confidential {
			change = store.SetSecret("wrong-secret")
		}
		if err := ts.Add(tn, change); err != nil {
			t.Fatal(err)
		}
	}
	hs := newHarness(t, Options{Tenants: ts}, 100, 45)
	hs.m.grants = oauth.Overrides{KeyCache: &keys.Cache{}, OpenBrowser: p.Browser(t, nil)}
	hs.run(loadTenantIssuers(hs.m.store)) // what Init starts
	return hs, p, ts
}

func TestGetTokenScreenDeviceFlow(t *testing.T) {
	hs, p, ts := getHarness(t)
	var prompt string
	hs.m.grants.Sleep = func(ctx context.Context, _ time.Duration) error {
		if prompt == "" { // the first wait: the user reads the screen and approves
			prompt = ansi.Strip(hs.m.render(time.Now()))
			code := hs.m.get.run.device.UserCode
			if err := p.Approve(context.Background(), code); err != nil {
				t.Error(err)
			}
		}
		return ctx.Err()
	}
	hs.send(press("T"))
	hs.wantOnScreen("Get a token", "› dev", "m2m", "grant: device")
	hs.send(press("enter"))

	for _, want := range []string{"dev · device", "Open " + p.Issuer + "/device", "and enter the code", "the code expires in 4m", "or scan / open " + p.Issuer + "/device?user_code=", "█"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("device prompt lacks %q:\n%s", want, prompt)
		}
	}
	// The user code is shown large: its characters spaced out.
	if !strings.Contains(prompt, "-") || !strings.Contains(prompt, " - ") {
		t.Errorf("user code not spaced out:\n%s", prompt)
	}
	hs.wantOnScreen("dev · access", "dev · ID token", "got a token from dev (device), stored in the keyring")
	if hs.m.active != screenMain || hs.m.list.selected().label != "dev · access" {
		t.Fatalf("after the grant: screen %d, selected %q", hs.m.active, hs.m.list.selected().label)
	}
	cached, err := ts.Secrets.LoadTokenSet("dev")
	if err != nil || cached.RefreshToken == "" || cached.AccessToken != hs.m.list.selected().in.Token {
		t.Fatalf("keyring: %+v %v", cached, err)
	}
}

func TestGetTokenScreenFailureAndGrantChoice(t *testing.T) {
	hs, _, _ := getHarness(t)
	hs.send(press("T"), press("down"))
	hs.wantOnScreen("› m2m", "grant: client-credentials")
	hs.send(tea.KeyPressMsg{Code: tea.KeyTab})
	hs.wantOnScreen("grant: refresh")
	hs.send(tea.KeyPressMsg{Code: tea.KeyTab})
	hs.wantOnScreen("grant: exchange")
	hs.send(tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab})
	hs.wantOnScreen("grant: client-credentials")
	hs.send(press("enter"))
	// The wrong secret: the reason stays on the screen (and in the status bar).
	if hs.m.active != screenGet || hs.m.get.running() {
		t.Fatalf("screen %d running %v", hs.m.active, hs.m.get.running())
	}
	hs.wantOnScreen("✗ token endpoint answered invalid_client")
	hs.send(press("esc"))
	if hs.m.active != screenMain {
		t.Fatal("esc did not close the screen")
	}
}

// esc during a PKCE login cancels it: the loopback listener closes, and the late result
// of the cancelled run is ignored.
func TestGetTokenScreenCancel(t *testing.T) {
	_, p, ts := getHarness(t)
	tn := store.Tenant{Name: "app", Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.NativeClientID, Grant: oauth.GrantPKCE}
	s := getScreen{tenants: ts, list: []store.Tenant{tn}}
	s.setSize(100, 30)
	s.choose(0)
	env := oauth.Overrides{KeyCache: &keys.Cache{}, OpenBrowser: func(string) error { return nil }}
	k := s.keyMap(DefaultKeyMap())
	start := s.update(k, env, press("enter"))
	started, ok := start().(authURLMsg)
	if !ok || !strings.Contains(started.url, "code_challenge_method=S256") {
		t.Fatalf("start: %#v", started)
	}
	wait := s.update(k, env, started)
	if view := ansi.Strip(s.view(NewStyles(true, true), time.Now(), "*", true)); !strings.Contains(view, "Log in in your browser") {
		t.Fatalf("view while waiting:\n%s", view)
	}
	redirect := mustParam(t, started.url, "redirect_uri")
	s.update(k, env, press("esc"))
	done := wait().(tokenObtainedMsg)
	if !errors.Is(done.err, context.Canceled) || s.finished(done) {
		t.Fatalf("after esc: %v, finished %v", done.err, s.finished(done))
	}
	if resp, err := http.Get(redirect); err == nil {
		resp.Body.Close()
		t.Fatal("the loopback listener still answers after esc")
	}
	if s.running() || s.lastErr == nil || s.lastErr.Error() != "cancelled" {
		t.Fatalf("screen after esc: running %v, %v", s.running(), s.lastErr)
	}
}

func mustParam(t *testing.T, raw, name string) string {
	t.Helper()
	_, q, _ := strings.Cut(raw, "?")
	for _, kv := range strings.Split(q, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			v = strings.ReplaceAll(v, "%3A", ":")
			return strings.ReplaceAll(v, "%2F", "/")
		}
	}
	t.Fatalf("no %s in %s", name, raw)
	return ""
}

func TestQRRows(t *testing.T) {
	rows := qrRows("http://127.0.0.1:8080/device?user_code=ABCD-EFGH", true)
	if len(rows) < 10 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if ansi.StringWidth(r) != ansi.StringWidth(rows[0]) {
			t.Fatalf("ragged QR rows: %q", rows)
		}
	}
	// Light and dark backgrounds print opposite modules.
	if light := qrRows("http://127.0.0.1:8080/device?user_code=ABCD-EFGH", false); light[1] == rows[1] {
		t.Fatal("the QR code ignores the background")
	}
}

// pickTenant opens the get-token screen and selects the tenant called name.
func (hs *harness) pickTenant(name string) {
	hs.t.Helper()
	hs.send(press("T"))
	for range hs.m.get.list {
		if hs.m.get.list[hs.m.get.sel].Name == name {
			return
		}
		hs.send(press("down"))
	}
	hs.t.Fatalf("no tenant %q on the get-token screen:\n%s", name, hs.screen())
}

// deviceUser stands in for the person at the provider's device page: at the first poll
// wait it calls act (when not nil) with the user code on the screen. Every
// wait returns at once and is recorded.
func deviceUser(hs *harness, act func(userCode string) error) *[]time.Duration {
	var waits []time.Duration
	hs.m.grants.Sleep = func(ctx context.Context, d time.Duration) error {
		if len(waits) == 0 && act != nil {
			if err := act(hs.m.get.run.device.UserCode); err != nil {
				hs.t.Error(err)
			}
		}
		waits = append(waits, d)
		return ctx.Err()
	}
	return &waits
}

// wantNoToken checks that a failed grant left tenant's keyring entry and the token list
// untouched and the get-token screen idle with the whole reason on screen.
func wantNoToken(t *testing.T, hs *harness, ts *store.Tenants, tenant, reason string) {
	t.Helper()
	if hs.m.active != screenGet || hs.m.get.running() {
		t.Fatalf("after the failure: screen %d, running %v", hs.m.active, hs.m.get.running())
	}
	hs.wantOnScreen("› " + tenant)
	hs.wantOffScreen(tenant + " access")
	// The reason is wrapped to the screen, never cut: read it from its "✗" line to the
	// next blank line.
	var parts []string
	for _, l := range strings.Split(hs.screen(), "\n") {
		l = strings.TrimSpace(l)
		if len(parts) == 0 && !strings.HasPrefix(l, "✗ ") {
			continue
		}
		if l == "" {
			break
		}
		parts = append(parts, l)
	}
	if line := strings.Join(parts, " "); !strings.Contains(line, reason) {
		t.Fatalf("failure reason %q lacks %q:\n%s", line, reason, hs.screen())
	}
	if got, err := ts.Secrets.LoadTokenSet(tenant); got != nil || err != nil {
		t.Fatalf("the keyring holds %+v, %v after a failed grant", got, err)
	}
}

// wantToken checks that the grant's tokens are in the list, selected, and stored.
func wantToken(t *testing.T, hs *harness, ts *store.Tenants, tenant string, g oauth.Grant) {
	t.Helper()
	hs.wantOnScreen(tenant+" · access", tenant+" · ID token", "got a token from "+tenant+" ("+string(g)+"), stored in the keyring")
	if hs.m.active != screenMain || hs.m.list.selected().label != tenant+" · access" {
		t.Fatalf("after the grant: screen %d, selected %q", hs.m.active, hs.m.list.selected().label)
	}
	cached, err := ts.Secrets.LoadTokenSet(tenant)
	if err != nil || cached == nil || cached.RefreshToken == "" || cached.AccessToken != hs.m.list.selected().in.Token {
		t.Fatalf("keyring: %+v %v", cached, err)
	}
}

// slow_down: each one makes the device wait 5 s longer (RFC 8628 section 3.5), and the
// grant still succeeds.
func TestGetTokenScreenDeviceSlowDown(t *testing.T) {
	hs, p, ts := getHarness(t)
	waits := deviceUser(hs, func(code string) error {
		p.SlowDown(2)
		return p.Approve(context.Background(), code)
	})
	hs.pickTenant("dev")
	hs.send(press("enter"))
	if got := fmt.Sprint(*waits); got != "[1s 6s 11s]" {
		t.Fatalf("waits %s, want [1s 6s 11s]", got)
	}
	polls := 0
	for _, r := range p.Requests("/oauth/token") {
		if r.Form.Get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code" {
			polls++
		}
	}
	if polls != 3 {
		t.Fatalf("%d device polls, want 3", polls)
	}
	wantToken(t, hs, ts, "dev", oauth.GrantDevice)
}

// A failed device grant leaves a one-line reason, nothing in the keyring, and a screen
// that starts the next run (which succeeds once the provider behaves).
func TestGetTokenScreenDeviceFailures(t *testing.T) {
	tests := []struct {
		name   string
		act    func(p *tokenstest.Provider, code string) error
		fault  *tokenstest.Fault
		reason string
	}{
		{"access_denied", func(p *tokenstest.Provider, code string) error { return p.Deny(context.Background(), code) }, nil, "answered access_denied"},
		{"expired_token", func(p *tokenstest.Provider, code string) error { p.ExpireDeviceCode(code); return nil }, nil, "the device code expired before it was approved"},
		{"provider down", nil, &tokenstest.Fault{Drop: true}, "the provider could not be reached"},
		{"provider 5xx while polling", nil, &tokenstest.Fault{Path: "/oauth/token", Status: http.StatusServiceUnavailable}, "answered HTTP 503: the provider failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, p, ts := getHarness(t)
			var act func(string) error
			if tt.act != nil {
				act = func(code string) error { return tt.act(p, code) }
			}
			deviceUser(hs, act)
			if tt.fault != nil {
				p.Inject(*tt.fault)
			}
			hs.pickTenant("dev")
			hs.send(press("enter"))
			wantNoToken(t, hs, ts, "dev", tt.reason)

			p.Clear()
			deviceUser(hs, func(code string) error { return p.Approve(context.Background(), code) })
			hs.send(press("enter"))
			wantToken(t, hs, ts, "dev", oauth.GrantDevice)
		})
	}
}

// pkceHarness is getHarness with a PKCE tenant "app" whose logins the provider's
// headless browser completes.
func pkceHarness(t *testing.T) (*harness, *tokenstest.Provider, *store.Tenants) {
	t.Helper()
	hs, p, ts := getHarness(t)
	tn := store.Tenant{Name: "app", Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.NativeClientID,
		Grant: oauth.GrantPKCE, Scopes: []string{"openid", "offline_access"}}
	if err := ts.Add(tn, store.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	hs.pickTenant("app")
	hs.wantOnScreen("grant: pkce")
	return hs, p, ts
}

func TestGetTokenScreenPKCE(t *testing.T) {
	hs, p, ts := pkceHarness(t)
	hs.send(press("enter"))
	wantToken(t, hs, ts, "app", oauth.GrantPKCE)
	if status, page := p.LastRedirectPage(); status != http.StatusOK {
		t.Fatalf("the loopback listener answered the browser %d: %.200s", status, page)
	}
}

// A failed PKCE login leaves a one-line reason, nothing in the keyring, and a screen
// that starts the next login (which succeeds once the browser and provider behave).
func TestGetTokenScreenPKCEFailures(t *testing.T) {
	forgeState := func(u *url.URL) {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
	}
	expired := func(time.Duration) <-chan time.Time {
		c := make(chan time.Time, 1)
		c <- t0
		return c
	}
	tests := []struct {
		name    string
		tamper  func(*url.URL)
		noLogin bool                                 // nobody logs in at the browser
		after   func(time.Duration) <-chan time.Time // the callback timeout's timer
		fault   *tokenstest.Fault
		reason  string
	}{
		{name: "wrong state", tamper: forgeState, reason: "state does not match the request"},
		{name: "callback timeout", noLogin: true, after: expired, reason: "no login callback arrived in time"},
		{name: "provider down", fault: &tokenstest.Fault{Drop: true}, reason: "the provider could not be reached"},
		{name: "provider 5xx at the token endpoint", fault: &tokenstest.Fault{Path: "/oauth/token", Status: http.StatusBadGateway}, reason: "answered HTTP 502: the provider failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, p, ts := pkceHarness(t)
			hs.m.grants.OpenBrowser = p.Browser(t, tt.tamper)
			if tt.noLogin {
				hs.m.grants.OpenBrowser = func(string) error { return nil }
			}
			hs.m.grants.After = tt.after
			if tt.fault != nil {
				p.Inject(*tt.fault)
			}
			hs.send(press("enter"))
			wantNoToken(t, hs, ts, "app", tt.reason)
			if tt.tamper != nil {
				if status, _ := p.LastRedirectPage(); status < 400 {
					t.Fatalf("the loopback listener accepted the forged callback: HTTP %d", status)
				}
			}

			p.Clear()
			hs.m.grants.OpenBrowser, hs.m.grants.After = p.Browser(t, nil), nil
			hs.send(press("enter"))
			wantToken(t, hs, ts, "app", oauth.GrantPKCE)
		})
	}
}
