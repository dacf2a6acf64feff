package tokens

import (
	"crypto"
	"encoding/base64"

	jose "github.com/go-jose/go-jose/v4"
)

// Thumbprint returns the RFC 7638 JWK SHA-256 thumbprint of a key's public half,
// base64url without padding: the kid tokenbench gives the keys it makes and the value a
// DPoP-bound token carries in cnf.jkt (RFC 9449 §6.1). The canonical JSON is go-jose's.
func Thumbprint(jwk jose.JSONWebKey) (string, error) {
	if _, secret := jwk.Key.([]byte); !secret && !jwk.IsPublic() {
		jwk = jwk.Public()
	}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", &MintError{"key", "no thumbprint: " + err.Error()}
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
