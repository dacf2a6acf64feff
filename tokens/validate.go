package tokens

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxKeyTries bounds the keys tried for a token that names no kid, so that a large key
// set cannot be turned into a work multiplier.
const maxKeyTries = 16

// Validator checks tokens against one Policy and one KeySet. It prepares the keys once
// (unpacks their public material, decides every key-only rule), so validating many
// tokens, or the same token every second as a countdown runs, costs only the parse, the
// signature and the claims. A Validator is safe for concurrent use.
type Validator struct {
	policy     Policy
	keySet     *KeySet
	keys       []sigKey
	hasKidless bool
	allowed    []string
	policyErr  error
	types      []string
	typesBy    string
	required   []string
	leeway     time.Duration
	decrypter  *jweDecrypter
}

// NewValidator prepares a Validator. keys may be nil when no key source is configured:
// tokens are then reported as unverified. A non-nil set without usable keys (every key
// skipped when loading) fails the key check instead. Keys are only ever taken from keys,
// never from the token.
func NewValidator(policy Policy, keys *KeySet) *Validator {
	v := &Validator{policy: policy, allowed: policy.algorithms(), leeway: policy.leeway()}
	v.policyErr = CheckAlgorithms(v.allowed)
	v.types, v.typesBy = policy.types()
	v.required = policy.requiredClaims()
	if keys != nil {
		v.keySet = keys
		v.keys = make([]sigKey, len(keys.Keys))
		for i := range keys.Keys {
			v.keys[i] = newSigKey(&keys.Keys[i])
			v.hasKidless = v.hasKidless || v.keys[i].info.Kid == ""
		}
	}
	v.decrypter = newJWEDecrypter(&v.policy)
	return v
}

// Validate checks raw against policy with keys and returns the full report. It is
// NewValidator(policy, keys).Validate(raw); keep a Validator to check many tokens.
func Validate(raw string, policy Policy, keys *KeySet) *Report {
	return NewValidator(policy, keys).Validate(raw)
}

// Validate checks one token (compact JWS, or compact JWE wrapping a signed JWT) and
// returns a report listing every check in order. It never stops at the first failure,
// never panics (an internal error becomes a failed check), and never fetches anything.
func (v *Validator) Validate(raw string) (rep *Report) {
	rep = &Report{Kind: NotAToken}
	rep.Checks = rep.space[:0]
	defer func() {
		if r := recover(); r != nil {
			rep.add(CheckStructure, StatusFail, fmt.Sprintf("internal error while validating (%v); the token is refused", r))
		}
		rep.Verdict = rep.verdict()
	}()
	tok, err := parse(raw, !v.policy.SignatureOnly)
	if err != nil && !strings.Contains(raw, ".") && Inspect(raw).Kind == Opaque {
		// Not a broken JWT (those have dots, and are refused below) but no JWT at all:
		// only its issuer can say what it means.
		rep.Kind, rep.Opaque = Opaque, true
		rep.add(CheckStructure, StatusSkip, "not a JWT but "+OpaqueNote)
		rep.skip("not checked: an opaque token is checked by its issuer (introspection or userinfo)", CheckSignature)
		return rep
	}
	if err != nil {
		reason := err.Error()
		if t := strings.TrimSpace(raw); strings.HasPrefix(t, "{") {
			reason = "JSON serialization is not accepted; tokens use the compact form (" + reason + ")"
		} else if unencodedPayload(raw) {
			reason = "b64=false (RFC 7797 unencoded payload) is not supported (" + reason + ")"
		}
		rep.add(CheckStructure, StatusFail, SafeText(reason)) // reasons quote input: keep them one line
		rep.skip("not checked: the token could not be read", CheckHeader, CheckAlgorithm, CheckKey, CheckSignature)
		return rep
	}
	rep.Kind = tok.Kind
	if tok.Kind == JWE {
		rep.add(CheckJWEStructure, StatusPass, "compact JWE, strict base64url and JSON header")
		inner := v.decrypter.open(rep, tok)
		if inner == "" {
			rep.skip("not checked: the JWE was not decrypted", CheckSignature)
			return rep
		}
		if tok, err = parse(inner, !v.policy.SignatureOnly); err != nil {
			rep.add(CheckStructure, StatusFail, "nested token: "+SafeText(err.Error()))
			return rep
		}
		if tok.Kind != JWS {
			rep.add(CheckStructure, StatusFail, "nested token is another JWE; only one layer of encryption is accepted")
			return rep
		}
		rep.add(CheckStructure, StatusPass, "nested compact JWS, strict base64url and JSON")
	} else {
		rep.add(CheckStructure, StatusPass, "compact JWS, strict base64url and JSON")
	}
	rep.Token = tok
	_, rep.MintedLocally = tok.MintedLocally()
	v.checkJWS(rep, tok)
	return rep
}

func (v *Validator) checkJWS(rep *Report, tok *Token) {
	v.checkHeader(rep, tok)
	v.checkEmbeddedKeys(rep, tok)
	v.checkType(rep, tok)
	alg, ok := v.checkAlgorithm(rep, tok)
	if ok {
		v.checkSignature(rep, tok, &alg)
	} else {
		rep.skip("not checked: the algorithm was refused", CheckKey, CheckSignature)
	}
	const detached = "the payload is empty; detached content (RFC 7515 Appendix F) is not supported, so a detached signature cannot verify"
	switch {
	case len(tok.Payload) == 0 && v.policy.SignatureOnly:
		rep.add(CheckClaims, StatusSkip, detached)
		return
	case len(tok.Payload) == 0:
		rep.add(CheckClaims, StatusFail, detached)
		return
	case v.policy.SignatureOnly:
		rep.add(CheckClaims, StatusSkip, "signature only: the payload is not checked")
		return
	}
	v.checkClaims(rep, tok)
}

// checkHeader enforces the header rules that do not depend on keys: crit, b64 and kid.
func (v *Validator) checkHeader(rep *Report, tok *Token) {
	if reason := critProblem(tok.Header); reason != "" {
		rep.add(CheckHeader, StatusFail, reason)
		return
	}
	if raw, ok := tok.Header.Get("b64"); ok && string(raw) != "true" {
		rep.add(CheckHeader, StatusFail, "b64=false (RFC 7797 unencoded payload) is not supported")
		return
	}
	if raw, ok := tok.Header.Get("kid"); ok && (len(raw) == 0 || raw[0] != '"') {
		rep.add(CheckHeader, StatusFail, "kid is not a string")
		return
	}
	rep.add(CheckHeader, StatusPass, "no critical extensions, kid well-formed")
}

// critProblem applies RFC 7515 §4.1.11: crit must be a non-empty array of names of
// extension parameters that are present in the header and understood. tokenbench
// understands none, so any crit is refused, with the most precise reason.
func critProblem(h Object) string {
	raw, ok := h.Get("crit")
	if !ok {
		return ""
	}
	names, ok := stringArray(raw)
	switch {
	case !ok:
		return "crit is not an array of strings"
	case len(names) == 0:
		return "crit is empty, which RFC 7515 forbids"
	}
	for _, n := range names {
		switch {
		case isRegisteredJWSHeader(n):
			return "crit names the registered parameter " + quoteIfOdd(n) + ", which RFC 7515 forbids"
		case !h.Has(n):
			return "crit names " + quoteIfOdd(n) + ", which the header does not have"
		case n == "b64":
			return "crit b64 (RFC 7797 unencoded payload) is not supported"
		}
	}
	return "crit extension " + quoteIfOdd(names[0]) + " is not understood"
}

func isRegisteredJWSHeader(n string) bool {
	switch n {
	case "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
		"enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c":
		return true
	}
	return false
}

// untrustedHeaders are header parameters that carry or point to keys. Using them would
// let the token choose the key that verifies it.
var untrustedHeaders = [...]string{"jwk", "jku", "x5u", "x5c"}

func (v *Validator) checkEmbeddedKeys(rep *Report, tok *Token) {
	var found []string
	for _, n := range untrustedHeaders {
		if tok.Header.Has(n) {
			found = append(found, n)
		}
	}
	if found == nil {
		rep.add(CheckEmbeddedKeys, StatusPass, "no jwk, jku, x5u or x5c in the header")
		return
	}
	rep.add(CheckEmbeddedKeys, StatusWarn, "the token carries "+strings.Join(found, ", ")+
		": untrusted, never used or fetched (keys come only from configured sources)")
}

func (v *Validator) checkType(rep *Report, tok *Token) {
	_, present := tok.Header.Get("typ")
	typ, isString := tok.Header.String("typ")
	switch {
	case present && !isString:
		rep.add(CheckType, StatusFail, "typ is not a string")
	case v.types == nil && present:
		rep.add(CheckType, StatusSkip, "typ "+quoteIfOdd(typ)+" (no typ expected)")
	case v.types == nil:
		rep.add(CheckType, StatusSkip, "no typ expected")
	case !present:
		rep.add(CheckType, StatusFail, "missing; "+v.typesBy+" expects "+strings.Join(v.types, " or "))
	default:
		for _, want := range v.types {
			if mediaTypeEqual(typ, want) {
				rep.add(CheckType, StatusPass, "as expected")
				return
			}
		}
		rep.add(CheckType, StatusFail, "typ is "+quoteIfOdd(typ)+"; "+v.typesBy+" expects "+strings.Join(v.types, " or "))
	}
}

// mediaTypeEqual compares typ values as RFC 7515 §4.1.9 says: case-insensitively, with
// "application/" optional.
func mediaTypeEqual(a, b string) bool {
	return strings.EqualFold(trimApplication(a), trimApplication(b))
}

func trimApplication(s string) string {
	if len(s) > len("application/") && strings.EqualFold(s[:len("application/")], "application/") {
		return s[len("application/"):]
	}
	return s
}

func (v *Validator) checkAlgorithm(rep *Report, tok *Token) (sigAlg, bool) {
	raw, present := tok.Header.Get("alg")
	name, isString := tok.Header.String("alg")
	rep.Alg = name
	switch {
	case !present:
		rep.add(CheckAlgorithm, StatusFail, "the header has no alg")
	case !isString:
		rep.add(CheckAlgorithm, StatusFail, "alg is not a string: "+truncate(string(raw), 40))
	case isNone(name):
		rep.add(CheckAlgorithm, StatusFail, "alg "+quoteIfOdd(name)+" is never accepted: an unsigned token proves nothing")
	case v.policyErr != nil:
		reason := v.policyErr.Error()
		var ve *ValidationError
		if errors.As(v.policyErr, &ve) {
			reason = ve.Reason
		}
		rep.add(CheckAlgorithm, StatusFail, "the policy is unusable: "+reason)
	default:
		alg, known := lookupSigAlg(name)
		if !known {
			rep.add(CheckAlgorithm, StatusFail, "alg "+quoteIfOdd(name)+" is not a JWS signature algorithm tokenbench knows")
			break
		}
		if !slices.Contains(v.allowed, name) {
			reason := "alg " + name + " is not allowed (allowed: " + strings.Join(v.allowed, ", ") + ")"
			if alg.family == famHMAC {
				reason += "; HMAC must be allowed explicitly and keyed with a secret file"
			}
			rep.add(CheckAlgorithm, StatusFail, reason)
			break
		}
		rep.add(CheckAlgorithm, StatusPass, "allowed by the policy")
		return alg, true
	}
	return sigAlg{}, false
}

// checkSignature selects keys (kid only ever as an exact lookup) and verifies.
func (v *Validator) checkSignature(rep *Report, tok *Token, alg *sigAlg) {
	if v.keySet == nil {
		rep.add(CheckKey, StatusSkip, "no keys configured")
		rep.add(CheckSignature, StatusSkip, "not checked: no key configured, the token is unverified")
		return
	}
	warning := v.keySet.Warning
	if len(v.keySet.Unread) > 0 {
		warning = JoinWarnings(warning, "not read: "+strings.Join(v.keySet.Unread, "; "))
	}
	if warning != "" {
		rep.add(CheckKeySource, StatusWarn, warning)
	}
	if len(v.keys) == 0 {
		reason := "the configured key source has no usable key"
		if sk := v.keySet.Skipped; len(sk) > 0 {
			reason += " (" + strings.Join(sk[:min(len(sk), 3)], "; ") + ")"
		}
		v.keyNotFound(rep, reason, "not checked: no usable key")
		return
	}
	kid, hasKid := tok.Header.String("kid")
	if !hasKid && tok.Header.Has("kid") {
		rep.skip("not checked: kid is malformed", CheckKey, CheckSignature)
		return
	}
	if hasKid {
		idx, n := -1, 0
		for i := range v.keys {
			if v.keys[i].info.Kid == kid {
				idx, n = i, n+1
			}
		}
		switch {
		case n == 0 && v.hasKidless:
			// Keys configured without a kid (a PEM file, say) may verify any kid; keys
			// with another kid are never tried.
			v.tryKeys(rep, tok, alg, "kid "+quoteIfOdd(truncate(kid, 80))+" not found; trying the configured keys without a kid", true)
			return
		case n == 0:
			v.keyNotFound(rep, "no configured key has kid "+quoteIfOdd(truncate(kid, 80))+" ("+strconv.Itoa(len(v.keys))+" keys configured)", "not checked: no key selected")
			return
		case n > 1:
			rep.add(CheckKey, StatusFail, strconv.Itoa(n)+" configured keys share kid "+quoteIfOdd(kid)+": ambiguous, refused")
			rep.add(CheckSignature, StatusSkip, "not checked: no key selected")
			return
		}
		k := &v.keys[idx]
		if why := k.fits(alg); why != "" {
			rep.addKey(CheckKey, StatusFail, "kid matched, but "+why, &k.info)
			rep.add(CheckSignature, StatusSkip, "not checked: no usable key")
			return
		}
		rep.addKey(CheckKey, StatusPass, "kid matched exactly", &k.info)
		if why := k.verify(alg, tok.SigningInput(), tok.Signature); why != "" {
			rep.addKey(CheckSignature, StatusFail, graphHint(tok, why), &k.info)
			return
		}
		rep.addKey(CheckSignature, StatusPass, "verified", &k.info)
		rep.Key = rep.Checks[len(rep.Checks)-1].Key
		return
	}
	v.tryKeys(rep, tok, alg, "", false)
}

// tryKeys verifies with every configured key that fits alg (only those without a kid when
// kidless is set), at most maxKeyTries of them.
func (v *Validator) tryKeys(rep *Report, tok *Token, alg *sigAlg, note string, kidless bool) {
	var fit [maxKeyTries]int
	n, firstWhy := 0, ""
	for i := range v.keys {
		if kidless && v.keys[i].info.Kid != "" {
			continue
		}
		why := v.keys[i].fits(alg)
		if why != "" {
			if firstWhy == "" {
				firstWhy = why
			}
			continue
		}
		if n == maxKeyTries {
			rep.add(CheckKey, StatusFail, "the token has no kid and more than "+strconv.Itoa(maxKeyTries)+" keys fit "+alg.name+"; refusing to try them all")
			rep.add(CheckSignature, StatusSkip, "not checked: no key selected")
			return
		}
		fit[n] = i
		n++
	}
	if note == "" {
		note = "no kid"
	}
	if n == 0 {
		v.keyNotFound(rep, note+": none of the "+strconv.Itoa(len(v.keys))+" configured keys can verify "+alg.name+": "+firstWhy, "not checked: no usable key")
		return
	}
	if n == 1 {
		rep.addKey(CheckKey, StatusPass, note+"; one configured key fits "+alg.name, &v.keys[fit[0]].info)
	} else {
		rep.add(CheckKey, StatusPass, note+"; "+strconv.Itoa(n)+" configured keys fit "+alg.name)
	}
	input := tok.SigningInput()
	var why string
	for _, i := range fit[:n] {
		k := &v.keys[i]
		if why = k.verify(alg, input, tok.Signature); why == "" {
			rep.addKey(CheckSignature, StatusPass, "verified", &k.info)
			rep.Key = rep.Checks[len(rep.Checks)-1].Key
			return
		}
	}
	if len(v.keySet.Unread) > 0 {
		// The token names no key (or one not configured): the one that signed it may be in
		// a source that could not be read.
		rep.add(CheckSignature, StatusSkip, "not checked: none of the "+strconv.Itoa(n)+" keys read verifies it, and the token's key may be in a source that could not be read")
		rep.keyUnread = true
		return
	}
	if n == 1 {
		rep.addKey(CheckSignature, StatusFail, graphHint(tok, why), &v.keys[fit[0]].info)
		return
	}
	rep.add(CheckSignature, StatusFail, graphHint(tok, "no configured key verifies it (tried "+strconv.Itoa(n)+"; last: "+why+")"))
}

// keyNotFound reports that no configured key can check the token: a failed key check, or
// when a configured source could not be read a skipped one (its key may be there), which
// leaves the token unverified rather than invalid.
func (v *Validator) keyNotFound(rep *Report, reason, sigReason string) {
	if len(v.keySet.Unread) > 0 {
		rep.add(CheckKey, StatusSkip, reason+"; a key source could not be read")
		rep.add(CheckSignature, StatusSkip, "not checked: the token's key may be in a source that could not be read")
		rep.keyUnread = true
		return
	}
	rep.add(CheckKey, StatusFail, reason)
	rep.add(CheckSignature, StatusSkip, sigReason)
}

// graphHint adds to a signature failure of a token whose header carries a nonce why it
// fails: Microsoft Graph signs its access tokens over a hash of that nonce, so they verify
// with Graph alone.
func graphHint(tok *Token, why string) string {
	if tok.Header.Has("nonce") {
		return why + " (the header's nonce marks a Microsoft Graph access token: only Graph can verify it)"
	}
	return why
}

func (r *Report) add(name string, st Status, reason string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: st, Reason: reason})
}

func (r *Report) addKey(name string, st Status, reason string, k *KeyInfo) {
	r.Checks = append(r.Checks, Check{Name: name, Status: st, Reason: reason, Key: k})
}

func (r *Report) skip(reason string, names ...string) {
	for _, n := range names {
		r.add(n, StatusSkip, reason)
	}
}

func (r *Report) verdict() Verdict {
	signed := false
	for _, c := range r.Checks {
		switch {
		case c.Status == StatusFail:
			return VerdictInvalid
		case c.Name == CheckSignature && c.Status == StatusPass:
			signed = true
		}
	}
	if signed {
		return VerdictValid
	}
	return VerdictUnverified
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// unencodedPayload reports whether a token that failed to parse has a readable header
// asking for an RFC 7797 unencoded payload, to name that as the reason.
func unencodedPayload(raw string) bool {
	i := strings.IndexByte(raw, '.')
	if i < 0 {
		return false
	}
	hdr, err := decodeSegment("header", raw[:i])
	if err != nil {
		return false
	}
	h, err := ParseObject(hdr)
	if err != nil {
		return false
	}
	b, ok := h.Get("b64")
	return ok && string(b) == "false"
}
