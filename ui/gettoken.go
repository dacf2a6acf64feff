package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/cli/browser"
	"rsc.io/qr"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// getScreen picks a saved tenant and a grant and runs it: the device flow shows the
// user code large, the URL, a QR code of verification_uri_complete and the code's own
// countdown; PKCE shows the URL while the browser logs in. esc cancels a running grant
// (its context is cancelled: the loopback listener closes, polling stops).
type getScreen struct {
	tenants *store.Tenants
	list    []store.Tenant
	sel     int
	grant   oauth.Grant
	loadErr error
	lastErr error
	run     *grantRun
	runs    int // numbers runs, so that a cancelled run's late result is ignored
	width   int
	height  int
}

// grantRun is one grant in progress.
type grantRun struct {
	id      int
	tenant  string
	grant   oauth.Grant
	cancel  context.CancelFunc
	device  *oauth.DeviceAuthorization
	authURL string
}

// The get-token screen's messages.
type (
	// getTenantsMsg carries the saved tenants the get-token screen offers.
	getTenantsMsg struct {
		list []store.Tenant
		def  string
		err  error
	}
	// deviceStartedMsg says the provider gave a user code; polling goes on in next.
	deviceStartedMsg struct {
		id   int
		da   *oauth.DeviceAuthorization
		next tea.Cmd
	}
	// authURLMsg says the PKCE login is waiting at authURL; next waits for its end.
	authURLMsg struct {
		id   int
		url  string
		next tea.Cmd
	}
	// tokenObtainedMsg ends run id: the token set (already stored in the keyring unless
	// saveErr says otherwise) or why there is none.
	tokenObtainedMsg struct {
		id      int
		ts      *oauth.TokenSet
		err     error
		saveErr error
		// notStored marks a token that is not the tenant's own (an exchanged one).
		notStored bool
	}
)

var grantOrder = []oauth.Grant{oauth.GrantDevice, oauth.GrantPKCE, oauth.GrantClientCredentials, oauth.GrantRefresh, oauth.GrantExchange}

// open reads the saved tenants (in a command: it is file I/O).
func (s *getScreen) open() tea.Cmd {
	s.lastErr = nil
	if s.tenants == nil {
		path, err := store.ConfigPath("")
		if err != nil {
			s.loadErr = err
			return nil
		}
		s.tenants = store.OpenTenants(path)
	}
	ts := s.tenants
	return func() tea.Msg {
		c, err := ts.Load()
		if err != nil {
			return getTenantsMsg{err: err}
		}
		var list []store.Tenant
		for _, n := range c.Names() {
			t, _ := c.Tenant(n)
			list = append(list, t)
		}
		return getTenantsMsg{list: list, def: c.Default}
	}
}

func (s *getScreen) setSize(w, h int) { s.width, s.height = w, h }

func (s *getScreen) running() bool { return s.run != nil }

// defaultGrant is the grant `tokenbench get` would use for t.
func defaultGrant(t store.Tenant) oauth.Grant {
	switch {
	case t.Grant != "":
		return oauth.Grant(t.Grant)
	case t.Confidential:
		return oauth.GrantClientCredentials
	}
	return oauth.GrantDevice
}

func (s *getScreen) choose(i int) {
	if len(s.list) == 0 {
		return
	}
	s.sel = (i + len(s.list)) % len(s.list)
	s.grant = defaultGrant(s.list[s.sel])
}

func (s *getScreen) update(k KeyMap, env oauth.Overrides, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case getTenantsMsg:
		s.list, s.loadErr = msg.list, msg.err
		if s.loadErr == nil && len(s.list) == 0 {
			s.loadErr = errors.New("no tenants yet: add one on the tenants screen (t) or with 'tokenbench tenants add'")
		}
		s.choose(0)
		for i, t := range s.list {
			if t.Name == msg.def {
				s.choose(i)
			}
		}
		return nil
	case deviceStartedMsg:
		if s.run == nil || s.run.id != msg.id {
			return nil
		}
		s.run.device = msg.da
		return msg.next
	case authURLMsg:
		if s.run == nil || s.run.id != msg.id {
			return nil
		}
		s.run.authURL = msg.url
		return msg.next
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			if s.run != nil {
				s.run.cancel()
				s.run = nil
				s.lastErr = errors.New("cancelled")
				return nil
			}
			return func() tea.Msg { return closeScreenMsg{} }
		case s.run != nil:
			return nil
		case key.Matches(msg, k.Prev):
			s.choose(s.sel - 1)
		case key.Matches(msg, k.Next):
			s.choose(s.sel + 1)
		case key.Matches(msg, k.NextGrant):
			for i, g := range grantOrder {
				if g == s.grant {
					s.grant = grantOrder[(i+1)%len(grantOrder)]
					break
				}
			}
		case key.Matches(msg, k.Confirm):
			if len(s.list) == 0 {
				return nil
			}
			return s.start(env)
		}
	}
	return nil
}

// start launches the chosen grant in commands; the screen keeps only its cancel func.
func (s *getScreen) start(env oauth.Overrides) tea.Cmd {
	t := s.list[s.sel]
	ctx, cancel := context.WithCancel(context.Background())
	s.runs++
	s.lastErr = nil
	s.run = &grantRun{id: s.runs, tenant: t.Name, grant: s.grant, cancel: cancel}
	return runGrant(ctx, s.run.id, s.tenants, t, s.grant, env)
}

// runGrant is the command that runs a grant for t and stores what it obtained, in t's
// tenant session (under its lock). The device and PKCE grants report their prompt first
// and continue in a follow-up command; the refresh grant is the session's explicit
// renewal, which takes a set another process renewed meanwhile instead of spending the
// refresh token again.
func runGrant(ctx context.Context, id int, ts *store.Tenants, t store.Tenant, g oauth.Grant, env oauth.Overrides) tea.Cmd {
	return func() tea.Msg {
		sess := tenantSession(env, ts, t, nil)
		if g == oauth.GrantRefresh {
			out, err := sess.Renew(ctx, store.Policy{Force: true})
			var np *store.NeedsPersonError
			if errors.As(err, &np) {
				err = fmt.Errorf("tenant %q has no stored refresh token: get one with the device or pkce grant (scope offline_access)", t.Name)
			}
			if err != nil {
				return tokenObtainedMsg{id: id, err: err}
			}
			return tokenObtainedMsg{id: id, ts: out.Set, saveErr: out.StoreErr}
		}
		c, err := grantClient(ts, t, env)
		if err != nil {
			return tokenObtainedMsg{id: id, err: err}
		}
		finish := func(set *oauth.TokenSet, err error) tea.Msg {
			if err != nil {
				return tokenObtainedMsg{id: id, err: err}
			}
			// Stored even when the run was cancelled meanwhile: the grant has happened.
			return tokenObtainedMsg{id: id, ts: set, saveErr: sess.Store(context.WithoutCancel(ctx), set)}
		}
		switch g {
		case oauth.GrantClientCredentials:
			return finish(c.ClientCredentials(ctx))
		case oauth.GrantExchange:
			// The tenant's cached access token is the subject: exchanging it for one
			// meant for the tenant's audience. The result is shown, not cached: it is
			// not the tenant's own token.
			prev, err := ts.Secrets.LoadTokenSet(t.Name)
			if err != nil && !errors.Is(err, store.ErrTokenCacheUnreadable) {
				return finish(nil, err)
			}
			if prev == nil || prev.AccessToken == "" {
				return finish(nil, fmt.Errorf("tenant %q has no cached access token to exchange: get one first", t.Name))
			}
			req := oauth.ExchangeRequest{SubjectToken: prev.AccessToken}
			if t.Audience != "" {
				req.Audience = []string{t.Audience}
			}
			set, err := c.Exchange(ctx, req)
			if err != nil {
				return finish(nil, err)
			}
			set.Tenant = t.Name
			return tokenObtainedMsg{id: id, ts: set, notStored: true}
		case oauth.GrantDevice:
			da, err := c.StartDevice(ctx)
			if err != nil {
				return finish(nil, err)
			}
			return deviceStartedMsg{id: id, da: da, next: func() tea.Msg { return finish(c.PollDevice(ctx, da)) }}
		default: // PKCE: the URL arrives through ShowURL while AuthorizationCode waits
			urls := make(chan string, 1)
			done := make(chan tea.Msg, 1)
			c.ShowURL = func(u string) { urls <- u }
			go func() { done <- finish(c.AuthorizationCode(ctx)) }()
			select {
			case u := <-urls:
				return authURLMsg{id: id, url: u, next: func() tea.Msg { return <-done }}
			case msg := <-done:
				return msg
			}
		}
	}
}

// grantClient builds the grants client for t, with its secret (or private key) from the
// keyring when the tenant is confidential.
func grantClient(ts *store.Tenants, t store.Tenant, env oauth.Overrides) (*oauth.Client, error) {
	var secret string
	switch {
	case t.UsesPrivateKey():
		v, _, err := ts.Secrets.PrivateKey(t.Name)
		if err != nil {
			return nil, fmt.Errorf("tenant %q needs its private key: %w", t.Name, err)
		}
		secret = v
	case t.Confidential:
		v, _, err := ts.Secrets.ClientSecret(t.Name)
		if err != nil {
			return nil, fmt.Errorf("tenant %q needs its client secret: %w", t.Name, err)
		}
		secret = v
	}
	return newGrantClient(env, t.ClientConfig(secret)), nil
}

// newGrantClient builds the grants client for cfg with env's clock, waits, HTTP and keys.
func newGrantClient(env oauth.Overrides, cfg oauth.ClientConfig) *oauth.Client {
	c := oauth.NewClient(cfg).Override(env)
	if env.OpenBrowser == nil {
		c.OpenBrowser = openQuietly
	}
	return c
}

// tenantSession returns t's tenant session with env's clients; clock (nil: env's) decides
// whether a cached token is still fresh.
func tenantSession(env oauth.Overrides, ts *store.Tenants, t store.Tenant, clock func() time.Time) *store.Session {
	if clock == nil {
		clock = env.Now
	}
	client := func(cfg oauth.ClientConfig) *oauth.Client { return newGrantClient(env, cfg) }
	return &store.Session{Tenants: ts, Tenant: t, Now: clock, Client: client}
}

// loginURL is the authorize URL of a PKCE run waiting for its callback, else "".
func (s *getScreen) loginURL() string {
	if s.run == nil {
		return ""
	}
	return s.run.authURL
}

// keyMap enables on k, DefaultKeyMap's bindings, those of the screen in its current state.
func (s *getScreen) keyMap(k KeyMap) KeyMap {
	k = k.forOther().lineKeys("previous tenant", "next tenant")
	k.NextGrant.SetEnabled(true)
	k.Confirm.SetHelp("enter", "get token")
	k.CopyURL.SetEnabled(s.loginURL() != "")
	if s.run != nil {
		k.Prev.SetEnabled(false)
		k.Next.SetEnabled(false)
		k.NextGrant.SetEnabled(false)
		k.Confirm.SetEnabled(false)
		k.Back.SetHelp("esc", "cancel")
	}
	return k
}

// finished ends the run a tokenObtainedMsg belongs to; false when it is stale.
func (s *getScreen) finished(msg tokenObtainedMsg) bool {
	if s.run == nil || s.run.id != msg.id {
		return false
	}
	s.run.cancel()
	s.lastErr = advise(msg.err, s.run.grant)
	s.run = nil
	return true
}

// view renders exactly height rows.
func (s *getScreen) view(st Styles, now time.Time, spin string, dark bool) string {
	rows := []string{st.Section.Render("Get a token") + st.Muted.Render(" from a saved tenant"), ""}
	switch {
	case s.loadErr != nil:
		rows = append(rows, st.Fail.Render(tokens.SafeText(oneLine(s.loadErr.Error()))))
	case s.run != nil:
		rows = append(rows, s.runView(st, now, spin, dark)...)
	default:
		for i, t := range s.list {
			line := fmt.Sprintf("  %s  %s", tokens.SafeText(t.Name), st.Muted.Render(tokens.SafeText(t.IssuerURL())))
			if i == s.sel {
				line = st.Selected.Render("› "+tokens.SafeText(t.Name)) + "  " + st.Muted.Render(tokens.SafeText(t.IssuerURL()))
			}
			rows = append(rows, line)
		}
		rows = append(rows, "", "grant: "+st.Action.Render(string(s.grant))+st.Muted.Render("  (tab: other grant, enter: start)"))
		if s.lastErr != nil {
			// The reason is wrapped, not cut (fitRows): its useful end ("could not be
			// reached: check the tenant's issuer") often comes after a long URL.
			rows = append(rows, "", st.Fail.Render("✗ "+tokens.SafeText(oneLine(s.lastErr.Error()))))
		}
	}
	return fitRows(rows, s.width, s.height)
}

func (s *getScreen) runView(st Styles, now time.Time, spin string, dark bool) []string {
	r := s.run
	head := fmt.Sprintf("%s %s · %s", spin, tokens.SafeText(r.tenant), r.grant)
	switch {
	case r.device != nil:
		da := r.device
		rows := []string{head, "", "Open " + st.Action.Render(tokens.SafeText(da.VerificationURI)) + " and enter the code", "",
			"    " + st.Title.Render(spaced(tokens.SafeText(da.UserCode))), ""}
		if !da.Expiry.IsZero() {
			left := da.Expiry.Sub(now)
			style := st.Fresh
			if left < time.Minute {
				style = st.Soon
			}
			if left <= 0 {
				rows = append(rows, st.Expired.Render("the code has expired"))
			} else {
				rows = append(rows, style.Render("the code expires in "+tokens.HumanDuration(left)))
			}
		}
		if da.VerificationURIComplete != "" {
			rows = append(rows, st.Muted.Render("or scan / open "+tokens.SafeText(da.VerificationURIComplete)))
			// The code is drawn only where it fits whole: a cut or wrapped code scans as nothing.
			if q := qrRows(da.VerificationURIComplete, dark); len(q) > 0 && len(rows)+len(q) <= s.height && ansi.StringWidth(q[0]) <= s.width {
				rows = append(rows, q...)
			}
		}
		return rows
	case r.authURL != "":
		rows := []string{head, "", "Log in in your browser; if it did not open, open this URL (c copies it):", ""}
		// The URL is wrapped at the screen's width, never cut: a user without a local
		// browser must be able to read or copy all of it. The safe text of a URL has no
		// spaces, so every row but the last is exactly the width.
		for _, l := range strings.Split(ansi.Hardwrap(tokens.SafeText(r.authURL), max(s.width, 20), true), "\n") {
			rows = append(rows, st.Action.Render(l))
		}
		return append(rows, "", st.Muted.Render("waiting for the login to come back to tokenbench… (esc cancels)"))
	}
	return []string{head, "", st.Muted.Render("asking the provider… (esc cancels)")}
}

// spaced puts a space between the characters of a user code so that it reads large.
func spaced(code string) string {
	return strings.Join(strings.Split(code, ""), " ")
}

// qrRows renders text as a QR code with half blocks, two modules a row, in the terminal's
// foreground colour for the light modules on a dark background (and the other way round
// on a light one), with a quiet zone of two modules.
func qrRows(text string, dark bool) []string {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return nil
	}
	const quiet = 2
	n := code.Size + 2*quiet
	lit := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		black := x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
		return black != dark // on a dark terminal the printed (foreground) modules are the light ones
	}
	var rows []string
	for y := 0; y < n; y += 2 {
		var b strings.Builder
		for x := range n {
			top, bottom := lit(x, y), y+1 < n && lit(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		rows = append(rows, b.String())
	}
	return rows
}

var quietBrowser sync.Once

// openQuietly opens the system browser without letting the launcher write to the
// terminal the workbench is drawing on.
func openQuietly(u string) error {
	quietBrowser.Do(func() { browser.Stdout, browser.Stderr = io.Discard, io.Discard })
	return browser.OpenURL(u)
}

// getPage is the get-token screen in the table of screens. It reaches providers through
// the root's grants, copies the login URL with the root's clipboard, starts the root's
// spinner when a run starts, and has the footer follow the run.
type getPage struct{ m *Model }

func (p getPage) update(k KeyMap, msg tea.Msg) tea.Cmd {
	m := p.m
	if km, ok := msg.(tea.KeyPressMsg); ok && key.Matches(km, k.CopyURL) {
		return copyCmd("the login URL", m.get.loginURL(), m.writeClipboard)
	}
	wasRunning := m.get.running()
	cmd := m.get.update(k, m.grants, msg)
	if !wasRunning && m.get.running() {
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	m.syncKeys() // the footer follows the run: esc cancels, c copies the login URL
	return cmd
}

func (p getPage) view(now time.Time) string {
	return p.m.get.view(p.m.styles, now, p.m.spinner.View(), p.m.dark)
}

func (p getPage) setSize(w, h int)     { p.m.get.setSize(w, h) }
func (getPage) setStyles(Styles)       {} // its view takes the sheet
func (getPage) blur()                  {}
func (p getPage) keys(k KeyMap) KeyMap { return p.m.get.keyMap(k) }
