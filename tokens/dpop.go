package tokens

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Names of the checks of a DPoP proof (RFC 9449 §4.3), in the order they are listed.
const (
	CheckDPoPStructure = "dpop proof"
	CheckDPoPType      = "dpop typ"
	CheckDPoPAlgorithm = "dpop alg"
	CheckDPoPKey       = "dpop jwk"
	CheckDPoPSignature = "dpop sig"
	CheckDPoPJTI       = "dpop jti"
	CheckDPoPMethod    = "dpop htm"
	CheckDPoPURL       = "dpop htu"
	CheckDPoPIssuedAt  = "dpop iat"
	CheckDPoPATH       = "dpop ath"
	CheckDPoPBinding   = "dpop binding"
)

// DefaultDPoPMaxAge is how old a proof's iat may be before it is stale. RFC 9449 leaves the
// window to the server; a few minutes is what servers commonly allow.
const DefaultDPoPMaxAge = 5 * time.Minute

// DPoPOptions says what a DPoP proof is checked against. Empty Method, URL or AccessToken
// skip the htm, htu and ath comparisons (the checks are listed as skipped).
type DPoPOptions struct {
	// Method is the HTTP method of the request, compared exactly with htm.
	Method string
	// URL is the request URI, compared with htu without query and fragment, after RFC 3986
	// syntax- and scheme-based normalisation (case of scheme and host, default port,
	// empty path).
	URL string
	// AccessToken is the token sent with the proof; its hash must equal ath.
	AccessToken string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Leeway allows clock skew on iat: zero means DefaultLeeway, negative none.
	Leeway time.Duration
	// MaxAge is how old iat may be: zero means DefaultDPoPMaxAge.
	MaxAge time.Duration
	// Algorithms is the allow-list; nil means DefaultAlgorithms. HMAC is never accepted: a
	// proof is verified with the public key it carries.
	Algorithms []string
}

// DPoPResult is the outcome of checking a DPoP proof: every check, and the RFC 7638
// thumbprint of the proof's key when the key could be read.
type DPoPResult struct {
	Checks     []Check `json:"checks"`
	Thumbprint string  `json:"jkt,omitempty"`
}

// Valid reports whether no check failed and the signature was verified.
func (r *DPoPResult) Valid() bool {
	verified := false
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return false
		}
		verified = verified || (c.Name == CheckDPoPSignature && c.Status == StatusPass)
	}
	return verified
}

func (r *DPoPResult) add(name string, st Status, reason string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: st, Reason: reason})
}

// IsDPoPProof reports whether t says it is a DPoP proof (typ dpop+jwt).
func IsDPoPProof(t *Token) bool {
	typ, _ := t.Header.String("typ")
	return t.Kind == JWS && mediaTypeEqual(typ, "dpop+jwt")
}

// proofPrivateMembers are JWK members only a private or symmetric key has: a proof that
// carries any of them leaks its key and is refused.
var proofPrivateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}

// CheckDPoPProof checks a DPoP proof as RFC 9449 §4.3 asks: a compact JWS with typ
// dpop+jwt, an asymmetric alg on the allow-list, a public JWK in the header (private
// members refused) that verifies the signature, a jti, htm and htu matching the request,
// an iat neither in the future nor older than MaxAge (each with leeway), and ath matching
// the access token. It lists every check rather than stopping at the first failure, and
// never panics on hostile input.
func CheckDPoPProof(raw string, o DPoPOptions) (res *DPoPResult) {
	res = &DPoPResult{}
	defer func() {
		if r := recover(); r != nil {
			res.add(CheckDPoPStructure, StatusFail, "could not be checked (internal error)")
		}
	}()
	tok, err := Parse(raw)
	if err != nil {
		res.add(CheckDPoPStructure, StatusFail, err.Error())
		return res
	}
	if tok.Kind != JWS || tok.Claims == nil {
		res.add(CheckDPoPStructure, StatusFail, "a proof is a signed JWT (compact JWS with JSON claims)")
		return res
	}
	res.add(CheckDPoPStructure, StatusPass, "compact JWS, strict base64url and JSON")
	if IsDPoPProof(tok) {
		res.add(CheckDPoPType, StatusPass, "dpop+jwt")
	} else {
		typ, _ := tok.Header.String("typ")
		res.add(CheckDPoPType, StatusFail, "typ is "+quoteIfOdd(truncate(typ, 40))+"; a proof must say dpop+jwt")
	}
	alg, algOK := checkProofAlg(res, tok, o.Algorithms)
	jwk, keyOK := proofKey(res, tok)
	switch {
	case algOK && keyOK:
		key := Key{JWK: jwk, Origin: OriginKeyFile, Source: "the proof's jwk"}
		sk := newSigKey(&key)
		if reason := sk.fits(&alg); reason != "" {
			res.add(CheckDPoPSignature, StatusFail, reason)
		} else if reason := sk.verify(&alg, tok.SigningInput(), tok.Signature); reason != "" {
			res.add(CheckDPoPSignature, StatusFail, reason)
		} else {
			res.add(CheckDPoPSignature, StatusPass, "verified with the proof's own jwk")
		}
	default:
		res.add(CheckDPoPSignature, StatusSkip, "no usable alg and key")
	}
	checkProofClaims(res, tok, &o)
	return res
}

func checkProofAlg(res *DPoPResult, tok *Token, allowed []string) (sigAlg, bool) {
	name := tok.Alg()
	if allowed == nil {
		allowed = DefaultAlgorithms
	}
	alg, known := lookupSigAlg(name)
	switch {
	case isNone(name):
		res.add(CheckDPoPAlgorithm, StatusFail, `alg "none" is never accepted`)
	case !known:
		res.add(CheckDPoPAlgorithm, StatusFail, "alg "+quoteIfOdd(truncate(name, 40))+" is not a JWS signature algorithm tokenbench knows")
	case alg.family == famHMAC:
		res.add(CheckDPoPAlgorithm, StatusFail, "alg "+name+" is symmetric; a proof must be signed with an asymmetric key (RFC 9449 §4.2)")
	case !slices.Contains(allowed, name):
		res.add(CheckDPoPAlgorithm, StatusFail, "alg "+name+" is not allowed (allowed: "+strings.Join(allowed, ", ")+")")
	default:
		res.add(CheckDPoPAlgorithm, StatusPass, name)
		return alg, true
	}
	return alg, false
}

// proofKey reads the public JWK a proof carries and records its thumbprint.
func proofKey(res *DPoPResult, tok *Token) (jose.JSONWebKey, bool) {
	var jwk jose.JSONWebKey
	raw, ok := tok.Header.Get("jwk")
	if !ok {
		res.add(CheckDPoPKey, StatusFail, "no jwk in the header; a proof carries its public key")
		return jwk, false
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		res.add(CheckDPoPKey, StatusFail, "jwk is not a JSON object")
		return jwk, false
	}
	for _, n := range proofPrivateMembers {
		if _, ok := members[n]; ok {
			res.add(CheckDPoPKey, StatusFail, "jwk has the private member "+quoteIfOdd(n)+": the proof leaks its key, refused")
			return jwk, false
		}
	}
	if err := jwk.UnmarshalJSON(raw); err != nil {
		res.add(CheckDPoPKey, StatusFail, "jwk is not a usable key: "+truncate(err.Error(), 120))
		return jwk, false
	}
	if _, secret := jwk.Key.([]byte); secret || !jwk.IsPublic() {
		res.add(CheckDPoPKey, StatusFail, "jwk is not a public key")
		return jwk, false
	}
	if reason := checkProofPublicKey(jwk.Key); reason != "" {
		res.add(CheckDPoPKey, StatusFail, reason)
		return jwk, false
	}
	jkt, err := Thumbprint(jwk)
	if err != nil {
		res.add(CheckDPoPKey, StatusFail, "no thumbprint for jwk")
		return jwk, false
	}
	res.Thumbprint = jkt
	res.add(CheckDPoPKey, StatusPass, "public key, thumbprint (jkt) "+jkt)
	return jwk, true
}

// checkProofPublicKey refuses weak or unsupported proof keys, as for any verification key.
func checkProofPublicKey(pub any) string {
	sk := newSigKey(&Key{JWK: jose.JSONWebKey{Key: pub}})
	switch {
	case sk.problem != "":
		return sk.problem
	case sk.rsa != nil && sk.rsa.N.BitLen() < MinRSABits:
		return rsaTooSmall(sk.rsa.N.BitLen())
	case sk.hmac != nil:
		return "a symmetric key cannot be a proof key"
	}
	return ""
}

func checkProofClaims(res *DPoPResult, tok *Token, o *DPoPOptions) {
	c := tok.Claims
	if jti, ok := c.String("jti"); ok && jti != "" {
		res.add(CheckDPoPJTI, StatusPass, "present (a server remembers it to refuse replays)")
	} else {
		res.add(CheckDPoPJTI, StatusFail, "missing or not a string; a proof must carry a unique jti")
	}

	htm, ok := c.String("htm")
	switch {
	case !ok:
		res.add(CheckDPoPMethod, StatusFail, "missing or not a string")
	case o.Method == "":
		res.add(CheckDPoPMethod, StatusSkip, "is "+quoteIfOdd(truncate(htm, 40))+"; no method given to compare")
	case htm != o.Method:
		res.add(CheckDPoPMethod, StatusFail, "is "+quoteIfOdd(truncate(htm, 40))+"; the request is "+quoteIfOdd(o.Method))
	default:
		res.add(CheckDPoPMethod, StatusPass, htm)
	}

	htu, ok := c.String("htu")
	switch {
	case !ok:
		res.add(CheckDPoPURL, StatusFail, "missing or not a string")
	case o.URL == "":
		res.add(CheckDPoPURL, StatusSkip, "is "+quoteIfOdd(truncate(htu, 200))+"; no URL given to compare")
	default:
		got, gerr := normalHTU(htu)
		want, werr := normalHTU(o.URL)
		switch {
		case gerr != nil:
			res.add(CheckDPoPURL, StatusFail, "is not an absolute http(s) URL: "+quoteIfOdd(truncate(htu, 200)))
		case werr != nil:
			res.add(CheckDPoPURL, StatusFail, "the request URL "+quoteIfOdd(truncate(o.URL, 200))+" is not an absolute http(s) URL")
		case got != want:
			res.add(CheckDPoPURL, StatusFail, "is "+quoteIfOdd(truncate(htu, 200))+"; the request is "+quoteIfOdd(truncate(want, 200)))
		default:
			res.add(CheckDPoPURL, StatusPass, truncate(htu, 200))
		}
	}

	checkProofIAT(res, c, o)

	ath, hasATH := c.String("ath")
	switch {
	case o.AccessToken == "" && hasATH:
		res.add(CheckDPoPATH, StatusSkip, "present; no access token given to compare")
	case o.AccessToken == "":
		res.add(CheckDPoPATH, StatusSkip, "no access token given")
	case !hasATH:
		res.add(CheckDPoPATH, StatusFail, "missing; a proof sent with an access token must carry its hash")
	case ath != AccessTokenHash(o.AccessToken):
		res.add(CheckDPoPATH, StatusFail, "does not match the access token's SHA-256 hash")
	default:
		res.add(CheckDPoPATH, StatusPass, "matches the access token")
	}
}

func checkProofIAT(res *DPoPResult, c Object, o *DPoPOptions) {
	raw, ok := c.Get("iat")
	if !ok {
		res.add(CheckDPoPIssuedAt, StatusFail, "missing; a proof must say when it was made")
		return
	}
	iat, err := NumericDate(raw)
	if err != nil {
		res.add(CheckDPoPIssuedAt, StatusFail, err.Error())
		return
	}
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	leeway := DefaultLeeway
	if o.Leeway < 0 {
		leeway = 0
	} else if o.Leeway > 0 {
		leeway = o.Leeway
	}
	maxAge := DefaultDPoPMaxAge
	if o.MaxAge > 0 {
		maxAge = o.MaxAge
	}
	switch age := now.Sub(iat); {
	case age < -leeway:
		res.add(CheckDPoPIssuedAt, StatusFail, "issued "+Relative(iat, now)+", in the future beyond the "+leeway.String()+" leeway")
	case age > maxAge+leeway:
		res.add(CheckDPoPIssuedAt, StatusFail, "stale: issued "+Relative(iat, now)+"; proofs older than "+maxAge.String()+" are refused")
	default:
		res.add(CheckDPoPIssuedAt, StatusPass, "issued "+Relative(iat, now))
	}
}

// normalHTU normalises a URL for the htu comparison of RFC 9449 §4.3: no query or
// fragment, lower-case scheme and host, no default port, "/" for an empty path.
func normalHTU(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "HTTP" && u.Scheme != "HTTPS") || u.Host == "" {
		if err == nil {
			err = &MintError{"htu", "not an absolute http(s) URL"}
		}
		return "", err
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// CheckDPoPBindingOf checks that an access token is bound to a proof's key: its cnf.jkt
// must equal jkt, the proof key's thumbprint (RFC 9449 §6.1).
func CheckDPoPBindingOf(claims Object, jkt string) Check {
	c := Check{Name: CheckDPoPBinding, Status: StatusFail}
	bound := ConfirmationThumbprint(claims)
	switch {
	case bound == "":
		c.Reason = "the access token has no cnf.jkt: it is not bound to a DPoP key"
	case jkt == "":
		c.Reason = "the proof's key is unusable, so the binding cannot be checked"
	case bound != jkt:
		c.Reason = "cnf.jkt is " + quoteIfOdd(truncate(bound, 60)) + "; the proof's key is " + jkt
	default:
		c.Status, c.Reason = StatusPass, "cnf.jkt equals the proof key's thumbprint"
	}
	return c
}

// ConfirmationThumbprint returns the cnf.jkt of claims (RFC 9449 §6.1), or "".
func ConfirmationThumbprint(claims Object) string {
	raw, ok := claims.Get("cnf")
	if !ok {
		return ""
	}
	var cnf struct {
		JKT string `json:"jkt"`
	}
	if json.Unmarshal(raw, &cnf) != nil {
		return ""
	}
	return cnf.JKT
}

// explainDPoP adds what a reader should know about proofs and DPoP-bound tokens.
func (e *Explanation) explainDPoP(t *Token) {
	if IsDPoPProof(t) {
		e.Use = "DPoP proof"
		// A proof has no exp by design: its iat and the server's window bound it instead.
		e.Lints = slices.DeleteFunc(e.Lints, func(l Lint) bool { return l.Code == "no-exp" })
		jkt := "unreadable"
		if raw, ok := t.Header.Get("jwk"); ok {
			var jwk jose.JSONWebKey
			if jwk.UnmarshalJSON(raw) == nil && jwk.IsPublic() {
				if tp, err := Thumbprint(jwk); err == nil {
					jkt = tp
				}
			}
		}
		e.add(Info, "dpop-proof", "DPoP proof (RFC 9449): proves possession of the key in its jwk (thumbprint %s) for one request (htm, htu)", jkt)
		return
	}
	if jkt := ConfirmationThumbprint(t.Claims); jkt != "" {
		e.add(Info, "dpop-bound", "sender-constrained: cnf.jkt binds this token to the DPoP key with thumbprint %s; it is useless without a proof signed by that key", SafeText(truncate(jkt, 60)))
	}
}
