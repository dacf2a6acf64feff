package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/tokenbench/tokenbench/tokens"
)

// ProviderMetadata is the part of an OpenID Provider's discovery document (or an RFC 8414
// authorization server's metadata) that tokenbench uses. Source is the URL it came from.
type ProviderMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                     string   `json:"token_endpoint,omitempty"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint,omitempty"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint,omitempty"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint,omitempty"`
	RevocationEndpoint                string   `json:"revocation_endpoint,omitempty"`
	JWKSURI                           string   `json:"jwks_uri,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported,omitempty"`
	AuthorizationResponseIssParameter bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	IntrospectionEndpointAuthMethods  []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	Source                            string   `json:"-"`
	// Warning is set when the document is a stale cached copy kept because a refresh
	// failed (see Cache.Metadata); it says when it was fetched and why the refresh failed.
	Warning string `json:"-"`
}

// ErrIssuerMismatch is returned when a discovery document names an issuer other than the
// one it was fetched for. The comparison is exact: no trailing-slash or case folding.
var ErrIssuerMismatch = errors.New("discovery document names a different issuer")

// Auth0Issuer returns the issuer URL of an Auth0 tenant domain ("example.eu.auth0.com" or a
// custom domain): "https://DOMAIN/", with the trailing slash Auth0 puts in its tokens.
func Auth0Issuer(domain string) string {
	d := strings.TrimSpace(domain)
	d = strings.TrimPrefix(d, "https://")
	d = strings.TrimRight(d, "/")
	return "https://" + d + "/"
}

// DiscoveryURLs returns the URLs tried for issuer, in order: OpenID Connect discovery
// (issuer + "/.well-known/openid-configuration") and then RFC 8414 metadata (the well-known
// segment inserted before the issuer's path).
func DiscoveryURLs(issuer string) ([]string, error) {
	u, err := CheckURL(issuer)
	if err != nil {
		return nil, err
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("issuer %q must not have a query or fragment", issuer)
	}
	if u.User != nil {
		return nil, fmt.Errorf("issuer %s must not contain a user name or password", u.Redacted())
	}
	oidc := strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
	rfc := url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/.well-known/oauth-authorization-server" + strings.TrimRight(u.Path, "/")}
	return []string{oidc, rfc.String()}, nil
}

// Discover fetches the provider metadata of issuer with client (see NewHTTPClient; nil
// means a new one): it tries OpenID Connect discovery, then RFC 8414 when the first answers
// 404, and accepts a document only when its "issuer" equals issuer exactly. It refuses
// non-HTTPS issuers other than loopback, redirects, and bodies over tokens.MaxBodySize. It does
// no caching: see Cache.Metadata for that.
func Discover(ctx context.Context, client *http.Client, issuer string) (*ProviderMetadata, error) {
	md, _, _, err := discover(ctx, client, issuer)
	return md, err
}

// discover is Discover that also returns the raw document and its response headers, for
// the cache.
func discover(ctx context.Context, client *http.Client, issuer string) (*ProviderMetadata, []byte, http.Header, error) {
	urls, err := DiscoveryURLs(issuer)
	if err != nil {
		return nil, nil, nil, err
	}
	var firstErr error
	for _, u := range urls {
		body, header, err := httpGet(ctx, client, u)
		if err == nil {
			md, err := parseMetadata(body, u, issuer)
			return md, body, header, err
		}
		if firstErr == nil {
			firstErr = err
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusNotFound {
			break // only a 404 means "try the other well-known location"
		}
	}
	return nil, nil, nil, firstErr
}

// parseMetadata decodes a discovery document fetched from source and checks that it
// names issuer exactly.
func parseMetadata(body []byte, source, issuer string) (*ProviderMetadata, error) {
	var md ProviderMetadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fmt.Errorf("%s did not return valid JSON: %w", source, err)
	}
	if md.Issuer != issuer {
		hint := ""
		if strings.TrimRight(md.Issuer, "/") == strings.TrimRight(issuer, "/") {
			hint = fmt.Sprintf(" (they differ only in a trailing slash: give the issuer as %q)", tokens.SafeText(md.Issuer))
		}
		return nil, fmt.Errorf("%w: fetched %s, it says %q, expected %q%s", ErrIssuerMismatch, source, md.Issuer, issuer, hint)
	}
	md.Source = source
	return &md, nil
}

// FetchError is a request to URL that got no answer. Its message says what happened in
// words (no answer within the timeout, cancelled, the connection error) rather than the
// transport's "context deadline exceeded"; errors.Is sees the cause.
type FetchError struct {
	URL string
	Err error
}

func (e *FetchError) Error() string {
	var ne net.Error
	switch {
	case errors.Is(e.Err, context.Canceled):
		return "fetching " + e.URL + ": cancelled"
	case errors.Is(e.Err, context.DeadlineExceeded), errors.As(e.Err, &ne) && ne.Timeout():
		return fmt.Sprintf("%s did not answer within %s", e.URL, tokens.HumanDuration(HTTPTimeout))
	}
	return fmt.Sprintf("fetching %s: %s", e.URL, TransportReason(e.Err))
}

func (e *FetchError) Unwrap() error { return e.Err }

// TransportReason words a request's transport failure for a person: a name that does not
// resolve and a refused connection are said as such; any other cause is given without
// url.Error's repetition of the method and URL, which the caller names already.
func TransportReason(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return "no such host " + dns.Name + " (a typo in the domain or issuer?)"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection refused (nothing listens there)"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// StatusError is returned when a provider answers with an unexpected HTTP status.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d", e.URL, e.Code)
}

// GetJSON fetches url with client and decodes the JSON body into v. Anything but HTTP 200,
// a body over tokens.MaxBodySize, or a body that is not JSON is an error naming the URL.
func GetJSON(ctx context.Context, client *http.Client, url string, v any) error {
	body, _, err := httpGet(ctx, client, url)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s did not return valid JSON: %w", url, err)
	}
	return nil
}

// httpGet GETs url with client (nil means NewHTTPClient(nil)) and returns the body of a 200
// answer with its headers. The status is checked before the body is read, so that an
// error page of any size is reported as a *StatusError.
func httpGet(ctx context.Context, client *http.Client, url string) ([]byte, http.Header, error) {
	if _, err := CheckURL(url); err != nil {
		return nil, nil, err
	}
	if client == nil {
		client = NewHTTPClient(nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, &FetchError{URL: url, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, nil, &StatusError{URL: url, Code: resp.StatusCode}
	}
	body, err := ReadBody(resp)
	if err != nil {
		return nil, nil, err
	}
	return body, resp.Header, nil
}
