package ui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/store"
)

// The golden tests run the real Bubble Tea program (Init, the tick, the renderer) at a
// fixed clock and size, wait for a small fragment on the terminal output, quit, and
// compare the final screen without styling with testdata/<test>.golden. Regenerate with
// `go test ./ui -update`.
//
// wait's first fragment is what the verdict row says once the screen has settled: the
// wait ends when every fragment was drawn and no validation began after that verdict.
func runGolden(t *testing.T, opts Options, w, h int, wait []string, msgs ...tea.Msg) {
	t.Helper()
	clock := &testClock{t: t0}
	opts.Now, opts.Location = clock.now, time.UTC
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	m.writeClipboard = func(string) error { return nil }
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	for _, msg := range msgs {
		tm.Send(msg)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range wait {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		// Settled: no validation started after the awaited verdict was drawn. A verdict
		// row is redrawn whenever it changes, so the later of the two in the output is
		// what the screen shows (a second validation, after keys arrive, draws
		// "validating…" again before its result).
		return len(wait) == 0 || bytes.LastIndex(b, []byte("verdict: validating")) < bytes.LastIndex(b, []byte(wait[0]))
	},
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}) // quits on every screen, forms included
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	teatest.RequireEqualOutput(t, []byte(ansi.Strip(final.View().Content)+"\n"))
}

func TestGoldenMainScreenOnTheExample(t *testing.T) {
	runGolden(t, Options{}, 120, 40, []string{"signature valid"})
}

func TestGoldenMainScreenWithAPastedToken(t *testing.T) {
	raw := jwsExp(t0.Add(-56*time.Minute), t0.Add(4*time.Minute)) // expiring soon
	runGolden(t, Options{}, 120, 40, []string{"? unverified", "user-42"},
		tea.KeyPressMsg{Code: 'p', Text: "p"},
		tea.PasteMsg{Content: "Authorization: Bearer " + raw},
		tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestGoldenFullHelpAt80x24(t *testing.T) {
	runGolden(t, Options{}, 80, 24, []string{"signature valid", "claims JSON"}, tea.KeyPressMsg{Code: '?', Text: "?"})
}

// apiToken is an access token for two APIs with more scopes than a row holds, issued at
// t0 for an hour.
func apiToken() string {
	return jws(`{"alg":"RS256","kid":"k1","typ":"at+jwt"}`, fmt.Sprintf(
		`{"iss":"https://dev-abc123.eu.auth0.com/","sub":"auth0|64f0c0ffee1234567890abcd",`+
			`"aud":["https://orders.api.shop.example/v2/","https://dev-abc123.eu.auth0.com/userinfo"],"iat":%d,"exp":%d,`+
			`"azp":"Xk3p9QwErTy","scope":"openid profile email read:orders write:orders delete:orders read:customers write:customers read:invoices write:invoices admin:everything-you-can-imagine offline_access",`+
			`"permissions":["read:orders","write:orders","delete:orders","read:customers","write:customers"]}`,
		t0.Unix(), t0.Add(time.Hour).Unix()))
}

// The first screen at 120×40: under the verdict, sub, both audiences, every scope and
// permission, azp, iss and exp, wrapped and whole.
func TestGoldenFirstScreenTwoAudiencesLongScopes(t *testing.T) {
	runGolden(t, Options{Token: apiToken()}, 120, 40, []string{"? unverified", "admin:everything-you-can-imagine"})
}

// J shows the header and the payload as pretty-printed JSON.
func TestGoldenRawJSON(t *testing.T) {
	runGolden(t, Options{Token: apiToken()}, 120, 40, []string{"? unverified", "raw JSON", `"permissions": [`},
		tea.KeyPressMsg{Code: 'J', Text: "J"})
}

// v lists every check of the report, passed ones too (the view scrolled to its foot).
func TestGoldenEveryCheck(t *testing.T) {
	clock := &testClock{t: t0}
	m, err := New(Options{Now: clock.now, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitOutput(t, tm, "✓ signature valid") // the report is in: v and the end key act on it
	tm.Send(tea.KeyPressMsg{Code: 'v', Text: "v"})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnd})
	waitOutput(t, tm, "v only problems")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}) // quits on every screen, forms included
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	teatest.RequireEqualOutput(t, []byte(ansi.Strip(final.View().Content)+"\n"))
}

// waitOutput waits until the terminal output holds frag.
func waitOutput(t *testing.T, tm *teatest.TestModel, frag string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(frag)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// At 80×24 the footer fits, ? help and q quit included.
func TestGoldenFooterAt80x24(t *testing.T) {
	runGolden(t, Options{Token: apiToken()}, 80, 24, []string{"? unverified", "q quit"})
}

// The screens of "would my API accept this token?": keys are pasted (L), so that no
// temporary path or network reaches the golden files.

func pasteKeys(jwks string) []tea.Msg {
	return []tea.Msg{tea.KeyPressMsg{Code: 'L', Text: "L"}, tea.PasteMsg{Content: jwks}}
}

func TestGoldenUncheckedAudienceVerdict(t *testing.T) {
	runGolden(t, Options{Token: shopToken(t, otherAPI)}, 120, 40, []string{"audience not checked"}, pasteKeys(shopJWKS())...)
}

func TestGoldenWrongAudienceVerdict(t *testing.T) {
	x := store.Expectation{Audiences: []string{"https://api.shop.test/"}}
	runGolden(t, Options{Token: shopToken(t, otherAPI), Expect: &x}, 120, 40, []string{"your API would refuse it", "loaded 1 key(s)"}, pasteKeys(shopJWKS())...)
}

func TestGoldenIDTokenSentToAnAPI(t *testing.T) {
	x := store.Expectation{Audiences: []string{"https://api.shop.test/"}}
	tok := shopToken(t, `"aud":"Xk3p9QwErTy","nonce":"n-0S6","at_hash":"77QmUPtjPfzWtF2AnpK9RQ"`)
	runGolden(t, Options{Token: tok, Expect: &x}, 120, 40, []string{"your API would refuse it", "loaded 1 key(s)"}, pasteKeys(shopJWKS())...)
}

func TestGoldenAuth0OpaqueToken(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	tok := enc([]byte(`{"alg":"dir","enc":"A256GCM","iss":"https://dev-abc.us.auth0.com/"}`)) + ".." +
		enc([]byte("twelve-byte!")) + "." + enc([]byte("ciphertext-bytes")) + "." + enc([]byte("sixteen-byte-tag"))
	runGolden(t, Options{Token: tok}, 120, 40, []string{"only its issuer can read it", "identifier"})
}

func TestGoldenHS256SecretPasted(t *testing.T) {
	const secret = "s3cr3t-shared-between-api-and-tests"
	tok := hs256Token(secret, fmt.Sprintf(`{"iss":"https://api.local.test/","sub":"u1","iat":%d,"exp":%d}`, t0.Unix(), t0.Add(time.Hour).Unix()))
	runGolden(t, Options{Token: tok}, 120, 40, []string{"signature valid"},
		tea.KeyPressMsg{Code: 'L', Text: "L"}, tea.PasteMsg{Content: secret}, tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestGoldenExpectedContextForm(t *testing.T) {
	runGolden(t, Options{Token: shopToken(t, otherAPI)}, 80, 24, []string{"Audience(s)"}, tea.KeyPressMsg{Code: 'a', Text: "a"})
}

// At 80×24 a long verdict — an expired token for another API, checked against an API with
// a long identifier — wraps in full under the title; the view still fills the screen.
func TestGoldenLongVerdictAt80x24(t *testing.T) {
	x := store.Expectation{Audiences: []string{"https://orders.internal.shop.example/api/v2/"}}
	runGolden(t, Options{Token: shopTokenAt(t, t0.Add(-3*time.Hour), otherAPI), Expect: &x}, 80, 24,
		[]string{"your API would refuse it", "loaded 1 key(s)"}, pasteKeys(shopJWKS())...)
}
