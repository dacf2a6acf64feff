package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of ui/cli/testdata")

// run runs a command as main would: through Execute, with stdin and args.
func runMake(t *testing.T, cmd *cobra.Command, stdin string, args ...string) runResult {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	code := Execute(cmd, &errb)
	return runResult{code, out.String(), errb.String()}
}

func mustMake(t *testing.T, cmd *cobra.Command, stdin string, args ...string) runResult {
	t.Helper()
	r := runMake(t, cmd, stdin, args...)
	if r.code != ExitOK {
		t.Fatalf("%s %v: exit %d: %s", cmd.Name(), args, r.code, r.stderr)
	}
	return r
}

const mintNow = "2026-11-25T10:00:00Z"

// TestKeysNewMintVerifyRoundTrip makes a key for every algorithm with `keys new`, mints
// with `mint`, and verifies the token with go-jose directly against the JWKS `keys new`
// printed, then with `tokenbench verify`.
func TestKeysNewMintVerifyRoundTrip(t *testing.T) {
	for _, alg := range keys.GenerableAlgs {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			keyPath := filepath.Join(dir, "k.jwk")
			kn := mustMake(t, NewKeysCmd(), "", "new", "--alg", alg, "--out", keyPath)
			fi, err := os.Stat(keyPath)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("key file mode %v, %v", fi.Mode(), err)
			}
			if strings.Contains(kn.stdout, `"d"`) || strings.Contains(kn.stdout, `"k"`) {
				t.Fatalf("private material on stdout: %s", kn.stdout)
			}
			tok := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "--key", keyPath, "--iss", "https://iss.test/", "--aud", "https://api.test/", "--now", mintNow).stdout)

			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			verifyArgs := []string{"--alg", alg, "--now", mintNow, "--audience", "https://api.test/"}
			if strings.HasPrefix(alg, "HS") {
				if kn.stdout != "" {
					t.Fatalf("a JWKS for a secret: %s", kn.stdout)
				}
				sk, err := keys.LoadSigningKey(keyPath)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := jws.Verify(sk.Key); err != nil {
					t.Fatalf("go-jose: %v", err)
				}
				verifyArgs = append(verifyArgs, "--key", keyPath)
			} else {
				var set jose.JSONWebKeySet
				if err := json.Unmarshal([]byte(kn.stdout), &set); err != nil || len(set.Keys) != 1 {
					t.Fatalf("JWKS %q: %v", kn.stdout, err)
				}
				if _, err := jws.Verify(set.Keys[0].Key); err != nil {
					t.Fatalf("go-jose: %v", err)
				}
				if jws.Signatures[0].Header.KeyID != set.Keys[0].KeyID {
					t.Errorf("kid %q, JWKS kid %q", jws.Signatures[0].Header.KeyID, set.Keys[0].KeyID)
				}
				verifyArgs = append(verifyArgs, "--jwks", writeFile(t, "jwks.json", []byte(kn.stdout)))
			}
			r := runVerify(t, "", append(verifyArgs, tok)...)
			if r.code != ExitOK || !strings.HasPrefix(r.stdout, "valid\n") {
				t.Errorf("verify %v: exit %d\n%s%s", verifyArgs, r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestMintBadInput: every bad input is one line on stderr, exit 2, nothing on stdout.
func TestMintBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mustMake(t, NewKeysCmd(), "", "new", "--out", filepath.Join(dir, "es.jwk"))
	es := filepath.Join(dir, "es.jwk")
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024 := write("rsa1024.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}))
	pubDER, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	pub := write("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	jwks := write("jwks.json", []byte(mustMake(t, NewKeysCmd(), "", "show", es).stdout))
	secret := write("hs.key", []byte(strings.Repeat("s", 40)+"\n"))
	badJSON := write("bad.json", []byte(`{"sub":`))
	dup := write("dup.json", []byte(`{"sub":"a","sub":"b"}`))
	big := write("big.json", []byte(`{"pad":"`+strings.Repeat("x", tokens.MaxClaimsSize)+`"}`))
	array := write("array.json", []byte(`["a"]`))

	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"no key", nil, "", "no key: give --key PATH"},
		{"missing key file", []string{"--key", filepath.Join(dir, "nope.jwk")}, "", "nope.jwk: cannot open: no such file or directory"},
		{"public key", []string{"--key", pub}, "", "is a public key"},
		{"public JWKS", []string{"--key", jwks}, "", "is a JWK Set"},
		{"RSA 1024", []string{"--key", rsa1024}, "", "RSA key of 1024 bits is too small (minimum 2048 bits)"},
		{"unknown alg", []string{"--key", es, "--alg", "ES257"}, "", "unknown signature algorithm"},
		{"alg none", []string{"--key", es, "--alg", "none"}, "", `"none" is refused`},
		{"alg does not fit", []string{"--key", es, "--alg", "RS256"}, "", "the key is for ES256, not RS256"},
		{"secret with ES256", []string{"--secret-file", secret, "--alg", "ES256"}, "", "a shared secret signs only HS256"},
		{"secret too short for HS512", []string{"--secret-file", secret, "--alg", "HS512"}, "", "HS512 needs a secret of at least 64 bytes"},
		{"key and secret", []string{"--key", es, "--secret-file", secret}, "", "not both"},
		{"invalid claims JSON", []string{"--key", es, "--claims", badJSON}, "", "--claims " + badJSON + ": claims:"},
		{"claims from stdin invalid", []string{"--key", es, "--claims", "-"}, `{"a":tru}`, "--claims stdin: claims:"},
		{"duplicate claim names", []string{"--key", es, "--claims", dup}, "", `duplicate`},
		{"claims not an object", []string{"--key", es, "--claims", array}, "", "not a JSON object"},
		{"claims over 64 KiB", []string{"--key", es, "--claims", big}, "", "larger than 64 KiB"},
		{"claims file missing", []string{"--key", es, "--claims", filepath.Join(dir, "none.json")}, "", "cannot read"},
		{"invalid --set JSON", []string{"--key", es, "--set", `roles=["a"`}, "", "--set roles: value: starts like JSON but is not valid JSON"},
		{"duplicate in --set", []string{"--key", es, "--set", `o={"a":1,"a":2}`}, "", "duplicate"},
		{"--set without =", []string{"--key", es, "--set", "sub"}, "", "expected NAME=VALUE"},
		{"--set empty name", []string{"--key", es, "--set", "=x"}, "", "expected NAME=VALUE"},
		{"profile without client_id", []string{"--key", es, "--profile", "rfc9068", "--iss", "i", "--sub", "s", "--aud", "a"}, "", "missing [client_id]"},
		{"profile with typ JWT", []string{"--key", es, "--profile", "rfc9068", "--typ", "JWT"}, "", "RFC 9068 requires typ at+jwt"},
		{"unknown profile", []string{"--key", es, "--profile", "rfc1"}, "", "not known"},
		{"bad --now", []string{"--key", es, "--now", "yesterday"}, "", "--now"},
		{"--like not a token", []string{"--key", es, "--like", "a.b.c"}, "", "--like:"},
		{"--claims - and --like -", []string{"--key", es, "--claims", "-", "--like", "-"}, "", "cannot both read stdin"},
		{"stray argument", []string{"--key", es, "extra"}, "", "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMake(t, NewMintCmd(), tc.stdin, tc.args...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("exit %d stderr %q stdout %q\nwant exit 2, one line with %q, nothing on stdout", r.code, r.stderr, r.stdout, tc.want)
			}
		})
	}
}

func TestKeysNewNeverReplacesWithoutForce(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "k.jwk")
	jwksOut := filepath.Join(dir, "k.jwks")
	if err := os.WriteFile(out, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"existing --out", []string{"--out", out}, "already exists; pass --force"},
		{"existing --out with --jwks-out", []string{"--out", out, "--jwks-out", jwksOut}, "already exists"},
		{"no --out", nil, "--out PATH is required"},
		{"--out stdout", []string{"--out", "-"}, "private keys never go to stdout"},
		{"same file twice", []string{"--out", jwksOut, "--jwks-out", jwksOut}, "name the same file"},
		{"unknown alg", []string{"--out", jwksOut, "--alg", "RS1"}, "cannot make a key"},
		{"secret with --jwks-out", []string{"--out", filepath.Join(dir, "hs.jwk"), "--alg", "HS256", "--jwks-out", jwksOut}, "has no public JWKS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMake(t, NewKeysCmd(), "", append([]string{"new"}, tc.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Errorf("exit %d stderr %q stdout %q, want exit 2 with %q", r.code, r.stderr, r.stdout, tc.want)
			}
		})
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Errorf("--out replaced without --force: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files written by refused runs: %v", entries)
	}

	// An existing --jwks-out keeps the new private key from being written too.
	if err := os.WriteFile(jwksOut, []byte("old jwks"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.jwk")
	if r := runMake(t, NewKeysCmd(), "", "new", "--out", fresh, "--jwks-out", jwksOut); r.code != ExitUsage {
		t.Errorf("exit %d", r.code)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("the private key was written although its JWKS could not be")
	}

	r := mustMake(t, NewKeysCmd(), "", "new", "--out", out, "--jwks-out", jwksOut, "--force", "--kid", "mine")
	if r.stdout != "" {
		t.Errorf("stdout %q with --jwks-out", r.stdout)
	}
	key, err := keys.LoadSigningKey(out)
	if err != nil || key.KeyID != "mine" {
		t.Fatalf("--force did not replace: %v, %v", key, err)
	}
	show := mustMake(t, NewKeysCmd(), "", "show", out)
	if b, _ := os.ReadFile(jwksOut); string(b) != show.stdout {
		t.Errorf("--jwks-out %s\nkeys show %s", b, show.stdout)
	}
}

func TestKeysShowPEM(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	path := writeFile(t, "k.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	r := mustMake(t, NewKeysCmd(), "", "show", path)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.stdout), &set); err != nil || len(set.Keys) != 1 || !set.Keys[0].IsPublic() {
		t.Fatalf("%q: %v", r.stdout, err)
	}
	want, _ := tokens.Thumbprint(jose.JSONWebKey{Key: &k.PublicKey})
	if set.Keys[0].KeyID != want || strings.Contains(r.stdout, `"d"`) {
		t.Errorf("kid %q, want the thumbprint %q; output %s", set.Keys[0].KeyID, want, r.stdout)
	}
	tok := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "--key", path, "--now", mintNow).stdout)
	if r := runVerify(t, "", "--jwks", writeFile(t, "j.json", []byte(r.stdout)), "--now", mintNow, tok); r.code != ExitOK {
		t.Errorf("a token minted with a PEM key does not verify with `keys show`: %s", r.stdout)
	}
	secret := writeFile(t, "hs.key", []byte(strings.Repeat("z", 32)))
	if r := runMake(t, NewKeysCmd(), "", "show", secret); r.code != ExitUsage {
		t.Errorf("show of a raw secret: exit %d", r.code)
	}
}

// claimsOf returns a minted token's claims as compact JSON text.
func claimsOf(t *testing.T, raw string) string {
	t.Helper()
	tok, err := tokens.Parse(strings.TrimSpace(raw))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok.Payload)
}

func TestMintClaimsOrder(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k.jwk")
	mustMake(t, NewKeysCmd(), "", "new", "--alg", "EdDSA", "--out", key)
	claimsFile := writeFile(t, "c.json", []byte(`{"sub":"from-file","keep":1,"exp":1,"jti":"file-jti"}`))
	r := mustMake(t, NewMintCmd(), "", "--key", key, "--now", "1800000000", "--claims", claimsFile,
		"--sub", "from-flag", "--aud", "a1", "--aud", "a2", "--scope", "read write",
		"--set", "sub=from-set", "--set", "keep=", "--set", `n=7`, "--set", "s=plain text", "--set", `o={"x":[1]}`)
	want := `{"sub":"from-set","exp":1,"jti":"file-jti","iat":1800000000,"aud":["a1","a2"],"scope":"read write","n":7,"s":"plain text","o":{"x":[1]}}`
	if got := claimsOf(t, r.stdout); got != want {
		t.Errorf("claims %s\nwant   %s", got, want)
	}

	r = mustMake(t, NewMintCmd(), "", "--key", key, "--now", "1800000000", "--exp", "-5m", "--nbf", "1m", "--set", "jti=fixed")
	if got := claimsOf(t, r.stdout); got != `{"iat":1800000000,"exp":1799999700,"jti":"fixed","nbf":1800000060}` {
		t.Errorf("times %s", got)
	}

	// --like: the template's shape, times moved to now, a new jti, its extra header kept.
	like := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "--key", key, "--now", "1700000000", "--exp", "15m", "--typ", "at+jwt", "--set", "azp=web").stdout)
	r = mustMake(t, NewMintCmd(), "", "--key", key, "--now", "1800000000", "--like", like, "--json")
	var doc struct {
		Token  string            `json:"token"`
		Header map[string]any    `json:"header"`
		Claims map[string]any    `json:"claims"`
		Extra  map[string]string `json:"-"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Claims["iat"] != 1800000000.0 || doc.Claims["exp"] != 1800000900.0 || doc.Claims["azp"] != "web" || doc.Header["typ"] != "at+jwt" {
		t.Errorf("--like gave header %v claims %v", doc.Header, doc.Claims)
	}
	orig, _ := tokens.Parse(like)
	oldJTI, _ := orig.Claims.String("jti")
	if doc.Claims["jti"] == oldJTI || doc.Claims["jti"] == nil {
		t.Errorf("--like kept the template's jti %v", doc.Claims["jti"])
	}

	// --profile rfc9068 sets typ at+jwt and passes verify --profile rfc9068.
	r = mustMake(t, NewMintCmd(), "", "--key", key, "--now", mintNow, "--profile", "rfc9068", "--iss", "https://iss.test/", "--sub", "s", "--aud", "api", "--set", "client_id=c")
	jwks := writeFile(t, "j.json", []byte(mustMake(t, NewKeysCmd(), "", "show", key).stdout))
	if v := runVerify(t, "", "--jwks", jwks, "--profile", "rfc9068", "--now", mintNow, strings.TrimSpace(r.stdout)); v.code != ExitOK {
		t.Errorf("profile token: %s", v.stdout)
	}
}

func TestMintDPoPAndVerifyBinding(t *testing.T) {
	dir := t.TempDir()
	atKey, popKey, otherKey := filepath.Join(dir, "at.jwk"), filepath.Join(dir, "pop.jwk"), filepath.Join(dir, "other.jwk")
	jwks := filepath.Join(dir, "at.jwks")
	mustMake(t, NewKeysCmd(), "", "new", "--out", atKey, "--jwks-out", jwks)
	mustMake(t, NewKeysCmd(), "", "new", "--out", popKey, "--alg", "EdDSA")
	mustMake(t, NewKeysCmd(), "", "new", "--out", otherKey)
	popJKT, err := keys.LoadSigningKey(popKey)
	if err != nil {
		t.Fatal(err)
	}
	at := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "--key", atKey, "--now", mintNow, "--set", `cnf={"jkt":"`+popJKT.KeyID+`"}`).stdout)
	proof := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "dpop", "--key", popKey, "--htm", "GET", "--htu", "https://api.test/orders", "--ath-of", at, "--now", mintNow).stdout)
	otherProof := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "dpop", "--key", otherKey, "--htm", "GET", "--htu", "https://api.test/orders", "--ath-of", at, "--now", mintNow).stdout)

	base := []string{"--jwks", jwks, "--now", mintNow}
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		check string
	}{
		{"bound", []string{"--dpop-proof", proof, "--htm", "GET", "--htu", "https://api.test/orders"}, ExitOK, "pass  dpop binding"},
		{"wrong method", []string{"--dpop-proof", proof, "--htm", "POST"}, ExitInvalid, "fail  dpop htm"},
		{"wrong URL", []string{"--dpop-proof", proof, "--htu", "https://api.test/admin"}, ExitInvalid, "fail  dpop htu"},
		{"thumbprint mismatch", []string{"--dpop-proof", otherProof}, ExitInvalid, "fail  dpop binding"},
		{"stale proof", []string{"--dpop-proof", proof, "--now", "2026-11-25T10:10:00Z"}, ExitInvalid, "fail  dpop iat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runVerify(t, "", append(append(append([]string{}, base...), tc.args...), at)...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.check) {
				t.Errorf("exit %d, want %d with %q:\n%s%s", r.code, tc.code, tc.check, r.stdout, r.stderr)
			}
		})
	}
	if r := runVerify(t, "", "--jwks", jwks, "--htm", "GET", at); r.code != ExitUsage {
		t.Errorf("--htm without a proof: exit %d", r.code)
	}
	r := runMake(t, NewMintCmd(), "", "dpop", "--key", writeFile(t, "s.jwk", []byte(`{"kty":"oct","k":"`+strings.Repeat("A", 43)+`"}`)), "--htm", "GET", "--htu", "https://x.test/")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "asymmetric") {
		t.Errorf("proof with a secret: exit %d %s", r.code, r.stderr)
	}
}

// A token `mint` made says so wherever it is read: decode's text and JSON, and verify's
// text, name it "minted locally · key KID", as the workbench labels it; a provider's
// token is never called that.
func TestMintedTokensSayTheyWereMintedLocally(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k.jwk")
	jwks := mustMake(t, NewKeysCmd(), "", "new", "--kid", "test-kid-1", "--out", keyPath).stdout
	jwksPath := filepath.Join(dir, "k.jwks.json")
	if err := os.WriteFile(jwksPath, []byte(jwks), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "--key", keyPath, "--profile", "rfc9068", "--iss", "https://issuer.test/",
		"--sub", "alice", "--aud", "https://api.test/", "--set", "client_id=web").stdout)
	const label = "minted locally · key test-kid-1"

	if out := mustMake(t, NewDecodeCmd(), "", raw).stdout; !strings.Contains(out, label) {
		t.Errorf("decode does not say the token was minted locally:\n%s", out)
	}
	var doc struct {
		MintedLocally bool `json:"minted_locally"`
	}
	if err := json.Unmarshal([]byte(mustMake(t, NewDecodeCmd(), "", "--json", raw).stdout), &doc); err != nil || !doc.MintedLocally {
		t.Errorf("decode --json: minted_locally %v, %v", doc.MintedLocally, err)
	}
	// The marker breaks no profile check: the token is a valid RFC 9068 access token.
	v := mustMake(t, NewVerifyCmd(), "", "--jwks", jwksPath, "--issuer", "https://issuer.test/", "--audience", "https://api.test/",
		"--profile", "rfc9068", raw).stdout
	if !strings.HasPrefix(v, "valid") || !strings.Contains(v, label) {
		t.Errorf("verify:\n%s", v)
	}
	doc.MintedLocally = false
	if err := json.Unmarshal([]byte(mustMake(t, NewVerifyCmd(), "", "--jwks", jwksPath, "--json", raw).stdout), &doc); err != nil || !doc.MintedLocally {
		t.Errorf("verify --json: minted_locally %v, %v", doc.MintedLocally, err)
	}

	// A token signed elsewhere, with the same key and claims, is not called minted.
	other := strings.TrimSpace(mustMake(t, NewMintCmd(), "", "--key", keyPath, "--sub", "alice").stdout)
	tok, err := tokens.Parse(other)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.LoadSigningKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.Key, KeyID: "test-kid-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(tok.Payload)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := obj.CompactSerialize()
	if out := mustMake(t, NewDecodeCmd(), "", plain).stdout; strings.Contains(out, "minted locally") {
		t.Errorf("decode calls a token tokenbench did not sign minted:\n%s", out)
	}
	if out := mustMake(t, NewVerifyCmd(), "", "--jwks", jwksPath, "--json", plain).stdout; strings.Contains(out, "minted_locally") {
		t.Errorf("verify --json calls a token tokenbench did not sign minted:\n%s", out)
	}
}
