package keys

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
	"golang.org/x/sync/singleflight"
)

// Bounds of how long a fetched key set or discovery document is used before it is
// fetched again, whatever the provider's Cache-Control or Expires says.
const (
	MinCacheTTL     = 5 * time.Minute
	MaxCacheTTL     = 24 * time.Hour
	DefaultCacheTTL = 15 * time.Minute // when the provider says nothing usable
)

// RefetchInterval is the least time between two fetches of one URL outside its normal
// expiry: a refetch for an unknown kid, or a retry after a failed refresh. Within it, the
// answer at hand is final, so a stream of tokens with made-up kids cannot make tokenbench
// hammer a provider.
const RefetchInterval = 30 * time.Second

// FetchTimeout bounds one shared fetch of a key set or discovery document, whichever
// caller's context started it (see Cache).
const FetchTimeout = HTTPTimeout

// Cache keeps JWKS and discovery documents in memory and, when Dir is set, on disk, so that
// each is fetched at most once per lifetime across tokenbench processes. Lifetimes come
// from Cache-Control max-age or Expires, clamped to MinCacheTTL–MaxCacheTTL
// (DefaultCacheTTL when absent). When a refresh fails, the last good copy is used and the
// result carries a warning. An unknown kid triggers one refetch (single-flight, at most
// once per RefetchInterval per URL). A fetch is shared by every caller waiting for it and
// runs detached from their contexts, bounded by FetchTimeout: a caller that gives up
// (its context cancelled) stops waiting without failing the others.
//
// Only public data is cached: the key sets and documents exactly as the provider served
// them. Files are written atomically with mode 0600; files that are unreadable, corrupt,
// owned by another user or writable by others are ignored and replaced on the next fetch.
//
// The zero Cache works (memory only, NewHTTPClient, time.Now); use NewCache for the
// default disk directory. Set the fields before first use. A Cache is safe for concurrent
// use.
type Cache struct {
	Client *http.Client     // nil: NewHTTPClient(nil)
	Now    func() time.Time // nil: time.Now
	Dir    string           // disk cache directory; "" keeps everything in memory

	initOnce sync.Once
	client   *http.Client
	mu       sync.Mutex
	entries  map[string]*cacheEntry // by cacheKey(kind, url)
	flight   singleflight.Group
}

// NewCache returns a Cache with the default HTTP client, clock and disk directory
// (DefaultCacheDir; memory only when there is none).
func NewCache() *Cache {
	dir, _ := DefaultCacheDir()
	return &Cache{Dir: dir}
}

// DefaultCacheDir returns the directory tokenbench caches provider data in:
// os.UserCacheDir()/tokenbench (on Linux $XDG_CACHE_HOME/tokenbench or
// ~/.cache/tokenbench).
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory: %w", err)
	}
	return filepath.Join(dir, "tokenbench"), nil
}

const (
	kindJWKS      = "jwks"
	kindDiscovery = "discovery"
)

// cacheEntry is one cached document. Entries are never modified once stored: a change
// stores a new one, so readers need no lock.
type cacheEntry struct {
	Kind    string    `json:"kind"`   // kindJWKS or kindDiscovery
	URL     string    `json:"url"`    // the JWKS URL, or the issuer for discovery
	Source  string    `json:"source"` // discovery: the URL the document was served from
	Fetched time.Time `json:"fetched"`
	Expires time.Time `json:"expires"`
	Body    []byte    `json:"body"`

	keys        *tokens.KeySet    // kindJWKS; sources are set per caller by keys()
	md          *ProviderMetadata // kindDiscovery
	lastAttempt time.Time         // last fetch attempt, successful or not
	lastErr     error             // of that attempt, if it failed
}

func cacheKey(kind, url string) string { return kind + " " + url }

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) httpClient() *http.Client {
	c.initOnce.Do(func() {
		c.client = c.Client
		if c.client == nil {
			c.client = NewHTTPClient(nil)
		}
	})
	return c.client
}

// JWKS returns the key set at jwksURL, labelled "JWKS URL <jwksURL>". When kid is not ""
// and no key has it, the set is fetched again once (see RefetchInterval); if the kid is
// still missing, the set is returned without it and the caller reports the missing key.
// A failed refresh returns the last good set with tokens.KeySet.Warning set; an error is returned
// only when there is no set at all.
func (c *Cache) JWKS(ctx context.Context, jwksURL, kid string) (*tokens.KeySet, error) {
	return c.keys(ctx, jwksURL, kid, "JWKS URL "+jwksURL)
}

func (c *Cache) keys(ctx context.Context, jwksURL, kid, source string) (*tokens.KeySet, error) {
	if _, err := CheckURL(jwksURL); err != nil {
		return nil, err
	}
	unknownKid := func(e *cacheEntry) bool { return kid != "" && !hasKid(e.keys, kid) }
	e, warning, err := c.get(ctx, kindJWKS, jwksURL, unknownKid)
	if err != nil {
		return nil, err
	}
	set := &tokens.KeySet{
		Keys:    make([]tokens.Key, len(e.keys.Keys)),
		Skipped: append([]string(nil), e.keys.Skipped...),
		Warning: warning,
	}
	for i, k := range e.keys.Keys {
		k.Source = source
		set.Keys[i] = k
	}
	return set, nil
}

func hasKid(set *tokens.KeySet, kid string) bool {
	return slices.ContainsFunc(set.Keys, func(k tokens.Key) bool { return k.JWK.KeyID == kid })
}

// Metadata returns the discovery document of issuer (see Discover), cached like key sets.
// A failed refresh returns the last good document with ProviderMetadata.Warning set.
func (c *Cache) Metadata(ctx context.Context, issuer string) (*ProviderMetadata, error) {
	if _, err := DiscoveryURLs(issuer); err != nil {
		return nil, err
	}
	e, warning, err := c.get(ctx, kindDiscovery, issuer, nil)
	if err != nil {
		return nil, err
	}
	md := *e.md
	md.Warning = warning
	return &md, nil
}

// IssuerKeys finds issuer's key set through discovery (Metadata, then the document's
// jwks_uri) and returns it like JWKS, with every key labelled
// "discovery <document URL> → jwks_uri <JWKS URL>". It refuses a document without a
// jwks_uri and a jwks_uri that CheckURL refuses. Warnings from a stale document or key set
// are joined in tokens.KeySet.Warning.
func (c *Cache) IssuerKeys(ctx context.Context, issuer, kid string) (*tokens.KeySet, error) {
	md, err := c.Metadata(ctx, issuer)
	if err != nil {
		return nil, err
	}
	if md.JWKSURI == "" {
		return nil, fmt.Errorf("the discovery document %s has no jwks_uri", md.Source)
	}
	set, err := c.keys(ctx, md.JWKSURI, kid, "discovery "+md.Source+" → jwks_uri "+md.JWKSURI)
	if err != nil {
		return nil, fmt.Errorf("%w (the jwks_uri of %s)", err, md.Source)
	}
	set.Warning = tokens.JoinWarnings(md.Warning, set.Warning)
	return set, nil
}

// get returns the entry for (kind, url), fetching it when there is none, when it has
// expired, or when refetch says the entry lacks something; refetching and retrying are
// limited to once per RefetchInterval. warning is set when the entry is kept although a
// fetch failed.
func (c *Cache) get(ctx context.Context, kind, url string, refetch func(*cacheEntry) bool) (e *cacheEntry, warning string, err error) {
	now := c.now()
	e = c.current(kind, url, now, refetch)
	if e != nil && !c.shouldFetch(e, now, refetch) {
		return e, staleWarning(e, now, refetch), nil
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	// The fetch is shared by every caller that asks for (kind, url) while it runs, so it
	// must not die with the context of whichever caller happened to start it: it runs on
	// a context of its own (the first caller's values, no cancellation) bounded by
	// FetchTimeout. Each caller still stops waiting when its own context ends.
	results := c.flight.DoChan(cacheKey(kind, url), func() (any, error) {
		// Another caller may have fetched while this one waited: decide again.
		if cur := c.current(kind, url, now, refetch); cur != nil && !c.shouldFetch(cur, c.now(), refetch) {
			return cur, nil
		}
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), FetchTimeout)
		defer cancel()
		return c.fetchEntry(fetchCtx, kind, url)
	})
	select {
	case <-ctx.Done():
		return nil, "", ctx.Err()
	case r := <-results:
		if r.Err != nil {
			return nil, "", r.Err
		}
		e = r.Val.(*cacheEntry)
		return e, staleWarning(e, c.now(), refetch), nil
	}
}

// shouldFetch reports whether e must be fetched again now.
func (c *Cache) shouldFetch(e *cacheEntry, now time.Time, refetch func(*cacheEntry) bool) bool {
	if now.Sub(e.lastAttempt) < RefetchInterval && !now.Before(e.lastAttempt) {
		return false // final for now: fetched or tried moments ago
	}
	return !now.Before(e.Expires) || (refetch != nil && refetch(e))
}

// staleWarning says why e is used although it should have been replaced: it expired or
// lacks what refetch looks for, and the last attempt to fetch it again failed.
func staleWarning(e *cacheEntry, now time.Time, refetch func(*cacheEntry) bool) string {
	expired := !now.Before(e.Expires)
	if e.lastErr == nil || (!expired && (refetch == nil || !refetch(e))) {
		return ""
	}
	what := "key set"
	if e.Kind == kindDiscovery {
		what = "discovery document"
	}
	state := "refetching it"
	if expired {
		state = fmt.Sprintf("it expired %s ago and refreshing it", now.Sub(e.Expires).Round(time.Second))
	}
	return fmt.Sprintf("using the %s fetched at %s: %s failed: %v", what, e.Fetched.UTC().Format(time.RFC3339), state, e.lastErr)
}

// current returns the best entry known for (kind, url): the one in memory, or the one on
// disk when it is newer and the memory one is missing, expired or lacking (refetch).
func (c *Cache) current(kind, url string, now time.Time, refetch func(*cacheEntry) bool) *cacheEntry {
	key := cacheKey(kind, url)
	c.mu.Lock()
	mem := c.entries[key]
	c.mu.Unlock()
	if mem != nil && now.Before(mem.Expires) && (refetch == nil || !refetch(mem)) {
		return mem
	}
	disk := c.readDisk(kind, url, now)
	if disk == nil || (mem != nil && !disk.Fetched.After(mem.Fetched)) {
		return mem
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.entries[key]; cur != nil && !disk.Fetched.After(cur.Fetched) {
		return cur
	}
	c.store(key, disk)
	return disk
}

func (c *Cache) store(key string, e *cacheEntry) {
	if c.entries == nil {
		c.entries = make(map[string]*cacheEntry)
	}
	c.entries[key] = e
}

// fetchEntry fetches (kind, url) from the network. On failure it keeps the previous entry,
// if any, marked with the error.
func (c *Cache) fetchEntry(ctx context.Context, kind, url string) (*cacheEntry, error) {
	now := c.now()
	e := &cacheEntry{Kind: kind, URL: url, Fetched: now, lastAttempt: now}
	var header http.Header
	var err error
	switch kind {
	case kindJWKS:
		e.Body, header, err = httpGet(ctx, c.httpClient(), url)
		if err == nil {
			e.keys, err = tokens.ParseJWKS(e.Body, "JWKS URL "+url) // Keys relabels on the way out
		}
	case kindDiscovery:
		e.md, e.Body, header, err = discover(ctx, c.httpClient(), url)
		if err == nil {
			e.Source = e.md.Source
		}
	}

	key := cacheKey(kind, url)
	if err != nil && ctx.Err() != nil {
		return nil, err // the caller gave up: not the provider's failure, nothing to record
	}
	if err != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		prev := c.entries[key]
		if prev == nil {
			return nil, err
		}
		failed := *prev
		failed.lastAttempt, failed.lastErr = now, err
		c.store(key, &failed)
		return &failed, nil
	}
	e.Expires = now.Add(cacheTTL(header, now))
	c.mu.Lock()
	c.store(key, e)
	c.mu.Unlock()
	_ = c.writeDisk(e) // the disk copy only spares a later fetch; all works without it
	return e, nil
}

// cacheTTL is how long a response with header h, received at now, may be used:
// Cache-Control max-age (less Age) or else Expires (relative to Date), clamped to
// MinCacheTTL–MaxCacheTTL; no-store and no-cache count as zero (so MinCacheTTL), and an
// invalid value as expired. DefaultCacheTTL when neither header is present.
func cacheTTL(h http.Header, now time.Time) time.Duration {
	ttl, ok := maxAge(h.Values("Cache-Control"))
	if ok {
		if age, err := parseSeconds(h.Get("Age")); err == nil {
			ttl -= age
		}
	} else if exp := h.Get("Expires"); exp != "" {
		ok = true
		if t, err := http.ParseTime(exp); err == nil {
			base := now
			if d, err := http.ParseTime(h.Get("Date")); err == nil {
				base = d
			}
			ttl = t.Sub(base)
		}
	}
	switch {
	case !ok:
		return DefaultCacheTTL
	case ttl < MinCacheTTL:
		return MinCacheTTL
	case ttl > MaxCacheTTL:
		return MaxCacheTTL
	}
	return ttl
}

// maxAge reads the freshness lifetime from Cache-Control header values.
func maxAge(values []string) (time.Duration, bool) {
	var ttl time.Duration
	found := false
	for _, v := range values {
		for _, d := range splitDirectives(v) {
			name, arg := d[0], d[1]
			switch name {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				if found {
					continue // the first one counts
				}
				found = true
				if s, err := parseSeconds(arg); err == nil {
					ttl = s
				}
			}
		}
	}
	return ttl, found
}

// splitDirectives splits a Cache-Control value into (lower-case name, unquoted argument)
// pairs.
func splitDirectives(v string) [][2]string {
	var out [][2]string
	for _, d := range strings.Split(v, ",") {
		name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
		out = append(out, [2]string{strings.ToLower(strings.TrimSpace(name)), strings.Trim(strings.TrimSpace(arg), `"`)})
	}
	return out
}

// parseSeconds reads a non-negative delta-seconds value (RFC 9111 section 1.2.2); values
// too large for a Duration are capped, which MaxCacheTTL clamps anyway.
func parseSeconds(s string) (time.Duration, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	const limit = uint64(1 << 32)
	if n > limit || err != nil {
		n = limit
	}
	return time.Duration(n) * time.Second, nil
}
