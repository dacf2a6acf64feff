package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Test keys are generated once per test binary: RSA generation is the slow part.
var (
	testKeysOnce sync.Once
	testRSA      *rsa.PrivateKey
	testRSA2     *rsa.PrivateKey
	testP256     *ecdsa.PrivateKey
	testP384     *ecdsa.PrivateKey
	testP521     *ecdsa.PrivateKey
	testEd       ed25519.PrivateKey
	testSecret   = []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
)

func keys(t testing.TB) {
	t.Helper()
	testKeysOnce.Do(func() {
		var err error
		must := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		testRSA, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		testRSA2, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		testP256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		testP384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		must(err)
		testP521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		must(err)
		_, testEd, err = ed25519.GenerateKey(rand.Reader)
		must(err)
		if err != nil {
			panic(err)
		}
	})
}

var b64 = base64.RawURLEncoding

// jws assembles a compact JWS from header and payload JSON text, signed by sign.
func jws(header, payload string, sign func([]byte) []byte) string {
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	return input + "." + b64.EncodeToString(sign([]byte(input)))
}

func digest(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// signer returns a signing function for alg with the matching test key.
func signer(t testing.TB, alg string) func([]byte) []byte {
	t.Helper()
	keys(t)
	a, ok := lookupSigAlg(alg)
	if !ok {
		t.Fatalf("unknown alg %s", alg)
	}
	return func(msg []byte) []byte {
		switch a.family {
		case famRSA:
			s, err := rsa.SignPKCS1v15(rand.Reader, testRSA, a.hash, digest(a.hash, msg))
			if err != nil {
				panic(err)
			}
			return s
		case famPSS:
			s, err := rsa.SignPSS(rand.Reader, testRSA, a.hash, digest(a.hash, msg), &rsa.PSSOptions{SaltLength: a.hash.Size()})
			if err != nil {
				panic(err)
			}
			return s
		case famECDSA:
			k := map[string]*ecdsa.PrivateKey{"P-256": testP256, "P-384": testP384, "P-521": testP521}[a.curve]
			r, s, err := ecdsa.Sign(rand.Reader, k, digest(a.hash, msg))
			if err != nil {
				panic(err)
			}
			out := make([]byte, 2*a.size)
			r.FillBytes(out[:a.size])
			s.FillBytes(out[a.size:])
			return out
		case famEdDSA:
			return ed25519.Sign(testEd, msg)
		default:
			m := hmac.New(a.hash.New, testSecret)
			m.Write(msg)
			return m.Sum(nil)
		}
	}
}

// publicKeys is a key set holding the public half of every test key, as a JWKS would.
func publicKeys(t testing.TB) *KeySet {
	keys(t)
	return &KeySet{Keys: []Key{
		{JWK: jose.JSONWebKey{Key: &testRSA.PublicKey, KeyID: "rsa1", Use: "sig"}, Origin: OriginJWKS, Source: "JWKS file test.json"},
		{JWK: jose.JSONWebKey{Key: &testP256.PublicKey, KeyID: "p256"}, Origin: OriginJWKS, Source: "JWKS file test.json"},
		{JWK: jose.JSONWebKey{Key: &testP384.PublicKey, KeyID: "p384"}, Origin: OriginJWKS, Source: "JWKS file test.json"},
		{JWK: jose.JSONWebKey{Key: &testP521.PublicKey, KeyID: "p521"}, Origin: OriginJWKS, Source: "JWKS file test.json"},
		{JWK: jose.JSONWebKey{Key: testEd.Public(), KeyID: "ed"}, Origin: OriginJWKS, Source: "JWKS file test.json"},
	}}
}

func secretKeys() *KeySet {
	return &KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: testSecret, KeyID: "hs"}, Origin: OriginSecretFile, Source: "secret file hs.key"}}}
}

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// claimsAt returns a typical access-token claims set around testNow.
func claimsAt(extra string) string {
	c := `{"iss":"https://issuer.example/","sub":"user1","aud":"api://default","exp":1795611600,"iat":1795607400,"client_id":"c1","jti":"j1"`
	if extra != "" {
		c += "," + extra
	}
	return c + "}"
}
