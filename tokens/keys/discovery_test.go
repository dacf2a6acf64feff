package keys

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestAuth0Issuer(t *testing.T) {
	for in, want := range map[string]string{
		"example.auth0.com":           "https://example.auth0.com/",
		" example.eu.auth0.com\n":     "https://example.eu.auth0.com/",
		"https://example.auth0.com/":  "https://example.auth0.com/",
		"https://login.example.com//": "https://login.example.com/",
	} {
		if got := Auth0Issuer(in); got != want {
			t.Errorf("Auth0Issuer(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiscoveryURLs(t *testing.T) {
	for _, tt := range []struct {
		issuer string
		want   []string
		err    string
	}{
		{"https://example.auth0.com/", []string{"https://example.auth0.com/.well-known/openid-configuration", "https://example.auth0.com/.well-known/oauth-authorization-server"}, ""},
		{"https://idp.example/realms/dev", []string{"https://idp.example/realms/dev/.well-known/openid-configuration", "https://idp.example/.well-known/oauth-authorization-server/realms/dev"}, ""},
		{"http://127.0.0.1:8080", []string{"http://127.0.0.1:8080/.well-known/openid-configuration", "http://127.0.0.1:8080/.well-known/oauth-authorization-server"}, ""},
		{"http://example.com", nil, "only https"},
		{"ftp://example.com", nil, "only https"},
		{"https://example.com/?tenant=a", nil, "query or fragment"},
		{"https://example.com/#a", nil, "query or fragment"},
		{"example.com", nil, "no host"},
		{"https://example.com/?", nil, "query or fragment"},
		{"https://user:secret@example.com/", nil, "must not contain a user name or password"},
	} {
		got, err := DiscoveryURLs(tt.issuer)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.issuer, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: %q, %v; want %q", tt.issuer, got, err, tt.want)
		}
	}
}

// jwProvider is a loopback discovery server. docs maps a path to the issuer its document
// names ("" means: answer with status[path], or 404).
type jwProvider struct {
	url    string
	hits   map[string]*atomic.Int32
	docs   map[string]string
	status map[string]int
}

func newJWProvider(t *testing.T) *jwProvider {
	p := &jwProvider{hits: map[string]*atomic.Int32{}, docs: map[string]string{}, status: map[string]int{}}
	for _, path := range []string{"/.well-known/openid-configuration", "/tenant/.well-known/openid-configuration",
		"/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/tenant", "/jwks", "/other"} {
		p.hits[path] = new(atomic.Int32)
	}
	p.url = jwServer(t, func(w http.ResponseWriter, r *http.Request) {
		if c := p.hits[r.URL.Path]; c != nil {
			c.Add(1)
		}
		if code := p.status[r.URL.Path]; code != 0 {
			if code == http.StatusFound {
				http.Redirect(w, r, "/other", code)
				return
			}
			w.WriteHeader(code)
			return
		}
		iss, ok := p.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": p.url + "/jwks"})
	})
	return p
}

func (p *jwProvider) count(path string) int { return int(p.hits[path].Load()) }

func TestDiscover(t *testing.T) {
	const oidc, rfc = "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"
	client := NewHTTPClient(nil)
	ctx := context.Background()

	t.Run("OpenID Connect discovery", func(t *testing.T) {
		p := newJWProvider(t)
		p.docs[oidc] = p.url
		md, err := Discover(ctx, client, p.url)
		if err != nil || md.Issuer != p.url || md.JWKSURI != p.url+"/jwks" || md.Source != p.url+oidc {
			t.Fatalf("%+v %v", md, err)
		}
		if p.count(rfc) != 0 {
			t.Error("RFC 8414 metadata fetched although discovery succeeded")
		}
	})
	t.Run("RFC 8414 after a 404, issuer with a path", func(t *testing.T) {
		p := newJWProvider(t)
		p.docs[rfc+"/tenant"] = p.url + "/tenant"
		md, err := Discover(ctx, client, p.url+"/tenant")
		if err != nil || md.Source != p.url+rfc+"/tenant" {
			t.Fatalf("%+v %v", md, err)
		}
		if p.count("/tenant"+oidc) != 1 {
			t.Error("OpenID Connect discovery was not tried first")
		}
	})
	t.Run("both 404", func(t *testing.T) {
		p := newJWProvider(t)
		_, err := Discover(ctx, client, p.url)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 404 || se.URL != p.url+oidc || p.count(rfc) != 1 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no fallback after a 500", func(t *testing.T) {
		p := newJWProvider(t)
		p.status[oidc] = 500
		p.docs[rfc] = p.url
		_, err := Discover(ctx, client, p.url)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 500 || p.count(rfc) != 0 {
			t.Fatalf("err = %v, RFC 8414 hits %d", err, p.count(rfc))
		}
	})
	t.Run("redirect refused, not followed", func(t *testing.T) {
		p := newJWProvider(t)
		p.status[oidc] = http.StatusFound
		p.docs["/other"] = p.url
		_, err := Discover(ctx, client, p.url)
		if !errors.Is(err, ErrRedirect) || p.count("/other") != 0 || p.count(rfc) != 0 {
			t.Fatalf("err = %v", err)
		}
	})
	for _, tt := range []struct{ name, expect, says string }{
		{"document adds a trailing slash", "", "/"},
		{"document lacks the trailing slash", "/", ""},
		{"other host", "", "https://evil.example"},
		{"case differs", "", "HTTP"},
	} {
		t.Run("issuer mismatch: "+tt.name, func(t *testing.T) {
			p := newJWProvider(t)
			issuer := p.url + tt.expect
			says := p.url + tt.says
			switch tt.says {
			case "https://evil.example":
				says = tt.says
			case "HTTP":
				says = strings.Replace(p.url, "http", "HTTP", 1)
			}
			p.docs[oidc] = says
			md, err := Discover(ctx, client, issuer)
			if !errors.Is(err, ErrIssuerMismatch) || md != nil {
				t.Fatalf("expected %q, document says %q: %v", issuer, says, err)
			}
			if p.count(rfc) != 0 {
				t.Error("a mismatching document must not lead to trying RFC 8414")
			}
			hinted := strings.Contains(err.Error(), "differ only in a trailing slash: give the issuer as "+strconv.Quote(says))
			if hinted != strings.Contains(tt.name, "trailing slash") {
				t.Errorf("trailing-slash hint %v in %v", hinted, err)
			}
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		url := jwServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) })
		if _, err := Discover(ctx, client, url); err == nil || !strings.Contains(err.Error(), "did not return valid JSON") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("plain http refused before any request", func(t *testing.T) {
		for _, iss := range []string{"http://example.com", "http://10.0.0.1/", "http://localhost.evil.example/"} {
			if _, err := Discover(ctx, client, iss); !errors.Is(err, ErrInsecureURL) {
				t.Errorf("%s: err = %v", iss, err)
			}
		}
	})
	t.Run("nil client", func(t *testing.T) {
		p := newJWProvider(t)
		p.docs[oidc] = p.url
		if _, err := Discover(ctx, nil, p.url); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGetJSON(t *testing.T) {
	url := jwServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(http.StatusNotAcceptable)
		}
		w.Write([]byte(`{"a":1}`))
	})
	var v struct{ A int }
	if err := GetJSON(context.Background(), NewHTTPClient(nil), url, &v); err != nil || v.A != 1 {
		t.Fatalf("%v %v", v, err)
	}
}

func TestDiscoveryURLsDoNotRepeatAPassword(t *testing.T) {
	_, err := DiscoveryURLs("https://user:hunter2@example.com/")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v", err)
	}
}

// A fetch that gets no answer says so in words: how long was waited, or cancelled, and
// the connection error without the transport's repetition of the URL.
func TestFetchErrorWords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/jwks"
	ln.Close()
	hung := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hung }))
	t.Cleanup(func() { close(hung); srv.Close() })

	expired, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	tests := []struct {
		ctx       context.Context
		url, want string
		is        error
	}{
		{expired, srv.URL + "/jwks", "did not answer within 10s", context.DeadlineExceeded},
		{cancelled, srv.URL + "/jwks", ": cancelled", context.Canceled},
		{context.Background(), refused, "fetching " + refused + ": connection refused (nothing listens there)", syscall.ECONNREFUSED},
	}
	for _, tc := range tests {
		_, _, err := httpGet(tc.ctx, nil, tc.url)
		var fe *FetchError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want %q", tc.url, err, tc.want)
		}
		if msg := err.Error(); strings.Contains(msg, "context ") || strings.Count(msg, tc.url) != 1 {
			t.Errorf("message %q leaks the context's words or repeats the URL", msg)
		}
	}
	// A name that does not resolve (not caused here: tests stay on loopback) is named.
	notFound := &FetchError{URL: "https://dev-abc.example.invalid/jwks", Err: &url.Error{Op: "Get", URL: "https://dev-abc.example.invalid/jwks",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "dev-abc.example.invalid", IsNotFound: true}}}}
	if msg := notFound.Error(); msg != "fetching https://dev-abc.example.invalid/jwks: no such host dev-abc.example.invalid (a typo in the domain or issuer?)" {
		t.Errorf("DNS failure: %q", msg)
	}
}
