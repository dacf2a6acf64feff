package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"golang.org/x/sync/singleflight"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// DefaultLockWait bounds how long a Session waits for another process's renewal of the
// same tenant's tokens: longer than one provider call may take, so that a waiter gets that
// call's outcome rather than giving up first.
const DefaultLockWait = time.Minute

// DefaultRenewTimeout bounds one renewal: the provider call and storing its result.
const DefaultRenewTimeout = 30 * time.Second

// Session is one tenant's tokens as every front end spends them. Renew runs the one
// sequence that may spend a refresh token: take the tenant's lock (a file beside the
// config file, so it holds across processes), load the cached set, refresh it or obtain a
// new one, store the rotated refresh token at once, release. Whoever waited for the lock
// while another caller renewed gets that caller's outcome — its fresh token, or its
// failure — instead of asking the provider again with a refresh token that may already be
// spent.
//
// Within one process, callers of the same tenant share one renewal (single flight); across
// processes the outcome of the last renewal is recorded beside the lock (a generation
// number, the time, the kind of failure and its reason; never a token), so a waiter that
// queued before a failure returns it.
type Session struct {
	// Tenants is where the tenant and its secrets live.
	Tenants *Tenants
	// Tenant is the resolved tenant (see OpenSession).
	Tenant Tenant
	// Client returns the OAuth client for cfg, the tenant's client configuration with its
	// client secret ("" for a public client). Front ends set it to inject their clock, HTTP
	// client and key cache; nil means oauth.NewClient.
	Client func(cfg oauth.ClientConfig) *oauth.Client
	// Now is the clock that decides whether a cached token is fresh; nil means time.Now.
	Now func() time.Time
	// LockWait bounds the wait for the tenant's lock; zero means DefaultLockWait.
	LockWait time.Duration
	// Timeout bounds one renewal; zero means DefaultRenewTimeout.
	Timeout time.Duration
	// Warn receives problems that do not stop the session: an unreadable cache entry
	// (ErrTokenCacheUnreadable) or a cache from another issuer (*ForeignCacheError). Nil
	// drops them.
	Warn func(error)

	flights *singleflight.Group // nil means processFlights
	queued  func()              // tests: called once the caller has read the record and queues
}

// processFlights joins the renewals of one tenant within this process.
var processFlights singleflight.Group

// OpenSession resolves the tenant called name (the default tenant when empty) and returns
// its session with the defaults; callers set Client, Now and Warn as they need.
func (ts *Tenants) OpenSession(name string) (*Session, error) {
	t, err := ts.Resolve(name)
	if err != nil {
		return nil, err
	}
	return &Session{Tenants: ts, Tenant: t}, nil
}

// Policy says what Renew is asked for.
type Policy struct {
	// Margin: a cached access token valid for longer than this (or half its lifetime, see
	// oauth.TokenSet.RefreshMargin) is returned as it is. Negative means
	// oauth.DefaultRefreshMargin.
	Margin time.Duration
	// Force renews even a fresh token (an explicit refresh). A token another caller
	// renewed while this one waited for the lock is still taken instead.
	Force bool
	// ClientCredentials lets a tenant without a refresh token obtain a new token by client
	// credentials when it may (Tenant.CanClientCredentials).
	ClientCredentials bool
}

// Outcome is what Renew returns.
type Outcome struct {
	// Set is the token set to use; it is stored in the keyring.
	Set *oauth.TokenSet
	// Prev is the cached set this call started from; nil when there was none.
	Prev *oauth.TokenSet
	// Renewed says this call obtained Set from the provider; false when it was cached
	// or another caller renewed it.
	Renewed bool
	// RenewErr is why a renewal failed when Set is the cached token, still unexpired,
	// returned instead (only without Policy.Force).
	RenewErr error
	// StoreErr says the renewed Set could not be stored: it is the only copy of a rotated
	// refresh token.
	StoreErr error
}

// ErrNeedsPerson is matched (errors.Is) by every *NeedsPersonError.
var ErrNeedsPerson = errors.New("a new token needs a person")

// NeedsPersonError says a tenant's token cannot be renewed without a person: there is no
// refresh token and the tenant may not use client credentials.
type NeedsPersonError struct {
	Tenant string
	// Cached says whether a token set (expired, or without a refresh token) was cached.
	Cached bool
}

func (e *NeedsPersonError) Error() string {
	if e.Cached {
		return fmt.Sprintf("tenant %q has no stored refresh token and needs a person for a new token", printable(e.Tenant))
	}
	return fmt.Sprintf("no token is cached for tenant %q and a new one needs a person", printable(e.Tenant))
}

// Is makes errors.Is(err, ErrNeedsPerson) true.
func (e *NeedsPersonError) Is(target error) bool { return target == ErrNeedsPerson }

// ForeignCacheError says the cached tokens came from another issuer than the tenant now
// names (it was edited since); they are ignored.
type ForeignCacheError struct {
	Tenant       string
	CachedIssuer string // untrusted: it came from the keyring
	TenantIssuer string
}

func (e *ForeignCacheError) Error() string {
	return fmt.Sprintf("the cached tokens of %q come from another issuer than the tenant names; ignoring them", printable(e.Tenant))
}

// SharedFailureError is the failure of a renewal that another tokenbench process made
// while this one waited for the tenant's lock. It matches (errors.Is) the same kind of
// provider failure the other process got (oauth.ErrInvalidGrant, oauth.ErrTimeout, …).
type SharedFailureError struct {
	Tenant string
	// At is when the other process's renewal failed.
	At time.Time
	// Kind is the failure's sentinel; nil when it was of no known kind.
	Kind error
	// Reason is the other process's error text (no secret: errors never hold one).
	Reason string
}

func (e *SharedFailureError) Error() string {
	return fmt.Sprintf("the renewal of %q another tokenbench process made at %s failed: %s", printable(e.Tenant), e.At.UTC().Format(time.RFC3339), e.Reason)
}

// Unwrap gives errors.Is the failure's kind.
func (e *SharedFailureError) Unwrap() error { return e.Kind }

// failureKinds name the provider failures a record keeps, so that a waiter in another
// process gets the same kind back.
var failureKinds = []struct {
	name string
	err  error
}{
	{"invalid_client", oauth.ErrInvalidClient},
	{"unauthorized_client", oauth.ErrUnauthorizedClient},
	{"invalid_grant", oauth.ErrInvalidGrant},
	{"invalid_scope", oauth.ErrInvalidScope},
	{"access_denied", oauth.ErrAccessDenied},
	{"rate_limited", oauth.ErrRateLimited},
	{"provider_failed", oauth.ErrProviderFailed},
	{"timeout", oauth.ErrTimeout},
	{"unreachable", oauth.ErrUnreachable},
	{"refused", oauth.ErrProviderRefused},
}

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Session) warn(err error) {
	if s.Warn != nil {
		s.Warn(err)
	}
}

// lockPath is the tenant's token lock, beside the config file: the config itself is
// replaced by rename, and a lock per tenant lets other tenants' renewals run at once.
func (s *Session) lockPath() string {
	p := s.Tenants.Path
	return filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+"."+s.Tenant.Name+".token.lock")
}

// recordPath holds the outcome of the tenant's last renewal (see record).
func (s *Session) recordPath() string { return s.lockPath() + ".last" }

// Cached returns the tenant's cached token set (with its refresh token), or nil. An
// unreadable entry or one from another issuer is reported through Warn and treated as
// absent, so that a new grant replaces it.
func (s *Session) Cached() (*oauth.TokenSet, error) { return s.cached(true) }

// cached is Cached; warn false says nothing. Renew's first look is taken without the
// lock, so it may meet another process's write half done: that is not damage, and the
// look under the lock decides (and warns, once).
func (s *Session) cached(warn bool) (*oauth.TokenSet, error) {
	ts, err := s.Tenants.Secrets.LoadTokenSet(s.Tenant.Name)
	switch {
	case errors.Is(err, ErrTokenCacheUnreadable):
		if warn {
			s.warn(err)
		}
	case err != nil:
		return nil, err
	}
	if ts != nil && ts.Issuer != "" && ts.Issuer != s.Tenant.IssuerURL() {
		if !warn {
			return nil, nil
		}
		s.warn(&ForeignCacheError{Tenant: s.Tenant.Name, CachedIssuer: ts.Issuer, TenantIssuer: s.Tenant.IssuerURL()})
		return nil, nil
	}
	return ts, nil
}

// Renew returns a usable token set for the tenant as p asks: the cached one while it is
// fresh, else one renewed under the tenant's lock (by another caller while this one
// waited, or by this one: the refresh grant, or client credentials when p allows). When
// the renewal fails and the cached access token has not expired, that token is returned
// with Outcome.RenewErr (unless p.Force). Errors: *NeedsPersonError, *SharedFailureError,
// the provider's *oauth.ProviderError, keyring errors, or ctx's error.
func (s *Session) Renew(ctx context.Context, p Policy) (*Outcome, error) {
	seen, err := s.cached(false)
	if err != nil {
		return nil, err
	}
	if !p.Force && seen != nil && !seen.NeedsRefresh(s.now(), p.Margin) {
		return &Outcome{Set: seen, Prev: seen}, nil
	}
	gen := s.readRecord().Gen
	if s.queued != nil {
		s.queued()
	}
	flights := s.flights
	if flights == nil {
		flights = &processFlights
	}
	key := fmt.Sprintf("%s\x00%t\x00%t", s.lockPath(), p.Force, p.ClientCredentials)
	// The renewal runs on its own context: one caller giving up must not fail the others
	// that joined it.
	flightCtx := context.WithoutCancel(ctx)
	ch := flights.DoChan(key, func() (any, error) { return s.renewLocked(flightCtx, p, seen, gen) })
	var out *Outcome
	select {
	case r := <-ch:
		if r.Err != nil {
			err = r.Err
			break
		}
		o := *r.Val.(*Outcome)
		out = &o
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err != nil {
		var ne *NeedsPersonError
		if p.Force || errors.As(err, &ne) || !isGrantFailure(err) || seen == nil || seen.Expired(s.now()) {
			return nil, err
		}
		// Nothing new: a token that has not expired yet still beats none.
		return &Outcome{Set: seen, Prev: seen, RenewErr: err}, nil
	}
	return out, nil
}

// isGrantFailure reports whether err came from the provider (a refusal or a failed
// request), as opposed to the keyring or the lock.
func isGrantFailure(err error) bool {
	var pe *oauth.ProviderError
	var se *SharedFailureError
	return errors.As(err, &pe) || errors.As(err, &se)
}

// renewLocked is Renew's part under the tenant's lock. seen and gen are what the caller
// found before it queued for the lock.
func (s *Session) renewLocked(ctx context.Context, p Policy, seen *oauth.TokenSet, gen int64) (*Outcome, error) {
	wait := s.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	unlock, err := lockFile(ctx, s.lockPath(), wait)
	if err != nil {
		return nil, err
	}
	defer unlock()

	last := s.readRecord()
	cur, err := s.Cached()
	if err != nil {
		return nil, err
	}
	if last.Gen > gen && last.Failure != "" {
		return nil, last.err(s.Tenant.Name)
	}
	renewedMeanwhile := cur != nil && (seen == nil || cur.AccessToken != seen.AccessToken)
	if cur != nil && !cur.NeedsRefresh(s.now(), p.Margin) && (!p.Force || renewedMeanwhile) {
		return &Outcome{Set: cur, Prev: seen}, nil
	}

	ctx, cancel := context.WithTimeout(ctx, s.renewTimeout())
	defer cancel()
	fresh, err := s.grant(ctx, p, cur)
	if err != nil {
		if isGrantFailure(err) {
			s.writeRecord(record{Gen: last.Gen + 1, At: s.now(), Failure: kindName(err), Reason: err.Error()})
		}
		return nil, err
	}
	if err := s.Tenants.Secrets.SaveTokenSet(s.Tenant.Name, fresh); err != nil {
		// Waiters must not spend the refresh token still stored: it may be spent already.
		s.writeRecord(record{Gen: last.Gen + 1, At: s.now(), Failure: "not_stored", Reason: err.Error()})
		return &Outcome{Set: fresh, Prev: cur, Renewed: true, StoreErr: err}, nil
	}
	s.writeRecord(record{Gen: last.Gen + 1, At: s.now()})
	return &Outcome{Set: fresh, Prev: cur, Renewed: true}, nil
}

func (s *Session) renewTimeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultRenewTimeout
}

// grant asks the provider for a new set: the refresh grant with cur's refresh token, or
// client credentials when p allows it and the tenant may.
func (s *Session) grant(ctx context.Context, p Policy, cur *oauth.TokenSet) (*oauth.TokenSet, error) {
	hasRefresh := cur != nil && cur.RefreshToken != ""
	if !hasRefresh && !(p.ClientCredentials && s.Tenant.CanClientCredentials()) {
		return nil, &NeedsPersonError{Tenant: s.Tenant.Name, Cached: cur != nil}
	}
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	if hasRefresh {
		return c.Refresh(ctx, cur)
	}
	return c.ClientCredentials(ctx)
}

// client builds the tenant's OAuth client, with its client secret when it is confidential.
func (s *Session) client() (*oauth.Client, error) {
	var secret string
	switch {
	case s.Tenant.UsesPrivateKey():
		v, _, err := s.Tenants.Secrets.PrivateKey(s.Tenant.Name)
		if err != nil {
			return nil, err
		}
		secret = v
	case s.Tenant.Confidential:
		v, _, err := s.Tenants.Secrets.ClientSecret(s.Tenant.Name)
		if err != nil {
			return nil, err
		}
		secret = v
	}
	cfg := s.Tenant.ClientConfig(secret)
	if s.Client != nil {
		return s.Client(cfg), nil
	}
	return oauth.NewClient(cfg), nil
}

// Store caches ts, a set obtained by a grant that needed a person (device, PKCE) or by
// client credentials, under the tenant's lock, so that it does not land in the middle of
// another process's renewal.
func (s *Session) Store(ctx context.Context, ts *oauth.TokenSet) error {
	wait := s.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	unlock, err := lockFile(ctx, s.lockPath(), wait)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.Tenants.Secrets.SaveTokenSet(s.Tenant.Name, ts); err != nil {
		return err
	}
	s.writeRecord(record{Gen: s.readRecord().Gen + 1, At: s.now()})
	return nil
}

// ErrLocked is matched (errors.Is) when a tenant's lock could not be taken in time.
var ErrLocked = errors.New("the tenant's token lock is held by another tokenbench process")

// LockError says which lock could not be taken and for how long it was tried.
type LockError struct {
	Path   string
	Waited time.Duration
	Err    error
}

func (e *LockError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("could not take the token lock %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("the token lock %s is held by another tokenbench process (waited %s)", e.Path, e.Waited)
}

// Is makes errors.Is(err, ErrLocked) true when the wait ran out.
func (e *LockError) Is(target error) bool { return target == ErrLocked && e.Err == nil }

func (e *LockError) Unwrap() error { return e.Err }

// lockFile takes the exclusive lock at path within wait and returns its release.
func lockFile(ctx context.Context, path string, wait time.Duration) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &LockError{Path: path, Err: err}
	}
	l := flock.New(path, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	switch {
	case ok:
		return func() { _ = l.Unlock() }, nil
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, &LockError{Path: path, Waited: wait}
	}
	return nil, &LockError{Path: path, Err: err}
}

// record is the outcome of a tenant's last renewal, kept beside its lock. Gen grows by
// one with every renewal; Failure is the kind of a failed one ("" when it succeeded).
// It holds no token.
type record struct {
	Gen     int64     `json:"gen"`
	At      time.Time `json:"at"`
	Failure string    `json:"failure,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

func (r record) err(tenant string) error {
	e := &SharedFailureError{Tenant: tenant, At: r.At, Reason: r.Reason}
	for _, k := range failureKinds {
		if k.name == r.Failure {
			e.Kind = k.err
		}
	}
	return e
}

// kindName is the record's name for err's kind of provider failure.
func kindName(err error) string {
	for _, k := range failureKinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

// maxReason bounds the reason a record keeps.
const maxReason = 500

// readRecord returns the last renewal's record; the zero record when there is none or it
// cannot be read (a waiter then renews itself, which is safe: it holds the lock).
func (s *Session) readRecord() record {
	b, err := os.ReadFile(s.recordPath())
	var r record
	if err != nil || len(b) > 4*maxReason || json.Unmarshal(b, &r) != nil {
		return record{}
	}
	return r
}

// writeRecord replaces the record atomically (it is read without the lock). A failed
// write is not reported: the worst it costs is one more request by a waiter.
func (s *Session) writeRecord(r record) {
	if len(r.Reason) > maxReason {
		r.Reason = strings.ToValidUTF8(r.Reason[:maxReason], "")
	}
	b, err := json.Marshal(r)
	if err == nil {
		_ = writeAtomic(s.recordPath(), b)
	}
}
