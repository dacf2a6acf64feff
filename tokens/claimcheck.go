package tokens

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxNumericDate is 9999-12-31T23:59:59Z: later NumericDates are refused as nonsense
// rather than overflowing time arithmetic.
const maxNumericDate = 253402300799

// checkClaims runs the claims policy: exact issuer, audience, times with leeway, and the
// claims the policy or profile requires.
func (v *Validator) checkClaims(rep *Report, tok *Token) {
	if tok.Claims == nil {
		rep.add(CheckClaims, Fail, "no claims: "+tok.PayloadError)
		return
	}
	rep.add(CheckClaims, Pass, "the payload is a JSON object")
	c := tok.Claims
	now := v.policy.now()
	v.checkIssuer(rep, c)
	v.checkAudience(rep, c)
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
	if v.policy.Profile == ProfileRFC9068 && contains(rfc9068Claims, name) {
		return "RFC 9068"
	}
	if contains(v.policy.RequiredClaims, name) {
		return "the policy"
	}
	return ""
}

func (v *Validator) missing(rep *Report, name string) bool {
	if by := v.requiredBy(name); by != "" {
		rep.add(name, Fail, "missing; required by "+by)
		return true
	}
	return false
}

func (v *Validator) checkIssuer(rep *Report, c Object) {
	raw, ok := c.Get("iss")
	if !ok {
		if !v.missing(rep, "iss") {
			if v.policy.Issuer != "" {
				rep.add("iss", Fail, "missing; expected "+quoteIfOdd(v.policy.Issuer))
			} else {
				rep.add("iss", Skip, "absent, and no issuer expected")
			}
		}
		return
	}
	iss, isString := c.String("iss")
	switch {
	case !isString:
		rep.add("iss", Fail, "iss is not a string: "+truncate(string(raw), 40))
	case v.policy.Issuer == "":
		rep.add("iss", Skip, "no issuer expected (any issuer accepted)")
	case iss == v.policy.Issuer:
		rep.add("iss", Pass, "matches the expected issuer exactly")
	default:
		reason := "is " + strconv.Quote(truncate(iss, 120)) + ", expected " + strconv.Quote(v.policy.Issuer)
		if strings.TrimRight(iss, "/") == strings.TrimRight(v.policy.Issuer, "/") {
			reason += " (they differ only in a trailing slash; issuers are compared exactly)"
		}
		rep.add("iss", Fail, reason)
	}
}

func (v *Validator) checkAudience(rep *Report, c Object) {
	raw, ok := c.Get("aud")
	if !ok {
		if !v.missing(rep, "aud") {
			if len(v.policy.Audiences) > 0 {
				rep.add("aud", Fail, "missing; expected "+strings.Join(v.policy.Audiences, " or "))
			} else {
				rep.add("aud", Skip, "absent, and no audience expected")
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
		rep.add("aud", Fail, "aud must be a string or an array of strings")
		return
	}
	if len(v.policy.Audiences) == 0 {
		rep.add("aud", Skip, "no audience expected (any audience accepted)")
		return
	}
	for _, a := range auds {
		if contains(v.policy.Audiences, a) {
			rep.add("aud", Pass, "names an expected audience")
			return
		}
	}
	got := make([]string, 0, len(auds))
	for i, a := range auds {
		if i == 5 {
			got = append(got, "…")
			break
		}
		got = append(got, strconv.Quote(truncate(a, 80)))
	}
	rep.add("aud", Fail, "is ["+strings.Join(got, ", ")+"]; expected "+strings.Join(v.policy.Audiences, " or "))
}

func (v *Validator) checkExp(rep *Report, c Object, now time.Time) {
	exp, ok, why := numericDate(c, "exp")
	switch {
	case why != "":
		rep.add("exp", Fail, why)
	case !ok:
		if !v.missing(rep, "exp") {
			rep.add("exp", Warn, "absent: the token never expires")
		}
	case !now.Before(exp.Add(v.leeway)):
		rep.add("exp", Fail, "expired "+ago(now.Sub(exp))+" ago ("+stamp(exp)+"), beyond the "+v.leeway.String()+" leeway")
	case !now.Before(exp):
		rep.add("exp", Warn, "expired "+ago(now.Sub(exp))+" ago ("+stamp(exp)+"), accepted within the "+v.leeway.String()+" leeway")
	default:
		rep.add("exp", Pass, "not expired (expires "+stamp(exp)+")")
	}
}

func (v *Validator) checkNbf(rep *Report, c Object, now time.Time) {
	nbf, ok, why := numericDate(c, "nbf")
	switch {
	case why != "":
		rep.add("nbf", Fail, why)
	case !ok:
		if !v.missing(rep, "nbf") {
			rep.add("nbf", Skip, "absent")
		}
	case now.Add(v.leeway).Before(nbf):
		rep.add("nbf", Fail, "not valid until "+stamp(nbf)+" (in "+ago(nbf.Sub(now))+"), beyond the "+v.leeway.String()+" leeway")
	case now.Before(nbf):
		rep.add("nbf", Warn, "valid from "+stamp(nbf)+" (in "+ago(nbf.Sub(now))+"), accepted within the leeway")
	default:
		rep.add("nbf", Pass, "valid since "+stamp(nbf))
	}
}

func (v *Validator) checkIat(rep *Report, c Object, now time.Time) {
	iat, ok, why := numericDate(c, "iat")
	switch {
	case why != "":
		rep.add("iat", Fail, why)
	case !ok:
		if !v.missing(rep, "iat") {
			rep.add("iat", Skip, "absent")
		}
	case now.Add(v.leeway).Before(iat):
		rep.add("iat", Fail, "issued in the future ("+stamp(iat)+", in "+ago(iat.Sub(now))+"), beyond the "+v.leeway.String()+" leeway")
	default:
		rep.add("iat", Pass, "issued "+stamp(iat))
	}
}

func (v *Validator) checkPresent(rep *Report, c Object, name string) {
	raw, ok := c.Get(name)
	switch {
	case !ok:
		v.missing(rep, name)
	case (name == "sub" || name == "client_id" || name == "jti") && (len(raw) == 0 || raw[0] != '"'):
		rep.add(name, Fail, name+" must be a string")
	case string(raw) == `""`:
		rep.add(name, Fail, "present but empty; required by "+v.requiredBy(name))
	default:
		rep.add(name, Pass, "present (required by "+v.requiredBy(name)+")")
	}
}

// numericDate reads a NumericDate claim (RFC 7519 §2): a JSON number of seconds since the
// epoch, fractions allowed. ok is false when the claim is absent; why says what is wrong
// with a present claim that is not a NumericDate (a string, say).
func numericDate(c Object, name string) (t time.Time, ok bool, why string) {
	raw, present := c.Get(name)
	if !present {
		return time.Time{}, false, ""
	}
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		if len(raw) > 0 && raw[0] == '"' {
			return time.Time{}, false, name + " is a string; a NumericDate must be a JSON number"
		}
		return time.Time{}, false, name + " is not a number: " + truncate(string(raw), 40)
	}
	if secs, isInt := smallInt(raw); isInt {
		if secs > maxNumericDate {
			return time.Time{}, false, name + " is beyond the year 9999"
		}
		return time.Unix(secs, 0), true, ""
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false, name + " is not a usable number: " + truncate(string(raw), 40)
	}
	if f > maxNumericDate || f < -maxNumericDate {
		return time.Time{}, false, name + " is out of range: " + truncate(string(raw), 40)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, ""
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

// ago renders a duration for a reason: whole seconds, never negative.
func ago(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
