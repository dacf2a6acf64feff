package tokens

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ExampleIssuer is the made-up issuer of the built-in example token.
const ExampleIssuer = "https://example-tenant.tokenbench.invalid/"

// ExampleKeySource labels the throwaway key that signs the built-in example token.
const ExampleKeySource = "built-in example key (generated at start-up, not a real issuer)"

// ExampleToken mints the built-in example: an Auth0-style access token issued at now that
// expires an hour later, signed with a fresh Ed25519 key that exists only in this process.
// It returns the token and the key set that verifies it, labelled as the example key.
func ExampleToken(now time.Time) (string, *KeySet, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", nil, fmt.Errorf("example key: %w", err)
	}
	const kid = "example-key-1"
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return "", nil, fmt.Errorf("example signer: %w", err)
	}
	iat := now.Unix()
	claims := []byte(fmt.Sprintf(`{"iss":%q,"sub":"auth0|6650f1c0ffee","aud":["https://api.example.invalid/","%suserinfo"],`+
		`"iat":%d,"exp":%d,"scope":"openid profile read:orders","azp":"k3mpl3ExampleClient",`+
		`"client_id":"k3mpl3ExampleClient","jti":"example-0001","gty":"client-credentials","permissions":["read:orders"],`+
		`"org_id":"org_example","https://example.invalid/roles":["developer"]}`, ExampleIssuer, ExampleIssuer, iat, iat+3600))
	if !json.Valid(claims) {
		return "", nil, fmt.Errorf("example claims are not JSON")
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", nil, fmt.Errorf("example signature: %w", err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		return "", nil, fmt.Errorf("example serialization: %w", err)
	}
	keys := &KeySet{Keys: []Key{{
		JWK:    jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: string(jose.EdDSA), Use: "sig"},
		Origin: OriginKeyFile,
		Source: ExampleKeySource,
	}}}
	return raw, keys, nil
}
