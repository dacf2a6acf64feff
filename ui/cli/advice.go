package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// adviceErr is a domain error with the advice the command line adds: its message is the
// error's, then what to do; errors.Is and errors.As see the error unchanged.
type adviceErr struct {
	err    error
	advice string
}

func (e *adviceErr) Error() string { return e.err.Error() + ": " + e.advice }
func (e *adviceErr) Unwrap() error { return e.err }

// advise adds to a failure of a provider call for tenant (made for grant g; empty for
// userinfo and introspection) the advice that fits the cause and the grant. The domain's
// errors state what happened; what to run or check next is the command line's to say.
func advise(err error, tenant string, g oauth.Grant) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return &saidErr{msg: "cancelled", err: err}
	}
	if a := adviceFor(err, tenant, g); a != "" {
		return &adviceErr{err: err, advice: a}
	}
	return err
}

func adviceFor(err error, tenant string, g oauth.Grant) string {
	var pe *oauth.ProviderError
	isPE := errors.As(err, &pe)
	get := fmt.Sprintf("'tokenbench get --tenant %s'", tenant)
	edit := fmt.Sprintf("'tokenbench tenants edit %s'", tenant)
	switch {
	case isPE && pe.Endpoint == "discovery" && pe.Status == 404:
		return fmt.Sprintf("the issuer URL of tenant %s is wrong: it has no OpenID discovery document there (%s --issuer URL, or --domain for Auth0)", tenant, edit)
	case errors.Is(err, oauth.ErrInvalidClient):
		return fmt.Sprintf("check the client ID, client secret and auth method of tenant %s (%s)", tenant, edit)
	case errors.Is(err, oauth.ErrUnsupportedGrant):
		return fmt.Sprintf("the client is not allowed the %s grant at the provider: enable that grant for the application there, or choose another with --grant", grantOr(g))
	case errors.Is(err, oauth.ErrUnauthorizedClient):
		return fmt.Sprintf("the client may not use the %s grant: enable it for the application at the provider (some providers answer a wrong client secret this way too)", grantOr(g))
	case errors.Is(err, oauth.ErrInvalidGrant) && g == oauth.GrantRefresh:
		return "the refresh token is no longer valid (expired, revoked or already used): run " + get + " again"
	case errors.Is(err, oauth.ErrInvalidGrant) && (g == oauth.GrantDevice || g == oauth.GrantPKCE):
		return fmt.Sprintf("the login's code was spent or expired: start again with 'tokenbench get --tenant %s --grant %s'", tenant, g)
	case errors.Is(err, oauth.ErrInvalidGrant):
		return fmt.Sprintf("check tenant %s's settings against the application at the provider", tenant)
	case errors.Is(err, oauth.ErrInvalidScope):
		return fmt.Sprintf("check the scopes of tenant %s (%s --scope …)", tenant, edit)
	case errors.Is(err, oauth.ErrAccessDenied) && g == oauth.GrantClientCredentials:
		return fmt.Sprintf("check tenant %s's audience and that the application is authorized for that API at the provider", tenant)
	case errors.Is(err, oauth.ErrAccessDenied):
		return "the login was refused, by the person who signed in or by the provider's rules (user access to the application, rules or actions)"
	case errors.Is(err, oauth.ErrExpiredToken):
		return "start the device flow again and approve it before the code expires: " + get
	case errors.Is(err, oauth.ErrRateLimited):
		return "wait a moment and try again"
	case errors.Is(err, oauth.ErrProviderFailed):
		return "try again later, or check the provider's status"
	case errors.Is(err, oauth.ErrTimeout):
		return fmt.Sprintf("check tenant %s's issuer and your network", tenant)
	case errors.Is(err, oauth.ErrUnreachable):
		return fmt.Sprintf("check tenant %s's issuer (or domain) and your network", tenant)
	case errors.Is(err, oauth.ErrInvalidToken):
		return "get a fresh one with " + get
	case errors.Is(err, oauth.ErrCallbackTimeout):
		return "finish the login in the browser (open the URL shown) before the timeout"
	case errors.Is(err, oauth.ErrStateMismatch):
		return "start the login again"
	case errors.Is(err, oauth.ErrCallbackIss):
		return "check that the browser logged in at the right tenant"
	case errors.Is(err, oauth.ErrProviderRefused):
		return fmt.Sprintf("check tenant %s's settings against the application at the provider", tenant)
	}
	return ""
}

// saidErr says msg in place of err's own words, keeping err's chain.
type saidErr struct {
	msg string
	err error
}

func (e *saidErr) Error() string { return e.msg }
func (e *saidErr) Unwrap() error { return e.err }

func grantOr(g oauth.Grant) string {
	if g == "" {
		return "requested"
	}
	return string(g)
}
