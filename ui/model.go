package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// screen is which screen fills the body of the workbench.
//
// Adding a screen (a tenants screen, a get-token screen):
//  1. write it as a plain struct in its own file (tenants.go) with the same three methods
//     the paste screen has: update(KeyMap, tea.Msg) tea.Cmd, view(...) string returning
//     exactly its height in rows, and setSize(w, h int);
//  2. add a constant below, a field of that concrete type to Model, and one case to each
//     switch on m.active: Model.updateScreen, Model.body, Model.layout;
//  3. add the key that opens it to KeyMap (keys.go) and enable it in forScreen, and open
//     it from Model.updateMain with m.setScreen;
//  4. it talks back through messages (closeScreenMsg, addTokenMsg, errMsg, or a new *Msg
//     handled in Model.Update's app-message switch), never by reaching into Model.
type screen int

const (
	screenMain  screen = iota // token list and token view
	screenPaste               // paste a token
)

// Model is the workbench's one Bubble Tea model. Update routes every message in a fixed
// order: global keys (quit, help), then app messages (results of commands, the tick,
// resizes), then the always-on status bar, then only the active screen.
type Model struct {
	now     func() time.Time
	loc     *time.Location
	noColor bool
	dark    bool

	keys   KeyMap
	styles Styles
	help   help.Model
	width  int
	height int

	active screen
	list   tokenList
	view   tokenView
	paste  pasteScreen
	status statusBar

	// writeClipboard is the native clipboard fallback; tests replace it.
	writeClipboard func(string) error
}

// New builds the workbench model from opts: on the given token, or on the built-in example
// token when opts.Token is empty. Text that is not a token opens the paste screen with the
// text and the reason. It fails only when the example token cannot be minted.
func New(opts Options) (Model, error) {
	m := Model{
		now:            opts.Now,
		loc:            opts.Location,
		noColor:        opts.NoColor,
		dark:           true,
		help:           help.New(),
		writeClipboard: clipboard.WriteAll,
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.loc == nil {
		m.loc = time.Local
	}
	m.styles = NewStyles(m.dark, m.noColor)
	m.help.Styles = m.styles.Help
	m.paste = newPasteScreen(m.styles)
	m.setScreen(screenMain)

	switch in := tokens.Inspect(opts.Token); {
	case opts.Token == "":
		raw, keys, err := tokens.ExampleToken(m.now())
		if err != nil {
			return Model{}, err
		}
		e, err := newEntry("example", tokens.Inspect(raw))
		if err != nil {
			return Model{}, fmt.Errorf("ui: example token: %w", err)
		}
		e.example, e.keys = true, keys
		m.list.add(e)
	case in.Kind == tokens.NotAToken:
		m.setScreen(screenPaste)
		m.paste.open(opts.Token)
	default:
		e, _ := newEntry("opened", in)
		m.list.add(e)
	}
	m.selectionChanged()
	return m, nil
}

// Init starts the app's one tick and asks the terminal for its background colour.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tick(), tea.RequestBackgroundColor)
}

// tick is the app's one clock: every countdown on screen is computed from it.
func tick() tea.Cmd {
	return tea.Every(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update routes msg: global keys, app messages, the status bar, then the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Quit), key.Matches(k, m.keys.ForceQuit):
			return m, tea.Quit
		case key.Matches(k, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			m.layout()
			return m, nil
		}
	}

	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.setStyles(msg.IsDark(), m.noColor)
		return m, nil
	case tickMsg:
		m.status.expire(m.now())
		return m, tick()
	case addTokenMsg:
		m.addToken(msg.in)
		return m, nil
	case closeScreenMsg:
		m.setScreen(screenMain)
		return m, nil
	case copiedMsg:
		m.status.set(copiedText(msg), m.now())
		return m, nil
	case errMsg:
		m.status.fail(msg.err, m.now())
		return m, nil
	}

	return m, m.updateScreen(msg)
}

// updateScreen hands msg to the active screen only.
func (m *Model) updateScreen(msg tea.Msg) tea.Cmd {
	switch m.active {
	case screenPaste:
		return m.paste.update(m.keys, msg)
	}
	return m.updateMain(msg)
}

// updateMain handles the main screen: selection, scrolling, copy, remove, paste.
func (m *Model) updateMain(msg tea.Msg) tea.Cmd {
	if p, ok := msg.(tea.PasteMsg); ok { // a paste anywhere opens the paste screen with it
		m.setScreen(screenPaste)
		return m.paste.open(strings.TrimRight(p.Content, "\r\n"))
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	e := m.list.selected()
	switch {
	case key.Matches(k, m.keys.Prev):
		if m.list.move(-1) {
			m.selectionChanged()
		}
	case key.Matches(k, m.keys.Next):
		if m.list.move(1) {
			m.selectionChanged()
		}
	case key.Matches(k, m.keys.Paste):
		m.setScreen(screenPaste)
		return m.paste.open("")
	case key.Matches(k, m.keys.Remove):
		if e = m.list.remove(); e == nil {
			return errCmd(errNoToken)
		}
		m.status.set("removed "+e.label, m.now())
		m.selectionChanged()
	case key.Matches(k, m.keys.CopyToken):
		if e == nil {
			return errCmd(errNoToken)
		}
		return copyCmd(fmt.Sprintf("the raw token (%d characters)", len(e.in.Token)), e.in.Token, m.writeClipboard)
	case key.Matches(k, m.keys.CopyClaims):
		if e == nil {
			return errCmd(errNoToken)
		}
		js, err := e.claimsJSON()
		if err != nil {
			return errCmd(err)
		}
		return copyCmd("the claims JSON", js, m.writeClipboard)
	default:
		m.view.scroll(m.keys, k)
	}
	return nil
}

func errCmd(err error) tea.Cmd { return func() tea.Msg { return errMsg{err} } }

// addToken adds a token read on the paste screen and goes back to the main screen.
func (m *Model) addToken(in tokens.Inspection) {
	e, err := newEntry(m.list.nextPasteLabel(), in)
	if err != nil {
		m.status.fail(err, m.now())
		return
	}
	m.list.add(e)
	m.selectionChanged()
	m.setScreen(screenMain)
	m.status.set(fmt.Sprintf("added %s (%s)", e.label, e.in.Kind), m.now())
}

// selectionChanged builds the token view for the selected token.
func (m *Model) selectionChanged() {
	w, h := m.viewSize()
	m.view = newTokenView(m.list.selected(), m.styles, m.loc, w, h)
}

func (m *Model) setScreen(s screen) {
	m.active = s
	m.keys = DefaultKeyMap().forScreen(s)
	if s != screenPaste {
		m.paste.ta.Blur()
	}
	m.layout()
}

// setStyles rebuilds the stylesheet for the terminal's background and re-styles the views.
func (m *Model) setStyles(dark, noColor bool) {
	m.dark, m.noColor = dark, noColor
	m.styles = NewStyles(dark, noColor)
	m.help.Styles = m.styles.Help
	m.paste.setStyles(m.styles)
	m.view.rebuild(m.styles)
}

// Layout: a title row, the body, a status row and the help footer.
const listMinWidth, listMaxWidth = 22, 36

func (m *Model) helpHeight() int {
	if !m.help.ShowAll {
		return 1
	}
	return strings.Count(m.help.View(m.keys), "\n") + 1
}

func (m *Model) bodyHeight() int { return max(m.height-2-m.helpHeight(), 1) }

func (m *Model) listWidth() int { return min(max(m.width/4, listMinWidth), listMaxWidth) }

func (m *Model) viewSize() (int, int) {
	return max(m.width-m.listWidth()-2, 10), m.bodyHeight()
}

// layout gives every part its size after a resize, a help toggle or a screen change.
func (m *Model) layout() {
	m.help.SetWidth(m.width)
	h := m.bodyHeight()
	m.list.setSize(m.listWidth(), h)
	w, vh := m.viewSize()
	m.view.setSize(w, vh)
	m.paste.setSize(m.width, h)
}

// View renders the whole screen in the alternate screen buffer.
func (m Model) View() tea.View {
	v := tea.NewView(m.render(m.now()))
	v.AltScreen = true
	return v
}

func (m Model) render(now time.Time) string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	st := m.styles
	var sb strings.Builder
	sb.Grow(m.width * m.height * 3)
	sb.WriteString(ansi.Truncate(st.Title.Render("tokenbench")+st.Muted.Render(" · OAuth / OIDC token workbench"), m.width, "…"))
	sb.WriteByte('\n')
	sb.WriteString(m.body(now))
	sb.WriteByte('\n')
	sb.WriteString(m.status.view(st, m.width))
	sb.WriteByte('\n')
	// help.Model can overrun its width by one item when its ellipsis does not fit: cut.
	for i, l := range strings.Split(m.help.View(m.keys), "\n") {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(ansi.Truncate(l, m.width, ""))
	}
	return sb.String()
}

// body renders the active screen: exactly bodyHeight rows.
func (m Model) body(now time.Time) string {
	switch m.active {
	case screenPaste:
		return m.paste.view(m.styles, m.loc, now)
	}
	left := strings.Split(m.list.view(m.styles, now), "\n")
	right := strings.Split(m.view.view(now), "\n")
	sep := m.styles.Muted.Render("│") + " "
	var sb strings.Builder
	for i := range left {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(left[i])
		sb.WriteString(sep)
		if i < len(right) {
			sb.WriteString(right[i])
		}
	}
	return sb.String()
}
