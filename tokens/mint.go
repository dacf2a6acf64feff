package tokens

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxClaimsSize caps a claims document given to mint (--claims): the same cap as a token.
const MaxClaimsSize = MaxTokenSize

// DefaultMintLifetime is how long a minted token lives when nothing says otherwise.
const DefaultMintLifetime = time.Hour

// ParseClaims reads a claims set for minting under the strict rules a token's own claims
// must meet (one JSON object, valid UTF-8, no duplicate names at any depth, nothing after
// it). It refuses documents over MaxClaimsSize.
func ParseClaims(data []byte) (Object, error) {
	if len(data) > MaxClaimsSize {
		return nil, &MintError{"claims", fmt.Sprintf("larger than %d KiB", MaxClaimsSize>>10)}
	}
	obj, err := ParseObject(data)
	if err != nil {
		return nil, &MintError{"claims", err.Error()}
	}
	return slices.Clone(obj), nil
}

// ClaimValue reads the VALUE of --set NAME=VALUE: the JSON value it spells when it is
// strict JSON (42, true, null, "x", [..], {..}), else the text as a JSON string. Text that
// starts like a JSON array or object but is not valid strict JSON (a typo, a duplicate
// name) is refused rather than silently turned into a string.
func ClaimValue(text string) (json.RawMessage, error) {
	data := []byte(text)
	err := checkStrictValue(data)
	if err == nil {
		return bytes.TrimSpace(data), nil
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return nil, &MintError{"value", "starts like JSON but " + err.Error()}
	}
	v, err := json.Marshal(text)
	if err != nil {
		return nil, &MintError{"value", err.Error()}
	}
	return v, nil
}

// checkStrictValue checks that data is one JSON value under the rules of
// parseStrictObject (any value, not only an object).
func checkStrictValue(data []byte) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("is not valid UTF-8")
	}
	top := topPool.Get().(*topScratch)
	defer top.release()
	s := scanner{data: data, top: top}
	s.skipSpace()
	if err := s.value(0); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos != len(data) {
		return fmt.Errorf("has trailing data after the value at byte %d", s.pos)
	}
	return nil
}

// With returns o with the member name set to v: replaced in place when present,
// appended otherwise. o itself is not modified.
func (o Object) With(name string, v json.RawMessage) Object {
	out := slices.Clone(o)
	for i := range out {
		if out[i].Name == name {
			out[i].Value = v
			return out
		}
	}
	return append(out, Member{Name: name, Value: v})
}

// Without returns o without the member name. o itself is not modified.
func (o Object) Without(name string) Object {
	return slices.DeleteFunc(slices.Clone(o), func(m Member) bool { return m.Name == name })
}

// Merge returns o with every member of other set on it, in other's order.
func (o Object) Merge(other Object) Object {
	out := slices.Clone(o)
	for _, m := range other {
		out = out.With(m.Name, m.Value)
	}
	return out
}

// JSON returns o as a compact JSON object, members in order.
func (o Object) JSON() []byte {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		name, _ := json.Marshal(m.Name)
		b = append(append(append(b, name...), ':'), m.Value...)
	}
	return append(b, '}')
}

// NumericDateJSON is a time as a JWT NumericDate (whole seconds since the epoch).
func NumericDateJSON(t time.Time) json.RawMessage {
	return strconv.AppendInt(nil, t.Unix(), 10)
}

// rebasedTimeClaims are the claims a template's times are shifted in.
var rebasedTimeClaims = []string{"iat", "nbf", "exp", "auth_time"}

// RebaseTimes shifts a template token's times so that it reads as issued at now: iat,
// nbf, exp and auth_time move by now − iat, keeping the lifetime and the offsets between
// them. Without a numeric iat, exp is set to now + DefaultMintLifetime and the others are
// dropped. The jti is dropped too, since a copy must not replay the original's; the
// caller's defaults give it a fresh one.
func RebaseTimes(claims Object, now time.Time) Object {
	out := claims.Without("jti")
	iatRaw, _ := claims.Get("iat")
	iat, err := NumericDate(iatRaw)
	if iatRaw == nil || err != nil {
		for _, n := range rebasedTimeClaims {
			out = out.Without(n)
		}
		return out.With("exp", NumericDateJSON(now.Add(DefaultMintLifetime)))
	}
	shift := now.Unix() - iat.Unix()
	for _, n := range rebasedTimeClaims {
		raw, ok := out.Get(n)
		if !ok {
			continue
		}
		t, err := NumericDate(raw)
		if err != nil {
			continue // not a time: left as the template has it
		}
		out = out.With(n, strconv.AppendInt(nil, t.Unix()+shift, 10))
	}
	return out
}

// MintDefaults fills what a minted token has unless the claims already say otherwise:
// iat now, exp now + DefaultMintLifetime, and a random jti (128 bits from rnd, base64url).
func MintDefaults(claims Object, now time.Time, rnd io.Reader) (Object, error) {
	out := slices.Clone(claims)
	if !out.Has("iat") {
		out = out.With("iat", NumericDateJSON(now))
	}
	if !out.Has("exp") {
		out = out.With("exp", NumericDateJSON(now.Add(DefaultMintLifetime)))
	}
	if !out.Has("jti") {
		id, err := randomID(rnd)
		if err != nil {
			return nil, err
		}
		out = out.With("jti", id)
	}
	return out, nil
}

func randomID(rnd io.Reader) (json.RawMessage, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return nil, &MintError{"jti", "no randomness: " + err.Error()}
	}
	return json.Marshal(base64.RawURLEncoding.EncodeToString(b[:]))
}

// Header is what goes in a minted token's protected header besides the signature
// algorithm.
type Header struct {
	// Alg is the signature algorithm; empty means the key's default.
	Alg string
	// KeyID is the kid; empty means the key's own kid (none if it has none).
	KeyID string
	// Type is the typ ("JWT", "at+jwt", "dpop+jwt"); empty means "JWT".
	Type string
	// Extra are further members, such as those copied from a template token. Members that
	// Sign sets itself (alg, kid, typ) or that would make a verifier fetch or trust a key
	// from the token (jwk, jku, x5u, x5c, x5t, x5t#S256) or that need an extension
	// (crit, b64) are dropped.
	Extra Object
}

// droppedHeaders are the template header members a minted token never copies.
var droppedHeaders = []string{"alg", "kid", "typ", "jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit", "b64", "zip", "enc", "cty", MintedHeader}

// MintedHeader is the protected header member every token and DPoP proof tokenbench signs
// carries, with the value MintedValue, so that a minted token is never mistaken for a
// provider's: anyone who decodes it (jwt.io included) reads that it was minted locally
// for tests. It holds no secret. It is not listed in crit: a verifier ignores header
// members it does not know (RFC 7515 §4), so the token is checked as it would be without
// it, RFC 9068's profile included.
const MintedHeader = "tokenbench"

// MintedValue is the value of MintedHeader.
const MintedValue = "minted locally for tests"

// MintedLocally reports whether t says in its protected header that tokenbench minted it,
// and the kid it names ("" when none). It is the token's own word, signed with it: it says
// what the token is, not that any key is trusted.
func (t *Token) MintedLocally() (kid string, ok bool) {
	if v, _ := t.Header.String(MintedHeader); v != MintedValue {
		return "", false
	}
	kid, _ = t.Header.String("kid")
	return kid, true
}

// CheckProfile refuses a claims set and typ that break profile for a token being minted.
// For ProfileRFC9068 the typ must be at+jwt and iss, exp, aud, sub, client_id, iat and jti
// must be present (tokenbench cannot invent iss, aud, sub or client_id: give them).
func CheckProfile(claims Object, typ string, profile Profile) error {
	if profile != ProfileRFC9068 {
		return nil
	}
	if !mediaTypeEqual(typ, "at+jwt") {
		return &MintError{"typ", "RFC 9068 requires typ at+jwt, not " + quoteIfOdd(typ)}
	}
	var missing []string
	for _, n := range rfc9068Claims {
		if !claims.Has(n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return &MintError{"claims", fmt.Sprintf("RFC 9068 requires %v; missing %v", rfc9068Claims, missing)}
	}
	return nil
}

// Sign signs claims with key as a compact JWS, marked as minted locally (MintedHeader).
// The algorithm must fit the key (RSA for
// RS*/PS*, the matching curve for ES*, Ed25519 for EdDSA, a long enough secret for HS*);
// "none" and unknown algorithms are refused with a *MintError. Duplicate claim names are
// refused. The signature is made by go-jose.
func Sign(key *SigningKey, h Header, claims Object) (string, error) {
	alg := h.Alg
	if alg == "" {
		alg = key.DefaultAlg()
	}
	if err := key.fits(alg); err != nil {
		return "", err
	}
	payload := claims.JSON()
	if _, err := ParseObject(payload); err != nil {
		return "", &MintError{"claims", err.Error()}
	}
	opts := &jose.SignerOptions{}
	typ := h.Type
	if typ == "" {
		typ = "JWT"
	}
	opts.WithType(jose.ContentType(typ))
	opts.WithHeader(MintedHeader, MintedValue)
	kid := h.KeyID
	if kid == "" {
		kid = key.KeyID
	}
	if kid != "" {
		opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	for _, m := range h.Extra {
		if slices.Contains(droppedHeaders, m.Name) {
			continue
		}
		opts.WithHeader(jose.HeaderKey(m.Name), m.Value)
	}
	return signWith(key, alg, opts, payload)
}

func signWith(key *SigningKey, alg string, opts *jose.SignerOptions, payload []byte) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key.Key}, opts)
	if err != nil {
		return "", &MintError{"key", err.Error()}
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", &MintError{"signature", err.Error()}
	}
	return obj.CompactSerialize()
}

// DPoPProofRequest describes a DPoP proof (RFC 9449 §4.2) to mint.
type DPoPProofRequest struct {
	// Alg is the signature algorithm; empty means the key's default.
	Alg string
	// Method and URL are the htm and htu of the request the proof is for.
	Method, URL string
	// AccessToken, when set, is bound by its hash in ath.
	AccessToken string
	// Now is the iat; Rand feeds the jti (nil means crypto/rand).
	Now  time.Time
	Rand io.Reader
}

// MintDPoPProof signs a DPoP proof with key: typ dpop+jwt, the key's public JWK in the
// header, and jti, htm, htu, iat (and ath when an access token is given) in the claims. A
// shared secret is refused: a proof's key must be public to be checked.
func MintDPoPProof(key *SigningKey, req DPoPProofRequest) (string, error) {
	pub, ok := key.Public()
	if !ok {
		return "", &MintError{"key", "a DPoP proof needs an asymmetric private key, not a shared secret"}
	}
	if req.Method == "" || req.URL == "" {
		return "", &MintError{"proof", "htm and htu are required"}
	}
	alg := req.Alg
	if alg == "" {
		alg = key.DefaultAlg()
	}
	if err := key.fits(alg); err != nil {
		return "", err
	}
	id, err := randomID(req.Rand)
	if err != nil {
		return "", err
	}
	claims := Object{{"jti", id}}
	htm, _ := json.Marshal(req.Method)
	htu, _ := json.Marshal(req.URL)
	claims = append(claims, Member{"htm", htm}, Member{"htu", htu}, Member{"iat", NumericDateJSON(req.Now)})
	if req.AccessToken != "" {
		ath, _ := json.Marshal(AccessTokenHash(req.AccessToken))
		claims = append(claims, Member{"ath", ath})
	}
	pub.KeyID, pub.Use, pub.Algorithm = "", "", ""
	opts := &jose.SignerOptions{}
	opts.WithType("dpop+jwt")
	opts.WithHeader("jwk", pub)
	opts.WithHeader(MintedHeader, MintedValue)
	return signWith(key, alg, opts, claims.JSON())
}

// AccessTokenHash is a DPoP proof's ath for token: the base64url SHA-256 of its ASCII text
// (RFC 9449 §4.2).
func AccessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
