package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

// wantFits fails unless the screen is exactly w×h cells: no row wider than the terminal
// (which would clip it) and exactly h rows.
func wantFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	rows := strings.Split(screen, "\n")
	if len(rows) != h {
		t.Fatalf("the screen has %d rows, want %d:\n%s", len(rows), h, screen)
	}
	for i, r := range rows {
		if n := ansi.StringWidth(r); n > w {
			t.Fatalf("row %d is %d cells wide, more than %d:\n%s", i, n, w, screen)
		}
	}
}

// wantWhole fails unless each sentence reads in full in text (rows joined, blanks
// collapsed) and nothing in the token view's summary is cut with "…".
func wantWhole(t *testing.T, text string, sentences ...string) {
	t.Helper()
	// A row may end after a hyphen or a slash: the next row's text follows it directly.
	glue := strings.NewReplacer("- ", "-", "/ ", "/")
	for _, s := range sentences {
		if !strings.Contains(glue.Replace(text), glue.Replace(s)) {
			t.Fatalf("%q is not there in full:\n%s", s, text)
		}
	}
}

// The verdict of a token whose audience was not checked is wrapped at 80 columns, not cut
// before "press a to set your API"; the body still fills the screen exactly.
func TestVerdictIsNotCutAt80Columns(t *testing.T) {
	hs := newHarness(t, Options{}, 80, 24)
	screen := hs.screen()
	wantFits(t, screen, 80, 24)
	wantWhole(t, viewText(screen),
		"EXAMPLE TOKEN · built in, signed with a throwaway key · press p to paste your own",
		"✓ signature valid · audience not checked — press a to set your API")
	if summary := viewText(strings.Join(strings.Split(screen, "\n")[1:7], "\n")); strings.Contains(summary, "…") {
		t.Fatalf("the summary is cut:\n%s", screen)
	}
}

// A long failure reason — an expired token meant for another API, checked against an API
// with a long identifier — reads in full at 80 columns, in the verdict and in the checks.
func TestLongReasonIsNotCutAt80Columns(t *testing.T) {
	const api = "https://orders.internal.shop.example/api/v2/with/a/rather/long/identifier/"
	x := store.Expectation{Audiences: []string{api}}
	hs := newExpectHarness(t, Options{Token: shopTokenAt(t, t0.Add(-3*time.Hour), otherAPI), Expect: &x}, 80, 24)
	hs.keys("L").send(tea.PasteMsg{Content: shopJWKS()})
	screen := hs.screen()
	wantFits(t, screen, 80, 24)
	wantWhole(t, viewText(screen), "✗ your API would refuse it: aud — expected "+api)
	// The checks at the foot of the view: every reason whole.
	wantWhole(t, bodyText(hs.inView()),
		"fail exp expired 2h ago",
		"is https://api.other.test/, https://dev-abc.us.auth0.com/userinfo; expected "+api)
	// Scrolled to the foot, the view still has exactly its height.
	hs.keys("tab", "end")
	wantFits(t, hs.screen(), 80, 24)
}

// Without an expected audience the first failure is the reason: the expiry, whole.
func TestInvalidReasonIsNotCutAt80Columns(t *testing.T) {
	hs := newHarness(t, Options{Token: shopTokenAt(t, t0.Add(-3*time.Hour), otherAPI)}, 80, 24)
	hs.keys("L").send(tea.PasteMsg{Content: shopJWKS()})
	screen := hs.screen()
	wantFits(t, screen, 80, 24)
	wantWhole(t, viewText(screen), "✗ invalid: exp — expired 2h ago (2026-11-24T23:00:00Z), beyond the 1m0s leeway")
}

// A key file that cannot be read: the reason, after a long path, is in the report whole.
func TestKeysErrorIsNotCutAt80Columns(t *testing.T) {
	hs := newHarness(t, Options{Token: shopToken(t, otherAPI)}, 80, 24)
	path := filepath.Join(t.TempDir(), "a-directory-with-a-long-name", "and-a-key-file-that-is-not-there.jwks.json")
	hs.keys("L").typeText(path).keys("enter")
	text := bodyText(hs.inView())
	wantWhole(t, text, "✗ could not load keys", "and-a-key-file-that-is-not-there.jwks.json", "no such file or directory")
	screen := hs.screen()
	wantFits(t, screen, 80, 24)
	// The status line says it too, wrapped in full under the token view.
	var status []string
	for _, l := range strings.Split(screen, "\n")[1:23] {
		if !strings.Contains(l, "│") {
			status = append(status, l)
		}
	}
	wantWhole(t, strings.Join(strings.Fields(strings.Join(status, " ")), " "), "✗ could not load keys", "no such file or directory")
}

// The screens' prose at 80 columns: every hint whole, every row within the width, the
// body exactly its height.
func TestScreensProseIsNotCutAt80Columns(t *testing.T) {
	ts := store.OpenTenants(filepath.Join(t.TempDir(), "a-config-directory-with-a-long-name", "tokenbench", "config.toml"))
	for _, c := range []struct {
		keys  []string
		whole []string
	}{
		{[]string{"L"}, []string{
			"A JWKS, JWK or PEM public-key file (tab completes), or a JWKS https URL (http only on loopback).",
			"Or paste a JWKS, a JWK, a PEM public key, or an HMAC secret (ctrl+s to type one, masked).",
			"Read or fetched once, when you press enter; the token's own jku, x5u and jwk are never used.",
			"(and every token from https://dev-abc.us.auth0.com/)"}},
		{[]string{"p"}, []string{"Paste a token · paste or type; Bearer prefixes, Authorization: lines and quotes are fine"}},
		{[]string{"t"}, []string{"secrets live in the OS keyring, never in " + ts.Path}},
		{[]string{"T"}, []string{"no tenants yet: add one on the tenants screen (t) or with 'tokenbench tenants add'"}},
		{[]string{"a"}, []string{"Your API · for every token from https://dev-abc.us.auth0.com/"}},
	} {
		t.Run(c.keys[0], func(t *testing.T) {
			hs := newHarness(t, Options{Token: shopToken(t, otherAPI), Tenants: ts}, 80, 24)
			hs.keys(c.keys...)
			screen := hs.screen()
			wantFits(t, screen, 80, 24)
			body := strings.Split(screen, "\n")[1:22]
			wantWhole(t, strings.Join(strings.Fields(strings.Join(body, " ")), " "), c.whole...)
		})
	}
}

// wrapRow keeps a row's styles on every row it wraps to, and loses no word.
func TestWrapRowKeepsStylesAndWords(t *testing.T) {
	st := lipgloss.NewStyle().Bold(true)
	s := "  " + st.Render("fail") + " the audience is https://api.other.test/ and the expected one is https://api.shop.test/"
	lines := wrapRow(s, 30, leadingBlanks(s))
	if len(lines) < 3 {
		t.Fatalf("not wrapped: %q", lines)
	}
	var words []string
	for i, l := range lines {
		if ansi.StringWidth(l) > 30 {
			t.Errorf("row %d is wider than 30: %q", i, l)
		}
		if i > 0 && !strings.HasPrefix(ansi.Strip(l), "  ") {
			t.Errorf("row %d does not hang under the text: %q", i, l)
		}
		words = append(words, strings.Fields(ansi.Strip(l))...)
	}
	if got, want := strings.Join(words, " "), strings.Join(strings.Fields(ansi.Strip(s)), " "); got != want {
		t.Errorf("words changed:\n got %q\nwant %q", got, want)
	}
}

// bodyText is harness.inView as one text: the screen's token view (as viewText reads it),
// then the body's rows, blanks collapsed.
func bodyText(inView string) string {
	var parts []string
	for _, l := range strings.Split(inView, "\n") {
		if _, right, ok := strings.Cut(l, "│"); ok {
			l = right
		}
		parts = append(parts, l)
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// The diff screen shows a changed value whole at 80 columns, wrapped under its column.
func TestDiffValuesAreNotCutAt80Columns(t *testing.T) {
	long := "https://orders.internal.shop.example/api/v2/" + strings.Repeat("segment/", 20)
	hs := newHarness(t, Options{Token: shopToken(t, `"aud":"https://api.shop.test/"`)}, 80, 24)
	hs.send(addTokenMsg{in: tokens.Inspect(shopToken(t, `"aud":"`+long+`"`))})
	hs.keys("m", "up", "m", "d")
	screen := hs.screen()
	wantFits(t, screen, 80, 24)
	wantWhole(t, bodyText(screen), `~ aud "https://api.shop.test/" → "`+long+`"`)
	if strings.Contains(screen, "…") {
		t.Fatalf("the diff is cut:\n%s", screen)
	}
}

// A hyphenated word that fits a row — a date, a host name — moves to the next row whole;
// one longer than a row is broken, after a slash or a hyphen where it can be.
func TestWrapRowKeepsHyphenatedWordsWhole(t *testing.T) {
	lines := wrapRow("✗ invalid: exp — expired 2h ago (2026-11-24T23:00:00Z), beyond the 1m0s leeway", 40, 2)
	if got := ansi.Strip(lines[1]); !strings.HasPrefix(got, "  (2026-11-24T23:00:00Z),") {
		t.Errorf("the date was broken: %q", lines)
	}
	long := "see https://dev-abc.us.auth0.com/.well-known/openid-configuration-with-a-long-tail/and/more"
	for i, l := range wrapRow(long, 30, 0) {
		if ansi.StringWidth(l) > 30 {
			t.Errorf("row %d is wider than 30: %q", i, l)
		}
	}
}

// A value whose slash or hyphen falls just past the row's end is wrapped within the
// width, not one cell over it (ansi.Wrap lets a breaking character hang there).
func TestWrapLinesStayWithinTheWidth(t *testing.T) {
	for w := 10; w < 60; w++ {
		for i, l := range wrapLines("https://dev-abc.us.auth0.com/ "+strings.Repeat("a", w)+"/ https://"+strings.Repeat("c", w-8)+"/", w) {
			if ansi.StringWidth(l) > w {
				t.Fatalf("width %d: row %d is %d cells: %q", w, i, ansi.StringWidth(l), l)
			}
		}
	}
}

// In a local zone a time is two times; at 80 columns, beside a long claim name, both stay
// whole, and the live relative time has a row of its own when the row has no room for it.
func TestTimesAreNotCutAt80Columns(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tok := shopToken(t, `"aud":"https://api.shop.test/","https://shop.example/login_time":1795560000`)
	hs := newHarness(t, Options{Token: tok, Location: cet}, 80, 24)
	text := bodyText(hs.inView())
	wantWhole(t, text,
		"exp 2026-11-25 02:00:00 UTC (2026-11-25 03:00:00 CET) · in 1h",
		"iat 1795568400 2026-11-25 01:00:00 UTC (2026-11-25 02:00:00 CET) · now")
	if strings.Contains(hs.inView(), "CET…") || strings.Contains(hs.inView(), "(2026-11-25 0…") {
		t.Fatalf("a time is cut:\n%s", hs.inView())
	}
	for _, l := range strings.Split(hs.inView(), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Fatalf("a row is wider than the screen: %q", l)
		}
	}
}
