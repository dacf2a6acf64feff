package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// screen is which screen fills the body of the workbench.
//
// Adding a screen (a tenants screen, a get-token screen):
//  1. write it as a plain struct in its own file (tenants.go) with the same three methods
//     the paste screen has: update(KeyMap, tea.Msg) tea.Cmd, view(...) string returning
//     exactly its height in rows, and setSize(w, h int);
//  2. add a constant below, a field of that concrete type to Model, and one case to each
//     switch on m.active: Model.updateScreen and Model.body, and a setSize call in
//     Model.layout (keysScreen, the JWKS input, is the smallest example to copy);
//  3. add the key that opens it to KeyMap (keys.go) and enable it in forScreen, and open
//     it from Model.updateMain with m.setScreen;
//  4. it talks back through messages (closeScreenMsg, addTokenMsg, errMsg, or a new *Msg
//     handled in Model.Update's app-message switch), never by reaching into Model.
type screen int

const (
	screenMain     screen = iota // token list and token view
	screenPaste                  // paste a token
	screenKeys                   // load a JWKS from a file or URL
	screenTenants                // saved tenants: list, add, edit, delete, default
	screenGet                    // get a token from a saved tenant
	screenEdit                   // the fallback claims editor (no $VISUAL or $EDITOR)
	screenDiff                   // the diff of two marked tokens
	screenExpected               // your API: expected issuer, audiences, scopes
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
	// title, footer and the pane separator are styled once per layout, not per frame;
	// left and right are the panes' row buffers, reused frame after frame.
	title, footer, sep string
	left, right        []string

	active screen
	list   tokenList
	view   tokenView
	// mode is how the token view shows every token (explanations, every check, raw
	// JSON): chosen once for the session, not per token.
	mode viewMode
	// focusView says the token view, not the list, has the focus: the line keys and the
	// page keys move it.
	focusView bool
	// removed is the token x took out last, and where it was, until U puts it back.
	removed       *entry
	removedAt     int
	paste         pasteScreen
	keysIn        keysScreen
	tenantsScreen tenantsScreen
	get           getScreen
	expectedIn    expectedScreen
	status        statusBar
	maker         maker
	spinner       spinner.Model

	// expect is the session's expected context per issuer: your API and its keys.
	expect map[string]*expectation
	// cliExpect is the command line's expectation, resolved in Init.
	cliExpect *store.Expectation

	// tenants is what the workbench knows of the saved tenants, to tie tokens to them.
	tenants savedTenants
	// keySrc fetches and loads key sets inside commands; tests point it at loopback.
	keySrc keySource
	// writeClipboard is the native clipboard fallback; tests replace it.
	writeClipboard func(string) error
	// grants is how the get-token screen reaches providers; tests point it at loopback.
	grants oauth.Overrides
	// store holds the saved tenants (Options.Tenants, else the config file); nil, with
	// storeErr saying why, when there is no config path.
	store    *store.Tenants
	storeErr error
	// refreshing names the tenants whose tokens are being refreshed: one at a time each.
	refreshing map[string]bool
	// tick schedules the next tick; tests, which move the clock themselves, stub it.
	tick func() tea.Cmd
}

// New builds the workbench model from opts: on the given token, or on the built-in example
// token when opts.Token is empty. Text that is not a token opens the paste screen with the
// text and the reason. It fails only when the example token cannot be minted.
func New(opts Options) (*Model, error) {
	m := &Model{
		now:            opts.Now,
		loc:            opts.Location,
		noColor:        opts.NoColor,
		dark:           true,
		help:           help.New(),
		spinner:        spinner.New(spinner.WithSpinner(spinner.Dot)),
		tenants:        savedTenants{issuers: opts.TenantIssuers},
		keySrc:         defaultKeySource(),
		writeClipboard: clipboard.WriteAll,
		tick:           tick,
		expect:         map[string]*expectation{},
		cliExpect:      opts.Expect,
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
	m.keysIn = newKeysScreen(m.styles)
	m.maker.edit = newEditScreen(m.styles)
	m.maker.give(signer{opts.SignKey, "--sign-key"})
	m.expectedIn.styles = m.styles
	m.store = opts.Tenants
	if m.store == nil {
		// Only the path is resolved here (the environment); the file is read in Init's command.
		if path, err := store.ConfigPath(""); err != nil {
			m.storeErr = err
		} else {
			m.store = store.OpenTenants(path)
		}
	}
	m.tenantsScreen = newTenantsScreen(m.store, m.styles)
	m.get = getScreen{tenants: m.store}
	m.setScreen(screenMain)

	switch in := tokens.Inspect(opts.Token); {
	case opts.Token == "":
		raw, keys, err := tokens.ExampleToken(m.now())
		if err != nil {
			return nil, err
		}
		e, err := newEntry(tokens.Inspect(raw))
		if err != nil {
			return nil, fmt.Errorf("ui: example token: %w", err)
		}
		e.example, e.val.keys = true, keys
		m.list.add(e, "example")
	case in.Kind == tokens.NotAToken:
		m.setScreen(screenPaste)
		m.paste.open(opts.Token)
	default:
		e, _ := newEntry(in)
		m.list.add(e, "opened")
	}
	m.selectionChanged()
	return m, nil
}

// Init starts the app's one tick, asks the terminal for its background colour, validates
// the tokens the workbench opened with and reads which issuers are saved tenants.
func (m *Model) Init() tea.Cmd {
	kid := ""
	if e := m.list.selected(); e != nil && e.in.Parsed != nil {
		kid, _ = e.in.Parsed.Header.String("kid")
	}
	return tea.Batch(m.tick(), tea.RequestBackgroundColor, m.validateAll(), loadTenantIssuers(m.store), m.autoFetch(),
		m.loadCached(), resolveExpectation(m.cliExpect, m.store, m.keySrc, kid))
}

// tick is the app's one clock: every countdown on screen is computed from it.
func tick() tea.Cmd {
	return tea.Every(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update routes msg (see route) and lays the screen out again when the status message
// changed how many rows it wraps to.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	rows := m.status.height(m.width)
	model, cmd := m.route(msg)
	if m.status.height(m.width) != rows {
		m.layout()
	}
	return model, cmd
}

// route routes msg: global keys, app messages, the status bar, then the active screen.
func (m *Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Quit), key.Matches(k, m.keys.ForceQuit):
			return m, tea.Quit
		case key.Matches(k, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			m.labelHelp()
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
		m.recheckTimes()
		return m, tea.Batch(m.tick(), m.autoRefresh())
	case spinner.TickMsg:
		if !m.fetching() && !m.get.running() {
			return m, nil // the spinner stops when the last fetch is done
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case addTokenMsg:
		return m, m.addToken(msg.in)
	case loadJWKSMsg:
		m.setScreen(screenMain)
		return m, m.loadJWKS(msg.e, msg.arg)
	case loadKeyTextMsg:
		m.setScreen(screenMain)
		return m, m.loadKeyText(msg)
	case keysLoadedMsg:
		return m, m.keysLoaded(msg)
	case expectResolvedMsg:
		return m, m.expectResolved(msg)
	case expectSetMsg:
		return m, m.expectSet(msg)
	case reportMsg:
		m.reportArrived(msg)
		return m, nil
	case tokenObtainedMsg:
		return m, m.obtained(msg)
	case tenantsLoadedMsg:
		m.tenantsLoaded(msg)
		m.selectionChanged() // the fetch action's label may now name a saved tenant
		return m, m.autoFetch()
	case cachedTokensMsg:
		return m, m.cachedArrived(msg)
	case tenantIssuersMsg:
		m.tenants = savedTenants{cfg: msg.cfg}
		m.selectionChanged()
		return m, m.autoFetch()
	case refreshedMsg:
		return m, m.refreshed(msg)
	case providerMsg:
		m.providerAnswered(msg)
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
	case editReadyMsg:
		return m, runEditor(msg)
	case editedMsg:
		return m, m.readEdited(msg)
	case openEditorMsg:
		m.setScreen(screenEdit)
		return m, m.maker.edit.open(msg.e, msg.text)
	case editTextMsg:
		return m, m.resignText(msg)
	case resignedMsg:
		return m, m.resigned(msg)
	case sessionKeyMsg:
		return m, m.sessionKeyMade(msg)
	}

	return m, m.updateScreen(msg)
}

// updateScreen hands msg to the active screen only.
func (m *Model) updateScreen(msg tea.Msg) tea.Cmd {
	switch m.active {
	case screenPaste:
		return m.paste.update(m.keys, msg)
	case screenKeys:
		return m.keysIn.update(m.keys, msg)
	case screenEdit:
		return m.maker.edit.update(m.keys, msg)
	case screenDiff:
		return m.maker.diff.update(m.keys, msg)
	case screenExpected:
		return m.expectedIn.update(m.keys, msg)
	case screenGet:
		if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.keys.CopyURL) {
			return copyCmd("the login URL", m.get.loginURL(), m.writeClipboard)
		}
		wasRunning := m.get.running()
		cmd := m.get.update(m.keys, m.grants, msg)
		if !wasRunning && m.get.running() {
			cmd = tea.Batch(cmd, m.spinner.Tick)
		}
		m.keys = m.get.keyMap(DefaultKeyMap().forScreen(screenGet))
		m.labelHelp()
		m.chrome() // the footer follows the run: esc cancels, c copies the login URL
		return cmd
	case screenTenants:
		cmd := m.tenantsScreen.update(m.keys, msg)
		m.keys = m.tenantsScreen.keyMap(DefaultKeyMap().forScreen(screenTenants))
		m.chrome() // the footer follows the tenants screen's mode
		return cmd
	}
	return m.updateMain(msg)
}

// updateMain handles the main screen: selection, scrolling, copy, remove, paste.
func (m *Model) updateMain(msg tea.Msg) tea.Cmd {
	if p, ok := msg.(tea.PasteMsg); ok { // a paste anywhere opens the paste screen with it
		m.setScreen(screenPaste)
		return m.paste.open(strings.TrimRight(p.Content, "\r\n"))
	}
	if mouse, ok := msg.(tea.MouseMsg); ok {
		m.mouse(mouse)
		return nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	e := m.list.selected()
	switch {
	case key.Matches(k, m.keys.Prev):
		m.selectBy(-1)
	case key.Matches(k, m.keys.Next):
		m.selectBy(1)
	case !m.focusView && key.Matches(k, m.keys.PageUp):
		m.selectBy(-m.list.perPage())
	case !m.focusView && key.Matches(k, m.keys.PageDown):
		m.selectBy(m.list.perPage())
	case key.Matches(k, m.keys.Focus):
		m.focusView = !m.focusView
		m.setScreen(screenMain)
	case key.Matches(k, m.keys.Explain):
		m.mode.hideExplain = !m.mode.hideExplain
		m.view.setMode(m.mode)
		m.status.set(onOff("explanations", !m.mode.hideExplain), m.now())
	case key.Matches(k, m.keys.AllChecks):
		m.mode.allChecks = !m.mode.allChecks
		m.view.setMode(m.mode)
		if m.mode.allChecks {
			m.status.set("showing every check (v: only those that did not pass)", m.now())
		} else {
			m.status.set("showing the checks that did not pass (v: every check)", m.now())
		}
	case key.Matches(k, m.keys.RawJSON):
		m.mode.rawJSON = !m.mode.rawJSON
		m.view.setMode(m.mode)
		m.view.vp.GotoTop()
	case key.Matches(k, m.keys.Undo):
		m.undoRemove()
	case key.Matches(k, m.keys.Paste):
		m.setScreen(screenPaste)
		return m.paste.open("")
	case key.Matches(k, m.keys.GetToken):
		m.setScreen(screenGet)
		return m.get.open()
	case key.Matches(k, m.keys.Tenants):
		m.setScreen(screenTenants)
		return m.tenantsScreen.open()
	case key.Matches(k, m.keys.Remove):
		at := m.list.sel
		if e = m.list.remove(); e == nil {
			return errCmd(errNoToken)
		}
		m.removed, m.removedAt = e, at
		m.status.set("removed "+tokens.SafeText(e.label)+" · U puts it back", m.now())
		m.setScreen(screenMain) // U joins the footer
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
	case key.Matches(k, m.keys.FetchKeys):
		cmd := m.fetchKeys(e, false)
		m.refreshView(e)
		return cmd
	case key.Matches(k, m.keys.Refresh):
		return m.startRefresh(e, false)
	case key.Matches(k, m.keys.AutoRefresh):
		return m.toggleAuto(e)
	case key.Matches(k, m.keys.Userinfo):
		return m.callProvider(e, callUserinfo)
	case key.Matches(k, m.keys.Introspect):
		return m.callProvider(e, callIntro)
	case key.Matches(k, m.keys.Edit):
		return m.startEdit(e)
	case key.Matches(k, m.keys.SessionKey):
		m.status.set("making a session key…", m.now())
		return newSessionKey
	case key.Matches(k, m.keys.Mark):
		return m.toggleMark(e)
	case key.Matches(k, m.keys.Diff):
		return m.openDiff()
	case key.Matches(k, m.keys.Expected):
		if e == nil || e.in.Parsed == nil {
			return errCmd(errors.New("select a token of yours (a JWS or JWE) to say which API it is for"))
		}
		m.setScreen(screenExpected)
		return m.expectedIn.open(m, e)
	case key.Matches(k, m.keys.LoadJWKS):
		if e == nil || e.in.Parsed == nil {
			return errCmd(errors.New("select a JWS or JWE to load keys for"))
		}
		m.setScreen(screenKeys)
		return m.keysIn.open(e)
	default:
		m.view.scroll(m.keys, k, m.focusView)
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
func (m *Model) selectBy(d int) {
	if m.list.move(d) {
		m.selectionChanged()
	}
}

// undoRemove puts the token removed last back where it was, selected.
func (m *Model) undoRemove() {
	e := m.removed
	if e == nil {
		return
	}
	m.removed = nil
	m.list.insert(e, m.removedAt)
	m.status.set("put back "+tokens.SafeText(e.label), m.now())
	m.setScreen(screenMain)
	m.selectionChanged()
}

// mouse scrolls the pane under the pointer with the wheel; a click in the list selects
// the token under it and gives the list the focus, a click in the token view gives it the
// focus.
func (m *Model) mouse(msg tea.MouseMsg) {
	mo := msg.Mouse()
	inList := mo.X < m.listWidth()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		d := 3
		if mo.Button == tea.MouseWheelUp {
			d = -3
		}
		if inList {
			m.selectBy(d / 3)
		} else if d < 0 {
			m.view.vp.ScrollUp(-d)
		} else {
			m.view.vp.ScrollDown(d)
		}
	case tea.MouseClickMsg:
		if mo.Button != tea.MouseLeft {
			return
		}
		if m.focusView == inList {
			m.focusView = !inList
			m.setScreen(screenMain)
		}
		// Row 0 is the title; the body, and the list, start on row 1.
		if i, ok := m.list.entryAt(mo.Y - 1); inList && ok && i != m.list.sel {
			m.list.sel = i
			m.selectionChanged()
		}
	}
}

func errCmd(err error) tea.Cmd { return func() tea.Msg { return errMsg{err} } }

// addToken adds a token read on the paste screen, goes back to the main screen and
// starts its validation (with no keys yet: structure, header and claims are checked).
func (m *Model) addToken(in tokens.Inspection) tea.Cmd {
	e, err := newEntry(in)
	if err != nil {
		m.status.fail(err, m.now())
		return nil
	}
	m.list.add(e, "pasted")
	m.setScreen(screenMain)
	m.status.set(fmt.Sprintf("added %s (%s)", e.label, e.in.Kind), m.now())
	cmd := m.revalidate(e)
	m.selectionChanged()
	return tea.Batch(cmd, m.autoFetch())
}

// obtained ends a grant of the get-token screen: its ID and access tokens join the list
// (the access token selected) and are validated; a failure stays on the screen and in
// the status bar.
func (m *Model) obtained(msg tokenObtainedMsg) tea.Cmd {
	if !m.get.finished(msg) {
		return nil // a cancelled run
	}
	if m.active == screenGet {
		m.keys = m.get.keyMap(DefaultKeyMap().forScreen(screenGet))
		m.labelHelp()
		m.chrome()
	}
	if msg.err != nil {
		m.status.fail(msg.err, m.now())
		return nil
	}
	ts := msg.ts
	var cmds []tea.Cmd
	for _, tk := range []struct{ kind, raw string }{{kindID, ts.IDToken}, {kindAccess, ts.AccessToken}} {
		if tk.raw == "" {
			continue
		}
		e, err := newEntry(tokens.Inspect(tk.raw))
		if err != nil {
			continue
		}
		if !msg.notStored {
			// An exchanged token is not the tenant's: refreshing it would refresh another.
			e.from = &tenantToken{tenant: ts.Tenant, kind: tk.kind, set: ts}
		}
		m.list.add(e, ts.Tenant)
		cmds = append(cmds, m.revalidate(e))
	}
	cmds = append(cmds, m.autoFetch())
	m.setScreen(screenMain)
	m.selectionChanged()
	text := fmt.Sprintf("got a token from %s (%s), stored in the keyring", ts.Tenant, ts.Grant)
	if msg.notStored {
		text = fmt.Sprintf("got a token from %s by token exchange (%s); not cached", ts.Tenant, orUnknown(ts.IssuedTokenType))
	}
	if len(ts.Warnings) > 0 {
		text += "; note: " + ts.Warnings[0]
	}
	m.status.set(text, m.now())
	if msg.saveErr != nil {
		m.status.fail(fmt.Errorf("got a token from %s but could not store it: %w", ts.Tenant, msg.saveErr), m.now())
	}
	return tea.Batch(cmds...)
}

func orUnknown(s string) string {
	if s == "" {
		return "type not said"
	}
	return s
}

// selectionChanged builds the token view for the selected token.
func (m *Model) selectionChanged() {
	w, h := m.viewSize()
	e := m.list.selected()
	_, label := m.fetchTarget(e)
	m.view = newTokenView(e, label, m.mode, m.styles, m.loc, w, h)
	m.recheckTimes()
}

// refreshView re-styles the token view when e, the token on show, changed shape (a
// report or keys arrived); the scroll position is kept.
func (m *Model) refreshView(e *entry) {
	if e != nil && e == m.view.e {
		m.view.rebuild(m.styles)
	}
}

func (m *Model) setScreen(s screen) {
	m.active = s
	m.keys = DefaultKeyMap().forScreen(s)
	if s == screenMain {
		m.keys = m.keys.forFocus(m.focusView)
		m.keys.Undo.SetEnabled(m.removed != nil)
		m.list.focused = !m.focusView
	}
	m.labelHelp()
	if s != screenPaste {
		m.paste.ta.Blur()
	}
	if s != screenKeys {
		m.keysIn.ti.Blur()
	}
	if s != screenEdit {
		m.maker.edit.ta.Blur()
	}
	m.layout()
}

// labelHelp names what ? does next.
func (m *Model) labelHelp() {
	if m.help.ShowAll {
		m.keys.Help.SetHelp("?", "close help")
	} else {
		m.keys.Help.SetHelp("?", "help")
	}
}

// setStyles rebuilds the stylesheet for the terminal's background and re-styles the views.
func (m *Model) setStyles(dark, noColor bool) {
	m.dark, m.noColor = dark, noColor
	m.styles = NewStyles(dark, noColor)
	m.help.Styles = m.styles.Help
	m.paste.setStyles(m.styles)
	m.keysIn.setStyles(m.styles)
	m.maker.edit.setStyles(m.styles)
	m.expectedIn.setStyles(m.styles)
	m.tenantsScreen.setStyles(m.styles)
	m.view.rebuild(m.styles)
	for _, e := range m.list.entries {
		e.list = listRows{} // styled with the old sheet
	}
	m.list.header.text = ""
	m.layout()
}

// Layout: a title row, the body, a status row and the help footer.
const listMinWidth, listMaxWidth = 22, 36

func (m *Model) helpHeight() int {
	if !m.help.ShowAll {
		return 1
	}
	return strings.Count(m.help.View(m.keys), "\n") + 1
}

// bodyHeight is what the title, the status (one row, more while a long message wraps)
// and the help leave.
func (m *Model) bodyHeight() int {
	return max(m.height-1-m.status.height(m.width)-m.helpHeight(), 1)
}

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
	m.keysIn.setSize(m.width, h)
	m.expectedIn.setSize(m.width, h)
	m.tenantsScreen.setSize(m.width, h)
	m.get.setSize(m.width, h)
	m.maker.edit.setSize(m.width, h)
	m.maker.diff.setSize(m.width, h)
	m.chrome()
}

// chrome styles the title, the help footer and the pane separator: once per layout or
// key-map change, not per frame.
func (m *Model) chrome() {
	st := m.styles
	m.sep = st.Muted.Render("│") + " "
	m.title = ansi.Truncate(st.Title.Render("tokenbench")+st.Muted.Render(" · OAuth / OIDC token workbench"), m.width, "…")
	if m.help.ShowAll {
		// help.Model can overrun its width by one item when its ellipsis does not fit: cut.
		lines := strings.Split(m.help.View(m.keys), "\n")
		for i, l := range lines {
			lines[i] = ansi.Truncate(l, m.width, "")
		}
		m.footer = strings.Join(lines, "\n")
		return
	}
	m.footer = m.shortHelp()
}

// shortHelp is the one-line footer: the short help's bindings, dropping the last ones
// until the line fits the width; Help and Quit, at its end, always stay.
func (m *Model) shortHelp() string {
	h := m.help
	h.SetWidth(0) // measure the whole line; this function does the fitting
	head, tail := m.keys.shortHelpHead(), m.keys.shortHelpTail()
	for {
		line := h.ShortHelpView(append(slices.Clone(head), tail...))
		if ansi.StringWidth(line) <= m.width || len(head) == 0 {
			return ansi.Truncate(line, m.width, "")
		}
		head = head[:len(head)-1]
	}
}

// View renders the whole screen in the alternate screen buffer.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render(m.now()))
	v.AltScreen = true
	// Clicks and the wheel; cell motion reports drags too, which nothing here uses.
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

func (m *Model) render(now time.Time) string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	st := m.styles
	var sb strings.Builder
	sb.Grow(m.width * m.height * 3)
	sb.WriteString(m.title)
	sb.WriteByte('\n')
	sb.WriteString(m.body(now))
	sb.WriteByte('\n')
	sb.WriteString(m.status.view(st, m.width))
	sb.WriteByte('\n')
	sb.WriteString(m.footer)
	return sb.String()
}

// body renders the active screen: exactly bodyHeight rows.
func (m *Model) body(now time.Time) string {
	switch m.active {
	case screenPaste:
		return m.paste.view(m.styles, m.loc, now)
	case screenKeys:
		return m.keysIn.view(m.styles)
	case screenExpected:
		return m.expectedIn.view(m.styles)
	case screenTenants:
		return m.tenantsScreen.view(m.styles)
	case screenGet:
		return m.get.view(m.styles, now, m.spinner.View(), m.dark)
	case screenEdit:
		return m.maker.edit.view(m.styles)
	case screenDiff:
		return m.maker.diff.view(m.styles)
	}
	f := frame{now: now}
	if m.fetching() {
		f.spinner = m.spinner.View()
	}
	m.left = m.list.rows(m.styles, now, m.left[:0])
	m.right = m.view.rows(f, m.right[:0])
	var sb strings.Builder
	sb.Grow(m.width * len(m.left) * 2)
	for i, l := range m.left {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l)
		sb.WriteString(m.sep)
		if i < len(m.right) {
			sb.WriteString(m.right[i])
		}
	}
	return sb.String()
}
