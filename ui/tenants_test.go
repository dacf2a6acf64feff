package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/godbus/dbus/v5"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// tenantsHarness drives the root model on the tenants screen. Unlike harness it does not
// run the commands the huh form hands out (cursor blinks wait on a timer); it runs only
// the store commands the screen returns on its own, and moves the form from field to
// field with the messages huh itself would deliver.
type tenantsHarness struct {
	t  *testing.T
	m  *Model
	ts *store.Tenants
}

func newTenantsHarness(t *testing.T) *tenantsHarness {
	t.Helper()
	ts := &store.Tenants{
		Path:    filepath.Join(t.TempDir(), "config.toml"),
		Secrets: &store.Secrets{Keyring: keyringtest.NewMemory(), LookupEnv: func(string) (string, bool) { return "", false }},
	}
	m, err := New(Options{Tenants: ts, Now: func() time.Time { return t0 }, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	h := &tenantsHarness{t: t, m: m, ts: ts}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 44})
	return h
}

func (h *tenantsHarness) send(msg tea.Msg) tea.Cmd {
	next, cmd := h.m.Update(msg)
	h.m = next.(*Model)
	return cmd
}

func (h *tenantsHarness) key(name string) tea.Cmd { return h.send(press(name)) }

// storeDone runs a store command returned by the screen and delivers its result.
func (h *tenantsHarness) storeDone(cmd tea.Cmd) {
	h.t.Helper()
	if cmd == nil {
		h.t.Fatal("expected a store command, got none")
	}
	msg, ok := cmd().(tenantsLoadedMsg)
	if !ok {
		h.t.Fatalf("the command returned %T, want tenantsLoadedMsg", msg)
	}
	h.send(msg)
}

// typeText puts s into the focused input in one go (as a paste: one form update instead
// of one per character, which keeps the race-enabled suite quick).
func (h *tenantsHarness) typeText(s string) {
	if s != "" {
		h.send(tea.PasteMsg{Content: s})
	}
}

// clear empties the focused input (ctrl+u).
func (h *tenantsHarness) clear() { h.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) }

// next presses enter on the focused field and, when it accepted its value, moves on the
// way huh would.
func (h *tenantsHarness) next() {
	h.t.Helper()
	h.key("enter")
	if errs := h.m.tenantsScreen.form.Errors(); len(errs) > 0 {
		h.t.Fatalf("the field refused its value: %v\n%s", errs, h.screen())
	}
	h.send(huh.NextField())
}

// input types text into the focused input and moves on.
func (h *tenantsHarness) input(text string) {
	h.t.Helper()
	h.typeText(text)
	h.next()
}

// submit leaves the field being typed in and every later one as it is (the optional
// wiring fields: redirect URI, auth method, key, discovery, endpoints): huh then asks
// for the next group, which completes the form, and the screen hands out the save
// command, which is run.
func (h *tenantsHarness) submit() {
	h.t.Helper()
	h.key("enter")
	form := h.m.tenantsScreen.form
	var save tea.Cmd
	for range 32 {
		save = nil
		for _, msg := range runLeaves(h.t, h.send(huh.NextField())) {
			if c := h.send(msg); c != nil {
				save = c
			}
		}
		if h.m.tenantsScreen.mode != tenantsForm || h.m.tenantsScreen.form != form {
			break // saved, or refused with a new form
		}
	}
	if h.m.tenantsScreen.mode == tenantsForm {
		return // refused: the form is back with the reason
	}
	h.storeDone(save)
}

// runLeaves runs cmd's leaves (they must not block) and returns their messages.
func runLeaves(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a form command blocked")
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runLeaves(t, c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

func (h *tenantsHarness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *tenantsHarness) want(frags ...string) {
	h.t.Helper()
	s := h.screen()
	for _, f := range frags {
		if !strings.Contains(s, f) {
			h.t.Fatalf("screen lacks %q:\n%s", f, s)
		}
	}
}

func (h *tenantsHarness) wantNot(frags ...string) {
	h.t.Helper()
	s := h.screen()
	for _, f := range frags {
		if strings.Contains(s, f) {
			h.t.Fatalf("screen shows %q:\n%s", f, s)
		}
	}
}

func (h *tenantsHarness) open() {
	h.t.Helper()
	h.storeDone(h.key("t"))
	if h.m.active != screenTenants {
		h.t.Fatal("t did not open the tenants screen")
	}
}

// addAuth0 fills the add form for an Auth0 tenant, with secret when not empty.
func (h *tenantsHarness) addAuth0(name, secret string) {
	h.t.Helper()
	h.key("n")
	h.want("Add a tenant", "Kind", "Client secret")
	h.next() // Kind: Auth0 is first
	h.input(name)
	h.input("https://dev-abc.eu.auth0.com/")
	h.input("client-" + name)
	h.next() // confidential: yes
	h.typeText(secret)
	if secret != "" {
		h.wantNot(secret)
	}
	h.next()
	h.input("https://api.example.com")
	h.input("read:things write:things")
	h.key("down") // grant: client-credentials
	h.next()
	h.input("org_1")
	h.typeText("8765")
	h.submit()
}

// seed saves a tenant like the one addAuth0 types, straight through the store, and
// reloads the screen.
func (h *tenantsHarness) seed(name, secret string) {
	h.t.Helper()
	t := store.Tenant{Name: name, Kind: store.KindAuth0, Domain: "dev-abc.eu.auth0.com", ClientID: "client-" + name,
		Confidential: true, Audience: "https://api.example.com", Scopes: []string{"read:things", "write:things"},
		Grant: oauth.GrantClientCredentials, Organization: "org_1", RedirectPort: 8765}
	if err := h.ts.Add(t, store.SetSecret(secret)); err != nil {
		h.t.Fatal(err)
	}
	h.storeDone(h.m.tenantsScreen.change("", nil))
}

func TestTenantsScreenAddShowsAndStores(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.want("Tenants", "No tenants yet. Press n to add one.", "n new tenant")
	h.addAuth0("prod", "s3cr3t-value-typed")

	c, err := h.ts.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, ok := c.Tenant("prod")
	want := store.Tenant{Name: "prod", Kind: store.KindAuth0, Domain: "dev-abc.eu.auth0.com", ClientID: "client-prod",
		Confidential: true, Audience: "https://api.example.com", Scopes: []string{"read:things", "write:things"},
		Grant: oauth.GrantClientCredentials, Organization: "org_1", RedirectPort: 8765}
	if !ok || got.Domain != want.Domain || strings.Join(got.Scopes, " ") != "read:things write:things" ||
		got.Grant != want.Grant || got.RedirectPort != 8765 || got.Organization != "org_1" || got.ClientID != want.ClientID {
		t.Fatalf("saved %+v, want %+v", got, want)
	}
	if v, err := h.ts.Secrets.Get("prod", store.SecretClient); v != "s3cr3t-value-typed" || err != nil {
		t.Fatalf("keyring holds %q, %v", v, err)
	}
	data, _ := os.ReadFile(h.ts.Path)
	if strings.Contains(string(data), "s3cr3t") {
		t.Fatal("the secret reached the config file")
	}
	h.want("added tenant prod", "★ prod", "auth0", "https://dev-abc.eu.auth0.com/", "client-credentials", "stored")
	h.wantNot("s3cr3t")
	if name, _ := h.m.tenants.match("https://dev-abc.eu.auth0.com/", ""); name != "prod" {
		t.Errorf("the workbench's issuer map was not refreshed: %v", h.m.tenants)
	}
}

func TestTenantsScreenValidation(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.seed("prod", "")
	h.key("n")
	h.down() // Kind: OIDC
	h.next()
	h.typeText("prod")
	h.key("enter")
	h.want("a tenant called prod already exists")
	h.clear()
	h.input("kc")
	h.typeText("http://id.example.com/")
	h.key("enter")
	h.want("only https URLs are allowed")
	if h.m.tenantsScreen.draft.ClientID != "" {
		t.Fatal("moved on despite the error")
	}
	h.clear()
	h.input("https://id.example.com/")
	h.key("enter") // empty client ID
	h.want("a client ID is required")
	h.input("cli")
	h.key("n") // public client
	h.next()
	h.typeText("oops")
	h.key("enter")
	h.want("a public client has no client secret")
	h.clear()
	h.next()
	h.next() // audience
	h.next() // scopes
	h.next() // grant: none
	h.next() // organization
	h.typeText("99999")
	h.key("enter")
	h.want("a port is a number from 1 to 65535")
	h.clear()
	h.submit()
	c, _ := h.ts.Load()
	if kc, ok := c.Tenant("kc"); !ok || kc.Kind != store.KindOIDC || kc.Confidential || kc.Issuer != "https://id.example.com/" {
		t.Fatalf("kc = %+v (%v)", kc, ok)
	}
	h.want("kc", "public")
}

func (h *tenantsHarness) down() { h.key("down") }

func TestTenantsScreenWholeTenantValidation(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.key("n")
	h.down()
	h.next()
	h.input("pub")
	h.input("https://id.example.com/")
	h.input("cli")
	h.key("n") // public
	h.next()
	h.next() // no secret
	h.next()
	h.next()
	h.down() // client-credentials, which needs a confidential client
	h.next()
	h.next()
	h.submit()
	if h.m.tenantsScreen.mode != tenantsForm {
		t.Fatal("an invalid tenant was accepted")
	}
	h.want("client-credentials needs a confidential client")
	if c, _ := h.ts.Load(); len(c.Tenants) != 0 {
		t.Fatal("an invalid tenant was saved")
	}
}

func TestTenantsScreenCancel(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.key("n")
	h.next()
	h.typeText("half")
	h.key("esc")
	if h.m.active != screenTenants || h.m.tenantsScreen.mode != tenantsList {
		t.Fatal("esc did not cancel the form")
	}
	h.want("No tenants yet")
	if _, err := os.Stat(h.ts.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("cancel wrote the config")
	}
	h.send(runLeaves(t, h.key("esc"))[0])
	if h.m.active != screenMain {
		t.Fatal("esc on the list did not go back")
	}
}

func TestTenantsScreenEdit(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.seed("prod", "first-secret")
	h.key("e")
	h.want("Edit tenant prod", "dev-abc.eu.auth0.com", "client-prod")
	if d := h.m.tenantsScreen.draft; d.Audience != "https://api.example.com" || d.Port != "8765" || !d.Confidential {
		t.Fatalf("edit form not filled in: %+v", d)
	}
	h.next() // kind
	h.next() // domain
	h.next() // client id
	h.next() // confidential
	h.next() // secret left empty: keep
	h.clear()
	h.input("https://other.example.com")
	h.next()
	h.next()
	h.next()
	h.submit()
	c, _ := h.ts.Load()
	if p, _ := c.Tenant("prod"); p.Audience != "https://other.example.com" || p.RedirectPort != 8765 {
		t.Fatalf("after edit: %+v", p)
	}
	if v, _ := h.ts.Secrets.Get("prod", store.SecretClient); v != "first-secret" {
		t.Fatalf("an empty secret field replaced the stored secret: %q", v)
	}
	h.want("saved tenant prod")
}

func TestTenantsScreenDeleteConfirmAndDefault(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.seed("prod", "prod-secret-1")
	h.seed("dev", "dev-secret-1")
	h.want("  dev", "★ prod")
	// The list is sorted: dev is first. Make it the default.
	h.key("up")
	h.storeDone(h.key("u"))
	h.want("★ dev", "default tenant is now dev")

	h.key("x")
	h.want("Delete tenant dev and its keyring entries? y/N")
	if cmd := h.key("n"); cmd != nil {
		t.Fatal("n deleted")
	}
	h.wantNot("Delete tenant dev")
	h.key("x")
	h.storeDone(h.key("y"))
	c, _ := h.ts.Load()
	if _, ok := c.Tenant("dev"); ok || c.Default != "" {
		t.Fatalf("after delete: %v default %q", c.Names(), c.Default)
	}
	if _, err := h.ts.Secrets.Get("dev", store.SecretClient); !errors.Is(err, store.ErrSecretNotFound) {
		t.Fatalf("dev's secret is still there: %v", err)
	}
	h.want("removed tenant dev")
	h.wantNot("  dev ")
}

func TestTenantsScreenWithoutKeyring(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.seed("prod", "prod-secret-1")
	before, _ := os.ReadFile(h.ts.Path)
	h.ts.Secrets = &store.Secrets{Keyring: unavailableKeyring{}}
	h.storeDone(h.m.tenantsScreen.open())
	h.want("unknown", "! keyring unavailable: no Secret Service")
	h.addAuth0("dev", "never-stored")
	h.want("✗ keyring unavailable")
	if after, _ := os.ReadFile(h.ts.Path); string(after) != string(before) {
		t.Fatal("the config changed although the keyring failed")
	}
}

// Deleting with the keyring gone removes the tenant from the config, as tenants rm does,
// and says where its keyring entries stand: a note, not an error.
func TestTenantsScreenDeleteWithoutKeyring(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.seed("prod", "prod-secret-1")
	h.ts.Secrets = &store.Secrets{Keyring: unavailableKeyring{}}
	h.storeDone(h.m.tenantsScreen.open())
	h.key("x")
	h.storeDone(h.key("y"))
	if c, err := h.ts.Load(); err != nil || len(c.Names()) != 0 {
		t.Fatalf("after delete without a keyring: %v, %v; want no tenants", c.Names(), err)
	}
	h.want("removed tenant prod from the config", "keyring entries were not reached")
	h.wantNot("✗")
}

func TestTenantsScreenFitsTheWindow(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	h.seed("a-tenant-with-a-long-name", "s")
	for _, size := range [][2]int{{60, 16}, {40, 10}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, mode := range []string{"list", "form"} {
			if mode == "form" {
				h.key("e")
			}
			lines := strings.Split(h.m.View().Content, "\n")
			if len(lines) != size[1] {
				t.Errorf("%v %s: %d rows", size, mode, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%v %s: row %d is %d wide: %q", size, mode, i, w, ansi.Strip(l))
				}
			}
			if mode == "form" {
				h.key("esc")
			}
		}
	}
}

// unavailableKeyring answers every call as a session bus without a Secret Service does.
type unavailableKeyring struct{}

var noSecretService = dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}

func (unavailableKeyring) Set(string, string, string) error   { return noSecretService }
func (unavailableKeyring) Get(string, string) (string, error) { return "", noSecretService }
func (unavailableKeyring) Delete(string, string) error        { return noSecretService }
