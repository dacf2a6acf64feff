package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// Userinfo calls the provider's userinfo endpoint with accessToken as a Bearer token
// (OpenID Connect Core 1.0 section 5.3) and returns the profile claims in the order
// the provider sent them. A refused token is a *ProviderError carrying the error from
// the WWW-Authenticate header (invalid_token: expired, revoked, or not meant for
// userinfo — at Auth0 the token must include the openid scope).
func (c *Client) Userinfo(ctx context.Context, accessToken string) (tokens.Object, error) {
	if accessToken == "" {
		return nil, fmt.Errorf("userinfo needs an access token")
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	u, err := endpoint(md, EndpointUserinfo, md.UserinfoEndpoint)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, classify("userinfo endpoint", err)
	}
	body, err := keys.ReadBody(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		code, desc := bearerError(resp.Header.Get("WWW-Authenticate"))
		kind := kindOf(code, resp.StatusCode)
		if code == "invalid_token" || (code == "" && resp.StatusCode == http.StatusUnauthorized) {
			kind = ErrInvalidToken
		}
		return nil, &ProviderError{Endpoint: "userinfo endpoint", Code: code, Description: desc,
			Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), Kind: kind}
	}
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/jwt") {
		return nil, fmt.Errorf("the userinfo endpoint answered with a signed JWT, which tokenbench does not read yet")
	}
	obj, err := tokens.ParseObject(body)
	if err != nil {
		return nil, fmt.Errorf("the userinfo response is not a JSON object: %v", err)
	}
	return obj, nil
}

// ErrInvalidToken is the kind of a userinfo refusal of the access token itself.
var ErrInvalidToken = errors.New("the provider refused the access token (expired, revoked, or not meant for this endpoint)")

// bearerError reads error and error_description from a WWW-Authenticate: Bearer header
// (RFC 6750 section 3). It is lenient: a header it cannot read yields nothing.
func bearerError(h string) (code, desc string) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "Bearer")
	if !ok {
		return "", ""
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "error":
			code = v
		case "error_description":
			desc = v
		}
	}
	return code, desc
}
