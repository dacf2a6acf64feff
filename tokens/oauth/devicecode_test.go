package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

func TestDeviceFlow(t *testing.T) {
	tests := []struct {
		name      string
		slowDowns int
		act       func(p *tokenstest.Provider, code string) error // what the user does after the first poll
		want      error
		intervals []time.Duration
	}{
		{name: "approved", act: func(p *tokenstest.Provider, c string) error { return p.Approve(context.Background(), c) },
			intervals: []time.Duration{time.Second, time.Second}},
		{name: "slow_down", slowDowns: 2, act: func(p *tokenstest.Provider, c string) error { return p.Approve(context.Background(), c) },
			intervals: []time.Duration{time.Second, 6 * time.Second, 11 * time.Second, 11 * time.Second}},
		{name: "access_denied", act: func(p *tokenstest.Provider, c string) error { return p.Deny(context.Background(), c) },
			want: oauth.ErrAccessDenied, intervals: []time.Duration{time.Second, time.Second}},
		{name: "expired_token", act: func(p *tokenstest.Provider, c string) error { p.ExpireDeviceCode(c); return nil },
			want: oauth.ErrExpiredToken, intervals: []time.Duration{time.Second, time.Second}},
	}
	p := tokenstest.New(t) // shared: every subtest has its own device code
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, p, tokenstest.DeviceClientID, "", "offline_access")
			var da *oauth.DeviceAuthorization
			var waits []time.Duration
			c.Sleep = func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				// The user acts once the device has polled (and been told to wait) once,
				// and after any slow_down answers the test asked for.
				if len(waits) == 2+tt.slowDowns {
					if err := tt.act(p, da.UserCode); err != nil {
						t.Fatal(err)
					}
				}
				return ctx.Err()
			}
			ts, err := c.Device(context.Background(), func(d *oauth.DeviceAuthorization) {
				da = d
				p.SlowDown(tt.slowDowns)
			})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if da.VerificationURI != p.Issuer+"/device" || !strings.Contains(da.VerificationURIComplete, da.UserCode) || da.Interval != time.Second {
				t.Errorf("device authorization %+v", da)
			}
			if !equalDurations(waits, tt.intervals) {
				t.Errorf("waits %v, want %v", waits, tt.intervals)
			}
			if err != nil {
				if strings.Contains(err.Error(), "\n") || strings.HasPrefix(err.Error(), "tokens: ") {
					t.Errorf("message %q", err)
				}
				return
			}
			if ts.Grant != oauth.GrantDevice || ts.RefreshToken == "" || ts.IDToken == "" || strings.Count(ts.AccessToken, ".") != 2 {
				t.Fatalf("token set %+v", ts)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDeviceFlowExpiresByClock(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.DeviceClientID, "")
	da, err := c.StartDevice(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return da.Expiry.Add(time.Second) }
	c.Sleep = func(context.Context, time.Duration) error { t.Fatal("polled after expiry"); return nil }
	if _, err := c.PollDevice(context.Background(), da); !errors.Is(err, oauth.ErrExpiredToken) {
		t.Fatalf("err = %v", err)
	}
}

func TestDeviceFlowCancel(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.DeviceClientID, "")
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		if polls++; polls == 3 {
			cancel()
		}
		return ctx.Err()
	}
	_, err := c.Device(ctx, nil)
	if !errors.Is(err, context.Canceled) || polls != 3 {
		t.Fatalf("err = %v after %d waits", err, polls)
	}
}

func TestDeviceFlowWrongSecret(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.ConfidentialClientID, "wrong")
	_, err := c.Device(context.Background(), func(d *oauth.DeviceAuthorization) {
		if err := p.Approve(context.Background(), d.UserCode); err != nil {
			t.Fatal(err)
		}
	})
	// zitadel answers a wrong Basic secret with unauthorized_client.
	if !errors.Is(err, oauth.ErrUnauthorizedClient) && !errors.Is(err, oauth.ErrInvalidClient) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "client") || strings.Contains(err.Error(), "tokenbench") {
		t.Fatalf("message does not name the client, or gives CLI advice: %v", err)
	}
}

// Azure AD's v1 device endpoint sends expires_in and interval as strings, and older
// providers spell verification_uri as verification_url: both are read. Numbers that make
// no sense fall back to the defaults. A quirk the in-process provider cannot show, so a
// loopback stub stands in for it.
func TestStartDeviceReadsProviderQuirks(t *testing.T) {
	for _, tc := range []struct {
		name, body   string
		wantInterval time.Duration
		wantExpiry   time.Duration // 0: no expiry given
	}{
		{"strings", `{"device_code":"d","user_code":"ABCD-EFGH","verification_url":"https://login.example/device","expires_in":"900","interval":"7"}`, 7 * time.Second, 900 * time.Second},
		{"numbers", `{"device_code":"d","user_code":"ABCD-EFGH","verification_uri":"https://login.example/device","expires_in":600,"interval":5}`, 5 * time.Second, 600 * time.Second},
		{"nonsense", `{"device_code":"d","user_code":"ABCD-EFGH","verification_uri":"https://login.example/device","expires_in":"soon","interval":-3}`, oauth.DefaultDeviceInterval, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Path {
				case "/.well-known/openid-configuration":
					fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q,"device_authorization_endpoint":%q}`, srv.URL+"/", srv.URL+"/token", srv.URL+"/devicecode")
				case "/devicecode":
					fmt.Fprint(w, tc.body)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
			c := oauth.NewClient(oauth.ClientConfig{Issuer: srv.URL + "/", ClientID: "cli"})
			c.Now = func() time.Time { return now }
			da, err := c.StartDevice(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if da.VerificationURI != "https://login.example/device" || da.UserCode != "ABCD-EFGH" || da.Interval != tc.wantInterval {
				t.Fatalf("got %+v", da)
			}
			if tc.wantExpiry == 0 && !da.Expiry.IsZero() || tc.wantExpiry != 0 && !da.Expiry.Equal(now.Add(tc.wantExpiry)) {
				t.Fatalf("expiry %v, want now + %v", da.Expiry, tc.wantExpiry)
			}
		})
	}
}

// A bare 429 from a rate limiter in front of the token endpoint is slow_down: the device
// waits five seconds longer and goes on polling.
func TestDeviceFlowRateLimited(t *testing.T) {
	p := tokenstest.New(t)
	c := newClient(t, p, tokenstest.DeviceClientID, "", "offline_access")
	var da *oauth.DeviceAuthorization
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		if len(waits) == 2 {
			if err := p.Approve(context.Background(), da.UserCode); err != nil {
				t.Fatal(err)
			}
		}
		return ctx.Err()
	}
	ts, err := c.Device(context.Background(), func(d *oauth.DeviceAuthorization) {
		da = d
		p.Inject(tokenstest.Fault{Path: "/oauth/token", Status: http.StatusTooManyRequests, Count: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{time.Second, 6 * time.Second}; !equalDurations(waits, want) || ts.AccessToken == "" {
		t.Fatalf("waits %v, want %v", waits, want)
	}
}
