package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

func TestStartsOnTheLabelledExample(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 70)
	hs.wantOnScreen("EXAMPLE TOKEN", "throwaway key", "example · access · read:ord…", "expires in 1h",
		"iss", tokens.ExampleIssuer, "gty", "client-credentials", "access token")
	if !hs.m.list.entries[0].example || hs.m.list.entries[0].val.keys == nil {
		t.Fatal("the example entry should be marked as the example and carry its key set")
	}
}

func TestOpensTheGivenToken(t *testing.T) {
	raw := jwsExp(t0, t0.Add(time.Hour))
	hs := newHarness(t, Options{Token: "Bearer " + raw + "\n"}, 120, 80)
	hs.wantOnScreen("opened · access · read:things", "user-42", "removed the Bearer prefix")
	hs.wantOffScreen("EXAMPLE TOKEN")
	if hs.m.active != screenMain || len(hs.m.list.entries) != 1 {
		t.Fatalf("want the main screen with one token, got screen %d with %d", hs.m.active, len(hs.m.list.entries))
	}
}

func TestOpeningTextThatIsNotATokenShowsWhy(t *testing.T) {
	hs := newHarness(t, Options{Token: `{"access_token":"x"}`}, 120, 40)
	if hs.m.active != screenPaste {
		t.Fatalf("want the paste screen, got %d", hs.m.active)
	}
	hs.wantOnScreen("not a token: it is JSON")
}

func TestCountdownMovesWithTheClockAndFlipsToExpired(t *testing.T) {
	hs := newHarness(t, Options{Token: jwsExp(t0.Add(-time.Hour), t0.Add(90*time.Second))}, 120, 40)
	hs.wantOnScreen("expires in 1m 30s")
	hs.tick(time.Second)
	hs.wantOnScreen("expires in 1m 29s", "in 1m 29s")
	hs.tick(89 * time.Second)
	hs.wantOnScreen("expired now")
	hs.tick(5 * time.Second)
	hs.wantOnScreen("expired 5s ago", "× expired", "lifetime was 1h 1m")
	hs.wantOffScreen("expires in")
}

func TestLifetimeBarChangesStyleNearAndAfterExpiry(t *testing.T) {
	in := tokens.Inspect(jwsExp(t0, t0.Add(time.Hour)))
	e, err := newEntry(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, noColor := range []bool{false, true} {
		st := NewStyles(true, noColor)
		fresh := lifetimeBar(e, st, 80, t0.Add(30*time.Minute))
		soon := lifetimeBar(e, st, 80, t0.Add(56*time.Minute))
		expired := lifetimeBar(e, st, 80, t0.Add(61*time.Minute))
		for _, c := range []struct {
			bar, glyph, text string
		}{{fresh, "█", "50% of 1h used"}, {soon, "▓", "under 5 min left"}, {expired, "×", "expired"}} {
			if plain := ansi.Strip(c.bar); !strings.Contains(plain, c.glyph) || !strings.Contains(plain, c.text) {
				t.Errorf("noColor=%v: bar %q lacks %q or %q", noColor, plain, c.glyph, c.text)
			}
		}
		if !noColor && (styleOf(fresh) == styleOf(soon) || styleOf(soon) == styleOf(expired)) {
			t.Errorf("the bar's colour should change: %q %q %q", styleOf(fresh), styleOf(soon), styleOf(expired))
		}
	}
}

// styleOf returns the first SGR sequence of s.
func styleOf(s string) string {
	i := strings.Index(s, "\x1b[")
	if i < 0 {
		return ""
	}
	return s[i : i+strings.IndexByte(s[i:], 'm')+1]
}

func TestPasteScreen(t *testing.T) {
	raw := jwsExp(t0, t0.Add(time.Hour))
	for _, c := range []struct {
		name, text string
		want       []string // on the paste screen
		kind       tokens.Kind
	}{
		{"jws", raw, []string{"✓ JWS found", "access token", "alg RS256", "expires in 1h"}, tokens.JWS},
		{"bearer", "Bearer " + raw, []string{"✓ JWS found", "removed the Bearer prefix"}, tokens.JWS},
		{"authorization header", "Authorization: Bearer " + raw + "\n", []string{"✓ JWS found", "removed the Authorization: header name", "removed the Bearer prefix"}, tokens.JWS},
		{"quoted", `"` + raw + `"`, []string{"removed surrounding quotes"}, tokens.JWS},
		{"jwe", jwe(), []string{"✓ JWE found", "expiry unknown"}, tokens.JWE},
		{"opaque", "gho_16C7e42F292c6912E7710c838347Ae178B4a", []string{"✓ opaque found", "only the issuer can read it"}, tokens.Opaque},
		{"garbage", "hello world, this is not a token", []string{"✗ not a token: it has whitespace inside"}, tokens.NotAToken},
		{"json", `{"access_token":"abc"}`, []string{"✗ not a token: it is JSON"}, tokens.NotAToken},
		{"bad base64", "eyJhbGciOiJSUzI1NiJ9.e30=.c2ln", []string{"✗ not a token: payload"}, tokens.NotAToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			hs := newHarness(t, Options{}, 120, 40)
			hs.keys("p")
			if hs.m.active != screenPaste {
				t.Fatal("p should open the paste screen")
			}
			hs.send(tea.PasteMsg{Content: c.text})
			hs.wantOnScreen(c.want...)
			hs.keys("enter")
			if c.kind == tokens.NotAToken {
				if hs.m.active != screenPaste || len(hs.m.list.entries) != 1 {
					t.Fatal("enter on text that is not a token must not add it")
				}
				return
			}
			if hs.m.active != screenMain || len(hs.m.list.entries) != 2 {
				t.Fatalf("enter should add the token and go back: screen %d, %d tokens", hs.m.active, len(hs.m.list.entries))
			}
			if got := hs.m.list.selected().in.Kind; got != c.kind {
				t.Fatalf("added a %s, want %s", got, c.kind)
			}
			hs.wantOnScreen("added pasted", "("+c.kind.String()+")")
		})
	}
}

func TestPasteOnTheMainScreenOpensThePasteScreen(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	hs.send(tea.PasteMsg{Content: jwe() + "\n"})
	if hs.m.active != screenPaste {
		t.Fatal("a paste on the main screen should open the paste screen with it")
	}
	hs.wantOnScreen("✓ JWE found")
}

func TestTypingATokenAndGoingBack(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	hs.keys("p").typeText("not-a")
	hs.wantOnScreen("✗ not a token: it is only 5 characters")
	hs.typeText("-token-but-long-enough-q") // q types, it does not quit here
	if hs.quit {
		t.Fatal("q on the paste screen should type, not quit")
	}
	hs.wantOnScreen("✓ opaque found")
	hs.keys("esc")
	if hs.m.active != screenMain || len(hs.m.list.entries) != 1 {
		t.Fatal("esc should go back without adding")
	}
}

func TestListAddSelectRemove(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	hs.keys("p").send(tea.PasteMsg{Content: jwsExp(t0, t0.Add(time.Hour))}).keys("enter")
	hs.keys("p").send(tea.PasteMsg{Content: jwe()}).keys("enter")
	hs.wantOnScreen("Tokens (3)", "example · access", "pasted · access · read:th", "pasted · JWE", "enc-1")
	if hs.m.list.sel != 2 {
		t.Fatalf("the new token should be selected, got %d", hs.m.list.sel)
	}
	hs.keys("up")
	hs.wantOnScreen("user-42")
	hs.keys("k", "k", "k") // stops at the top
	if hs.m.list.sel != 0 {
		t.Fatalf("want the first token, got %d", hs.m.list.sel)
	}
	hs.wantOnScreen("EXAMPLE TOKEN")
	hs.keys("j", "x")
	hs.wantOnScreen("Tokens (2)", "removed pasted · access · read:things · U puts it back", "pasted · JWE", "U undo remove")
	for _, e := range hs.m.list.entries {
		if e.label == "pasted · access · read:things" {
			t.Fatal("x left the token in the list")
		}
	}
	hs.keys("U") // put back where it was, selected
	if hs.m.list.sel != 1 || hs.m.list.selected().label != "pasted · access · read:things" || len(hs.m.list.entries) != 3 {
		t.Fatalf("after U: %d tokens, selected %d", len(hs.m.list.entries), hs.m.list.sel)
	}
	hs.wantOnScreen("Tokens (3)", "put back pasted · access", "user-42")
	hs.wantOffScreen("U undo remove")
	hs.keys("U") // nothing left to undo: U is off
	if len(hs.m.list.entries) != 3 {
		t.Fatal("a second U put back a token twice")
	}
	hs.keys("x", "x", "x")
	hs.wantOnScreen("Tokens (0)", "No token selected")
	hs.keys("x")
	hs.wantOnScreen("✗ no token selected")
}

func TestCopySendsOSC52AndTheNativeFallback(t *testing.T) {
	raw := jwsExp(t0, t0.Add(time.Hour))
	hs := newHarness(t, Options{Token: raw}, 120, 40)
	hs.keys("c")
	if got := osc52(hs.sent); len(got) != 1 || got[0] != raw {
		t.Fatalf("want one OSC52 copy of the raw token, got %q", got)
	}
	if len(hs.native) != 1 || hs.native[0] != raw {
		t.Fatalf("want the native fallback to get the raw token, got %q", hs.native)
	}
	hs.wantOnScreen(fmt.Sprintf("copied the raw token (%d characters) to the clipboard (OSC52 and native)", len(raw)))

	hs.nativeE = errors.New("no xclip or xsel")
	hs.keys("C")
	got := osc52(hs.sent)
	var claims map[string]any
	if len(got) != 2 || json.Unmarshal([]byte(got[1]), &claims) != nil || claims["sub"] != "user-42" {
		t.Fatalf("want the claims JSON copied, got %q", got)
	}
	hs.wantOnScreen("copied the claims JSON via OSC52 (native clipboard unavailable: no xclip or xsel)")
}

func TestCopyClaimsOfAnOpaqueTokenIsAnError(t *testing.T) {
	hs := newHarness(t, Options{Token: "gho_16C7e42F292c6912E7710c838347Ae178B4a"}, 120, 40)
	hs.keys("C")
	if len(osc52(hs.sent)) != 0 {
		t.Fatal("nothing should be copied")
	}
	hs.wantOnScreen("✗ an opaque token has no claims to copy")
	hs.tick(statusTTL)
	hs.wantOffScreen("no claims to copy")
}

// osc52 returns what was sent to the terminal's clipboard with tea.SetClipboard.
func osc52(sent []tea.Msg) []string {
	var out []string
	for _, m := range sent {
		if fmt.Sprintf("%T", m) == "tea.setClipboardMsg" {
			out = append(out, fmt.Sprint(m))
		}
	}
	return out
}

func TestResizeKeepsEveryRowInsideTheWindow(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	for _, size := range [][2]int{{120, 40}, {80, 24}, {200, 60}, {50, 12}} {
		hs.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		rows := strings.Split(hs.raw(), "\n")
		if len(rows) != size[1] {
			t.Errorf("%dx%d: %d rows", size[0], size[1], len(rows))
		}
		for i, r := range rows {
			if w := ansi.StringWidth(r); w > size[0] {
				t.Errorf("%dx%d: row %d is %d wide: %q", size[0], size[1], i, w, ansi.Strip(r))
			}
		}
	}
	hs.wantOnScreen("example")
}

func TestScrollingTheTokenView(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 20)
	first := "sub          auth0|" // the first claims, above every other
	hs.wantOnScreen(first, "Claims (13)")
	hs.wantOffScreen("Checks")
	hs.keys("end")
	hs.wantOnScreen("Checks", "markers:")
	hs.wantOffScreen(first)
	hs.wantOnScreen("expires in 1h", "✓ signature valid") // the summary stays put
	hs.keys("g")
	hs.wantOnScreen(first)
	hs.keys("pgdown") // the list has the focus: pgdown pages it, the view stays
	hs.wantOnScreen(first)
	hs.keys("tab", "pgdown")
	hs.wantOffScreen(first)
	hs.keys("k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k", "k") // k scrolls the view now
	hs.wantOnScreen(first)
	if hs.m.list.sel != 0 || !hs.m.main.focusView {
		t.Fatal("k with the token view focused must scroll it, not move the selection")
	}
}

func TestHelpToggle(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	hs.wantOnScreen("? help", "q quit")
	hs.wantOffScreen("copy claims JSON")
	hs.keys("?")
	hs.wantOnScreen("copy claims JSON", "page down", "remove token", "fetch issuer keys", "? close help")
	hs.keys("p", "esc") // another screen and back: still the full help, still labelled so
	hs.wantOnScreen("copy claims JSON", "? close help")
	if rows := strings.Count(hs.raw(), "\n") + 1; rows != 40 {
		t.Fatalf("full help should keep the frame at 40 rows, got %d", rows)
	}
	hs.keys("?")
	hs.wantOffScreen("copy claims JSON")
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		hs := newHarness(t, Options{}, 80, 24)
		hs.keys(k)
		if !hs.quit {
			t.Errorf("%s should quit", k)
		}
	}
	hs := newHarness(t, Options{}, 80, 24)
	hs.keys("p", "ctrl+c")
	if !hs.quit {
		t.Error("ctrl+c should quit from the paste screen")
	}
}

func TestNoColor(t *testing.T) {
	colour := newHarness(t, Options{}, 120, 40).raw()
	if !strings.Contains(colour, "38;2;") {
		t.Fatal("the default view should use colour")
	}
	hs := newHarness(t, Options{NoColor: true}, 120, 40)
	hs.tick(58 * time.Minute) // expiring soon: still visible without colour
	plain := hs.raw()
	for _, sgr := range []string{"38;", "48;", "[3", "[9"} {
		if strings.Contains(strings.ReplaceAll(plain, "\x1b[3m", ""), "\x1b"+sgr) {
			t.Fatalf("NO_COLOR view has a colour sequence %q:\n%q", sgr, plain)
		}
	}
	hs.wantOnScreen("▓", "under 5 min left")
}

func TestLightAndDarkBackgrounds(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 40)
	dark := hs.raw()
	hs.send(tea.BackgroundColorMsg{Color: white{}})
	if hs.m.dark {
		t.Fatal("a white background should switch to the light styles")
	}
	if light := hs.raw(); light == dark || ansi.Strip(light) != ansi.Strip(dark) {
		t.Fatal("the light view should differ in colour only")
	}
}

type white struct{}

func (white) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

func TestTokenTextCannotReachTheTerminal(t *testing.T) {
	raw := jws(`{"alg":"RS256"}`, `{"sub":"evil\u001b[2J\u001b]52;c;aGk=\u0007","exp":1,"note\u202e":"x"}`)
	hs := newHarness(t, Options{Token: raw}, 120, 80)
	if strings.Contains(hs.raw(), "\x1b[2J") || strings.Contains(hs.raw(), "\x1b]52") || strings.Contains(hs.raw(), "\u202e") {
		t.Fatal("control sequences from a claim reached the terminal")
	}
	hs.wantOnScreen("evil\uFFFD[2J", "note\uFFFD")
}

func TestNamespacedClaimsAreMarked(t *testing.T) {
	hs := newHarness(t, Options{Token: jwsExp(t0, t0.Add(time.Hour))}, 120, 80)
	s := hs.screen()
	i := strings.Index(s, "https://example.test/role")
	if i < 0 || !strings.Contains(s[max(i-12, 0):i], "ns") {
		t.Fatalf("the namespaced claim should carry the ns marker:\n%s", s)
	}
	hs.wantOnScreen("2026-11-25 02:00:00 UTC · in 1h", "Custom claim with a namespaced")
}

// A token whose exp cannot be read shows that, not "no expiry", in the list and the view.
func TestUnreadableExpIsNotNoExpiry(t *testing.T) {
	for claims, want := range map[string]string{
		`{"sub":"x","exp":1e300}`:  "exp unreadable",
		`{"sub":"x","exp":"soon"}`: "exp unreadable",
		`{"sub":"x"}`:              "no expiry",
	} {
		e, err := newEntry(tokens.Inspect(jws(`{"alg":"RS256"}`, claims)))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.countdown(time.Now()); got != want {
			t.Errorf("%s: countdown %q, want %q", claims, got, want)
		}
	}
}
