package ui

import (
	"slices"
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
	focused bool // the list has the focus: the selection is drawn in full
	blank   string
	header  memo[headerKey]
}

// headerKey is what the list's header row depends on.
type headerKey struct {
	n       int
	focused bool
}

const rowsPerEntry = 2

func (l *tokenList) setSize(w, h int) {
	l.width, l.height, l.blank = w, h, strings.Repeat(" ", max(w, 0))
	l.header.text = ""
}

// add appends e, labelled for where it came from (origin: a tenant, "pasted", …), and
// selects it.
func (l *tokenList) add(e *entry, origin string) {
	e.label = l.uniqueLabel(e, origin)
	l.entries = append(l.entries, e)
	l.sel = len(l.entries) - 1
}

// insertAfter puts e, labelled for origin, right after orig (at the end when orig is
// gone) and selects it.
func (l *tokenList) insertAfter(orig, e *entry, origin string) {
	e.label = l.uniqueLabel(e, origin)
	i := len(l.entries)
	for j, x := range l.entries {
		if x == orig {
			i = j + 1
		}
	}
	l.insert(e, i)
}

// insert puts e back at index i (a removal undone) and selects it.
func (l *tokenList) insert(e *entry, i int) {
	i = min(max(i, 0), len(l.entries))
	l.entries = slices.Insert(l.entries, i, e)
	l.sel = i
}

// uniqueLabel describes e as from origin ("minted locally · key KID" for a token
// tokenbench minted), numbering the origin ("pasted 2 · access") when a token in the list
// has that label already.
func (l *tokenList) uniqueLabel(e *entry, origin string) string {
	if m := e.mintedOrigin(); m != "" && e.from == nil {
		origin = m // a token tokenbench minted is named so, however it was opened
	}
	taken := map[string]bool{}
	for _, o := range l.entries {
		taken[o.label] = true
	}
	label := e.describe(origin)
	for n := 2; taken[label]; n++ {
		label = e.describe(origin + " " + strconv.Itoa(n))
	}
	return label
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

// perPage is how many tokens the pane shows at once.
func (l *tokenList) perPage() int { return max((l.height-1)/rowsPerEntry, 1) }

// first is the index of the first token on show: the list scrolls to keep the selection
// in view.
func (l *tokenList) first() int { return max(0, l.sel-l.perPage()+1) }

// entryAt returns the index of the token drawn on the pane's row y, if any.
func (l *tokenList) entryAt(y int) (int, bool) {
	if y < 1 {
		return 0, false // the header
	}
	i := l.first() + (y-1)/rowsPerEntry
	return i, i < len(l.entries) && (y-1)/rowsPerEntry < l.perPage()
}

// rows appends the pane's rows at now to dst: exactly height rows, each padded to width
// cells. A token's two rows are styled again only when its countdown text or selection
// changes, and blank rows are one string made at resize.
func (l *tokenList) rows(st Styles, now time.Time, dst []string) []string {
	n := len(dst)
	if hk := (headerKey{len(l.entries), l.focused}); l.header.key != hk || l.header.text == "" {
		title := st.Muted.Render("Tokens")
		if l.focused {
			title = st.Section.Render("Tokens")
		}
		l.header = memo[headerKey]{key: hk, text: l.fit(title + st.Muted.Render(" ("+strconv.Itoa(len(l.entries))+")"))}
	}
	dst = append(dst, l.header.text)
	for i := l.first(); i < len(l.entries) && len(dst)-n+rowsPerEntry <= l.height; i++ {
		e := l.entries[i]
		key := listKey{count: e.countdown(now), selected: i == l.sel, focused: l.focused, width: l.width}
		if e.dueForRefresh(now) {
			key.count = "↻ " + key.count // due for refresh; the view says more
		}
		key.auto, key.marked = e.auto, e.marked
		if e.list.key != key || e.list.rows[0] == "" {
			head := tokens.SafeText(e.label)
			if key.auto {
				head += " · auto"
			}
			if key.marked {
				head = "◆ " + head
			}
			switch {
			case key.selected && !key.focused: // the token view has the focus: a marker only
				e.list.rows = [2]string{st.Live.Title.Render(l.fit("▸ " + head)), l.fit("  " + st.expiryPaint(e.state(now)).Render(key.count))}
			case key.selected:
				e.list.rows = [2]string{st.Live.Selected.Render(l.fit("▸ " + head)), st.Live.Selected.Render(l.fit("  " + key.count))}
			default:
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
	focused  bool // the list has the focus
	width    int
}

// fit cuts or pads (styled) text to the pane width.
func (l *tokenList) fit(s string) string {
	s = ansi.Truncate(s, l.width, "…")
	return s + strings.Repeat(" ", max(l.width-ansi.StringWidth(s), 0))
}
