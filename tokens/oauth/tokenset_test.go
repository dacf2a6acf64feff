package oauth_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func TestNeedsRefresh(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		ts     *oauth.TokenSet
		margin time.Duration
		want   bool
	}{
		{"nil", nil, 0, true},
		{"no access token", &oauth.TokenSet{Expiry: now.Add(time.Hour)}, 0, true},
		{"fresh", &oauth.TokenSet{AccessToken: "a", Expiry: now.Add(time.Hour)}, -1, false},
		{"inside default margin", &oauth.TokenSet{AccessToken: "a", Expiry: now.Add(4 * time.Minute)}, -1, true},
		{"exactly at the margin", &oauth.TokenSet{AccessToken: "a", Expiry: now.Add(5 * time.Minute)}, -1, true},
		{"just outside the margin", &oauth.TokenSet{AccessToken: "a", Expiry: now.Add(5*time.Minute + time.Second)}, -1, false},
		{"zero margin, not expired", &oauth.TokenSet{AccessToken: "a", Expiry: now.Add(time.Second)}, 0, false},
		{"expired", &oauth.TokenSet{AccessToken: "a", Expiry: now.Add(-time.Second)}, 0, true},
		{"no expiry known", &oauth.TokenSet{AccessToken: "a"}, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ts.NeedsRefresh(now, tt.margin); got != tt.want {
				t.Fatalf("NeedsRefresh = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTokenSetEncoding(t *testing.T) {
	in := &oauth.TokenSet{AccessToken: "a.b.c", IDToken: "i.d.t", RefreshToken: "r", TokenType: "Bearer", Scope: "openid offline_access",
		Expiry: time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC), ObtainedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Tenant: "dev", Issuer: "https://x/", Grant: oauth.GrantDevice, Warnings: []string{"not cached"}}
	b, err := in.Encode()
	if err != nil {
		t.Fatal(err)
	}
	out, err := oauth.DecodeTokenSet(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Warnings, []string(nil)) {
		t.Fatalf("warnings were cached: %v", out.Warnings)
	}
	in.Warnings = nil
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip: %+v != %+v", out, in)
	}
	if strings.Join(out.Scopes(), ",") != "openid,offline_access" {
		t.Fatalf("scopes %v", out.Scopes())
	}
	for _, bad := range []string{`{}`, `{"v":2,"access_token":"a"}`, `{"v":1}`, `not json`, `[]`} {
		if _, err := oauth.DecodeTokenSet([]byte(bad)); err == nil {
			t.Errorf("DecodeTokenSet(%s) accepted", bad)
		}
	}
}

func TestRefreshMarginIsAtMostHalfTheLifetime(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		life   time.Duration
		margin time.Duration
		want   time.Duration
	}{
		{"long-lived token keeps the margin", time.Hour, 5 * time.Minute, 5 * time.Minute},
		{"negative margin means the default", time.Hour, -1, oauth.DefaultRefreshMargin},
		{"five-minute token is due at half-life", 5 * time.Minute, 5 * time.Minute, 150 * time.Second},
		{"exactly twice the margin keeps it", 10 * time.Minute, 5 * time.Minute, 5 * time.Minute},
	}
	for _, tt := range tests {
		ts := &oauth.TokenSet{AccessToken: "a", ObtainedAt: t0, Expiry: t0.Add(tt.life)}
		if got := ts.RefreshMargin(tt.margin); got != tt.want {
			t.Errorf("%s: margin %v, want %v", tt.name, got, tt.want)
		}
		if !ts.NeedsRefresh(ts.Expiry.Add(-tt.want), tt.margin) || ts.NeedsRefresh(ts.Expiry.Add(-tt.want-time.Second), tt.margin) {
			t.Errorf("%s: NeedsRefresh does not flip at expiry minus %v", tt.name, tt.want)
		}
	}
	if m := (&oauth.TokenSet{AccessToken: "a", Expiry: t0}).RefreshMargin(time.Minute); m != time.Minute {
		t.Errorf("unknown issue time: margin %v, want the flat minute", m)
	}
}
