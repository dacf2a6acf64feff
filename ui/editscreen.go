package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// editScreen is the fallback claims editor, for when neither $VISUAL nor $EDITOR is set:
// the claims as JSON in a text area; ctrl+s re-signs them, esc leaves the token unchanged.
// When more than one key can sign, it then asks which (choosing), whichever editor the
// claims came from.
type editScreen struct {
	ta     textarea.Model
	st     Styles
	e      *entry
	width  int
	height int
	// signing says what ctrl+s signs with (maker.signingText), for the heading.
	signing string
	// choosing: the edited claims wait for the key to sign them with; choices are the
	// keys at hand, sel the one under the cursor.
	choosing bool
	claims   string
	choices  []signer
	sel      int
}

func newEditScreen(st Styles) editScreen {
	ta := textarea.New()
	ta.ShowLineNumbers = true
	ta.CharLimit = tokens.MaxClaimsSize
	ta.MaxHeight = 0
	ta.SetStyles(st.TextArea)
	return editScreen{ta: ta, st: st}
}

// open fills the editor with e's claims and focuses it.
func (s *editScreen) open(e *entry, text string) tea.Cmd {
	s.e, s.choosing, s.claims, s.choices = e, false, "", nil
	s.ta.Reset()
	s.ta.InsertString(text)
	s.ta.MoveToBegin()
	s.fitEditor()
	return s.ta.Focus()
}

// choose asks which of choices signs the edited claims of e, starting on sel.
func (s *editScreen) choose(e *entry, claims string, choices []signer, sel int) {
	s.e, s.choosing, s.claims, s.choices, s.sel = e, true, claims, choices, sel
	s.ta.Blur()
}

func (s *editScreen) setStyles(st Styles) {
	s.st = st
	s.ta.SetStyles(st.TextArea)
}

func (s *editScreen) setSize(w, h int) {
	s.width, s.height = w, h
	s.ta.SetWidth(max(w-2, 10))
	s.fitEditor()
}

// fitEditor gives the text area what the heading leaves: the heading wraps, in full, to
// as many rows as the width needs.
func (s *editScreen) fitEditor() {
	s.ta.SetHeight(max(s.height-len(wrapRow(s.heading(s.st), s.width, 0))-2, 3))
}

// keyMap is the screen's keys: while choosing, ↑/↓ move and enter signs; while editing,
// the editor's own.
func (s *editScreen) keyMap(k KeyMap) KeyMap {
	if !s.choosing {
		return k
	}
	k = k.lineKeys("previous key", "next key")
	k.Confirm.SetEnabled(true)
	k.Confirm.SetHelp("enter", "sign")
	k.Save.SetEnabled(false)
	k.Back.SetHelp("esc", "cancel")
	return k
}

func (s *editScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Back):
			s.choosing, s.claims, s.choices = false, "", nil
			return func() tea.Msg { return closeScreenMsg{} }
		case s.choosing && key.Matches(msg, k.Prev):
			s.sel = max(s.sel-1, 0)
			return nil
		case s.choosing && key.Matches(msg, k.Next):
			s.sel = min(s.sel+1, len(s.choices)-1)
			return nil
		case s.choosing && key.Matches(msg, k.Confirm):
			e, text, with := s.e, s.claims, s.choices[s.sel]
			return func() tea.Msg { return editTextMsg{e: e, text: text, with: &with} }
		case s.choosing:
			return nil
		case key.Matches(msg, k.Save):
			e, text := s.e, s.ta.Value()
			return func() tea.Msg { return editTextMsg{e: e, text: text} }
		}
	}
	if s.choosing {
		return nil
	}
	var cmd tea.Cmd
	s.ta, cmd = s.ta.Update(msg)
	return cmd
}

// heading is the screen's first row, before it is wrapped.
func (s *editScreen) heading(st Styles) string {
	label := ""
	if s.e != nil {
		label = tokens.SafeText(s.e.label)
	}
	if s.choosing {
		return st.Section.Render("Sign the edited claims of "+label) + st.Muted.Render(" with which key?")
	}
	signing := s.signing
	if signing == "" {
		signing = "re-signs"
	}
	return st.Section.Render("Edit claims of "+label) + st.Muted.Render(" · ctrl+s "+signing+" · esc cancels · set $EDITOR to use your editor")
}

// view renders the screen: exactly height rows.
func (s *editScreen) view(st Styles) string {
	rows := []string{s.heading(st), ""}
	if s.choosing {
		for i, c := range s.choices {
			if i == s.sel {
				rows = append(rows, st.Selected.Render("› "+c.describe()))
			} else {
				rows = append(rows, "  "+c.describe())
			}
		}
		rows = append(rows, "", st.Muted.Render("↑/↓ choose · enter signs · esc cancels, leaving the tokens as they are"),
			st.Muted.Render("The new token is checked against the key it was signed with. "+
				"On the main screen, K makes a new session key, and L loads a private key file, or takes a pasted private key or HMAC secret, to sign with."))
		return fitRows(rows, s.width, s.height)
	}
	rows = append(rows, strings.Split(s.ta.View(), "\n")...)
	return fitRows(rows, s.width, s.height)
}

// editPage is the fallback claims editor in the table of screens.
type editPage struct{ m *Model }

func (p editPage) update(k KeyMap, msg tea.Msg) tea.Cmd { return p.m.maker.edit.update(k, msg) }
func (p editPage) view(time.Time) string                { return p.m.maker.edit.view(p.m.styles) }
func (p editPage) setSize(w, h int)                     { p.m.maker.edit.setSize(w, h) }
func (p editPage) setStyles(st Styles)                  { p.m.maker.edit.setStyles(st) }
func (p editPage) blur()                                { p.m.maker.edit.ta.Blur() }

// keys: ctrl+s re-signs; the editor shows its own enter; the key chooser has its own.
func (p editPage) keys(k KeyMap) KeyMap {
	k = k.forOther()
	k.Save.SetEnabled(true)
	k.Confirm.SetEnabled(false)
	return p.m.maker.edit.keyMap(k)
}
