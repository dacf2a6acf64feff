package ui

import (
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
// Adding a screen (a tenants screen, a get-token screen) touches its own file and, here,
// one line in the table of screens (Model.table) beside its constant and its field; nothing
// in the root switches on the screen:
//  1. write it in its own file (tenants.go) as a plain struct, and beside it its page: a
//     small type that puts it in the table by implementing screenPage (update, view
//     returning exactly its height in rows, setSize, keys, setStyles, blur). keysScreen and
//     keysPage, the JWKS input, are the smallest example to copy;
//  2. add its constant below, its field to Model (of its concrete type, so the root opens
//     it with its own arguments) and its line in Model.table; TestEveryScreenHasAPage
//     fails until the line is there;
//  3. add the key that opens it to KeyMap (keys.go), and open it from the main screen
//     with setScreen (forMain enables every binding no other screen owns);
//  4. the screen talks back through messages (closeScreenMsg, addTokenMsg, errMsg, or a
//     new *Msg handled in Model.Update's app-message switch), never by reaching into
//     Model; only its page knows the root.
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

	screenCount // how many screens there are: the size of the table
)

// screenPage is one screen as the root sees it. The root hands messages only to the
// active screen's page, renders only it, and sizes and styles every page; the widgets
// inside stay plain structs with their own signatures.
type screenPage interface {
	// update handles a message for the active screen with the key map keys returned.
	update(k KeyMap, msg tea.Msg) tea.Cmd
	// view renders the body: exactly the height setSize gave, at the clock's now.
	view(now time.Time) string
	setSize(w, h int)
	// keys enables on k, DefaultKeyMap's bindings, those that act on the screen in its
	// current state; the footer and the ? help show them.
	keys(k KeyMap) KeyMap
	setStyles(st Styles)
	// blur takes the focus from the screen's inputs when another screen is shown.
	blur()
}

// table is every screen's page by its screen value: adding a screen adds one line here.
func (m *Model) table() [screenCount]screenPage {
	return [screenCount]screenPage{
		screenMain:     mainPage{m},
		screenPaste:    pastePage{m},
		screenKeys:     keysPage{m},
		screenTenants:  tenantsPage{m},
		screenGet:      getPage{m},
		screenEdit:     editPage{m},
		screenDiff:     diffPage{m},
		screenExpected: expectedPage{m},
	}
}

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
	// title, footer and the pane separator are styled once per layout, not per frame.
	title, footer, sep string

	active screen
	pages  [screenCount]screenPage // the table, by screen
	// list is the session's tokens, shared by the screens; the main screen shows it.
	list          tokenList
	main          mainScreen
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
	m.maker.give(signer{opts.SignKey, strings.TrimSpace("--sign-key " + opts.SignKeyPath)})
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
	m.main = mainScreen{app: m}
	m.pages = m.table()
	m.list.focused = true // until tab gives the focus to the token view
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
		m.loadCached(), resolveExpectation(m.cliExpect, m.store, m.keySrc, kid), loadPrefs(m.store))
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
	case prefsLoadedMsg:
		m.main.applyPrefs(msg.prefs)
		return m, nil
	case editReadyMsg:
		return m, runEditor(msg)
	case editedMsg:
		return m, m.readEdited(msg)
	case openEditorMsg:
		focus := m.maker.edit.open(msg.e, msg.text) // first: the page's keys follow its state
		m.setScreen(screenEdit)
		return m, focus
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
	return m.pages[m.active].update(m.keys, msg)
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
		m.syncKeys()
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

// selectionChanged has the main screen show the selected token.
func (m *Model) selectionChanged() { m.main.selectionChanged() }

// refreshView has the main screen re-style the token view when e, the token on show,
// changed shape (a report or keys arrived).
func (m *Model) refreshView(e *entry) { m.main.refreshView(e) }

// setScreen shows screen s: its key map, the others' inputs blurred, the layout for its
// footer.
func (m *Model) setScreen(s screen) {
	m.active = s
	m.keys = m.pages[s].keys(DefaultKeyMap())
	m.labelHelp()
	for t, p := range m.pages {
		if screen(t) != s {
			p.blur()
		}
	}
	m.layout()
}

// syncKeys sets the key map to the active screen's in its current state and styles the
// footer that shows it: pages whose keys follow their state (a run, a form) call it after
// their update. It costs a footer's styling, so not every page calls it on every key.
func (m *Model) syncKeys() {
	m.keys = m.pages[m.active].keys(DefaultKeyMap())
	m.labelHelp()
	m.chrome()
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
	for _, p := range m.pages {
		p.setStyles(m.styles)
	}
	m.layout()
}

// Layout: a title row, the body, a status row and the help footer.
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

// layout gives every part its size after a resize, a help toggle or a screen change.
func (m *Model) layout() {
	m.help.SetWidth(m.width)
	h := m.bodyHeight()
	for _, p := range m.pages {
		p.setSize(m.width, h)
	}
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
// until the line fits the width; Back, Help and Quit, at its end, always stay.
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
func (m *Model) body(now time.Time) string { return m.pages[m.active].view(now) }
