package oauth

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DefaultRefreshMargin is how long before expiry a cached access token is refreshed.
const DefaultRefreshMargin = 5 * time.Minute

// tokenSetVersion is written into every encoded TokenSet; a cache entry of another
// version is refused rather than guessed at.
const tokenSetVersion = 1

// TokenSet is what one grant obtained: the tokens, when they expire and where they came
// from. It is what the keyring's token cache holds (Encode / DecodeTokenSet).
type TokenSet struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type,omitempty"`
	// Scope is the granted scope as the provider said it (space separated).
	Scope string `json:"scope,omitempty"`
	// Expiry is when the access token expires; zero when the provider did not say.
	Expiry time.Time `json:"expiry,omitzero"`
	// ObtainedAt is when the token response arrived (injected clock).
	ObtainedAt time.Time `json:"obtained_at"`
	Tenant     string    `json:"tenant,omitempty"`
	Issuer     string    `json:"issuer,omitempty"`
	// Grant is the grant that produced this set ("refresh" after a refresh).
	Grant Grant `json:"grant,omitempty"`
	// IssuedTokenType is the issued_token_type of a token exchange (RFC 8693): what
	// AccessToken holds, which need not be an access token.
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	// Warnings explain surprises in the response, such as an opaque access token
	// because no audience was sent. They are not cached.
	Warnings []string `json:"-"`
}

// RefreshMargin returns how long before expiry the set is due for a refresh: margin
// (DefaultRefreshMargin when negative), or half the token's lifetime when that is shorter,
// so that a token issued for less than twice the margin is not due the moment it arrives
// (and refreshed on every call).
func (t *TokenSet) RefreshMargin(margin time.Duration) time.Duration {
	if margin < 0 {
		margin = DefaultRefreshMargin
	}
	if t != nil && !t.ObtainedAt.IsZero() {
		if life := t.Expiry.Sub(t.ObtainedAt); life > 0 && life/2 < margin {
			return life / 2
		}
	}
	return margin
}

// NeedsRefresh reports whether the access token should be replaced at now: it is
// missing, or it expires within RefreshMargin(margin). A token without a known expiry is
// used until the provider refuses it.
func (t *TokenSet) NeedsRefresh(now time.Time, margin time.Duration) bool {
	if t == nil || t.AccessToken == "" {
		return true
	}
	if t.Expiry.IsZero() {
		return false
	}
	return !now.Add(t.RefreshMargin(margin)).Before(t.Expiry)
}

// Expired reports whether the access token has expired at now.
func (t *TokenSet) Expired(now time.Time) bool {
	return t == nil || t.AccessToken == "" || (!t.Expiry.IsZero() && !now.Before(t.Expiry))
}

// Scopes returns the granted scopes.
func (t *TokenSet) Scopes() []string { return strings.Fields(t.Scope) }

type encodedTokenSet struct {
	Version int `json:"v"`
	*TokenSet
}

// Encode returns the set as versioned JSON for the keyring's token cache.
func (t *TokenSet) Encode() ([]byte, error) {
	b, err := json.Marshal(encodedTokenSet{tokenSetVersion, t})
	if err != nil {
		return nil, fmt.Errorf("encoding the token set: %w", err)
	}
	return b, nil
}

// DecodeTokenSet reads what Encode wrote. It refuses another version, anything that is
// not such an object, and a set without an access token.
func DecodeTokenSet(b []byte) (*TokenSet, error) {
	ts := &TokenSet{}
	enc := encodedTokenSet{TokenSet: ts}
	if err := json.Unmarshal(b, &enc); err != nil {
		return nil, fmt.Errorf("the cached token set is not readable: %v", err)
	}
	if enc.Version != tokenSetVersion {
		return nil, fmt.Errorf("the cached token set has format version %d, expected %d", enc.Version, tokenSetVersion)
	}
	if ts.AccessToken == "" {
		return nil, fmt.Errorf("the cached token set has no access token")
	}
	return ts, nil
}
