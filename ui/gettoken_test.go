package ui

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// getHarness is the workbench with saved tenants on a running test provider, on
// go-keyring's mock, with device polls that never sleep.
func getHarness(t *testing.T) (*harness, *tokenstest.Provider, *store.Tenants) {
	t.Helper()
	keyring.MockInit()
	t.Setenv(store.EnvClientSecret, "")
	p := tokenstest.New(t)
	ts := store.OpenTenants(filepath.Join(t.TempDir(), "config.toml"))
	for _, tn := range []store.Tenant{
		{Name: "dev", ClientID: tokenstest.DeviceClientID, Grant: store.GrantDevice, Scopes: []string{"openid", "offline_access"}},
		{Name: "m2m", ClientID: tokenstest.ConfidentialClientID, Confidential: true, Grant: store.GrantClientCredentials},
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
	hs.m.grants = grantEnv{keys: &tokens.Cache{}, openBrowser: p.Browser(t, nil)}
	hs.run(loadTenantIssuers(hs.m.store)) // what Init starts
	return hs, p, ts
}

func TestGetTokenScreenDeviceFlow(t *testing.T) {
	hs, p, ts := getHarness(t)
	var prompt string
	hs.m.grants.sleep = func(ctx context.Context, _ time.Duration) error {
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
	hs.wantOnScreen("dev access", "dev id", "got a token from dev (device), stored in the keyring")
	if hs.m.active != screenMain || hs.m.list.selected().label != "dev access" {
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
	hs.send(tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab})
	hs.wantOnScreen("grant: client-credentials")
	hs.send(press("enter"))
	// The wrong secret: the reason stays on the screen (and in the status bar).
	if hs.m.active != screenGet || hs.m.get.running() {
		t.Fatalf("screen %d running %v", hs.m.active, hs.m.get.running())
	}
	hs.wantOnScreen("✗ tokens: token endpoint answered invalid_client")
	hs.send(press("esc"))
	if hs.m.active != screenMain {
		t.Fatal("esc did not close the screen")
	}
}

// esc during a PKCE login cancels it: the loopback listener closes, and the late result
// of the cancelled run is ignored.
func TestGetTokenScreenCancel(t *testing.T) {
	_, p, ts := getHarness(t)
	tn := store.Tenant{Name: "app", Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.NativeClientID, Grant: store.GrantPKCE}
	s := getScreen{tenants: ts, list: []store.Tenant{tn}}
	s.setSize(100, 30)
	s.choose(0)
	env := grantEnv{keys: &tokens.Cache{}, openBrowser: func(string) error { return nil }}
	k := DefaultKeyMap().forScreen(screenGet)
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
