package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// entry is one token of the session: the built-in example, one opened from the command
// line, or one pasted. It holds what was read from the token once; everything that depends
// on the clock is computed from it at render time.
type entry struct {
	label   string
	example bool
	in      tokens.Inspection
	expl    *tokens.Explanation // nil for opaque tokens
	val     validation
	list    listRows // the token's rows in the list, styled when they change
	// from is set on tokens obtained from a saved tenant: which tenant, and the token set
	// they came in (its expiry decides the refresh margin, even for opaque tokens).
	from *tenantToken
	// marked is set by m: two marked tokens can be compared with d.
	marked bool
	// auto asks the tick to refresh the token when it is inside the refresh margin.
	auto bool
	// calls are the userinfo and introspection results shown beside the token.
	calls providerCalls
}

// newEntry reads an inspection into a session entry. It refuses text that is not a token.
func newEntry(label string, in tokens.Inspection) (*entry, error) {
	if in.Kind == tokens.NotAToken {
		return nil, errors.New(in.Reason)
	}
	e := &entry{label: label, in: in}
	if in.Parsed != nil {
		e.expl = tokens.Explain(in.Parsed)
	}
	return e, nil
}

// state is where the token stands at now; opaque tokens have no known expiry.
func (e *entry) state(now time.Time) tokens.ExpiryState {
	if e.expl == nil {
		return tokens.NoExpiry
	}
	return e.expl.State(now)
}

// countdown is the short live expiry text of the list and the view's summary.
func (e *entry) countdown(now time.Time) string {
	switch {
	case e.expl == nil && e.from != nil && !e.from.set.Expiry.IsZero():
		if !now.Before(e.from.set.Expiry) {
			return "expired " + tokens.Relative(e.from.set.Expiry, now) + " (per the provider)"
		}
		return "expires " + tokens.Relative(e.from.set.Expiry, now) + " (per the provider)"
	case e.expl == nil:
		return "expiry unknown (opaque)"
	case e.in.Kind == tokens.JWE:
		return "expiry unknown (claims encrypted)"
	case e.in.Parsed.Claims == nil:
		return "expiry unknown (no claims)"
	}
	switch e.expl.State(now) {
	case tokens.NoExpiry:
		if e.expl.ExpProblem() != "" {
			return "exp unreadable"
		}
		return "no expiry"
	case tokens.NotYetValid:
		return "not yet valid, starts " + tokens.Relative(*e.expl.Nbf, now)
	case tokens.Expired:
		return "expired " + tokens.Relative(*e.expl.Exp, now)
	}
	return "expires " + tokens.Relative(*e.expl.Exp, now)
}

// claimsJSON returns the decoded claims, indented, for the clipboard. It refuses tokens
// whose claims cannot be read (opaque, encrypted, non-JSON payloads).
func (e *entry) claimsJSON() (string, error) {
	t := e.in.Parsed
	switch {
	case t == nil:
		return "", errors.New("an opaque token has no claims to copy")
	case t.Kind == tokens.JWE:
		return "", errors.New("the claims of a JWE are encrypted; nothing to copy")
	case t.Claims == nil:
		return "", errors.New("the payload is not a JSON object; nothing to copy")
	}
	var b bytes.Buffer
	if err := json.Indent(&b, t.Payload, "", "  "); err != nil {
		return "", err
	}
	return b.String(), nil
}
