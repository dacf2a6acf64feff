package tokenstest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

func postForm(t *testing.T, target string, form url.Values, basicUser, basicPass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func discovery(t *testing.T, p *tokenstest.Provider) map[string]any {
	t.Helper()
	resp, err := http.Get(p.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	return md
}

func TestProviderServesDiscoveryAndClientCredentials(t *testing.T) {
	p := tokenstest.New(t)
	md := discovery(t, p)
	if md["issuer"] != p.Issuer {
		t.Fatalf("issuer %v, want %s", md["issuer"], p.Issuer)
	}
	for _, k := range []string{"token_endpoint", "device_authorization_endpoint", "introspection_endpoint", "userinfo_endpoint", "jwks_uri", "authorization_endpoint"} {
		if _, ok := md[k].(string); !ok {
			t.Errorf("discovery lacks %s", k)
		}
	}
	code, tok := postForm(t, md["token_endpoint"].(string), url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}},
		tokenstest.ConfidentialClientID, tokenstest.ConfidentialClientSecret)
	if code != 200 {
		t.Fatalf("client credentials: HTTP %d %v", code, tok)
	}
	if at, _ := tok["access_token"].(string); strings.Count(at, ".") != 2 {
		t.Fatalf("access token is not a JWT: %q", at)
	}
}

func TestDeviceApprovalOverHTTP(t *testing.T) {
	p := tokenstest.New(t)
	md := discovery(t, p)
	code, dev := postForm(t, md["device_authorization_endpoint"].(string), url.Values{"client_id": {tokenstest.DeviceClientID}, "scope": {"openid offline_access"}}, "", "")
	if code != 200 {
		t.Fatalf("device authorization: HTTP %d %v", code, dev)
	}
	if dev["interval"] != float64(1) {
		t.Errorf("interval %v, want 1", dev["interval"])
	}
	poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dev["device_code"].(string)}, "client_id": {tokenstest.DeviceClientID}}
	if code, out := postForm(t, md["token_endpoint"].(string), poll, "", ""); code != 400 || out["error"] != "authorization_pending" {
		t.Fatalf("before approval: HTTP %d %v", code, out)
	}
	if err := p.Approve(context.Background(), dev["user_code"].(string)); err != nil {
		t.Fatal(err)
	}
	code, tok := postForm(t, md["token_endpoint"].(string), poll, "", "")
	if code != 200 || tok["refresh_token"] == nil || tok["id_token"] == nil {
		t.Fatalf("after approval: HTTP %d %v", code, tok)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {tokenstest.DeviceClientID}}
	code, rot := postForm(t, md["token_endpoint"].(string), refresh, "", "")
	if code != 200 || rot["refresh_token"] == tok["refresh_token"] {
		t.Fatalf("refresh: HTTP %d %v", code, rot)
	}
	if code, out := postForm(t, md["token_endpoint"].(string), refresh, "", ""); code != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("reusing a rotated refresh token: HTTP %d %v", code, out)
	}
}

func TestFaults(t *testing.T) {
	p := tokenstest.New(t)
	p.Inject(tokenstest.Fault{Path: "/.well-known", Status: 503, Count: 1})
	resp, err := http.Get(p.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("HTTP %d, want 503", resp.StatusCode)
	}
	p.Inject(tokenstest.Fault{Drop: true})
	if _, err := http.Get(p.Issuer + "/keys"); err == nil {
		t.Fatal("a dropped connection gave an answer")
	}
	p.Clear()
	_ = discovery(t, p)
}

// userinfo asks the provider's userinfo endpoint about an access token: 200 when it
// accepts the token.
func userinfo(t *testing.T, md map[string]any, access string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, md["userinfo_endpoint"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// With reuse detection on, rotation keeps earlier access tokens valid; presenting a spent
// refresh token is refused and revokes the whole family (every refresh and access token
// of the grant), while another grant's tokens are untouched.
func TestRefreshReuseRevokesTheFamily(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run(map[bool]string{false: "off", true: "on"}[reuse], func(t *testing.T) {
			var opts []tokenstest.Option
			if reuse {
				opts = append(opts, tokenstest.WithReuseDetection())
			}
			p := tokenstest.New(t, opts...)
			md := discovery(t, p)
			grant := func() map[string]any {
				_, dev := postForm(t, md["device_authorization_endpoint"].(string), url.Values{"client_id": {tokenstest.DeviceClientID}, "scope": {"openid offline_access"}}, "", "")
				if err := p.Approve(context.Background(), dev["user_code"].(string)); err != nil {
					t.Fatal(err)
				}
				poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dev["device_code"].(string)}, "client_id": {tokenstest.DeviceClientID}}
				code, tok := postForm(t, md["token_endpoint"].(string), poll, "", "")
				if code != 200 {
					t.Fatalf("device grant: HTTP %d %v", code, tok)
				}
				return tok
			}
			refresh := func(rt any) (int, map[string]any) {
				return postForm(t, md["token_endpoint"].(string), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt.(string)}, "client_id": {tokenstest.DeviceClientID}}, "", "")
			}
			first, other := grant(), grant()
			code, second := refresh(first["refresh_token"])
			if code != 200 {
				t.Fatalf("rotation: HTTP %d %v", code, second)
			}
			// Auth0 and Okta keep an access token valid across rotation; the example
			// storage forgets it.
			if got, want := userinfo(t, md, first["access_token"].(string)), map[bool]int{false: 403, true: 200}[reuse]; got != want {
				t.Errorf("userinfo with the access token before rotation: HTTP %d, want %d", got, want)
			}
			if code, out := refresh(first["refresh_token"]); code != 400 || out["error"] != "invalid_grant" {
				t.Fatalf("reuse: HTTP %d %v", code, out)
			}
			if n := p.RefreshPresentations()[first["refresh_token"].(string)]; n != 2 {
				t.Errorf("the spent refresh token was presented %d times, counted %d", 2, n)
			}
			wantFamily := map[bool]int{false: 200, true: 403}[reuse]
			if got := userinfo(t, md, second["access_token"].(string)); got != wantFamily {
				t.Errorf("userinfo with the family's newest access token after the reuse: HTTP %d, want %d", got, wantFamily)
			}
			code, _ = refresh(second["refresh_token"])
			if want := map[bool]int{false: 200, true: 400}[reuse]; code != want {
				t.Errorf("the family's newest refresh token after the reuse: HTTP %d, want %d", code, want)
			}
			if p.RevokedFamilies() != map[bool]int{false: 0, true: 1}[reuse] {
				t.Errorf("%d families revoked", p.RevokedFamilies())
			}
			if got := userinfo(t, md, other["access_token"].(string)); got != 200 {
				t.Errorf("another grant's access token: HTTP %d", got)
			}
			if code, out := refresh(other["refresh_token"]); code != 200 {
				t.Errorf("another grant's refresh token: HTTP %d %v", code, out)
			}
		})
	}
}
