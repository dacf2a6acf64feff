package keys

import (
	"context"
	"net/http"

	"github.com/tokenbench/tokenbench/tokens"
)

// FetchJWKS fetches and parses the key set at url with client (see NewHTTPClient; nil
// means a new one). It refuses URLs that CheckURL refuses, any status but 200, redirects,
// and bodies over tokens.MaxBodySize; the keys get the source "JWKS URL <url>". It does no
// caching: see Cache for that.
func FetchJWKS(ctx context.Context, client *http.Client, url string) (*tokens.KeySet, error) {
	body, _, err := httpGet(ctx, client, url)
	if err != nil {
		return nil, err
	}
	return tokens.ParseJWKS(body, "JWKS URL "+url)
}
