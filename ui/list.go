package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// tokenList is the left-hand pane: every token of the session, two rows each (label and
// kind, then the live countdown), with one selected.
type tokenList struct {
	entries []*entry
	sel     int
	width   int
	height  int
	pasted  int // how many tokens were pasted, for their labels
}

const rowsPerEntry = 2

func (l *tokenList) setSize(w, h int) { l.width, l.height = w, h }

// add appends e and selects it.
func (l *tokenList) add(e *entry) {
	l.entries = append(l.entries, e)
	l.sel = len(l.entries) - 1
}

// nextPasteLabel names the next pasted token.
func (l *tokenList) nextPasteLabel() string {
	l.pasted++
	if l.pasted == 1 {
		return "pasted"
	}
	return "pasted " + strconv.Itoa(l.pasted)
}

// remove drops the selected token and returns it, or nil when the list is empty.
func (l *tokenList) remove() *entry {
	if len(l.entries) == 0 {
		return nil
	}
	e := l.entries[l.sel]
	l.entries = append(l.entries[:l.sel:l.sel], l.entries[l.sel+1:]...)
	l.sel = min(l.sel, max(len(l.entries)-1, 0))
	return e
}

// selected returns the selected token, or nil when the list is empty.
func (l *tokenList) selected() *entry {
	if len(l.entries) == 0 {
		return nil
	}
	return l.entries[l.sel]
}

// move changes the selection by d and reports whether it changed.
func (l *tokenList) move(d int) bool {
	n := min(max(l.sel+d, 0), max(len(l.entries)-1, 0))
	changed := n != l.sel
	l.sel = n
	return changed
}

// view renders the pane at now: exactly height rows, each padded to width cells.
func (l *tokenList) view(st Styles, now time.Time) string {
	rows := make([]string, 0, l.height)
	rows = append(rows, l.fit(st.Section.Render("Tokens")+st.Muted.Render(" ("+strconv.Itoa(len(l.entries))+")")))
	visible := max((l.height-1)/rowsPerEntry, 1)
	first := max(0, l.sel-visible+1)
	for i := first; i < len(l.entries) && len(rows)+rowsPerEntry <= l.height; i++ {
		e := l.entries[i]
		head := tokens.SafeText(e.label) + " · " + e.in.Kind.String()
		count := e.countdown(now)
		if i == l.sel {
			rows = append(rows, st.Selected.Render(l.fit("▸ "+head)), st.Selected.Render(l.fit("  "+count)))
			continue
		}
		rows = append(rows, l.fit("  "+head), l.fit("  "+st.expiryStyle(e.state(now)).Render(count)))
	}
	if len(l.entries) == 0 {
		rows = append(rows, l.fit(st.Muted.Render("  none — press p")))
	}
	for len(rows) < l.height {
		rows = append(rows, l.fit(""))
	}
	return strings.Join(rows[:l.height], "\n")
}

// fit cuts or pads (styled) text to the pane width.
func (l *tokenList) fit(s string) string {
	s = ansi.Truncate(s, l.width, "…")
	return s + strings.Repeat(" ", max(l.width-ansi.StringWidth(s), 0))
}
