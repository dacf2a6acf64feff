package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tokenbench/tokenbench/tokens/keys"
	"golang.org/x/oauth2"
)

// CallbackPath is the path of the loopback redirect URI of the PKCE flow:
// http://127.0.0.1:PORT/callback (register it for the application at the provider).
const CallbackPath = "/callback"

// Failures of the loopback callback, each saying what to do.
var (
	ErrStateMismatch   = errors.New("the login callback's state does not match the request (a stale or forged callback)")
	ErrCallbackIss     = errors.New("the login callback's iss does not name the tenant's issuer (RFC 9207 mix-up protection)")
	ErrCallbackTimeout = errors.New("no login callback arrived in time")
	ErrNoS256          = errors.New("the provider does not offer PKCE with S256, which tokenbench always uses")
)

// AuthorizationCode runs the authorization code grant with PKCE S256 for a native app
// (RFC 8252): a one-shot listener on 127.0.0.1 (the tenant's pinned port or a free
// one), the authorize URL given to ShowURL and then OpenBrowser, a wait of at most
// CallbackTimeout for the callback, which must carry the request's state (and the
// issuer as iss when present or advertised, RFC 9207), the code exchange with the
// verifier, and the ID token's OIDC claims checked against the request's nonce.
func (c *Client) AuthorizationCode(ctx context.Context) (*TokenSet, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := endpoint(md, EndpointAuthorization, md.AuthorizationEndpoint); err != nil {
		return nil, err
	}
	if len(md.CodeChallengeMethodsSupported) > 0 && !slices.Contains(md.CodeChallengeMethodsSupported, "S256") {
		return nil, ErrNoS256
	}
	cfg, _, err := c.oauthConfig(ctx, withOpenID(c.Config.Scopes))
	if err != nil {
		return nil, err
	}
	redirect := c.Config.RedirectURI
	if redirect == "" {
		// Without a port the listener takes any free one (RFC 8252 section 7.3).
		redirect = "http://127.0.0.1" + CallbackPath
		if c.Config.RedirectPort != 0 {
			redirect = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Config.RedirectPort)) + CallbackPath
		}
	}
	host, port, path, err := ParseRedirectURI(redirect)
	if err != nil {
		return nil, err
	}
	listen := c.Listen
	if listen == nil {
		listen = net.Listen
	}
	ln, err := listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for the login callback (another login running? try another redirect port): %v", net.JoinHostPort(host, port), err)
	}
	// The redirect URI is sent exactly as registered: providers compare it as a string.
	cfg.RedirectURL = redirectFor(redirect, ln.Addr())

	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	opts := options(c.authorizeParams(), reservedParams...)
	opts = append(opts, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce))
	authURL := cfg.AuthCodeURL(state, opts...)

	results := make(chan callbackResult, 1)
	srv := &http.Server{
		Handler:           c.callbackHandler(md, path, state, results),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		// Graceful, so the browser gets the whole "you can close this tab" page even
		// though the result arrived before the handler returned.
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	if c.ShowURL != nil {
		c.ShowURL(authURL)
	}
	if c.OpenBrowser != nil {
		_ = c.OpenBrowser(authURL) // the URL was shown; a headless machine has no browser
	}
	timeout := c.CallbackTimeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	after := c.After
	if after == nil {
		after = time.After
	}
	var res callbackResult
	select {
	case res = <-results:
	case <-after(timeout):
		return nil, ErrCallbackTimeout
	case <-ctx.Done():
		return nil, fmt.Errorf("login stopped: %w", ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}

	form := c.tokenParams()
	for _, k := range reservedParams {
		form.Del(k)
	}
	form.Set("grant_type", "authorization_code")
	form.Set("code", res.code)
	form.Set("redirect_uri", cfg.RedirectURL)
	form.Set("code_verifier", verifier)
	ts, err := c.tokenRequest(ctx, GrantPKCE, form)
	if err != nil {
		return nil, err
	}
	if ts.IDToken == "" {
		ts.Warnings = append(ts.Warnings, "the provider sent no ID token although openid was requested")
		return ts, nil
	}
	if err := c.verifyIDToken(ctx, ts, nonce); err != nil {
		return nil, err
	}
	return ts, nil
}

type callbackResult struct {
	code string
	err  error
}

// callbackHandler answers exactly one request on the redirect URI's path (later ones
// are told the login was already handled) with a plain page, and reports what it carried.
func (c *Client) callbackHandler(md *keys.ProviderMetadata, path, state string, results chan<- callbackResult) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		first := false
		once.Do(func() {
			first = true
			res := checkCallback(r.URL.Query(), state, c.Config.Issuer, md.AuthorizationResponseIssParameter)
			results <- res
			if res.err != nil {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, "<!DOCTYPE html><title>tokenbench</title><p>Login failed: %s</p><p>You can close this tab.</p>\n", html.EscapeString(res.err.Error()))
				return
			}
			fmt.Fprint(w, "<!DOCTYPE html><title>tokenbench</title><p>Login complete. You can close this tab and return to tokenbench.</p>\n")
		})
		if !first {
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, "<!DOCTYPE html><title>tokenbench</title><p>This login was already handled. You can close this tab.</p>\n")
		}
	})
}

// checkCallback checks the redirect's parameters in the order that keeps a forged
// callback from being believed: the issuer (RFC 9207), then state, then error or code.
func checkCallback(q url.Values, state, issuer string, issAdvertised bool) callbackResult {
	if iss, ok := q["iss"]; ok {
		if len(iss) != 1 || iss[0] != issuer {
			return callbackResult{err: ErrCallbackIss}
		}
	} else if issAdvertised {
		return callbackResult{err: fmt.Errorf("%w (the provider advertises iss but the callback has none)", ErrCallbackIss)}
	}
	// Parameters must not repeat (RFC 6749 section 3.1): a second state or code is refused.
	if got := q["state"]; len(got) != 1 || subtle.ConstantTimeCompare([]byte(got[0]), []byte(state)) != 1 {
		return callbackResult{err: ErrStateMismatch}
	}
	if len(q["code"]) > 1 || len(q["error"]) > 1 {
		return callbackResult{err: errors.New("the login callback repeats its code or error parameter")}
	}
	if code := q.Get("error"); code != "" {
		return callbackResult{err: &ProviderError{Endpoint: "authorization endpoint", Code: code,
			Description: q.Get("error_description"), Kind: kindOf(code, 0)}}
	}
	code := q.Get("code")
	if code == "" {
		return callbackResult{err: errors.New("the login callback has neither a code nor an error")}
	}
	return callbackResult{code: code}
}

// randomToken returns 32 random bytes, base64url: for state and nonce.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
