package tokenstest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Clients for the wiring a real tenant needs beyond a secret and 127.0.0.1/callback.
const (
	// PrivateKeyClientID is a confidential client that authenticates with private_key_jwt
	// (RFC 7523): assertions signed with ClientKey (or a key added with AddClientKey).
	// It may use client credentials, token exchange, the authorization code grant and
	// refresh, and may introspect and revoke.
	PrivateKeyClientID = "tb-private-key"
	// ClientKeyID is the kid ClientKey is registered under.
	ClientKeyID = "tb-client-key-1"
	// LocalhostClientID is a public native client whose only registered redirect URI is
	// LocalhostRedirectURI: the provider accepts exactly that host and path (any port,
	// RFC 8252 section 7.3) and refuses every other redirect URI with invalid_request.
	LocalhostClientID    = "tb-localhost"
	LocalhostRedirectURI = "http://localhost/auth/done"
)

// ClientKeyPEM returns ClientKey as a PKCS #8 PEM block, as a user's key file holds it.
func (p *Provider) ClientKeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(p.ClientKey)
	if err != nil {
		panic(err) // a freshly generated P-256 key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// AddClientKey registers pub under kid as a verification key of PrivateKeyClientID.
func (p *Provider) AddClientKey(kid string, pub crypto.PublicKey) {
	p.store.mu.Lock()
	p.store.clientKeys[kid] = pub
	p.store.mu.Unlock()
}

// Endpoint returns the absolute URL of one of the provider's endpoints by its discovery
// name ("token_endpoint", "jwks_uri", …), for tests that set endpoints by hand.
func (p *Provider) Endpoint(name string) string {
	e := op.DefaultEndpoints
	paths := map[string]*op.Endpoint{
		"authorization_endpoint": e.Authorization, "token_endpoint": e.Token,
		"device_authorization_endpoint": e.DeviceAuthorization, "userinfo_endpoint": e.Userinfo,
		"introspection_endpoint": e.Introspection, "revocation_endpoint": e.Revocation,
		"jwks_uri": e.JwksURI,
	}
	ep, ok := paths[name]
	if !ok {
		panic("tokenstest: no endpoint " + name)
	}
	return ep.Absolute(p.Issuer)
}

// WithoutDiscovery makes both well-known discovery locations answer 404, as a server
// that publishes no metadata does; every endpoint still works.
func WithoutDiscovery() Option { return func(p *Provider) { p.noDiscovery = true } }

func newClientKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

type assertionKey struct{}

// wiring is the provider's outermost handler: it hides discovery when asked, and hands
// a client_credentials request's client assertion to the storage through the context.
// zitadel authenticates a client credentials request by ClientCredentials(id, secret)
// alone, so without this a private_key_jwt client could not use that grant.
func (p *Provider) wiring(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.noDiscovery && strings.HasPrefix(r.URL.Path, "/.well-known/") {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodPost && r.URL.Path == op.DefaultEndpoints.Token.Relative() {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			if form, err := url.ParseQuery(string(body)); err == nil && form.Get("grant_type") == string(oidc.GrantTypeClientCredentials) {
				if a := form.Get("client_assertion"); a != "" && form.Get("client_assertion_type") == oidc.ClientAssertionTypeJWTAssertion {
					r = r.WithContext(context.WithValue(r.Context(), assertionKey{}, a))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// GetKeyByIDAndClientID returns PrivateKeyClientID's registered public keys, which is
// how zitadel verifies private_key_jwt assertions (signature, and aud naming the issuer).
func (s *testStorage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.clientKeys[keyID]
	if clientID != PrivateKeyClientID || !ok {
		return nil, errors.New("key not found")
	}
	return &jose.JSONWebKey{KeyID: keyID, Use: "sig", Key: key}, nil
}

// privateKeyClientCredentials verifies a client credentials request's assertion with
// zitadel's own private_key_jwt check.
func (s *testStorage) privateKeyClientCredentials(ctx context.Context, id string) (op.Client, error) {
	a, _ := ctx.Value(assertionKey{}).(string)
	if a == "" || s.provider == nil {
		return nil, errors.New("private_key_jwt client without an assertion")
	}
	c, err := op.AuthorizePrivateJWTKey(ctx, a, s.provider)
	if err != nil || c.GetID() != id {
		return nil, errors.New("client assertion refused")
	}
	return c, nil
}

// ValidateTokenExchangeRequest allows every exchange of a token this provider issued:
// the requested type defaults to an access token and the requested scopes are granted.
// (The example storage would demand an admin user for impersonation.)
func (s *testStorage) ValidateTokenExchangeRequest(ctx context.Context, req op.TokenExchangeRequest) error {
	if req.GetRequestedTokenType() == "" {
		req.SetRequestedTokenType(oidc.AccessTokenType)
	}
	req.SetCurrentScopes(req.GetScopes())
	return nil
}

// RevokeToken lets a client revoke its own client-credentials tokens: the example
// storage records no client for them (it refuses every such revocation as "not issued
// for this client"), but their subject is the client itself.
func (s *testStorage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	err := s.Storage.RevokeToken(ctx, tokenOrID, userID, clientID)
	if err != nil && err.ErrorType == oidc.InvalidClient && userID != "" && userID == clientID {
		return s.Storage.RevokeToken(ctx, tokenOrID, userID, "")
	}
	return err
}
