package ui

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// t0 is the fixed start of every test clock.
var t0 = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

// testClock is a clock the test moves by hand.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// harness drives the root model the way the Bubble Tea runtime would, synchronously:
// every command returned by Update is run and its messages fed back; the tick is not
// scheduled (the test advances the clock and sends tickMsg itself). Every message of the
// app's own is delivered; Bubble Tea's messages, meant for the runtime (OSC52 clipboard
// writes, terminal queries), are recorded in sent.
type harness struct {
	t       *testing.T
	m       *Model
	clock   *testClock
	sent    []tea.Msg
	native  []string // what the native clipboard fallback was given
	quit    bool
	nativeE error
}

func newHarness(t *testing.T, opts Options, w, h int) *harness {
	t.Helper()
	hs := &harness{t: t, clock: &testClock{t: t0}}
	opts.Now = hs.clock.now
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	m.writeClipboard = func(s string) error { hs.native = append(hs.native, s); return hs.nativeE }
	m.keySrc = cachedKeySource(&keys.Cache{}) // memory only: tests never write the user's cache
	m.tick = func() tea.Cmd { return nil }
	hs.m = m
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.validateAll()) // what Init starts, without the tick and the terminal query
	return hs
}

// send delivers msgs one by one, running the commands they produce.
func (hs *harness) send(msgs ...tea.Msg) *harness {
	hs.t.Helper()
	for _, msg := range msgs {
		next, cmd := hs.m.Update(msg)
		hs.m = next.(*Model)
		hs.run(cmd)
	}
	return hs
}

func (hs *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(5 * time.Second):
		hs.t.Fatalf("a command did not return: Update must not hand out blocking commands here")
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			hs.run(c)
		}
	case tea.QuitMsg:
		hs.quit = true
	default:
		// Every message of the app's own goes back to Update, so a new message type cannot
		// be dropped silently. Bubble Tea's own (clipboard writes, terminal queries) are for
		// the runtime, and the spinner's frames would schedule one another for as long as
		// work runs, so those are recorded instead.
		if _, frame := msg.(spinner.TickMsg); frame || reflect.TypeOf(msg).PkgPath() == teaPkg {
			hs.sent = append(hs.sent, msg)
			return
		}
		hs.send(msg)
	}
}

// teaPkg is Bubble Tea's package path: its messages are meant for the runtime.
var teaPkg = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

// keys presses keys by name: "enter", "esc", "ctrl+c", "up", "down", "pgdown", or text.
func (hs *harness) keys(names ...string) *harness {
	hs.t.Helper()
	for _, n := range names {
		hs.send(press(n))
	}
	return hs
}

// typeText types s one key at a time.
func (hs *harness) typeText(s string) *harness {
	for _, r := range s {
		hs.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return hs
}

// tick moves the clock and delivers the app's tick.
func (hs *harness) tick(d time.Duration) *harness {
	hs.clock.advance(d)
	return hs.send(tickMsg(hs.clock.now()))
}

// screen is the rendered view without styling.
func (hs *harness) screen() string { return ansi.Strip(hs.m.View().Content) }

func (hs *harness) raw() string { return hs.m.View().Content }

func (hs *harness) wantOnScreen(frags ...string) {
	hs.t.Helper()
	s := hs.screen()
	for _, f := range frags {
		if !strings.Contains(s, f) {
			hs.t.Fatalf("screen lacks %q:\n%s", f, s)
		}
	}
}

// inView is the screen and, after it, every row of the token view's body, scrolled into
// view or not: for assertions on the report, at the foot of a long view.
func (hs *harness) inView() string {
	v := hs.m.main.view
	var b strings.Builder
	b.WriteString(hs.screen())
	f := frame{now: hs.clock.now()}
	for _, r := range v.body {
		b.WriteString("\n")
		b.WriteString(ansi.Strip(r.render(f)))
	}
	return b.String()
}

func (hs *harness) wantInView(frags ...string) {
	hs.t.Helper()
	s := hs.inView()
	for _, f := range frags {
		if !strings.Contains(s, f) {
			hs.t.Fatalf("view lacks %q:\n%s", f, s)
		}
	}
}

func (hs *harness) wantOffView(frags ...string) {
	hs.t.Helper()
	s := hs.inView()
	for _, f := range frags {
		if strings.Contains(s, f) {
			hs.t.Fatalf("view shows %q but should not:\n%s", f, s)
		}
	}
}

func (hs *harness) wantOffScreen(frags ...string) {
	hs.t.Helper()
	s := hs.screen()
	for _, f := range frags {
		if strings.Contains(s, f) {
			hs.t.Fatalf("screen shows %q but should not:\n%s", f, s)
		}
	}
}

func press(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(name)
	if len(r) != 1 {
		panic("press: unknown key " + name)
	}
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

// jws builds a structurally valid compact JWS (the signature is not a real one: the view
// decodes, it does not verify).
func jws(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte("not-a-real-signature"))
}

// jwsExp is an RS256 access token issued at iat that expires at exp.
func jwsExp(iat, exp time.Time) string {
	return jws(`{"alg":"RS256","kid":"k1","typ":"at+jwt"}`,
		fmt.Sprintf(`{"iss":"https://issuer.test/","sub":"user-42","aud":"https://api.test/","iat":%d,"exp":%d,"scope":"read:things","https://example.test/role":"admin"}`,
			iat.Unix(), exp.Unix()))
}

func jwe() string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"enc-1"}`)) + "." + enc([]byte("encrypted-key-bytes")) + "." +
		enc([]byte("twelve-byte!")) + "." + enc([]byte("ciphertext-bytes")) + "." + enc([]byte("sixteen-byte-tag"))
}
