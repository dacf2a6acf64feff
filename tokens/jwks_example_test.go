package tokens_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

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

func ExampleCache_IssuerKeys() {
	// A provider on loopback: discovery document and key set.
	var srv *httptest.Server
	requests := 0
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, srv.URL, srv.URL+"/jwks")
		case "/jwks":
			w.Header().Set("Cache-Control", "max-age=3600")
			fmt.Fprint(w, `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`)
		}
	}))
	defer srv.Close()

	cache := &tokens.Cache{Dir: ""} // memory only; NewCache() also keeps a disk copy
	for i := 0; i < 3; i++ {
		set, err := cache.IssuerKeys(context.Background(), srv.URL, "ed")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(set.Keys[0].JWK.KeyID, strings.Replace(set.Keys[0].Source, srv.URL, "ISSUER", -1))
	}
	fmt.Println("requests:", requests)
	// Output:
	// ed discovery ISSUER/.well-known/openid-configuration → jwks_uri ISSUER/jwks
	// ed discovery ISSUER/.well-known/openid-configuration → jwks_uri ISSUER/jwks
	// ed discovery ISSUER/.well-known/openid-configuration → jwks_uri ISSUER/jwks
	// requests: 2
}
