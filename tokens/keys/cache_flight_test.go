package keys

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

// heldServer answers path with body only once the test releases it, and says when a
// request has arrived, so that a test can act while a fetch is in flight.
type heldServer struct {
	url     string
	arrived chan struct{}
	release chan struct{}
	hits    atomic.Int32
}

func newHeldServer(t *testing.T, path string, body func(url string) []byte) *heldServer {
	h := &heldServer{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	h.url = jwServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		h.hits.Add(1)
		h.arrived <- struct{}{}
		select {
		case <-h.release:
			w.Write(body(h.url))
		case <-r.Context().Done():
		}
	})
	return h
}

// A caller that gives up while the key set is being fetched stops waiting, but the fetch
// it started is shared: it completes for the others, with one request to the provider.
func TestCacheFetchOutlivesTheCallerThatStartedIt(t *testing.T) {
	body := jwSet(t, jwECKey(t, "a"))
	held := newHeldServer(t, "/jwks", func(string) []byte { return body })
	c := &Cache{}
	first, cancel := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := c.JWKS(first, held.url+"/jwks", "a")
		firstDone <- err
	}()
	<-held.arrived
	cancel()
	if err := <-firstDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: err = %v, want context.Canceled", err)
	}
	close(held.release)

	set, err := c.JWKS(context.Background(), held.url+"/jwks", "a")
	if err != nil || jwKids(set) != "a" {
		t.Fatalf("the other caller: %v, %v", set, err)
	}
	if n := held.hits.Load(); n != 1 {
		t.Fatalf("%d requests, want the one shared fetch", n)
	}
}

// The same holds for discovery documents.
func TestCacheDiscoveryOutlivesTheCallerThatStartedIt(t *testing.T) {
	held := newHeldServer(t, "/.well-known/openid-configuration", func(url string) []byte {
		doc, _ := json.Marshal(map[string]string{"issuer": url, "jwks_uri": url + "/jwks"})
		return doc
	})
	c := &Cache{}
	first, cancel := context.WithCancel(context.Background())
	firstDone := make(chan error, 1)
	go func() {
		_, err := c.Metadata(first, held.url)
		firstDone <- err
	}()
	<-held.arrived
	cancel()
	if err := <-firstDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: err = %v, want context.Canceled", err)
	}
	close(held.release)

	md, err := c.Metadata(context.Background(), held.url)
	if err != nil || md.Issuer != held.url {
		t.Fatalf("the other caller: %+v, %v", md, err)
	}
	if n := held.hits.Load(); n != 1 {
		t.Fatalf("%d requests, want the one shared fetch", n)
	}
}
