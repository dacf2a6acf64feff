package cli

import (
	"errors"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

// ExpectFlags are the policy and key-source flags verify and the workbench share: what
// "my API" expects of a token and where its keys come from. Their names are a contract.
type ExpectFlags struct {
	Tenant, Issuer        string
	Audiences, Scopes     []string
	Algorithms            []string
	Profile               string
	Leeway                time.Duration
	JWKS, Key, SecretFile string
}

// Register adds the flags to f, with the same names and help in every command.
func (x *ExpectFlags) Register(f *pflag.FlagSet) {
	f.StringVar(&x.Tenant, "tenant", "", "expect the saved tenant `NAME`'s issuer, audience and client (keys by discovery)")
	f.StringVar(&x.Issuer, "issuer", "", "expected issuer `URL`; its keys are found by discovery unless --jwks, --key or --secret-file is given")
	f.StringVar(&x.JWKS, "jwks", "", "verify with the JWK Set at `PATH|URL`")
	f.StringVar(&x.Key, "key", "", "verify with the public key in `PATH` (PEM or JWK)")
	f.StringVar(&x.SecretFile, "secret-file", "", "verify HMAC tokens with the secret in `PATH` (needs --alg HS256/384/512)")
	f.StringArrayVar(&x.Audiences, "audience", nil, "accepted audience `AUD`: your API's identifier (repeatable; the token must name one)")
	f.StringArrayVar(&x.Scopes, "scope", nil, "required scope or permission `SCOPE` (repeatable; in scope, scp or permissions)")
	f.StringArrayVar(&x.Algorithms, "alg", nil, "allowed signature algorithm `ALG` (repeatable; default: RS*, PS*, ES*, EdDSA)")
	f.StringVar(&x.Profile, "profile", "", "apply a token profile: `rfc9068` (typ at+jwt and its required claims)")
	f.DurationVar(&x.Leeway, "leeway", tokens.DefaultLeeway, "clock skew allowed on exp, nbf and iat (`DURATION`, 0 for none)")
}

// Expectation checks the flags and returns the expectation they name, refusing unusable
// values with a usage error (exit 2).
func (x *ExpectFlags) Expectation() (store.Expectation, error) {
	e := store.Expectation{
		Tenant: x.Tenant, Issuer: x.Issuer, Audiences: x.Audiences, Scopes: x.Scopes, Algorithms: x.Algorithms,
		Leeway: x.Leeway, JWKS: x.JWKS, Key: x.Key, SecretFile: x.SecretFile,
	}
	if x.Tenant != "" && x.Issuer != "" {
		return e, Fail(ExitUsage, "give --tenant or --issuer, not both")
	}
	for _, f := range []struct {
		flag, value, takes string
		url                bool // an http(s) URL is fetched (plain http on loopback only)
	}{
		{"--issuer", x.Issuer, "an https URL", true},
		{"--jwks", x.JWKS, "a JWKS file path or an https URL", true},
		{"--key", x.Key, "a file path (PEM or JWK)", false},
		{"--secret-file", x.SecretFile, "a file path", false},
	} {
		// Any other scheme would be taken for a file name, and "not found" say nothing.
		if scheme := urlScheme(f.value); scheme != "" && !(f.url && store.IsURL(f.value)) {
			return e, Fail(ExitUsage, "%s %s: %s:// URLs are not supported; %s takes %s", f.flag, tokens.SafeText(f.value), tokens.SafeText(scheme), f.flag, f.takes)
		}
	}
	if err := tokens.CheckAlgorithms(x.Algorithms); err != nil {
		var ve *tokens.ValidationError
		if errors.As(err, &ve) {
			return e, Fail(ExitUsage, "--alg: %s", ve.Reason)
		}
		return e, Fail(ExitUsage, "--alg: %v", err)
	}
	for _, s := range x.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return e, Fail(ExitUsage, "--scope %q: one scope per flag, without spaces", tokens.SafeText(s))
		}
	}
	switch x.Profile {
	case "":
	case string(tokens.ProfileRFC9068):
		e.Profile = tokens.ProfileRFC9068
	default:
		return e, Fail(ExitUsage, "--profile %q is not known (known: rfc9068)", x.Profile)
	}
	switch {
	case x.Leeway < 0:
		return e, Fail(ExitUsage, "--leeway must not be negative")
	case x.Leeway == 0:
		e.Leeway = -1 // an explicit 0: no leeway at all
	}
	return e, nil
}

// urlScheme returns the scheme of a value written as a URL ("ftp" for ftp://host/x), or
// "" for anything else, such as a file path.
func urlScheme(s string) string {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return ""
	}
	for i, r := range scheme { // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return ""
		}
	}
	return scheme
}

// ResolveExpectation resolves x against the saved tenants (ts, or the config file when
// nil and a tenant is named) and turns the store's errors into usage errors.
func ResolveExpectation(x store.Expectation, ts *store.Tenants) (store.Resolved, error) {
	if x.Tenant != "" && ts == nil {
		var err error
		if ts, err = OpenTenants(""); err != nil {
			return store.Resolved{}, err
		}
	}
	r, err := x.Resolve(ts)
	switch {
	case errors.Is(err, store.ErrTenantAndIssuer):
		return r, Fail(ExitUsage, "give --tenant or --issuer, not both")
	case errors.Is(err, store.ErrTenantNoIssuer):
		return r, Fail(ExitUsage, "tenant %q has no issuer", tokens.SafeText(x.Tenant))
	case err != nil:
		return r, storeErr(err)
	}
	return r, nil
}
