package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// editScreen is the fallback claims editor, for when neither $VISUAL nor $EDITOR is set:
// the claims as JSON in a text area; ctrl+s re-signs them, esc leaves the token unchanged.
type editScreen struct {
	ta     textarea.Model
	e      *entry
	width  int
	height int
}

func newEditScreen(st Styles) editScreen {
	ta := textarea.New()
	ta.ShowLineNumbers = true
	ta.CharLimit = tokens.MaxClaimsSize
	ta.MaxHeight = 0
	ta.SetStyles(st.TextArea)
	return editScreen{ta: ta}
}

// open fills the editor with e's claims and focuses it.
func (s *editScreen) open(e *entry, text string) tea.Cmd {
	s.e = e
	s.ta.Reset()
	s.ta.InsertString(text)
	s.ta.MoveToBegin()
	return s.ta.Focus()
}

func (s *editScreen) setStyles(st Styles) { s.ta.SetStyles(st.TextArea) }

func (s *editScreen) setSize(w, h int) {
	s.width, s.height = w, h
	s.ta.SetWidth(max(w-2, 10))
	s.ta.SetHeight(max(h-3, 3))
}

func (s *editScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Back):
			return func() tea.Msg { return closeScreenMsg{} }
		case key.Matches(msg, k.Save):
			e, text := s.e, s.ta.Value()
			return func() tea.Msg { return editTextMsg{e: e, text: text} }
		}
	}
	var cmd tea.Cmd
	s.ta, cmd = s.ta.Update(msg)
	return cmd
}

// view renders the screen: exactly height rows.
func (s *editScreen) view(st Styles) string {
	label := ""
	if s.e != nil {
		label = tokens.SafeText(s.e.label)
	}
	rows := []string{
		st.Section.Render("Edit claims of "+label) + st.Muted.Render(" · ctrl+s re-signs with the session key · esc cancels · set $EDITOR to use your editor"),
		"",
	}
	rows = append(rows, strings.Split(s.ta.View(), "\n")...)
	return fitRows(rows, s.width, s.height)
}
