package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// keysScreen asks for a key file (JWKS, JWK or PEM) or a JWKS URL to check the selected
// token with. Nothing is read or fetched until the user confirms.
type keysScreen struct {
	ti     textinput.Model
	e      *entry
	width  int
	height int
}

// loadJWKSMsg asks the root model to load a JWKS for e.
type loadJWKSMsg struct {
	e   *entry
	arg string
}

func newKeysScreen(st Styles) keysScreen {
	ti := textinput.New()
	ti.SetStyles(st.TextInput)
	ti.Prompt = "keys › "
	ti.Placeholder = "./jwks.json or https://issuer.example/.well-known/jwks.json"
	ti.CharLimit = 4096
	return keysScreen{ti: ti}
}

// open clears the input for e and focuses it.
func (s *keysScreen) open(e *entry) tea.Cmd {
	s.e = e
	s.ti.Reset()
	return s.ti.Focus()
}

func (s *keysScreen) setStyles(st Styles) { s.ti.SetStyles(st.TextInput) }

func (s *keysScreen) setSize(w, h int) {
	s.width, s.height = w, h
	s.ti.SetWidth(max(w-10, 10))
}

func (s *keysScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Back):
			return func() tea.Msg { return closeScreenMsg{} }
		case key.Matches(msg, k.Confirm):
			arg, e := strings.TrimSpace(s.ti.Value()), s.e
			if arg == "" {
				return nil
			}
			return func() tea.Msg { return loadJWKSMsg{e: e, arg: arg} }
		}
	}
	var cmd tea.Cmd
	s.ti, cmd = s.ti.Update(msg)
	return cmd
}

// view renders exactly height rows.
func (s *keysScreen) view(st Styles) string {
	label := "the selected token"
	if s.e != nil {
		label = tokens.SafeText(s.e.label)
	}
	rows := []string{
		st.Section.Render("Load keys") + st.Muted.Render(" to check "+label+" with"),
		"",
		s.ti.View(),
		"",
		st.Muted.Render("A JWKS, JWK or PEM public-key file, or a JWKS https URL (http only on loopback)."),
		st.Muted.Render("Read or fetched once, when you press enter; the token's own jku, x5u and jwk are never used."),
	}
	for len(rows) < s.height {
		rows = append(rows, "")
	}
	return strings.Join(rows[:max(s.height, 0)], "\n")
}
