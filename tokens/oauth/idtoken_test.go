package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// unsignedJWT builds a structurally valid JWS with a dummy signature: CheckIDToken
// looks at claims only (signatures are the validator's job).
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("sig"))
}

func TestCheckIDToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sum := sha256.Sum256([]byte("the-access-token"))
	atHash := base64.RawURLEncoding.EncodeToString(sum[:16])
	base := func() map[string]any {
		return map[string]any{"iss": "https://issuer.example/", "aud": "client", "sub": "alice",
			"exp": now.Unix() + 300, "iat": now.Unix(), "nonce": "n-1", "at_hash": atHash}
	}
	want := oauth.IDTokenCheck{Issuer: "https://issuer.example/", ClientID: "client", Nonce: "n-1", AccessToken: "the-access-token", Now: now}
	tests := []struct {
		name   string
		change func(map[string]any)
		check  string // the failing check, "" for none
	}{
		{"valid", func(map[string]any) {}, ""},
		{"aud array with azp", func(c map[string]any) { c["aud"] = []string{"client", "api"}; c["azp"] = "client" }, ""},
		{"wrong iss", func(c map[string]any) { c["iss"] = "https://other.example/" }, "iss"},
		{"wrong aud", func(c map[string]any) { c["aud"] = "someone-else" }, "aud"},
		{"several aud without azp", func(c map[string]any) { c["aud"] = []string{"client", "api"} }, "azp"},
		{"foreign azp", func(c map[string]any) { c["azp"] = "other" }, "azp"},
		{"expired", func(c map[string]any) { c["exp"] = now.Unix() - 3600 }, "exp"},
		{"no iat", func(c map[string]any) { delete(c, "iat") }, "iat"},
		{"issued in the future", func(c map[string]any) { c["iat"] = now.Unix() + 3600 }, "iat"},
		{"wrong nonce", func(c map[string]any) { c["nonce"] = "replayed" }, "nonce"},
		{"no nonce", func(c map[string]any) { delete(c, "nonce") }, "nonce"},
		{"wrong at_hash", func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" }, "at_hash"},
		{"no at_hash", func(c map[string]any) { delete(c, "at_hash") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(c)
			err := oauth.CheckIDToken(unsignedJWT(t, c), want)
			var ie *oauth.IDTokenError
			switch {
			case tt.check == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.check != "" && (!errors.As(err, &ie) || ie.Check != tt.check || !errors.Is(err, oauth.ErrIDToken)):
				t.Fatalf("err = %v, want the %s check to fail", err, tt.check)
			}
		})
	}
	if err := oauth.CheckIDToken("not.a-token", want); err == nil {
		t.Fatal("a broken token passed")
	}
}
