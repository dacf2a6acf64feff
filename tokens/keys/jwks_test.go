package keys

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// jwServer serves handler on 127.0.0.1 and returns its URL.
func jwServer(t testing.TB, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(handler)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFetchJWKS(t *testing.T) {
	set := jwSet(t, jwECKey(t, "k1"))
	exactCap := append(append([]byte(`{"keys":[]`), make([]byte, tokens.MaxBodySize-len(`{"keys":[]}`))...), '}')
	for i := len(`{"keys":[]`); i < len(exactCap)-1; i++ {
		exactCap[i] = ' '
	}
	url := jwServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jwks":
			w.Write(set)
		case "/exact":
			w.Write(exactCap)
		case "/big":
			w.Write(append(exactCap, ' '))
		case "/redirect":
			http.Redirect(w, r, "/jwks", http.StatusFound)
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		case "/hang":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	})
	client := NewHTTPClient(nil)
	ctx := context.Background()

	got, err := FetchJWKS(ctx, client, url+"/jwks")
	if err != nil || len(got.Keys) != 1 || got.Keys[0].Source != "JWKS URL "+url+"/jwks" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if len(exactCap) != tokens.MaxBodySize {
		t.Fatal("test body is not exactly the cap")
	}
	if got, err := FetchJWKS(ctx, client, url+"/exact"); err != nil || len(got.Keys) != 0 {
		t.Fatalf("body of exactly tokens.MaxBodySize: %v", err)
	}

	for _, tt := range []struct {
		path string
		want func(error) bool
	}{
		{"/big", func(err error) bool { return errors.Is(err, ErrBodyTooLarge) }},
		{"/redirect", func(err error) bool { return errors.Is(err, ErrRedirect) }},
		{"/missing", func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Code == 404 }},
		{"/204", func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Code == 204 }},
	} {
		if _, err := FetchJWKS(ctx, client, url+tt.path); !tt.want(err) {
			t.Errorf("%s: err = %v", tt.path, err)
		}
	}
	if _, err := FetchJWKS(ctx, client, "http://example.com/jwks"); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("plain http to a non-loopback host: err = %v", err)
	}
}

func TestFetchJWKSTimeout(t *testing.T) {
	url := jwServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	client := NewHTTPClient(nil)
	if client.Timeout != HTTPTimeout || HTTPTimeout != 10*time.Second {
		t.Fatalf("default timeout %v", client.Timeout)
	}
	client.Timeout = 20 * time.Millisecond // the handler never answers: only the timeout ends this
	_, err := FetchJWKS(context.Background(), client, url+"/jwks")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FetchJWKS(ctx, NewHTTPClient(nil), url+"/jwks"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: err = %v", err)
	}
}
