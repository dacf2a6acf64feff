package oauth

import (
	"context"
	"errors"
	"net/url"
)

// Revoke asks the provider's revocation endpoint (RFC 7009) to revoke token,
// authenticating as the tenant's client. hint is an optional token_type_hint
// ("access_token" or "refresh_token"). The provider answers 200 also for a token it does
// not know (section 2.2), so success means "not usable any more", not "was valid". A
// provider without a revocation endpoint and no override is a *MissingEndpointError.
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	if token == "" {
		return errors.New("revocation needs a token")
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return err
	}
	u, err := endpoint(md, EndpointRevocation, md.RevocationEndpoint)
	if err != nil {
		return err
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	_, err = c.post(ctx, "revocation endpoint", u, form, true)
	return err
}
