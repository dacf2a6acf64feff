package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/tokenbench/tokenbench/tokens"
)

// Introspection is an RFC 7662 introspection response: whether the provider considers
// the token active, and the members it sent (scope, client_id, sub, exp, …) in order.
type Introspection struct {
	Active bool
	Claims tokens.Object
}

// Introspect asks the provider's introspection endpoint about token (RFC 7662),
// authenticating as the tenant's client as it does at the token endpoint. hint is an
// optional token_type_hint ("access_token", "refresh_token"). Many providers only
// answer for tokens issued to (or meant for) the asking client. A provider without an
// introspection endpoint (Auth0 has none) and no override is a *MissingEndpointError.
func (c *Client) Introspect(ctx context.Context, token, hint string) (*Introspection, error) {
	if token == "" {
		return nil, fmt.Errorf("introspection needs a token")
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	u, err := endpoint(md, EndpointIntrospection, md.IntrospectionEndpoint)
	if err != nil {
		return nil, err
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	body, err := c.post(ctx, "introspection endpoint", u, form, true)
	if err != nil {
		return nil, err
	}
	obj, err := tokens.ParseObject(body)
	if err != nil {
		return nil, fmt.Errorf("the introspection response is not a JSON object: %v", err)
	}
	raw, ok := obj.Get("active")
	var active bool
	if !ok || json.Unmarshal(raw, &active) != nil {
		return nil, fmt.Errorf("the introspection response has no boolean \"active\" member")
	}
	return &Introspection{Active: active, Claims: obj}, nil
}
