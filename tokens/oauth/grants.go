package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cli/browser"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"golang.org/x/oauth2"
)

// AuthMethod is how a confidential client authenticates at the token endpoint, by its
// OAuth registry name (token_endpoint_auth_method, RFC 7591), as tenants name it too.
type AuthMethod string

// Client authentication methods (RFC 6749 section 2.3.1).
const (
	// AuthSecretBasic sends client_id and client_secret with HTTP Basic authentication.
	// It is the default when the client has a secret.
	AuthSecretBasic AuthMethod = "client_secret_basic"
	// AuthSecretPost sends them in the form body.
	AuthSecretPost AuthMethod = "client_secret_post"
	// AuthSecretJWT sends a client assertion signed HS256 with the client secret
	// (client_secret_jwt, RFC 7523 section 2.2 and OpenID Connect Core section 9).
	AuthSecretJWT AuthMethod = "client_secret_jwt"
	// AuthPrivateKeyJWT sends a client assertion signed with ClientConfig.PrivateKey
	// (private_key_jwt).
	AuthPrivateKeyJWT AuthMethod = "private_key_jwt"
	// AuthNone sends only the client_id: a public client.
	AuthNone AuthMethod = "none"
)

// AuthMethods lists every client authentication method, in the order help text shows them.
var AuthMethods = []AuthMethod{AuthSecretBasic, AuthSecretPost, AuthSecretJWT, AuthPrivateKeyJWT, AuthNone}

// Grant names an OAuth grant tokenbench can run.
type Grant string

// The grants of Client.
const (
	GrantClientCredentials Grant = "client-credentials"
	GrantDevice            Grant = "device"
	GrantPKCE              Grant = "pkce"
	GrantRefresh           Grant = "refresh"
)

// Grants lists every grant, in the order help text shows them.
var Grants = []Grant{GrantClientCredentials, GrantDevice, GrantPKCE, GrantRefresh}

// ClientConfig is everything a grant needs to know about a tenant's client. Secrets are
// passed in here by the caller (from the keyring) and never written anywhere by tokens.
type ClientConfig struct {
	// Tenant is the tenant's name, recorded in every TokenSet obtained with this config.
	Tenant string
	// Issuer is the exact issuer URL; endpoints come from its discovery document.
	Issuer       string
	ClientID     string
	ClientSecret string
	// AuthMethod is how the client authenticates; empty means AuthSecretBasic, which without a
	// secret (a public client) sends only the client_id.
	AuthMethod AuthMethod
	// PrivateKey is the PEM or JWK private key of a private_key_jwt client (see
	// ParseSigningKey). Like ClientSecret it comes from the keyring and is never written.
	PrivateKey []byte
	// Endpoints replace the discovery document's endpoints one by one; with NoDiscovery
	// the discovery document is not fetched at all and they are all there is.
	Endpoints   Endpoints
	NoDiscovery bool
	// RedirectURI is the exact loopback redirect URI registered with the provider (see
	// ParseRedirectURI); empty means http://127.0.0.1:RedirectPort/callback.
	RedirectURI string
	// Audience is the API identifier Auth0 needs to issue a JWT access token (sent as
	// "audience" on the authorize, device and token requests). Without it Auth0 issues
	// an opaque access token meant only for its userinfo endpoint.
	Audience string
	// Scopes requested; PKCE and the device flow add "openid" when it is missing.
	Scopes []string
	// Organization is an Auth0 organization ID or name ("organization" parameter).
	Organization string
	// RedirectPort pins the loopback redirect port of the PKCE flow; 0 picks a free one.
	RedirectPort int
	// AuthorizeParams are extra parameters for the authorize and device requests;
	// TokenParams for token requests. They cannot override the ones tokenbench sets.
	AuthorizeParams map[string]string
	TokenParams     map[string]string
}

// Client runs OAuth grants for one ClientConfig against the endpoints in the issuer's
// discovery document. Time, waiting, the browser and HTTP are injected so that every
// path can be tested against a loopback provider without sleeping.
type Client struct {
	Config ClientConfig
	// HTTP makes every provider request; NewClient sets keys.NewHTTPClient(nil).
	HTTP *http.Client
	// Now is the clock used for expiry and obtained-at times.
	Now func() time.Time
	// Sleep waits between device-flow polls; it returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// After starts the PKCE callback timeout (time.After by default).
	After func(d time.Duration) <-chan time.Time
	// OpenBrowser opens a URL for the user (github.com/cli/browser by default). Its
	// failure is not fatal: the URL is always given to ShowURL as well.
	OpenBrowser func(url string) error
	// ShowURL receives the authorize URL of the PKCE flow before the browser is opened,
	// so that it can be printed for SSH sessions. May be nil.
	ShowURL func(url string)
	// CallbackTimeout bounds the wait for the PKCE loopback callback (default 5 minutes).
	CallbackTimeout time.Duration
	// Listen opens the PKCE loopback listener on the redirect URI's host (the tenant's pinned port, or
	// 0 for any); nil means net.Listen. Tests hand over a listener they opened on :0.
	Listen func(network, address string) (net.Listener, error)
	// KeyCache caches the issuer's discovery document and signing keys (to verify ID
	// tokens); nil means a memory-only keys.Cache on HTTP and Now (the CLI passes its
	// disk-backed one).
	KeyCache *keys.Cache

	mu       sync.Mutex
	metadata *keys.ProviderMetadata
	ownCache *keys.Cache // the memory-only one used when KeyCache is nil
}

// NewClient returns a Client for cfg with the real clock, browser and timers and the
// guarded HTTP client of keys.NewHTTPClient.
func NewClient(cfg ClientConfig) *Client {
	return &Client{
		Config:          cfg,
		HTTP:            keys.NewHTTPClient(nil),
		Now:             time.Now,
		Sleep:           sleepCtx,
		After:           time.After,
		OpenBrowser:     openBrowser,
		CallbackTimeout: 5 * time.Minute,
	}
}

// Overrides replaces what NewClient chose for a Client's clock, waits, HTTP client, key
// cache and browser opener. A nil field keeps NewClient's choice, except KeyCache: nil there
// means the on-disk cache (keys.NewCache) on the client's HTTP, which both front ends want.
type Overrides struct {
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
	After       func(d time.Duration) <-chan time.Time
	HTTP        *http.Client
	KeyCache    *keys.Cache
	OpenBrowser func(url string) error
}

// Override applies o to c and returns c.
func (c *Client) Override(o Overrides) *Client {
	if o.Now != nil {
		c.Now = o.Now
	}
	if o.Sleep != nil {
		c.Sleep = o.Sleep
	}
	if o.After != nil {
		c.After = o.After
	}
	if o.HTTP != nil {
		c.HTTP = o.HTTP
	}
	if o.OpenBrowser != nil {
		c.OpenBrowser = o.OpenBrowser
	}
	c.KeyCache = o.KeyCache
	if c.KeyCache == nil {
		c.KeyCache = keys.NewCache()
		c.KeyCache.Client = c.HTTP
	}
	return c
}

func openBrowser(u string) error { return browser.OpenURL(u) }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return keys.NewHTTPClient(nil)
	}
	return c.HTTP
}

// Metadata returns the issuer's discovery document through the Keys cache (so across
// processes it is fetched once per cache lifetime), remembered for the Client's life.
func (c *Client) Metadata(ctx context.Context) (*keys.ProviderMetadata, error) {
	if c.Config.Issuer == "" {
		return nil, errors.New("the tenant has no issuer")
	}
	cache := c.keyCache()
	c.mu.Lock()
	md := c.metadata
	c.mu.Unlock()
	if md != nil {
		return md, nil
	}
	if err := c.Config.Endpoints.Check(); err != nil {
		return nil, err
	}
	md = &keys.ProviderMetadata{Issuer: c.Config.Issuer}
	if !c.Config.NoDiscovery {
		// No lock is held across the request: concurrent first calls meet in the
		// cache's single-flight fetch, and each can give up on its own context.
		var err error
		if md, err = cache.Metadata(ctx, c.Config.Issuer); err != nil {
			return nil, classify("discovery", err)
		}
	}
	md = c.Config.Endpoints.overlay(md)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.metadata == nil {
		c.metadata = md
	}
	return c.metadata, nil
}

// endpoint returns one endpoint URL, refusing a missing (a *MissingEndpointError) or
// insecure one.
func endpoint(md *keys.ProviderMetadata, name, raw string) (string, error) {
	if raw == "" {
		return "", &MissingEndpointError{Name: name, Source: md.Source}
	}
	if _, err := keys.CheckURL(raw); err != nil {
		return "", fmt.Errorf("the provider's %s: %w", name, err)
	}
	return raw, nil
}

// oauthConfig builds the golang.org/x/oauth2 configuration that makes authorize URLs
// (token requests go through tokenRequest).
func (c *Client) oauthConfig(ctx context.Context, scopes []string) (*oauth2.Config, *keys.ProviderMetadata, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, nil, err
	}
	tokenURL, err := endpoint(md, EndpointToken, md.TokenEndpoint)
	if err != nil {
		return nil, nil, err
	}
	return &oauth2.Config{
		ClientID: c.Config.ClientID,
		Scopes:   scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:       md.AuthorizationEndpoint,
			TokenURL:      tokenURL,
			DeviceAuthURL: md.DeviceAuthorizationEndpoint,
		},
	}, md, nil
}

// authorizeParams are the parameters of the authorize and device requests beyond the
// protocol's own: the tenant's extras, then Auth0's audience and organization.
func (c *Client) authorizeParams() url.Values { return c.extraParams(c.Config.AuthorizeParams) }

// tokenParams are the token request's parameters beyond the protocol's own, likewise.
func (c *Client) tokenParams() url.Values { return c.extraParams(c.Config.TokenParams) }

func (c *Client) extraParams(extra map[string]string) url.Values {
	v := url.Values{}
	for k, val := range extra {
		v.Set(k, val)
	}
	if c.Config.Audience != "" {
		v.Set("audience", c.Config.Audience)
	}
	if c.Config.Organization != "" {
		v.Set("organization", c.Config.Organization)
	}
	return v
}

func options(v url.Values, reserved ...string) []oauth2.AuthCodeOption {
	var out []oauth2.AuthCodeOption
	for k := range v {
		if slices.Contains(reserved, k) {
			continue
		}
		out = append(out, oauth2.SetAuthURLParam(k, v.Get(k)))
	}
	return out
}

// reservedParams are set by the protocol and may not come from the tenant's extras.
var reservedParams = []string{"grant_type", "client_id", "client_secret", "code", "code_verifier",
	"code_challenge", "code_challenge_method", "redirect_uri", "state", "nonce", "response_type",
	"refresh_token", "device_code", "scope"}

// ClientCredentials runs the client credentials grant (RFC 6749 section 4.4). It
// refuses a client without a secret or private key before asking the provider.
func (c *Client) ClientCredentials(ctx context.Context) (*TokenSet, error) {
	if !c.hasCredential() {
		return nil, errors.New("the client credentials grant needs the tenant's client secret or private key (none is stored)")
	}
	form := c.tokenParams()
	for _, k := range reservedParams {
		form.Del(k)
	}
	form.Set("grant_type", "client_credentials")
	if len(c.Config.Scopes) > 0 {
		form.Set("scope", strings.Join(c.Config.Scopes, " "))
	}
	return c.tokenRequest(ctx, GrantClientCredentials, form)
}

// Refresh runs the refresh token grant (RFC 6749 section 6) with prev's refresh token
// and returns the new set. A rotated refresh token replaces the old one; when the
// provider sends none the old one is kept, and so is the ID token. Callers must store
// the result at once: with rotation the old refresh token is now spent.
func (c *Client) Refresh(ctx context.Context, prev *TokenSet) (*TokenSet, error) {
	if prev == nil || prev.RefreshToken == "" {
		return nil, fmt.Errorf("%w", ErrNoRefreshToken)
	}
	ts, err := c.tokenRequest(ctx, GrantRefresh, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {prev.RefreshToken},
	})
	if err != nil {
		return nil, err
	}
	if ts.RefreshToken == "" {
		ts.RefreshToken = prev.RefreshToken
	}
	if ts.IDToken != "" {
		// The rotated refresh token must reach the caller even if the new ID token is
		// bad, so a failure here drops the ID token with a warning instead of the set.
		if err := c.verifyIDToken(ctx, ts, ""); err != nil {
			ts.IDToken = ""
			ts.Warnings = append(ts.Warnings, "the refreshed ID token was dropped: "+err.Error())
		}
	}
	if ts.IDToken == "" {
		ts.IDToken = prev.IDToken
	}
	if ts.Scope == "" {
		ts.Scope = prev.Scope
	}
	return ts, nil
}

// tokenRequest sends one token request (any grant) to the token endpoint, with the
// client's authentication, and reads the answer. Every grant goes through here rather
// than through golang.org/x/oauth2's token calls because x/oauth2 can neither send a
// client assertion on a refresh nor run RFC 8693 token exchange, and client
// authentication should live in one place (authenticate).
func (c *Client) tokenRequest(ctx context.Context, g Grant, form url.Values) (*TokenSet, error) {
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
	return c.parseTokenResponse(g, body)
}

// ErrNoRefreshToken is returned by Refresh when there is no refresh token to use.
var ErrNoRefreshToken = errors.New("no refresh token is stored for this tenant (request offline_access, then run `tokenbench get` with the device or pkce grant)")

// newTokenSet builds a TokenSet stamped with the injected clock. scope is what the
// response's "scope" decoded to: a string, or a JSON array as zitadel sends.
func (c *Client) newTokenSet(g Grant, access, refresh, typ, id string, expiresIn int64, scope any) *TokenSet {
	now := c.now()
	ts := &TokenSet{
		AccessToken:  access,
		RefreshToken: refresh,
		IDToken:      id,
		TokenType:    typ,
		ObtainedAt:   now.UTC(),
		Tenant:       c.Config.Tenant,
		Issuer:       c.Config.Issuer,
		Grant:        g,
	}
	if expiresIn > 0 {
		ts.Expiry = now.Add(time.Duration(expiresIn) * time.Second).UTC()
	}
	switch s := scope.(type) {
	case string:
		ts.Scope = s
	case []any:
		parts := make([]string, 0, len(s))
		for _, p := range s {
			if str, ok := p.(string); ok {
				parts = append(parts, str)
			}
		}
		ts.Scope = strings.Join(parts, " ")
	}
	ts.Warnings = c.warnings(ts)
	return ts
}

// warnings explains what a user would otherwise puzzle over in a fresh token set.
func (c *Client) warnings(ts *TokenSet) []string {
	var w []string
	if c.Config.Audience == "" && ts.AccessToken != "" && strings.Count(ts.AccessToken, ".") != 2 {
		w = append(w, "no audience was sent, so the access token is opaque (Auth0 issues a JWT only for an API audience): set the tenant's audience to your API identifier")
	}
	return w
}
