package store

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// Kind says how a tenant's issuer is found: from an Auth0 domain or from an OIDC issuer URL.
type Kind string

// Tenant kinds.
const (
	KindAuth0 Kind = "auth0"
	KindOIDC  Kind = "oidc"
)

// Endpoints are a tenant's endpoint overrides, each used instead of discovery's; with
// NoDiscovery they are all there is. Keys are the discovery document's names.
type Endpoints struct {
	Authorization       string `toml:"authorization_endpoint,omitempty" json:"authorization_endpoint,omitempty"`
	Token               string `toml:"token_endpoint,omitempty" json:"token_endpoint,omitempty"`
	DeviceAuthorization string `toml:"device_authorization_endpoint,omitempty" json:"device_authorization_endpoint,omitempty"`
	Userinfo            string `toml:"userinfo_endpoint,omitempty" json:"userinfo_endpoint,omitempty"`
	Introspection       string `toml:"introspection_endpoint,omitempty" json:"introspection_endpoint,omitempty"`
	Revocation          string `toml:"revocation_endpoint,omitempty" json:"revocation_endpoint,omitempty"`
	JWKSURI             string `toml:"jwks_uri,omitempty" json:"jwks_uri,omitempty"`
}

// oauth converts e to the grant code's form.
func (e Endpoints) oauth() oauth.Endpoints {
	return oauth.Endpoints{
		Authorization: e.Authorization, Token: e.Token, DeviceAuthorization: e.DeviceAuthorization,
		Userinfo: e.Userinfo, Introspection: e.Introspection, Revocation: e.Revocation, JWKS: e.JWKSURI,
	}
}

// UsesPrivateKey reports whether the client authenticates with a private key (kept in
// the keyring as SecretPrivateKey) rather than a client secret.
func (t Tenant) UsesPrivateKey() bool { return t.AuthMethod == oauth.AuthPrivateKeyJWT }

// Tenant is one saved authorization server and client. It has no field for a secret on
// purpose: client secrets, refresh tokens and cached tokens live in the keyring (Secrets).
// Name is the key of the tenant in the config file and is not written inside its table.
type Tenant struct {
	Name         string           `toml:"-" json:"name"`
	Kind         Kind             `toml:"kind" json:"kind"`
	Domain       string           `toml:"domain,omitempty" json:"domain,omitempty"`
	Issuer       string           `toml:"issuer,omitempty" json:"issuer,omitempty"`
	ClientID     string           `toml:"client_id" json:"client_id"`
	Confidential bool             `toml:"confidential" json:"confidential"`
	Audience     string           `toml:"audience,omitempty" json:"audience,omitempty"`
	Scopes       []string         `toml:"scopes,omitempty" json:"scopes,omitempty"`
	Grant        oauth.Grant      `toml:"grant,omitempty" json:"grant,omitempty"`
	AuthMethod   oauth.AuthMethod `toml:"auth_method,omitempty" json:"auth_method,omitempty"`
	Organization string           `toml:"organization,omitempty" json:"organization,omitempty"`
	RedirectPort int              `toml:"redirect_port,omitzero" json:"redirect_port,omitempty"`
	// RedirectURI is the exact loopback redirect URI registered with the provider; it
	// wins over RedirectPort.
	RedirectURI string `toml:"redirect_uri,omitempty" json:"redirect_uri,omitempty"`
	// NoDiscovery makes the tenant work from Endpoints alone, without fetching the
	// issuer's discovery document.
	NoDiscovery     bool              `toml:"no_discovery,omitempty" json:"no_discovery,omitempty"`
	Endpoints       Endpoints         `toml:"endpoints,omitzero" json:"endpoints,omitzero"`
	AuthorizeParams map[string]string `toml:"authorize_params,omitempty" json:"authorize_params,omitempty"`
	TokenParams     map[string]string `toml:"token_params,omitempty" json:"token_params,omitempty"`
}

// IssuerURL returns the tenant's issuer: "https://DOMAIN/" for Auth0 (the form Auth0 puts in
// its tokens' iss claim), the configured issuer URL otherwise.
func (t Tenant) IssuerURL() string {
	if t.Kind == KindAuth0 {
		return keys.Auth0Issuer(t.Domain)
	}
	return t.Issuer
}

// sameTokens reports whether tokens obtained for t are what u would ask for: the same
// issuer, client, audience, scopes, organization and extra parameters. A tenant edited
// otherwise (a new audience after Auth0 sent an opaque token, another client) must not be
// handed the tokens cached for what it was.
func (t Tenant) sameTokens(u Tenant) bool {
	return t.IssuerURL() == u.IssuerURL() && t.ClientID == u.ClientID && t.Audience == u.Audience &&
		slices.Equal(t.Scopes, u.Scopes) && t.Organization == u.Organization &&
		maps.Equal(t.AuthorizeParams, u.AuthorizeParams) && maps.Equal(t.TokenParams, u.TokenParams)
}

// CanClientCredentials reports whether a new token may be obtained for the tenant without
// a person: its grant is client credentials, or it names none and is confidential.
func (t Tenant) CanClientCredentials() bool {
	return t.Grant == oauth.GrantClientCredentials || (t.Grant == "" && t.Confidential)
}

// ErrInvalidTenant is matched (errors.Is) by every *TenantError.
var ErrInvalidTenant = errors.New("invalid tenant")

// TenantError says which field of which tenant is unusable and why.
type TenantError struct {
	Name   string
	Field  string
	Reason string
}

func (e *TenantError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("tenant %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("tenant %q: %s: %s", e.Name, e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidTenant) true.
func (e *TenantError) Is(target error) bool { return target == ErrInvalidTenant }

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) })

// ValidateName refuses a tenant name that is empty, longer than 64 characters, or uses
// anything but ASCII letters, digits, '.', '_' and '-' (starting with a letter or digit).
// The name is part of keyring account names, so the rule keeps them unambiguous.
func ValidateName(name string) error {
	if !nameRE().MatchString(name) {
		return &TenantError{Name: printable(name), Field: "name", Reason: "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"}
	}
	return nil
}

// protocolParams may not be set through the extra parameter tables: they belong to the
// grant code, and several of them are secrets that must never sit in the config file.
var protocolParams = map[string]bool{
	"client_id": true, "client_secret": true, "client_assertion": true, "client_assertion_type": true,
	"redirect_uri": true, "response_type": true, "state": true, "nonce": true,
	"code": true, "code_challenge": true, "code_challenge_method": true, "code_verifier": true,
	"grant_type": true, "refresh_token": true, "device_code": true, "password": true,
	"username": true, "assertion": true, "subject_token": true, "actor_token": true,
}

// Validate checks t as the config file and the grant code need it: a valid name, a known
// kind with a domain (auth0) or an https issuer URL (oidc; http only on loopback), a client
// id, a known grant, a port in range, and extra parameters that neither override protocol
// parameters nor carry secrets. Client credentials need a confidential client.
func (t Tenant) Validate() error {
	if err := ValidateName(t.Name); err != nil {
		return err
	}
	bad := func(field, format string, args ...any) error {
		return &TenantError{Name: t.Name, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch t.Kind {
	case KindAuth0:
		if t.Issuer != "" {
			return bad("issuer", "an auth0 tenant is given by its domain, not an issuer URL")
		}
		if err := validDomain(t.Domain); err != nil {
			return bad("domain", "%s", err)
		}
	case KindOIDC:
		if t.Domain != "" {
			return bad("domain", "only auth0 tenants have a domain; use the issuer URL")
		}
		if err := validIssuer(t.Issuer); err != nil {
			return bad("issuer", "%s", err)
		}
	case "":
		return bad("kind", "missing (auth0 or oidc)")
	default:
		return bad("kind", "%q is not auth0 or oidc", printable(string(t.Kind)))
	}
	if strings.TrimSpace(t.ClientID) == "" {
		return bad("client_id", "missing")
	}
	if hasControl(t.ClientID) || hasControl(t.Audience) || hasControl(t.Organization) {
		return bad("client_id/audience/organization", "control characters are not allowed")
	}
	if t.Grant != "" && !validGrant(t.Grant) {
		return bad("grant", "%q is not one of %s", printable(string(t.Grant)), grantList())
	}
	if t.Grant == oauth.GrantClientCredentials && !t.Confidential {
		return bad("grant", "client-credentials needs a confidential client (one with a secret)")
	}
	if t.AuthMethod != "" && !slices.Contains(oauth.AuthMethods, t.AuthMethod) {
		return bad("auth_method", "%q is not one of %s", printable(string(t.AuthMethod)), authMethodList())
	}
	if t.AuthMethod == oauth.AuthNone && t.Confidential {
		return bad("auth_method", "none is for public clients; a confidential client uses a secret or a private key")
	}
	if t.AuthMethod != "" && t.AuthMethod != oauth.AuthNone && !t.Confidential {
		return bad("auth_method", "%s needs a confidential client", t.AuthMethod)
	}
	if t.RedirectPort < 0 || t.RedirectPort > 65535 {
		return bad("redirect_port", "%d is not a port (1-65535, or 0 for any free port)", t.RedirectPort)
	}
	if t.RedirectURI != "" {
		if _, _, _, err := oauth.ParseRedirectURI(t.RedirectURI); err != nil {
			return bad("redirect_uri", "%q is not a loopback redirect URI: use http://127.0.0.1:PORT/PATH, http://localhost:PORT/PATH or http://[::1]:PORT/PATH (no query or fragment)", printable(t.RedirectURI))
		}
	}
	var badEndpoint error
	te := t.Endpoints.oauth()
	te.Each(func(name string, u *string) {
		if badEndpoint == nil && *u != "" && (hasControl(*u) || (oauth.Endpoints{Token: *u}).Check() != nil) {
			badEndpoint = bad(name, "%q must be an https URL (http only on loopback) without fragment or user info", printable(*u))
		}
	})
	if badEndpoint != nil {
		return badEndpoint
	}
	for _, s := range t.Scopes {
		if s == "" || strings.ContainsFunc(s, unicode.IsSpace) || hasControl(s) {
			return bad("scopes", "%q is not a single scope", printable(s))
		}
	}
	for _, p := range []struct {
		field  string
		params map[string]string
	}{{"authorize_params", t.AuthorizeParams}, {"token_params", t.TokenParams}} {
		field := p.field
		for _, k := range sortedKeys(p.params) {
			v := p.params[k]
			switch {
			case k == "" || hasControl(k) || hasControl(v):
				return bad(field, "parameter names must not be empty and nothing may hold control characters")
			case protocolParams[strings.ToLower(k)]:
				return bad(field, "%q is set by tokenbench itself (secrets belong in the keyring)", k)
			}
		}
	}
	return nil
}

func validDomain(d string) error {
	if d == "" {
		return errors.New("missing (for example dev-abc.eu.auth0.com)")
	}
	if strings.Contains(d, "/") || strings.Contains(d, ":") || strings.ContainsFunc(d, unicode.IsSpace) || hasControl(d) {
		return fmt.Errorf("%q is not a bare host name (for example dev-abc.eu.auth0.com)", printable(d))
	}
	u, err := url.Parse("https://" + d + "/")
	if err != nil || u.Hostname() != d {
		return fmt.Errorf("%q is not a host name", printable(d))
	}
	return nil
}

func validIssuer(s string) error {
	if s == "" {
		return errors.New("missing (for example https://login.example.com/realms/dev)")
	}
	if hasControl(s) {
		return errors.New("control characters are not allowed")
	}
	u, err := keys.CheckURL(s)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q must not have a query, fragment or user info", s)
	}
	return nil
}

func authMethodList() string {
	s := make([]string, len(oauth.AuthMethods))
	for i, m := range oauth.AuthMethods {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

func validGrant(g oauth.Grant) bool { return slices.Contains(oauth.Grants, g) }
func grantList() string {
	s := make([]string, len(oauth.Grants))
	for i, g := range oauth.Grants {
		s[i] = string(g)
	}
	return strings.Join(s, ", ")
}

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

// printable quotes nothing but keeps an error message on one line and short.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
