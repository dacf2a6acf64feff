package store

import (
	"errors"
	"fmt"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// ErrTokenCacheUnreadable is matched (errors.Is) when a tenant's cached token set is
// damaged or not readable: LoadTokenSet then still returns what it could (the refresh
// token from its own slot), and a new grant overwrites the entry.
var ErrTokenCacheUnreadable = errors.New("the cached token set is unreadable")

// LoadTokenSet returns tenant's cached token set with the refresh token from its own
// slot, or nil when nothing is cached. A refresh token without a cached set (the cache
// was cleared) comes back as a set holding only it. A damaged or undecodable set is
// reported with an error matching ErrTokenCacheUnreadable alongside what could be read;
// any other keyring error comes back alone.
func (s *Secrets) LoadTokenSet(tenant string) (*oauth.TokenSet, error) {
	var ts *oauth.TokenSet
	var problem error
	raw, err := s.Get(tenant, SecretTokenSet)
	switch {
	case errors.Is(err, ErrSecretNotFound):
	case errors.Is(err, ErrSecretCorrupt):
		problem = fmt.Errorf("%w: %w", ErrTokenCacheUnreadable, err)
	case err != nil:
		return nil, err
	default:
		if ts, err = oauth.DecodeTokenSet([]byte(raw)); err != nil {
			ts, problem = nil, fmt.Errorf("%w (tenant %q): %w", ErrTokenCacheUnreadable, printable(tenant), err)
		}
	}
	rt, err := s.Get(tenant, SecretRefreshToken)
	switch {
	case errors.Is(err, ErrSecretNotFound), errors.Is(err, ErrSecretCorrupt):
	case err != nil:
		return nil, err
	case ts == nil:
		ts = &oauth.TokenSet{Tenant: tenant, RefreshToken: rt}
	default:
		ts.RefreshToken = rt
	}
	return ts, problem
}

// SaveTokenSet caches ts for tenant: the refresh token first, in its own slot (after a
// rotation it is the only copy that still works), then the set without it.
func (s *Secrets) SaveTokenSet(tenant string, ts *oauth.TokenSet) error {
	if ts.RefreshToken != "" {
		if err := s.Set(tenant, SecretRefreshToken, ts.RefreshToken); err != nil {
			return fmt.Errorf("the new refresh token could not be stored (the old one may be spent): %w", err)
		}
	}
	c := *ts
	c.RefreshToken = ""
	b, err := c.Encode()
	if err != nil {
		return err
	}
	return s.Set(tenant, SecretTokenSet, string(b))
}

// ClientConfig is the grant configuration of tenant t with its client credential: the
// client secret, or for a private_key_jwt tenant its private key (PEM or JWK); empty for
// a public client. The tenant's auth_method says how the client authenticates.
func (t Tenant) ClientConfig(credential string) oauth.ClientConfig {
	cfg := oauth.ClientConfig{
		Tenant: t.Name, Issuer: t.IssuerURL(), ClientID: t.ClientID, ClientSecret: credential,
		AuthMethod: t.AuthMethod, Audience: t.Audience, Scopes: t.Scopes, Organization: t.Organization,
		RedirectPort: t.RedirectPort, RedirectURI: t.RedirectURI, AuthorizeParams: t.AuthorizeParams, TokenParams: t.TokenParams,
		Endpoints: t.Endpoints.oauth(), NoDiscovery: t.NoDiscovery,
	}
	if t.UsesPrivateKey() {
		cfg.ClientSecret, cfg.PrivateKey = "", []byte(credential)
	}
	return cfg
}
