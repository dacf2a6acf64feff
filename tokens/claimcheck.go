package tokens

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkClaims runs the claims policy: exact issuer, audience, times with leeway, and the
// claims the policy or profile requires.
func (v *Validator) checkClaims(rep *Report, tok *Token) {
	if tok.Claims == nil {
		rep.add(CheckClaims, StatusFail, "no claims: "+tok.PayloadError)
		return
	}
	rep.add(CheckClaims, StatusPass, "the payload is a JSON object")
	c := tok.Claims
	now := v.policy.now()
	v.checkIssuer(rep, c)
	v.checkAudience(rep, c)
	v.checkScopes(rep, c)
	v.checkClient(rep, c)
	v.checkExp(rep, c, now)
	v.checkNbf(rep, c, now)
	v.checkIat(rep, c, now)
	for _, name := range v.required {
		switch name {
		case "iss", "aud", "exp", "nbf", "iat":
			continue // checked above, with their presence rule
		}
		v.checkPresent(rep, c, name)
	}
}

func (v *Validator) requiredBy(name string) string {
	if v.policy.Profile == ProfileRFC9068 && slices.Contains(rfc9068Claims, name) {
		return "RFC 9068"
	}
	if slices.Contains(v.policy.RequiredClaims, name) {
		return "the policy"
	}
	return ""
}

func (v *Validator) missing(rep *Report, name string) bool {
	if by := v.requiredBy(name); by != "" {
		rep.add(name, StatusFail, "missing; required by "+by)
		return true
	}
	return false
}

func (v *Validator) checkIssuer(rep *Report, c Object) {
	raw, ok := c.Get("iss")
	if !ok {
		if !v.missing(rep, "iss") {
			if v.policy.Issuer != "" {
				rep.add("iss", StatusFail, "missing; expected "+quoteIfOdd(v.policy.Issuer))
			} else {
				rep.add("iss", StatusSkip, "absent, and no issuer expected")
			}
		}
		return
	}
	iss, isString := c.String("iss")
	switch {
	case !isString:
		rep.add("iss", StatusFail, "iss is not a string: "+truncate(string(raw), 40))
	case v.policy.Issuer == "":
		rep.add("iss", StatusSkip, "no issuer expected (any issuer accepted)")
	case iss == v.policy.Issuer:
		rep.add("iss", StatusPass, "matches the expected issuer exactly")
	default:
		reason := "is " + strconv.Quote(truncate(iss, 120)) + ", expected " + strconv.Quote(v.policy.Issuer)
		if strings.TrimRight(iss, "/") == strings.TrimRight(v.policy.Issuer, "/") {
			reason += " (they differ only in a trailing slash; issuers are compared exactly)"
		}
		rep.add("iss", StatusFail, reason)
	}
}

func (v *Validator) checkAudience(rep *Report, c Object) {
	rep.AudienceChecked = len(v.policy.Audiences) > 0
	raw, ok := c.Get("aud")
	if !ok {
		if !v.missing(rep, "aud") {
			if len(v.policy.Audiences) > 0 {
				rep.add("aud", StatusFail, "missing; expected "+strings.Join(v.policy.Audiences, " or "))
			} else {
				rep.add("aud", StatusSkip, "absent, and no audience expected")
			}
		}
		return
	}
	var auds []string
	if s, isString := c.String("aud"); isString {
		auds = []string{s}
	} else if list, isList := stringArray(raw); isList {
		auds = list
	} else {
		rep.add("aud", StatusFail, "aud must be a string or an array of strings")
		return
	}
	if len(v.policy.Audiences) == 0 {
		rep.add("aud", StatusSkip, "no audience expected (any audience accepted)")
		return
	}
	for _, a := range auds {
		if slices.Contains(v.policy.Audiences, a) {
			rep.add("aud", StatusPass, "names an expected audience")
			return
		}
	}
	got := make([]string, 0, len(auds))
	for i, a := range auds {
		if i == 5 {
			got = append(got, "…")
			break
		}
		got = append(got, quoteIfOdd(truncate(a, 200)))
	}
	reason := "is " + strings.Join(got, ", ") + "; expected " + strings.Join(v.policy.Audiences, " or ")
	if hint := audienceHint(auds, v.policy.Audiences, c); hint != "" {
		reason += " (" + hint + ")"
	}
	rep.add("aud", StatusFail, reason)
}

// audienceHint explains the near misses people make with aud: a trailing slash or a
// scheme that differs (the API identifier is compared exactly), or an aud that is a
// client ID, which is what an ID token carries.
func audienceHint(auds, expected []string, c Object) string {
	for _, a := range auds {
		for _, want := range expected {
			switch {
			case strings.TrimRight(a, "/") == strings.TrimRight(want, "/"):
				return quoteIfOdd(a) + " differs from " + quoteIfOdd(want) + " only in a trailing slash; audiences are compared exactly"
			case stripScheme(a) == stripScheme(want):
				return quoteIfOdd(a) + " differs from " + quoteIfOdd(want) + " only in the scheme; audiences are compared exactly"
			}
		}
	}
	if c.Has("nonce") || c.Has("at_hash") || c.Has("c_hash") {
		return "this is an ID token (" + idTokenSigns(c) + "; its aud is the client ID): it is for the client that signed in, not for an API; send the access token"
	}
	azp, _ := c.String("azp")
	for _, a := range auds {
		if a != "" && a == azp {
			return "aud is the client ID, as in an ID token: send the access token, requested with your API's identifier as audience"
		}
	}
	return ""
}

// stripScheme drops a leading "scheme://" so that http and https forms compare equal.
func stripScheme(s string) string {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		return strings.TrimRight(rest, "/")
	}
	return strings.TrimRight(s, "/")
}

// scopeClaims are where providers put what a token is allowed to do: scope (RFC 8693,
// RFC 9068), scp (Okta, Entra ID) and permissions (Auth0 RBAC).
var scopeClaims = [...]string{"scope", "scp", "permissions"}

// granted returns the scopes and permissions c grants, each once, in claim order.
func granted(c Object) []string {
	var out []string
	add := func(v string) {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, name := range scopeClaims {
		raw, ok := c.Get(name)
		if !ok {
			continue
		}
		if s, isString := c.String(name); isString {
			for _, f := range strings.Fields(s) {
				add(f)
			}
		} else if list, isList := stringArray(raw); isList {
			for _, v := range list {
				add(v)
			}
		}
	}
	return out
}

func (v *Validator) checkScopes(rep *Report, c Object) {
	if len(v.policy.Scopes) == 0 {
		return
	}
	has := granted(c)
	var missing []string
	for _, s := range v.policy.Scopes {
		if !slices.Contains(has, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		rep.add("scope", StatusPass, "grants "+strings.Join(v.policy.Scopes, " "))
		return
	}
	reason := "missing " + SafeText(strings.Join(missing, " "))
	if len(has) == 0 {
		reason += " (the token has no scope, scp or permissions)"
	} else {
		reason += " (has " + SafeText(truncate(strings.Join(has, " "), 400)) + ")"
	}
	rep.add("scope", StatusFail, reason)
}

// clientClaims name the client a token was issued to, by provider.
var clientClaims = [...]string{"azp", "client_id", "cid", "appid"}

func (v *Validator) checkClient(rep *Report, c Object) {
	if len(v.policy.Clients) == 0 {
		return
	}
	for _, name := range clientClaims {
		id, ok := c.String(name)
		if !ok {
			continue
		}
		if slices.Contains(v.policy.Clients, id) {
			rep.add("client", StatusPass, name+" is the expected client")
		} else {
			rep.add("client", StatusWarn, name+" is "+quoteIfOdd(truncate(id, 120))+", not the expected client "+strings.Join(v.policy.Clients, " or ")+" (another application of the tenant asked for it)")
		}
		return
	}
}

func (v *Validator) checkExp(rep *Report, c Object, now time.Time) {
	exp, ok, why := numericDate(c, "exp")
	switch {
	case why != "":
		rep.add("exp", StatusFail, why)
	case !ok:
		if !v.missing(rep, "exp") {
			rep.add("exp", StatusWarn, "absent: the token never expires")
		}
	case !now.Before(exp.Add(v.leeway)):
		rep.add("exp", StatusFail, "expired "+ago(now.Sub(exp))+" ago ("+stamp(exp)+"), beyond the "+v.leeway.String()+" leeway")
	case !now.Before(exp):
		rep.add("exp", StatusWarn, "expired "+ago(now.Sub(exp))+" ago ("+stamp(exp)+"), accepted within the "+v.leeway.String()+" leeway")
	default:
		rep.add("exp", StatusPass, "not expired (expires "+stamp(exp)+")")
	}
}

func (v *Validator) checkNbf(rep *Report, c Object, now time.Time) {
	nbf, ok, why := numericDate(c, "nbf")
	switch {
	case why != "":
		rep.add("nbf", StatusFail, why)
	case !ok:
		if !v.missing(rep, "nbf") {
			rep.add("nbf", StatusSkip, "absent")
		}
	case now.Add(v.leeway).Before(nbf):
		rep.add("nbf", StatusFail, "not valid until "+stamp(nbf)+" (in "+ago(nbf.Sub(now))+"), beyond the "+v.leeway.String()+" leeway")
	case now.Before(nbf):
		rep.add("nbf", StatusWarn, "valid from "+stamp(nbf)+" (in "+ago(nbf.Sub(now))+"), accepted within the leeway")
	default:
		rep.add("nbf", StatusPass, "valid since "+stamp(nbf))
	}
}

func (v *Validator) checkIat(rep *Report, c Object, now time.Time) {
	iat, ok, why := numericDate(c, "iat")
	switch {
	case why != "":
		rep.add("iat", StatusFail, why)
	case !ok:
		if !v.missing(rep, "iat") {
			rep.add("iat", StatusSkip, "absent")
		}
	case now.Add(v.leeway).Before(iat):
		rep.add("iat", StatusFail, "issued in the future ("+stamp(iat)+", in "+ago(iat.Sub(now))+"), beyond the "+v.leeway.String()+" leeway")
	default:
		rep.add("iat", StatusPass, "issued "+stamp(iat))
	}
}

func (v *Validator) checkPresent(rep *Report, c Object, name string) {
	raw, ok := c.Get(name)
	switch {
	case !ok:
		v.missing(rep, name)
	case (name == "sub" || name == "client_id" || name == "jti") && (len(raw) == 0 || raw[0] != '"'):
		rep.add(name, StatusFail, name+" must be a string")
	case string(raw) == `""`:
		rep.add(name, StatusFail, "present but empty; required by "+v.requiredBy(name))
	default:
		rep.add(name, StatusPass, "present (required by "+v.requiredBy(name)+")")
	}
}

// numericDate reads a NumericDate claim with NumericDate. ok is false when the claim is
// absent; why says what is wrong with a present claim that is not a NumericDate.
func numericDate(c Object, name string) (t time.Time, ok bool, why string) {
	raw, present := c.Get(name)
	if !present {
		return time.Time{}, false, ""
	}
	if secs, isInt := smallInt(raw); isInt && secs <= maxNumericDate {
		return time.Unix(secs, 0), true, "" // the common case, without allocating
	}
	t, err := NumericDate(raw)
	if err != nil {
		return time.Time{}, false, name + " " + err.Error()
	}
	return t, true, ""
}

// smallInt parses a non-negative JSON integer of up to 15 digits without allocating.
func smallInt(raw []byte) (int64, bool) {
	if len(raw) == 0 || len(raw) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// stringArray decodes raw as a JSON array of strings.
func stringArray(raw json.RawMessage) ([]string, bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	var out []string
	if json.Unmarshal(raw, &out) != nil {
		return nil, false
	}
	return out, true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ago renders a duration for a reason, sign ignored.
func ago(d time.Duration) string { return HumanDuration(d) }
