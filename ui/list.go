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
	blank   string
	header  memo[int]
}

const rowsPerEntry = 2

func (l *tokenList) setSize(w, h int) {
	l.width, l.height, l.blank = w, h, strings.Repeat(" ", max(w, 0))
	l.header.text = ""
}

// add appends e and selects it.
func (l *tokenList) add(e *entry) {
	l.entries = append(l.entries, e)
	l.sel = len(l.entries) - 1
}

// insertAfter puts e right after orig (at the end when orig is gone) and selects it.
func (l *tokenList) insertAfter(orig, e *entry) {
	i := len(l.entries)
	for j, x := range l.entries {
		if x == orig {
			i = j + 1
		}
	}
	l.entries = append(l.entries[:i:i], append([]*entry{e}, l.entries[i:]...)...)
	l.sel = i
}

// uniqueLabel returns base, or base with the first free number after it ("dev access 2")
// when a token in the list is labelled base already.
func (l *tokenList) uniqueLabel(base string) string {
	taken := map[string]bool{}
	for _, e := range l.entries {
		taken[e.label] = true
	}
	label := base
	for n := 2; taken[label]; n++ {
		label = base + " " + strconv.Itoa(n)
	}
	return label
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

// rows appends the pane's rows at now to dst: exactly height rows, each padded to width
// cells. A token's two rows are styled again only when its countdown text or selection
// changes, and blank rows are one string made at resize.
func (l *tokenList) rows(st Styles, now time.Time, dst []string) []string {
	n := len(dst)
	if l.header.key != len(l.entries) || l.header.text == "" {
		l.header = memo[int]{key: len(l.entries), text: l.fit(st.Section.Render("Tokens") + st.Muted.Render(" ("+strconv.Itoa(len(l.entries))+")"))}
	}
	dst = append(dst, l.header.text)
	visible := max((l.height-1)/rowsPerEntry, 1)
	first := max(0, l.sel-visible+1)
	for i := first; i < len(l.entries) && len(dst)-n+rowsPerEntry <= l.height; i++ {
		e := l.entries[i]
		key := listKey{count: e.countdown(now), selected: i == l.sel, width: l.width}
		if e.dueForRefresh(now) {
			key.count = "↻ " + key.count // due for refresh; the view says more
		}
		key.auto, key.marked = e.auto, e.marked
		if e.list.key != key || e.list.rows[0] == "" {
			head := tokens.SafeText(e.label) + " · " + e.in.Kind.String()
			if key.auto {
				head += " · auto"
			}
			if key.marked {
				head = "◆ " + head
			}
			if key.selected {
				e.list.rows = [2]string{st.Live.Selected.Render(l.fit("▸ " + head)), st.Live.Selected.Render(l.fit("  " + key.count))}
			} else {
				e.list.rows = [2]string{l.fit("  " + head), l.fit("  " + st.expiryPaint(e.state(now)).Render(key.count))}
			}
			e.list.key = key
		}
		dst = append(dst, e.list.rows[0], e.list.rows[1])
	}
	if len(l.entries) == 0 {
		dst = append(dst, l.fit(st.Muted.Render("  none — press p")))
	}
	for len(dst)-n < l.height {
		dst = append(dst, l.blank)
	}
	return dst[:n+l.height]
}

// memo is a rendered string and what it was rendered from.
type memo[K comparable] struct {
	key  K
	text string
}

// listRows are a token's two rows in the list and what they were styled from.
type listRows struct {
	key  listKey
	rows [2]string
}

// listKey is what a token's rows in the list depend on.
type listKey struct {
	count    string
	auto     bool // auto-refresh is on
	marked   bool // marked for the diff
	selected bool
	width    int
}

// fit cuts or pads (styled) text to the pane width.
func (l *tokenList) fit(s string) string {
	s = ansi.Truncate(s, l.width, "…")
	return s + strings.Repeat(" ", max(l.width-ansi.StringWidth(s), 0))
}
