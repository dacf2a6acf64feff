package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	jose "github.com/go-jose/go-jose/v4"

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
	validator *tokens.Validator
	policy    tokens.Policy // what validator checks: shown above the report
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
		// decrypt are JWE decryption keys (L on a JWE) instead of verification keys.
		decrypt []tokens.Key
		what    string
		arg     string // the file or URL typed for L, empty for a fetch
		err     error
		quiet   bool // fetched without a key press: success is shown in the view only
		// signer is the private key or secret the keys came from, which e may re-sign with.
		signer *signer
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

// IssuerKeys and JWKS make a keySource the store.KeyFetcher the command line's
// expectation is resolved with, so that tests' loopback sources serve it too.
func (s keySource) IssuerKeys(ctx context.Context, issuer, kid string) (*tokens.KeySet, error) {
	return s.issuerKeys(ctx, issuer, kid)
}

// JWKS loads a JWKS URL (see IssuerKeys).
func (s keySource) JWKS(ctx context.Context, jwksURL, _ string) (*tokens.KeySet, error) {
	return s.jwks(ctx, jwksURL)
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
	pol, keys := m.policyFor(e)
	e.val.keys = keys
	v := tokens.NewValidator(pol, keys)
	e.val.validator, e.val.policy, e.val.report = v, pol, nil
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
	if e := m.main.view.e; e != nil {
		if old := e.val.report; old != nil {
			// Keep the old report when nothing changed, so rows keyed on it stay cached.
			if next := e.val.validator.RecheckTimes(old); !slices.Equal(next.Checks, old.Checks) {
				e.val.report = next
				m.main.view.rebuildReport() // its rows show the checks' reasons
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
		if _, saved := m.tenants.match(iss, ""); saved && iss != "" && m.expectFor(e).keys == nil && !m.fetchingFor(iss) && e.val.fetchErr == "" {
			cmds = append(cmds, m.fetchKeys(e, true))
			m.refreshView(e)
		}
	}
	return tea.Batch(cmds...)
}

// fetchingFor reports whether keys for iss are being fetched for any token.
func (m *Model) fetchingFor(iss string) bool {
	for _, e := range m.list.entries {
		if e.val.fetching != "" && issuerOf(e) == iss {
			return true
		}
	}
	return false
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

// loadJWKS starts loading keys from a file or URL for e. For a JWE a file is first
// read as the private key the token was encrypted to (as verify --decrypt-key does),
// else as verification keys for the signed token inside.
func (m *Model) loadJWKS(e *entry, arg string) tea.Cmd {
	e.val.fetching, e.val.fetchErr = "keys from "+tokens.SafeText(arg), ""
	load := m.keySrc.jwks
	jwe := e.in.Kind == tokens.JWE && !isURL(arg)
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		if jwe {
			if dec, err := keys.LoadDecryptionFile(arg); err == nil {
				return keysLoadedMsg{e: e, decrypt: dec, what: "decryption key from " + arg}
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		set, err := load(ctx, arg)
		msg := keysLoadedMsg{e: e, keys: set, what: "keys from " + arg, arg: arg, err: err}
		if err == nil && !isURL(arg) {
			// A private key file checks tokens with its public half and signs with the
			// private one: e offers it for re-signing.
			if k, err := keys.LoadSigningKey(arg); err == nil {
				msg.signer = &signer{k, "key file " + arg}
			}
		}
		return msg
	})
}

// pastedSecretSource labels a pasted HMAC secret in reports.
const pastedSecretSource = "pasted HMAC secret (memory only)"

// loadKeyText reads keys pasted as text (a JWKS, JWK or PEM) or an HMAC secret. The
// secret is held in the key set in memory only; nothing is written anywhere.
func (m *Model) loadKeyText(msg loadKeyTextMsg) tea.Cmd {
	e := msg.e
	if msg.secret {
		set := &tokens.KeySet{Keys: []tokens.Key{{
			JWK:    jose.JSONWebKey{Key: []byte(msg.text)},
			Origin: tokens.OriginSecretFile,
			Source: pastedSecretSource,
		}}}
		// The secret that checks a test token can also re-sign it (e).
		sig := &signer{&tokens.SigningKey{Key: []byte(msg.text)}, pastedSecretSource}
		return func() tea.Msg {
			return keysLoadedMsg{e: e, keys: set, what: "an HMAC secret (memory only)", signer: sig}
		}
	}
	text := msg.text
	return func() tea.Msg {
		keys, err := tokens.ParseVerificationKeys([]byte(text), "pasted keys")
		msg := keysLoadedMsg{e: e, keys: keys, what: "pasted keys", err: err}
		if k, err := tokens.ParseSigningKey([]byte(text)); err == nil && keys != nil {
			msg.signer = &signer{k, "pasted private key (memory only)"}
		}
		return msg
	}
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
	e.val.fetchErr = ""
	signs := ""
	if msg.signer != nil {
		m.maker.give(*msg.signer)
		signs = " · e can re-sign with it"
	}
	if e.example { // the example is checked with its own key only
		if signs != "" {
			m.status.set("loaded "+msg.what+signs, m.now())
		}
		return nil
	}
	x := m.expectFor(e)
	if msg.decrypt != nil {
		x.decrypt = msg.decrypt
		m.status.set(fmt.Sprintf("loaded %d decryption key(s): %s", len(msg.decrypt), msg.what), m.now())
		return m.revalidateIssuer(issuerOf(e))
	}
	x.keys = msg.keys
	if msg.issuer != "" {
		x.discovered = msg.issuer
	}
	iss := issuerOf(e)
	if !msg.quiet {
		scope := "this token"
		if n := m.countIssuer(iss); n > 1 {
			scope = fmt.Sprintf("the %d tokens from %s", n, tokens.SafeText(iss))
		} else if iss != "" {
			scope = "every token from " + tokens.SafeText(iss)
		}
		m.status.set(fmt.Sprintf("loaded %d key(s): %s — for %s%s", len(msg.keys.Keys), msg.what, scope, signs), m.now())
	}
	return m.revalidateIssuer(iss)
}

// countIssuer counts the session's tokens from iss.
func (m *Model) countIssuer(iss string) int {
	n := 0
	for _, e := range m.list.entries {
		if !e.example && issuerOf(e) == iss {
			n++
		}
	}
	return n
}

// reportArrived stores a report unless the keys changed since it was started.
func (m *Model) reportArrived(msg reportMsg) {
	if msg.e.val.validator != msg.by {
		return
	}
	msg.e.val.report = msg.by.RecheckTimes(msg.rep)
	if e := msg.e; e.in.Kind == tokens.JWE && msg.rep.Token != nil {
		// Decrypted with a key the user loaded: show the signed token inside.
		e.expl = tokens.Explain(msg.rep.Token)
		e.expl.PayloadNote = "decrypted with the key you loaded: below are the header and claims of the signed token inside"
	}
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

// verdictLine is the summary's live verdict. It never overstates: a signature that
// verifies says nothing of whether your API accepts the token, so without an expected
// audience the line says the audience was not checked; with one it says whether that API
// would accept the token, and if not, the first reason.
func verdictLine(e *entry, st Styles) string {
	r := func(s lipgloss.Style, text string) string { return s.Render(text) }
	if e.in.Parsed == nil {
		return r(st.Warn, "● opaque access token") + r(st.Muted, " · only its issuer can read it (see below)")
	}
	rep := e.val.report
	if rep == nil {
		return r(st.Muted, "verdict: validating…")
	}
	if rep.Opaque {
		return r(st.Warn, "● opaque access token") + r(st.Muted, " · only its issuer can read it (see below)")
	}
	switch rep.Verdict {
	case tokens.VerdictValid:
		if !rep.AudienceChecked {
			return r(st.Pass, "✓ signature valid") + " · " + r(st.Warn, "audience not checked") + r(st.Muted, " — press a to set your API")
		}
		s := r(st.Pass, "✓ your API would accept it")
		if e.expl != nil && e.expl.Use == "ID token" {
			s = r(st.Pass, "✓ valid ID token for "+tokens.SafeText(strings.Join(e.val.policy.Audiences, " or ")))
		}
		if rep.Key != nil {
			s += r(st.Muted, " · signature verified with "+tokens.SafeText(rep.Key.String()))
		}
		return s
	case tokens.VerdictInvalid:
		why := "invalid"
		if f := rep.Failed(); len(f) > 0 {
			why = tokens.SafeText(f[0].Name) + " — " + tokens.SafeText(f[0].Reason)
			switch {
			case f[0].Name == "aud" && e.expl != nil && e.expl.Use == "ID token":
				why = "aud — this is an ID token (its aud is the client), not an access token: send the access token"
			case f[0].Name == "aud" && len(e.val.policy.Audiences) > 0:
				// What the token names is in the summary and the check below.
				why = "aud — expected " + tokens.SafeText(strings.Join(e.val.policy.Audiences, " or "))
			}
		}
		also := r(st.Muted, tokens.SafeText(rep.AlsoFailed()))
		if rep.AudienceChecked {
			return r(st.Fail, "✗ your API would refuse it: ") + why + also
		}
		return r(st.Fail, "✗ invalid: ") + why + also
	}
	if c, ok := rep.Check(tokens.CheckJWEKey); ok && c.Status == tokens.StatusSkip {
		return r(st.Warn, "? encrypted") + r(st.Muted, " · press L to load the private key it was encrypted to")
	}
	return r(st.Warn, "? unverified") + r(st.Muted, " · no key yet — press F to fetch the issuer's keys or L to load keys")
}

// opaqueAdvice is what the workbench says of an opaque access token — a random string,
// or a JWE its issuer encrypted for itself: what it is, and how to get a JWT instead.
const opaqueAdvice = "This is " + tokens.OpaqueNote + " (in a saved tenant: its audience field). " +
	"Other providers: ask the issuer about it with introspection (i) or userinfo (u)."

// policyText says in one line what the token is checked against: your API (audiences,
// scopes, issuer) or that no API was named.
func policyText(p tokens.Policy) string {
	var parts []string
	if len(p.Audiences) > 0 {
		parts = append(parts, "your API "+strings.Join(p.Audiences, " or "))
	} else {
		parts = append(parts, "no API named (a to set it)")
	}
	if len(p.Scopes) > 0 {
		parts = append(parts, "scopes "+strings.Join(p.Scopes, " "))
	}
	if p.Issuer != "" {
		parts = append(parts, "issuer "+p.Issuer)
	}
	return tokens.SafeText(strings.Join(parts, " · "))
}

// keys adds where the keys that check the token come from: their source, a fetch in
// flight (behind the live spinner), or why the last fetch failed — wrapped in full: a
// failure's cause comes after a long URL.
func (b *rowBuilder) keys(e *entry) {
	st, v := b.st, e.val
	switch {
	case v.fetching != "":
		// The spinner is the one live part: the first row is drawn with it each frame,
		// the text around it is wrapped once.
		lines := wrapLines("fetching "+v.fetching+"…", b.w-5)
		first := lines[0]
		b.addDyn(func(f frame) any { return f.spinner }, func(f frame) string {
			return "  " + st.Title.Render(f.spinner) + " " + first
		})
		for _, l := range lines[1:] {
			b.rows = append(b.rows, row{text: "     " + l})
		}
	case v.fetchErr != "":
		b.addHanging("  "+st.Fail.Render("✗ "+tokens.SafeText(v.fetchErr)), 4)
	case v.keys == nil || len(v.keys.Keys) == 0:
		b.add("  " + st.Muted.Render("keys: none — the signature is not checked until you choose a source"))
	default:
		s := fmt.Sprintf("keys: %d from %s", len(v.keys.Keys), tokens.SafeText(v.keys.Keys[0].Source))
		if n := len(v.keys.Skipped); n > 0 {
			s += fmt.Sprintf(" (%d skipped)", n)
		}
		if v.keys.Warning != "" {
			s += " · " + st.Warn.Render(tokens.SafeText(v.keys.Warning))
		}
		b.addHanging("  "+s, 4)
	}
}
