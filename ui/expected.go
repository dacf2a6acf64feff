package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

// expectation is the session's expected context for one issuer — "my API" — and the
// keys the user gave for it: it applies to every token of the session whose iss is that
// issuer, so that keys loaded once and an audience named once check them all.
type expectation struct {
	// issuer is the expected iss ("" accepts any); audiences and scopes what the API
	// requires. Algorithms, profile and leeway come from the command line.
	issuer     string
	audiences  []string
	scopes     []string
	algorithms []string
	profile    tokens.Profile
	leeway     time.Duration // as tokens.Policy.Leeway: 0 the default, negative none
	// set says the user named the API (the command line or the form): a saved tenant's
	// audience is then not put in its place.
	set bool
	// keys are the verification keys for the issuer (F, L, the command line) and
	// decrypt the JWE keys (L on a JWE); discovered is the issuer the keys were
	// discovered for, pinned as the expected issuer when none was named.
	keys       *tokens.KeySet
	decrypt    []tokens.Key
	discovered string
}

// issuerOf is the issuer a token's expectation is filed under: its iss, the header iss
// of an issuer-encrypted JWE, or "" for a token that names none.
func issuerOf(e *entry) string {
	if e == nil || e.in.Parsed == nil {
		return ""
	}
	if e.in.Parsed.Claims != nil {
		if iss, ok := e.in.Parsed.Claims.String("iss"); ok {
			return iss
		}
	}
	iss, _ := e.in.Parsed.Header.String("iss")
	return iss
}

// expectFor returns the session's expectation for e's issuer, creating it.
func (m *Model) expectFor(e *entry) *expectation {
	iss := issuerOf(e)
	x := m.expect[iss]
	if x == nil {
		x = &expectation{}
		m.expect[iss] = x
	}
	return x
}

// policyFor is the policy e is validated with: the expectation of its issuer, filled in
// from the saved tenant the token belongs to where the user named nothing.
func (m *Model) policyFor(e *entry) (tokens.Policy, *tokens.KeySet) {
	x := m.expectFor(e)
	p := tokens.Policy{
		Now: m.now, Issuer: x.issuer, Audiences: x.audiences, Scopes: x.scopes,
		Algorithms: x.algorithms, Profile: x.profile, DecryptionKeys: x.decrypt,
	}
	p.Leeway = x.leeway
	if p.Issuer == "" {
		p.Issuer = x.discovered
	}
	if t, ok := m.tenantOf(e); ok {
		switch {
		case e.from != nil && e.from.kind == kindID && t.ClientID != "":
			// An ID token the tenant issued to us is for our client, not for the API.
			p.Audiences = []string{t.ClientID}
		case !x.set && len(p.Audiences) == 0 && t.Audience != "":
			p.Audiences = []string{t.Audience}
		}
		if t.ClientID != "" {
			p.Clients = []string{t.ClientID}
		}
	}
	keys := x.keys
	if e.example || e.ownKeys {
		keys = e.val.keys // the example's or the session's own key, nobody else's
	}
	if p.Algorithms == nil && hasSecret(keys) {
		// A secret the user gave is a request to check HMAC tokens with it; a secret can
		// never come from a JWKS (the validator refuses that by origin).
		p.Algorithms = append(slices.Clone(tokens.DefaultAlgorithms), "HS256", "HS384", "HS512")
	}
	return p, keys
}

func hasSecret(ks *tokens.KeySet) bool {
	if ks == nil {
		return false
	}
	for _, k := range ks.Keys {
		if k.Origin == tokens.OriginSecretFile {
			return true
		}
	}
	return false
}

// tenantOf is the saved tenant e's token belongs to, if the config has been read.
func (m *Model) tenantOf(e *entry) (store.Tenant, bool) {
	if m.tenants.cfg == nil {
		return store.Tenant{}, false
	}
	name, ok := m.tenants.match(issuerOf(e), tokenClient(e))
	if !ok {
		return store.Tenant{}, false
	}
	return m.tenants.cfg.Tenant(name)
}

// revalidateIssuer validates again every token of iss: its expectation or keys changed.
func (m *Model) revalidateIssuer(iss string) tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range m.list.entries {
		if issuerOf(e) == iss {
			cmds = append(cmds, m.revalidate(e))
			m.refreshView(e)
		}
	}
	return tea.Batch(cmds...)
}

// expectResolvedMsg carries the command line's expectation, resolved (tenant read, keys
// loaded) in a command at start-up.
type expectResolvedMsg struct {
	res  store.Resolved
	x    store.Expectation
	keys *tokens.KeySet
	err  error
}

// resolveExpectation resolves the command line's expectation: reads the tenant and loads
// the keys, by discovery only when no explicit source was given (store.Expectation).
func resolveExpectation(x *store.Expectation, ts *store.Tenants, fetch store.KeyFetcher, kid string) tea.Cmd {
	if x == nil {
		return nil
	}
	xv := *x
	return func() tea.Msg {
		res, err := xv.Resolve(ts)
		if err != nil {
			return expectResolvedMsg{x: xv, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		keys, err := xv.Keys(ctx, res, fetch, kid)
		return expectResolvedMsg{res: res, x: xv, keys: keys, err: err}
	}
}

// expectResolved files the command line's expectation under its issuer — the tenant's
// or --issuer, else the opened token's — and validates the tokens of that issuer.
func (m *Model) expectResolved(msg expectResolvedMsg) tea.Cmd {
	iss := msg.res.Policy.Issuer
	if iss == "" {
		if e := m.list.selected(); e != nil {
			iss = issuerOf(e)
		}
	}
	x := m.expect[iss]
	if x == nil {
		x = &expectation{}
		m.expect[iss] = x
	}
	p := msg.res.Policy
	x.issuer, x.audiences, x.scopes, x.algorithms, x.profile = p.Issuer, p.Audiences, p.Scopes, p.Algorithms, p.Profile
	x.leeway = p.Leeway
	x.set = len(msg.x.Audiences) > 0 || len(msg.x.Scopes) > 0
	if msg.keys != nil {
		x.keys = msg.keys
	}
	if msg.err != nil {
		m.status.fail(errors.New("keys from the command line: "+oneLine(msg.err.Error())), m.now())
	}
	return m.revalidateIssuer(iss)
}

// expectedScreen is the "my API" form: the expected issuer, audiences and scopes for the
// selected token's issuer, pre-filled from what the session or the saved tenant knows.
type expectedScreen struct {
	form          *huh.Form
	issuer        string // the issuer the answers are filed under
	expIssuer     string
	auds, scopes  string
	width, height int
	styles        Styles
}

// expectSetMsg carries the form's answers.
type expectSetMsg struct {
	issuer, expIssuer string
	audiences, scopes []string
}

// open builds the form for e, pre-filled.
func (s *expectedScreen) open(m *Model, e *entry) tea.Cmd {
	x := m.expectFor(e)
	s.issuer = issuerOf(e)
	s.expIssuer, s.auds, s.scopes = x.issuer, strings.Join(x.audiences, " "), strings.Join(x.scopes, " ")
	if s.expIssuer == "" {
		s.expIssuer = s.issuer
	}
	if t, ok := m.tenantOf(e); ok {
		if s.auds == "" && !x.set {
			s.auds = t.Audience
		}
	}
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	s.form = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Expected issuer").Description("compared exactly; empty accepts any").Value(&s.expIssuer),
		huh.NewInput().Title("Audience(s)").Description("your API's identifier; several separated by spaces").
			Placeholder("https://api.example.com/").Value(&s.auds),
		huh.NewInput().Title("Required scopes").Description("separated by spaces; found in scope, scp or permissions").
			Placeholder("read:orders").Value(&s.scopes),
	)).WithTheme(s.styles.Form).WithKeyMap(km).WithShowHelp(true).
		WithWidth(max(s.width-2, 20)).WithHeight(max(s.height-3, 5))
	return s.form.Init()
}

func (s *expectedScreen) setSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		s.form.WithWidth(max(w-2, 20)).WithHeight(max(h-3, 5))
	}
}

func (s *expectedScreen) setStyles(st Styles) {
	s.styles = st
	if s.form != nil {
		s.form.WithTheme(st.Form)
	}
}

func (s *expectedScreen) update(_ KeyMap, msg tea.Msg) tea.Cmd {
	if s.form == nil {
		return func() tea.Msg { return closeScreenMsg{} }
	}
	f, cmd := s.form.Update(msg)
	s.form = f.(*huh.Form)
	switch s.form.State {
	case huh.StateAborted:
		s.form = nil
		return func() tea.Msg { return closeScreenMsg{} }
	case huh.StateCompleted:
		set := expectSetMsg{issuer: s.issuer, expIssuer: strings.TrimSpace(s.expIssuer),
			audiences: splitList(s.auds), scopes: splitList(s.scopes)}
		s.form = nil
		return func() tea.Msg { return set }
	}
	return cmd
}

// splitList reads a list typed with spaces or commas between its items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// view renders exactly height rows.
func (s *expectedScreen) view(st Styles) string {
	what := "tokens that name no issuer"
	if s.issuer != "" {
		what = "every token from " + tokens.SafeText(s.issuer)
	}
	rows := []string{st.Section.Render("Your API") + st.Muted.Render(" · for "+what)}
	if s.form != nil {
		rows = append(rows, strings.Split(s.form.View(), "\n")...)
	}
	return fitRows(rows, s.width, s.height)
}

// expectSet stores the form's answers for the issuer and validates its tokens again.
func (m *Model) expectSet(msg expectSetMsg) tea.Cmd {
	x := m.expect[msg.issuer]
	if x == nil {
		x = &expectation{}
		m.expect[msg.issuer] = x
	}
	x.issuer, x.audiences, x.scopes, x.set = msg.expIssuer, msg.audiences, msg.scopes, true
	m.setScreen(screenMain)
	what := "any audience"
	if len(msg.audiences) > 0 {
		what = strings.Join(msg.audiences, " ")
	}
	m.status.set("your API: "+tokens.SafeText(what)+" — applies to every token from "+tokens.SafeText(orDash(msg.issuer)), m.now())
	return m.revalidateIssuer(msg.issuer)
}

// expectedPage is the your-API screen in the table of screens.
type expectedPage struct{ m *Model }

func (p expectedPage) update(k KeyMap, msg tea.Msg) tea.Cmd { return p.m.expectedIn.update(k, msg) }
func (p expectedPage) view(time.Time) string                { return p.m.expectedIn.view(p.m.styles) }
func (p expectedPage) setSize(w, h int)                     { p.m.expectedIn.setSize(w, h) }
func (p expectedPage) setStyles(st Styles)                  { p.m.expectedIn.setStyles(st) }
func (expectedPage) blur()                                  {}

// keys: the form shows its own enter.
func (expectedPage) keys(k KeyMap) KeyMap {
	k = k.forOther()
	k.Confirm.SetEnabled(false)
	return k
}
