package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/tokens/keys"
)

// DefaultDeviceInterval is the poll interval when the provider names none (RFC 8628
// section 3.2), and slowDownStep what each slow_down adds to it (section 3.5).
const (
	DefaultDeviceInterval = 5 * time.Second
	slowDownStep          = 5 * time.Second
)

// DeviceAuthorization is a provider's answer to a device authorization request (RFC
// 8628 section 3.2): the code the user types at VerificationURI (or the link that
// carries it), and how long and how often the device may poll.
type DeviceAuthorization struct {
	// DeviceCode is secret to the device; it is never shown.
	DeviceCode              string        `json:"-"`
	UserCode                string        `json:"user_code"`
	VerificationURI         string        `json:"verification_uri"`
	VerificationURIComplete string        `json:"verification_uri_complete,omitempty"`
	Expiry                  time.Time     `json:"expiry,omitzero"`
	Interval                time.Duration `json:"-"`
}

// The device flow is written here rather than with golang.org/x/oauth2's DeviceAuth and
// DeviceAccessToken (v0.38), which cover the common case but not what tokenbench meets:
// DeviceAuthResponse reads expires_in only as a number (Azure AD v1 sends a string) and
// stamps the expiry with the real clock; DeviceAccessToken polls on its own time.Ticker
// (so tests would wait real seconds instead of an injected Sleep), ends the flow on a bare
// HTTP 429 from a rate limiter, and sends the same form on every poll, while a
// client_secret_jwt or private_key_jwt client needs a fresh assertion (new jti) each time.

// StartDevice sends the device authorization request to the endpoint from discovery
// (Auth0's /oauth/device/code included). It refuses a provider without one, and an
// answer without a device code, user code or verification URI.
func (c *Client) StartDevice(ctx context.Context) (*DeviceAuthorization, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	u, err := endpoint(md, EndpointDeviceAuthorization, md.DeviceAuthorizationEndpoint)
	if err != nil {
		return nil, err
	}
	form := c.authorizeParams()
	for _, k := range reservedParams {
		form.Del(k)
	}
	form.Set("client_id", c.Config.ClientID)
	form.Set("scope", strings.Join(withOpenID(c.Config.Scopes), " "))
	start := c.now()
	body, err := c.post(ctx, "device authorization endpoint", u, form, false)
	if err != nil {
		return nil, err
	}
	var resp struct {
		DeviceCode              string  `json:"device_code"`
		UserCode                string  `json:"user_code"`
		VerificationURI         string  `json:"verification_uri"`
		VerificationURL         string  `json:"verification_url"` // an older spelling some providers use
		VerificationURIComplete string  `json:"verification_uri_complete"`
		ExpiresIn               seconds `json:"expires_in"`
		Interval                seconds `json:"interval"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("the device authorization endpoint did not return JSON: %v", err)
	}
	if resp.VerificationURI == "" {
		resp.VerificationURI = resp.VerificationURL
	}
	if resp.DeviceCode == "" || resp.UserCode == "" || resp.VerificationURI == "" {
		return nil, errors.New("the device authorization response lacks device_code, user_code or verification_uri")
	}
	da := &DeviceAuthorization{
		DeviceCode:              resp.DeviceCode,
		UserCode:                resp.UserCode,
		VerificationURI:         resp.VerificationURI,
		VerificationURIComplete: resp.VerificationURIComplete,
		Interval:                time.Duration(resp.Interval) * time.Second,
	}
	if resp.ExpiresIn > 0 {
		da.Expiry = start.Add(time.Duration(resp.ExpiresIn) * time.Second)
	}
	if resp.Interval <= 0 || resp.Interval > 3600 {
		da.Interval = DefaultDeviceInterval
	}
	return da, nil
}

// seconds is a count of seconds in a provider's JSON: a number, or a string holding one,
// as Azure AD's v1 device endpoint sends. Anything else reads as 0, which callers treat
// as "not given".
type seconds int64

func (s *seconds) UnmarshalJSON(b []byte) error {
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		if f, err := n.Float64(); err == nil && f >= 0 && f < 1<<40 {
			*s = seconds(f)
		}
	}
	return nil
}

// PollDevice polls the token endpoint until the user approves or denies da, waiting
// da.Interval (plus 5 s after every slow_down) with c.Sleep before each poll. It stops
// with ErrExpiredToken when the code expires (by the provider's word or the clock),
// ErrAccessDenied when the user denies, and ctx's error when cancelled.
func (c *Client) PollDevice(ctx context.Context, da *DeviceAuthorization) (*TokenSet, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	tokenURL, err := endpoint(md, EndpointToken, md.TokenEndpoint)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode},
	}
	interval := da.Interval
	if interval <= 0 {
		interval = DefaultDeviceInterval
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	for {
		if !da.Expiry.IsZero() && !c.now().Before(da.Expiry) {
			return nil, fmt.Errorf("%w", ErrExpiredToken)
		}
		if err := sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("device flow stopped: %w", err)
		}
		body, err := c.post(ctx, "token endpoint", tokenURL, form, true)
		var pe *ProviderError
		switch {
		case err == nil:
			ts, err := c.parseTokenResponse(GrantDevice, body)
			if err != nil {
				return nil, err
			}
			if err := c.verifyIDToken(ctx, ts, ""); err != nil {
				return nil, err
			}
			return ts, nil
		case errors.As(err, &pe) && pe.Code == "authorization_pending":
			continue
		case errors.As(err, &pe) && (pe.Code == "slow_down" || pe.Code == "" && pe.Status == http.StatusTooManyRequests):
			// A bare 429 from a rate limiter in front of the provider means the same.
			interval += slowDownStep
			continue
		default:
			return nil, err
		}
	}
}

// Device runs the whole device authorization grant: StartDevice, show (which must tell
// the user the code and URL, and should not block), then PollDevice.
func (c *Client) Device(ctx context.Context, show func(*DeviceAuthorization)) (*TokenSet, error) {
	da, err := c.StartDevice(ctx)
	if err != nil {
		return nil, err
	}
	if show != nil {
		show(da)
	}
	return c.PollDevice(ctx, da)
}

func withOpenID(scopes []string) []string {
	if slices.Contains(scopes, "openid") {
		return scopes
	}
	return append([]string{"openid"}, scopes...)
}

// post sends form to an endpoint, authenticating the client when auth is set (see
// authenticate; a public client sends its client_id), and returns
// the body of a 2xx answer. Anything else is a *ProviderError.
func (c *Client) post(ctx context.Context, name, u string, form url.Values, auth bool) ([]byte, error) {
	form = cloneValues(form)
	basic := false
	if auth {
		var err error
		if basic, err = c.authenticate(u, form); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 section 2.3.1: both parts are form-encoded before Basic encoding.
		req.SetBasicAuth(url.QueryEscape(c.Config.ClientID), url.QueryEscape(c.Config.ClientSecret))
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, classify(name, err)
	}
	body, err := keys.ReadBody(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return body, nil
	}
	var oe struct {
		Code        string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &oe)
	return nil, &ProviderError{
		Endpoint: name, Code: oe.Code, Description: oe.Description, Status: resp.StatusCode,
		RetryAfter: resp.Header.Get("Retry-After"), Kind: kindOf(oe.Code, resp.StatusCode),
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// parseTokenResponse reads a successful token response (RFC 6749 section 5.1).
func (c *Client) parseTokenResponse(g Grant, body []byte) (*TokenSet, error) {
	var r struct {
		AccessToken  string          `json:"access_token"`
		TokenType    string          `json:"token_type"`
		RefreshToken string          `json:"refresh_token"`
		ExpiresIn    seconds         `json:"expires_in"`
		IDToken      string          `json:"id_token"`
		Scope        json.RawMessage `json:"scope"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("the token endpoint did not return a JSON token response: %v", err)
	}
	if r.AccessToken == "" {
		return nil, errors.New("the token response has no access_token")
	}
	var scope any
	_ = json.Unmarshal(r.Scope, &scope)
	return c.newTokenSet(g, r.AccessToken, r.RefreshToken, r.TokenType, r.IDToken, int64(r.ExpiresIn), scope), nil
}
