package keys_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// TestCacheWithRealProvider fetches the keys of the in-process zitadel provider through
// discovery, validates one of its access tokens with them, and shows that a second
// process sharing the cache directory asks the provider nothing, and that a provider that
// goes down leaves a usable (warned) key set.
func TestCacheWithRealProvider(t *testing.T) {
	p := tokenstest.New(t)
	ctx := context.Background()
	// An external test package may use the OAuth client (which imports keys) to get a
	// real access token from the provider.
	ts, err := oauth.NewClient(oauth.ClientConfig{
		Tenant: "test", Issuer: p.Issuer,
		ClientID: tokenstest.ConfidentialClientID, ClientSecret: tokenstest.ConfidentialClientSecret,
	}).ClientCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokens.Parse(ts.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := tok.Header.String("kid")

	md, err := keys.Discover(ctx, nil, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		return len(p.Requests("/.well-known/openid-configuration")) + len(p.Requests(jwksPath(t, md.JWKSURI)))
	}
	before := count()
	requests := func() int { return count() - before }

	dir := filepath.Join(t.TempDir(), "cache")
	set, err := (&keys.Cache{Dir: dir}).IssuerKeys(ctx, p.Issuer, kid)
	if err != nil {
		t.Fatal(err)
	}
	rep := tokens.Validate(ts.AccessToken, tokens.Policy{Issuer: p.Issuer}, set)
	if !rep.Valid() || rep.Key == nil || rep.Key.Source != set.Keys[0].Source {
		t.Fatalf("report %s, key %+v, failed %+v", rep.Verdict, rep.Key, rep.Failed())
	}
	if requests() != 2 {
		t.Fatalf("%d requests to discovery and JWKS, want 2", requests())
	}

	second := &keys.Cache{Dir: dir}
	if set, err := second.IssuerKeys(ctx, p.Issuer, kid); err != nil || len(set.Keys) == 0 || requests() != 2 {
		t.Fatalf("second process: %v, %d requests", err, requests())
	}

	// The provider goes down; a third process with an expired copy still has the keys,
	// and says so.
	p.Inject(tokenstest.Fault{Status: http.StatusServiceUnavailable})
	later := func() time.Time { return time.Now().Add(keys.MaxCacheTTL + time.Hour) }
	set, err = (&keys.Cache{Dir: dir, Now: later}).IssuerKeys(ctx, p.Issuer, kid)
	if err != nil || set.Warning == "" {
		t.Fatalf("provider down: %v, warning %q", err, set.Warning)
	}
	if rep := tokens.Validate(ts.AccessToken, tokens.Policy{Issuer: p.Issuer, SignatureOnly: true}, set); !rep.Valid() {
		t.Fatalf("stale keys do not verify: %+v", rep.Failed())
	}
}

func jwksPath(t *testing.T, jwksURI string) string {
	t.Helper()
	u, err := url.Parse(jwksURI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}
