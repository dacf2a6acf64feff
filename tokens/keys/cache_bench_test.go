package keys

import (
	"context"
	"testing"
)

// A provider-sized set: two RSA-2048 keys (current and next) and one P-256 key.
func jwBenchSet(b *testing.B) []byte {
	rsaPub := jwRFC7520(b, "3_3.rsa_public_key.json")
	return jwSet(b, jwWith(rsaPub, "kid", "current", "alg", "RS256"), jwWith(rsaPub, "kid", "next", "alg", "RS256"), jwECKey(b, "ec"))
}

// BenchmarkCacheIssuerKeysWarm is what verify or the UI pays per token once the
// discovery document and key set are in memory: no request, a copy of the key list.
func BenchmarkCacheIssuerKeysWarm(b *testing.B) {
	stub := newJWStub(b)
	stub.serveIssuer(b)
	stub.serve("/jwks", jwBenchSet(b))
	c := &Cache{}
	ctx := context.Background()
	if _, err := c.IssuerKeys(ctx, stub.url, "current"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.IssuerKeys(ctx, stub.url, "current"); err != nil {
			b.Fatal(err)
		}
	}
	if n := stub.count("/jwks"); n != 1 {
		b.Fatalf("%d JWKS requests", n)
	}
}

// BenchmarkCacheIssuerKeysDisk is a new process's first lookup: both documents read and
// checked from the disk cache, no request.
func BenchmarkCacheIssuerKeysDisk(b *testing.B) {
	stub := newJWStub(b)
	stub.serveIssuer(b)
	stub.serve("/jwks", jwBenchSet(b))
	dir := b.TempDir()
	ctx := context.Background()
	if _, err := (&Cache{Dir: dir}).IssuerKeys(ctx, stub.url, "current"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (&Cache{Dir: dir}).IssuerKeys(ctx, stub.url, "current"); err != nil {
			b.Fatal(err)
		}
	}
	if n := stub.count("/jwks"); n != 1 {
		b.Fatalf("%d JWKS requests", n)
	}
}
