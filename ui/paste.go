package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// pasteScreen takes a token by bracketed paste or typing and says at once what it is:
// the kind found and what was stripped around it, or the one-line reason it is not a token.
type pasteScreen struct {
	ta     textarea.Model
	in     tokens.Inspection
	found  *entry // the token read from in, nil when it is not one
	text   string // the input last inspected
	width  int
	height int
}

// pasteLimit bounds the input: a token at the size cap plus a header line around it.
const pasteLimit = tokens.MaxTokenSize + 4096

func newPasteScreen(st Styles) pasteScreen {
	ta := textarea.New()
	ta.Placeholder = "eyJhbGciOi… or Authorization: Bearer …"
	ta.ShowLineNumbers = false
	ta.CharLimit = pasteLimit
	ta.MaxHeight = 0
	ta.Prompt = "┃ "
	ta.SetStyles(st.TextArea)
	ta.KeyMap.InsertNewline.SetEnabled(false) // enter adds the token
	return pasteScreen{ta: ta}
}

// open clears the input and focuses it, optionally starting with pasted text.
func (p *pasteScreen) open(initial string) tea.Cmd {
	p.ta.Reset()
	p.text, p.in, p.found = "", tokens.Inspection{}, nil
	if initial != "" {
		p.ta.InsertString(initial)
		p.inspect()
	}
	return p.ta.Focus()
}

func (p *pasteScreen) setStyles(st Styles) { p.ta.SetStyles(st.TextArea) }

func (p *pasteScreen) setSize(w, h int) {
	p.width, p.height = w, h
	p.ta.SetWidth(max(w-2, 10))
	p.ta.SetHeight(min(max(h-10, 3), 12)) // the heading may wrap to two rows
}

// update handles keys and pastes: confirm and back become messages for the root model;
// everything else goes to the text area, and the result is re-inspected when it changed.
func (p *pasteScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Back):
			return func() tea.Msg { return closeScreenMsg{} }
		case key.Matches(msg, k.Confirm):
			if p.found == nil {
				return nil // the reason is already on screen
			}
			in := p.in
			return func() tea.Msg { return addTokenMsg{in: in} }
		}
	}
	if paste, ok := msg.(tea.PasteMsg); ok {
		// A token pasted with a trailing newline must not become two lines; the text area
		// keeps what it is given, so give it one line.
		msg = tea.PasteMsg{Content: strings.TrimRight(paste.Content, "\r\n")}
	}
	var cmd tea.Cmd
	p.ta, cmd = p.ta.Update(msg)
	p.inspect()
	return cmd
}

func (p *pasteScreen) inspect() {
	if v := p.ta.Value(); v != p.text {
		p.text = v
		p.in = tokens.Inspect(v)
		p.found, _ = newEntry(p.in)
	}
}

// view renders the screen: exactly height rows.
func (p *pasteScreen) view(st Styles, loc *time.Location, now time.Time) string {
	rows := []string{
		st.Section.Render("Paste a token") + st.Muted.Render(" · paste or type; Bearer prefixes, Authorization: lines and quotes are fine"),
		"",
	}
	rows = append(rows, strings.Split(p.ta.View(), "\n")...)
	rows = append(rows, "")
	rows = append(rows, p.result(st, loc, now)...)
	return fitRows(rows, p.width, p.height)
}

// result is what the input is, as far as tokenbench can tell.
func (p *pasteScreen) result(st Styles, loc *time.Location, now time.Time) []string {
	if strings.TrimSpace(p.text) == "" {
		return []string{st.Muted.Render("Nothing yet.")}
	}
	e := p.found
	if e == nil {
		return []string{st.Fail.Render("✗ not a token: " + tokens.SafeText(readableReason(p.in)))}
	}
	desc := []string{"✓ " + p.in.Kind.String() + " found"}
	if e.expl != nil {
		if e.expl.Use != "" {
			desc = append(desc, e.expl.Use)
		}
		if alg := p.in.Parsed.Alg(); alg != "" {
			desc = append(desc, "alg "+tokens.SafeText(alg))
		}
	}
	desc = append(desc, e.countdown(now))
	rows := []string{st.Pass.Render(desc[0]) + " · " + strings.Join(desc[1:], " · ")}
	for _, n := range p.in.Notes {
		rows = append(rows, st.Muted.Render("  "+n))
	}
	if p.in.Kind == tokens.Opaque {
		rows = append(rows, st.Muted.Render("  opaque: only the issuer can read it (introspection, userinfo)"))
	}
	return append(rows, "", st.Title.Render("enter")+" adds it to the list · "+st.Title.Render("esc")+" goes back")
}

// readableReason makes an Inspection's reason read as a sentence after "not a token:":
// text refused as a whole is "it" ("it is empty").
func readableReason(in tokens.Inspection) string {
	if p := in.Problem; p != nil && p.Part == "input" {
		return "it " + p.Reason
	}
	return in.Reason
}

// pastePage is the paste screen in the table of screens.
type pastePage struct{ m *Model }

func (p pastePage) update(k KeyMap, msg tea.Msg) tea.Cmd { return p.m.paste.update(k, msg) }
func (p pastePage) view(now time.Time) string            { return p.m.paste.view(p.m.styles, p.m.loc, now) }
func (p pastePage) setSize(w, h int)                     { p.m.paste.setSize(w, h) }
func (p pastePage) setStyles(st Styles)                  { p.m.paste.setStyles(st) }
func (p pastePage) blur()                                { p.m.paste.ta.Blur() }
func (pastePage) keys(k KeyMap) KeyMap                   { return k.forOther() }
