package tokens

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// hs256With signs with HMAC-SHA256 keyed by secret: the key-confusion attack, where the
// attacker uses public key material as the HMAC secret.
func hs256With(secret []byte) func([]byte) []byte {
	return func(msg []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(msg)
		return m.Sum(nil)
	}
}

func noSig([]byte) []byte { return nil }

// TestAttacks runs each attack against a validator configured as a user would: public
// keys from a JWKS, default algorithms unless stated. Every attack must be refused with a
// one-line reason from the named check, quickly, and never panic.
func TestAttacks(t *testing.T) {
	keys(t)
	pkix, _ := x509.MarshalPKIXPublicKey(&testRSA.PublicKey)
	pemPKIX := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	pkcs1 := x509.MarshalPKCS1PublicKey(&testRSA.PublicKey)
	pemPKCS1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})
	jwkJSON, _ := json.Marshal(jose.JSONWebKey{Key: &testRSA.PublicKey, KeyID: "rsa1"})
	nBytes := testRSA.N.Bytes()
	rs := signer(t, "RS256")
	es := signer(t, "ES256")
	now := testNow.Unix()

	// A server that counts requests: jku/x5u must never be fetched.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()

	psychic := func(r, s []byte) func([]byte) []byte {
		return func([]byte) []byte { return append(append([]byte{}, r...), s...) }
	}
	zero := make([]byte, 32)
	n256 := testP256.Curve.Params().N.FillBytes(make([]byte, 32))
	derSig := func(msg []byte) []byte {
		raw := es(msg)
		der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:])})
		return der
	}
	attackerKey := `{"kty":"EC","crv":"P-256","x":"` + b64.EncodeToString(testP256.X.Bytes()) + `","y":"` + b64.EncodeToString(testP256.Y.Bytes()) + `"}`
	secret := func(b []byte) *KeySet {
		return &KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: b}, Origin: OriginSecretFile, Source: "secret file s"}}}
	}
	hsAllowed := func(p *Policy) { p.Algorithms = []string{"RS256", "HS256"} }

	cases := []struct {
		name   string
		token  string
		keys   *KeySet // nil: the JWKS of publicKeys (P-256 key removed where noted)
		noKeys bool
		policy func(*Policy)
		check  string
		inWhy  string
	}{
		// alg none, in every casing, with and without a kid or signature, with and without keys.
		{"alg none", jws(`{"alg":"none"}`, claimsAt(""), noSig), nil, false, nil, CheckAlgorithm, "never accepted"},
		{"alg None", jws(`{"alg":"None"}`, claimsAt(""), noSig), nil, false, nil, CheckAlgorithm, "never accepted"},
		{"alg NONE", jws(`{"alg":"NONE"}`, claimsAt(""), noSig), nil, false, nil, CheckAlgorithm, "never accepted"},
		{"alg nOnE", jws(`{"alg":"nOnE"}`, claimsAt(""), noSig), nil, false, nil, CheckAlgorithm, "never accepted"},
		{"alg none with kid", jws(`{"alg":"none","kid":"rsa1"}`, claimsAt(""), noSig), nil, false, nil, CheckAlgorithm, "never accepted"},
		{"alg none with a signature", jws(`{"alg":"none"}`, claimsAt(""), rs), nil, false, nil, CheckAlgorithm, "never accepted"},
		{"alg none without keys", jws(`{"alg":"none"}`, claimsAt(""), noSig), nil, true, nil, CheckAlgorithm, "never accepted"},
		{"alg none allowed by policy", jws(`{"alg":"none"}`, claimsAt(""), noSig), nil, false, func(p *Policy) { p.Algorithms = []string{"none"} }, CheckAlgorithm, "never accepted"},
		{"alg missing", jws(`{"kid":"rsa1"}`, claimsAt(""), rs), nil, false, nil, CheckAlgorithm, "no alg"},
		{"alg not a string", jws(`{"alg":["RS256"]}`, claimsAt(""), rs), nil, false, nil, CheckAlgorithm, "not a string"},
		{"empty signature", jws(`{"alg":"RS256","kid":"rsa1"}`, claimsAt(""), noSig), nil, false, nil, CheckSignature, "RSA signature is 0 bytes"},

		// HS256 keyed with the RSA public key, in several encodings.
		{"HS256 with PEM PKIX, default policy", jws(`{"alg":"HS256","kid":"rsa1"}`, claimsAt(""), hs256With(pemPKIX)), nil, false, nil, CheckAlgorithm, "not allowed"},
		{"HS256 with PEM PKIX, HS256 allowed", jws(`{"alg":"HS256","kid":"rsa1"}`, claimsAt(""), hs256With(pemPKIX)), nil, false, hsAllowed, CheckKey, "RSA key cannot verify HS256"},
		{"HS256 with PEM PKCS1, no kid", jws(`{"alg":"HS256"}`, claimsAt(""), hs256With(pemPKCS1)), nil, false, hsAllowed, CheckKey, "none of the 5 configured keys can verify HS256"},
		{"HS256 with DER", jws(`{"alg":"HS256","kid":"rsa1"}`, claimsAt(""), hs256With(pkix)), nil, false, hsAllowed, CheckKey, "cannot verify HS256"},
		{"HS256 with JWK JSON", jws(`{"alg":"HS256","kid":"rsa1"}`, claimsAt(""), hs256With(jwkJSON)), nil, false, hsAllowed, CheckKey, "cannot verify HS256"},
		{"HS256 with n bytes", jws(`{"alg":"HS256","kid":"rsa1"}`, claimsAt(""), hs256With(nBytes)), nil, false, hsAllowed, CheckKey, "cannot verify HS256"},
		{"HS256 with PEM as a secret file", jws(`{"alg":"HS256"}`, claimsAt(""), hs256With(pemPKIX)), secret(pemPKIX), false, hsAllowed, CheckKey, "looks like a public key"},
		{"HS256 with DER as a secret file", jws(`{"alg":"HS256"}`, claimsAt(""), hs256With(pkix)), secret(pkix), false, hsAllowed, CheckKey, "looks like a public key"},
		{"HS256 with JWK as a secret file", jws(`{"alg":"HS256"}`, claimsAt(""), hs256With(jwkJSON)), secret(jwkJSON), false, hsAllowed, CheckKey, "looks like a public key"},

		// Keys carried by the token are never used or fetched.
		{"embedded jwk of the attacker", jws(`{"alg":"ES256","jwk":`+attackerKey+`}`, claimsAt(""), signer(t, "ES256")), &KeySet{Keys: publicKeys(t).Keys[:1]}, false, nil, CheckKey, "none of the 1 configured keys can verify ES256"},
		{"jku to the attacker", jws(`{"alg":"RS256","kid":"evil","jku":"`+srv.URL+`/jwks"}`, claimsAt(""), rs), nil, false, nil, CheckKey, "no configured key has kid evil"},
		{"x5u to the attacker", jws(`{"alg":"RS256","kid":"evil","x5u":"`+srv.URL+`/cert"}`, claimsAt(""), rs), nil, false, nil, CheckKey, "no configured key has kid evil"},
		{"x5c chain", jws(`{"alg":"RS256","kid":"evil","x5c":["MIIB"]}`, claimsAt(""), rs), nil, false, nil, CheckKey, "no configured key has kid evil"},

		// kid is an exact lookup, nothing more.
		{"kid path traversal", jws(`{"alg":"RS256","kid":"../../../../dev/null"}`, claimsAt(""), rs), nil, false, nil, CheckKey, `no configured key has kid ../../../../dev/null`},
		{"kid SQL-ish", jws(`{"alg":"RS256","kid":"' OR '1'='1"}`, claimsAt(""), rs), nil, false, nil, CheckKey, `no configured key has kid "' OR '1'='1"`},
		{"kid null byte", jws(`{"alg":"RS256","kid":"rsa1\u0000"}`, claimsAt(""), rs), nil, false, nil, CheckKey, `kid "rsa1\u0000"`},
		{"kid case", jws(`{"alg":"RS256","kid":"RSA1"}`, claimsAt(""), rs), nil, false, nil, CheckKey, "no configured key has kid RSA1"},
		{"kid with newline forging a report line", jws(`{"alg":"RS256","kid":"x\npass  signature: verified"}`, claimsAt(""), rs), nil, false, nil, CheckKey, `kid "x\npass`},

		// crit.
		{"crit unknown", jws(`{"alg":"RS256","kid":"rsa1","crit":["exp"],"exp":1}`, claimsAt(""), rs), nil, false, nil, CheckHeader, "crit extension exp is not understood"},
		{"crit absent member", jws(`{"alg":"RS256","kid":"rsa1","crit":["x"]}`, claimsAt(""), rs), nil, false, nil, CheckHeader, "which the header does not have"},
		{"crit empty", jws(`{"alg":"RS256","kid":"rsa1","crit":[]}`, claimsAt(""), rs), nil, false, nil, CheckHeader, "crit is empty"},
		{"crit registered", jws(`{"alg":"RS256","kid":"rsa1","crit":["alg"]}`, claimsAt(""), rs), nil, false, nil, CheckHeader, "registered parameter alg"},
		{"crit not an array", jws(`{"alg":"RS256","kid":"rsa1","crit":"x","x":1}`, claimsAt(""), rs), nil, false, nil, CheckHeader, "not an array"},
		{"crit b64", jws(`{"alg":"RS256","kid":"rsa1","crit":["b64"],"b64":false}`, claimsAt(""), rs), nil, false, nil, CheckHeader, "b64"},

		// ECDSA signature forms.
		{"psychic r=s=0", jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), psychic(zero, zero)), nil, false, nil, CheckSignature, "psychic"},
		{"psychic r=s=n", jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), psychic(n256, n256)), nil, false, nil, CheckSignature, "psychic"},
		{"psychic r=0", jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), func(m []byte) []byte { return append(append([]byte{}, zero...), es(m)[32:]...) }), nil, false, nil, CheckSignature, "psychic"},
		{"DER ECDSA", jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), derSig), nil, false, nil, CheckSignature, "DER-encoded"},
		{"ECDSA too short", jws(`{"alg":"ES256","kid":"p256"}`, claimsAt(""), func(m []byte) []byte { return es(m)[:63] }), nil, false, nil, CheckSignature, "63 bytes; ES256 needs 64"},
		{"ES256 signature on ES384 header", jws(`{"alg":"ES384","kid":"p384"}`, claimsAt(""), es), nil, false, nil, CheckSignature, "ES384 needs 96"},

		// Times, issuer, audience, profile.
		{"exp at the leeway edge", jws(`{"alg":"ES256"}`, `{"exp":`+jsonNum(now-60)+`}`, es), nil, false, nil, "exp", "beyond the 1m0s leeway"},
		{"nbf past the leeway", jws(`{"alg":"ES256"}`, `{"nbf":`+jsonNum(now+61)+`}`, es), nil, false, nil, "nbf", "not valid until"},
		{"iat in the future", jws(`{"alg":"ES256"}`, `{"iat":`+jsonNum(now+86400)+`}`, es), nil, false, nil, "iat", "issued in the future"},
		{"exp as a string", jws(`{"alg":"ES256"}`, `{"exp":"9999999999"}`, es), nil, false, nil, "exp", "not a string"},
		{"issuer with a trailing slash", jws(`{"alg":"ES256"}`, `{"iss":"https://issuer.example"}`, es), nil, false, func(p *Policy) { p.Issuer = "https://issuer.example/" }, "iss", "trailing slash"},
		{"issuer lookalike", jws(`{"alg":"ES256"}`, `{"iss":"https://issuer.example.evil/"}`, es), nil, false, func(p *Policy) { p.Issuer = "https://issuer.example/" }, "iss", "expected"},
		{"audience of another API", jws(`{"alg":"ES256"}`, `{"aud":["api://other"]}`, es), nil, false, func(p *Policy) { p.Audiences = []string{"api://default"} }, "aud", "expected api://default"},
		{"RFC 9068 with typ JWT", jws(`{"alg":"ES256","typ":"JWT"}`, claimsAt(""), es), nil, false, func(p *Policy) { p.Profile = ProfileRFC9068 }, CheckType, "RFC 9068 expects at+jwt"},
		{"RFC 9068 without jti", jws(`{"alg":"ES256","typ":"at+jwt"}`, strings.Replace(claimsAt(""), `,"jti":"j1"`, "", 1), es), nil, false, func(p *Policy) { p.Profile = ProfileRFC9068 }, "jti", "required by RFC 9068"},

		// Structure: duplicates, encodings, garbage, size.
		{"duplicate alg", jws(`{"alg":"ES256","alg":"none"}`, claimsAt(""), es), nil, false, nil, CheckStructure, `duplicate member "alg"`},
		{"escaped duplicate alg", jws(`{"alg":"ES256","a\u006cg":"none"}`, claimsAt(""), es), nil, false, nil, CheckStructure, `duplicate member "alg"`},
		{"duplicate exp", jws(`{"alg":"ES256"}`, `{"exp":1,"exp":9999999999}`, es), nil, false, nil, CheckClaims, `duplicate member "exp"`},
		{"non-UTF-8 header", jws("{\"alg\":\"ES256\",\"x\":\"\xff\"}", claimsAt(""), es), nil, false, nil, CheckStructure, "not valid UTF-8"},
		{"BOM in header", jws("\uFEFF{\"alg\":\"ES256\"}", claimsAt(""), es), nil, false, nil, CheckStructure, "byte order mark"},
		{"BOM before the token", "\uFEFF" + jws(`{"alg":"ES256"}`, claimsAt(""), es), nil, false, nil, CheckStructure, "not base64url"},
		{"trailing garbage in header", jws(`{"alg":"ES256"}x`, claimsAt(""), es), nil, false, nil, CheckStructure, "trailing data"},
		{"trailing garbage after the token", jws(`{"alg":"ES256"}`, claimsAt(""), es) + "\n", nil, false, nil, CheckStructure, "whitespace"},
		{"padding", jws(`{"alg":"ES256"}`, claimsAt(""), es) + "==", nil, false, nil, CheckStructure, "padding"},
		{"standard alphabet", stdAlphabet(jws(`{"alg":"ES256"}`, claimsAt(`"x":"~~~~~~"`), es)), nil, false, nil, CheckStructure, "standard base64 alphabet"},
		{"whitespace inside", insertAt(jws(`{"alg":"ES256"}`, claimsAt(""), es), 5, " "), nil, false, nil, CheckStructure, "whitespace"},
		{"non-canonical trailing bits", nonCanonical(jws(`{"alg":"ES256"}`, claimsAt(""), es)), nil, false, nil, CheckStructure, "canonical"},
		{"many dots", strings.Repeat(".", 1_000_000), nil, false, nil, CheckStructure, "over the 64 KiB limit"},
		{"many dots under the cap", strings.Repeat("a.", 30_000), nil, false, nil, CheckStructure, "dots"},
		{"oversized", jws(`{"alg":"ES256"}`, `{"x":"`+strings.Repeat("A", 70_000)+`"}`, es), nil, false, nil, CheckStructure, "64 KiB limit"},
		{"deep nesting", jws(`{"alg":"ES256"}`, `{"x":`+strings.Repeat("[", 10_000)+strings.Repeat("]", 10_000)+`}`, es), nil, false, nil, CheckClaims, "nests deeper"},
		{"JSON serialization", `{"payload":"e30","signatures":[]}`, nil, false, nil, CheckStructure, "JSON serialization"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks := tc.keys
			if ks == nil && !tc.noKeys {
				ks = publicKeys(t)
			}
			p := Policy{Now: fixedNow}
			if tc.policy != nil {
				tc.policy(&p)
			}
			start := time.Now()
			rep := Validate(tc.token, p, ks)
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v: hostile input must be refused quickly", el)
			}
			c, _ := rep.Check(tc.check)
			if rep.Verdict != VerdictInvalid || c.Status != StatusFail || !strings.Contains(c.Reason, tc.inWhy) {
				t.Errorf("%s: %+v, want fail containing %q\n%s", tc.check, c, tc.inWhy, rep)
			}
			for _, c := range rep.Checks {
				if strings.ContainsAny(c.Reason, "\n\r") {
					t.Errorf("reason is not one line: %q", c.Reason)
				}
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the validator made %d requests to URLs named in tokens", n)
	}
}

// TestAttacksEmbeddedKeysWarn: a token that verifies with a configured key still has its
// jwk/jku/x5u/x5c reported as untrusted.
func TestAttacksEmbeddedKeysWarn(t *testing.T) {
	tok := jws(`{"alg":"RS256","kid":"rsa1","jku":"https://evil.example/jwks","x5u":"https://evil.example/c","jwk":{},"x5c":[]}`, claimsAt(""), signer(t, "RS256"))
	rep := Validate(tok, basePolicy(), publicKeys(t))
	c, _ := rep.Check(CheckEmbeddedKeys)
	if !rep.Valid() || c.Status != StatusWarn || !strings.Contains(c.Reason, "jwk, jku, x5u, x5c: untrusted, never used or fetched") {
		t.Fatalf("%+v\n%s", c, rep)
	}
}

// TestAttacksJWE collects the encrypted-token attacks: compression bombs, huge PBES2
// counts, empty encrypted keys and invalid-curve points are refused before any work.
func TestAttacksJWE(t *testing.T) {
	decKeys(t)
	bomb := encrypt(t, "RSA-OAEP", "A128GCM", &decRSA.PublicKey, "", "JWT", true, strings.Repeat("0", 4<<20))
	if len(bomb) > MaxTokenSize {
		t.Fatalf("the bomb should be small: %d bytes", len(bomb))
	}
	pbes := encrypt(t, "PBES2-HS256+A128KW", "A128GCM", []byte("pw"), "", "JWT", false, "a.b.c")
	withPBES := func(p *Policy) {
		p.JWEKeyAlgorithms = []string{"PBES2-HS256+A128KW"}
		p.DecryptionKeys = []Key{{JWK: jose.JSONWebKey{Key: []byte("pw")}}}
	}
	cases := []struct {
		name, token string
		policy      func(*Policy)
		inWhy       string
	}{
		{"zip bomb", bomb, nil, "zip"},
		{"p2c huge", withHeader(t, pbes, `"p2c":2147483647`), withPBES, "p2c 2147483647"},
		{"p2c not a number", withHeader(t, pbes, `"p2c":"1"`), withPBES, "p2c is not a positive integer"},
		{"p2c zero", withHeader(t, pbes, `"p2c":0`), withPBES, "p2c 0 is outside"},
		{"empty encrypted key", emptyEncryptedKey(t, encrypt(t, "RSA-OAEP", "A128GCM", &decRSA.PublicKey, "", "JWT", false, "a.b.c")), nil, "encrypted key is empty"},
		{"no epk", withHeader(t, encrypt(t, "ECDH-ES", "A128GCM", &decEC.PublicKey, "", "JWT", false, "a.b.c"), `"epk":null`), nil, "epk"},
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
				t.Errorf("took %v", el)
			}
			c, _ := rep.Check(CheckJWEHeader)
			if rep.Verdict != VerdictInvalid || c.Status != StatusFail || !strings.Contains(c.Reason, tc.inWhy) || status(rep, CheckJWEDecrypt) != StatusSkip {
				t.Errorf("%+v, want a header refusal containing %q before decryption\n%s", c, tc.inWhy, rep)
			}
		})
	}
}

func insertAt(s string, i int, ins string) string { return s[:i] + ins + s[i:] }

// nonCanonical sets an unused low bit in the signature's last character.
func nonCanonical(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	sig := tok[i+1:]
	// 64 bytes of ES256 → 86 characters; the last carries 4 unused bits.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, sig[len(sig)-1])
	return tok[:i+1] + sig[:len(sig)-1] + string(alphabet[last|1])
}

// stdAlphabet swaps the first URL-alphabet character for its standard-alphabet twin.
func stdAlphabet(tok string) string {
	if i := strings.IndexAny(tok, "-_"); i >= 0 {
		c := "+"
		if tok[i] == '_' {
			c = "/"
		}
		return tok[:i] + c + tok[i+1:]
	}
	return tok + "+"
}
