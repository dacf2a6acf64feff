package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

func pkceClient(t *testing.T, p *tokenstest.Provider, tamper func(*url.URL)) (*oauth.Client, *[]string) {
	c := newClient(t, p, tokenstest.NativeClientID, "", "openid", "profile", "offline_access")
	var shown []string
	c.ShowURL = func(u string) { shown = append(shown, u) }
	c.OpenBrowser = p.Browser(t, tamper)
	return c, &shown
}

func TestAuthorizationCodePKCE(t *testing.T) {
	p := tokenstest.New(t)
	c, shown := pkceClient(t, p, nil)
	c.Config.Audience = "https://api.example.test"
	ts, err := c.AuthorizationCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ts.Grant != oauth.GrantPKCE || ts.IDToken == "" || ts.RefreshToken == "" || strings.Count(ts.AccessToken, ".") != 2 {
		t.Fatalf("token set %+v", ts)
	}
	if len(*shown) != 1 {
		t.Fatalf("URL shown %d times", len(*shown))
	}
	q := mustQuery(t, (*shown)[0])
	for k, want := range map[string]string{"code_challenge_method": "S256", "client_id": tokenstest.NativeClientID, "audience": "https://api.example.test", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("authorize URL %s = %q, want %q", k, q.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 43 {
			t.Errorf("authorize URL %s = %q: too short", k, q.Get(k))
		}
	}
	if r := q.Get("redirect_uri"); !strings.HasPrefix(r, "http://127.0.0.1:") || !strings.HasSuffix(r, oauth.CallbackPath) {
		t.Errorf("redirect_uri %q", r)
	}
	// The tab gets a plain page once the whole flow is done.
	if status, page := p.LastRedirectPage(); status != 200 || !strings.Contains(page, "You can close this tab") {
		t.Errorf("callback page: %d %q", status, page)
	}
	tok := p.Requests("/oauth/token")
	if v := tok[len(tok)-1].Form.Get("code_verifier"); len(v) < 43 {
		t.Errorf("code_verifier %q", v)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestAuthorizationCodeCallbackChecks(t *testing.T) {
	set := func(k, v string) func(*url.URL) {
		return func(u *url.URL) {
			q := u.Query()
			q.Set(k, v)
			u.RawQuery = q.Encode()
		}
	}
	tests := []struct {
		name   string
		tamper func(*url.URL)
		want   error
	}{
		{"wrong state", set("state", "forged"), oauth.ErrStateMismatch},
		{"wrong iss", set("iss", "http://evil.example"), oauth.ErrCallbackIss},
		{"provider error", func(u *url.URL) {
			q := u.Query()
			q.Del("code")
			q.Set("error", "access_denied")
			u.RawQuery = q.Encode()
		}, oauth.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tokenstest.New(t)
			c, _ := pkceClient(t, p, tt.tamper)
			_, err := c.AuthorizationCode(context.Background())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if status, page := p.LastRedirectPage(); status != 400 || !strings.Contains(page, "Login failed") {
				t.Errorf("callback page: %d %q", status, page)
			}
			if n := len(p.Requests("/oauth/token")); n != 0 {
				t.Fatalf("the code was exchanged %d times after a bad callback", n)
			}
		})
	}
}

func TestAuthorizationCodeTimeout(t *testing.T) {
	p := tokenstest.New(t)
	c, shown := pkceClient(t, p, nil)
	c.OpenBrowser = nil
	var asked time.Duration
	c.After = func(d time.Duration) <-chan time.Time {
		asked = d
		ch := make(chan time.Time, 1)
		ch <- time.Time{}
		return ch
	}
	c.CallbackTimeout = 2 * time.Minute
	_, err := c.AuthorizationCode(context.Background())
	if !errors.Is(err, oauth.ErrCallbackTimeout) || asked != 2*time.Minute || len(*shown) != 1 {
		t.Fatalf("err = %v, timeout %v, shown %v", err, asked, *shown)
	}
	// The listener is gone: nothing answers on the redirect URI any more.
	if _, err := httpGet(mustQuery(t, (*shown)[0]).Get("redirect_uri")); err == nil {
		t.Fatal("the loopback listener is still open after the timeout")
	}
}

func TestAuthorizationCodePinnedPort(t *testing.T) {
	p := tokenstest.New(t)
	c, shown := pkceClient(t, p, nil)
	// The pinned port is one of a listener this test opened on :0 and hands over: asked
	// for exactly that address, the client gets it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	c.Config.RedirectPort = port
	c.Listen = func(network, addr string) (net.Listener, error) {
		if want := net.JoinHostPort("127.0.0.1", strconv.Itoa(port)); network != "tcp" || addr != want {
			ln.Close()
			return nil, fmt.Errorf("asked to listen on %s %s, want tcp %s", network, addr, want)
		}
		return ln, nil
	}
	if _, err := c.AuthorizationCode(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := mustQuery(t, (*shown)[0]).Get("redirect_uri"); got != tokenstest.RedirectURI(port) {
		t.Fatalf("redirect_uri %q, want port %d", got, port)
	}
}

func TestRefreshRotation(t *testing.T) {
	p := tokenstest.New(t)
	c, _ := pkceClient(t, p, nil)
	first, err := c.AuthorizationCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Refresh(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh token not rotated: %q -> %q", first.RefreshToken, second.RefreshToken)
	}
	if second.AccessToken == first.AccessToken || second.Grant != oauth.GrantRefresh || second.IDToken == "" {
		t.Fatalf("refreshed set %+v", second)
	}
	// The old refresh token is spent: using it again is invalid_grant.
	if _, err := c.Refresh(context.Background(), first); !errors.Is(err, oauth.ErrInvalidGrant) {
		t.Fatalf("reusing a rotated refresh token: err = %v", err)
	}
	if _, err := c.Refresh(context.Background(), second); err != nil {
		t.Fatalf("the rotated refresh token does not work: %v", err)
	}
	if _, err := c.Refresh(context.Background(), &oauth.TokenSet{AccessToken: "x"}); !errors.Is(err, oauth.ErrNoRefreshToken) {
		t.Fatalf("refresh without a refresh token: err = %v", err)
	}
}

func TestRefreshDeviceTokens(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.DeviceClientID, "", "offline_access")
	ts, err := c.Device(context.Background(), func(d *oauth.DeviceAuthorization) {
		if err := p.Approve(context.Background(), d.UserCode); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	next, err := c.Refresh(context.Background(), ts)
	if err != nil || next.RefreshToken == ts.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}
}

func TestUserinfoAndIntrospection(t *testing.T) {
	p := tokenstest.New(t)
	c, _ := pkceClient(t, p, nil)
	ts, err := c.AuthorizationCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Userinfo(context.Background(), ts.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if sub, _ := info.String("sub"); sub != tokenstest.Username {
		t.Fatalf("userinfo sub %q", sub)
	}
	if _, err := c.Userinfo(context.Background(), "not-a-token"); !errors.Is(err, oauth.ErrInvalidToken) {
		t.Fatalf("userinfo with a bad token: %v", err)
	}

	conf := newClient(t, p, tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret, "openid")
	cc, err := conf.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in, err := conf.Introspect(context.Background(), cc.AccessToken, "access_token")
	if err != nil || !in.Active {
		t.Fatalf("introspecting the client's own token: %+v %v", in, err)
	}
	// Only clients named in a token's aud may introspect it: the native client's token
	// is not active for the confidential client.
	in, err = conf.Introspect(context.Background(), ts.AccessToken, "")
	if err != nil || in.Active {
		t.Fatalf("introspecting another client's token: %+v %v", in, err)
	}
	bad := newClient(t, p, tokenstest.ConfidentialClientID, "wrong")
	if _, err := bad.Introspect(context.Background(), cc.AccessToken, ""); err == nil {
		t.Fatal("introspection with a wrong secret succeeded")
	}
}

// The ID token is verified with the issuer's JWKS: when the keys cannot be had the login
// fails, but a refresh keeps its rotated refresh token and only drops the ID token.
func TestIDTokenVerifiedWithIssuerKeys(t *testing.T) {
	p := tokenstest.New(t)
	c, _ := pkceClient(t, p, nil)
	p.Inject(tokenstest.Fault{Path: "/keys", Status: 503})
	if _, err := c.AuthorizationCode(context.Background()); err == nil || !strings.Contains(err.Error(), "ID token cannot be verified") {
		t.Fatalf("login without the issuer's keys: err = %v", err)
	}
	p.Clear()
	c, _ = pkceClient(t, p, nil)
	ts, err := c.AuthorizationCode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Requests("/keys")) == 0 {
		t.Fatal("the ID token was accepted without fetching the issuer's keys")
	}
	// A fresh client has no keys cached: the refresh's ID token cannot be verified.
	c2, _ := pkceClient(t, p, nil)
	p.Inject(tokenstest.Fault{Path: "/keys", Status: 503})
	next, err := c2.Refresh(context.Background(), ts)
	if err != nil {
		t.Fatal(err)
	}
	if next.RefreshToken == ts.RefreshToken || next.IDToken != ts.IDToken || len(next.Warnings) != 1 || !strings.Contains(next.Warnings[0], "ID token was dropped") {
		t.Fatalf("refresh without keys: %+v", next)
	}
}
