package oauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// privateKeyClient is a private_key_jwt client of the test provider on the real clock
// (zitadel checks the assertion's exp and iat against its own).
func privateKeyClient(t *testing.T, p *tokenstest.Provider, key []byte) *oauth.Client {
	c := newClient(t, p, tokenstest.PrivateKeyClientID, "", "openid")
	c.Config.AuthMethod = oauth.AuthPrivateKeyJWT
	c.Config.PrivateKey = key
	return c
}

func TestPrivateKeyJWTAtTheProvider(t *testing.T) {
	p := tokenstest.New(t)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p.AddClientKey("rsa-1", rsaKey.Public())
	rsaJWK, _ := json.Marshal(jose.JSONWebKey{Key: rsaKey, KeyID: "rsa-1", Algorithm: "PS256"})
	for name, key := range map[string][]byte{"EC PEM (thumbprint kid)": nil, "RSA JWK PS256": rsaJWK} {
		t.Run(name, func(t *testing.T) {
			if key == nil {
				// The provider registers ClientKey under ClientKeyID; a PEM has no kid, so
				// register it under its thumbprint too, as providers taking a JWKS do.
				sk, err := oauth.ParseSigningKey(p.ClientKeyPEM())
				if err != nil {
					t.Fatal(err)
				}
				p.AddClientKey(sk.KeyID, p.ClientKey.Public())
				key = p.ClientKeyPEM()
			}
			c := privateKeyClient(t, p, key)
			before, all := len(p.Requests("/oauth/token")), len(p.Requests("/"))
			ts, err := c.ClientCredentials(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(ts.AccessToken, ".") != 2 {
				t.Fatalf("access token %q", ts.AccessToken)
			}
			r := p.Requests("/oauth/token")[before]
			if r.BasicUser != "" || r.Form.Get("client_secret") != "" || r.Form.Get("client_assertion_type") != oauth.ClientAssertionType {
				t.Fatalf("client authentication sent: basic %q form %v", r.BasicUser, r.Form)
			}
			// The same client introspects with a fresh assertion.
			in, err := c.Introspect(context.Background(), ts.AccessToken, "access_token")
			if err != nil || !in.Active {
				t.Fatalf("introspect: %+v %v", in, err)
			}
			// The code exchange, refresh and revocation authenticate the same way.
			c.Config.Scopes = []string{"openid", "offline_access"}
			c.OpenBrowser = p.Browser(t, nil)
			login, err := c.AuthorizationCode(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if login, err = c.Refresh(context.Background(), login); err != nil {
				t.Fatal(err)
			}
			if err := c.Revoke(context.Background(), login.RefreshToken, "refresh_token"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Refresh(context.Background(), login); !errors.Is(err, oauth.ErrInvalidGrant) {
				t.Fatalf("refresh after revocation: %v", err)
			}
			jtis := map[string]bool{}
			for _, r := range p.Requests("/")[all:] {
				a := r.Form.Get("client_assertion")
				if a == "" {
					continue
				}
				var claims jwt.Claims
				tok, err := jwt.ParseSigned(a, []jose.SignatureAlgorithm{jose.ES256, jose.PS256})
				if err != nil || tok.UnsafeClaimsWithoutVerification(&claims) != nil {
					t.Fatalf("assertion %q: %v", a, err)
				}
				if claims.Issuer != tokenstest.PrivateKeyClientID || claims.Subject != claims.Issuer || jtis[claims.ID] || claims.ID == "" {
					t.Fatalf("assertion claims %+v (jti seen before: %v)", claims, jtis[claims.ID])
				}
				jtis[claims.ID] = true
				if life := claims.Expiry.Time().Sub(claims.IssuedAt.Time()); life <= 0 || life > 5*time.Minute {
					t.Errorf("assertion lifetime %v", life)
				}
				if !claims.Audience.Contains(p.Issuer+r.Path) || tok.Headers[0].KeyID == "" {
					t.Errorf("assertion aud %v for %s, kid %q", claims.Audience, r.Path, tok.Headers[0].KeyID)
				}
			}
			if len(jtis) != 6 {
				t.Errorf("%d assertions, want 6 (client credentials, introspect, code, 2× refresh, revoke)", len(jtis))
			}
		})
	}
}

func TestPrivateKeyJWTUnregisteredKeyRefused(t *testing.T) {
	p := tokenstest.New(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: other, KeyID: tokenstest.ClientKeyID})
	_, err := privateKeyClient(t, p, jwk).ClientCredentials(context.Background())
	var pe *oauth.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a provider refusal", err)
	}
	if _, err := privateKeyClient(t, p, nil).ClientCredentials(context.Background()); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Fatalf("without a key: %v", err)
	}
}

// TestClientSecretJWT runs client_secret_jwt against a loopback token endpoint that
// verifies the assertion as a provider must (zitadel does not offer the method):
// HS256 with the secret, aud naming the endpoint, exp in the near future, jti unseen.
func TestClientSecretJWT(t *testing.T) {
	const secret = "a-long-enough-client-secret-for-hs256-0123456789"
	var mu sync.Mutex
	seen := map[string]bool{}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		fail := func(why string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": why})
		}
		if r.Form.Get("client_assertion_type") != oauth.ClientAssertionType || r.Form.Get("client_secret") != "" {
			fail("no assertion")
			return
		}
		tok, err := jwt.ParseSigned(r.Form.Get("client_assertion"), []jose.SignatureAlgorithm{jose.HS256})
		var claims jwt.Claims
		if err != nil || tok.Claims([]byte(secret), &claims) != nil {
			fail("bad signature")
			return
		}
		if err := claims.ValidateWithLeeway(jwt.Expected{Issuer: "cid", Subject: "cid", AnyAudience: jwt.Audience{srv.URL + "/token"}, Time: time.Now()}, 0); err != nil {
			fail(err.Error())
			return
		}
		if claims.Expiry.Time().After(time.Now().Add(5 * time.Minute)) {
			fail("exp too far")
			return
		}
		mu.Lock()
		replay := seen[claims.ID] || claims.ID == ""
		seen[claims.ID] = true
		mu.Unlock()
		if replay {
			fail("jti replayed")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "opaque-" + claims.ID[:8], "token_type": "Bearer", "expires_in": 60})
	}))
	t.Cleanup(srv.Close)
	c := oauth.NewClient(oauth.ClientConfig{Issuer: srv.URL, ClientID: "cid", ClientSecret: secret, AuthMethod: oauth.AuthSecretJWT,
		NoDiscovery: true, Endpoints: oauth.Endpoints{Token: srv.URL + "/token"}})
	// Every token request carries a fresh assertion: the endpoint refuses a replayed jti.
	for i, run := range []func() error{
		func() error { _, err := c.ClientCredentials(context.Background()); return err },
		func() error { _, err := c.ClientCredentials(context.Background()); return err },
		func() error {
			_, err := c.Refresh(context.Background(), &oauth.TokenSet{RefreshToken: "rt"})
			return err
		},
		func() error {
			_, err := c.Exchange(context.Background(), oauth.ExchangeRequest{SubjectToken: "st"})
			return err
		},
	} {
		if err := run(); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	c.Config.ClientSecret = "another-secret-of-the-same-good-length-0123456789"
	if _, err := c.ClientCredentials(context.Background()); !errors.Is(err, oauth.ErrInvalidClient) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestTokenExchange(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret, "openid")
	subject, err := c.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Exchange(context.Background(), oauth.ExchangeRequest{
		SubjectToken: subject.AccessToken, Audience: []string{"https://api.other.test"}, Scopes: []string{"openid", "read"},
		RequestedTokenType: oauth.TokenTypeAccess,
	})
	if err != nil {
		t.Fatal(err)
	}
	if ts.IssuedTokenType != oauth.TokenTypeAccess || ts.Grant != oauth.GrantExchange || ts.AccessToken == subject.AccessToken {
		t.Fatalf("exchanged set %+v", ts)
	}
	tok, err := tokens.Parse(ts.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if aud, _ := tok.Claims.Get("aud"); !strings.Contains(string(aud), "https://api.other.test") {
		t.Errorf("exchanged token aud %v", aud)
	}
	r := p.Requests("/oauth/token")
	form := r[len(r)-1].Form
	if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange" || form.Get("subject_token_type") != oauth.TokenTypeAccess {
		t.Errorf("exchange form %v", form)
	}
	// (zitadel authenticates token exchange by client secret only, so assertions on an
	// exchange are tested against the loopback endpoint of TestClientSecretJWT.)
	var pe *oauth.ProviderError
	if _, err := c.Exchange(context.Background(), oauth.ExchangeRequest{SubjectToken: "not-a-token"}); !errors.As(err, &pe) || pe.Code != "invalid_request" {
		t.Fatalf("bad subject: %v", err)
	}
	if _, err := c.Exchange(context.Background(), oauth.ExchangeRequest{}); !errors.Is(err, oauth.ErrExchangeRequest) {
		t.Fatalf("no subject: %v", err)
	}
}

func TestRevokeRefreshToken(t *testing.T) {
	p := tokenstest.New(t)
	c, _ := pkceClient(t, p, nil)
	ts, err := c.AuthorizationCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(context.Background(), ts.RefreshToken, "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(context.Background(), ts); !errors.Is(err, oauth.ErrInvalidGrant) {
		t.Fatalf("refresh after revocation: %v", err)
	}
}

// TestEndpointOverridesWithoutDiscovery runs every grant a tenant needs against a
// provider that publishes no discovery document, from the tenant's endpoints alone.
func TestEndpointOverridesWithoutDiscovery(t *testing.T) {
	p := tokenstest.New(t, tokenstest.WithoutDiscovery())
	all := oauth.Endpoints{
		Authorization: p.Endpoint(oauth.EndpointAuthorization), Token: p.Endpoint(oauth.EndpointToken),
		DeviceAuthorization: p.Endpoint(oauth.EndpointDeviceAuthorization), Userinfo: p.Endpoint(oauth.EndpointUserinfo),
		Introspection: p.Endpoint(oauth.EndpointIntrospection), Revocation: p.Endpoint(oauth.EndpointRevocation),
		JWKS: p.Endpoint(oauth.EndpointJWKS),
	}
	// With discovery on, the 404 is what the user sees.
	c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	if _, err := c.ClientCredentials(context.Background()); err == nil {
		t.Fatal("discovery 404 not reported")
	}

	c = newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	c.Config.NoDiscovery, c.Config.Endpoints = true, all
	ts, err := c.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if in, err := c.Introspect(context.Background(), ts.AccessToken, ""); err != nil || !in.Active {
		t.Fatalf("introspect: %+v %v", in, err)
	}
	// PKCE checks the ID token with keys from the jwks_uri override.
	pc, _ := pkceClient(t, p, nil)
	pc.Config.NoDiscovery, pc.Config.Endpoints = true, all
	login, err := pc.AuthorizationCode(context.Background())
	if err != nil || login.IDToken == "" {
		t.Fatalf("pkce without discovery: %v", err)
	}
	if _, err := pc.Userinfo(context.Background(), login.AccessToken); err != nil {
		t.Fatal(err)
	}

	// A missing endpoint is named, whatever asked for it.
	for _, tc := range []struct {
		name string
		run  func(*oauth.Client) error
	}{
		{oauth.EndpointToken, func(c *oauth.Client) error { _, err := c.ClientCredentials(context.Background()); return err }},
		{oauth.EndpointIntrospection, func(c *oauth.Client) error { _, err := c.Introspect(context.Background(), "x", ""); return err }},
		{oauth.EndpointRevocation, func(c *oauth.Client) error { return c.Revoke(context.Background(), "x", "") }},
		{oauth.EndpointDeviceAuthorization, func(c *oauth.Client) error { _, err := c.StartDevice(context.Background()); return err }},
	} {
		c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
		c.Config.NoDiscovery = true
		var me *oauth.MissingEndpointError
		if err := tc.run(c); !errors.As(err, &me) || me.Name != tc.name {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestEndpointOverrideBeatsDiscovery(t *testing.T) {
	p := tokenstest.New(t)
	other := tokenstest.New(t)
	// The introspection endpoint of another server is used instead of discovery's.
	c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	c.Config.Endpoints.Introspection = other.Endpoint(oauth.EndpointIntrospection)
	before := len(other.Requests("/oauth/introspect"))
	_, _ = c.Introspect(context.Background(), "x", "")
	if len(other.Requests("/oauth/introspect")) != before+1 {
		t.Fatal("the override was not used")
	}
	c = newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	c.Config.Endpoints.Token = "http://example.com/token"
	if _, err := c.ClientCredentials(context.Background()); !errors.Is(err, keys.ErrInsecureURL) {
		t.Fatalf("plain http override: %v", err)
	}
}

func TestRedirectURIAsRegistered(t *testing.T) {
	p := tokenstest.New(t)
	newLocalhost := func(redirect string, tamper func(*url.URL)) (*oauth.Client, *[]string) {
		c := newClient(t, p, tokenstest.LocalhostClientID, "", "openid")
		c.Config.RedirectURI = redirect
		var shown []string
		c.ShowURL = func(u string) { shown = append(shown, u) }
		c.OpenBrowser = p.Browser(t, tamper)
		return c, &shown
	}
	c, shown := newLocalhost(tokenstest.LocalhostRedirectURI, nil)
	if _, err := c.AuthorizationCode(context.Background()); err != nil {
		t.Fatal(err)
	}
	ru, _ := url.Parse(mustQuery(t, (*shown)[0]).Get("redirect_uri"))
	if ru.Hostname() != "localhost" || ru.Path != "/auth/done" || ru.Port() == "" {
		t.Fatalf("redirect_uri %s", ru)
	}
	tok := p.Requests("/oauth/token")
	if got := tok[len(tok)-1].Form.Get("redirect_uri"); got != ru.String() {
		t.Errorf("token request redirect_uri %q, want %q", got, ru)
	}

	// The provider refuses a path it does not know; the client waits no longer than its timeout.
	c, _ = newLocalhost("http://localhost/callback", nil)
	c.OpenBrowser = func(u string) error {
		redirect, err := p.Login(context.Background(), u)
		if err == nil && redirect.Query().Get("error") == "" && !strings.Contains(redirect.String(), "error") {
			t.Errorf("unregistered redirect URI accepted: %s", redirect)
		}
		return nil
	}
	fire := make(chan time.Time, 1)
	fire <- time.Time{}
	c.After = func(time.Duration) <-chan time.Time { return fire }
	if _, err := c.AuthorizationCode(context.Background()); !errors.Is(err, oauth.ErrCallbackTimeout) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseRedirectURI(t *testing.T) {
	for _, tc := range []struct {
		in, host, port, path string
		ok                   bool
	}{
		{"http://127.0.0.1:8765/callback", "127.0.0.1", "8765", "/callback", true},
		{"http://localhost:3000/auth/cb", "localhost", "3000", "/auth/cb", true},
		{"http://[::1]:9000/x", "::1", "9000", "/x", true},
		{"http://localhost/cb", "localhost", "0", "/cb", true},
		{"http://127.0.0.1:8765", "127.0.0.1", "8765", "/", true},
		{"https://127.0.0.1:8765/callback", "", "", "", false},
		{"http://example.com:8765/callback", "", "", "", false},
		{"http://127.0.0.2:8765/callback", "", "", "", false},
		{"http://127.0.0.1:8765/callback?x=1", "", "", "", false},
		{"http://127.0.0.1:8765/callback#f", "", "", "", false},
		{"http://u@127.0.0.1:8765/callback", "", "", "", false},
		{"http://127.0.0.1:70000/callback", "", "", "", false},
		{"myapp://callback", "", "", "", false},
	} {
		host, port, path, err := oauth.ParseRedirectURI(tc.in)
		if (err == nil) != tc.ok || host != tc.host || port != tc.port || path != tc.path {
			t.Errorf("ParseRedirectURI(%q) = %q %q %q %v", tc.in, host, port, path, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error %q", err)
		}
	}
}

func TestParseSigningKey(t *testing.T) {
	pemOf := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	jwkOf := func(k any, kid, alg string) []byte {
		b, err := json.Marshal(jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	for _, tc := range []struct {
		name string
		in   []byte
		alg  jose.SignatureAlgorithm
		kid  string
		err  string
	}{
		{"rsa pkcs8", pemOf(rsaKey), jose.RS256, "", ""},
		{"rsa pkcs1", pkcs1, jose.RS256, "", ""},
		{"rsa jwk ps256", jwkOf(rsaKey, "k1", "PS256"), jose.PS256, "k1", ""},
		{"ec p384 pem", pemOf(p384), jose.ES384, "", ""},
		{"ed25519 jwk", jwkOf(edKey, "ed", ""), jose.EdDSA, "ed", ""},
		{"ed25519 pem", pemOf(edKey), jose.EdDSA, "", ""},
		{"public jwk", jwkOf(rsaKey.Public(), "k1", ""), "", "", "public key"},
		{"small rsa", pemOf(small), "", "", "2048"},
		{"alg mismatch", jwkOf(p384, "k", "ES256"), "", "", "does not fit"},
		{"garbage", []byte("hello"), "", "", "neither PEM nor a JWK"},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "", "", "not a private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sk, err := oauth.ParseSigningKey(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sk.Algorithm != tc.alg {
				t.Errorf("alg %s, want %s", sk.Algorithm, tc.alg)
			}
			if tc.kid != "" && sk.KeyID != tc.kid || sk.KeyID == "" {
				t.Errorf("kid %q, want %q", sk.KeyID, tc.kid)
			}
		})
	}
}
