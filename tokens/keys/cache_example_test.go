package keys_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tokenbench/tokenbench/tokens/keys"
)

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

	cache := &keys.Cache{Dir: ""} // memory only; NewCache() also keeps a disk copy
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
