package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// While one Metadata call waits for a slow discovery document, another call on the same
// Client whose caller gave up returns at once: no lock is held across the request.
func TestMetadataHoldsNoLockAcrossTheRequest(t *testing.T) {
	arrived, release := make(chan struct{}, 4), make(chan struct{})
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
			json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})

	c := oauth.NewClient(oauth.ClientConfig{Issuer: srv.URL, ClientID: "c"})
	c.KeyCache = &keys.Cache{Client: c.HTTP}
	firstDone := make(chan error, 1)
	go func() {
		_, err := c.Metadata(context.Background())
		firstDone <- err
	}()
	<-arrived

	gaveUp, cancel := context.WithCancel(context.Background())
	cancel()
	secondDone := make(chan error, 1)
	go func() {
		_, err := c.Metadata(gaveUp)
		secondDone <- err
	}()
	// The bound only matters when the call is stuck behind the first one's request.
	select {
	case err := <-secondDone:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("second call: err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second call waited for the first call's request")
	}

	close(release)
	released = true
	if err := <-firstDone; err != nil {
		t.Fatalf("first call: %v", err)
	}
	md, err := c.Metadata(context.Background())
	if err != nil || md.Issuer != srv.URL {
		t.Fatalf("remembered document: %+v, %v", md, err)
	}
}
