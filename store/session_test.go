package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// sessionEnv is a config with tenants on a running test provider and an in-memory
// keyring.
type sessionEnv struct {
	p  *tokenstest.Provider
	ts *Tenants
}

func newSessionEnv(t *testing.T, opts ...tokenstest.Option) *sessionEnv {
	t.Helper()
	p := tokenstest.New(t, opts...)
	ts := &Tenants{Path: filepath.Join(t.TempDir(), "config.toml"),
		Secrets: &Secrets{Keyring: keyringtest.NewMemory(), LookupEnv: func(string) (string, bool) { return "", false }}}
	for _, tn := range []Tenant{
		{Name: "dev", ClientID: tokenstest.DeviceClientID, Grant: oauth.GrantDevice, Scopes: []string{"openid", "offline_access"}},
		{Name: "m2m", ClientID: tokenstest.ConfidentialClientID, Confidential: true, Grant: oauth.GrantClientCredentials},
	} {
		tn.Kind, tn.Issuer = KindOIDC, p.Issuer
		change := KeepSecret
		if tn.Confidential {
			change = SetSecret(tokenstest.ConfidentialClientSecret)
		}
		if err := ts.Add(tn, change); err != nil {
			t.Fatal(err)
		}
	}
	return &sessionEnv{p: p, ts: ts}
}

// session opens name's session on a memory-only key cache; flights stands for the
// process it runs in (nil: this one).
func (e *sessionEnv) session(t *testing.T, name string, flights *singleflight.Group) *Session {
	t.Helper()
	s, err := e.ts.OpenSession(name)
	if err != nil {
		t.Fatal(err)
	}
	s.flights = flights
	s.Client = func(cfg oauth.ClientConfig) *oauth.Client {
		return oauth.NewClient(cfg).Override(oauth.Overrides{KeyCache: &keys.Cache{}})
	}
	return s
}

// deviceTokens obtains tokens for tenant dev by the device flow, stores them with their
// access token made expired, and returns them.
func (e *sessionEnv) deviceTokens(t *testing.T) *oauth.TokenSet {
	t.Helper()
	s := e.session(t, "dev", nil)
	c, err := s.client()
	if err != nil {
		t.Fatal(err)
	}
	c.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	ctx := context.Background()
	set, err := c.Device(ctx, func(da *oauth.DeviceAuthorization) {
		if err := e.p.Approve(ctx, da.UserCode); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	set.Expiry = time.Now().Add(-time.Minute)
	if err := s.Store(ctx, set); err != nil {
		t.Fatal(err)
	}
	return set
}

func (e *sessionEnv) tokenRequests(grant string) int {
	n := 0
	for _, r := range e.p.Requests("/oauth/token") {
		if r.Form.Get("grant_type") == grant {
			n++
		}
	}
	return n
}

// How the session renews, by what is cached and what the tenant may do.
func TestSessionRenewChoosesTheGrant(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	needsPerson := func(cached bool) func(*testing.T, *Outcome, error) {
		return func(t *testing.T, o *Outcome, err error) {
			var np *NeedsPersonError
			if !errors.As(err, &np) || np.Cached != cached || !errors.Is(err, ErrNeedsPerson) {
				t.Fatalf("got %+v, %v; want a NeedsPersonError (cached %v)", o, err, cached)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		tenant string
		policy Policy
		check  func(*testing.T, *Outcome, error)
		grant  string // the grant type the provider saw, "" for none
	}{
		{"public tenant, nothing cached", "dev", Policy{ClientCredentials: true}, needsPerson(false), ""},
		{"client credentials not allowed", "m2m", Policy{}, needsPerson(false), ""},
		{"client credentials", "m2m", Policy{ClientCredentials: true}, func(t *testing.T, o *Outcome, err error) {
			if err != nil || !o.Renewed || o.Set.Grant != oauth.GrantClientCredentials || o.Prev != nil {
				t.Fatalf("got %+v, %v", o, err)
			}
		}, "client_credentials"},
		{"fresh cache, no request", "m2m", Policy{ClientCredentials: true}, func(t *testing.T, o *Outcome, err error) {
			if err != nil || o.Renewed || o.Set != nil && o.Set != o.Prev {
				t.Fatalf("got %+v, %v", o, err)
			}
		}, ""},
		{"forced", "m2m", Policy{ClientCredentials: true, Force: true}, func(t *testing.T, o *Outcome, err error) {
			if err != nil || !o.Renewed || o.Prev == nil || o.Set.AccessToken == o.Prev.AccessToken {
				t.Fatalf("got %+v, %v", o, err)
			}
		}, "client_credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.p.Requests("/oauth/token"))
			o, err := e.session(t, tc.tenant, nil).Renew(ctx, tc.policy)
			tc.check(t, o, err)
			reqs := e.p.Requests("/oauth/token")[before:]
			switch {
			case tc.grant == "" && len(reqs) != 0:
				t.Errorf("%d token requests, want none", len(reqs))
			case tc.grant != "" && (len(reqs) != 1 || reqs[0].Form.Get("grant_type") != tc.grant):
				t.Errorf("token requests %+v, want one %s", reqs, tc.grant)
			}
		})
	}

	// An expired set with a refresh token is refreshed, and the rotated refresh token
	// stored; without one a person is needed.
	old := e.deviceTokens(t)
	o, err := e.session(t, "dev", nil).Renew(ctx, Policy{})
	if err != nil || !o.Renewed || o.Set.RefreshToken == old.RefreshToken || o.Prev.RefreshToken != old.RefreshToken {
		t.Fatalf("refresh: %+v, %v", o, err)
	}
	if stored, _ := e.ts.Secrets.LoadTokenSet("dev"); stored.RefreshToken != o.Set.RefreshToken {
		t.Fatal("the rotated refresh token was not stored")
	}
	if err := e.ts.Secrets.Delete("dev", SecretRefreshToken); err != nil {
		t.Fatal(err)
	}
	_, err = e.session(t, "dev", nil).Renew(ctx, Policy{Force: true, ClientCredentials: true})
	needsPerson(true)(t, nil, err)
}

// A caller that waited for the lock while another renewed takes that token: with Force
// too, as long as the token it saw before waiting was replaced meanwhile.
func TestSessionWaiterTakesTheRenewedToken(t *testing.T) {
	e := newSessionEnv(t, tokenstest.WithReuseDetection())
	e.deviceTokens(t)
	ctx := context.Background()
	a, b := e.session(t, "dev", new(singleflight.Group)), e.session(t, "dev", new(singleflight.Group))
	release, err := lockFile(ctx, a.lockPath(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	queued := make(chan struct{}, 2)
	a.queued = func() { queued <- struct{}{} }
	b.queued = a.queued
	results := make(chan *Outcome, 2)
	for _, s := range []*Session{a, b} {
		go func() {
			o, err := s.Renew(ctx, Policy{Force: true})
			if err != nil {
				t.Error(err)
			}
			results <- o
		}()
	}
	<-queued
	<-queued
	release()
	first, second := <-results, <-results
	if first == nil || second == nil {
		t.FailNow()
	}
	if first.Set.AccessToken != second.Set.AccessToken || first.Renewed == second.Renewed {
		t.Fatalf("two renewals or two tokens: %+v %+v", first, second)
	}
	for rt, n := range e.p.RefreshPresentations() {
		if n > 1 {
			t.Errorf("a refresh token was presented %d times (%.8s…)", n, rt)
		}
	}
	if e.tokenRequests("refresh_token") != 1 {
		t.Fatalf("%d refreshes, want 1", e.tokenRequests("refresh_token"))
	}
}

// A hung token endpoint and four waiters, as goroutines of one process and as four
// processes (each with its own single flight, so only the lock file and the record beside
// it join them): one request reaches the endpoint, and every waiter gets its failure once
// the injected timeout ends it.
func TestSessionHungEndpointFourWaiters(t *testing.T) {
	for _, separate := range []bool{false, true} {
		t.Run(map[bool]string{false: "one process", true: "four processes"}[separate], func(t *testing.T) {
			e := newSessionEnv(t)
			e.deviceTokens(t)
			e.p.Inject(tokenstest.Fault{Path: "/oauth/token", Hang: true})
			const n = 4
			ctx := context.Background()
			shared := new(singleflight.Group)
			queued := make(chan struct{}, n)
			var sessions []*Session
			for range n {
				flights := shared
				if separate {
					flights = new(singleflight.Group)
				}
				s := e.session(t, "dev", flights)
				s.Timeout = 300 * time.Millisecond
				s.queued = func() { queued <- struct{}{} }
				sessions = append(sessions, s)
			}
			// Hold the lock until every waiter has queued, so that each one queued before
			// the failure.
			release, err := lockFile(ctx, sessions[0].lockPath(), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i, s := range sessions {
				wg.Go(func() { _, errs[i] = s.Renew(ctx, Policy{}) })
			}
			for range n {
				<-queued
			}
			release()
			wg.Wait()

			if got := len(e.p.Requests("/oauth/token")) - 1; got != 1 { // the device poll was one
				t.Fatalf("%d requests reached the hung endpoint, want 1", got)
			}
			sharedFailures := 0
			for i, err := range errs {
				if !errors.Is(err, oauth.ErrTimeout) {
					t.Errorf("waiter %d: %v, want the timeout", i, err)
				}
				var se *SharedFailureError
				if errors.As(err, &se) {
					sharedFailures++
				}
			}
			// Across processes three learn of the failure from the record; within one they
			// share the very error.
			if want := map[bool]int{false: 0, true: n - 1}[separate]; sharedFailures != want {
				t.Errorf("%d waiters got the recorded failure, want %d: %v", sharedFailures, want, errs)
			}
			// A caller that comes after the failure tries again.
			e.p.Clear()
			if o, err := e.session(t, "dev", nil).Renew(ctx, Policy{}); err != nil || !o.Renewed {
				t.Fatalf("after the failure: %+v, %v", o, err)
			}
		})
	}
}

// A renewal that fails while the cached token has not expired yet returns that token with
// the failure beside it, except for an explicit refresh.
func TestSessionKeepsAnUnexpiredTokenOnFailure(t *testing.T) {
	e := newSessionEnv(t)
	set := e.deviceTokens(t)
	set.Expiry = time.Now().Add(time.Minute)
	set.ObtainedAt = set.Expiry.Add(-time.Hour)
	if err := e.ts.Secrets.SaveTokenSet("dev", set); err != nil {
		t.Fatal(err)
	}
	e.p.Inject(tokenstest.Fault{Path: "/oauth/token", Status: 503})
	o, err := e.session(t, "dev", nil).Renew(context.Background(), Policy{Margin: 5 * time.Minute})
	if err != nil || o.Set.AccessToken != set.AccessToken || !errors.Is(o.RenewErr, oauth.ErrProviderFailed) {
		t.Fatalf("got %+v, %v", o, err)
	}
	if _, err := e.session(t, "dev", nil).Renew(context.Background(), Policy{Force: true}); !errors.Is(err, oauth.ErrProviderFailed) {
		t.Fatalf("forced: %v", err)
	}
}

// Secrets is used by the TUI's commands from several goroutines at once; its lazily
// built keyring must be built once (run under -race).
func TestSecretsConcurrentUse(t *testing.T) {
	s := &Secrets{Keyring: keyringtest.NewMemory()}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := []string{"a", "b"}[i%2]
			if err := s.Set(name, SecretTokenSet, "value"); err != nil {
				t.Error(err)
			}
			if v, err := s.Get(name, SecretTokenSet); err != nil || v != "value" {
				t.Errorf("%q %v", v, err)
			}
		})
	}
	wg.Wait()
}
