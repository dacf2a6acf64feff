package oauth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"golang.org/x/oauth2"
)

// What went wrong at a provider, said as a fact: the front ends add the advice that fits
// the grant and where the user is (errors.Is). Every *ProviderError matches exactly one.
var (
	ErrInvalidClient      = errors.New("the provider did not accept the client")
	ErrUnauthorizedClient = errors.New("the client is not allowed this grant")
	ErrUnsupportedGrant   = errors.New("the provider does not offer this grant to the client")
	ErrInvalidGrant       = errors.New("the provider refused the code, device code or refresh token (expired, already used or revoked)")
	ErrInvalidScope       = errors.New("the provider refused the requested scope")
	ErrAccessDenied       = errors.New("access was denied")
	ErrExpiredToken       = errors.New("the device code expired before it was approved")
	ErrRateLimited        = errors.New("the provider is rate-limiting this client (HTTP 429)")
	ErrProviderFailed     = errors.New("the provider failed (HTTP 5xx)")
	ErrTimeout            = errors.New("the provider did not answer in time")
	ErrUnreachable        = errors.New("the provider could not be reached")
	ErrProviderRefused    = errors.New("the provider refused the request")
)

// ProviderError is an OAuth error response or a failed request to one of a provider's
// endpoints, with the error code and description the provider sent.
type ProviderError struct {
	// Endpoint names the endpoint ("token endpoint", "device authorization endpoint").
	Endpoint string
	// Code is the OAuth "error" value, empty when the provider sent none.
	Code        string
	Description string
	// Status is the HTTP status, 0 when no answer arrived.
	Status int
	// RetryAfter is the Retry-After header of a 429 or 503 answer.
	RetryAfter string
	// Kind is the sentinel (ErrInvalidClient, …) this error matches.
	Kind error
	// Err is the underlying transport error, if any.
	Err error
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(e.Endpoint)
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, " answered %s", e.Code)
	case e.Status != 0:
		fmt.Fprintf(&b, " answered HTTP %d", e.Status)
	default:
		b.WriteString(" failed")
	}
	if e.Description != "" {
		fmt.Fprintf(&b, " (%s)", oneLineText(e.Description, 200))
	}
	switch {
	case e.Kind == ErrTimeout:
		// Not the transport's "context deadline exceeded": how long was waited.
		fmt.Fprintf(&b, " (no answer within %s)", tokens.HumanDuration(keys.HTTPTimeout))
	case e.Err != nil:
		fmt.Fprintf(&b, " (%s)", oneLineText(keys.TransportReason(e.Err), 200))
	}
	if e.RetryAfter != "" {
		fmt.Fprintf(&b, ", retry after %s s", oneLineText(e.RetryAfter, 20))
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	return b.String()
}

// Unwrap gives errors.Is and errors.As both the kind and the transport error.
func (e *ProviderError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func oneLineText(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// kindOf maps an OAuth error code or, without one, an HTTP status to its sentinel.
func kindOf(code string, status int) error {
	switch code {
	case "invalid_client":
		return ErrInvalidClient
	case "unauthorized_client":
		return ErrUnauthorizedClient
	case "unsupported_grant_type":
		return ErrUnsupportedGrant
	case "invalid_grant":
		return ErrInvalidGrant
	case "invalid_scope":
		return ErrInvalidScope
	case "access_denied":
		return ErrAccessDenied
	case "expired_token":
		return ErrExpiredToken
	case "too_many_requests", "slow_down":
		return ErrRateLimited
	case "server_error", "temporarily_unavailable":
		return ErrProviderFailed
	}
	switch {
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrProviderFailed
	case status == http.StatusUnauthorized && code == "":
		return ErrInvalidClient
	}
	return ErrProviderRefused
}

// classify turns what a request to endpoint returned into a *ProviderError when it is
// a provider failure; tokenbench's own refusals (insecure URL, redirect, oversized body,
// issuer mismatch) and cancellation pass through unchanged.
func classify(endpoint string, err error) error {
	if err == nil {
		return nil
	}
	var pe *ProviderError
	if errors.As(err, &pe) {
		return err
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &ProviderError{Endpoint: endpoint, Code: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
			e.RetryAfter = re.Response.Header.Get("Retry-After")
		}
		e.Kind = kindOf(e.Code, e.Status)
		return e
	}
	var se *keys.StatusError
	if errors.As(err, &se) {
		return &ProviderError{Endpoint: endpoint, Status: se.Code, Kind: kindOf("", se.Code)}
	}
	for _, own := range []error{keys.ErrInsecureURL, keys.ErrRedirect, keys.ErrBodyTooLarge, keys.ErrIssuerMismatch, context.Canceled} {
		if errors.Is(err, own) {
			return err
		}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &ProviderError{Endpoint: endpoint, Kind: ErrTimeout, Err: err}
	}
	var op *net.OpError
	if errors.As(err, &op) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset") {
		return &ProviderError{Endpoint: endpoint, Kind: ErrUnreachable, Err: err}
	}
	return fmt.Errorf("%s: %w", endpoint, err)
}
