package tokens

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// ptBigToken builds a realistic RS256 access token of about size bytes: the registered and
// Auth0 claims, a long scope, a permissions list, a nested metadata object, and as many
// namespaced custom claims as it takes to reach the size.
func ptBigToken(tb testing.TB, size int) string {
	tb.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","typ":"at+jwt","kid":"NkJCQzIyQzRBMEU4NjhGNUU4MzU4RkY0M0ZDQzkwOUQ0Q0VGNUMwQg"}`))
	sig := enc(make([]byte, 256))
	var b strings.Builder
	b.WriteString(`{"iss":"https://tenant.eu.auth0.com/","sub":"auth0|6650f1c0ffee1234567890ab",` +
		`"aud":["https://api.example.com/","https://tenant.eu.auth0.com/userinfo"],` +
		`"iat":1795600800,"nbf":1795600800,"exp":1795604400,"jti":"b1f3c0de-5a1e-4c0f-9e1d-2f7a0c9d1e42",` +
		`"azp":"k3mpl3ExampleClientId0123456789","client_id":"k3mpl3ExampleClientId0123456789","gty":"client-credentials",` +
		`"org_id":"org_W4bVc9k2LmN0pQrS","org_name":"acme-corp","scope":"openid profile email`)
	for i := range 40 {
		fmt.Fprintf(&b, " read:resource%d write:resource%d", i, i)
	}
	b.WriteString(`","permissions":[`)
	for i := range 60 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"read:orders:region-%02d"`, i)
	}
	b.WriteString(`],"https://example.com/app_metadata":{"plan":"enterprise","features":{"sso":true,"audit":true,"seats":250},` +
		`"regions":["eu-west-1","us-east-1"],"note":"caf\u00e9 \u2713 \"quoted\" and \\ escaped"}`)
	payloadLen := func() int { return base64.RawURLEncoding.EncodedLen(b.Len() + 1) }
	for i := 0; len(header)+len(sig)+2+payloadLen() < size-120; i++ {
		fmt.Fprintf(&b, `,"https://example.com/claims/attribute_%03d":"value-%03d-%s"`, i, i, strings.Repeat("x", 24))
	}
	b.WriteByte('}')
	tok := header + "." + enc([]byte(b.String())) + "." + sig
	if _, err := Parse(tok); err != nil {
		tb.Fatalf("benchmark token does not parse: %v", err)
	}
	return tok
}

// BenchmarkParseExplain16K measures what the decode command and the token view do with a
// pasted token: Parse plus Explain of a realistic 16 KiB access token (≈ 120 claims).
// Target (DESIGN.md): ≤ 50 µs on the 2-core reference machine. Like the validator's
// benchmarks it also reports cpu-ns/op, which a busy machine inflates less than wall time.
func BenchmarkParseExplain16K(b *testing.B) {
	tok := ptBigToken(b, 16<<10)
	b.SetBytes(int64(len(tok)))
	m := startCPU(b)
	for range b.N {
		t, err := Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		if e := Explain(t); len(e.Claims) < 100 {
			b.Fatalf("%d claims", len(e.Claims))
		}
	}
	m.stop()
}

// BenchmarkParse16K is the parse half of BenchmarkParseExplain16K.
func BenchmarkParse16K(b *testing.B) {
	tok := ptBigToken(b, 16<<10)
	b.SetBytes(int64(len(tok)))
	m := startCPU(b)
	for range b.N {
		if _, err := Parse(tok); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

func TestBenchTokenIsRealistic(t *testing.T) {
	tok := ptBigToken(t, 16<<10)
	if len(tok) < 16<<10-200 || len(tok) > 16<<10 {
		t.Errorf("token is %d bytes", len(tok))
	}
	p, _ := Parse(tok)
	e := Explain(p)
	if len(e.Claims) < 100 || e.Use != "access token" || len(e.Lints) != 0 {
		t.Errorf("%d claims, use %q, lints %v", len(e.Claims), e.Use, e.Lints)
	}
}
