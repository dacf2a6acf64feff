package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// Expectation is the expected context a token is checked in — "my API" — as the user
// names it, on verify's command line or in the workbench: what the API accepts (issuer,
// audiences, scopes, algorithms, profile, leeway) and where the keys come from (a saved
// tenant, a JWKS, a key file, a secret file, or the issuer's discovery). verify and the
// workbench both resolve one with Resolve, so that the same flags mean the same thing in
// both.
type Expectation struct {
	// Tenant names a saved tenant: its issuer becomes the expected issuer (and its keys
	// are found by discovery unless an explicit source is given), its audience the
	// expected audience when none is given, its client the expected client.
	Tenant string
	// Issuer is the expected issuer, compared exactly. It is a key source (discovery)
	// only when no explicit source (JWKS, Key, SecretFile) is given.
	Issuer string
	// Audiences, Scopes, Algorithms, Profile and Leeway go to the tokens.Policy as they are.
	Audiences  []string
	Scopes     []string
	Algorithms []string
	Profile    tokens.Profile
	Leeway     time.Duration
	// JWKS is a JWK Set file or an https URL (http on loopback); Key a PEM or JWK file;
	// SecretFile an HMAC secret file. Each is an explicit key source.
	JWKS, Key, SecretFile string
}

// ExplicitKeys reports whether a key source other than discovery is named.
func (x Expectation) ExplicitKeys() bool { return x.JWKS != "" || x.Key != "" || x.SecretFile != "" }

// ErrTenantAndIssuer is returned by Resolve when both a tenant and an issuer are named:
// the tenant's issuer is the expected one, so a second would contradict it.
var ErrTenantAndIssuer = errors.New("a tenant and an issuer are both given")

// ErrTenantNoIssuer is returned by Resolve for a saved tenant without an issuer.
var ErrTenantNoIssuer = errors.New("the tenant has no issuer")

// Resolved is an Expectation made concrete: the policy to validate with (without its
// clock) and the issuer whose discovery supplies the keys, if any.
type Resolved struct {
	Policy tokens.Policy
	// Discover is the issuer to fetch keys from by discovery: set only when no explicit
	// key source is given.
	Discover string
	// Tenant is the saved tenant named, when one was.
	Tenant *Tenant
}

// Resolve reads the named tenant (if any) from ts and returns the policy and the issuer
// to discover keys from. It does no network I/O. ts may be nil when no tenant is named.
func (x Expectation) Resolve(ts *Tenants) (Resolved, error) {
	r := Resolved{Policy: tokens.Policy{
		Issuer:     x.Issuer,
		Audiences:  x.Audiences,
		Scopes:     x.Scopes,
		Algorithms: x.Algorithms,
		Profile:    x.Profile,
		Leeway:     x.Leeway,
	}}
	if x.Tenant != "" {
		if x.Issuer != "" {
			return r, ErrTenantAndIssuer
		}
		if ts == nil {
			return r, fmt.Errorf("%w: %q", ErrTenantNotFound, printable(x.Tenant))
		}
		t, err := ts.Resolve(x.Tenant)
		if err != nil {
			return r, err
		}
		if t.IssuerURL() == "" {
			return r, fmt.Errorf("%w: %q", ErrTenantNoIssuer, printable(x.Tenant))
		}
		r.Tenant = &t
		r.Policy.Issuer = t.IssuerURL()
		if len(r.Policy.Audiences) == 0 && t.Audience != "" {
			r.Policy.Audiences = []string{t.Audience}
		}
		if t.ClientID != "" {
			r.Policy.Clients = []string{t.ClientID}
		}
	}
	if !x.ExplicitKeys() {
		r.Discover = r.Policy.Issuer
	}
	return r, nil
}

// KeyFetcher is what Keys needs of the JWKS cache: discovery and JWK Sets over HTTP.
// *keys.Cache implements it; it is an interface so that callers can pass their own.
type KeyFetcher interface {
	IssuerKeys(ctx context.Context, issuer, kid string) (*tokens.KeySet, error)
	JWKS(ctx context.Context, jwksURL, kid string) (*tokens.KeySet, error)
}

// Keys loads every key source of x into one set: the explicit sources, or else the
// discovered issuer's keys. It returns nil and no error when no source is configured. A
// source that fails is left out, named in the set's Unread, and its error returned
// (joined), so that a report made with the others can still be shown and says
// "unverified" when the token's key is not among them; with every source failed the set
// is nil (with the errors): no key was looked at, so the signature is unverified. kid is
// a hint for the cache's unknown-kid refetch, never a source of keys.
func (x Expectation) Keys(ctx context.Context, r Resolved, fetch KeyFetcher, kid string) (*tokens.KeySet, error) {
	var sets []*tokens.KeySet
	var errs []error
	var unread []string
	configured := false
	add := func(source string) func(*tokens.KeySet, error) {
		return func(ks *tokens.KeySet, err error) {
			configured = true
			if err != nil {
				errs = append(errs, err)
				unread = append(unread, source)
				return
			}
			sets = append(sets, ks)
		}
	}
	if r.Discover != "" {
		ks, err := fetch.IssuerKeys(ctx, r.Discover, kid)
		if ks != nil && r.Tenant != nil {
			ks = labelled(ks, "saved tenant "+r.Tenant.Name+": ")
		}
		add("discovery of "+r.Discover)(ks, err)
	}
	if x.JWKS != "" {
		if IsURL(x.JWKS) {
			add("JWKS URL " + x.JWKS)(fetch.JWKS(ctx, x.JWKS, kid))
		} else {
			add("JWKS file " + x.JWKS)(keys.LoadJWKSFile(x.JWKS))
		}
	}
	if x.Key != "" {
		add("key file " + x.Key)(keys.LoadFile(x.Key))
	}
	if x.SecretFile != "" {
		add("secret file " + x.SecretFile)(keys.LoadSecretFile(x.SecretFile))
	}
	if !configured {
		return nil, nil
	}
	if len(sets) == 0 {
		// Every source failed: no key was ever looked at, so nothing can be said about
		// the signature. The report is "unverified", never "invalid".
		return nil, errors.Join(errs...)
	}
	set := tokens.MergeKeySets(sets...)
	set.Unread = append(set.Unread, unread...)
	return set, errors.Join(errs...)
}

// IsURL reports whether s is an http(s) URL rather than a file path (the scheme in any
// case, as URLs allow).
func IsURL(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && (strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "http"))
}

// labelled returns a copy of ks whose keys' sources start with prefix: the set may be
// the cache's own, shared with other callers.
func labelled(ks *tokens.KeySet, prefix string) *tokens.KeySet {
	out := *ks
	out.Keys = append([]tokens.Key(nil), ks.Keys...)
	for i := range out.Keys {
		out.Keys[i].Source = prefix + out.Keys[i].Source
	}
	return &out
}
