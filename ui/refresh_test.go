package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// getDevice runs the device flow of tenant dev on the get-token screen, approving the
// code over HTTP as the user would, and returns the stored token set. The test clock is
// set to the real time first: the provider stamps its tokens with it.
func getDevice(t *testing.T, hs *harness, p *tokenstest.Provider, ts *store.Tenants) *oauth.TokenSet {
	t.Helper()
	hs.clock.t = time.Now()
	approved := false
	hs.m.grants.Sleep = func(ctx context.Context, _ time.Duration) error {
		if !approved {
			approved = true
			if err := p.Approve(context.Background(), hs.m.get.run.device.UserCode); err != nil {
				t.Error(err)
			}
		}
		return ctx.Err()
	}
	hs.send(press("T"), press("enter"))
	hs.wantOnScreen("dev · access", "got a token from dev (device)")
	set, err := ts.Secrets.LoadTokenSet("dev")
	if err != nil || set.RefreshToken == "" {
		t.Fatalf("after the device flow: %+v %v", set, err)
	}
	return set
}

// getM2M obtains a client-credentials token for tenant m2m (with its right secret).
func getM2M(t *testing.T, hs *harness, ts *store.Tenants) {
	t.Helper()
	if err := ts.Edit("m2m", func(*store.Tenant) error { return nil }, store.SetSecret(tokenstest.ConfidentialClientSecret)); err != nil {
		t.Fatal(err)
	}
	hs.clock.t = time.Now()
	hs.send(press("T"), press("down"), press("enter"))
	hs.wantOnScreen("m2m · access", "got a token from m2m (client-credentials)")
}

func refreshRequests(p *tokenstest.Provider, grant string) int {
	n := 0
	for _, r := range p.Requests("/oauth/token") {
		if r.Form.Get("grant_type") == grant {
			n++
		}
	}
	return n
}

func TestRefreshKeyRotatesAndReplaces(t *testing.T) {
	hs, p, ts := getHarness(t)
	before := getDevice(t, hs, p, ts)
	if n := len(hs.m.list.entries); n != 3 {
		t.Fatalf("%d tokens in the list", n)
	}
	hs.wantOffScreen("↻")

	hs.send(press("r"))
	hs.wantOnScreen("refreshed the tokens of dev (refresh), stored in the keyring", "dev · access", "Tokens (3)")
	if n := refreshRequests(p, "refresh_token"); n != 1 {
		t.Fatalf("%d refresh requests", n)
	}
	after, err := ts.Secrets.LoadTokenSet("dev")
	if err != nil || after.RefreshToken == "" || after.RefreshToken == before.RefreshToken {
		t.Fatalf("the rotated refresh token was not stored: %v (same as before: %v)", err, after != nil && after.RefreshToken == before.RefreshToken)
	}
	sel := hs.m.list.selected()
	if sel.label != "dev · access" || sel.in.Token != after.AccessToken || sel.in.Token == before.AccessToken || sel.from.set.AccessToken != after.AccessToken {
		t.Fatalf("the list does not show the refreshed access token (selected %q)", sel.label)
	}
	if hs.m.main.view.e != sel {
		t.Fatal("the view still shows the old token")
	}
	// The refreshed token is validated again, with the keys of its saved tenant.
	if sel.val.report == nil || sel.val.report.Verdict != tokens.VerdictValid {
		t.Fatalf("report of the refreshed token: %v", sel.val.report)
	}
	hs.wantOnScreen("✓ signature valid")
	// Its countdown runs on the workbench's clock, from the refreshed token's own exp claim
	// (whole seconds; the token set's expiry from expires_in may differ by a fraction).
	if sel.expl == nil || sel.expl.Exp == nil {
		t.Fatal("the refreshed access token has no readable exp")
	}
	hs.clock.t = sel.expl.Exp.Add(-(4*time.Minute + 30*time.Second))
	if c := sel.countdown(hs.clock.now()); c != "expires in 4m 30s" {
		t.Fatalf("countdown of the refreshed token 4m30s before its expiry: %q", c)
	}
}

func TestRefreshClientCredentialsAgain(t *testing.T) {
	hs, p, ts := getHarness(t)
	getM2M(t, hs, ts)
	old := hs.m.list.selected().in.Token
	hs.send(press("r"))
	hs.wantOnScreen("refreshed the tokens of m2m (client-credentials)")
	if n := refreshRequests(p, "client_credentials"); n != 2 {
		t.Fatalf("%d client-credentials requests, want the get and the refresh", n)
	}
	if hs.m.list.selected().in.Token == old {
		t.Fatal("the token was not replaced")
	}
}

func TestRefreshFailures(t *testing.T) {
	hs, p, ts := getHarness(t)
	getDevice(t, hs, p, ts)

	p.Inject(tokenstest.Fault{Path: "/oauth/token", Status: 503})
	old := hs.m.list.selected()
	hs.send(press("r"))
	if got := hs.m.status; !got.isErr || !strings.HasPrefix(got.text, "could not refresh dev: ") || strings.Contains(got.text, "\n") {
		t.Fatalf("status after a failed refresh: %+v", got)
	}
	if hs.m.list.selected() != old || hs.m.refreshRunning() {
		t.Fatal("a failed refresh must leave the token in place and nothing running")
	}
	hs.wantOnScreen("✗ could not refresh dev")

	// The example token was not obtained from a tenant: nothing to refresh.
	hs.send(press("k"), press("k"))
	if !hs.m.list.selected().example {
		t.Fatalf("selected %q", hs.m.list.selected().label)
	}
	hs.send(press("r"))
	hs.wantOnScreen("✗ only tokens obtained from a saved tenant (T) can be refreshed")
	hs.send(press("R"))
	hs.wantOnScreen("✗ auto-refresh is for tokens obtained from a saved tenant")
}

// Auto-refresh: the tick refreshes a token with auto-refresh on once it is inside the
// margin, and starts one refresh per tenant even when several of its tokens are due.
func TestAutoRefreshAtTheMargin(t *testing.T) {
	hs, p, ts := getHarness(t)
	set := getDevice(t, hs, p, ts)
	hs.send(press("R"), press("k"), press("R")) // both the access and the ID token
	hs.wantOnScreen("auto-refresh on for dev · ID token", "dev · ID token · auto", "dev · access · auto")

	margin := hs.m.list.selected().from.margin()
	if margin < 149*time.Second || margin > 150*time.Second { // half the provider's five-minute access tokens
		t.Fatalf("margin %s", margin)
	}
	hs.clock.t = set.Expiry.Add(-margin - time.Second)
	hs.send(tickMsg(hs.clock.now()))
	if n := refreshRequests(p, "refresh_token"); n != 0 || hs.m.refreshRunning() {
		t.Fatalf("%d refreshes outside the margin", n)
	}
	hs.wantOffScreen("↻")

	// Inside the margin: the marker shows, and one tick starts exactly one refresh.
	hs.clock.advance(2 * time.Second)
	hs.m.list.entries[1].auto = false // the marker without auto first
	hs.m.refreshView(hs.m.list.entries[1])
	hs.wantOnScreen("↻ expires in 2m 2", "↻ refresh due (r)")
	hs.m.list.entries[1].auto = true
	_, cmd := hs.m.Update(tickMsg(hs.clock.now()))
	if !hs.m.refreshing["dev"] || len(hs.m.refreshing) != 1 {
		t.Fatalf("refreshing after the tick: %v", hs.m.refreshing)
	}
	// A second tick, or r, while the refresh runs starts no other.
	_, again := hs.m.Update(tickMsg(hs.clock.now()))
	hs.run(again)
	if _, byHand := hs.m.Update(press("r")); byHand != nil || hs.m.status.text != "the tokens of dev are being refreshed already" {
		t.Fatalf("r during a refresh: %q", hs.m.status.text)
	}
	if n := refreshRequests(p, "refresh_token"); n != 0 {
		t.Fatalf("%d refreshes while one was only started", n)
	}
	hs.run(cmd)
	if n := refreshRequests(p, "refresh_token"); n != 1 {
		t.Fatalf("%d refreshes for one due tenant, want 1", n)
	}
	hs.wantOnScreen("refreshed the tokens of dev (refresh)", "dev · access · auto", "dev · ID token · auto")
	if hs.m.refreshRunning() {
		t.Fatal("the refresh is still marked as running")
	}
}

// A failed auto-refresh turns auto-refresh off, so that the tick does not hammer the
// provider every second.
func TestAutoRefreshFailureTurnsItOff(t *testing.T) {
	hs, p, ts := getHarness(t)
	set := getDevice(t, hs, p, ts)
	hs.send(press("R"))
	p.Inject(tokenstest.Fault{Path: "/oauth/token", Status: 503})
	hs.clock.t = set.Expiry.Add(-time.Minute)
	hs.send(tickMsg(hs.clock.now()))
	hs.wantOnScreen("auto-refresh turned off")
	if hs.m.list.selected().auto {
		t.Fatal("auto-refresh still on after a failure")
	}
	hs.run(hs.m.autoRefresh())
	if n := refreshRequests(p, "refresh_token"); n != 1 {
		t.Fatalf("%d refresh attempts, want 1", n)
	}
}

// A tenant fetched twice has two tokens in the list, told apart by their labels; a refresh
// replaces the one showing the stored set and leaves the earlier one as it was, so the
// list never shows the new token twice.
func TestRefreshReplacesOnlyTheCurrentToken(t *testing.T) {
	hs, _, ts := getHarness(t)
	getM2M(t, hs, ts)
	first := hs.m.list.selected()
	getM2M(t, hs, ts)
	second := hs.m.list.selected()
	if first.label != "m2m · access" || second.label != "m2m 2 · access" || first.in.Token == second.in.Token {
		t.Fatalf("labels %q and %q", first.label, second.label)
	}
	hs.send(press("k")) // select the earlier token: r refreshes the tenant, whichever is selected
	hs.send(press("r"))
	hs.wantOnScreen("refreshed the tokens of m2m (client-credentials)")
	stored, err := ts.Secrets.LoadTokenSet("m2m")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range hs.m.list.entries {
		if prev, dup := seen[e.in.Token]; dup {
			t.Fatalf("%q and %q show the same token", prev, e.label)
		}
		seen[e.in.Token] = e.label
	}
	if seen[first.in.Token] != "m2m · access" {
		t.Fatal("the earlier token was replaced")
	}
	if seen[stored.AccessToken] != "m2m 2 · access" {
		t.Fatalf("the refreshed token is shown as %q", seen[stored.AccessToken])
	}
}
