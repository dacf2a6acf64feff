package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// The workbench's hints name its own keys, never a command line, and fit the grant.
func TestWorkbenchAdvicePerCause(t *testing.T) {
	pe := func(code string, status int, kind error) error {
		return &oauth.ProviderError{Endpoint: "token endpoint", Code: code, Status: status, Kind: kind}
	}
	tests := []struct {
		err           error
		grant         oauth.Grant
		want, notWant string
	}{
		{pe("invalid_grant", 400, oauth.ErrInvalidGrant), oauth.GrantRefresh, "get a new token (T)", "tokenbench get"},
		{pe("access_denied", 403, oauth.ErrAccessDenied), oauth.GrantPKCE, "login was refused", "audience"},
		{pe("access_denied", 403, oauth.ErrAccessDenied), oauth.GrantClientCredentials, "audience", "login"},
		{pe("unsupported_grant_type", 400, oauth.ErrUnsupportedGrant), oauth.GrantDevice, "not allowed this grant", ""},
		{&oauth.ProviderError{Endpoint: "discovery", Status: 404, Kind: oauth.ErrProviderRefused}, oauth.GrantDevice, "issuer URL is wrong", "settings"},
		{context.Canceled, oauth.GrantDevice, "cancelled", "context"},
	}
	for _, tc := range tests {
		err := advise(tc.err, tc.grant)
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || tc.notWant != "" && strings.Contains(msg, tc.notWant) || strings.Contains(msg, "tokenbench ") {
			t.Errorf("%v (%s): %q; want %q, not %q", tc.err, tc.grant, msg, tc.want, tc.notWant)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%q lost its chain", msg)
		}
	}
}
