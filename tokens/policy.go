package tokens

import (
	"slices"
	"time"
)

// DefaultLeeway is the clock skew allowed on exp, nbf and iat when a Policy sets none.
const DefaultLeeway = 60 * time.Second

// DefaultAlgorithms is the signature allow-list used when a Policy names none: asymmetric
// algorithms only, so that a token can never choose an HMAC check keyed with public data.
var DefaultAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512",
	"EdDSA",
}

// DefaultJWEKeyAlgorithms is the JWE key-management allow-list used when a Policy names
// none. RSA1_5 (padding oracles) and PBES2-* (password based, attacker-chosen work) are
// left out on purpose; a Policy may name them explicitly.
var DefaultJWEKeyAlgorithms = []string{
	"RSA-OAEP", "RSA-OAEP-256",
	"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
	"dir",
}

// DefaultJWEEncryptions is the JWE content-encryption allow-list used when a Policy names
// none.
var DefaultJWEEncryptions = []string{
	"A128GCM", "A192GCM", "A256GCM",
	"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512",
}

// Profile names a set of rules a token must follow on top of the Policy's own.
type Profile string

const (
	// ProfileNone adds no rules.
	ProfileNone Profile = ""
	// ProfileRFC9068 is the JWT access-token profile of RFC 9068: typ must be at+jwt (or
	// application/at+jwt) and iss, exp, aud, sub, client_id, iat and jti must be present.
	ProfileRFC9068 Profile = "rfc9068"
)

// rfc9068Claims are the claims RFC 9068 §2.2 makes mandatory.
var rfc9068Claims = []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"}

// Policy says what a token must satisfy to be valid. The zero Policy is usable: default
// asymmetric algorithms, 60 s leeway, the system clock, no issuer or audience expected.
// Nothing in a Policy is ever taken from the token itself.
type Policy struct {
	// Issuer is the expected "iss", compared as an exact string (no slash or case
	// normalisation). Empty means any issuer is accepted (the check is skipped).
	Issuer string
	// Audiences are the accepted "aud" values; the token must name at least one. Empty
	// means the audience is not checked, and the report says so (AudienceChecked).
	Audiences []string
	// Scopes are required scopes or permissions; each must be granted by the token's
	// "scope" (space-delimited), "scp" (a string or an array: Okta, Entra ID) or
	// "permissions" (an array: Auth0 RBAC). Empty means scopes are not checked.
	Scopes []string
	// Clients are the client IDs the token is expected to be issued to (a saved tenant's
	// client): an azp, client_id, cid or appid naming another one is a warning, never a
	// failure, since an API rarely cares which client asked. Empty means not checked.
	Clients []string
	// Algorithms is the signature allow-list; nil means DefaultAlgorithms. "none" is
	// refused even when listed.
	Algorithms []string
	// RequiredClaims must be present in the claims set.
	RequiredClaims []string
	// Types are the accepted header "typ" values, compared case-insensitively with an
	// optional "application/" prefix (RFC 7515 §4.1.9). Empty means typ is not checked,
	// unless the Profile expects one.
	Types []string
	// Leeway is the clock skew allowed on exp, nbf and iat. Zero means DefaultLeeway; a
	// negative value means no leeway at all.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Profile adds a named rule set such as ProfileRFC9068.
	Profile Profile
	// SignatureOnly checks structure, header, algorithm, key and signature and nothing in
	// the payload: for arbitrary JWS payloads that are not claims sets.
	SignatureOnly bool

	// JWEKeyAlgorithms is the JWE key-management allow-list; nil means
	// DefaultJWEKeyAlgorithms.
	JWEKeyAlgorithms []string
	// JWEEncryptions is the JWE content-encryption allow-list; nil means
	// DefaultJWEEncryptions.
	JWEEncryptions []string
	// DecryptionKeys are the private keys a JWE may be decrypted with. With none, an
	// encrypted token is reported as not decryptable.
	DecryptionKeys []Key
}

func (p *Policy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Policy) leeway() time.Duration {
	switch {
	case p.Leeway < 0:
		return 0
	case p.Leeway == 0:
		return DefaultLeeway
	}
	return p.Leeway
}

func (p *Policy) algorithms() []string {
	if p.Algorithms == nil {
		return DefaultAlgorithms
	}
	return p.Algorithms
}

func (p *Policy) jweKeyAlgorithms() []string {
	if p.JWEKeyAlgorithms == nil {
		return DefaultJWEKeyAlgorithms
	}
	return p.JWEKeyAlgorithms
}

func (p *Policy) jweEncryptions() []string {
	if p.JWEEncryptions == nil {
		return DefaultJWEEncryptions
	}
	return p.JWEEncryptions
}

// types returns the accepted typ values and who asked for them.
func (p *Policy) types() ([]string, string) {
	if len(p.Types) > 0 {
		return p.Types, "policy"
	}
	if p.Profile == ProfileRFC9068 {
		return []string{"at+jwt"}, "RFC 9068"
	}
	return nil, ""
}

// requiredClaims returns the claims that must be present, profile first, without repeats.
func (p *Policy) requiredClaims() []string {
	var out []string
	if p.Profile == ProfileRFC9068 {
		out = append(out, rfc9068Claims...)
	}
	for _, c := range p.RequiredClaims {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
