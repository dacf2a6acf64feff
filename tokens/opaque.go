package tokens

import "strings"

// OpaqueNote says what an opaque access token is good for and how to get a JWT instead.
// Auth0 issues one when the authorization or token request names no audience: a random
// string, or a JWE encrypted for Auth0 itself, which no one else can decrypt.
const OpaqueNote = "an opaque access token. Auth0 issues one when the request names no audience; " +
	"it is only good for the provider's /userinfo. Ask for a JWT by sending your API's identifier as audience"

// IssuerEncrypted reports whether t is a JWE its issuer encrypted for itself: key
// management "dir" (a key only the issuer holds) with an "iss" in the protected header,
// which is how Auth0 wraps the access tokens it issues for its own /userinfo. Such a
// token can be read by no one but its issuer, so offering to decrypt it would mislead.
func IssuerEncrypted(t *Token) (issuer string, ok bool) {
	if t == nil || t.Kind != JWE {
		return "", false
	}
	alg, _ := t.Header.String("alg")
	iss, hasIss := t.Header.String("iss")
	if alg != "dir" || !hasIss || iss == "" {
		return "", false
	}
	return iss, true
}

// auth0Issuer reports whether iss is an Auth0 tenant domain (custom domains cannot be told).
func auth0Issuer(iss string) bool {
	host := strings.TrimPrefix(iss, "https://")
	host, _, _ = strings.Cut(host, "/")
	return strings.HasSuffix(host, ".auth0.com")
}
