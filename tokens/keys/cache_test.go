package keys

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// jwClock is a clock that moves only when told to.
type jwClock struct {
	mu sync.Mutex
	t  time.Time
}

func newJWClock() *jwClock { return &jwClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *jwClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *jwClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// jwStub is a loopback provider whose answers the test changes as it goes, and which
// counts the requests it gets per path.
type jwStub struct {
	url    string
	mu     sync.Mutex
	body   map[string][]byte
	header map[string]http.Header
	status map[string]int
	hits   map[string]int
}

func newJWStub(t testing.TB) *jwStub {
	s := &jwStub{body: map[string][]byte{}, header: map[string]http.Header{}, status: map[string]int{}, hits: map[string]int{}}
	s.url = jwServer(t, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		body, header, status := s.body[r.URL.Path], s.header[r.URL.Path], s.status[r.URL.Path]
		s.mu.Unlock()
		for k, v := range header {
			w.Header()[k] = v
		}
		switch {
		case status == http.StatusFound:
			http.Redirect(w, r, "/elsewhere", status)
		case status != 0:
			w.WriteHeader(status)
		case body == nil:
			http.NotFound(w, r)
		default:
			w.Write(body)
		}
	})
	return s
}

func (s *jwStub) serve(path string, body []byte, header ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body[path], s.status[path] = body, 0
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	s.header[path] = h
}

func (s *jwStub) fail(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = status
}

func (s *jwStub) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// serveIssuer publishes a discovery document for the stub's own URL pointing at /jwks.
func (s *jwStub) serveIssuer(t testing.TB) {
	doc, _ := json.Marshal(map[string]string{"issuer": s.url, "jwks_uri": s.url + "/jwks"})
	s.serve("/.well-known/openid-configuration", doc)
}

func jwKids(set *tokens.KeySet) string {
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.JWK.KeyID)
	}
	return strings.Join(kids, ",")
}

func newJWCache(clock *jwClock, dir string) *Cache {
	return &Cache{Now: clock.Now, Dir: dir}
}

func TestCacheTTL(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	httpDate := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tt := range []struct {
		name   string
		header []string
		want   time.Duration
	}{
		{"nothing", nil, DefaultCacheTTL},
		{"max-age in range", []string{"Cache-Control", "public, max-age=3600"}, time.Hour},
		{"max-age below the floor", []string{"Cache-Control", "max-age=60"}, MinCacheTTL},
		{"max-age zero", []string{"Cache-Control", "max-age=0"}, MinCacheTTL},
		{"max-age above the ceiling", []string{"Cache-Control", "max-age=172800"}, MaxCacheTTL},
		{"max-age huge", []string{"Cache-Control", "max-age=99999999999999999999999"}, MaxCacheTTL},
		{"max-age quoted, upper case", []string{"Cache-Control", `MAX-AGE="1800"`}, 30 * time.Minute},
		{"max-age invalid means stale", []string{"Cache-Control", "max-age=soon"}, MinCacheTTL},
		{"max-age negative means stale", []string{"Cache-Control", "max-age=-5"}, MinCacheTTL},
		{"first max-age counts", []string{"Cache-Control", "max-age=1800", "Cache-Control", "max-age=7200"}, 30 * time.Minute},
		{"Age is subtracted", []string{"Cache-Control", "max-age=3600", "Age", "600"}, 50 * time.Minute},
		{"no-cache", []string{"Cache-Control", "max-age=3600, no-cache"}, MinCacheTTL},
		{"no-store", []string{"Cache-Control", "no-store"}, MinCacheTTL},
		{"s-maxage ignored", []string{"Cache-Control", "s-maxage=3600"}, DefaultCacheTTL},
		{"max-age beats Expires", []string{"Cache-Control", "max-age=1800", "Expires", httpDate(3 * time.Hour)}, 30 * time.Minute},
		{"Expires", []string{"Expires", httpDate(2 * time.Hour)}, 2 * time.Hour},
		{"Expires relative to Date", []string{"Expires", httpDate(2 * time.Hour), "Date", httpDate(-time.Hour)}, 3 * time.Hour},
		{"Expires beyond the ceiling", []string{"Expires", httpDate(72 * time.Hour)}, MaxCacheTTL},
		{"Expires in the past", []string{"Expires", httpDate(-time.Hour)}, MinCacheTTL},
		{"Expires invalid means stale", []string{"Expires", "0"}, MinCacheTTL},
	} {
		h := http.Header{}
		for i := 0; i < len(tt.header); i += 2 {
			h.Add(tt.header[i], tt.header[i+1])
		}
		if got := cacheTTL(h, now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCacheLifetime checks the clamped lifetimes end to end: the set is fetched again
// exactly when its lifetime is over, not before.
func TestCacheLifetime(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header []string
		ttl    time.Duration
	}{
		{"default", nil, DefaultCacheTTL},
		{"short max-age clamped up", []string{"Cache-Control", "max-age=10"}, MinCacheTTL},
		{"long max-age clamped down", []string{"Cache-Control", "max-age=604800"}, MaxCacheTTL},
		{"Expires", []string{"Expires", "Fri, 02 Jan 2026 05:04:05 GMT", "Date", "Fri, 02 Jan 2026 03:04:05 GMT"}, 2 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newJWClock()
			stub := newJWStub(t)
			stub.serve("/jwks", jwSet(t, jwECKey(t, "a")), tt.header...)
			c := newJWCache(clock, "")
			ctx := context.Background()
			for _, step := range []struct {
				advance time.Duration
				hits    int
			}{{0, 1}, {tt.ttl - time.Second, 1}, {time.Second, 2}, {tt.ttl - time.Second, 2}, {time.Second, 3}} {
				clock.Advance(step.advance)
				if _, err := c.JWKS(ctx, stub.url+"/jwks", "a"); err != nil {
					t.Fatal(err)
				}
				if got := stub.count("/jwks"); got != step.hits {
					t.Fatalf("after +%v: %d requests, want %d", step.advance, got, step.hits)
				}
			}
		})
	}
}

func TestCacheRotationAndUnknownKid(t *testing.T) {
	clock := newJWClock()
	stub := newJWStub(t)
	keyA, keyB := jwECKey(t, "a"), jwECKey(t, "b")
	stub.serve("/jwks", jwSet(t, keyA), "Cache-Control", "max-age=3600")
	c := newJWCache(clock, "")
	ctx := context.Background()
	url := stub.url + "/jwks"
	get := func(kid string) *tokens.KeySet {
		t.Helper()
		set, err := c.JWKS(ctx, url, kid)
		if err != nil {
			t.Fatal(err)
		}
		if set.Warning != "" {
			t.Fatalf("unexpected warning %q", set.Warning)
		}
		return set
	}

	if set := get("a"); jwKids(set) != "a" || set.Keys[0].Source != "JWKS URL "+url || stub.count("/jwks") != 1 {
		t.Fatalf("first fetch: %q, %d requests", jwKids(set), stub.count("/jwks"))
	}
	get("a")
	get("")
	if stub.count("/jwks") != 1 {
		t.Fatal("a cached set was fetched again")
	}

	// The provider rotates: b is new, a is gone. A token signed with b arrives 10 s after
	// the first fetch: within RefetchInterval of it, so the answer is final for now.
	stub.serve("/jwks", jwSet(t, keyB), "Cache-Control", "max-age=3600")
	clock.Advance(10 * time.Second)
	if set := get("b"); jwKids(set) != "a" || stub.count("/jwks") != 1 {
		t.Fatalf("refetched within the rate limit: %q, %d requests", jwKids(set), stub.count("/jwks"))
	}

	// Once the interval has passed, many concurrent lookups of the unknown kid cause
	// exactly one refetch.
	clock.Advance(RefetchInterval)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if set, err := c.JWKS(ctx, url, "b"); err != nil || jwKids(set) != "b" {
				t.Errorf("concurrent lookup: %v %v", set, err)
			}
		}()
	}
	wg.Wait()
	if stub.count("/jwks") != 2 {
		t.Fatalf("%d requests after the unknown-kid refetch, want 2", stub.count("/jwks"))
	}

	// A kid nobody has: one refetch per interval, then the set without it is final.
	for i := 0; i < 5; i++ {
		if set := get("ghost"); jwKids(set) != "b" {
			t.Fatalf("got %q", jwKids(set))
		}
	}
	if stub.count("/jwks") != 2 {
		t.Fatalf("unknown kid within the interval of the last fetch: %d requests", stub.count("/jwks"))
	}
	clock.Advance(RefetchInterval - time.Second)
	get("ghost")
	if stub.count("/jwks") != 2 {
		t.Fatal("refetched one second before the interval was over")
	}
	clock.Advance(time.Second)
	get("ghost")
	get("ghost")
	if stub.count("/jwks") != 3 {
		t.Fatalf("%d requests, want exactly one more once the interval is over", stub.count("/jwks"))
	}
}

func TestCacheStaleOnError(t *testing.T) {
	clock := newJWClock()
	stub := newJWStub(t)
	stub.serve("/jwks", jwSet(t, jwECKey(t, "a")), "Cache-Control", "max-age=600")
	c := newJWCache(clock, "")
	ctx := context.Background()
	url := stub.url + "/jwks"
	if _, err := c.JWKS(ctx, url, "a"); err != nil {
		t.Fatal(err)
	}

	// Expired, and the provider is down: the last good set is used, with a warning.
	clock.Advance(11 * time.Minute)
	stub.fail("/jwks", http.StatusServiceUnavailable)
	set, err := c.JWKS(ctx, url, "a")
	if err != nil || jwKids(set) != "a" || !strings.Contains(set.Warning, "using the key set fetched at 2026-01-02T03:04:05Z: it expired 1m0s ago and refreshing it failed") ||
		!strings.Contains(set.Warning, "HTTP 503") || stub.count("/jwks") != 2 {
		t.Fatalf("%v %q %v, %d requests", jwKids(set), set.Warning, err, stub.count("/jwks"))
	}
	// No retry within the interval; still the stale set with its warning.
	clock.Advance(RefetchInterval - time.Second)
	if set, _ := c.JWKS(ctx, url, "a"); set.Warning == "" || stub.count("/jwks") != 2 {
		t.Fatalf("retried too early or lost the warning: %q, %d requests", set.Warning, stub.count("/jwks"))
	}
	// A refused set (private key material) is a failure too: the good set stays.
	clock.Advance(time.Second)
	stub.serve("/jwks", jwSet(t, jwRFC7520(t, "3_2.ec_private_key.json")))
	if set, _ := c.JWKS(ctx, url, "a"); jwKids(set) != "a" || !strings.Contains(set.Warning, "private key material") || stub.count("/jwks") != 3 {
		t.Fatalf("%q %q, %d requests", jwKids(set), set.Warning, stub.count("/jwks"))
	}
	// The provider recovers: fresh set, no warning.
	clock.Advance(RefetchInterval)
	stub.serve("/jwks", jwSet(t, jwECKey(t, "c")))
	if set, _ := c.JWKS(ctx, url, "c"); jwKids(set) != "c" || set.Warning != "" || stub.count("/jwks") != 4 {
		t.Fatalf("%q %q, %d requests", jwKids(set), set.Warning, stub.count("/jwks"))
	}

	// A failed unknown-kid refetch while the set is still fresh: warned only for that kid.
	clock.Advance(RefetchInterval)
	stub.fail("/jwks", http.StatusInternalServerError)
	if set, _ := c.JWKS(ctx, url, "new"); jwKids(set) != "c" || !strings.Contains(set.Warning, "refetching it failed") {
		t.Fatalf("%q %q", jwKids(set), set.Warning)
	}
	if set, _ := c.JWKS(ctx, url, "c"); set.Warning != "" {
		t.Fatalf("warning for a kid that is in the fresh set: %q", set.Warning)
	}
}

func TestCacheErrorsWithoutASet(t *testing.T) {
	clock := newJWClock()
	stub := newJWStub(t)
	stub.fail("/redirect", http.StatusFound)
	stub.serve("/big", make([]byte, tokens.MaxBodySize+1))
	c := newJWCache(clock, "")
	ctx := context.Background()
	for path, want := range map[string]error{"/redirect": ErrRedirect, "/big": ErrBodyTooLarge} {
		if _, err := c.JWKS(ctx, stub.url+path, ""); !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", path, err, want)
		}
	}
	var se *StatusError
	if _, err := c.JWKS(ctx, stub.url+"/missing", ""); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("404: %v", err)
	}
	if stub.count("/elsewhere") != 0 {
		t.Error("a redirect was followed")
	}
	if _, err := c.JWKS(ctx, "http://example.com/jwks", ""); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("plain http: %v", err)
	}

	// The client's timeout applies; a handler that never answers ends the request.
	hang := jwServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	client := NewHTTPClient(nil)
	client.Timeout = 20 * time.Millisecond
	slow := &Cache{Now: clock.Now, Client: client}
	var ne net.Error
	if _, err := slow.JWKS(ctx, hang+"/jwks", ""); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("timeout: %v", err)
	}
	// A caller that gives up leaves no failure behind.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.JWKS(cctx, stub.url+"/big", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCacheMetadataAndIssuerKeys(t *testing.T) {
	clock := newJWClock()
	stub := newJWStub(t)
	stub.serveIssuer(t)
	stub.serve("/jwks", jwSet(t, jwECKey(t, "a")))
	c := newJWCache(clock, "")
	ctx := context.Background()

	set, err := c.IssuerKeys(ctx, stub.url, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := "discovery " + stub.url + "/.well-known/openid-configuration → jwks_uri " + stub.url + "/jwks"
	if jwKids(set) != "a" || set.Keys[0].Source != want || set.Keys[0].Origin != tokens.OriginJWKS {
		t.Fatalf("%q %q", jwKids(set), set.Keys[0].Source)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.IssuerKeys(ctx, stub.url, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if stub.count("/.well-known/openid-configuration") != 1 || stub.count("/jwks") != 1 {
		t.Fatalf("requests: discovery %d, jwks %d", stub.count("/.well-known/openid-configuration"), stub.count("/jwks"))
	}
	// The same JWKS URL asked for directly is the same cached set, labelled as such.
	if set, _ := c.JWKS(ctx, stub.url+"/jwks", "a"); set.Keys[0].Source != "JWKS URL "+stub.url+"/jwks" || stub.count("/jwks") != 1 {
		t.Fatalf("%q", set.Keys[0].Source)
	}

	// Discovery down after expiry: stale document, warning carried to the keys.
	clock.Advance(DefaultCacheTTL)
	stub.fail("/.well-known/openid-configuration", http.StatusBadGateway)
	set, err = c.IssuerKeys(ctx, stub.url, "a")
	if err != nil || !strings.Contains(set.Warning, "using the discovery document fetched at") || jwKids(set) != "a" {
		t.Fatalf("%v %q", err, set.Warning)
	}
	md, err := c.Metadata(ctx, stub.url)
	if err != nil || md.Warning == "" || md.Issuer != stub.url {
		t.Fatalf("%+v %v", md, err)
	}

	// A mismatching issuer is never cached or used.
	other := newJWStub(t)
	doc, _ := json.Marshal(map[string]string{"issuer": other.url + "/", "jwks_uri": other.url + "/jwks"})
	other.serve("/.well-known/openid-configuration", doc)
	for i := 0; i < 2; i++ {
		if _, err := c.IssuerKeys(ctx, other.url, ""); !errors.Is(err, ErrIssuerMismatch) {
			t.Fatalf("issuer mismatch: %v", err)
		}
	}
	if other.count("/.well-known/openid-configuration") != 2 {
		t.Fatal("a refused document was cached")
	}

	// jwks_uri missing, or not https.
	for jwksURI, want := range map[string]string{"": "has no jwks_uri", "http://example.com/jwks": "only https"} {
		s := newJWStub(t)
		doc, _ := json.Marshal(map[string]string{"issuer": s.url, "jwks_uri": jwksURI})
		s.serve("/.well-known/openid-configuration", doc)
		if _, err := c.IssuerKeys(ctx, s.url, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("jwks_uri %q: %v", jwksURI, err)
		}
	}
	if _, err := c.Metadata(ctx, "http://example.com"); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("plain http issuer: %v", err)
	}
}

// TestCacheAcrossProcesses shows that a second Cache sharing the directory (as a second
// tokenbench process would) makes no request at all, and that the disk files are private
// and replaced when corrupt.
func TestCacheAcrossProcesses(t *testing.T) {
	clock := newJWClock()
	stub := newJWStub(t)
	stub.serveIssuer(t)
	stub.serve("/jwks", jwSet(t, jwECKey(t, "a")), "Cache-Control", "max-age=3600")
	dir := filepath.Join(t.TempDir(), "cache")
	ctx := context.Background()
	requests := func() int { return stub.count("/.well-known/openid-configuration") + stub.count("/jwks") }

	first, err := newJWCache(clock, dir).IssuerKeys(ctx, stub.url, "a")
	if err != nil || requests() != 2 {
		t.Fatalf("%v, %d requests", err, requests())
	}
	second, err := newJWCache(clock, dir).IssuerKeys(ctx, stub.url, "a")
	if err != nil || requests() != 2 {
		t.Fatalf("second process: %v, %d requests, want none", err, requests())
	}
	if jwKids(second) != "a" || second.Keys[0].Source != first.Keys[0].Source ||
		!second.Keys[0].JWK.Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(first.Keys[0].JWK.Key) {
		t.Fatalf("second process got %+v", second.Keys)
	}

	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache dir: %v %v", fi.Mode(), err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Fatalf("cache files %q, want one per document", files)
	}
	for _, f := range files {
		fi, _ := os.Stat(f)
		if fi.Mode().Perm() != 0o600 || !strings.HasSuffix(f, ".json") {
			t.Errorf("%s: mode %v", f, fi.Mode())
		}
	}

	// Another process refetches after rotation (unknown kid); the refetch reaches the
	// disk, so a third process knows the new key without asking.
	stub.serve("/jwks", jwSet(t, jwECKey(t, "b")), "Cache-Control", "max-age=3600")
	clock.Advance(RefetchInterval)
	if set, _ := newJWCache(clock, dir).IssuerKeys(ctx, stub.url, "b"); jwKids(set) != "b" || requests() != 3 {
		t.Fatalf("%q, %d requests", jwKids(set), requests())
	}
	if set, _ := newJWCache(clock, dir).IssuerKeys(ctx, stub.url, "b"); jwKids(set) != "b" || requests() != 3 {
		t.Fatalf("third process: %q, %d requests", jwKids(set), requests())
	}

	// A corrupt file is ignored and replaced; a group-writable one is not trusted.
	jwksFile := newJWCache(clock, dir).diskPath(kindJWKS, stub.url+"/jwks")
	for _, spoil := range []func(){
		func() { os.WriteFile(jwksFile, []byte("{not json"), 0o600) },
		func() {
			os.WriteFile(jwksFile, []byte(`{"kind":"jwks","url":"`+stub.url+`/jwks","body":"e30="}`), 0o600)
		},
		func() { os.Chmod(jwksFile, 0o666) },
	} {
		before := requests()
		spoil()
		if set, err := newJWCache(clock, dir).JWKS(ctx, stub.url+"/jwks", "b"); err != nil || jwKids(set) != "b" || requests() != before+1 {
			t.Fatalf("spoilt file: %v, %d requests", err, requests()-before)
		}
		if fi, _ := os.Stat(jwksFile); fi.Mode().Perm() != 0o600 {
			t.Fatalf("replaced file has mode %v", fi.Mode())
		}
		if _, err := newJWCache(clock, dir).JWKS(ctx, stub.url+"/jwks", "b"); err != nil || requests() != before+1 {
			t.Fatal("the replaced file was not used")
		}
	}

	// Expired on disk: fetched again.
	clock.Advance(time.Hour)
	before := requests()
	if _, err := newJWCache(clock, dir).JWKS(ctx, stub.url+"/jwks", ""); err != nil || requests() != before+1 {
		t.Fatalf("expired disk entry: %v, %d requests", err, requests()-before)
	}
}

func TestCacheMemoryOnlyAndDefaults(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home)
	if dir, err := DefaultCacheDir(); err != nil || dir != filepath.Join(home, "tokenbench") {
		t.Fatalf("DefaultCacheDir = %q, %v", dir, err)
	}
	if c := NewCache(); c.Dir != filepath.Join(home, "tokenbench") || c.Client != nil || c.Now != nil {
		t.Fatalf("NewCache = %+v", c)
	}

	stub := newJWStub(t)
	stub.serve("/jwks", jwSet(t, jwECKey(t, "a")))
	var c Cache // the zero value: memory only
	for i := 0; i < 2; i++ {
		if set, err := c.JWKS(context.Background(), stub.url+"/jwks", "a"); err != nil || jwKids(set) != "a" {
			t.Fatal(err)
		}
	}
	if stub.count("/jwks") != 1 {
		t.Fatalf("%d requests", stub.count("/jwks"))
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Fatalf("a memory-only cache wrote %v", entries)
	}
}

func TestCacheIgnoresFilesOfOtherUsers(t *testing.T) {
	if os.Getuid() != 0 || runtime.GOOS == "windows" {
		t.Skip("needs root to give a file to another user")
	}
	clock := newJWClock()
	stub := newJWStub(t)
	stub.serve("/jwks", jwSet(t, jwECKey(t, "a")))
	dir := t.TempDir()
	url := stub.url + "/jwks"
	if _, err := newJWCache(clock, dir).JWKS(context.Background(), url, "a"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(newJWCache(clock, dir).diskPath(kindJWKS, url), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := newJWCache(clock, dir).JWKS(context.Background(), url, "a"); err != nil || stub.count("/jwks") != 2 {
		t.Fatalf("a file owned by another user was used: %v, %d requests", err, stub.count("/jwks"))
	}
}
