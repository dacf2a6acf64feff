package store

import (
	"errors"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func TestTokenSetCache(t *testing.T) {
	s := &Secrets{Keyring: keyringtest.NewMemory()}
	if ts, err := s.LoadTokenSet("dev"); ts != nil || err != nil {
		t.Fatalf("empty cache: %v %v", ts, err)
	}
	in := &oauth.TokenSet{AccessToken: "a.b.c", RefreshToken: "r1", Expiry: time.Unix(1_800_000_000, 0).UTC(), Tenant: "dev"}
	if err := s.SaveTokenSet("dev", in); err != nil {
		t.Fatal(err)
	}
	raw, err := s.Get("dev", SecretTokenSet)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := oauth.DecodeTokenSet([]byte(raw)); got.RefreshToken != "" {
		t.Fatal("the refresh token was stored inside the cached set too")
	}
	out, err := s.LoadTokenSet("dev")
	if err != nil || out.AccessToken != "a.b.c" || out.RefreshToken != "r1" || !out.Expiry.Equal(in.Expiry) {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	// An undecodable set: reported, and the refresh token still comes back.
	if err := s.Set("dev", SecretTokenSet, "{garbage"); err != nil {
		t.Fatal(err)
	}
	out, err = s.LoadTokenSet("dev")
	if !errors.Is(err, ErrTokenCacheUnreadable) || out == nil || out.RefreshToken != "r1" || out.AccessToken != "" {
		t.Fatalf("unreadable set: %+v %v", out, err)
	}
}
