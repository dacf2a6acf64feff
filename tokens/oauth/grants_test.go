package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// newClient returns a Client for the test provider that never sleeps and never opens a
// real browser.
func newClient(t *testing.T, p *tokenstest.Provider, id, secret string, scopes ...string) *oauth.Client {
	t.Helper()
	c := oauth.NewClient(oauth.ClientConfig{Tenant: "test", Issuer: p.Issuer, ClientID: id, ClientSecret: secret, Scopes: scopes})
	c.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	c.OpenBrowser = func(string) error { t.Error("a real browser would have been opened"); return nil }
	return c
}

func TestClientCredentials(t *testing.T) {
	p := tokenstest.New(t)
	for _, style := range []oauth.AuthMethod{oauth.AuthSecretBasic, oauth.AuthSecretPost} {
		t.Run(string(style), func(t *testing.T) {
			c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret, "openid")
			c.Config.AuthMethod = style
			c.Config.Audience = "https://api.example.test"
			c.Config.Organization = "org_123"
			c.Config.TokenParams = map[string]string{"resource": "x", "grant_type": "password"}
			before := len(p.Requests("/oauth/token"))
			ts, err := c.ClientCredentials(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(ts.AccessToken, ".") != 2 || ts.Grant != oauth.GrantClientCredentials || ts.Tenant != "test" {
				t.Fatalf("unexpected token set %+v", ts)
			}
			if ts.Expiry.Before(ts.ObtainedAt) || ts.RefreshToken != "" || len(ts.Warnings) != 0 {
				t.Fatalf("expiry %v obtained %v refresh %q warnings %v", ts.Expiry, ts.ObtainedAt, ts.RefreshToken, ts.Warnings)
			}
			reqs := p.Requests("/oauth/token")[before:]
			if len(reqs) != 1 {
				t.Fatalf("%d token requests, want 1", len(reqs))
			}
			r := reqs[0]
			if (style == oauth.AuthSecretBasic) != (r.BasicUser == tokenstest.ConfidentialClientID) {
				t.Errorf("basic auth user %q with style %s", r.BasicUser, style)
			}
			if (style == oauth.AuthSecretPost) != (r.Form.Get("client_secret") == tokenstest.ConfidentialClientSecret) {
				t.Errorf("client_secret in form %q with style %s", r.Form.Get("client_secret"), style)
			}
			if r.Form.Get("audience") != "https://api.example.test" || r.Form.Get("organization") != "org_123" || r.Form.Get("resource") != "x" {
				t.Errorf("audience/organization/extra not sent: %v", r.Form)
			}
			if r.Form.Get("grant_type") != "client_credentials" {
				t.Errorf("an extra parameter overrode grant_type: %v", r.Form)
			}
		})
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		fault  *tokenstest.Fault
		want   error
		says   string
	}{
		{name: "wrong secret", secret: "nope", want: oauth.ErrInvalidClient, says: "did not accept the client"},
		{name: "5xx", fault: &tokenstest.Fault{Path: "/oauth/token", Status: 503}, want: oauth.ErrProviderFailed, says: "HTTP 503"},
		{name: "429", fault: &tokenstest.Fault{Path: "/oauth/token", Status: 429, RetryAfter: 7}, want: oauth.ErrRateLimited, says: "retry after 7 s"},
		{name: "down", fault: &tokenstest.Fault{Drop: true}, want: oauth.ErrUnreachable, says: "could not be reached"},
	}
	p := tokenstest.New(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer p.Clear()
			secret := tt.secret
			if secret == "" {
				secret = tokenstest.ConfidentialClientSecret
			}
			if tt.fault != nil {
				p.Inject(*tt.fault)
			}
			_, err := newClient(t, p, tokenstest.ConfidentialClientID, secret).ClientCredentials(context.Background())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if msg := err.Error(); strings.HasPrefix(msg, "tokens: ") || strings.Contains(msg, "\n") || !strings.Contains(msg, tt.says) ||
				strings.Contains(msg, "tokenbench") {
				t.Fatalf("message %q: want one line saying %q, with no package prefix and no CLI advice", msg, tt.says)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the secret leaked into the error: %v", err)
			}
		})
	}
}

// A token endpoint nothing listens on is said in words, not as the dialer's text.
func TestTokenEndpointRefusedInWords(t *testing.T) {
	p := tokenstest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/oauth/token"
	ln.Close()
	c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	c.Config.Endpoints.Token = closed
	_, err = c.ClientCredentials(context.Background())
	if !errors.Is(err, oauth.ErrUnreachable) {
		t.Fatalf("err = %v, want unreachable", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "connection refused (nothing listens there)") || strings.Contains(msg, "dial tcp") || strings.Contains(msg, `Post "`) {
		t.Fatalf("message %q: want the refusal in words", msg)
	}
}

func TestClientCredentialsTimeout(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	if _, err := c.Metadata(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.Inject(tokenstest.Fault{Path: "/oauth/token", Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.ClientCredentials(ctx)
	if !errors.Is(err, oauth.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

func TestClientCredentialsNeedsSecret(t *testing.T) {
	c := oauth.NewClient(oauth.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "x"})
	if _, err := c.ClientCredentials(context.Background()); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestDiscoveryDown(t *testing.T) {
	p := tokenstest.New(t)
	p.Inject(tokenstest.Fault{Status: http.StatusBadGateway})
	_, err := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret).ClientCredentials(context.Background())
	if !errors.Is(err, oauth.ErrProviderFailed) || !strings.Contains(err.Error(), "discovery") {
		t.Fatalf("err = %v", err)
	}
}

// A provider (like Auth0 without an audience) that issues an opaque access token: the
// token set says why, and reads expires_in and scope as such providers send them.
func TestOpaqueAccessTokenWarning(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q}`, srv.URL+"/", srv.URL+"/oauth/token")
		case "/oauth/token":
			fmt.Fprint(w, `{"access_token":"opaque-abc","token_type":"Bearer","expires_in":"86400","scope":"read:all"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	c := oauth.NewClient(oauth.ClientConfig{Issuer: srv.URL + "/", ClientID: "m2m", ClientSecret: "s"})
	c.Now = func() time.Time { return now }
	ts, err := c.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.Warnings) != 1 || !strings.Contains(ts.Warnings[0], "no audience was sent") {
		t.Fatalf("warnings %v", ts.Warnings)
	}
	if !ts.Expiry.Equal(now.Add(24*time.Hour)) || ts.Scope != "read:all" || !ts.ObtainedAt.Equal(now) {
		t.Fatalf("expiry %v scope %q obtained %v", ts.Expiry, ts.Scope, ts.ObtainedAt)
	}
}

func TestClientOverride(t *testing.T) {
	fixed := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	hc := &http.Client{}
	cache := &keys.Cache{}
	var opened string
	c := oauth.NewClient(oauth.ClientConfig{Issuer: "https://issuer.example/"}).Override(oauth.Overrides{
		Now: func() time.Time { return fixed }, HTTP: hc, KeyCache: cache,
		OpenBrowser: func(u string) error { opened = u; return nil },
	})
	if c.Now() != fixed || c.HTTP != hc || c.KeyCache != cache || c.OpenBrowser("x") != nil || opened != "x" {
		t.Fatal("the given overrides were not applied")
	}
	if c.Sleep == nil || c.After == nil {
		t.Fatal("fields not overridden lost NewClient's defaults")
	}
	d := oauth.NewClient(oauth.ClientConfig{}).Override(oauth.Overrides{HTTP: hc})
	if d.KeyCache == nil || d.KeyCache.Client != hc {
		t.Fatal("a nil KeyCache must become a cache on the client's HTTP")
	}
}
