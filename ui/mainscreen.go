package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

// mainScreen is the workbench's main screen: the token list beside the token view. It
// owns what only it shows (the token view, its mode, which pane has the focus, the token
// removed last) and handles selection, scrolling, the focus, copy, remove and undo, and
// the keys that open the other screens or run the session's commands. The token list,
// the status bar and those commands are the workbench's, shared with the other screens:
// the screen reaches them through app and keeps no copy.
type mainScreen struct {
	app *Model

	view tokenView
	// mode is how the token view shows every token (explanations, every check, raw
	// JSON): chosen once for the session, not per token.
	mode viewMode
	// explainChosen says the user toggled the explanations in this run, so the
	// remembered choice, read at start, must not undo it.
	explainChosen bool
	// focusView says the token view, not the list, has the focus: the line keys and the
	// page keys move it.
	focusView bool
	// removed is the token x took out last, and where it was, until U puts it back.
	removed   *entry
	removedAt int
	// left and right are the panes' row buffers, reused frame after frame.
	left, right []string
}

// mainPage is the main screen in the table of screens.
type mainPage struct{ m *Model }

func (p mainPage) update(k KeyMap, msg tea.Msg) tea.Cmd { return p.m.main.update(k, msg) }
func (p mainPage) view(now time.Time) string            { return p.m.main.render(now) }
func (p mainPage) setSize(w, h int)                     { p.m.main.setSize(w, h) }
func (p mainPage) setStyles(st Styles)                  { p.m.main.setStyles(st) }
func (mainPage) blur()                                  {}
func (p mainPage) keys(k KeyMap) KeyMap                 { return p.m.main.keyMap(k) }

// keyMap enables on k, DefaultKeyMap's bindings, the main screen's for the pane with the
// focus; U while there is a token to put back.
func (s *mainScreen) keyMap(k KeyMap) KeyMap {
	k = k.forMain().forFocus(s.focusView)
	k.Undo.SetEnabled(s.removed != nil)
	return k
}

// Layout: the list takes a quarter of the width, within these bounds; the token view the
// rest, after the separator.
const listMinWidth, listMaxWidth = 22, 36

func listWidth(w int) int { return min(max(w/4, listMinWidth), listMaxWidth) }

func viewWidth(w int) int { return max(w-listWidth(w)-2, 10) }

func (s *mainScreen) setSize(w, h int) {
	s.app.list.setSize(listWidth(w), h)
	s.view.setSize(viewWidth(w), h)
}

// setStyles re-styles the token view and drops the list's rows styled with the old sheet.
func (s *mainScreen) setStyles(st Styles) {
	m := s.app
	s.view.rebuild(st)
	for _, e := range m.list.entries {
		e.list = listRows{} // styled with the old sheet
	}
	m.list.header.text = ""
}

// update handles the main screen: selection, scrolling, copy, remove, paste.
func (s *mainScreen) update(keys KeyMap, msg tea.Msg) tea.Cmd {
	m := s.app
	if p, ok := msg.(tea.PasteMsg); ok { // a paste anywhere opens the paste screen with it
		m.setScreen(screenPaste)
		return m.paste.open(strings.TrimRight(p.Content, "\r\n"))
	}
	if mouse, ok := msg.(tea.MouseMsg); ok {
		s.mouse(mouse)
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	e := m.list.selected()
	switch {
	case key.Matches(k, keys.Prev):
		s.selectBy(-1)
	case key.Matches(k, keys.Next):
		s.selectBy(1)
	case !s.focusView && key.Matches(k, keys.PageUp):
		s.selectBy(-m.list.perPage())
	case !s.focusView && key.Matches(k, keys.PageDown):
		s.selectBy(m.list.perPage())
	case key.Matches(k, keys.Focus):
		s.setFocus(!s.focusView)
	case key.Matches(k, keys.Explain):
		s.mode.hideExplain = !s.mode.hideExplain
		s.explainChosen = true
		s.view.setMode(s.mode)
		m.status.set(onOff("explanations", !s.mode.hideExplain), m.now())
		return savePrefs(m.store, store.Prefs{HideExplanations: s.mode.hideExplain})
	case key.Matches(k, keys.AllChecks):
		s.mode.allChecks = !s.mode.allChecks
		s.view.setMode(s.mode)
		if s.mode.allChecks {
			m.status.set("showing every check (v: only those that did not pass)", m.now())
		} else {
			m.status.set("showing the checks that did not pass (v: every check)", m.now())
		}
	case key.Matches(k, keys.RawJSON):
		s.mode.rawJSON = !s.mode.rawJSON
		s.view.setMode(s.mode)
		s.view.vp.GotoTop()
	case key.Matches(k, keys.Undo):
		s.undoRemove()
	case key.Matches(k, keys.Paste):
		m.setScreen(screenPaste)
		return m.paste.open("")
	case key.Matches(k, keys.GetToken):
		m.setScreen(screenGet)
		return m.get.open()
	case key.Matches(k, keys.Tenants):
		m.setScreen(screenTenants)
		return m.tenantsScreen.open()
	case key.Matches(k, keys.Remove):
		at := m.list.sel
		if e = m.list.remove(); e == nil {
			return errCmd(errNoToken)
		}
		s.removed, s.removedAt = e, at
		m.status.set("removed "+tokens.SafeText(e.label)+" · U puts it back", m.now())
		m.setScreen(screenMain) // U joins the footer
		s.selectionChanged()
	case key.Matches(k, keys.CopyToken):
		if e == nil {
			return errCmd(errNoToken)
		}
		return copyCmd(fmt.Sprintf("the raw token (%d characters)", len(e.in.Token)), e.in.Token, m.writeClipboard)
	case key.Matches(k, keys.CopyClaims):
		if e == nil {
			return errCmd(errNoToken)
		}
		js, err := e.claimsJSON()
		if err != nil {
			return errCmd(err)
		}
		return copyCmd("the claims JSON", js, m.writeClipboard)
	case key.Matches(k, keys.FetchKeys):
		cmd := m.fetchKeys(e, false)
		s.refreshView(e)
		return cmd
	case key.Matches(k, keys.Refresh):
		return m.startRefresh(e, false)
	case key.Matches(k, keys.AutoRefresh):
		return m.toggleAuto(e)
	case key.Matches(k, keys.Userinfo):
		return m.callProvider(e, callUserinfo)
	case key.Matches(k, keys.Introspect):
		return m.callProvider(e, callIntro)
	case key.Matches(k, keys.Edit):
		return m.startEdit(e)
	case key.Matches(k, keys.SessionKey):
		m.status.set("making a session key…", m.now())
		return newSessionKey
	case key.Matches(k, keys.Mark):
		return m.toggleMark(e)
	case key.Matches(k, keys.Diff):
		return m.openDiff()
	case key.Matches(k, keys.Expected):
		if e == nil || e.in.Parsed == nil {
			return errCmd(errors.New("select a token of yours (a JWS or JWE) to say which API it is for"))
		}
		m.setScreen(screenExpected)
		return m.expectedIn.open(m, e)
	case key.Matches(k, keys.LoadJWKS):
		if e == nil || e.in.Parsed == nil {
			return errCmd(errors.New("select a JWS or JWE to load keys for"))
		}
		m.setScreen(screenKeys)
		return m.keysIn.open(e)
	default:
		s.view.scroll(keys, k, s.focusView)
	}
	return nil
}

func onOff(what string, on bool) string {
	if on {
		return what + " on"
	}
	return what + " off"
}

// selectBy moves the list's selection by d tokens.
func (s *mainScreen) selectBy(d int) {
	if s.app.list.move(d) {
		s.selectionChanged()
	}
}

// undoRemove puts the token removed last back where it was, selected.
func (s *mainScreen) undoRemove() {
	m := s.app
	e := s.removed
	if e == nil {
		return
	}
	s.removed = nil
	m.list.insert(e, s.removedAt)
	m.status.set("put back "+tokens.SafeText(e.label), m.now())
	m.setScreen(screenMain)
	s.selectionChanged()
}

// setFocus gives the focus to the token view (view) or to the list.
func (s *mainScreen) setFocus(view bool) {
	s.focusView = view
	s.app.list.focused = !view
	s.app.setScreen(screenMain)
}

// mouse scrolls the pane under the pointer with the wheel; a click in the list selects
// the token under it and gives the list the focus, a click in the token view gives it the
// focus.
func (s *mainScreen) mouse(msg tea.MouseMsg) {
	m := s.app
	mo := msg.Mouse()
	inList := mo.X < listWidth(m.width)
	switch msg.(type) {
	case tea.MouseWheelMsg:
		d := 3
		if mo.Button == tea.MouseWheelUp {
			d = -3
		}
		if inList {
			s.selectBy(d / 3)
		} else if d < 0 {
			s.view.vp.ScrollUp(-d)
		} else {
			s.view.vp.ScrollDown(d)
		}
	case tea.MouseClickMsg:
		if mo.Button != tea.MouseLeft {
			return
		}
		if s.focusView == inList {
			s.setFocus(!inList)
		}
		// Row 0 is the title; the body, and the list, start on row 1.
		if i, ok := m.list.entryAt(mo.Y - 1); inList && ok && i != m.list.sel {
			m.list.sel = i
			s.selectionChanged()
		}
	}
}

// selectionChanged builds the token view for the selected token.
func (s *mainScreen) selectionChanged() {
	m := s.app
	e := m.list.selected()
	_, label := m.fetchTarget(e)
	s.view = newTokenView(e, label, s.mode, m.styles, m.loc, viewWidth(m.width), m.bodyHeight())
	m.recheckTimes()
}

// refreshView re-styles the token view when e, the token on show, changed shape (a
// report or keys arrived); the scroll position is kept.
func (s *mainScreen) refreshView(e *entry) {
	if e != nil && e == s.view.e {
		s.view.rebuild(s.app.styles)
	}
}

// render renders the main screen: the token list beside the token view.
func (s *mainScreen) render(now time.Time) string {
	m := s.app
	f := frame{now: now}
	if m.fetching() {
		f.spinner = m.spinner.View()
	}
	s.left = m.list.rows(m.styles, now, s.left[:0])
	s.right = s.view.rows(f, s.right[:0])
	var sb strings.Builder
	sb.Grow(m.width * len(s.left) * 2)
	for i, l := range s.left {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l)
		sb.WriteString(m.sep)
		if i < len(s.right) {
			sb.WriteString(s.right[i])
		}
	}
	return sb.String()
}
