package cli

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

var (
	vkOnce          sync.Once
	vkSign, vkOther *rsa.PrivateKey
	vkEnc           *rsa.PrivateKey
)

func verifyKeys(t *testing.T) {
	t.Helper()
	vkOnce.Do(func() {
		vkSign, _ = rsa.GenerateKey(rand.Reader, 2048)
		vkOther, _ = rsa.GenerateKey(rand.Reader, 2048)
		vkEnc, _ = rsa.GenerateKey(rand.Reader, 2048)
	})
}

// The tests run at a fixed time, passed with --now.
const vNow = "2026-11-25T12:00:00Z"

var vNowUnix = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).Unix()

func rs256(t *testing.T, key *rsa.PrivateKey, header, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

func hs256(header, claims string, secret []byte) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(input))
	m := h.Sum(nil)
	return input + "." + enc.EncodeToString(m)
}

func claims(iss string, expIn int64, extra string) string {
	c := map[string]any{"iss": iss, "sub": "u1", "aud": "api://default", "exp": vNowUnix + expIn, "iat": vNowUnix - 60}
	b, _ := json.Marshal(c)
	s := string(b)
	if extra != "" {
		s = s[:len(s)-1] + "," + extra + "}"
	}
	return s
}

func jwksJSON(t *testing.T, pub *rsa.PublicKey, kid string) []byte {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: kid, Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// provider is an OpenID provider on 127.0.0.1 serving discovery and a JWKS, counting hits.
type provider struct {
	*httptest.Server
	hits atomic.Int32
}

func newProvider(t *testing.T, pub *rsa.PublicKey, kid string) *provider {
	p := &provider{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": p.URL, "jwks_uri": p.URL + "/jwks"})
		case "/jwks":
			w.Write(jwksJSON(t, pub, kid))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

type runResult struct {
	code           int
	stdout, stderr string
}

// runVerify runs the verify command as main would, with a private cache directory.
func runVerify(t *testing.T, stdin string, args ...string) runResult {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cmd := NewVerifyCmd()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	code := Execute(cmd, &errb)
	return runResult{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pubPEM(t *testing.T, pub *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func TestVerifyKeySources(t *testing.T) {
	verifyKeys(t)
	prov := newProvider(t, &vkSign.PublicKey, "k1")
	good := rs256(t, vkSign, `{"alg":"RS256","kid":"k1","typ":"at+jwt"}`, claims(prov.URL, 3600, `"client_id":"c","jti":"j"`))
	jwksPath := writeFile(t, "jwks.json", jwksJSON(t, &vkSign.PublicKey, "k1"))
	pemPath := writeFile(t, "pub.pem", pubPEM(t, &vkSign.PublicKey))
	secret := []byte("0123456789abcdef0123456789abcdef-secret")
	secretPath := writeFile(t, "hs.key", secret)
	hsTok := hs256(`{"alg":"HS256"}`, claims(prov.URL, 3600, ""), secret)
	scoped := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(prov.URL, 3600, `"scope":"read:orders","permissions":["read:orders"]`))

	cases := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout []string
	}{
		{"jwks file", "", []string{"--jwks", jwksPath, "--now", vNow, good}, 0, []string{"valid · audience not checked", "JWKS file " + jwksPath}},
		{"jwks URL", "", []string{"--jwks", prov.URL + "/jwks", "--now", vNow, good}, 0, []string{"valid · audience not checked", "JWKS URL " + prov.URL + "/jwks"}},
		{"issuer discovery", "", []string{"--issuer", prov.URL, "--audience", "api://default", "--profile", "rfc9068", "--now", vNow, good}, 0,
			[]string{"valid\n", "discovery " + prov.URL + "/.well-known/openid-configuration", "pass  iss", "pass  aud", "pass  jti"}},
		{"issuer mismatch", "", []string{"--issuer", prov.URL, "--now", vNow, rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(prov.URL+"/", 3600, ""))}, 1, []string{"fail  iss"}},
		{"key PEM from stdin with Bearer", "Bearer " + good + "\n", []string{"--key", pemPath, "--now", vNow, "-"}, 0, []string{"valid · audience not checked", "key file " + pemPath}},
		{"secret file needs --alg", "", []string{"--secret-file", secretPath, "--now", vNow, hsTok}, 1, []string{"alg HS256 is not allowed"}},
		{"secret file with --alg HS256", "", []string{"--secret-file", secretPath, "--alg", "HS256", "--audience", "api://default", "--now", vNow, hsTok}, 0, []string{"valid\n", "secret file " + secretPath, "pass  aud"}},
		{"wrong key", "", []string{"--key", writeFile(t, "other.pem", pubPEM(t, &vkOther.PublicKey)), "--now", vNow, good}, 1, []string{"fail  signature"}},
		{"expired", "", []string{"--jwks", jwksPath, "--now", vNow, rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", -3600, ""))}, 1, []string{"fail  exp"}},
		{"expired within leeway", "", []string{"--jwks", jwksPath, "--now", vNow, rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", -30, ""))}, 0, []string{"warn  exp"}},
		{"--leeway 0", "", []string{"--jwks", jwksPath, "--leeway", "0", "--now", vNow, rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", -30, ""))}, 1, []string{"fail  exp"}},
		{"--now as Unix seconds", "", []string{"--jwks", jwksPath, "--now", "1795608000", good}, 0, []string{"valid · audience not checked"}},
		{"--issuer with --jwks: expected issuer, keys from the file", "", []string{"--issuer", prov.URL, "--jwks", jwksPath, "--now", vNow, good}, 0, []string{"pass  iss", "JWKS file " + jwksPath}},
		{"--audience wrong", "", []string{"--jwks", jwksPath, "--audience", "https://api.shop.test/", "--now", vNow, good}, 1, []string{"invalid: aud: is api://default; expected https://api.shop.test/", "fail  aud"}},
		{"--scope granted", "", []string{"--jwks", jwksPath, "--scope", "read:orders", "--now", vNow, scoped}, 0, []string{"pass  scope", "grants read:orders"}},
		{"--scope missing", "", []string{"--jwks", jwksPath, "--scope", "read:orders", "--scope", "write:orders", "--now", vNow, scoped}, 1, []string{"fail  scope         missing write:orders (has read:orders)"}},
		{"--signature-only on a non-JSON payload", "", []string{"--jwks", jwksPath, "--signature-only", rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, "hello")}, 0, []string{"skip  claims"}},
		{"--require and --typ", "", []string{"--jwks", jwksPath, "--now", vNow, "--require", "scope", "--typ", "JWT", good}, 1, []string{"fail  typ", "fail  scope"}},
		{"--alg allow-list", "", []string{"--jwks", jwksPath, "--now", vNow, "--alg", "PS256", good}, 1, []string{"alg RS256 is not allowed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

func TestVerifyNoKeySourceIsUnverifiedAndFetchesNothing(t *testing.T) {
	verifyKeys(t)
	prov := newProvider(t, &vkSign.PublicKey, "k1")
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1","jku":"`+prov.URL+`/jwks"}`, claims(prov.URL, 3600, ""))
	r := runVerify(t, "", "--now", vNow, tok)
	if r.code != ExitInvalid || !strings.HasPrefix(r.stdout, "unverified") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "no key source given") || !strings.Contains(r.stderr, "pass --issuer to fetch its keys") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if n := prov.hits.Load(); n != 0 {
		t.Errorf("verify fetched %d times from a URL only the token named", n)
	}
}

func TestVerifyJSON(t *testing.T) {
	verifyKeys(t)
	jwksPath := writeFile(t, "jwks.json", jwksJSON(t, &vkSign.PublicKey, "k1"))
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", 3600, ""))
	r := runVerify(t, "", "--jwks", jwksPath, "--now", vNow, "--json", tok)
	var doc struct {
		Verdict string `json:"verdict"`
		Kind    string `json:"kind"`
		Key     struct {
			Kid, Kty, Source string
		} `json:"key"`
		Checks []struct{ Name, Status, Reason string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.code, err, r.stdout)
	}
	if doc.Verdict != "valid" || doc.Kind != "JWS" || doc.Key.Kid != "k1" || doc.Key.Source != "JWKS file "+jwksPath || len(doc.Checks) < 8 {
		t.Errorf("%+v", doc)
	}
}

func TestVerifyJWE(t *testing.T) {
	verifyKeys(t)
	jwksPath := writeFile(t, "jwks.json", jwksJSON(t, &vkSign.PublicKey, "k1"))
	inner := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", 3600, ""))
	e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &vkEnc.PublicKey},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := e.Encrypt([]byte(inner))
	jwe, _ := obj.CompactSerialize()
	der, _ := x509.MarshalPKCS8PrivateKey(vkEnc)
	decPath := writeFile(t, "enc.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))

	r := runVerify(t, "", "--jwks", jwksPath, "--decrypt-key", decPath, "--now", vNow, jwe)
	if r.code != 0 || !strings.Contains(r.stdout, "pass  jwe decrypt") || !strings.Contains(r.stdout, "decryption key file "+decPath) {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runVerify(t, "", "--jwks", jwksPath, "--decrypt-key", decPath, "--jwe-alg", "RSA-OAEP", "--now", vNow, jwe)
	if r.code != 1 || !strings.Contains(r.stdout, "fail  jwe algorithm") {
		t.Fatalf("--jwe-alg allow-list: exit %d:\n%s", r.code, r.stdout)
	}
	r = runVerify(t, "", "--jwks", jwksPath, "--now", vNow, jwe)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "unverified") {
		t.Fatalf("no decryption key: exit %d:\n%s", r.code, r.stdout)
	}
}

func TestVerifyUsageAndIOErrors(t *testing.T) {
	verifyKeys(t)
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", 3600, ""))
	pemPath := writeFile(t, "pub.pem", pubPEM(t, &vkSign.PublicKey))
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
		report bool // the report is still printed
	}{
		{"alg none", []string{"--alg", "none", tok}, "cannot be allowed", false},
		{"unknown alg", []string{"--alg", "RS1", tok}, "unknown signature algorithm", false},
		{"unknown jwe alg", []string{"--jwe-alg", "RSA-OAEP-1", tok}, "unknown JWE key algorithm", false},
		{"unknown profile", []string{"--profile", "rfc0000", tok}, "--profile", false},
		{"bad --now", []string{"--now", "yesterday", tok}, "--now", false},
		{"negative leeway", []string{"--leeway", "-1s", tok}, "--leeway", false},
		{"bad leeway", []string{"--leeway", "soon", tok}, "leeway", false},
		{"unknown flag", []string{"--insecure", tok}, "unknown flag", false},
		{"tenant and issuer", []string{"--tenant", "a", "--issuer", "https://x/", tok}, "not both", false},
		{"unreadable key", []string{"--key", filepath.Join(t.TempDir(), "missing.pem"), tok}, "missing.pem", true},
		{"unreadable decrypt key", []string{"--decrypt-key", filepath.Join(t.TempDir(), "missing.pem"), tok}, "missing.pem", false},
		{"unreachable JWKS URL, other source still used", []string{"--jwks", deadURL + "/jwks", "--key", pemPath, "--now", vNow, tok}, deadURL, true},
		{"unreachable issuer, no other source", []string{"--issuer", deadURL, "--now", vNow, tok}, deadURL, true},
		{"scope with a space", []string{"--jwks", pemPath, "--scope", "read write", tok}, "one scope per flag", false},
		{"insecure JWKS URL", []string{"--jwks", "http://example.com/jwks", tok}, "https", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, "", tc.args...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, want 2 with %q on stderr\nstdout:\n%s\nstderr:\n%s", r.code, tc.stderr, r.stdout, r.stderr)
			}
			if got := r.stdout != ""; got != tc.report {
				t.Errorf("report printed: %v, want %v\n%s", got, tc.report, r.stdout)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") > 3 {
				t.Errorf("diagnostics should be short:\n%s", r.stderr)
			}
		})
	}
}

func TestVerifyTenant(t *testing.T) {
	verifyKeys(t)
	prov := newProvider(t, &vkSign.PublicKey, "k1")
	cfg := writeFile(t, "config.toml", []byte("version = 1\n\n[tenants.dev]\nkind = 'oidc'\nissuer = '"+prov.URL+"'\nclient_id = 'c'\naudience = 'api://default'\n"))
	t.Setenv("TOKENBENCH_CONFIG", cfg)
	good := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(prov.URL, 3600, ""))
	r := runVerify(t, "", "--tenant", "dev", "--now", vNow, good)
	if r.code != 0 || !strings.Contains(r.stdout, "pass  iss") || !strings.Contains(r.stdout, "pass  aud") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runVerify(t, "", "--tenant", "nope", "--now", vNow, good)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "nope") {
		t.Fatalf("unknown tenant: exit %d:\n%s", r.code, r.stderr)
	}
}

// TestVerifyBinaryOversizedStdin runs the built binary on a token over the 64 KiB cap.
func TestVerifyBinaryOversizedStdin(t *testing.T) {
	bin := builtBinary(t)
	cmd := exec.Command(bin, "verify", "-")
	cmd.Stdin = strings.NewReader("eyJ" + strings.Repeat("A", 200<<10))
	if r := runProcess(t, cmd); r.code != ExitInvalid || !strings.Contains(r.stderr, "larger than the 64 KiB limit") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestVerifyIssuerWithJWKSDialsNothing: --issuer names the expected issuer; with --jwks
// given it is not a key source, so an unreachable issuer costs no connection at all.
func TestVerifyIssuerWithJWKSDialsNothing(t *testing.T) {
	verifyKeys(t)
	const issuer = "https://issuer.unreachable.test/"
	jwksPath := writeFile(t, "jwks.json", jwksJSON(t, &vkSign.PublicKey, "k1"))
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(issuer, 3600, ""))
	var dials atomic.Int32
	dialer := &http.Transport{DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		t.Errorf("verify dialled %s %s", network, addr)
		return nil, errors.New("no network in this test")
	}}
	o := &verifyOpts{cache: &keys.Cache{Client: keys.NewHTTPClient(dialer)}}
	cmd := newVerifyCmd(o)
	var out, errb bytes.Buffer
	cmd.SetArgs([]string{"--issuer", issuer, "--jwks", jwksPath, "--audience", "api://default", "--now", vNow, "--json", tok})
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if code := Execute(cmd, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s\n%s", code, out.String(), errb.String())
	}
	var doc struct {
		Verdict         string `json:"verdict"`
		AudienceChecked bool   `json:"audience_checked"`
		Checks          []struct{ Name, Status string }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != "valid" || !doc.AudienceChecked || dials.Load() != 0 {
		t.Errorf("verdict %s, audience_checked %v, %d dials", doc.Verdict, doc.AudienceChecked, dials.Load())
	}
	for _, c := range doc.Checks {
		if c.Name == "iss" && c.Status != "pass" {
			t.Errorf("iss %s: --issuer must still be the expected issuer", c.Status)
		}
	}
	// Without an explicit source the same issuer is the key source: it is dialled (and
	// fails, exit 2) — the transport above proves the first call made no attempt.
	cmd = newVerifyCmd(&verifyOpts{cache: &keys.Cache{Client: keys.NewHTTPClient(&http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("refused") },
	})}})
	out.Reset()
	errb.Reset()
	cmd.SetArgs([]string{"--issuer", issuer, "--now", vNow, tok})
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if code := Execute(cmd, &errb); code != ExitUsage || !strings.Contains(errb.String(), "refused") {
		t.Errorf("discovery only: exit %d, stderr %s", code, errb.String())
	}
}

func TestVerifyAudienceCheckedJSON(t *testing.T) {
	verifyKeys(t)
	jwksPath := writeFile(t, "jwks.json", jwksJSON(t, &vkSign.PublicKey, "k1"))
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims("x", 3600, ""))
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{nil, `"audience_checked": false`, 0},
		{[]string{"--audience", "api://default"}, `"audience_checked": true`, 0},
		{[]string{"--audience", "api://other"}, `"audience_checked": true`, 1},
	} {
		r := runVerify(t, "", append(append([]string{"--jwks", jwksPath, "--now", vNow, "--json"}, tc.args...), tok)...)
		if r.code != tc.code || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%v: exit %d, want %d with %s:\n%s", tc.args, r.code, tc.code, tc.want, r.stdout)
		}
	}
}

func TestVerifyTextWrapsOnlyToAWidth(t *testing.T) {
	rep := &tokens.Report{Verdict: tokens.VerdictInvalid, Checks: []tokens.Check{{Name: "aud", Status: tokens.StatusFail,
		Reason: "is https://api.other.test/, https://dev-abc.us.auth0.com/userinfo; expected https://api.shop.test/"}}}
	var whole, wrapped bytes.Buffer
	writeReport(&whole, rep, "invalid: aud", 0)
	if strings.Count(whole.String(), "\n") != 2 || !strings.Contains(whole.String(), rep.Checks[0].Reason) {
		t.Errorf("width 0 (a pipe) changed the lines:\n%s", whole.String())
	}
	writeReport(&wrapped, rep, "invalid: aud", 50)
	rows := strings.Split(strings.TrimSuffix(wrapped.String(), "\n"), "\n")
	if len(rows) < 3 {
		t.Fatalf("not wrapped:\n%s", wrapped.String())
	}
	for _, r := range rows {
		if len([]rune(r)) > 50 {
			t.Errorf("row over 50 columns: %q", r)
		}
	}
	for _, r := range rows[2:] {
		if !strings.HasPrefix(r, strings.Repeat(" ", 22)) {
			t.Errorf("continuation not under the reason column: %q", r)
		}
	}
	if strings.Join(strings.Fields(wrapped.String()), "") != strings.Join(strings.Fields(whole.String()), "") {
		t.Errorf("wrapping lost text:\n%s", wrapped.String())
	}
}

func TestVerifyAuth0OpaqueTokens(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	jwe := enc([]byte(`{"alg":"dir","enc":"A256GCM","iss":"https://dev-abc.us.auth0.com/"}`)) + ".." +
		enc([]byte("twelve-byte!")) + "." + enc([]byte("ciphertext-bytes")) + "." + enc([]byte("sixteen-byte-tag"))
	r := runVerify(t, "", "--now", vNow, jwe)
	if r.code != ExitInvalid || !strings.HasPrefix(r.stdout, "unverified: an opaque access token") ||
		!strings.Contains(r.stdout, "names no audience") || strings.Contains(r.stdout+r.stderr, "--decrypt-key") {
		t.Errorf("JWE for the issuer itself: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runVerify(t, "", "--now", vNow, "--json", jwe)
	if !strings.Contains(r.stdout, `"opaque": true`) {
		t.Errorf("JSON lacks opaque:\n%s", r.stdout)
	}
	r = runVerify(t, "", "--now", vNow, "k2Xj0c9QeVbN3mUp7RtY1wZa")
	if r.code != ExitInvalid || !strings.HasPrefix(r.stdout, "unverified: an opaque token, not a JWT") || !strings.Contains(r.stdout, "skip  structure     not a JWT but an opaque access token") ||
		!strings.Contains(r.stdout, "/userinfo") || strings.Contains(r.stderr, "no key source") {
		t.Errorf("bare opaque string: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// An --issuer next to --key, --jwks or --secret-file is only the expected iss: the keys
// come from the file, so an offline check needs no network and the issuer is not asked.
func TestVerifyIssuerWithKeyFileFetchesNothing(t *testing.T) {
	verifyKeys(t)
	prov := newProvider(t, &vkSign.PublicKey, "k1")
	tok := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(prov.URL, 3600, ""))
	pemPath := writeFile(t, "pub.pem", pubPEM(t, &vkSign.PublicKey))
	jwksPath := writeFile(t, "jwks.json", jwksJSON(t, &vkSign.PublicKey, "k1"))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"key file, issuer matches", []string{"--key", pemPath, "--issuer", prov.URL}, 0, "pass  iss"},
		{"jwks file, issuer matches", []string{"--jwks", jwksPath, "--issuer", prov.URL}, 0, "pass  iss"},
		{"key file, issuer differs", []string{"--key", pemPath, "--issuer", prov.URL + "/other"}, ExitInvalid, "fail  iss"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := prov.hits.Load()
			r := runVerify(t, "", append(tc.args, "--now", vNow, tok)...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.want) {
				t.Fatalf("exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, tc.want, r.stdout, r.stderr)
			}
			if n := prov.hits.Load() - before; n != 0 {
				t.Errorf("verify asked the issuer %d times although a key file was given", n)
			}
		})
	}
}

// Text that is no token at all is named for what it is, as decode does, not reported as
// a JWT with one part that was cut off in copying.
func TestVerifyNotATokenSaysWhatItIs(t *testing.T) {
	verifyKeys(t)
	pemPath := writeFile(t, "pub.pem", pubPEM(t, &vkSign.PublicKey))
	cases := []struct {
		name, stdin, summary, stderr string
	}{
		{"empty", "", "invalid: not a token: input is empty", ""},
		{"binary", "\xff\xfe\x00garbage", "invalid: not a token: input is not valid UTF-8 text", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, tc.stdin, "--key", pemPath, "--now", vNow, "-")
			first, _, _ := strings.Cut(r.stdout, "\n")
			if r.code != ExitInvalid || !strings.HasPrefix(first, tc.summary) || strings.Contains(r.stdout, "cut off") {
				t.Fatalf("exit %d, want 1 and a first line starting %q\nstdout:\n%s\nstderr:\n%s", r.code, tc.summary, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
		})
	}
}

// verify --tenant reads tenants from --config, like get, token and tenants do, so a
// tenant saved with `tenants add --config PATH` can be used to verify.
func TestVerifyTenantFromConfigFlag(t *testing.T) {
	verifyKeys(t)
	prov := newProvider(t, &vkSign.PublicKey, "k1")
	cfg := writeFile(t, "config.toml", []byte("version = 1\n\n[tenants.dev]\nkind = 'oidc'\nissuer = '"+prov.URL+"'\nclient_id = 'c'\naudience = 'api://default'\n"))
	t.Setenv("TOKENBENCH_CONFIG", filepath.Join(t.TempDir(), "none.toml"))
	good := rs256(t, vkSign, `{"alg":"RS256","kid":"k1"}`, claims(prov.URL, 3600, ""))
	r := runVerify(t, "", "--config", cfg, "--tenant", "dev", "--now", vNow, good)
	if r.code != 0 || !strings.Contains(r.stdout, "pass  iss") || !strings.Contains(r.stdout, "pass  aud") {
		t.Fatalf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// An empty policy value, as `--audience "$AUD"` gives when AUD is unset, is a usage error,
// not a token that fails a check against "".
func TestVerifyEmptyPolicyValuesAreUsageErrors(t *testing.T) {
	verifyKeys(t)
	pemPath := writeFile(t, "pub.pem", pubPEM(t, &vkSign.PublicKey))
	tok := rs256(t, vkSign, `{"alg":"RS256"}`, claims("x", 3600, ""))
	for _, flag := range []string{"--audience", "--require", "--typ"} {
		t.Run(flag, func(t *testing.T) {
			r := runVerify(t, "", "--key", pemPath, "--now", vNow, flag, "", tok)
			if r.code != ExitUsage || !strings.Contains(r.stderr, flag) || r.stdout != "" {
				t.Fatalf("exit %d, want 2 naming %s\nstdout:\n%s\nstderr:\n%s", r.code, flag, r.stdout, r.stderr)
			}
		})
	}
}
