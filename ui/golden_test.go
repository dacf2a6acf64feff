package ui

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// The golden tests run the real Bubble Tea program (Init, the tick, the renderer) at a
// fixed clock and size, wait for a small fragment on the terminal output, quit, and
// compare the final screen without styling with testdata/<test>.golden. Regenerate with
// `go test ./ui -update`.

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
		return true
	},
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	teatest.RequireEqualOutput(t, []byte(ansi.Strip(final.View().Content)+"\n"))
}

func TestGoldenMainScreenOnTheExample(t *testing.T) {
	runGolden(t, Options{}, 120, 40, []string{"verified"})
}

func TestGoldenMainScreenWithAPastedToken(t *testing.T) {
	raw := jwsExp(t0.Add(-56*time.Minute), t0.Add(4*time.Minute)) // expiring soon
	runGolden(t, Options{}, 120, 40, []string{"user-42", "unverified"},
		tea.KeyPressMsg{Code: 'p', Text: "p"},
		tea.PasteMsg{Content: "Authorization: Bearer " + raw},
		tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestGoldenFullHelpAt80x24(t *testing.T) {
	runGolden(t, Options{}, 80, 24, []string{"verified", "claims JSON"}, tea.KeyPressMsg{Code: '?', Text: "?"})
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
	runGolden(t, Options{Token: apiToken()}, 120, 40, []string{"unverified", "admin:everything-you-can-imagine"})
}

// J shows the header and the payload as pretty-printed JSON.
func TestGoldenRawJSON(t *testing.T) {
	runGolden(t, Options{Token: apiToken()}, 120, 40, []string{"raw JSON", `"permissions": [`},
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
	waitOutput(t, tm, "✓ valid") // the report is in: v and the end key act on it
	tm.Send(tea.KeyPressMsg{Code: 'v', Text: "v"})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnd})
	waitOutput(t, tm, "v only problems")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
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
	runGolden(t, Options{Token: apiToken()}, 80, 24, []string{"unverified", "q quit"})
}
