package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hangUp is a loopback listener that accepts and at once closes every connection: a key
// source that cannot be reached.
func hangUp(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}

// A key source that could not be reached says nothing about the signature: the verdict
// is "unverified" with exit 2, never "invalid".
func TestVerifyUnreachableKeySourceIsUnverified(t *testing.T) {
	verifyKeys(t)
	down := hangUp(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(down, 3600, ""))
	for _, args := range [][]string{
		{"--issuer", down},
		{"--jwks", down + "/jwks"},
		{"--jwks", failing.URL + "/jwks"},
		{"--key", filepath.Join(t.TempDir(), "missing.pem")},
	} {
		r := runVerify(t, "", append(args, "--now", vNow, tok)...)
		if r.code != ExitUsage || !strings.HasPrefix(r.stdout, "unverified: no key source could be read") {
			t.Errorf("%v: exit %d, report %q, stderr %q; want unverified and exit 2", args, r.code, r.stdout, r.stderr)
		}
		r = runVerify(t, "", append(args, "--now", vNow, "--json", tok)...)
		var doc struct{ Verdict string }
		if r.code != ExitUsage || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Verdict != "unverified" {
			t.Errorf("%v --json: exit %d, %q", args, r.code, r.stdout)
		}
	}
}

// With two key sources of which one cannot be reached, a token whose key is not among
// the keys that were read is unverified (exit 2): its key may be in the unread source.
// A key that was read and verifies it still makes it valid.
func TestVerifyPartlyUnreachableKeySources(t *testing.T) {
	verifyKeys(t)
	down := hangUp(t)
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("https://issuer.example", 3600, ""))
	other := writeFile(t, "other.pem", pubPEM(t, &vkOther.PublicKey))
	right := writeFile(t, "right.pem", pubPEM(t, &vkSign.PublicKey))
	otherJWKS := writeFile(t, "other.json", jwksJSON(t, &vkOther.PublicKey, "k2"))
	for _, tc := range []struct {
		name    string
		args    []string
		verdict string
	}{
		{"another key without a kid", []string{"--jwks", down + "/jwks", "--key", other}, "unverified"},
		{"another kid", []string{"--jwks", otherJWKS, "--key", filepath.Join(t.TempDir(), "missing.pem")}, "unverified"},
		{"the right key", []string{"--jwks", down + "/jwks", "--key", right}, "valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, "", append(tc.args, "--now", vNow, tok)...)
			if r.code != ExitUsage || !strings.HasPrefix(r.stdout, tc.verdict) {
				t.Errorf("exit %d, report:\n%s\nstderr %q; want %s and exit 2", r.code, r.stdout, r.stderr, tc.verdict)
			}
			if tc.verdict == "unverified" && !strings.Contains(r.stdout, "a key source could not be read") {
				t.Errorf("the report does not say why it is unverified:\n%s", r.stdout)
			}
			r = runVerify(t, "", append(tc.args, "--now", vNow, "--json", tok)...)
			var doc struct{ Verdict string }
			if r.code != ExitUsage || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Verdict != tc.verdict {
				t.Errorf("--json: exit %d, %q", r.code, r.stdout)
			}
		})
	}
}

// A read-only config file is refused in one line, exit 2, and left exactly as it was.
func TestReadOnlyConfigCLI(t *testing.T) {
	env, _ := setupCLI(t)
	cfg := env.path
	mustRun(t, env, "", "add", "pub", "--issuer", "https://id.example.com/", "--client-id", "c", "--public", "--no-discovery")
	if err := os.Chmod(cfg, 0o400); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(cfg)
	for _, args := range [][]string{
		{"add", "dev", "--issuer", "https://id.example.com/", "--client-id", "c", "--public", "--no-discovery"},
		{"edit", "pub", "--audience", "https://api/"},
		{"use", "pub"},
		{"rm", "pub", "--yes"},
	} {
		r := runTenants(t, env, "", args...)
		wantFail(t, r, ExitUsage, "is read-only (mode 0400)")
		if !strings.Contains(r.stderr, "chmod u+w") || strings.Contains(r.stderr, "store:") {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
		after, _ := os.ReadFile(cfg)
		fi, _ := os.Stat(cfg)
		if !bytes.Equal(after, before) || fi.Mode().Perm() != 0o400 {
			t.Errorf("%v changed the config (mode %04o)", args, fi.Mode().Perm())
		}
	}
}

// Key source flags whose value is not what they take get a reason that says so: a word
// that is no file, a URL of another scheme, a key too small to be trusted.
func TestVerifyKeySourceMistakes(t *testing.T) {
	verifyKeys(t)
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("https://issuer.example", 3600, ""))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	smallPEM := writeFile(t, "small.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	t.Chdir(t.TempDir()) // "pem" names no file here
	for _, tc := range []struct {
		name            string
		args            []string
		stderr, summary string // summary "" means no report
	}{
		{"a bare word for --jwks", []string{"--jwks", "pem"},
			"tokenbench: --jwks pem: no such file; --jwks takes a JWKS file path or an https URL\n", "unverified: no key source could be read, the signature was not checked"},
		{"ftp --jwks", []string{"--jwks", "ftp://keys.example/jwks.json"},
			"tokenbench: --jwks ftp://keys.example/jwks.json: ftp:// URLs are not supported; --jwks takes a JWKS file path or an https URL\n", ""},
		{"ftp --issuer", []string{"--issuer", "ftp://issuer.example"},
			"tokenbench: --issuer ftp://issuer.example: ftp:// URLs are not supported; --issuer takes an https URL\n", ""},
		{"file URL for --key", []string{"--key", "file:///etc/key.pem"},
			"tokenbench: --key file:///etc/key.pem: file:// URLs are not supported; --key takes a file path (PEM or JWK)\n", ""},
		{"RSA 1024 --key", []string{"--key", smallPEM},
			"tokenbench: --key " + smallPEM + ": no usable key: PEM block 0 (PUBLIC KEY): RSA key of 1024 bits is too small (minimum 2048 bits)\n",
			"unverified: --key " + smallPEM + ": no usable key: PEM block 0 (PUBLIC KEY): RSA key of 1024 bits is too small (minimum 2048 bits); the signature was not checked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, "", append(tc.args, "--now", vNow, tok)...)
			if r.code != ExitUsage || r.stderr != tc.stderr {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.stderr)
			}
			if first, _, _ := strings.Cut(r.stdout, "\n"); first != tc.summary {
				t.Errorf("report starts %q, want %q", first, tc.summary)
			}
		})
	}
}
