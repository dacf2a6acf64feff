package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// GrantExchange is RFC 8693 token exchange.
const GrantExchange Grant = "exchange"

// Token type identifiers of RFC 8693 section 3, for subject, actor and requested tokens.
const (
	TokenTypeAccess  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefresh = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeID      = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT     = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeSAML1   = "urn:ietf:params:oauth:token-type:saml1"
	TokenTypeSAML2   = "urn:ietf:params:oauth:token-type:saml2"
)

// TokenTypes maps the short names the front ends accept to RFC 8693 token type URIs.
var TokenTypes = map[string]string{
	"access_token": TokenTypeAccess, "refresh_token": TokenTypeRefresh, "id_token": TokenTypeID,
	"jwt": TokenTypeJWT, "saml1": TokenTypeSAML1, "saml2": TokenTypeSAML2,
}

// ExchangeRequest is one RFC 8693 token exchange: the token to exchange (and, for
// delegation, the actor's), and what is asked for. Empty types mean access tokens.
type ExchangeRequest struct {
	SubjectToken       string
	SubjectTokenType   string
	ActorToken         string
	ActorTokenType     string
	Audience           []string
	Resource           []string
	Scopes             []string
	RequestedTokenType string
}

// ErrExchangeRequest is returned for an exchange request that cannot be sent as given.
var ErrExchangeRequest = errors.New("invalid token exchange request")

// Exchange runs the token exchange grant (RFC 8693 section 2.1) at the token endpoint,
// authenticating as the tenant's client. The set it returns carries the
// issued_token_type in IssuedTokenType; its access_token member holds the issued token
// whatever its type (section 2.2.1). It refuses a request without a subject token, and an
// actor token without its type.
func (c *Client) Exchange(ctx context.Context, r ExchangeRequest) (*TokenSet, error) {
	if r.SubjectToken == "" {
		return nil, fmt.Errorf("%w: it needs a subject token", ErrExchangeRequest)
	}
	if r.ActorToken != "" && r.ActorTokenType == "" {
		r.ActorTokenType = TokenTypeAccess
	}
	if r.ActorToken == "" && r.ActorTokenType != "" {
		return nil, fmt.Errorf("%w: an actor token type was given without an actor token", ErrExchangeRequest)
	}
	if r.SubjectTokenType == "" {
		r.SubjectTokenType = TokenTypeAccess
	}
	form := url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token":      {r.SubjectToken},
		"subject_token_type": {r.SubjectTokenType},
	}
	if r.ActorToken != "" {
		form.Set("actor_token", r.ActorToken)
		form.Set("actor_token_type", r.ActorTokenType)
	}
	if r.RequestedTokenType != "" {
		form.Set("requested_token_type", r.RequestedTokenType)
	}
	for _, a := range r.Audience {
		form.Add("audience", a)
	}
	for _, res := range r.Resource {
		form.Add("resource", res)
	}
	if len(r.Scopes) > 0 {
		form.Set("scope", strings.Join(r.Scopes, " "))
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	tokenURL, err := endpoint(md, EndpointToken, md.TokenEndpoint)
	if err != nil {
		return nil, err
	}
	body, err := c.post(ctx, "token endpoint", tokenURL, form, true)
	if err != nil {
		return nil, err
	}
	ts, err := c.parseTokenResponse(GrantExchange, body)
	if err != nil {
		return nil, err
	}
	var issued struct {
		IssuedTokenType string `json:"issued_token_type"`
	}
	_ = json.Unmarshal(body, &issued) // parseTokenResponse has read it as JSON already
	ts.IssuedTokenType = issued.IssuedTokenType
	// Where the subject came from is not this tenant's business: an exchanged token
	// is its own, not a refresh of the tenant's cached one.
	ts.Warnings = nil
	return ts, nil
}
