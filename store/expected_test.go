package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tokenbench/tokenbench/tokens"
)

// recordingFetcher stands in for the JWKS cache: it records what would be fetched and
// fetches nothing. Keys must not reach the network when an explicit source is given.
type recordingFetcher struct{ issuers, urls []string }

func (f *recordingFetcher) IssuerKeys(_ context.Context, issuer, _ string) (*tokens.KeySet, error) {
	f.issuers = append(f.issuers, issuer)
	return &tokens.KeySet{Keys: []tokens.Key{{Source: "discovery " + issuer}}}, nil
}

func (f *recordingFetcher) JWKS(_ context.Context, u, _ string) (*tokens.KeySet, error) {
	f.urls = append(f.urls, u)
	return nil, errors.New("unreachable")
}

func TestExpectationResolve(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte("version = 1\n\n[tenants.dev]\nkind = 'auth0'\ndomain = 'dev-abc.us.auth0.com'\nclient_id = 'Xk3p'\naudience = 'https://api.shop.test/'\n"), 0o600)
	jwks := filepath.Join(dir, "jwks.json")
	os.WriteFile(jwks, []byte(`{"keys":[]}`), 0o600)
	ts := &Tenants{Path: cfg}

	for _, tc := range []struct {
		name      string
		x         Expectation
		issuer    string
		auds      []string
		clients   []string
		discover  string
		fetchedIs []string
	}{
		{"issuer alone is discovered", Expectation{Issuer: "https://id.test/"}, "https://id.test/", nil, nil, "https://id.test/", []string{"https://id.test/"}},
		{"issuer with a JWKS file is only expected", Expectation{Issuer: "https://id.test/", JWKS: jwks}, "https://id.test/", nil, nil, "", nil},
		{"tenant: issuer, audience, client, discovery", Expectation{Tenant: "dev"}, "https://dev-abc.us.auth0.com/", []string{"https://api.shop.test/"}, []string{"Xk3p"}, "https://dev-abc.us.auth0.com/", []string{"https://dev-abc.us.auth0.com/"}},
		{"tenant with --audience keeps the flag's", Expectation{Tenant: "dev", Audiences: []string{"https://api.other.test/"}, JWKS: jwks}, "https://dev-abc.us.auth0.com/", []string{"https://api.other.test/"}, []string{"Xk3p"}, "", nil},
		{"nothing: no keys", Expectation{Audiences: []string{"a"}}, "", []string{"a"}, nil, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.x.Resolve(ts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Policy.Issuer != tc.issuer || !slices.Equal(r.Policy.Audiences, tc.auds) || !slices.Equal(r.Policy.Clients, tc.clients) || r.Discover != tc.discover {
				t.Errorf("policy %+v discover %q", r.Policy, r.Discover)
			}
			f := &recordingFetcher{}
			keys, err := tc.x.Keys(context.Background(), r, f, "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.issuers, tc.fetchedIs) || len(f.urls) != 0 {
				t.Errorf("fetched issuers %v urls %v, want %v", f.issuers, f.urls, tc.fetchedIs)
			}
			if (keys == nil) != (tc.discover == "" && tc.x.JWKS == "") {
				t.Errorf("keys %v", keys)
			}
			if tc.x.Tenant != "" && tc.discover != "" && keys.Keys[0].Source != "saved tenant dev: discovery "+tc.discover {
				t.Errorf("source %q", keys.Keys[0].Source)
			}
		})
	}
	if _, err := (Expectation{Tenant: "dev", Issuer: "https://x/"}).Resolve(ts); !errors.Is(err, ErrTenantAndIssuer) {
		t.Errorf("tenant and issuer: %v", err)
	}
	if _, err := (Expectation{Tenant: "nope"}).Resolve(ts); !errors.Is(err, ErrTenantNotFound) {
		t.Errorf("unknown tenant: %v", err)
	}
}
