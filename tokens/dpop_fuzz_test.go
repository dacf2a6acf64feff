package tokens

import (
	"strings"
	"testing"
	"time"
)

// FuzzCheckDPoPProof feeds hostile proofs to the checker: it must never panic, always
// list the structure check first, and never call a proof valid without a key. (Each fuzz worker makes its own keys, so the seed is not its own proof.)
func FuzzCheckDPoPProof(f *testing.F) {
	k := mintTestKeys()
	good, err := MintDPoPProof(&SigningKey{Key: k.p256}, DPoPProofRequest{Method: "GET", URL: "https://a.test/", AccessToken: "t", Now: dpopNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("a.b.c")
	f.Add(good[:len(good)-4])
	opts := DPoPOptions{Method: "GET", URL: "https://a.test/", AccessToken: "t", Now: func() time.Time { return dpopNow }}
	f.Fuzz(func(t *testing.T, raw string) {
		res := CheckDPoPProof(raw, opts)
		if len(res.Checks) == 0 || res.Checks[0].Name != CheckDPoPStructure {
			t.Fatalf("checks %v", res.Checks)
		}
		if res.Valid() && res.Thumbprint == "" {
			t.Fatalf("valid without a key thumbprint: %q", raw)
		}
		for _, c := range res.Checks {
			if strings.Contains(c.Reason, "internal error") {
				t.Fatalf("the checker panicked on %q", raw) // recovered, but a bug
			}
		}
	})
}

func BenchmarkCheckDPoPProof(b *testing.B) {
	k := mintTestKeys()
	proof, err := MintDPoPProof(&SigningKey{Key: k.p256}, DPoPProofRequest{Method: "GET", URL: "https://a.test/r", AccessToken: "t", Now: dpopNow})
	if err != nil {
		b.Fatal(err)
	}
	opts := DPoPOptions{Method: "GET", URL: "https://a.test/r", AccessToken: "t", Now: func() time.Time { return dpopNow }}
	b.ReportAllocs()
	for b.Loop() {
		if !CheckDPoPProof(proof, opts).Valid() {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkSignES256(b *testing.B) {
	k := mintTestKeys()
	key := &SigningKey{Key: k.p256, KeyID: "k"}
	claims, _ := MintDefaults(Object{}, dpopNow, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(key, Header{}, claims); err != nil {
			b.Fatal(err)
		}
	}
}
