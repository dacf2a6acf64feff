package tokenstest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// browser is a headless user agent: it does not follow redirects on its own so that
// each hop can be checked, and it never leaves loopback.
var browser = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Approve logs in at the device verification page and allows the device authorization
// with userCode, as a person would in a browser.
func (p *Provider) Approve(ctx context.Context, userCode string) error {
	return p.submitDevice(ctx, userCode, "allow")
}

// Deny logs in at the device verification page and denies the device authorization
// with userCode, so that the device's next poll gets access_denied.
func (p *Provider) Deny(ctx context.Context, userCode string) error {
	return p.submitDevice(ctx, userCode, "deny")
}

func (p *Provider) submitDevice(ctx context.Context, userCode, action string) error {
	page := p.Issuer + devicePath + "?user_code=" + url.QueryEscape(userCode)
	if _, err := visit(ctx, http.MethodGet, page, nil, http.StatusOK); err != nil {
		return err
	}
	form := url.Values{"user_code": {userCode}, "username": {Username}, "password": {Password}, "action": {action}}
	_, err := visit(ctx, http.MethodPost, p.Issuer+devicePath, form, http.StatusOK)
	return err
}

// Login follows authorizeURL through the provider as a browser would: the authorize
// endpoint, the login page (logging in as Username), and the provider's callback. It
// returns the redirect the provider sends the browser to (the client's loopback
// redirect URI with code, state or error) without visiting it.
func (p *Provider) Login(ctx context.Context, authorizeURL string) (*url.URL, error) {
	return p.LoginAs(ctx, authorizeURL, Username, Password)
}

// LoginAs is Login with other credentials; wrong ones end at the login page with an error.
func (p *Provider) LoginAs(ctx context.Context, authorizeURL, username, password string) (*url.URL, error) {
	loc, err := visit(ctx, http.MethodGet, authorizeURL, nil, http.StatusFound)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(loc.String(), p.Issuer+loginPath) {
		return loc, nil // the provider answered at once, with an error for the client
	}
	if _, err := visit(ctx, http.MethodGet, loc.String(), nil, http.StatusOK); err != nil {
		return nil, err
	}
	form := url.Values{"id": {loc.Query().Get("authRequestID")}, "username": {username}, "password": {password}}
	callback, err := visit(ctx, http.MethodPost, p.Issuer+loginPath, form, http.StatusFound)
	if err != nil {
		return nil, err
	}
	return visit(ctx, http.MethodGet, callback.String(), nil, http.StatusFound)
}

// Browser returns a function to inject where a client opens the system browser: it logs
// in at the URL in the background and then visits the loopback redirect, passing it
// through tamper first when tamper is not nil (to forge a state or iss). Failures are
// reported on t.
func (p *Provider) Browser(t testing.TB, tamper func(*url.URL)) func(string) error {
	return func(authorizeURL string) error {
		p.browsing.Add(1)
		go func() {
			defer p.browsing.Done()
			ctx := context.Background()
			redirect, err := p.Login(ctx, authorizeURL)
			if err != nil {
				t.Errorf("tokenstest browser: %v", err)
				return
			}
			if tamper != nil {
				tamper(redirect)
			}
			resp, err := browser.Get(redirect.String())
			if err != nil {
				t.Errorf("tokenstest browser: visiting the redirect: %v", err)
				return
			}
			page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			p.pageMu.Lock()
			p.lastStatus, p.lastPage = resp.StatusCode, string(page)
			p.pageMu.Unlock()
		}()
		return nil
	}
}

// visit makes one request and insists on the status; for a redirect it returns the
// resolved Location.
func visit(ctx context.Context, method, target string, form url.Values, want int) (*url.URL, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("tokenstest: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := browser.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tokenstest: %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != want {
		return nil, fmt.Errorf("tokenstest: %s %s: HTTP %d, want %d: %.200s", method, target, resp.StatusCode, want, page)
	}
	if want != http.StatusFound {
		return nil, nil
	}
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("tokenstest: %s %s: %w", method, target, err)
	}
	return loc, nil
}

// LastRedirectPage waits for Browser visits in flight, then returns the status and body
// the client's loopback listener answered the last one with.
func (p *Provider) LastRedirectPage() (int, string) {
	p.browsing.Wait()
	p.pageMu.Lock()
	defer p.pageMu.Unlock()
	return p.lastStatus, p.lastPage
}
