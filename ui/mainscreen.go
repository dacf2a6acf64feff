package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// mainPage is the main screen, the token list beside the token view, in the table of
// screens.
type mainPage struct{ m *Model }

func (p mainPage) update(_ KeyMap, msg tea.Msg) tea.Cmd { return p.m.updateMain(msg) }
func (p mainPage) view(now time.Time) string            { return p.m.mainBody(now) }
func (mainPage) blur()                                  {}

func (p mainPage) setSize(_, h int) {
	m := p.m
	m.list.setSize(m.listWidth(), h)
	w, vh := m.viewSize()
	m.view.setSize(w, vh)
}

func (p mainPage) keys(k KeyMap) KeyMap {
	k = k.forMain().forFocus(p.m.focusView)
	k.Undo.SetEnabled(p.m.removed != nil)
	return k
}

func (p mainPage) setStyles(st Styles) {
	m := p.m
	m.view.rebuild(st)
	for _, e := range m.list.entries {
		e.list = listRows{} // styled with the old sheet
	}
	m.list.header.text = ""
}
