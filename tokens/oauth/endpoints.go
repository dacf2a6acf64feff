package oauth

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// Endpoints are a tenant's own endpoint URLs. Each one that is set is used instead of
// the one in the discovery document; with ClientConfig.NoDiscovery they are all there is.
// They exist for providers whose discovery omits an endpoint (introspection on an admin
// port, say) and for servers that publish no discovery at all.
type Endpoints struct {
	Authorization       string
	Token               string
	DeviceAuthorization string
	Userinfo            string
	Introspection       string
	Revocation          string
	JWKS                string
}

// Endpoint names, as discovery (RFC 8414, OpenID Connect Discovery) spells them. A
// *MissingEndpointError carries one of them, so a front end can name its own setting.
const (
	EndpointAuthorization       = "authorization_endpoint"
	EndpointToken               = "token_endpoint"
	EndpointDeviceAuthorization = "device_authorization_endpoint"
	EndpointUserinfo            = "userinfo_endpoint"
	EndpointIntrospection       = "introspection_endpoint"
	EndpointRevocation          = "revocation_endpoint"
	EndpointJWKS                = "jwks_uri"
)

// Each calls fn with every endpoint's discovery name and a pointer to its URL, in a fixed
// order, so that checks and copies are written once.
func (e *Endpoints) Each(fn func(name string, url *string)) {
	fn(EndpointAuthorization, &e.Authorization)
	fn(EndpointToken, &e.Token)
	fn(EndpointDeviceAuthorization, &e.DeviceAuthorization)
	fn(EndpointUserinfo, &e.Userinfo)
	fn(EndpointIntrospection, &e.Introspection)
	fn(EndpointRevocation, &e.Revocation)
	fn(EndpointJWKS, &e.JWKS)
}

// Check refuses an endpoint URL that CheckURL refuses (not https, and not http on
// loopback), or that carries a fragment or user info.
func (e Endpoints) Check() error {
	var first error
	e.Each(func(name string, raw *string) {
		if *raw == "" || first != nil {
			return
		}
		u, err := keys.CheckURL(*raw)
		switch {
		case err != nil:
			first = fmt.Errorf("%s: %w", name, err)
		case u.Fragment != "" || u.User != nil:
			first = fmt.Errorf("%s %q must not have a fragment or user info", name, tokens.SafeText(*raw))
		}
	})
	return first
}

// overlay returns a copy of md with every endpoint e sets replaced.
func (e Endpoints) overlay(md *keys.ProviderMetadata) *keys.ProviderMetadata {
	out := *md
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&out.AuthorizationEndpoint, e.Authorization)
	set(&out.TokenEndpoint, e.Token)
	set(&out.DeviceAuthorizationEndpoint, e.DeviceAuthorization)
	set(&out.UserinfoEndpoint, e.Userinfo)
	set(&out.IntrospectionEndpoint, e.Introspection)
	set(&out.RevocationEndpoint, e.Revocation)
	set(&out.JWKSURI, e.JWKS)
	return &out
}

// MissingEndpointError is returned when a request needs an endpoint that neither the
// discovery document nor the tenant's settings name. Name is its discovery name
// (EndpointToken, …); Source is the discovery document's URL, empty when discovery is
// switched off for the tenant.
type MissingEndpointError struct {
	Name   string
	Source string
}

func (e *MissingEndpointError) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("no %s is set for the tenant (discovery is off)", e.Name)
	}
	return fmt.Sprintf("the provider's discovery document (%s) has no %s, and the tenant sets none", e.Source, e.Name)
}

// ParseRedirectURI checks a loopback redirect URI as a native app registers it (RFC
// 8252 section 7.3): http, host 127.0.0.1, [::1] or localhost, an optional port, a path,
// and no query, fragment or user info. It returns the host and port to listen on (port
// "0" when the URI has none, meaning any free port) and the path the callback arrives on.
func ParseRedirectURI(raw string) (host, port, path string, err error) {
	u, perr := url.Parse(raw)
	if perr != nil {
		return "", "", "", fmt.Errorf("redirect URI %q is not a URL", tokens.SafeText(raw))
	}
	h := u.Hostname()
	if u.Scheme != "http" || (h != "127.0.0.1" && h != "::1" && h != "localhost") {
		return "", "", "", fmt.Errorf("redirect URI %q must be http://127.0.0.1:PORT/PATH, http://localhost:PORT/PATH or http://[::1]:PORT/PATH (a loopback listener tokenbench runs)", tokens.SafeText(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return "", "", "", fmt.Errorf("redirect URI %q must not have user info, a query or a fragment", tokens.SafeText(raw))
	}
	port = u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return "", "", "", fmt.Errorf("redirect URI %q has an empty port", tokens.SafeText(raw))
		}
		port = "0"
	} else if n, aerr := strconv.Atoi(port); aerr != nil || n < 1 || n > 65535 {
		return "", "", "", fmt.Errorf("redirect URI %q has no valid port (1-65535)", tokens.SafeText(raw))
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return h, port, path, nil
}

// redirectFor returns the redirect URI to send for a listener on addr: the configured
// URI exactly as registered when it names a port, else the same URI with the port the
// listener got.
func redirectFor(configured string, addr net.Addr) string {
	host, port, path, err := ParseRedirectURI(configured)
	if err != nil || port != "0" {
		return configured
	}
	_, got, _ := net.SplitHostPort(addr.String())
	return "http://" + net.JoinHostPort(host, got) + path
}
