package tokens

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// ErrPrivateKeyMaterial is wrapped by the error of a key set that carries private or
// symmetric key material ("d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"). A key set
// published by a provider must be public; one that is not was published by mistake or is
// not what it claims to be, so no key of it is trusted.
var ErrPrivateKeyMaterial = errors.New("key set contains private key material")

// ErrDuplicateKID is wrapped by the error of a key set in which two keys share a "kid",
// whatever their types: a kid must name exactly one key.
var ErrDuplicateKID = errors.New("key set has two keys with the same kid")

// ErrNotJWKS is wrapped by the error for data that is not a JSON Web Key Set at all.
var ErrNotJWKS = errors.New("not a JSON Web Key Set")

// JWKSError is returned when a key set is refused as a whole. Err is one of
// ErrNotJWKS, ErrPrivateKeyMaterial or ErrDuplicateKID (use errors.Is).
type JWKSError struct {
	Source string // where the set came from, e.g. "JWKS URL https://…"
	Reason string // one line: which key and why
	Err    error
}

func (e *JWKSError) Error() string {
	return fmt.Sprintf("%v (%s): %s", e.Err, e.Source, e.Reason)
}

func (e *JWKSError) Unwrap() error { return e.Err }

// privateMembers are the JWK members that only a private or symmetric key has
// (RFC 7518 section 6, and "priv" of the AKP key type).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}

// ParseJWKS parses a JSON Web Key Set (RFC 7517 section 5) that is to be trusted for
// verification, one key at a time, and labels every key with OriginJWKS and source.
//
// It refuses the whole set (a *JWKSError) when the data is not a JSON object with a
// "keys" array, when any key carries private or symmetric key material, or when two keys
// share a kid. It skips, with a one-line reason in KeySet.Skipped, every key it cannot or
// must not use: malformed keys, key types and curves other than RSA, EC P-256/P-384/P-521
// and OKP Ed25519, RSA keys under MinRSABits (or with a weak exponent or the ROCA
// fingerprint), and keys whose "alg" does not fit their type. A set with no usable key is
// not an error; its Skipped list says why. Data larger than MaxBodySize is refused.
func ParseJWKS(data []byte, source string) (*KeySet, error) {
	refuse := func(err error, format string, args ...any) (*KeySet, error) {
		return nil, &JWKSError{Source: source, Reason: fmt.Sprintf(format, args...), Err: err}
	}
	if len(data) > MaxBodySize {
		return refuse(ErrNotJWKS, "larger than %d bytes", MaxBodySize)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return refuse(ErrNotJWKS, "not a JSON object: %v", err)
	}
	rawKeys, ok := top["keys"]
	if !ok {
		if _, oneKey := top["kty"]; oneKey {
			return refuse(ErrNotJWKS, `no "keys" member: this is a single JWK, not a set (give it as a key file)`)
		}
		return refuse(ErrNotJWKS, `no "keys" member`)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(rawKeys, &entries); err != nil || bytes.Equal(bytes.TrimSpace(rawKeys), []byte("null")) {
		return refuse(ErrNotJWKS, `"keys" is not an array`)
	}

	set := &KeySet{}
	kids := make(map[string]int, len(entries))
	for i, entry := range entries {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(entry, &members); err != nil || members == nil {
			set.Skipped = append(set.Skipped, fmt.Sprintf("key %d: not a JSON object", i))
			continue
		}
		kid := jsonStringMember(members["kid"])
		label := jwksKeyLabel(i, kid)
		if found := jwkPresentMembers(members, privateMembers); len(found) > 0 {
			return refuse(ErrPrivateKeyMaterial, "%s has private member(s) %s; a published key set must be public",
				label, strings.Join(found, ", "))
		}
		if kid != "" {
			if j, dup := kids[kid]; dup {
				return refuse(ErrDuplicateKID, "%s has the kid of key %d", jwksKeyLabel(i, kid), j)
			}
			kids[kid] = i
		}
		jwk, reason := parsePublicJWK(entry)
		ops, opsReason := jwkKeyOps(members["key_ops"])
		if reason == "" {
			reason = opsReason
		}
		if reason != "" {
			set.Skipped = append(set.Skipped, label+": "+reason)
			continue
		}
		set.Keys = append(set.Keys, Key{JWK: jwk, Origin: OriginJWKS, Source: source, KeyOps: ops})
	}
	return set, nil
}

// parsePublicJWK parses one public JWK with go-jose and applies checkPublicKey. It returns
// a reason instead of an error: the caller decides whether that skips the key or fails.
func parsePublicJWK(data []byte) (jose.JSONWebKey, string) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			return jwk, unsupportedReason(data)
		}
		return jwk, "malformed: " + joseReason(err)
	}
	if !jwk.IsPublic() {
		// Unreachable after the member check, kept so that a future go-jose member name
		// for private material cannot slip through.
		return jwk, "carries private key material"
	}
	if reason := checkPublicKey(jwk.Key, jwk.Algorithm); reason != "" {
		return jwk, reason
	}
	return jwk, ""
}

// unsupportedReason names the kty (and crv) go-jose did not support.
func unsupportedReason(data []byte) string {
	var k struct {
		Kty string `json:"kty"`
		Crv string `json:"crv"`
		N   string `json:"n"`
	}
	_ = json.Unmarshal(data, &k)
	switch {
	case k.Kty == "RSA":
		return fmt.Sprintf("RSA key larger than %d bits is not supported", jose.MaxRSAModulusBits)
	case k.Crv != "":
		return fmt.Sprintf("unsupported key type %q with curve %q", k.Kty, k.Crv)
	}
	return fmt.Sprintf("unsupported key type %q", k.Kty)
}

// jwkKeyOps reads a JWK's "key_ops" member, which go-jose does not keep: nil when absent
// or null, otherwise the list (possibly empty), or a reason when it is not a list of
// strings.
func jwkKeyOps(raw json.RawMessage) ([]string, string) {
	if raw == nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, ""
	}
	var ops []string
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, `malformed: "key_ops" is not a list of strings`
	}
	if ops == nil {
		ops = []string{}
	}
	return ops, ""
}

func jwkPresentMembers(members map[string]json.RawMessage, names []string) []string {
	var found []string
	for _, n := range names {
		if _, ok := members[n]; ok {
			found = append(found, n)
		}
	}
	sort.Strings(found)
	return found
}

// jsonString returns the value of a JSON string member, or "" when it is absent or not a
// string.
func jsonStringMember(raw json.RawMessage) string {
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// jwksKeyLabel names a key in a reason: its index and kid, the kid quoted (so control
// characters cannot reach a terminal) and cut to a length that fits one line.
func jwksKeyLabel(i int, kid string) string {
	if kid == "" {
		return fmt.Sprintf("key %d", i)
	}
	const maxKid = 64
	if r := []rune(kid); len(r) > maxKid {
		return fmt.Sprintf("key %d (kid %q…)", i, string(r[:maxKid]))
	}
	return fmt.Sprintf("key %d (kid %q)", i, kid)
}
