package tokens

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Decryption keys are separate from signature keys, as in real deployments.
var (
	decRSA *rsa.PrivateKey
	decEC  *ecdsa.PrivateKey
	decDir = []byte("0123456789abcdef0123456789abcdef")
)

func decKeys(t testing.TB) []Key {
	t.Helper()
	if decRSA == nil {
		var err error
		if decRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
		if decEC, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	return []Key{
		{JWK: jose.JSONWebKey{Key: decRSA, KeyID: "enc-rsa"}, Origin: OriginKeyFile, Source: "decryption key file rsa.pem"},
		{JWK: jose.JSONWebKey{Key: decEC, KeyID: "enc-ec"}, Origin: OriginKeyFile, Source: "decryption key file ec.pem"},
		{JWK: jose.JSONWebKey{Key: decDir, KeyID: "enc-dir"}, Origin: OriginKeyFile, Source: "decryption key file dir.jwk"},
	}
}

// encrypt wraps plaintext in a compact JWE for the recipient key.
func encrypt(t testing.TB, alg jose.KeyAlgorithm, enc jose.ContentEncryption, key any, kid, cty string, zip bool, plaintext string) string {
	t.Helper()
	opts := &jose.EncrypterOptions{}
	if cty != "" {
		opts = opts.WithContentType(jose.ContentType(cty))
	}
	if zip {
		opts.Compression = jose.DEFLATE
	}
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: key, KeyID: kid}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jwePolicy(t testing.TB) Policy {
	p := basePolicy()
	p.DecryptionKeys = decKeys(t)
	return p
}

func TestJWENestedValid(t *testing.T) {
	inner := jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), signer(t, "ES256"))
	decKeys(t)
	for _, tc := range []struct {
		alg jose.KeyAlgorithm
		enc jose.ContentEncryption
		key any
		kid string
	}{
		{jose.RSA_OAEP_256, jose.A256GCM, &decRSA.PublicKey, "enc-rsa"},
		{jose.RSA_OAEP, jose.A128CBC_HS256, &decRSA.PublicKey, ""},
		{jose.ECDH_ES_A128KW, jose.A128GCM, &decEC.PublicKey, "enc-ec"},
		{jose.ECDH_ES, jose.A256CBC_HS512, &decEC.PublicKey, ""},
		{jose.DIRECT, jose.A256GCM, decDir, "enc-dir"},
	} {
		t.Run(string(tc.alg)+"/"+string(tc.enc), func(t *testing.T) {
			tok := encrypt(t, tc.alg, tc.enc, tc.key, tc.kid, "JWT", false, inner)
			rep := Validate(tok, jwePolicy(t), publicKeys(t))
			if !rep.Valid() || rep.Kind != JWE {
				t.Fatalf("want valid JWE:\n%s", rep)
			}
			d, _ := rep.Check(CheckJWEDecrypt)
			sig, _ := rep.Check(CheckSignature)
			if d.Key == nil || !strings.HasPrefix(d.Key.Source, "decryption key file") || sig.Key == nil || sig.Key.Kid != "p256" {
				t.Errorf("both layers must name their keys: %+v / %+v", d.Key, sig.Key)
			}
			if rep.Token == nil || rep.Token.Kind != JWS || rep.Alg != "ES256" {
				t.Errorf("report token must be the nested JWS, alg %q", rep.Alg)
			}
		})
	}
}

func TestJWERefusals(t *testing.T) {
	decKeys(t)
	inner := jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), signer(t, "ES256"))
	rsaPub := &decRSA.PublicKey
	pbesTok := encrypt(t, jose.PBES2_HS256_A128KW, jose.A128GCM, []byte("password"), "", "JWT", false, inner)
	cases := []struct {
		name   string
		token  string
		policy func(*Policy)
		check  string
		inWhy  string
	}{
		{"RSA1_5 by default", encrypt(t, jose.RSA1_5, jose.A128GCM, rsaPub, "", "JWT", false, inner), nil, CheckJWEAlgorithm, "RSA1_5 is refused by default"},
		{"PBES2 by default", pbesTok, nil, CheckJWEAlgorithm, "PBES2-HS256+A128KW is refused by default"},
		{"A128KW not in the default list", encrypt(t, jose.A128KW, jose.A128GCM, decDir[:16], "", "JWT", false, inner), nil, CheckJWEAlgorithm, "not allowed"},
		{"enc not allowed", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, inner), func(p *Policy) { p.JWEEncryptions = []string{"A256GCM"} }, CheckJWEEncryption, "not allowed"},
		{"zip", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", true, inner), nil, CheckJWEHeader, "zip"},
		{"no cty", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "", false, inner), nil, CheckJWEPayload, "cty is missing"},
		{"cty json", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "json", false, inner), nil, CheckJWEPayload, "only a nested signed JWT"},
		{"payload not a JWS", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, `{"sub":"x"}`), nil, CheckJWEPayload, "not a compact signed JWT"},
		{"nested unsigned", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, jws(`{"alg":"none"}`, claimsAt(""), func([]byte) []byte { return nil })), nil, CheckAlgorithm, "never accepted"},
		{"wrong key", encrypt(t, jose.RSA_OAEP, jose.A128GCM, &testRSA.PublicKey, "", "JWT", false, inner), nil, CheckJWEDecrypt, "wrong key"},
		{"kid unknown", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "nope", "JWT", false, inner), nil, CheckJWEKey, "no configured decryption key has kid nope"},
		{"key of the wrong type", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "enc-ec", "JWT", false, inner), nil, CheckJWEKey, "an EC key cannot decrypt RSA-OAEP"},
		{"key alg mismatch", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, inner), func(p *Policy) {
			p.DecryptionKeys = []Key{{JWK: jose.JSONWebKey{Key: decRSA, Algorithm: "RSA-OAEP-256"}}}
		}, CheckJWEKey, "key alg is RSA-OAEP-256"},
		{"key use sig", encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, inner), func(p *Policy) {
			p.DecryptionKeys = []Key{{JWK: jose.JSONWebKey{Key: decRSA, Use: "sig"}}}
		}, CheckJWEKey, `not "enc"`},
		{"empty encrypted key", emptyEncryptedKey(t, encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, inner)), nil, CheckJWEHeader, "encrypted key is empty"},
		{"huge p2c even when PBES2 is allowed", withHeader(t, pbesTok, `"p2c":2000000000`), func(p *Policy) {
			p.JWEKeyAlgorithms = []string{"PBES2-HS256+A128KW"}
			p.DecryptionKeys = []Key{{JWK: jose.JSONWebKey{Key: []byte("password")}}}
		}, CheckJWEHeader, "p2c 2000000000 is outside"},
		{"unknown crit", withHeader(t, encrypt(t, jose.RSA_OAEP, jose.A128GCM, rsaPub, "", "JWT", false, inner), `"crit":["exp"],"exp":1`), nil, CheckJWEHeader, "not understood"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := jwePolicy(t)
			if tc.policy != nil {
				tc.policy(&p)
			}
			start := time.Now()
			rep := Validate(tc.token, p, publicKeys(t))
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v", el) // a bound on work, not a timing assertion on the happy path
			}
			c, _ := rep.Check(tc.check)
			if rep.Verdict != VerdictInvalid || c.Status != StatusFail || !strings.Contains(c.Reason, tc.inWhy) {
				t.Errorf("%s: %+v, want fail containing %q\n%s", tc.check, c, tc.inWhy, rep)
			}
		})
	}
}

func TestJWEAllowedExplicitly(t *testing.T) {
	decKeys(t)
	inner := jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), signer(t, "ES256"))
	p := jwePolicy(t)
	p.JWEKeyAlgorithms = []string{"RSA1_5"}
	tok := encrypt(t, jose.RSA1_5, jose.A128GCM, &decRSA.PublicKey, "", "JWT", false, inner)
	if rep := Validate(tok, p, publicKeys(t)); !rep.Valid() {
		t.Fatalf("RSA1_5 allowed explicitly must decrypt:\n%s", rep)
	}
	p.JWEKeyAlgorithms = []string{"PBES2-HS256+A128KW"}
	p.DecryptionKeys = []Key{{JWK: jose.JSONWebKey{Key: []byte("password")}, Source: "password file"}}
	tok = encrypt(t, jose.PBES2_HS256_A128KW, jose.A128GCM, []byte("password"), "", "JWT", false, inner)
	if rep := Validate(tok, p, publicKeys(t)); !rep.Valid() {
		t.Fatalf("PBES2 allowed explicitly must decrypt:\n%s", rep)
	}
}

func TestJWEWithoutDecryptionKeyIsUnverified(t *testing.T) {
	decKeys(t)
	tok := encrypt(t, jose.RSA_OAEP, jose.A128GCM, &decRSA.PublicKey, "", "JWT", false, "a.b.c")
	rep := Validate(tok, basePolicy(), publicKeys(t))
	if rep.Verdict != VerdictUnverified || status(rep, CheckJWEKey) != StatusSkip {
		t.Fatalf("no decryption key:\n%s", rep)
	}
}

// TestJWEInvalidCurvePoint proves an ephemeral key off the curve is refused before any
// key agreement, by the header check and by go-jose on its own.
func TestJWEInvalidCurvePoint(t *testing.T) {
	decKeys(t)
	tok := encrypt(t, jose.ECDH_ES_A128KW, jose.A128GCM, &decEC.PublicKey, "", "JWT", false, "a.b.c")
	parts := strings.Split(tok, ".")
	hdr, _ := b64.DecodeString(parts[0])
	var h map[string]any
	json.Unmarshal(hdr, &h)
	epk := h["epk"].(map[string]any)
	y, _ := b64.DecodeString(epk["y"].(string))
	y[len(y)-1] ^= 1 // (x, y') is not on P-256
	epk["y"] = b64.EncodeToString(y)
	hdr, _ = json.Marshal(h)
	parts[0] = b64.EncodeToString(hdr)
	bad := strings.Join(parts, ".")
	rep := Validate(bad, jwePolicy(t), publicKeys(t))
	c, _ := rep.Check(CheckJWEHeader)
	if c.Status != StatusFail || !strings.Contains(c.Reason, "not on declared curve") || status(rep, CheckJWEDecrypt) != StatusSkip {
		t.Fatalf("invalid-curve epk: %+v\n%s", c, rep)
	}
	// go-jose on its own refuses the point as well (it checks before key agreement).
	obj, err := jose.ParseEncryptedCompact(bad, []jose.KeyAlgorithm{jose.ECDH_ES_A128KW}, []jose.ContentEncryption{jose.A128GCM})
	if err == nil {
		if _, err = obj.Decrypt(decEC); err == nil {
			t.Fatal("go-jose decrypted with an off-curve epk")
		}
	}
}

// emptyEncryptedKey removes the encrypted key part.
func emptyEncryptedKey(t testing.TB, tok string) string {
	parts := strings.Split(tok, ".")
	parts[1] = ""
	return strings.Join(parts, ".")
}

// withHeader adds members to the protected header (breaking the tag, which does not
// matter: the checks under test run before decryption).
func withHeader(t testing.TB, tok, members string) string {
	parts := strings.Split(tok, ".")
	hdr, _ := b64.DecodeString(parts[0])
	var h map[string]json.RawMessage
	json.Unmarshal(hdr, &h)
	var extra map[string]json.RawMessage
	if err := json.Unmarshal([]byte("{"+members+"}"), &extra); err != nil {
		t.Fatal(err)
	}
	for k, v := range extra {
		h[k] = v
	}
	hdr, _ = json.Marshal(h)
	parts[0] = b64.EncodeToString(hdr)
	return strings.Join(parts, ".")
}

func TestParseDecryptionKeys(t *testing.T) {
	decKeys(t)
	dir := t.TempDir()
	der, _ := x509.MarshalPKCS8PrivateKey(decRSA)
	pkcs8 := filepath.Join(dir, "rsa.pem")
	os.WriteFile(pkcs8, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	ecDER, _ := x509.MarshalECPrivateKey(decEC)
	ecPath := filepath.Join(dir, "ec.pem")
	os.WriteFile(ecPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), 0o600)
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: decDir, KeyID: "d"})
	jwkPath := filepath.Join(dir, "dir.jwk")
	os.WriteFile(jwkPath, jwk, 0o600)
	pubDER, _ := x509.MarshalPKIXPublicKey(&decRSA.PublicKey)
	pubPath := filepath.Join(dir, "pub.pem")
	os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600)
	setPath := filepath.Join(dir, "set.json")
	os.WriteFile(setPath, []byte(`{"keys":[{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA","kid":"x","key_ops":["unwrapKey"]}]}`), 0o600)

	for _, tc := range []struct {
		path, kty string
	}{{pkcs8, "*rsa.PrivateKey"}, {ecPath, "*ecdsa.PrivateKey"}, {jwkPath, "[]uint8"}, {setPath, "[]uint8"}} {
		keys, err := parseDecryptionFile(t, tc.path)
		if err != nil || len(keys) != 1 || !strings.HasPrefix(keys[0].Source, "decryption key file ") {
			t.Fatalf("%s: %v %+v", tc.path, err, keys)
		}
		if got := typeName(keys[0].JWK.Key); got != tc.kty {
			t.Errorf("%s: key type %s, want %s", tc.path, got, tc.kty)
		}
	}
	keys, _ := parseDecryptionFile(t, setPath)
	if len(keys[0].KeyOps) != 1 || keys[0].KeyOps[0] != "unwrapKey" {
		t.Errorf("key_ops not kept: %+v", keys[0].KeyOps)
	}
	for _, bad := range []string{pubPath} {
		if _, err := parseDecryptionFile(t, bad); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

// parseDecryptionFile reads a key file the test wrote and parses it as the CLI's
// --decrypt-key does (tokens/keys adds only the reading).
func parseDecryptionFile(t *testing.T, path string) ([]Key, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ParseDecryptionKeys(data, "decryption key file "+path)
}

func typeName(v any) string {
	switch v.(type) {
	case *rsa.PrivateKey:
		return "*rsa.PrivateKey"
	case *ecdsa.PrivateKey:
		return "*ecdsa.PrivateKey"
	case []byte:
		return "[]uint8"
	}
	return "other"
}

func TestJWEKidlessDecryptionKey(t *testing.T) {
	decKeys(t)
	inner := jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), signer(t, "ES256"))
	tok := encrypt(t, jose.RSA_OAEP, jose.A128GCM, &decRSA.PublicKey, "enc-2026", "JWT", false, inner)
	p := jwePolicy(t)
	p.DecryptionKeys = []Key{{JWK: jose.JSONWebKey{Key: decRSA}, Source: "decryption key file enc.pem"}}
	rep := Validate(tok, p, publicKeys(t))
	if c, _ := rep.Check(CheckJWEKey); !rep.Valid() || !strings.Contains(c.Reason, "kid enc-2026 not found; decryption key fits") {
		t.Fatalf("a key without a kid must decrypt a token naming any kid:\n%s", rep)
	}
}
