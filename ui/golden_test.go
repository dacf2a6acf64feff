package ui

import (
	"bytes"
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
