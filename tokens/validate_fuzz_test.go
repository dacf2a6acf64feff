package tokens

import (
	"strings"
	"testing"
)

// FuzzValidate feeds arbitrary text to a configured Validator. It must never panic (a
// recovered panic shows up as an "internal error" reason, which fails the fuzz run),
// every reason must be one line, and a valid verdict needs a passed signature check.
func FuzzValidate(f *testing.F) {
	keys(f)
	for _, s := range []string{
		jws(`{"alg":"RS256","kid":"rsa1"}`, claimsAt(""), signer(f, "RS256")),
		jws(`{"alg":"ES256"}`, claimsAt(""), signer(f, "ES256")),
		jws(`{"alg":"EdDSA","kid":"ed","typ":"at+jwt","crit":["x"],"x":1}`, claimsAt(`"nbf":1`), signer(f, "EdDSA")),
		jws(`{"alg":"none"}`, `{}`, noSig),
		jws(`{"alg":"HS256","kid":"hs"}`, claimsAt(""), signer(f, "HS256")),
		"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkExMjhHQ00iLCJjdHkiOiJKV1QifQ.a.b.c.d",
		"a.b.c", "....", "", "{}",
	} {
		f.Add(s)
	}
	ks := publicKeys(f)
	ks.Keys = append(ks.Keys, secretKeys().Keys...)
	v := NewValidator(Policy{Now: fixedNow, Algorithms: wpAllAlgs, Issuer: "https://issuer.example/",
		Audiences: []string{"api://default"}, DecryptionKeys: decKeys(f)}, ks)
	f.Fuzz(func(t *testing.T, raw string) {
		rep := v.Validate(raw)
		signed := false
		for _, c := range rep.Checks {
			if strings.Contains(c.Reason, "internal error") {
				t.Fatalf("panic inside Validate: %s", c.Reason)
			}
			if strings.ContainsAny(c.Reason, "\n\r") {
				t.Fatalf("multi-line reason %q", c.Reason)
			}
			signed = signed || (c.Name == CheckSignature && c.Status == StatusPass)
		}
		if rep.Valid() && !signed {
			t.Fatalf("valid without a verified signature:\n%s", rep)
		}
	})
}
