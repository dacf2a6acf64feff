package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// The first claims sit under the verdict, before every other claim: sub, each audience on
// a row of its own, the scopes wrapped whole, azp, iss and exp, at 80 and 120 columns.
func TestFirstClaimsWrappedInFull(t *testing.T) {
	for _, w := range []int{80, 120} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			hs := newHarness(t, Options{Token: apiToken()}, w, 40)
			screen := hs.screen()
			sub := strings.Index(screen, "sub          auth0|64f0c0ffee1234567890abcd")
			claims := strings.Index(screen, "Claims (8)")
			verdict := strings.Index(screen, "? unverified")
			if verdict < 0 || sub < verdict || claims < sub {
				t.Fatalf("want the verdict, then sub, then the claims:\n%s", screen)
			}
			first := screen[sub:claims]
			for _, want := range []string{"aud          https://orders.api.shop.example/v2/", "https://dev-abc123.eu.auth0.com/userinfo",
				"azp          Xk3p9QwErTy", "iss          https://dev-abc123.eu.auth0.com/", "exp          2026-11-25 02:00:00 UTC · in 1h"} {
				if !strings.Contains(first, want) {
					t.Errorf("the first claims lack %q:\n%s", want, first)
				}
			}
			if strings.Contains(first, "…") {
				t.Errorf("a first claim is cut:\n%s", first)
			}
			words := map[string]bool{}
			for _, f := range strings.Fields(first) {
				words[f] = true
			}
			for _, sc := range []string{"openid", "read:orders", "write:invoices", "offline_access", "delete:orders"} {
				if !words[sc] {
					t.Errorf("scope %q is not whole:\n%s", sc, first)
				}
			}
		})
	}
}

// E turns the explanations off and on; the choice holds for the next token.
func TestExplanationsToggleAndAreRemembered(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 60)
	const subject = "Subject: the user or client the token is about"
	hs.wantOnScreen(subject) // on for the first token
	hs.keys("E")
	hs.wantOffScreen(subject)
	hs.wantOnScreen("explanations off", "sub          auth0|")
	hs.keys("p").send(tea.PasteMsg{Content: jwsExp(t0, t0.Add(time.Hour))}).keys("enter")
	hs.wantOnScreen("user-42")
	hs.wantOffScreen(subject)
	hs.keys("E")
	hs.wantOnScreen(subject, "explanations on")
}

// J shows the header and the payload as indented JSON, through the safety filter; J
// again goes back.
func TestRawJSONView(t *testing.T) {
	raw := jws(`{"alg":"RS256","kid":"k1"}`, `{"sub":"evil\u001b[2J","aud":["a","b"],"exp":1795572000}`)
	hs := newHarness(t, Options{Token: raw}, 120, 40)
	hs.keys("J")
	hs.wantOnScreen("Header (raw JSON)", `"alg": "RS256",`, "Payload (raw JSON)", `"aud": [`, `    "a",`, `"exp": 1795572000`)
	if strings.Contains(hs.raw(), "\x1b[2J") {
		t.Fatal("an escape from the token reached the terminal")
	}
	hs.wantOffScreen("Claims (")
	hs.keys("J")
	hs.wantOnScreen("Claims (3)")
	hs.wantOffScreen("raw JSON)")

	// A JWE has no payload to show; an opaque token no JSON at all.
	hs = newHarness(t, Options{Token: jwe()}, 120, 40)
	hs.keys("J")
	hs.wantOnScreen(`"enc": "A256GCM"`, "encrypted: only the holder of the decryption key can read it")
}

// By default the report lists the checks that did not pass; v lists every one.
func TestReportShowsProblemsAndVExpands(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	hs.wantInView("Checks · 9 passed · 4 skipped", "skip  aud", "v every check")
	hs.wantOffView("pass  signature")
	hs.keys("v")
	hs.wantInView("pass  signature", "skip  aud", "v only problems")
	hs.keys("v")
	hs.wantOffView("pass  signature")
}

// tab moves the focus: in the list j/k select a token, in the token view they scroll it;
// the footer says where tab goes next.
func TestFocusMovesTheLineKeys(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 30)
	hs.keys("p").send(tea.PasteMsg{Content: jwsExp(t0, t0.Add(time.Hour))}).keys("enter")
	hs.wantOnScreen("tab focus: token")
	hs.keys("k")
	if hs.m.list.sel != 0 {
		t.Fatal("k in the list should select the previous token")
	}
	hs.keys("tab")
	hs.wantOnScreen("tab focus: list")
	hs.keys("j", "j", "down")
	if hs.m.list.sel != 0 || hs.m.main.view.vp.YOffset() != 3 {
		t.Fatalf("j in the token view should scroll it: selected %d, offset %d", hs.m.list.sel, hs.m.main.view.vp.YOffset())
	}
	hs.keys("k")
	if hs.m.main.view.vp.YOffset() != 2 {
		t.Fatalf("k should scroll up: offset %d", hs.m.main.view.vp.YOffset())
	}
	hs.keys("tab", "j")
	if hs.m.list.sel != 1 {
		t.Fatal("after tab again, j selects the next token")
	}
}

// The wheel scrolls the pane under the pointer; a click in the list selects the token
// under it and focuses the list, a click in the view focuses the view.
func TestMouseWheelAndClick(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 30)
	for i := 0; i < 2; i++ {
		hs.keys("p").send(tea.PasteMsg{Content: jwsExp(t0, t0.Add(time.Duration(i+1)*time.Hour))}).keys("enter")
	}
	// Rows: 0 the title, 1 the list's header, then two rows a token.
	hs.send(tea.MouseClickMsg{X: 3, Y: 2, Button: tea.MouseLeft})
	if hs.m.list.sel != 0 || hs.m.main.view.e != hs.m.list.entries[0] {
		t.Fatalf("a click on the first token's row selects it: %d", hs.m.list.sel)
	}
	hs.send(tea.MouseClickMsg{X: 3, Y: 5, Button: tea.MouseLeft}) // the second row of the second token
	if hs.m.list.sel != 1 {
		t.Fatalf("selected %d, want 1", hs.m.list.sel)
	}
	hs.send(tea.MouseClickMsg{X: 3, Y: 20, Button: tea.MouseLeft}) // below the last token
	if hs.m.list.sel != 1 {
		t.Fatal("a click below the tokens changed the selection")
	}

	hs.send(tea.MouseWheelMsg{X: 60, Y: 10, Button: tea.MouseWheelDown}, tea.MouseWheelMsg{X: 60, Y: 10, Button: tea.MouseWheelDown})
	if off := hs.m.main.view.vp.YOffset(); off != 6 {
		t.Fatalf("two wheel steps over the view: offset %d, want 6", off)
	}
	hs.send(tea.MouseWheelMsg{X: 60, Y: 10, Button: tea.MouseWheelUp})
	if off := hs.m.main.view.vp.YOffset(); off != 3 {
		t.Fatalf("offset %d after a step up, want 3", off)
	}
	hs.send(tea.MouseWheelMsg{X: 3, Y: 10, Button: tea.MouseWheelDown})
	if hs.m.list.sel != 2 {
		t.Fatalf("the wheel over the list moves the selection: %d", hs.m.list.sel)
	}

	hs.send(tea.MouseClickMsg{X: 60, Y: 10, Button: tea.MouseLeft})
	if !hs.m.main.focusView {
		t.Fatal("a click in the token view gives it the focus")
	}
	hs.wantOnScreen("tab focus: list")
	if hs.m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("the view does not ask for mouse events")
	}
}

// The footer fits every width; ? help and q quit are always on it.
func TestFooterFitsWithHelpAndQuit(t *testing.T) {
	hs := newHarness(t, Options{Token: apiToken()}, 80, 24)
	for _, w := range []int{40, 60, 80, 100, 120, 200} {
		hs.send(tea.WindowSizeMsg{Width: w, Height: 24})
		rows := strings.Split(hs.screen(), "\n")
		footer := rows[len(rows)-1]
		if ansi.StringWidth(footer) > w || !strings.HasSuffix(footer, "? help • q quit") {
			t.Errorf("width %d: footer %q", w, footer)
		}
		if w >= 80 && !strings.Contains(footer, "tab focus") {
			t.Errorf("width %d: footer %q lacks tab", w, footer)
		}
	}
}

// memKeyring is an in-memory keyring handed to store.Secrets (the interface it takes):
// nothing process-wide is replaced. fail makes every call fail as an unreachable one.
type memKeyring struct {
	mu   sync.Mutex
	m    map[string]string
	fail error
}

func (k *memKeyring) Set(service, account, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	k.m[service+"/"+account] = value
	return nil
}

func (k *memKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return "", k.fail
	}
	v, ok := k.m[service+"/"+account]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *memKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, service+"/"+account)
	return nil
}

// cachedStore is a config with two tenants, prod and dev-abc, and a keyring in memory.
func cachedStore(t *testing.T) (*store.Tenants, *memKeyring) {
	t.Helper()
	kr := &memKeyring{m: map[string]string{}}
	ts := store.OpenTenants(filepath.Join(t.TempDir(), "config.toml"))
	ts.Secrets = &store.Secrets{Keyring: kr, LookupEnv: func(string) (string, bool) { return "", false }}
	for _, tn := range []store.Tenant{
		{Name: "dev-abc", Kind: store.KindOIDC, Issuer: "https://dev-abc.example/", ClientID: "dev-client"},
		{Name: "prod", Kind: store.KindOIDC, Issuer: "https://prod.example/", ClientID: "prod-client"},
		{Name: "empty", Kind: store.KindOIDC, Issuer: "https://empty.example/", ClientID: "c"},
	} {
		if err := ts.Add(tn, store.KeepSecret); err != nil {
			t.Fatal(err)
		}
	}
	return ts, kr
}

func tenantJWS(iss, claims string) string {
	return jws(`{"alg":"RS256","kid":"k1"}`, fmt.Sprintf(`{"iss":%q,"iat":%d,"exp":%d,%s}`, iss, t0.Unix(), t0.Add(time.Hour).Unix(), claims))
}

// At start the workbench opens on the tokens the saved tenants have cached, newest first,
// each labelled by what it is; the example only when there are none.
func TestStartsOnCachedTenantTokens(t *testing.T) {
	ts, _ := cachedStore(t)
	for name, set := range map[string]*oauth.TokenSet{
		"dev-abc": {AccessToken: tenantJWS("https://dev-abc.example/", `"sub":"u1","scope":"openid read:orders","azp":"dev-client"`),
			IDToken: tenantJWS("https://dev-abc.example/", `"sub":"u1","aud":"dev-client","nonce":"n"`), ObtainedAt: t0.Add(-10 * time.Minute), Expiry: t0.Add(time.Hour)},
		"prod": {AccessToken: tenantJWS("https://prod.example/", `"sub":"svc","scope":"read:invoices","azp":"prod-client"`), ObtainedAt: t0.Add(-time.Minute), Expiry: t0.Add(time.Hour)},
	} {
		if err := ts.Secrets.SaveTokenSet(name, set); err != nil {
			t.Fatal(err)
		}
	}
	hs := newHarness(t, Options{Tenants: ts}, 120, 40)
	fetched := map[string]bool{}
	var mu sync.Mutex
	hs.m.keySrc.issuerKeys = func(_ context.Context, iss, _ string) (*tokens.KeySet, error) {
		mu.Lock()
		defer mu.Unlock()
		fetched[iss] = true
		return nil, errors.New("offline in this test")
	}
	hs.wantOnScreen("EXAMPLE TOKEN") // start-up does not wait for the keyring
	hs.run(loadTenantIssuers(hs.m.store))
	hs.run(hs.m.loadCached())

	var labels []string
	for _, e := range hs.m.list.entries {
		labels = append(labels, e.label)
	}
	if got := strings.Join(labels, " | "); got != "prod · access · read:invoices | dev-abc · access · read:orders | dev-abc · ID token" {
		t.Fatalf("list %q", got)
	}
	if hs.m.list.sel != 0 || hs.m.list.selected().from == nil || hs.m.list.selected().from.tenant != "prod" {
		t.Fatal("the newest cached token should be selected")
	}
	hs.wantOnScreen("Tokens (3)", "sub          svc")
	hs.wantOffScreen("EXAMPLE TOKEN")
	if !fetched["https://prod.example/"] || !fetched["https://dev-abc.example/"] {
		t.Fatalf("the tenants' keys are fetched for their tokens: %v", fetched)
	}
}

// A token given on the command line stays selected; the cached ones join the list.
func TestCachedTokensJoinAGivenToken(t *testing.T) {
	ts, _ := cachedStore(t)
	if err := ts.Secrets.SaveTokenSet("prod", &oauth.TokenSet{AccessToken: "opaque-access-token-from-prod-0123456789", ObtainedAt: t0}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{Tenants: ts, Token: jwsExp(t0, t0.Add(time.Hour))}, 120, 40)
	hs.run(hs.m.loadCached())
	if len(hs.m.list.entries) != 2 || hs.m.list.sel != 0 || hs.m.list.entries[1].label != "prod · access" {
		t.Fatalf("entries %d, selected %d", len(hs.m.list.entries), hs.m.list.sel)
	}
	hs.wantOnScreen("user-42", "prod · access", "opened 1 cached token(s) of saved tenants, newest first")
}

// No cached tokens: the example stays and nothing is said. An unreachable keyring is one
// line in the status bar, and the example stays.
func TestNoCachedTokensKeepsTheExample(t *testing.T) {
	ts, kr := cachedStore(t)
	hs := newHarness(t, Options{Tenants: ts}, 120, 40)
	hs.run(hs.m.loadCached())
	if len(hs.m.list.entries) != 1 || !hs.m.list.entries[0].example || hs.m.status.text != "" {
		t.Fatalf("entries %d, status %q", len(hs.m.list.entries), hs.m.status.text)
	}

	kr.fail = errors.New("dbus: connection refused")
	hs = newHarness(t, Options{Tenants: ts}, 120, 40)
	hs.run(hs.m.loadCached())
	if len(hs.m.list.entries) != 1 || !hs.m.list.entries[0].example {
		t.Fatal("the example should stay")
	}
	hs.wantOnScreen("✗ cached tokens of saved tenants not read: keyring unavailable")
}

// Once a token has expired the exp check's reason changes every second; the report shows
// the current one (its rows are re-styled alone, the claims above keep theirs).
func TestReportFollowsTheClock(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	hs.tick(time.Hour + 2*time.Minute)
	hs.wantInView("fail  exp", "expired 2m ago")
	claims := &hs.m.main.view.body[0]
	hs.tick(time.Second)
	hs.wantInView("expired 2m 1s ago")
	hs.wantOffView("expired 2m ago")
	if claims != &hs.m.main.view.body[0] {
		t.Fatal("the whole body was rebuilt for a changed check")
	}
}

// The explanations choice outlives the run: E writes it beside the config, and the next
// workbench on that config starts with it; a choice made before the prefs are read wins.
func TestExplanationsChoiceIsRememberedAcrossRuns(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.toml")
	const subject = "Subject: the user or client the token is about"

	first := newHarness(t, Options{Tenants: store.OpenTenants(cfg)}, 120, 60)
	first.run(loadPrefs(first.m.store))
	first.wantOnScreen(subject)
	first.keys("E")
	if p, err := store.LoadPrefs(store.PrefsPath(cfg)); err != nil || !p.HideExplanations {
		t.Fatalf("after E the prefs file holds %+v (%v), want explanations hidden", p, err)
	}

	next := newHarness(t, Options{Tenants: store.OpenTenants(cfg)}, 120, 60)
	next.wantOnScreen(subject) // the defaults until the prefs are read
	next.run(loadPrefs(next.m.store))
	next.wantOffScreen(subject)
	next.keys("E")
	next.wantOnScreen(subject)

	// Chosen in this run before the (older) prefs arrive: the user's key wins.
	late := newHarness(t, Options{Tenants: store.OpenTenants(cfg)}, 120, 60)
	late.keys("E", "E")
	late.send(prefsLoadedMsg{store.Prefs{HideExplanations: true}})
	late.wantOnScreen(subject)
}

// A prefs file that cannot be read costs only its defaults, with one line saying so.
func TestBadPrefsFileKeepsDefaults(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(store.PrefsPath(cfg), []byte("hide_explanations = maybe\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{Tenants: store.OpenTenants(cfg)}, 120, 60)
	hs.run(loadPrefs(hs.m.store))
	hs.wantOnScreen("Subject: the user or client the token is about", "workbench prefs not read, the defaults apply", "workbench.toml")
}
