package tokens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Field is one header parameter or claim with what tokenbench knows about it.
type Field struct {
	Name        string          `json:"name"`
	Value       json.RawMessage `json:"value"`
	Category    Category        `json:"category"`
	Explanation string          `json:"explanation,omitempty"`
	// Time is set for NumericDate claims that hold a usable time; TimeProblem says why
	// a NumericDate claim does not.
	Time        *time.Time `json:"time,omitempty"`
	TimeProblem string     `json:"time_problem,omitempty"`
}

// Display renders the value on one line for people: strings without quotes, everything
// else as compact JSON, and any character that could act on a terminal replaced (see
// SafeText). Use Value for the exact JSON.
func (f Field) Display() string {
	if len(f.Value) > 0 && f.Value[0] == '"' {
		var s string
		if json.Unmarshal(f.Value, &s) == nil {
			return SafeText(s)
		}
	}
	if bytes.ContainsAny(f.Value, " \t\r\n") {
		var b bytes.Buffer
		if json.Compact(&b, f.Value) == nil {
			return SafeText(b.String())
		}
	}
	return SafeText(string(f.Value))
}

// Severity ranks a lint.
type Severity int

// Lint severities, from informational to a reason to distrust the token outright.
const (
	Info Severity = iota
	Warn
	Danger
)

// String names the severity.
func (s Severity) String() string { return [...]string{"info", "warn", "danger"}[s] }

// MarshalText makes a Severity appear as its name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Lint is a finding about a token that needs no key: a property worth knowing or a risk.
type Lint struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

// Explanation is a parsed token with every header parameter and claim explained, its
// times read, and the lints that need no key. It does not depend on the clock: relative
// times and the expiry state are computed for a moment with State and Lifetime.
type Explanation struct {
	Kind   Kind    `json:"kind"`
	Use    string  `json:"use"` // "access token", "ID token" or "" when it cannot be told
	Header []Field `json:"header"`
	Claims []Field `json:"claims,omitempty"`
	// PayloadNote says why a JWS has no claims, or that a JWE's payload is encrypted.
	PayloadNote string     `json:"payload_note,omitempty"`
	Lints       []Lint     `json:"lints"`
	Exp         *time.Time `json:"-"`
	Nbf         *time.Time `json:"-"`
	Iat         *time.Time `json:"-"`
}

// Explain describes t. It reads only what the token says; nothing in it is verified.
func Explain(t *Token) *Explanation {
	e := &Explanation{Kind: t.Kind, Header: make([]Field, 0, len(t.Header)), Lints: []Lint{}}
	for _, m := range t.Header {
		f := Field{Name: m.Name, Value: m.Value, Category: CatCustom, Explanation: "Header parameter outside the JOSE registry"}
		if en, ok := headerCatalogue[m.Name]; ok {
			f.Category, f.Explanation = en.cat, en.text
		}
		e.Header = append(e.Header, f)
	}
	switch {
	case t.Kind == JWE:
		if iss, ok := IssuerEncrypted(t); ok {
			e.PayloadNote = "the payload is encrypted by its issuer " + SafeText(iss) + " for itself (alg dir): " + OpaqueNote
			e.Use = "opaque access token"
		} else {
			e.PayloadNote = "the payload is encrypted; it can be read with the recipient's private key"
		}
	case t.Claims == nil:
		e.PayloadNote = t.PayloadError
	default:
		e.Claims = make([]Field, len(t.Claims))
		for i, m := range t.Claims {
			explainClaim(&e.Claims[i], m)
		}
		for i := range e.Claims {
			f := &e.Claims[i]
			switch f.Name {
			case "exp":
				e.Exp = f.Time
			case "nbf":
				e.Nbf = f.Time
			case "iat":
				e.Iat = f.Time
			}
		}
		e.Use = guessUse(e.Claims)
	}
	e.lint(t)
	e.explainDPoP(t)
	return e
}

// explainClaim fills f, in place (a Field is large), with m and what the catalogue says of it.
func explainClaim(f *Field, m Member) {
	f.Name, f.Value = m.Name, m.Value
	var en entry
	known := len(m.Name) <= maxKnownName // longer names are in no catalogue: skip hashing them
	if known {
		en, known = claimCatalogue[m.Name]
	}
	if known {
		f.Category, f.Explanation = en.cat, en.text
	} else if strings.Contains(m.Name, "://") || strings.HasPrefix(m.Name, "urn:") {
		f.Category, f.Explanation = CatNamespaced, "Custom claim with a namespaced (collision-resistant) name"
	} else {
		f.Category, f.Explanation = CatCustom, "Custom claim (not namespaced, may collide with future standard claims)"
	}
	if known && timeClaims[m.Name] { // every time claim is in the catalogue
		if at, ok := isoUpdatedAt(m); ok {
			f.Time = &at
			f.Explanation += " (an ISO 8601 string, as Auth0 sends it; OIDC Core says seconds)"
		} else if at, err := NumericDate(m.Value); err != nil {
			f.TimeProblem = err.Error()
		} else {
			f.Time = &at
		}
	}
}

// guessUse tells an access token from an ID token by the claims each carries.
func guessUse(claims []Field) string {
	access := false
	for i := range claims {
		switch claims[i].Name {
		case "nonce", "at_hash", "c_hash":
			return "ID token"
		case "scope", "scp", "client_id", "gty", "permissions", "cid":
			access = true
		}
	}
	if access {
		return "access token"
	}
	return ""
}

// isoUpdatedAt reads updated_at written as an RFC 3339 string, as Auth0 sends it: a
// provider quirk worth explaining, not a finding.
func isoUpdatedAt(m Member) (time.Time, bool) {
	if m.Name != "updated_at" || len(m.Value) == 0 || m.Value[0] != '"' {
		return time.Time{}, false
	}
	var s string
	if json.Unmarshal(m.Value, &s) != nil {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	return at, err == nil
}

// idTokenSigns names what marks claims as an ID token's: nonce, at_hash, c_hash.
func idTokenSigns(c Object) string {
	var signs []string
	for _, name := range []string{"nonce", "at_hash", "c_hash"} {
		if c.Has(name) {
			signs = append(signs, name)
		}
	}
	return strings.Join(signs, ", ") + " present"
}

// maxLifetime is the lifetime past which a token is flagged as long-lived.
const maxLifetime = 24 * time.Hour

func (e *Explanation) add(sev Severity, code, format string, args ...any) {
	e.Lints = append(e.Lints, Lint{sev, code, fmt.Sprintf(format, args...)})
}

func (e *Explanation) lint(t *Token) {
	alg, hasAlg := t.Header.String("alg")
	switch {
	case !hasAlg:
		e.add(Danger, "alg-missing", "header has no alg (string)")
	case strings.EqualFold(alg, "none"):
		e.add(Danger, "alg-none", "alg is %q: the token is unsigned and must never be accepted", alg)
	case strings.HasPrefix(strings.ToUpper(alg), "HS") && t.Kind == JWS:
		if iss, _ := t.Claims.String("iss"); strings.HasPrefix(iss, "https://") {
			e.add(Warn, "hs-oidc", "signed with a shared secret (%q) but names the issuer %q: providers sign with asymmetric keys, and anyone holding the secret can mint such tokens", alg, iss)
		}
	}
	for _, p := range [...]string{"jku", "x5u", "jwk", "x5c"} {
		if t.Header.Has(p) {
			e.add(Warn, "untrusted-"+p, "header carries %s: a key the token chose for itself; tokenbench never uses or fetches it", p)
		}
	}
	if t.Header.Has("nonce") {
		e.add(Info, "graph-nonce", "header carries a nonce, as Microsoft Graph access tokens do: such a token is for Graph alone, and its signature verifies nowhere else")
	}
	if t.Header.Has("crit") {
		e.add(Info, "crit", "header lists critical extensions a verifier must understand")
	}
	if t.Kind == JWE && t.Header.Has("zip") {
		e.add(Warn, "zip", "payload is compressed before encryption (refused by default: compression bombs)")
	}
	if t.Kind != JWS || t.Claims == nil {
		return
	}
	for _, f := range e.Claims {
		if f.TimeProblem != "" {
			e.add(Warn, "bad-time", "%s %s", f.Name, f.TimeProblem)
		}
	}
	if !t.Claims.Has("exp") {
		e.add(Warn, "no-exp", "no exp claim: the token never expires")
	}
	if e.Exp != nil && e.Iat != nil {
		switch life := e.Exp.Sub(*e.Iat); {
		case life < 0:
			e.add(Warn, "exp-before-iat", "exp is before iat")
		case life > maxLifetime:
			e.add(Warn, "long-lived", "lifetime is %s, longer than 24h", HumanDuration(life))
		}
	}
	if e.Exp != nil && e.Nbf != nil && e.Nbf.After(*e.Exp) {
		e.add(Warn, "nbf-after-exp", "nbf is after exp: the token is never valid")
	}
	if e.Use == "access token" {
		if typ, _ := t.Header.String("typ"); !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt") {
			if iss, _ := t.Claims.String("iss"); auth0Issuer(iss) {
				e.add(Info, "typ-not-at-jwt", "no typ at+jwt: Auth0 uses its RFC 9068 token profile only for APIs set to it (a per-API setting); its default profile is fine")
			} else {
				e.add(Info, "typ-not-at-jwt", "access token without typ at+jwt (RFC 9068 recommends it so it cannot be confused with an ID token)")
			}
		}
	}
}

// State says where the token stands at now, given leeway-free exp and nbf.
func (e *Explanation) State(now time.Time) ExpiryState {
	switch {
	case e.Nbf != nil && now.Before(*e.Nbf):
		return NotYetValid
	case e.Exp == nil:
		return NoExpiry
	case !now.Before(*e.Exp):
		return Expired
	case e.Exp.Sub(now) <= SoonWindow:
		return ExpiringSoon
	}
	return Fresh
}

// ExpProblem says why the token's exp claim gives no usable time ("is past the year
// 9999", "is not a number …"), or "" when exp is absent or usable. A token in the
// NoExpiry state with a problem has an exp that cannot be read, not none.
func (e *Explanation) ExpProblem() string {
	for _, f := range e.Claims {
		if f.Name == "exp" {
			return f.TimeProblem
		}
	}
	return ""
}

// Lifetime returns the token's lifetime (iat, or nbf when there is no iat, to exp) and the
// fraction of it used at now, clamped to [0, 1]. ok is false without both ends.
func (e *Explanation) Lifetime(now time.Time) (total time.Duration, used float64, ok bool) {
	start := e.Iat
	if start == nil {
		start = e.Nbf
	}
	if start == nil || e.Exp == nil || !e.Exp.After(*start) {
		return 0, 0, false
	}
	total = e.Exp.Sub(*start)
	used = float64(now.Sub(*start)) / float64(total)
	return total, min(max(used, 0), 1), true
}
