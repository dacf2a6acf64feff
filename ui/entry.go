package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// entry is one token of the session: the built-in example, one opened from the command
// line, or one pasted. It holds what was read from the token once; everything that depends
// on the clock is computed from it at render time.
type entry struct {
	label   string
	example bool
	// ownKeys: the token is verified with the keys it came with (the example's key, the
	// session key a re-signed token was signed with), never with its issuer's.
	ownKeys bool
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

// newEntry reads an inspection into a session entry (the list labels it when it is
// added). It refuses text that is not a token.
func newEntry(in tokens.Inspection) (*entry, error) {
	if in.Kind == tokens.NotAToken {
		return nil, errors.New(in.Reason)
	}
	e := &entry{in: in}
	if in.Parsed != nil {
		e.expl = tokens.Explain(in.Parsed)
	}
	return e, nil
}

// describe names the token by what it is: origin (a tenant, "pasted", "example"), the kind
// of token, and for an access token the scopes it grants beyond OpenID Connect's own —
// "dev-abc · access · read:orders", "pasted · ID token".
func (e *entry) describe(origin string) string {
	parts := []string{origin}
	use := ""
	switch {
	case e.from != nil && e.from.kind == kindID:
		use = "ID token"
	case e.from != nil:
		use = "access"
	case e.expl != nil && e.expl.Use == "access token", e.atJWT():
		use = "access"
	case e.expl != nil && e.expl.Use != "":
		use = e.expl.Use
	default:
		use = e.in.Kind.String()
	}
	parts = append(parts, use)
	if use == "access" {
		if s := e.apiScopes(); s != "" {
			parts = append(parts, s)
		}
	}
	return tokens.SafeText(strings.Join(parts, " · "))
}

// atJWT reports whether the header's typ marks an RFC 9068 access token.
func (e *entry) atJWT() bool {
	if e.in.Parsed == nil {
		return false
	}
	typ, _ := e.in.Parsed.Header.String("typ")
	return strings.EqualFold(strings.TrimPrefix(strings.ToLower(typ), "application/"), "at+jwt")
}

// oidcScopes are OpenID Connect's own scopes: they say little about what an access token
// may do at an API, so labels leave them out.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "email": true, "address": true, "phone": true, "offline_access": true}

// labelScopes is how many scopes a label names; the rest are counted.
const labelScopes = 2

// apiScopes is the token's scope (or scp, or permissions) without OIDC's own scopes,
// space separated; "" when it has none.
func (e *entry) apiScopes() string {
	if e.in.Parsed == nil || e.in.Parsed.Claims == nil {
		return ""
	}
	for _, name := range []string{"scope", "scp", "permissions"} {
		raw, ok := e.in.Parsed.Claims.Get(name)
		if !ok {
			continue
		}
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			var one string
			if json.Unmarshal(raw, &one) != nil {
				continue
			}
			list = strings.Fields(one)
		}
		var api []string
		for _, s := range list {
			if !oidcScopes[s] {
				api = append(api, s)
			}
		}
		switch {
		case len(api) > labelScopes:
			return strings.Join(api[:labelScopes], " ") + fmt.Sprintf(" +%d", len(api)-labelScopes)
		case len(api) > 0:
			return strings.Join(api, " ")
		}
	}
	return ""
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
