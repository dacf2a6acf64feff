package tokens_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/tokens"
)

func ExampleValidator() {
	// A key the user configured (here built in place; normally keys.LoadJWKSFile, keys.LoadFile
	// or keys.Cache.IssuerKeys) and a token signed with it.
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	keys := &tokens.KeySet{Keys: []tokens.Key{{
		JWK:    jose.JSONWebKey{Key: priv.Public(), KeyID: "k1"},
		Origin: tokens.OriginJWKS,
		Source: "JWKS file jwks.json",
	}}}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"EdDSA","kid":"k1"}`)) + "." +
		enc.EncodeToString([]byte(`{"iss":"https://issuer.example/","aud":"api","exp":1795611600}`))
	token := input + "." + enc.EncodeToString(ed25519.Sign(priv, []byte(input)))

	v := tokens.NewValidator(tokens.Policy{
		Issuer:    "https://issuer.example/",
		Audiences: []string{"api"},
		Now:       func() time.Time { return time.Unix(1795608000, 0) },
	}, keys)
	rep := v.Validate(token)
	fmt.Println(rep.Verdict)
	for _, c := range rep.Checks {
		fmt.Printf("%-4s %s\n", c.Status, c.Name)
	}
	fmt.Println(rep.Key)
	// Output:
	// valid
	// pass structure
	// pass header
	// pass embedded keys
	// skip typ
	// pass algorithm
	// pass key
	// pass signature
	// pass claims
	// pass iss
	// pass aud
	// pass exp
	// skip nbf
	// skip iat
	// kid k1, OKP, from JWKS file jwks.json
}
