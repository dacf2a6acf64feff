package keys

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// HTTPTimeout bounds every request tokenbench makes to a provider.
const HTTPTimeout = 10 * time.Second

// ErrInsecureURL is returned for a URL that is neither HTTPS nor on a loopback address.
var ErrInsecureURL = errors.New("only https URLs are allowed (plain http only on loopback)")

// ErrRedirect is returned when a provider answers with a redirect: tokenbench never
// follows one, so that a key set or discovery document cannot be swapped by a hop.
var ErrRedirect = errors.New("the server answered with a redirect, which is not followed")

// ErrBodyTooLarge is returned when a response body is larger than tokens.MaxBodySize.
var ErrBodyTooLarge = fmt.Errorf("response body larger than %d bytes", tokens.MaxBodySize)

// CheckURL refuses any URL that is not absolute https, or plain http on a loopback host
// (127.0.0.0/8, ::1 or localhost). It is the one place that rule lives.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("bad URL %q: %w", raw, err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", raw)
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrInsecureURL, raw)
}

// IsLoopbackHost reports whether host (without port) names the local machine.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewHTTPClient returns the client every provider request goes through: a 10 s timeout,
// redirects refused, and the scheme rule of CheckURL enforced on every request, including
// ones made by golang.org/x/oauth2 on tokenbench's behalf. base may be nil.
func NewHTTPClient(base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Timeout:   HTTPTimeout,
		Transport: guardedTransport{base},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return ErrRedirect
		},
	}
}

type guardedTransport struct{ next http.RoundTripper }

func (g guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := CheckURL(req.URL.String()); err != nil {
		// A RoundTripper must close the request body even when it sends nothing.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return g.next.RoundTrip(req)
}

// ReadBody reads at most tokens.MaxBodySize bytes of resp's body and closes it. A longer body is
// refused with ErrBodyTooLarge rather than truncated.
func ReadBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, tokens.MaxBodySize+1))
	if err != nil {
		return nil, fmt.Errorf("reading response from %s: %w", resp.Request.URL.Redacted(), err)
	}
	if len(b) > tokens.MaxBodySize {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}
