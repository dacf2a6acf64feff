package ui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// diffScreen compares the header and claims of two marked tokens: what was added, removed
// or changed, times as the change ("exp +55m"); the equal members are counted, not listed.
type diffScreen struct {
	a, b  *entry
	diffs []tokens.Difference
	// top is the first row of the differences shown; lastTop is the last it can be, as
	// the latest frame laid them out (wrapped in full, at the width).
	top, lastTop int
	width        int
	height       int
}

func (d *diffScreen) open(a, b *entry, diffs []tokens.Difference) {
	d.a, d.b, d.diffs, d.top, d.lastTop = a, b, diffs, 0, len(diffs) // until a frame lays them out
}

func (d *diffScreen) setSize(w, h int) { d.width, d.height = w, h }

func (d *diffScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Back):
			return func() tea.Msg { return closeScreenMsg{} }
		case key.Matches(msg, k.Prev):
			d.top = max(d.top-1, 0)
		case key.Matches(msg, k.Next):
			d.top = min(d.top+1, d.lastTop)
		}
	}
	return nil
}

// view renders the screen: exactly height rows, every value through the safety filter.
func (d *diffScreen) view(st Styles) string {
	rows := []string{
		st.Section.Render("Diff") + st.Muted.Render(" · A "+tokens.SafeText(d.a.label)+" → B "+tokens.SafeText(d.b.label)),
		"",
	}
	same, width := 0, 0
	for _, x := range d.diffs {
		if x.Change == tokens.Same {
			same++
		} else {
			width = max(width, ansi.StringWidth(tokens.SafeText(x.Name)))
		}
	}
	width = min(width, 24)
	var body []string
	part := ""
	for _, x := range d.diffs {
		if x.Change == tokens.Same {
			continue
		}
		if x.Part != part {
			part = x.Part
			body = append(body, st.Section.Render(part))
		}
		name := tokens.SafeText(x.Name)
		name += strings.Repeat(" ", max(width-ansi.StringWidth(name), 0))
		var mark, text string
		switch x.Change {
		case tokens.Added:
			mark, text = st.Pass.Render("+"), diffText(x.New)
		case tokens.Removed:
			mark, text = st.Fail.Render("-"), diffText(x.Old)
		default:
			mark, text = st.Warn.Render("~"), diffText(x.Old)+" → "+diffText(x.New)
			if x.Delta != nil {
				sign := "+"
				if *x.Delta < 0 {
					sign = "-"
				}
				text = st.Warn.Render(x.Name+" "+sign+tokens.HumanDuration(*x.Delta)) + "  " + text
			}
		}
		// Values are wrapped in full under the value column, never cut.
		body = append(body, wrapRow("  "+mark+" "+st.ClaimName.Render(name)+"  "+text, d.width, 4+width+2)...)
	}
	if len(body) == 0 {
		body = append(body, st.Muted.Render("no differences in header or claims"))
	}
	d.lastTop = len(body) - 1
	rows = append(rows, body[min(d.top, d.lastTop):]...)
	rows = append(rows, "", st.Muted.Render(strconv.Itoa(same)+" members equal"))
	return fitRows(rows, d.width, d.height)
}

func diffText(raw []byte) string {
	return tokens.SafeText(string(raw))
}

// diffPage is the diff of two marked tokens in the table of screens.
type diffPage struct{ m *Model }

func (p diffPage) update(k KeyMap, msg tea.Msg) tea.Cmd { return p.m.maker.diff.update(k, msg) }
func (p diffPage) view(time.Time) string                { return p.m.maker.diff.view(p.m.styles) }
func (p diffPage) setSize(w, h int)                     { p.m.maker.diff.setSize(w, h) }
func (diffPage) setStyles(Styles)                       {} // its view takes the sheet
func (diffPage) blur()                                  {}

// keys: the line keys scroll the differences.
func (diffPage) keys(k KeyMap) KeyMap {
	k = k.forOther().lineKeys("scroll up", "scroll down")
	k.Confirm.SetEnabled(false)
	return k
}
