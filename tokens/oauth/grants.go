package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cli/browser"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
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
)

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
	// AuthMethod is how the secret is sent; empty means AuthSecretBasic. Ignored without
	// a secret.
	AuthMethod AuthMethod
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
	// Listen opens the PKCE loopback listener on 127.0.0.1 (the tenant's pinned port, or
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
	// No lock is held across the request: concurrent first calls meet in the cache's
	// single-flight fetch, and each can give up on its own context.
	md, err := cache.Metadata(ctx, c.Config.Issuer)
	if err != nil {
		return nil, classify("discovery", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.metadata == nil {
		c.metadata = md
	}
	return c.metadata, nil
}

// endpoint returns one endpoint URL from discovery, refusing a missing or insecure one.
func endpoint(md *keys.ProviderMetadata, name, raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("the provider's discovery document (%s) has no %s", md.Source, name)
	}
	if _, err := keys.CheckURL(raw); err != nil {
		return "", fmt.Errorf("the provider's %s: %w", name, err)
	}
	return raw, nil
}

// oauthConfig builds the golang.org/x/oauth2 configuration from discovery.
func (c *Client) oauthConfig(ctx context.Context, scopes []string) (*oauth2.Config, *keys.ProviderMetadata, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, nil, err
	}
	tokenURL, err := endpoint(md, "token_endpoint", md.TokenEndpoint)
	if err != nil {
		return nil, nil, err
	}
	return &oauth2.Config{
		ClientID:     c.Config.ClientID,
		ClientSecret: c.Config.ClientSecret,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:       md.AuthorizationEndpoint,
			TokenURL:      tokenURL,
			DeviceAuthURL: md.DeviceAuthorizationEndpoint,
			AuthStyle:     c.oauthAuthStyle(),
		},
	}, md, nil
}

func (c *Client) oauthAuthStyle() oauth2.AuthStyle {
	if c.Config.ClientSecret == "" || c.Config.AuthMethod == AuthSecretPost {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// withHTTP makes golang.org/x/oauth2 use the guarded client.
func (c *Client) withHTTP(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.httpClient())
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
// refuses a client without a secret before asking the provider.
func (c *Client) ClientCredentials(ctx context.Context) (*TokenSet, error) {
	if c.Config.ClientSecret == "" {
		return nil, errors.New("the client credentials grant needs the tenant's client secret (none is stored)")
	}
	cfg, _, err := c.oauthConfig(ctx, c.Config.Scopes)
	if err != nil {
		return nil, err
	}
	cc := clientcredentials.Config{
		ClientID:       cfg.ClientID,
		ClientSecret:   cfg.ClientSecret,
		TokenURL:       cfg.Endpoint.TokenURL,
		Scopes:         cfg.Scopes,
		AuthStyle:      cfg.Endpoint.AuthStyle,
		EndpointParams: c.tokenParams(),
	}
	for _, k := range reservedParams {
		cc.EndpointParams.Del(k)
	}
	tok, err := cc.Token(c.withHTTP(ctx))
	if err != nil {
		return nil, classify("token endpoint", err)
	}
	return c.tokenSet(GrantClientCredentials, tok), nil
}

// Refresh runs the refresh token grant (RFC 6749 section 6) with prev's refresh token
// and returns the new set. A rotated refresh token replaces the old one; when the
// provider sends none the old one is kept, and so is the ID token. Callers must store
// the result at once: with rotation the old refresh token is now spent.
func (c *Client) Refresh(ctx context.Context, prev *TokenSet) (*TokenSet, error) {
	if prev == nil || prev.RefreshToken == "" {
		return nil, fmt.Errorf("%w", ErrNoRefreshToken)
	}
	cfg, _, err := c.oauthConfig(ctx, nil)
	if err != nil {
		return nil, err
	}
	// The token source keeps the old refresh token when the response has none.
	src := cfg.TokenSource(c.withHTTP(ctx), &oauth2.Token{RefreshToken: prev.RefreshToken})
	tok, err := src.Token()
	if err != nil {
		return nil, classify("token endpoint", err)
	}
	ts := c.tokenSet(GrantRefresh, tok)
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

// ErrNoRefreshToken is returned by Refresh when there is no refresh token to use.
var ErrNoRefreshToken = errors.New("no refresh token is stored for this tenant (request offline_access, then run `tokenbench get` with the device or pkce grant)")

// tokenSet turns an oauth2 token response into a TokenSet.
func (c *Client) tokenSet(g Grant, tok *oauth2.Token) *TokenSet {
	id, _ := tok.Extra("id_token").(string)
	return c.newTokenSet(g, tok.AccessToken, tok.RefreshToken, tok.TokenType, id, expiresIn(tok), tok.Extra("scope"))
}

// expiresIn reads the response's expires_in from the raw response: the clientcredentials
// package does not copy it into Token.ExpiresIn, and Token.Expiry is stamped with the
// real clock rather than the injected one.
func expiresIn(tok *oauth2.Token) int64 {
	if tok.ExpiresIn > 0 {
		return tok.ExpiresIn
	}
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

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
