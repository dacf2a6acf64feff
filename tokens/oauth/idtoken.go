package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// IDTokenCheck is what an ID token from a login must match (OpenID Connect Core 1.0
// section 3.1.3.7): the tenant's issuer and client, the request's nonce, the access
// token issued with it, and the clock.
type IDTokenCheck struct {
	Issuer      string
	ClientID    string
	Nonce       string
	AccessToken string
	Now         time.Time
	// Leeway tolerates clock skew on exp and iat (default one minute).
	Leeway time.Duration
}

// IDTokenError names the OIDC check an ID token failed.
type IDTokenError struct {
	Check  string
	Reason string
}

func (e *IDTokenError) Error() string {
	return "the ID token fails the " + e.Check + " check: " + e.Reason
}

// ErrIDToken is matched (errors.Is) by every *IDTokenError.
var ErrIDToken = errors.New("ID token check failed")

// Is makes every IDTokenError match ErrIDToken.
func (e *IDTokenError) Is(target error) bool { return target == ErrIDToken }

// verifyIDToken validates ts's ID token, when there is one, as OpenID Connect Core
// 1.0 section 3.1.3.7 asks: the signature with the issuer's keys from discovery and the
// validator's checks (alg allow-list, iss, aud, exp, iat), then CheckIDToken for what
// only the client knows (nonce, azp, at_hash).
func (c *Client) verifyIDToken(ctx context.Context, ts *TokenSet, nonce string) error {
	if ts.IDToken == "" {
		return nil
	}
	tok, err := tokens.Parse(ts.IDToken)
	if err != nil {
		return &IDTokenError{"structure", err.Error()}
	}
	kid, _ := tok.Header.String("kid")
	set, err := c.idTokenKeys(ctx, kid)
	if err != nil {
		return fmt.Errorf("the ID token cannot be verified: %w", err)
	}
	rep := tokens.Validate(ts.IDToken, tokens.Policy{
		Issuer: c.Config.Issuer, Audiences: []string{c.Config.ClientID},
		RequiredClaims: []string{"sub", "iat", "exp"}, Now: c.now,
	}, set)
	if !rep.Valid() {
		name, reason := "validation", rep.Summary()
		if f := rep.Failed(); len(f) > 0 {
			name, reason = f[0].Name, f[0].Reason
		}
		return &IDTokenError{name, reason}
	}
	return CheckIDToken(ts.IDToken, IDTokenCheck{
		Issuer: c.Config.Issuer, ClientID: c.Config.ClientID, Nonce: nonce,
		AccessToken: ts.AccessToken, Now: c.now(),
	})
}

// idTokenKeys returns the issuer's signing keys: by discovery, or from the tenant's
// jwks_uri when it sets one or has discovery switched off.
func (c *Client) idTokenKeys(ctx context.Context, kid string) (*tokens.KeySet, error) {
	if c.Config.Endpoints.JWKS == "" && !c.Config.NoDiscovery {
		return c.keyCache().IssuerKeys(ctx, c.Config.Issuer, kid)
	}
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	u, err := endpoint(md, EndpointJWKS, md.JWKSURI)
	if err != nil {
		return nil, err
	}
	return c.keyCache().JWKS(ctx, u, kid)
}

func (c *Client) keyCache() *keys.Cache {
	if c.KeyCache != nil {
		return c.KeyCache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ownCache == nil {
		c.ownCache = &keys.Cache{Client: c.httpClient(), Now: c.Now}
	}
	return c.ownCache
}

// CheckIDToken checks the claims of an ID token a login returned: iss equals the
// issuer, aud contains the client (and azp names it when there are several audiences or
// azp is present), exp is in the future and iat present, nonce equals the request's, and
// at_hash (when present) matches the access token. It parses strictly but does not
// verify the signature: the grants run it after tokens.Validate has (see verifyIDToken).
func CheckIDToken(raw string, want IDTokenCheck) error {
	tok, err := tokens.Parse(raw)
	if err != nil {
		return &IDTokenError{"structure", err.Error()}
	}
	if tok.Kind != tokens.JWS || tok.Claims == nil {
		return &IDTokenError{"structure", "it is not a signed JWT with claims"}
	}
	leeway := want.Leeway
	if leeway == 0 {
		leeway = time.Minute
	}
	cl := tok.Claims
	if iss, _ := cl.String("iss"); iss != want.Issuer {
		return &IDTokenError{"iss", fmt.Sprintf("it says %q, the tenant's issuer is %q", iss, want.Issuer)}
	}
	aud, err := audiences(cl)
	if err != nil {
		return &IDTokenError{"aud", err.Error()}
	}
	if !slices.Contains(aud, want.ClientID) {
		return &IDTokenError{"aud", fmt.Sprintf("it is for %q, not the client %q", aud, want.ClientID)}
	}
	azp, hasAzp := cl.String("azp")
	if (len(aud) > 1 || hasAzp) && azp != want.ClientID {
		return &IDTokenError{"azp", fmt.Sprintf("authorized party %q is not the client %q", azp, want.ClientID)}
	}
	exp, err := dateClaim(cl, "exp")
	if err != nil {
		return &IDTokenError{"exp", err.Error()}
	}
	if !want.Now.Before(exp.Add(leeway)) {
		return &IDTokenError{"exp", "it expired at " + exp.Format(time.RFC3339)}
	}
	iat, err := dateClaim(cl, "iat")
	if err != nil {
		return &IDTokenError{"iat", err.Error()}
	}
	if iat.After(want.Now.Add(leeway)) {
		return &IDTokenError{"iat", "it was issued in the future, at " + iat.Format(time.RFC3339)}
	}
	if want.Nonce != "" {
		nonce, _ := cl.String("nonce")
		if subtle.ConstantTimeCompare([]byte(nonce), []byte(want.Nonce)) != 1 {
			return &IDTokenError{"nonce", "it does not carry the nonce of this login (a replayed or foreign ID token)"}
		}
	}
	if atHash, ok := cl.String("at_hash"); ok && want.AccessToken != "" {
		h := hashForAlg(tok.Alg())
		if h == nil {
			return &IDTokenError{"at_hash", fmt.Sprintf("no hash is defined for alg %q", tok.Alg())}
		}
		h.Write([]byte(want.AccessToken))
		sum := h.Sum(nil)
		if base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]) != atHash {
			return &IDTokenError{"at_hash", "it does not match the access token issued with it"}
		}
	}
	return nil
}

func audiences(cl tokens.Object) ([]string, error) {
	raw, ok := cl.Get("aud")
	if !ok {
		return nil, errors.New("it has no aud claim")
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		return nil, errors.New("aud is neither a string nor an array of strings")
	}
	return many, nil
}

func dateClaim(cl tokens.Object, name string) (time.Time, error) {
	raw, ok := cl.Get(name)
	if !ok {
		return time.Time{}, fmt.Errorf("it has no %s claim", name)
	}
	t, err := tokens.NumericDate(raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %v", name, err)
	}
	return t, nil
}

// hashForAlg is the hash OIDC's at_hash uses for a JWS alg: the one in its name, and
// SHA-512 for EdDSA (Ed25519).
func hashForAlg(alg string) hash.Hash {
	switch {
	case alg == "EdDSA" || strings.HasSuffix(alg, "512"):
		return sha512.New()
	case strings.HasSuffix(alg, "384"):
		return sha512.New384()
	case strings.HasSuffix(alg, "256"):
		return sha256.New()
	}
	return nil
}
