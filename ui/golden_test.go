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
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}) // quits on every screen, forms included
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	teatest.RequireEqualOutput(t, []byte(ansi.Strip(final.View().Content)+"\n"))
}

func TestGoldenMainScreenOnTheExample(t *testing.T) {
	runGolden(t, Options{}, 120, 40, []string{"signature valid"})
}

func TestGoldenMainScreenWithAPastedToken(t *testing.T) {
	raw := jwsExp(t0.Add(-56*time.Minute), t0.Add(4*time.Minute)) // expiring soon
	runGolden(t, Options{}, 120, 40, []string{"user-42", "unverified"},
		tea.KeyPressMsg{Code: 'p', Text: "p"},
		tea.PasteMsg{Content: "Authorization: Bearer " + raw},
		tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestGoldenFullHelpAt80x24(t *testing.T) {
	runGolden(t, Options{}, 80, 24, []string{"signature valid", "claims JSON"}, tea.KeyPressMsg{Code: '?', Text: "?"})
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
	runGolden(t, Options{Token: shopToken(t, otherAPI), Expect: &x}, 120, 40, []string{"your API would refuse it"}, pasteKeys(shopJWKS())...)
}

func TestGoldenIDTokenSentToAnAPI(t *testing.T) {
	x := store.Expectation{Audiences: []string{"https://api.shop.test/"}}
	tok := shopToken(t, `"aud":"Xk3p9QwErTy","nonce":"n-0S6","at_hash":"77QmUPtjPfzWtF2AnpK9RQ"`)
	runGolden(t, Options{Token: tok, Expect: &x}, 120, 40, []string{"your API would refuse it"}, pasteKeys(shopJWKS())...)
}

func TestGoldenAuth0OpaqueToken(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	tok := enc([]byte(`{"alg":"dir","enc":"A256GCM","iss":"https://dev-abc.us.auth0.com/"}`)) + ".." +
		enc([]byte("twelve-byte!")) + "." + enc([]byte("ciphertext-bytes")) + "." + enc([]byte("sixteen-byte-tag"))
	runGolden(t, Options{Token: tok}, 120, 40, []string{"opaque access token", "identifier"})
}

func TestGoldenHS256SecretPasted(t *testing.T) {
	const secret = "s3cr3t-shared-between-api-and-tests"
	tok := hs256Token(secret, fmt.Sprintf(`{"iss":"https://api.local.test/","sub":"u1","iat":%d,"exp":%d}`, t0.Unix(), t0.Add(time.Hour).Unix()))
	runGolden(t, Options{Token: tok}, 120, 40, []string{"pasted HMAC secret"},
		tea.KeyPressMsg{Code: 'L', Text: "L"}, tea.PasteMsg{Content: secret}, tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestGoldenExpectedContextForm(t *testing.T) {
	runGolden(t, Options{Token: shopToken(t, otherAPI)}, 80, 24, []string{"Audience(s)"}, tea.KeyPressMsg{Code: 'a', Text: "a"})
}
