package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// tenantsScreen lists the saved tenants with what the keyring holds for each, and edits
// them: add and edit through a huh form (the secret in a masked field), delete after a
// y/N confirmation, set the default. Every store call runs in a command; the results come
// back as tenantsLoadedMsg.
type tenantsScreen struct {
	ts      *store.Tenants // nil until opened
	openErr error          // the config path could not be resolved
	styles  Styles

	rows       []tenantRow
	path       string
	cursor     int
	loading    bool
	loadErr    string // the config file could not be read
	keyringErr string // the keyring could not say what is stored

	mode    tenantsMode
	form    *huh.Form
	draft   *tenantDraft
	formErr string // why the last submit was refused
	delName string // the tenant a delete waits confirmation for

	width, height int
}

type tenantsMode int

const (
	tenantsList tenantsMode = iota
	tenantsForm
	tenantsConfirm
)

type tenantRow struct {
	t         store.Tenant
	st        store.SecretStatus
	isDefault bool
}

// tenantsLoadedMsg carries the tenants as the store has them after a load or a change,
// with what the change did (note) or why it failed (err).
type tenantsLoadedMsg struct {
	path       string
	cfg        *store.Config
	status     map[string]store.SecretStatus
	keyringErr error
	note       string
	err        error
}

func newTenantsScreen(ts *store.Tenants, st Styles) tenantsScreen {
	return tenantsScreen{ts: ts, styles: st}
}

func (s *tenantsScreen) setSize(w, h int) {
	s.width, s.height = w, h
	if s.form != nil {
		s.form.WithWidth(max(w-2, 20)).WithHeight(s.formHeight())
	}
}

// head is the screen's first row, before it is wrapped.
func (s *tenantsScreen) head(st Styles) string {
	return st.Section.Render("Tenants") + st.Muted.Render(" · secrets live in the OS keyring, never in "+orDash(s.path))
}

// formHeight is what the heading (wrapped: a config path can be long), the form's title
// and its error row leave the form.
func (s *tenantsScreen) formHeight() int {
	return max(s.height-len(wrapRow(s.head(Styles{}), s.width, 0))-2, 5)
}

func (s *tenantsScreen) setStyles(st Styles) {
	s.styles = st
	if s.form != nil {
		s.form.WithTheme(st.Form)
	}
}

// open shows the list and loads it. The store is the system one at the default config
// path unless the workbench was given one.
func (s *tenantsScreen) open() tea.Cmd {
	s.mode, s.form, s.formErr = tenantsList, nil, ""
	if s.ts == nil {
		path, err := store.ConfigPath("")
		if err != nil {
			s.openErr = err
			return nil
		}
		s.ts = store.OpenTenants(path)
	}
	return s.change("", nil)
}

// change runs op (nil: none) on the store in a command, then reloads the tenants and the
// keyring status of each. Tenants whose status was not asked because the keyring already
// failed show as unknown.
func (s *tenantsScreen) change(note string, op func(*store.Tenants) error) tea.Cmd {
	ts := s.ts
	s.loading = true
	return func() tea.Msg {
		msg := tenantsLoadedMsg{path: ts.Path}
		if op != nil {
			msg.err = op(ts)
			var left *store.SecretsLeftError
			switch {
			case msg.err == nil:
				msg.note = note
			case errors.As(msg.err, &left): // done in the config; the keyring waits
				msg.note, msg.err = "removed tenant "+left.Tenant+" from the config; its keyring entries were not reached ("+left.Cause+") and go with the next change made with the keyring", nil
			}
		}
		cfg, err := ts.Load()
		if err != nil {
			if msg.err == nil {
				msg.err = err
			}
			return msg
		}
		msg.cfg, msg.status = cfg, map[string]store.SecretStatus{}
		for _, name := range cfg.Names() {
			if msg.keyringErr != nil {
				break
			}
			msg.status[name], msg.keyringErr = ts.Status(name)
		}
		return msg
	}
}

// loaded takes in the tenants a command read.
func (s *tenantsScreen) loaded(msg tenantsLoadedMsg) {
	s.loading, s.path = false, msg.path
	s.keyringErr, s.loadErr = "", ""
	if msg.keyringErr != nil {
		s.keyringErr = msg.keyringErr.Error()
	}
	if msg.cfg == nil {
		s.loadErr = msg.err.Error()
		s.rows = nil
		return
	}
	sel := ""
	if r := s.selected(); r != nil {
		sel = r.t.Name
	}
	s.rows = s.rows[:0]
	for _, name := range msg.cfg.Names() {
		t, _ := msg.cfg.Tenant(name)
		st, ok := msg.status[name]
		if !ok {
			st = store.SecretStatus{ClientSecret: store.StateUnknown, RefreshToken: store.StateUnknown, TokenSet: store.StateUnknown}
		}
		st = st.For(t)
		if name == sel {
			s.cursor = len(s.rows)
		}
		s.rows = append(s.rows, tenantRow{t: t, st: st, isDefault: msg.cfg.Default == name})
	}
	s.cursor = min(s.cursor, max(len(s.rows)-1, 0))
}

func (s *tenantsScreen) selected() *tenantRow {
	if len(s.rows) == 0 {
		return nil
	}
	return &s.rows[s.cursor]
}

// keyMap enables on k, DefaultKeyMap's bindings, the tenants screen's for its mode: while
// the form or the confirmation is up, the list keys are off (they are text or answers
// there). The form shows its own enter.
func (s *tenantsScreen) keyMap(k KeyMap) KeyMap {
	k = k.forOther().lineKeys("previous tenant", "next tenant")
	k.Confirm.SetEnabled(false)
	list := s.mode == tenantsList
	for _, b := range []*key.Binding{&k.Prev, &k.Next, &k.NewTenant, &k.EditTenant, &k.DeleteTenant, &k.UseTenant} {
		b.SetEnabled(list)
	}
	switch s.mode {
	case tenantsForm:
		k.Back.SetHelp("esc", "cancel")
	case tenantsConfirm:
		k.Back.SetHelp("y/n", "delete?")
	}
	return k
}

// update handles the active mode: list keys, the form, or the delete confirmation.
func (s *tenantsScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	switch s.mode {
	case tenantsForm:
		return s.updateForm(msg)
	case tenantsConfirm:
		return s.updateConfirm(msg)
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if key.Matches(km, k.Back) {
		return func() tea.Msg { return closeScreenMsg{} }
	}
	if s.ts == nil || s.loading {
		return nil
	}
	r := s.selected()
	switch {
	case key.Matches(km, k.Prev):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(km, k.Next):
		s.cursor = min(s.cursor+1, max(len(s.rows)-1, 0))
	case key.Matches(km, k.NewTenant):
		return s.openForm(nil)
	case key.Matches(km, k.EditTenant) && r != nil:
		return s.openForm(&r.t)
	case key.Matches(km, k.DeleteTenant) && r != nil:
		s.mode, s.delName = tenantsConfirm, r.t.Name
	case key.Matches(km, k.UseTenant) && r != nil:
		name := r.t.Name
		return s.change("default tenant is now "+name, func(ts *store.Tenants) error { return ts.Use(name) })
	}
	return nil
}

// updateConfirm takes the answer to "delete?": y deletes, anything else cancels.
func (s *tenantsScreen) updateConfirm(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	name := s.delName
	s.mode, s.delName = tenantsList, ""
	if km.String() != "y" && km.String() != "Y" {
		return nil
	}
	return s.change("removed tenant "+name+" and its keyring entries", func(ts *store.Tenants) error { return ts.Remove(name) })
}

// updateForm feeds the form; when it completes the tenant is validated as a whole and
// saved, or the form comes back with the reason; esc cancels.
func (s *tenantsScreen) updateForm(msg tea.Msg) tea.Cmd {
	f, cmd := s.form.Update(msg)
	s.form = f.(*huh.Form)
	switch s.form.State {
	case huh.StateAborted:
		s.mode, s.form, s.formErr = tenantsList, nil, ""
		return nil
	case huh.StateCompleted:
		d := s.draft
		t, err := d.tenant()
		if err != nil {
			s.formErr = err.Error()
			s.form = s.newForm()
			return s.form.Init()
		}
		change := store.KeepSecret
		switch {
		case t.UsesPrivateKey() && d.PrivateKey != "":
			change = store.SetPrivateKey(d.PrivateKey)
		case d.Secret != "":
			change = store.SetSecret(d.Secret)
		}
		d.Secret, d.PrivateKey = "", "" // the secrets leave the screen with the command
		s.mode, s.form, s.formErr = tenantsList, nil, ""
		if d.editing == "" {
			return s.change("added tenant "+t.Name, func(ts *store.Tenants) error { return ts.Add(t, change) })
		}
		name := d.editing
		return s.change("saved tenant "+name, func(ts *store.Tenants) error {
			return ts.Edit(name, func(cur *store.Tenant) error { return d.applyTo(cur) }, change)
		})
	}
	return cmd
}

// openForm shows the add form (t nil) or the edit form for t.
func (s *tenantsScreen) openForm(t *store.Tenant) tea.Cmd {
	s.draft = newDraft(t)
	for _, r := range s.rows {
		s.draft.taken = append(s.draft.taken, r.t.Name)
	}
	s.mode, s.formErr = tenantsForm, ""
	s.form = s.newForm()
	return s.form.Init()
}

func (s *tenantsScreen) newForm() *huh.Form {
	d := s.draft
	var fields []huh.Field
	fields = append(fields, huh.NewSelect[string]().Title("Kind").
		Options(huh.NewOption("Auth0 (by domain)", string(store.KindAuth0)), huh.NewOption("OpenID Connect (by issuer URL)", string(store.KindOIDC))).
		Value(&d.Kind))
	if d.editing == "" {
		fields = append(fields, huh.NewInput().Title("Name").Description("letters, digits, '.', '_' or '-'").
			Value(&d.Name).Validate(d.validateName))
	}
	secretHelp := "stored in the OS keyring; leave empty for a public client or to use " + store.EnvClientSecret
	keyHelp := "paste a PEM or JWK private key; stored in the OS keyring only"
	if d.editing != "" {
		secretHelp = "leave empty to keep the stored one"
		keyHelp = "leave empty to keep the stored one"
	}
	fields = append(fields,
		huh.NewInput().Title("Domain (Auth0) or issuer URL (OIDC)").Placeholder("dev-abc.eu.auth0.com").
			Value(&d.Where).Validate(d.validateWhere),
		huh.NewInput().Title("Client ID").Value(&d.ClientID).Validate(required("a client ID")),
		huh.NewConfirm().Title("Confidential client (has a client secret)?").Value(&d.Confidential),
		huh.NewInput().Title("Client secret").Description(secretHelp).
			EchoMode(huh.EchoModePassword).Value(&d.Secret).Validate(d.validateSecret),
		huh.NewInput().Title("Audience").Description("optional (Auth0 APIs)").Value(&d.Audience),
		huh.NewInput().Title("Scopes").Description("optional, separated by spaces").Value(&d.Scopes),
		huh.NewSelect[string]().Title("Default grant").Options(grantOptions()...).Value(&d.Grant),
		huh.NewInput().Title("Organization").Description("optional (Auth0)").Value(&d.Org),
		huh.NewInput().Title("Redirect port").Description("optional: pin the loopback redirect port").
			Value(&d.Port).Validate(validatePort),
		huh.NewInput().Title("Redirect URI").Description("optional: the exact loopback URI registered, http://localhost:PORT/PATH (wins over the port)").
			Value(&d.RedirectURI).Validate(validateRedirectURI),
		huh.NewSelect[string]().Title("Client authentication").Options(authOptions()...).Value(&d.AuthMethod),
		huh.NewText().Title("Private key (private_key_jwt)").Description(keyHelp).
			Value(&d.PrivateKey).Validate(d.validatePrivateKey),
		huh.NewConfirm().Title("Use the issuer's discovery document?").
			Description("no: the endpoints below are all there is").Value(&d.Discovery),
	)
	for _, e := range d.endpointInputs() {
		fields = append(fields, huh.NewInput().Title(e.title).Description("optional: used instead of discovery's").
			Value(e.value).Validate(validateEndpoint))
	}
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return huh.NewForm(huh.NewGroup(fields...)).
		WithTheme(s.styles.Form).WithKeyMap(km).WithShowHelp(true).
		WithWidth(max(s.width-2, 20)).WithHeight(s.formHeight())
}

func authOptions() []huh.Option[string] {
	opts := []huh.Option[string]{huh.NewOption("default (client_secret_basic, none for a public client)", "")}
	for _, m := range oauth.AuthMethods {
		opts = append(opts, huh.NewOption(string(m), string(m)))
	}
	return opts
}

// endpointInput is one endpoint override field of the form.
type endpointInput struct {
	title string
	value *string
}

func (d *tenantDraft) endpointInputs() []endpointInput {
	e := &d.Endpoints
	return []endpointInput{
		{"Authorization endpoint", &e.Authorization}, {"Token endpoint", &e.Token},
		{"Device authorization endpoint", &e.DeviceAuthorization}, {"Userinfo endpoint", &e.Userinfo},
		{"Introspection endpoint", &e.Introspection}, {"Revocation endpoint", &e.Revocation},
		{"JWKS URI", &e.JWKSURI},
	}
}

func validateRedirectURI(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return nil
	}
	if _, _, _, err := oauth.ParseRedirectURI(v); err != nil {
		return errors.New("use http://127.0.0.1:PORT/PATH, http://localhost:PORT/PATH or http://[::1]:PORT/PATH")
	}
	return nil
}

func validateEndpoint(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return nil
	}
	if (oauth.Endpoints{Token: v}).Check() != nil {
		return errors.New("an https URL (http only on loopback), without fragment")
	}
	return nil
}

func (d *tenantDraft) validatePrivateKey(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if d.AuthMethod != string(oauth.AuthPrivateKeyJWT) {
		return errors.New("a private key is only used with private_key_jwt")
	}
	if _, err := oauth.ParseSigningKey([]byte(v)); err != nil {
		return errors.New("this key cannot sign client assertions (PEM or JWK; RSA ≥ 2048, EC or Ed25519)")
	}
	return nil
}

func grantOptions() []huh.Option[string] {
	opts := []huh.Option[string]{huh.NewOption("none (choose when getting a token)", "")}
	for _, g := range oauth.Grants {
		opts = append(opts, huh.NewOption(string(g), string(g)))
	}
	return opts
}

// tenantDraft holds what the form edits. Fields the form does not show (extra
// parameters) are kept from the tenant being edited.
type tenantDraft struct {
	Kind, Name, Where, ClientID, Secret, Audience, Scopes, Grant, Org, Port string
	RedirectURI, AuthMethod, PrivateKey                                     string
	Confidential, Discovery                                                 bool
	Endpoints                                                               store.Endpoints

	editing string       // the tenant's name when editing; "" when adding
	orig    store.Tenant // the tenant as it was when the form opened
	taken   []string     // names already in use
}

func newDraft(t *store.Tenant) *tenantDraft {
	if t == nil {
		return &tenantDraft{Kind: string(store.KindAuth0), Confidential: true, Discovery: true}
	}
	d := &tenantDraft{
		Kind: string(t.Kind), Name: t.Name, ClientID: t.ClientID, Audience: t.Audience,
		Scopes: strings.Join(t.Scopes, " "), Grant: string(t.Grant), Org: t.Organization,
		Confidential: t.Confidential, editing: t.Name, orig: *t,
		RedirectURI: t.RedirectURI, AuthMethod: string(t.AuthMethod), Discovery: !t.NoDiscovery, Endpoints: t.Endpoints,
	}
	d.Where = t.Issuer
	if t.Kind == store.KindAuth0 {
		d.Where = t.Domain
	}
	if t.RedirectPort != 0 {
		d.Port = strconv.Itoa(t.RedirectPort)
	}
	return d
}

// applyTo copies the form's fields onto t.
func (d *tenantDraft) applyTo(t *store.Tenant) error {
	t.Kind = store.Kind(d.Kind)
	t.Domain, t.Issuer = "", ""
	if t.Kind == store.KindAuth0 {
		t.Domain = normalizeDomain(d.Where)
	} else {
		t.Issuer = strings.TrimSpace(d.Where)
	}
	t.ClientID = strings.TrimSpace(d.ClientID)
	t.Confidential = d.Confidential
	t.Audience = strings.TrimSpace(d.Audience)
	t.Scopes = strings.Fields(d.Scopes)
	t.Grant = oauth.Grant(d.Grant)
	t.Organization = strings.TrimSpace(d.Org)
	t.RedirectURI = strings.TrimSpace(d.RedirectURI)
	t.AuthMethod = oauth.AuthMethod(d.AuthMethod)
	t.NoDiscovery = !d.Discovery
	for _, e := range d.endpointInputs() {
		*e.value = strings.TrimSpace(*e.value)
	}
	t.Endpoints = d.Endpoints
	t.RedirectPort = 0
	if p := strings.TrimSpace(d.Port); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("redirect port %q is not a number", p)
		}
		t.RedirectPort = n
	}
	return nil
}

// tenant is the tenant the form describes, validated as a whole.
func (d *tenantDraft) tenant() (store.Tenant, error) {
	t := d.orig
	if d.editing == "" {
		t = store.Tenant{Name: strings.TrimSpace(d.Name)}
	}
	if err := d.applyTo(&t); err != nil {
		return t, err
	}
	if d.Secret != "" && !t.Confidential {
		return t, errors.New("a public client has no client secret: clear it or make the client confidential")
	}
	if t.UsesPrivateKey() && d.Secret != "" {
		return t, errors.New("a private_key_jwt client has a private key, not a client secret: clear the secret")
	}
	if t.UsesPrivateKey() && d.PrivateKey == "" && !d.orig.UsesPrivateKey() {
		return t, errors.New("private_key_jwt needs the client's private key: paste it in the form")
	}
	return t, t.Validate()
}

func (d *tenantDraft) validateName(v string) error {
	v = strings.TrimSpace(v)
	if err := store.ValidateName(v); err != nil {
		return errors.New("use 1-64 letters, digits, '.', '_' or '-'")
	}
	for _, n := range d.taken {
		if n == v {
			return fmt.Errorf("a tenant called %s already exists", v)
		}
	}
	return nil
}

// validateWhere checks the domain or issuer as the store would, for the kind chosen above.
func (d *tenantDraft) validateWhere(v string) error {
	probe := store.Tenant{Name: "probe", Kind: store.Kind(d.Kind), ClientID: "probe"}
	if probe.Kind == store.KindAuth0 {
		probe.Domain = normalizeDomain(v)
	} else {
		probe.Issuer = strings.TrimSpace(v)
	}
	var te *store.TenantError
	if err := probe.Validate(); errors.As(err, &te) && (te.Field == "domain" || te.Field == "issuer") {
		return errors.New(te.Reason)
	}
	return nil
}

func (d *tenantDraft) validateSecret(v string) error {
	if v != "" && !d.Confidential {
		return errors.New("a public client has no client secret")
	}
	return nil
}

func required(what string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(what + " is required")
		}
		return nil
	}
}

func validatePort(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 65535 {
		return errors.New("a port is a number from 1 to 65535")
	}
	return nil
}

// normalizeDomain accepts what people paste for an Auth0 domain: "https://x.auth0.com/".
func normalizeDomain(d string) string {
	d = strings.TrimSpace(d)
	d = strings.TrimPrefix(d, "https://")
	return strings.TrimRight(d, "/")
}

// view renders the screen: exactly height rows.
func (s *tenantsScreen) view(st Styles) string {
	rows := []string{s.head(st)}
	switch {
	case s.openErr != nil:
		rows = append(rows, "", st.Fail.Render("✗ "+tokens.SafeText(oneLine(s.openErr.Error()))))
	case s.mode == tenantsForm:
		title := "Add a tenant"
		if s.draft.editing != "" {
			title = "Edit tenant " + s.draft.editing
		}
		rows = append(rows, st.Title.Render(title))
		if s.formErr != "" {
			rows = append(rows, st.Fail.Render("✗ "+tokens.SafeText(oneLine(s.formErr))))
		}
		rows = append(rows, strings.Split(s.form.View(), "\n")...)
	default:
		rows = append(rows, "")
		rows = append(rows, s.table(st)...)
	}
	return fitRows(rows, s.width, s.height)
}

// table is the list of tenants, the confirmation or load error, and the keyring warning.
func (s *tenantsScreen) table(st Styles) []string {
	switch {
	case s.loadErr != "":
		return []string{st.Fail.Render("✗ " + tokens.SafeText(oneLine(s.loadErr)))}
	case s.loading && len(s.rows) == 0:
		return []string{st.Muted.Render("Loading…")}
	case len(s.rows) == 0:
		return []string{st.Muted.Render("No tenants yet. Press n to add one.")}
	}
	cells := [][]string{{"  NAME", "KIND", "ISSUER", "CLIENT ID", "GRANT", "SECRET", "TOKEN"}}
	for _, r := range s.rows {
		mark := " "
		if r.isDefault {
			mark = "★"
		}
		secret := string(r.st.ClientSecret)
		switch {
		case !r.t.Confidential:
			secret = "public"
		case r.t.UsesPrivateKey():
			secret = "key " + string(r.st.PrivateKey)
		}
		cells = append(cells, []string{mark + " " + r.t.Name, string(r.t.Kind), r.t.IssuerURL(), r.t.ClientID,
			orDash(string(r.t.Grant)), secret, string(r.st.TokenSet)})
	}
	widths := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			widths[i] = max(widths[i], ansi.StringWidth(tokens.SafeText(c)))
		}
	}
	var out []string
	for n, row := range cells {
		var b strings.Builder
		for i, c := range row {
			c = tokens.SafeText(c)
			b.WriteString(c + strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
		}
		// A table row is cut to the width, not wrapped: its columns must stay in line.
		line := ansi.Truncate(strings.TrimRight(b.String(), " "), s.width, "…")
		switch {
		case n == 0:
			line = st.Muted.Render(line)
		case n-1 == s.cursor:
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	out = append(out, "")
	if s.mode == tenantsConfirm {
		out = append(out, st.Danger.Render(fmt.Sprintf("Delete tenant %s and its keyring entries? y/N", s.delName)))
	}
	if s.keyringErr != "" {
		out = append(out, st.Warn.Render("! "+tokens.SafeText(oneLine(s.keyringErr))))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// tenantsLoaded hands a store result to the tenants screen, refreshes the issuers the
// workbench knows as saved tenants, and reports the result in the status bar.
func (m *Model) tenantsLoaded(msg tenantsLoadedMsg) {
	m.tenantsScreen.loaded(msg)
	if msg.cfg != nil {
		m.tenants = savedTenants{cfg: msg.cfg}
	}
	switch {
	case msg.err != nil:
		m.status.fail(msg.err, m.now())
	case msg.note != "":
		m.status.set(msg.note, m.now())
	}
}

// tenantsPage is the tenants screen in the table of screens.
type tenantsPage struct{ m *Model }

func (p tenantsPage) update(k KeyMap, msg tea.Msg) tea.Cmd {
	cmd := p.m.tenantsScreen.update(k, msg)
	p.m.syncKeys() // the footer follows the tenants screen's mode
	return cmd
}

func (p tenantsPage) view(time.Time) string { return p.m.tenantsScreen.view(p.m.styles) }
func (p tenantsPage) setSize(w, h int)      { p.m.tenantsScreen.setSize(w, h) }
func (p tenantsPage) setStyles(st Styles)   { p.m.tenantsScreen.setStyles(st) }
func (tenantsPage) blur()                   {}
func (p tenantsPage) keys(k KeyMap) KeyMap  { return p.m.tenantsScreen.keyMap(k) }
