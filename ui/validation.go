package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// validation is what the workbench knows about checking one token against keys: the keys
// and where they came from, the validator built for them, its latest report, and a fetch
// in flight or the one-line error of the last one. Keys only ever come from a source the
// user chose (the example's own key, an explicit fetch, a JWKS file or URL).
type validation struct {
	keys      *tokens.KeySet
	issuer    string // the issuer the keys were discovered for, pinned in the policy
	validator *tokens.Validator
	report    *tokens.Report
	fetching  string // what is being fetched, "" when nothing is
	fetchErr  string
}

// Messages of the validation commands.
type (
	// reportMsg carries a finished validation. by is the validator that made it, so that
	// a report for keys that have since been replaced is dropped.
	reportMsg struct {
		e   *entry
		by  *tokens.Validator
		rep *tokens.Report
	}

	// keysLoadedMsg carries a fetched or loaded key set, or the error that stopped it.
	keysLoadedMsg struct {
		e      *entry
		keys   *tokens.KeySet
		issuer string // set when the keys came from the issuer's discovery
		what   string
		arg    string // the file or URL typed for L, empty for a fetch
		err    error
		quiet  bool // fetched without a key press: success is shown in the view only
	}
)

// keySource fetches and loads key sets. Its functions run inside commands, never in
// Update; tests point them at loopback servers and temporary files.
type keySource struct {
	// issuerKeys finds an issuer's keys through discovery.
	issuerKeys func(ctx context.Context, issuer, kid string) (*tokens.KeySet, error)
	// jwks loads a JWKS from a file path or an https URL.
	jwks func(ctx context.Context, pathOrURL string) (*tokens.KeySet, error)
}

// fetchTimeout bounds a whole fetch (discovery and JWKS); each request has its own 10 s.
const fetchTimeout = 20 * time.Second

// defaultKeySource fetches through the JWKS cache (memory and the user cache directory),
// so an issuer's discovery document and keys are fetched at most once per cache lifetime
// across tokenbench processes. Files are read as they are.
func defaultKeySource() keySource {
	return cachedKeySource(keys.NewCache())
}

func cachedKeySource(c *keys.Cache) keySource {
	return keySource{
		issuerKeys: c.IssuerKeys,
		jwks: func(ctx context.Context, arg string) (*tokens.KeySet, error) {
			if isURL(arg) {
				return c.JWKS(ctx, arg, "")
			}
			return loadKeysFile(arg)
		},
	}
}

// loadKeysFile reads a JWK Set, or failing that a single public key (a JWK or PEM), so that
// the one input takes whichever file the user has.
func loadKeysFile(path string) (*tokens.KeySet, error) {
	set, err := keys.LoadJWKSFile(path)
	if errors.Is(err, tokens.ErrNotJWKS) {
		return keys.LoadFile(path) // its refusal covers all three kinds of file
	}
	return set, err
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// revalidate builds a validator for e's current keys and returns the command that
// validates e with it. Opaque tokens are not validated: only their issuer can.
func (m *Model) revalidate(e *entry) tea.Cmd {
	if e == nil || e.in.Parsed == nil {
		return nil
	}
	pol := tokens.Policy{Now: m.now, Issuer: e.val.issuer}
	v := tokens.NewValidator(pol, e.val.keys)
	e.val.validator, e.val.report = v, nil
	raw := e.in.Token
	return func() tea.Msg { return reportMsg{e: e, by: v, rep: v.Validate(raw)} }
}

// validateAll validates every token that has no report yet (at start-up).
func (m *Model) validateAll() tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range m.list.entries {
		if e.val.validator == nil {
			cmds = append(cmds, m.revalidate(e))
		}
	}
	return tea.Batch(cmds...)
}

// recheckTimes re-runs the time checks of the report on show at the clock: the exp check
// flips at expiry with no key press. Signatures are not verified again. Reports of tokens
// not on show are brought up to date when they are selected.
func (m *Model) recheckTimes() {
	if e := m.view.e; e != nil {
		if old := e.val.report; old != nil {
			// Keep the old report when nothing changed, so rows keyed on it stay cached.
			if next := e.val.validator.RecheckTimes(old); !slices.Equal(next.Checks, old.Checks) {
				e.val.report = next
				m.view.rebuildReport() // its rows show the checks' reasons
			}
		}
	}
}

// fetchTarget is the issuer whose keys may be fetched for e, with the label of the action
// that offers it, or "" when there is none (no https iss, the example, an opaque token).
func (m *Model) fetchTarget(e *entry) (issuer, label string) {
	if e == nil || e.example || e.in.Parsed == nil || e.in.Parsed.Claims == nil {
		return "", ""
	}
	iss, ok := e.in.Parsed.Claims.String("iss")
	if !ok {
		return "", ""
	}
	if _, err := keys.CheckURL(iss); err != nil {
		return "", ""
	}
	if name, ok := m.tenants.match(iss, tokenClient(e)); ok {
		return iss, "fetch keys from " + tokens.SafeText(iss) + " (saved tenant " + tokens.SafeText(name) + ")"
	}
	return iss, "fetch keys from " + tokens.SafeText(iss) + " (not a saved tenant)"
}

// tenantIssuersMsg carries the saved tenants, read at start-up so that a
// token from a saved tenant is recognised as one.
type tenantIssuersMsg struct{ cfg *store.Config }

// loadTenantIssuers reads the tenants config (not the keyring) in a command.
func loadTenantIssuers(ts *store.Tenants) tea.Cmd {
	if ts == nil {
		return nil
	}
	return func() tea.Msg {
		cfg, err := ts.Load()
		if err != nil { // one line in the status bar; the workbench goes on without tenants
			return errMsg{fmt.Errorf("saved tenants not loaded: %w", err)}
		}
		return tenantIssuersMsg{cfg: cfg}
	}
}

// autoFetch starts fetching keys for every token whose issuer is a saved tenant and that
// has none yet: the tenant is a configured key source, so this is what the user asked for
// when they saved it (the view shows the fetch). Other issuers are only ever fetched on F.
func (m *Model) autoFetch() tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range m.list.entries {
		iss, _ := m.fetchTarget(e)
		if _, saved := m.tenants.match(iss, ""); saved && iss != "" && e.val.keys == nil && e.val.fetching == "" && e.val.fetchErr == "" {
			cmds = append(cmds, m.fetchKeys(e, true))
			m.refreshView(e)
		}
	}
	return tea.Batch(cmds...)
}

// fetchKeys starts the fetch of the selected token's issuer keys: explicit (F), or quiet
// for a saved tenant's token (autoFetch).
func (m *Model) fetchKeys(e *entry, quiet bool) tea.Cmd {
	issuer, label := m.fetchTarget(e)
	if issuer == "" {
		return errCmd(errors.New("this token names no https issuer to fetch keys from; load a JWKS with L"))
	}
	if e.val.fetching != "" {
		return nil
	}
	e.val.fetching, e.val.fetchErr = strings.TrimPrefix(label, "fetch "), ""
	kid, _ := e.in.Parsed.Header.String("kid")
	get := m.keySrc.issuerKeys
	what, source := "keys from "+issuer, ""
	if name, ok := m.tenants.match(issuer, tokenClient(e)); ok {
		what, source = "keys of saved tenant "+name+" from "+issuer, "saved tenant "+name+": "
	}
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		keys, err := get(ctx, issuer, kid)
		if keys != nil && source != "" {
			// The report names the tenant the keys belong to. The set may be the cache's
			// own: label a copy.
			labelled := *keys
			labelled.Keys = slices.Clone(keys.Keys)
			for i := range labelled.Keys {
				labelled.Keys[i].Source = source + labelled.Keys[i].Source
			}
			keys = &labelled
		}
		return keysLoadedMsg{e: e, keys: keys, issuer: issuer, what: what, err: err, quiet: quiet}
	})
}

// loadJWKS starts loading a JWKS from a file or URL for e.
func (m *Model) loadJWKS(e *entry, arg string) tea.Cmd {
	e.val.fetching, e.val.fetchErr = "keys from "+tokens.SafeText(arg), ""
	load := m.keySrc.jwks
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		keys, err := load(ctx, arg)
		return keysLoadedMsg{e: e, keys: keys, what: "keys from " + arg, arg: arg, err: err}
	})
}

// keysLoaded stores a fetched key set (or its error, as one line in the report) and
// validates the token again with it.
func (m *Model) keysLoaded(msg keysLoadedMsg) tea.Cmd {
	e := msg.e
	e.val.fetching = ""
	if msg.err != nil {
		what := msg.what
		if msg.arg != "" && strings.Contains(msg.err.Error(), msg.arg) {
			what = "keys" // the error names the file or URL itself: say it once
		}
		e.val.fetchErr = "could not load " + what + ": " + oneLine(msg.err.Error())
		m.status.fail(errors.New(e.val.fetchErr), m.now())
		m.refreshView(e)
		return nil
	}
	e.val.keys, e.val.issuer, e.val.fetchErr = msg.keys, msg.issuer, ""
	if !msg.quiet {
		m.status.set(fmt.Sprintf("loaded %d key(s): %s", len(msg.keys.Keys), msg.what), m.now())
	}
	cmd := m.revalidate(e)
	m.refreshView(e)
	return cmd
}

// reportArrived stores a report unless the keys changed since it was started.
func (m *Model) reportArrived(msg reportMsg) {
	if msg.e.val.validator != msg.by {
		return
	}
	msg.e.val.report = msg.by.RecheckTimes(msg.rep)
	m.refreshView(msg.e)
}

// fetching reports whether any key fetch is in flight (the spinner runs only then).
func (m *Model) fetching() bool {
	if m.calling() || m.refreshRunning() {
		return true
	}
	for _, e := range m.list.entries {
		if e.val.fetching != "" {
			return true
		}
	}
	return false
}

// verdictLine is the summary's live verdict.
func verdictLine(e *entry, st Styles) string {
	if e.in.Parsed == nil {
		return st.Muted.Render("verdict: not checked (an opaque token can only be checked by its issuer)")
	}
	rep := e.val.report
	if rep == nil {
		return st.Muted.Render("verdict: validating…")
	}
	var s string
	switch rep.Verdict {
	case tokens.VerdictValid:
		s = st.Pass.Render("✓ valid")
		if rep.Key != nil {
			s += st.Muted.Render(" · signature verified with " + tokens.SafeText(rep.Key.String()))
		}
	case tokens.VerdictInvalid:
		s = st.Fail.Render("✗ invalid") + " · " + tokens.SafeText(strings.TrimPrefix(rep.Summary(), "invalid: "))
	default:
		s = st.Warn.Render("? unverified") + st.Muted.Render(" · no key configured, the signature was not checked")
	}
	return s
}

// keysKey is what the keys row depends on.
type keysKey struct {
	keys              *tokens.KeySet
	fetching, failure string
	spinner           string
}

// keysLine says which keys check the token: their source, a fetch in flight (with the
// spinner), or why the last fetch failed.
func keysLine(e *entry, st Styles, f frame) string {
	v := e.val
	switch {
	case v.fetching != "":
		return st.Title.Render(f.spinner) + " fetching " + v.fetching + "…"
	case v.fetchErr != "":
		return st.Fail.Render("✗ " + tokens.SafeText(v.fetchErr))
	case v.keys == nil || len(v.keys.Keys) == 0:
		return st.Muted.Render("keys: none — the signature is not checked until you choose a source")
	}
	s := fmt.Sprintf("keys: %d from %s", len(v.keys.Keys), tokens.SafeText(v.keys.Keys[0].Source))
	if n := len(v.keys.Skipped); n > 0 {
		s += fmt.Sprintf(" (%d skipped)", n)
	}
	if v.keys.Warning != "" {
		return s + " · " + st.Warn.Render(tokens.SafeText(v.keys.Warning))
	}
	return s
}
