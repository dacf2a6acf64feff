package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"
)

// The benchmarks compare three things for each algorithm:
//
//	Raw*    the standard library's verify call on pre-decoded input (hash + verify),
//	Verify* the validator's signature path on the raw token string (strict parse, header,
//	        algorithm, key selection, signature): SignatureOnly,
//	Report* the full report (structure, signature and every claim check).
//
// Targets (DESIGN.md): Verify ≤ 1.15× Raw, Report ≤ 1.5× Raw. Each benchmark also reports
// cpu-ns/op, the process CPU time per operation (GC included), which a busy machine does
// not inflate the way it inflates wall time.

// cpuMeter reports cpu-ns/op for the timed loop of b.
type cpuMeter struct {
	b     *testing.B
	start int64
}

func startCPU(b *testing.B) cpuMeter {
	b.ReportAllocs()
	b.ResetTimer()
	return cpuMeter{b, processCPU()}
}

func (m cpuMeter) stop() {
	m.b.StopTimer()
	m.b.ReportMetric(float64(processCPU()-m.start)/float64(m.b.N), "cpu-ns/op")
}

func benchToken(b *testing.B, alg, kid string) (string, []byte, []byte) {
	tok := jws(`{"alg":"`+alg+`","kid":"`+kid+`","typ":"at+jwt"}`, claimsAt(`"scope":"read write","azp":"c1"`), signer(b, alg))
	i := strings.LastIndexByte(tok, '.')
	sig, _ := b64.DecodeString(tok[i+1:])
	return tok, []byte(tok[:i]), sig
}

func benchValidator(b *testing.B, signatureOnly bool) *Validator {
	p := Policy{Issuer: "https://issuer.example/", Audiences: []string{"api://default"}, Now: fixedNow,
		Profile: ProfileRFC9068, SignatureOnly: signatureOnly}
	return NewValidator(p, publicKeys(b))
}

func benchValidate(b *testing.B, alg, kid string, signatureOnly bool) {
	tok, _, _ := benchToken(b, alg, kid)
	v := benchValidator(b, signatureOnly)
	if rep := v.Validate(tok); !rep.Valid() {
		b.Fatalf("benchmark token invalid:\n%s", rep)
	}
	m := startCPU(b)
	defer m.stop()
	for i := 0; i < b.N; i++ {
		if rep := v.Validate(tok); rep.Verdict != VerdictValid {
			b.Fatal(rep.Summary())
		}
	}
}

func BenchmarkRawRS256(b *testing.B) {
	_, input, sig := benchToken(b, "RS256", "rsa1")
	pub := &testRSA.PublicKey
	m := startCPU(b)
	defer m.stop()
	for i := 0; i < b.N; i++ {
		d := sha256.Sum256(input)
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) != nil {
			b.Fatal("bad signature")
		}
	}
}

func BenchmarkRawES256(b *testing.B) {
	_, input, sig := benchToken(b, "ES256", "p256")
	pub := &testP256.PublicKey
	// The fastest standard-library call: the signature already in ASN.1 form.
	der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])})
	m := startCPU(b)
	defer m.stop()
	for i := 0; i < b.N; i++ {
		d := sha256.Sum256(input)
		if !ecdsa.VerifyASN1(pub, d[:], der) {
			b.Fatal("bad signature")
		}
	}
}

func BenchmarkRawEdDSA(b *testing.B) {
	_, input, sig := benchToken(b, "EdDSA", "ed")
	pub := testEd.Public().(ed25519.PublicKey)
	m := startCPU(b)
	defer m.stop()
	for i := 0; i < b.N; i++ {
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("bad signature")
		}
	}
}

func BenchmarkVerifyRS256(b *testing.B) { benchValidate(b, "RS256", "rsa1", true) }
func BenchmarkVerifyES256(b *testing.B) { benchValidate(b, "ES256", "p256", true) }
func BenchmarkVerifyEdDSA(b *testing.B) { benchValidate(b, "EdDSA", "ed", true) }
func BenchmarkReportRS256(b *testing.B) { benchValidate(b, "RS256", "rsa1", false) }
func BenchmarkReportES256(b *testing.B) { benchValidate(b, "ES256", "p256", false) }
func BenchmarkReportEdDSA(b *testing.B) { benchValidate(b, "EdDSA", "ed", false) }

// BenchmarkParseOnly is the strict parse of the benchmark token: the bulk of what the
// validator adds to the raw crypto call.
func BenchmarkParseOnly(b *testing.B) {
	tok, _, _ := benchToken(b, "ES256", "p256")
	m := startCPU(b)
	defer m.stop()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPaired* interleave the raw call, the signature path and the full report in
// every iteration and time each one, then report the medians and their ratios. On a
// shared machine this is the robust figure: preemption lands in the tail of whichever
// call it hits, and the median ignores it, while load drift hits all three alike.
func BenchmarkPairedRS256(b *testing.B) { benchPaired(b, "RS256", "rsa1") }
func BenchmarkPairedES256(b *testing.B) { benchPaired(b, "ES256", "p256") }
func BenchmarkPairedEdDSA(b *testing.B) { benchPaired(b, "EdDSA", "ed") }

func benchPaired(b *testing.B, alg, kid string) {
	tok, input, sig := benchToken(b, alg, kid)
	raw := rawVerifier(b, alg, input, sig)
	verify, report := benchValidator(b, true), benchValidator(b, false)
	durs := [3][]time.Duration{}
	for i := range durs {
		durs[i] = make([]time.Duration, 0, b.N)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		raw()
		t1 := time.Now()
		r1 := verify.Validate(tok)
		t2 := time.Now()
		r2 := report.Validate(tok)
		t3 := time.Now()
		if !r1.Valid() || !r2.Valid() {
			b.Fatal("benchmark token invalid")
		}
		durs[0] = append(durs[0], t1.Sub(t0))
		durs[1] = append(durs[1], t2.Sub(t1))
		durs[2] = append(durs[2], t3.Sub(t2))
	}
	b.StopTimer()
	med := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2])
	}
	r, v, p := med(durs[0]), med(durs[1]), med(durs[2])
	b.ReportMetric(r, "raw-ns/op")
	b.ReportMetric(v, "verify-ns/op")
	b.ReportMetric(p, "report-ns/op")
	b.ReportMetric(v/r, "verify/raw")
	b.ReportMetric(p/r, "report/raw")
}

// rawVerifier returns the standard library's verify call for alg on pre-decoded input,
// as in the Raw* benchmarks.
func rawVerifier(b *testing.B, alg string, input, sig []byte) func() {
	switch alg {
	case "RS256":
		return func() {
			d := sha256.Sum256(input)
			if rsa.VerifyPKCS1v15(&testRSA.PublicKey, crypto.SHA256, d[:], sig) != nil {
				b.Fatal("bad signature")
			}
		}
	case "ES256":
		der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])})
		return func() {
			d := sha256.Sum256(input)
			if !ecdsa.VerifyASN1(&testP256.PublicKey, d[:], der) {
				b.Fatal("bad signature")
			}
		}
	}
	pub := testEd.Public().(ed25519.PublicKey)
	return func() {
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("bad signature")
		}
	}
}
