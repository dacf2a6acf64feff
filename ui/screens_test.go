package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// Every screen value has a page in the table, and the page's view fills exactly the body
// the root gives it, no row wider than the window. The diff is drawn for two marked
// tokens; the other screens as they are before they were opened.
func TestEveryScreenHasAPage(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		hs := newHarness(t, Options{}, size[0], size[1])
		hs.send(addTokenMsg{in: tokens.Inspect(jws(`{"alg":"ES256","kid":"k9"}`, `{"sub":"someone-else"}`))})
		hs.keys("m", "up", "m", "d", "esc")
		for s := screen(0); s < screenCount; s++ {
			p := hs.m.pages[s]
			if p == nil {
				t.Fatalf("screen %d has no page in Model.table", s)
			}
			rows := strings.Split(p.view(hs.clock.now()), "\n")
			if len(rows) != hs.m.bodyHeight() {
				t.Errorf("%dx%d: screen %d renders %d rows, want the body's %d", size[0], size[1], s, len(rows), hs.m.bodyHeight())
			}
			for i, r := range rows {
				if w := ansi.StringWidth(r); w > size[0] {
					t.Errorf("%dx%d: screen %d row %d is %d wide", size[0], size[1], s, i, w)
				}
			}
		}
	}
}

// Showing a screen takes its page's key map: esc and ctrl+c everywhere but on the main
// screen, q and ? only there; the inputs of the screens left are blurred.
func TestSetScreenTakesThePageKeys(t *testing.T) {
	hs := newHarness(t, Options{}, 100, 30)
	for s := screen(0); s < screenCount; s++ {
		hs.m.setScreen(s)
		if hs.m.active != s {
			t.Fatalf("setScreen(%d): active %d", s, hs.m.active)
		}
		main := s == screenMain
		k := hs.m.keys
		if k.Back.Enabled() == main || k.ForceQuit.Enabled() == main || k.Quit.Enabled() != main || k.Help.Enabled() != main {
			t.Errorf("screen %d: back %v, ctrl+c %v, q %v, ? %v", s, k.Back.Enabled(), k.ForceQuit.Enabled(), k.Quit.Enabled(), k.Help.Enabled())
		}
		if got := hs.m.footer; got != hs.m.shortHelp() {
			t.Errorf("screen %d: the footer %q is not its key map's %q", s, got, hs.m.shortHelp())
		}
	}
	// However narrow, a screen's footer keeps the way back and the way out.
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	for s := screen(1); s < screenCount; s++ {
		hs.m.setScreen(s)
		if f := ansi.Strip(hs.m.footer); !strings.Contains(f, "esc ") || !strings.Contains(f, "ctrl+c quit") || ansi.StringWidth(f) > 80 {
			t.Errorf("screen %d at 80 columns: footer %q lacks esc or ctrl+c quit, or overruns", s, f)
		}
	}
	hs.m.setScreen(screenMain)
	hs.keys("p")
	if hs.m.active != screenPaste || !hs.m.paste.ta.Focused() {
		t.Fatalf("p: screen %d, input focused %v", hs.m.active, hs.m.paste.ta.Focused())
	}
	hs.keys("esc")
	if hs.m.active != screenMain || hs.m.paste.ta.Focused() {
		t.Fatalf("esc: screen %d, paste input still focused %v", hs.m.active, hs.m.paste.ta.Focused())
	}
}

// The main screen reaches the workbench's one token list through its handle: x takes the
// token out of that list, the page's keys offer U for it, and U puts it back.
func TestMainScreenWorksOnTheSharedList(t *testing.T) {
	hs := newHarness(t, Options{}, 100, 30)
	if hs.m.main.app != hs.m {
		t.Fatal("the main screen's handle is not the model")
	}
	if hs.m.pages[screenMain].keys(DefaultKeyMap()).Undo.Enabled() {
		t.Fatal("U offered with nothing to put back")
	}
	hs.keys("x")
	if len(hs.m.list.entries) != 0 || hs.m.main.view.e != nil {
		t.Fatalf("x: %d tokens, view on %v", len(hs.m.list.entries), hs.m.main.view.e)
	}
	if !hs.m.pages[screenMain].keys(DefaultKeyMap()).Undo.Enabled() || !hs.m.keys.Undo.Enabled() {
		t.Fatal("U not offered after x")
	}
	hs.keys("U")
	if len(hs.m.list.entries) != 1 {
		t.Fatalf("U: %d tokens", len(hs.m.list.entries))
	}
	if hs.m.main.view.e != hs.m.list.entries[0] || hs.m.keys.Undo.Enabled() {
		t.Fatalf("U: view on the token %v, U still offered %v", hs.m.main.view.e == hs.m.list.entries[0], hs.m.keys.Undo.Enabled())
	}
}
