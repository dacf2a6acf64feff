package tokens_test

import (
	"errors"
	"fmt"

	"github.com/tokenbench/tokenbench/tokens"
)

func ExampleParseJWKS() {
	set, err := tokens.ParseJWKS([]byte(`{"keys":[
		{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
		{"kty":"OKP","crv":"X25519","kid":"x","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}
	]}`), "JWKS file ./jwks.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range set.Keys {
		fmt.Printf("key %s from %s\n", k.JWK.KeyID, k.Source)
	}
	for _, s := range set.Skipped {
		fmt.Println("skipped:", s)
	}
	// Output:
	// key ed from JWKS file ./jwks.json
	// skipped: key 1 (kid "x"): unsupported key type "OKP" with curve "X25519"
}

func ExampleParseJWKS_privateKeyMaterial() {
	_, err := tokens.ParseJWKS([]byte(`{"keys":[{"kty":"oct","kid":"hs","k":"c2VjcmV0"}]}`), "JWKS URL https://example.com/jwks")
	fmt.Println(errors.Is(err, tokens.ErrPrivateKeyMaterial))
	fmt.Println(err)
	// Output:
	// true
	// key set contains private key material (JWKS URL https://example.com/jwks): key 0 (kid "hs") has private member(s) k; a published key set must be public
}
