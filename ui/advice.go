package ui

import (
	"context"
	"errors"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// advisedErr is a domain error with the advice the workbench adds; errors.Is and
// errors.As see the error unchanged.
type advisedErr struct {
	err    error
	advice string
}

func (e *advisedErr) Error() string { return e.err.Error() + ": " + e.advice }
func (e *advisedErr) Unwrap() error { return e.err }

// cancelledErr says "cancelled" in place of the context's words, keeping the chain.
type cancelledErr struct{ err error }

func (e *cancelledErr) Error() string { return "cancelled: nothing was stored" }
func (e *cancelledErr) Unwrap() error { return e.err }

// advise adds to a failed provider call (made for grant g; empty for userinfo and
// introspection) what to do about it in the workbench: the domain's errors say what
// happened, and the keys to press are the workbench's to say.
func advise(err error, g oauth.Grant) error {
	if err == nil {
		return nil
	}
	a := ""
	var pe *oauth.ProviderError
	switch {
	case errors.Is(err, context.Canceled):
		return &cancelledErr{err}
	case errors.As(err, &pe) && pe.Endpoint == "discovery" && pe.Status == 404:
		a = "the tenant's issuer URL is wrong: it has no OpenID discovery document (t: edit the tenant)"
	case errors.Is(err, oauth.ErrInvalidClient):
		a = "check the tenant's client ID, client secret and auth method (t: tenants)"
	case errors.Is(err, oauth.ErrUnsupportedGrant), errors.Is(err, oauth.ErrUnauthorizedClient):
		a = "the client is not allowed this grant at the provider: enable it for the application there, or pick another grant (tab)"
	case errors.Is(err, oauth.ErrInvalidGrant) && g == oauth.GrantRefresh:
		a = "the refresh token is no longer valid: get a new token (T)"
	case errors.Is(err, oauth.ErrInvalidGrant):
		a = "start the grant again (T)"
	case errors.Is(err, oauth.ErrInvalidScope):
		a = "check the tenant's scopes (t: tenants)"
	case errors.Is(err, oauth.ErrAccessDenied) && g == oauth.GrantClientCredentials:
		a = "check the tenant's audience and that the application may use that API"
	case errors.Is(err, oauth.ErrAccessDenied):
		a = "the login was refused, by the person or by the provider's rules"
	case errors.Is(err, oauth.ErrExpiredToken):
		a = "start the device flow again and approve it in time (T)"
	case errors.Is(err, oauth.ErrRateLimited):
		a = "wait a moment and try again"
	case errors.Is(err, oauth.ErrProviderFailed):
		a = "try again later"
	case errors.Is(err, oauth.ErrTimeout), errors.Is(err, oauth.ErrUnreachable):
		a = "check the tenant's issuer and your network"
	case errors.Is(err, oauth.ErrInvalidToken):
		a = "get a fresh token (T)"
	case errors.Is(err, oauth.ErrCallbackTimeout):
		a = "finish the login in the browser before the timeout"
	case errors.Is(err, oauth.ErrStateMismatch):
		a = "start the login again"
	case errors.Is(err, oauth.ErrProviderRefused):
		a = "check the tenant's settings against the application at the provider"
	}
	if a == "" {
		return err
	}
	return &advisedErr{err: err, advice: a}
}
