package tokens

import (
	"testing"
)

// A provider-sized set: two RSA-2048 keys (current and next) and one P-256 key.
func jwBenchSet(b *testing.B) []byte {
	rsaPub := jwRFC7520(b, "3_3.rsa_public_key.json")
	return jwSet(b, jwWith(rsaPub, "kid", "current", "alg", "RS256"), jwWith(rsaPub, "kid", "next", "alg", "RS256"), jwECKey(b, "ec"))
}

func BenchmarkParseJWKS(b *testing.B) {
	data := jwBenchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseJWKS(data, "JWKS URL https://example.com/jwks"); err != nil {
			b.Fatal(err)
		}
	}
}
