package tokens

import (
	"encoding/json"
	"strings"
)

// Status is the outcome of one check.
type Status string

const (
	// StatusPass means the check was made and the token meets it.
	StatusPass Status = "pass"
	// StatusFail means the check was made and the token breaks it; the token is invalid.
	StatusFail Status = "fail"
	// StatusWarn means something deserves attention but does not make the token invalid, such
	// as a jku header that was ignored.
	StatusWarn Status = "warn"
	// StatusSkip means the check was not made: the policy does not ask for it, or an earlier
	// step left nothing to check.
	StatusSkip Status = "skip"
)

// Verdict sums a Report up for display.
type Verdict string

const (
	// VerdictValid means the signature was verified with a configured key and no check
	// failed.
	VerdictValid Verdict = "valid"
	// VerdictInvalid means at least one check failed.
	VerdictInvalid Verdict = "invalid"
	// VerdictUnverified means no check failed but no key was configured, so the
	// signature could not be checked. An unverified token is not valid.
	VerdictUnverified Verdict = "unverified"
)

// Names of the checks, in the order a Report lists them. Claim checks are named after the
// claim ("exp", "client_id", …). A JWE adds the JWE* checks first, then the checks of the
// nested JWS.
const (
	CheckStructure    = "structure"
	CheckHeader       = "header"
	CheckEmbeddedKeys = "embedded keys"
	CheckType         = "typ"
	CheckAlgorithm    = "algorithm"
	CheckKeySource    = "key source" // only present when the key set carries a warning or unread sources
	CheckKey          = "key"
	CheckSignature    = "signature"
	CheckClaims       = "claims"

	CheckJWEStructure  = "jwe structure"
	CheckJWEHeader     = "jwe header"
	CheckJWEAlgorithm  = "jwe algorithm"
	CheckJWEEncryption = "jwe enc"
	CheckJWEKey        = "jwe key"
	CheckJWEDecrypt    = "jwe decrypt"
	CheckJWEPayload    = "jwe payload"
)

// KeyInfo describes a configured key in a report: enough to find it again, never its
// material.
type KeyInfo struct {
	Kid    string `json:"kid,omitempty"`
	Kty    string `json:"kty"`
	Alg    string `json:"alg,omitempty"`
	Source string `json:"source"`
}

// Check is one line of a Report.
type Check struct {
	// Name says what was checked: one of the Check* names or a claim name.
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Reason is one line a person can act on.
	Reason string `json:"reason"`
	// Key is set on the signature check when a key verified it, and on the key and JWE
	// decrypt checks for the key that was used. It is shared with the Validator: read it,
	// do not modify it.
	Key *KeyInfo `json:"key,omitempty"`
}

// Report is the outcome of validating one token: every check in order, never stopping at
// the first failure.
//
// Its JSON shape is stable (scripts read `tokenbench verify --json`):
//
//	{
//	  "verdict": "valid" | "invalid" | "unverified",
//	  "kind":    "JWS" | "JWE" | "not a token",
//	  "alg":     "RS256",                       // header alg of the signed token, if read
//	  "key":     {"kid": "…", "kty": "RSA", "alg": "RS256", "source": "JWKS file ./jwks.json"},
//	                                            // the key that verified the signature, if any
//	  "audience_checked": true,                 // false: no expected audience was given
//	  "opaque":  true,                          // only for a token only its issuer can read
//	  "minted_locally": true,                   // only for a token tokenbench minted (a test token)
//	  "checks": [
//	    {"name": "structure", "status": "pass", "reason": "compact JWS, strict base64url and JSON"},
//	    {"name": "signature", "status": "pass", "reason": "verified", "key": {…}},
//	    {"name": "exp", "status": "fail", "reason": "expired 2m10s ago (2026-11-25T01:00:00Z), beyond the 1m0s leeway"},
//	    …
//	  ]
//	}
//
// Check names are the Check* constants and claim names; a JWE lists its "jwe …" checks
// before those of the nested JWS. "key" and "alg" are omitted when empty.
type Report struct {
	Verdict Verdict  `json:"verdict"`
	Kind    Kind     `json:"kind"`
	Alg     string   `json:"alg,omitempty"`
	Key     *KeyInfo `json:"key,omitempty"`
	Checks  []Check  `json:"checks"`
	// AudienceChecked says whether the token's aud was compared with an expected audience.
	// A valid token whose audience was not checked is valid for some API, not necessarily
	// for the caller's: front ends say so next to the verdict.
	AudienceChecked bool `json:"audience_checked"`
	// Opaque is set for a token only its issuer can read: a JWE it encrypted for itself
	// (alg "dir" with an "iss" header: an Auth0 opaque access token), or a bearer string
	// that is not a JWT at all (Kind "opaque"). Its verdict is unverified: no key the user
	// holds can check it.
	Opaque bool `json:"opaque,omitempty"`
	// MintedLocally is set for a token whose protected header says tokenbench minted it
	// (Token.MintedLocally): a test token no provider issued.
	MintedLocally bool `json:"minted_locally,omitempty"`
	// Token is the parsed signed token (the nested one for a JWE), nil when it could not
	// be parsed. It is not part of the JSON output.
	Token *Token `json:"-"`

	// space backs Checks for a typical token, so a report is one allocation.
	space [20]Check
	// keyUnread says the signature was not checked because the token's key was not among
	// the keys read, while some configured source could not be read (KeySet.Unread).
	keyUnread bool
}

// Valid reports whether the token is valid: a configured key verified its signature and
// no check failed.
func (r *Report) Valid() bool { return r.Verdict == VerdictValid }

// Failed returns the checks that failed, in order.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			out = append(out, c)
		}
	}
	return out
}

// Check returns the first check called name.
func (r *Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Summary returns one line: the verdict and, when invalid, the first failure's reason.
func (r *Report) Summary() string {
	switch r.Verdict {
	case VerdictInvalid:
		if f := r.Failed(); len(f) > 0 {
			return "invalid: " + f[0].Name + ": " + f[0].Reason + alsoFailed(f)
		}
		return "invalid"
	case VerdictUnverified:
		if r.Opaque && r.Kind == JWE {
			return "unverified: an opaque access token, encrypted by its issuer for itself; only the issuer can read or check it"
		}
		if r.Opaque {
			return "unverified: an opaque token, not a JWT; only its issuer can check it"
		}
		if c, ok := r.Check(CheckJWEKey); ok && c.Status == StatusSkip {
			return "unverified: no decryption key configured, the token was not decrypted"
		}
		if r.keyUnread {
			return "unverified: a key source could not be read and the keys that were read do not verify the token; the signature was not checked"
		}
		return "unverified: no key configured, the signature was not checked"
	}
	return string(r.Verdict)
}

// alsoFailed names the checks that failed after the first, which the verdict line
// explains: a token refused for its audience may lack a scope too, and the report that
// says so can be below the fold.
func alsoFailed(f []Check) string {
	if len(f) < 2 {
		return ""
	}
	names := make([]string, 0, len(f)-1)
	for _, c := range f[1:] {
		names = append(names, c.Name)
	}
	return " (also failed: " + strings.Join(names, ", ") + ")"
}

// AlsoFailed is alsoFailed for front ends that word the first failure themselves.
func (r *Report) AlsoFailed() string { return alsoFailed(r.Failed()) }

// String renders the report for people: the verdict line, then one line per check.
func (r *Report) String() string {
	var b strings.Builder
	b.WriteString(r.Summary())
	b.WriteByte('\n')
	for _, c := range r.Checks {
		b.WriteString(string(c.Status))
		b.WriteString(strings.Repeat(" ", 6-len(c.Status)))
		b.WriteString(c.Name)
		b.WriteString(": ")
		b.WriteString(c.Reason)
		if c.Key != nil {
			b.WriteString(" [")
			b.WriteString(c.Key.String())
			b.WriteString("]")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// String describes the key on one line: "kid abc, RSA RS256, from JWKS file ./jwks.json".
func (k *KeyInfo) String() string {
	var b strings.Builder
	if k.Kid != "" {
		b.WriteString("kid ")
		b.WriteString(quoteIfOdd(k.Kid))
		b.WriteString(", ")
	}
	b.WriteString(k.Kty)
	if k.Alg != "" {
		b.WriteByte(' ')
		b.WriteString(k.Alg)
	}
	if k.Source != "" {
		b.WriteString(", from ")
		b.WriteString(k.Source)
	}
	return b.String()
}

// quoteIfOdd quotes s when it holds anything but printable ASCII without spaces, so that a
// hostile kid cannot forge report lines.
func quoteIfOdd(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' {
			q, _ := json.Marshal(s)
			return string(q)
		}
	}
	return s
}
