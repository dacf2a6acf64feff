package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// Each hint fits the grant and the cause; the domain error underneath is unchanged for
// errors.Is, and the words are one line with no Go package prefix.
func TestAdvicePerCause(t *testing.T) {
	pe := func(endpoint, code string, status int, kind error) error {
		return &oauth.ProviderError{Endpoint: endpoint, Code: code, Status: status, Kind: kind}
	}
	tests := []struct {
		name    string
		err     error
		grant   oauth.Grant
		want    string
		notWant string
	}{
		{"discovery 404", pe("discovery", "", 404, oauth.ErrProviderRefused), oauth.GrantClientCredentials, "the issuer URL of tenant dev is wrong", "settings"},
		{"unsupported grant", pe("token endpoint", "unsupported_grant_type", 400, oauth.ErrUnsupportedGrant), oauth.GrantClientCredentials,
			"not allowed the client-credentials grant at the provider", ""},
		{"access denied after PKCE", pe("token endpoint", "access_denied", 403, oauth.ErrAccessDenied), oauth.GrantPKCE, "the login was refused", "audience"},
		{"access denied after device", pe("token endpoint", "access_denied", 400, oauth.ErrAccessDenied), oauth.GrantDevice, "the login was refused", "audience"},
		{"access denied, client credentials", pe("token endpoint", "access_denied", 403, oauth.ErrAccessDenied), oauth.GrantClientCredentials, "audience", "login"},
		{"unknown refresh token", pe("token endpoint", "invalid_grant", 400, oauth.ErrInvalidGrant), oauth.GrantRefresh, "run 'tokenbench get --tenant dev' again", ""},
		{"spent device code", pe("token endpoint", "invalid_grant", 400, oauth.ErrInvalidGrant), oauth.GrantDevice, "--grant device", "run 'tokenbench get --tenant dev' again"},
		{"wrong secret", pe("token endpoint", "invalid_client", 401, oauth.ErrInvalidClient), oauth.GrantClientCredentials, "client secret", ""},
		{"rate limited", pe("token endpoint", "", 429, oauth.ErrRateLimited), oauth.GrantRefresh, "wait a moment", ""},
		{"timeout", &oauth.ProviderError{Endpoint: "token endpoint", Kind: oauth.ErrTimeout, Err: context.DeadlineExceeded}, oauth.GrantClientCredentials,
			"no answer within 10s", "deadline"},
		{"userinfo refused the token", pe("userinfo endpoint", "invalid_token", 401, oauth.ErrInvalidToken), "", "get a fresh one", ""},
		{"cancelled", fmt.Errorf("polling: %w", context.Canceled), oauth.GrantDevice, "cancelled", "context"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := advise(tc.err, "dev", tc.grant)
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || tc.notWant != "" && strings.Contains(msg, tc.notWant) {
				t.Errorf("%q: want %q, not %q", msg, tc.want, tc.notWant)
			}
			if !errors.Is(err, tc.err) || strings.Contains(msg, "tokens:") || strings.Contains(msg, "\n") {
				t.Errorf("%q: the chain or the words are wrong", msg)
			}
		})
	}
}
