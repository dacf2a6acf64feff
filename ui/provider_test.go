package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

func TestUserinfoBesideTheToken(t *testing.T) {
	hs, p, ts := getHarness(t)
	getDevice(t, hs, p, ts)
	hs.wantOnScreen("r refresh  R auto-refresh  u userinfo  i introspect  · tenant dev")
	hs.wantOffScreen("Provider (what the tenant says about this token)")

	hs.send(press("u"))
	hs.wantOnScreen("userinfo answered by dev", "Provider (what the tenant says about this token)", "userinfo · ", "from dev", "sub")
	e := hs.m.list.selected()
	if sub, ok := e.calls.userinfo.Get("sub"); !ok || string(sub) != `"`+tokenstest.Username+`"` {
		t.Fatalf("userinfo: %v", e.calls.userinfo)
	}
	if len(p.Requests("/userinfo")) != 1 {
		t.Fatalf("userinfo requests: %d", len(p.Requests("/userinfo")))
	}

	// A provider that fails: one line in the status bar, the earlier answer stays.
	p.Inject(tokenstest.Fault{Path: "/userinfo", Status: 503})
	hs.send(press("u"))
	if st := hs.m.status; !st.isErr || !strings.HasPrefix(st.text, "userinfo at dev: ") || strings.Contains(st.text, "\n") {
		t.Fatalf("status: %+v", st)
	}
	if e.calls.busy != "" || e.calls.userinfo == nil || hs.m.fetching() {
		t.Fatalf("after a failed call: busy %q, answer kept %v", e.calls.busy, e.calls.userinfo != nil)
	}
	hs.wantOnScreen("✗ userinfo at dev:", "userinfo · ")
}

func TestIntrospectionBesideTheToken(t *testing.T) {
	hs, p, ts := getHarness(t)
	getM2M(t, hs, ts)
	hs.send(press("i"))
	hs.wantOnScreen("introspection answered by m2m", "introspection · active per m2m", "exp ")
	if in := hs.m.list.selected().calls.intro; in == nil || !in.Active {
		t.Fatalf("introspection: %+v", in)
	}
	if reqs := p.Requests("/oauth/introspect"); len(reqs) != 1 || reqs[0].BasicUser != tokenstest.ConfidentialClientID {
		t.Fatalf("introspection requests: %+v", reqs)
	}

	// The device tenant is a public client: the provider refuses to introspect for it.
	getDevice(t, hs, p, ts)
	hs.send(press("i"))
	if st := hs.m.status; !st.isErr || !strings.HasPrefix(st.text, "introspection at dev: ") {
		t.Fatalf("status: %+v", st)
	}
}

// The spinner row shows while a call runs; the answer replaces it.
func TestProviderCallInFlight(t *testing.T) {
	hs, p, ts := getHarness(t)
	getDevice(t, hs, p, ts)
	_, cmd := hs.m.Update(press("u"))
	if cmd == nil || !hs.m.fetching() {
		t.Fatal("no call started")
	}
	hs.wantOnScreen("asking userinfo…")
	// A second press while the call runs starts no other.
	if _, again := hs.m.Update(press("u")); again != nil {
		t.Fatal("a second call started while one runs")
	}
	hs.run(cmd)
	hs.wantOffScreen("asking userinfo…")
	hs.wantOnScreen("userinfo · ")
}

func TestProviderCallNeedsATenant(t *testing.T) {
	hs, p, _ := getHarness(t)
	for _, tc := range []struct{ token, want string }{
		{jwsExp(t0, t0.Add(10*60e9)), "✗ the issuer https://issuer.test/ is not a saved tenant: add it on the tenants screen (t)"},
		{jws(`{"alg":"RS256"}`, `{"sub":"x"}`), "✗ this token names no issuer: only a token obtained from a saved tenant (T)"},
		{"opaque-token-value-0123456789", "✗ this token names no issuer"},
	} {
		hs.send(tea.PasteMsg{Content: tc.token}, press("enter"))
		for _, k := range []string{"u", "i"} {
			hs.send(press(k))
			hs.wantOnScreen(tc.want)
		}
	}
	if n := len(p.Requests("/userinfo")) + len(p.Requests("/oauth/introspect")); n != 0 {
		t.Fatalf("%d provider requests for tokens of no tenant", n)
	}
}

// A pasted token whose issuer is a saved tenant's is verified with the tenant's keys
// without a key press, and the report says whose keys they are. (Both test tenants share
// the provider's issuer: the token is tied to m2m, the tenant of the client it was issued
// to, not to dev, the first by name.)
func TestTenantIssuerMatchLabelled(t *testing.T) {
	hs, p, ts := getHarness(t)
	getM2M(t, hs, ts)
	raw := hs.m.list.selected().in.Token

	hs.send(tea.PasteMsg{Content: "Bearer " + raw}, press("enter"))
	e := hs.m.list.selected()
	if e.label != "pasted · access" || e.from != nil {
		t.Fatalf("selected %q", e.label)
	}
	rep := e.val.report
	if rep == nil || rep.Verdict != tokens.VerdictValid || rep.Key == nil || !strings.HasPrefix(rep.Key.Source, "saved tenant m2m: discovery "+p.Issuer) {
		t.Fatalf("report: %+v", rep.Key)
	}
	hs.keys("G") // the report is at the foot of the view
	hs.wantOnScreen("✓ signature valid", "keys: 1 from saved tenant m2m: discovery", "F fetch keys from "+p.Issuer+" (saved tenant m2m)")
	// Its tenant is found by issuer and client for userinfo too.
	hs.send(press("u"))
	hs.wantOnScreen("userinfo answered by m2m")
}

// At start-up the tenants are read in a command: a token opened from a saved tenant's
// issuer is verified with its keys; a corrupt config is one line in the status bar and
// the workbench carries on; a missing one says nothing.
func TestStartupTenantIssuers(t *testing.T) {
	_, p, ts := getHarness(t)
	c := oauth.NewClient(oauth.ClientConfig{Issuer: p.Issuer, ClientID: tokenstest.ConfidentialClientID, ClientSecret: tokenstest.ConfidentialClientSecret})
	set, err := c.ClientCredentials(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	hs := newHarness(t, Options{Token: set.AccessToken, Tenants: ts}, 100, 40)
	hs.clock.t = set.ObtainedAt
	if hs.m.list.selected().val.keys != nil {
		t.Fatal("keys before the tenants were read")
	}
	hs.run(hs.m.Init()) // the tick is stubbed; the background query goes to sent
	e := hs.m.list.selected()
	if e.val.keys == nil || e.val.report == nil || e.val.report.Verdict != tokens.VerdictValid {
		t.Fatalf("after start-up: keys %v report %v", e.val.keys, e.val.report)
	}
	hs.keys("G")
	hs.wantOnScreen("keys: 1 from saved tenant m2m") // the tenant of the token's client

	for _, tc := range []struct {
		name, content, want string
	}{
		{"corrupt", "version = 1\n[tenants.x\n", "✗ saved tenants not loaded: config "},
		{"missing", "", ""},
	} {
		path := filepath.Join(t.TempDir(), "config.toml")
		if tc.content != "" {
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		hs := newHarness(t, Options{Tenants: store.OpenTenants(path)}, 100, 30)
		hs.run(hs.m.Init())
		status := hs.m.status.view(hs.m.styles, 1000)
		if tc.want == "" {
			if status != "" {
				t.Errorf("%s config: status %q", tc.name, status)
			}
			continue
		}
		if !strings.Contains(status, tc.want) || !strings.Contains(status, path) || strings.Contains(status, "\n") {
			t.Errorf("%s config: status %q", tc.name, status)
		}
		hs.wantOnScreen("EXAMPLE TOKEN")
	}
}
