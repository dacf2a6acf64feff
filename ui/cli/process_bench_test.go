package cli

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// The whole-process benchmarks time what a script pays per call: exec, Go start-up with
// every package initialiser of the one binary, reading the token, and the output. DESIGN's
// target is a median of at most 15 ms and faster than Debian's C `jose`; each benchmark
// reports its median as ms-median next to the mean ns/op.

// BenchmarkDecodeProcess runs the shipped build's `decode` on an RS256 access token.
func BenchmarkDecodeProcess(b *testing.B) {
	bin := builtBinary(b)
	tok, _ := processBenchToken(b)
	benchProcess(b, bin, "decode", tok)
}

// BenchmarkDecodeJSONProcess is BenchmarkDecodeProcess with --json.
func BenchmarkDecodeJSONProcess(b *testing.B) {
	bin := builtBinary(b)
	tok, _ := processBenchToken(b)
	benchProcess(b, bin, "decode", "--json", tok)
}

// BenchmarkDecodeVsJoseProcess runs `decode` and the yardstick of DESIGN's start-up target
// in pairs on the same token: testdata/josedecode, the least a static Go program does to
// decode a JWS with go-jose (parse, print header and claims). Running the two in turn, in
// alternating order, exposes both to the same load on a shared machine; the reported ratio
// is the median of the per-pair ratios (target ≤ 1.25).
func BenchmarkDecodeVsJoseProcess(b *testing.B) {
	bin := builtBinary(b)
	jose := filepath.Join(b.TempDir(), "josedecode")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", jose, "./testdata/josedecode")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the go-jose decoder: %v\n%s", err, out)
	}
	tok, _ := processBenchToken(b)
	decode := []string{bin, "decode", tok}
	yardstick := []string{jose, tok}
	for _, argv := range [][]string{decode, yardstick} {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", argv[0], err, out)
		}
	}
	var ours, theirs, ratios []float64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		first, second := decode, yardstick
		if i%2 == 1 {
			first, second = second, first
		}
		t1, t2 := runOnce(b, first), runOnce(b, second)
		if i%2 == 1 {
			t1, t2 = t2, t1
		}
		ours, theirs, ratios = append(ours, t1), append(theirs, t2), append(ratios, t1/t2)
	}
	b.StopTimer()
	b.ReportMetric(median(ours), "decode-ms")
	b.ReportMetric(median(theirs), "jose-ms")
	b.ReportMetric(median(ratios), "ratio")
}

// runOnce runs argv and returns its wall time in milliseconds, failing on a non-zero exit.
func runOnce(b *testing.B, argv []string) float64 {
	cmd := exec.Command(argv[0], argv[1:]...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", argv[0], err)
	}
	return float64(time.Since(start)) / float64(time.Millisecond)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkJoseVerifyProcess is the yardstick: Debian's `jose jws ver` checking the same
// token's signature. It is skipped where jose is not installed (apt install jose).
func BenchmarkJoseVerifyProcess(b *testing.B) {
	josePath, err := exec.LookPath("jose")
	if err != nil {
		b.Skip("jose is not installed (apt install jose)")
	}
	tok, pub := processBenchToken(b)
	dir := b.TempDir()
	tokFile, keyFile := filepath.Join(dir, "token.jws"), filepath.Join(dir, "key.jwk")
	if err := os.WriteFile(tokFile, []byte(tok), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pub, 0o600); err != nil {
		b.Fatal(err)
	}
	benchProcess(b, josePath, "jws", "ver", "-i", tokFile, "-k", keyFile)
}

// processBenchToken signs an Auth0-shaped RS256 access token with a fresh 2048-bit key and
// returns it with the public key as a JWK.
func processBenchToken(b *testing.B) (string, []byte) {
	b.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{
		"iss": "https://tenant.example/", "sub": "auth0|6650f1c0ffee", "aud": "https://api.example/",
		"iat": now, "exp": now + 3600, "scope": "openid profile read:orders",
		"azp": "k3mpl3Client", "gty": "client-credentials", "permissions": []string{"read:orders"},
	})
	enc := base64.RawURLEncoding.EncodeToString
	input := enc([]byte(`{"alg":"RS256","typ":"at+jwt","kid":"bench-1"}`)) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		b.Fatal(err)
	}
	pub, err := json.Marshal(jose.JSONWebKey{Key: &key.PublicKey, KeyID: "bench-1", Algorithm: "RS256", Use: "sig"})
	if err != nil {
		b.Fatal(err)
	}
	return input + "." + enc(sig), pub
}

// benchProcess runs bin with args once per iteration, failing on a non-zero exit so that a
// fast failure is never timed as a fast success, and reports the median wall time.
func benchProcess(b *testing.B, bin string, args ...string) {
	b.Helper()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s: %v", bin, err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/float64(time.Millisecond), "ms-median")
}
