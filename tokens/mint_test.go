package tokens

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// mintTestKeys are made once per test binary (RSA generation is slow).
var mintTestKeys = sync.OnceValue(func() (k struct {
	rsa        *rsa.PrivateKey
	p256, p384 *ecdsa.PrivateKey
	ed         ed25519.PrivateKey
}) {
	k.rsa, _ = rsa.GenerateKey(rand.Reader, 2048)
	k.p256, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k.p384, _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, k.ed, _ = ed25519.GenerateKey(rand.Reader)
	return k
})

func pemOf(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func jwkOf(t *testing.T, key any, kid, alg string) []byte {
	t.Helper()
	b, err := jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseSigningKeyAccepts(t *testing.T) {
	k := mintTestKeys()
	pkcs8 := func(key any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pemOf(t, "PRIVATE KEY", der)
	}
	ecDER, _ := x509.MarshalECPrivateKey(k.p384)
	for _, tc := range []struct {
		name, alg, kid string
		data           []byte
	}{
		{"PKCS8 RSA", "RS256", "", pkcs8(k.rsa)},
		{"PKCS1 RSA", "RS256", "", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa))},
		{"SEC1 P-384", "ES384", "", pemOf(t, "EC PRIVATE KEY", ecDER)},
		{"PKCS8 Ed25519", "EdDSA", "", pkcs8(k.ed)},
		{"JWK P-256 with kid", "ES256", "k1", jwkOf(t, k.p256, "k1", "")},
		{"JWK RSA with alg", "PS256", "r", jwkOf(t, k.rsa, "r", "PS256")},
		{"oct JWK", "HS256", "s", []byte(`{"kty":"oct","kid":"s","k":"` + strings.Repeat("A", 43) + `"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParseSigningKey(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got := key.DefaultAlg(); got != tc.alg {
				t.Errorf("default alg %s, want %s", got, tc.alg)
			}
			pub, asymmetric := key.Public()
			switch {
			case tc.kid != "" && key.KeyID != tc.kid:
				t.Errorf("kid %q, want %q", key.KeyID, tc.kid)
			case tc.kid == "" && asymmetric:
				if want, _ := Thumbprint(pub); key.KeyID != want {
					t.Errorf("kid %q, want the thumbprint %q", key.KeyID, want)
				}
			}
		})
	}
}

func TestParseSigningKeyRefuses(t *testing.T) {
	k := mintTestKeys()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"public PEM", "is a public key", pemOf(t, "PUBLIC KEY", pubDER)},
		{"public JWK", "is a public JWK", jwkOf(t, &k.p256.PublicKey, "", "")},
		{"RSA 1024", "RSA key of 1024 bits is too small (minimum 2048 bits)", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small))},
		{"encrypted PEM", "encrypted private key", pemOf(t, "ENCRYPTED PRIVATE KEY", []byte{1})},
		{"JWK Set", "is a JWK Set", []byte(`{"keys":[]}`)},
		{"garbage", "neither PEM nor a JWK", []byte("hello")},
		{"bad JSON", "not valid JSON", []byte(`{"kty":`)},
		{"alg unknown", "unknown signature algorithm", jwkOf(t, k.p256, "", "ES999")},
		{"alg none", `"none" is refused`, []byte(strings.Replace(string(jwkOf(t, k.p256, "", "ES256")), `"ES256"`, `"none"`, 1))},
		{"alg does not fit", "needs a P-384 key", jwkOf(t, k.p256, "", "ES384")},
		{"enc use", `use is enc, not "sig"`, []byte(strings.Replace(string(jwkOf(t, k.p256, "", "")), `{`, `{"use":"enc",`, 1))},
		{"key_ops verify only", `key_ops does not include "sign"`, []byte(strings.Replace(string(jwkOf(t, k.p256, "", "")), `{`, `{"key_ops":["verify"],`, 1))},
		{"empty oct", "empty key", []byte(`{"kty":"oct","k":""}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSigningKey(tc.data)
			var me *MintError
			if !errors.As(err, &me) || !strings.Contains(me.Reason, tc.want) {
				t.Errorf("got %v, want a *MintError with %q", err, tc.want)
			} else if err.Error() != me.What+": "+me.Reason {
				t.Errorf("message %q: want what and reason only, the front end adds the context", err)
			}
		})
	}
}

func TestSignRefusesAlgorithmsThatDoNotFit(t *testing.T) {
	k := mintTestKeys()
	for _, tc := range []struct {
		name string
		key  *SigningKey
		alg  string
		want string
	}{
		{"none", &SigningKey{Key: k.p256}, "none", `"none" is refused`},
		{"NONE", &SigningKey{Key: k.p256}, "NONE", `"none" is refused`},
		{"unknown", &SigningKey{Key: k.p256}, "XX1", "unknown signature algorithm"},
		{"RSA with ES256", &SigningKey{Key: k.rsa}, "ES256", "an RSA key cannot sign ES256"},
		{"P-256 with ES384", &SigningKey{Key: k.p256}, "ES384", "ES384 needs a P-384 key"},
		{"Ed25519 with RS256", &SigningKey{Key: k.ed}, "RS256", "an Ed25519 key cannot sign RS256"},
		{"secret with RS256", &SigningKey{Key: []byte(strings.Repeat("s", 64))}, "RS256", "shared secret signs only HS"},
		{"short secret", &SigningKey{Key: []byte("short")}, "HS256", "at least 32 bytes"},
		{"EC with HS256", &SigningKey{Key: k.p256}, "HS256", "cannot sign HS256"},
		{"key alg pinned", &SigningKey{Key: k.rsa, Alg: "PS256"}, "RS256", `the key is for PS256`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sign(tc.key, Header{Alg: tc.alg}, Object{})
			var me *MintError
			if !errors.As(err, &me) || me.What != "alg" || !strings.Contains(me.Reason, tc.want) {
				t.Errorf("got %v, want alg refused with %q", err, tc.want)
			}
		})
	}
}

func TestSignHeaderAndClaims(t *testing.T) {
	k := mintTestKeys()
	extra := Object{{"jku", json.RawMessage(`"https://evil.test/jwks"`)}, {"x-env", json.RawMessage(`"dev"`)}, {"alg", json.RawMessage(`"none"`)}}
	raw, err := Sign(&SigningKey{Key: k.ed, KeyID: "e1"}, Header{Type: "at+jwt", Extra: extra}, Object{{"sub", json.RawMessage(`"a"`)}, {"n", json.RawMessage(`1`)}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"alg": "EdDSA", "kid": "e1", "typ": "at+jwt", "x-env": "dev"} {
		if got, _ := tok.Header.String(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if tok.Header.Has("jku") {
		t.Error("a template's jku was copied into the minted header")
	}
	if string(tok.Payload) != `{"sub":"a","n":1}` {
		t.Errorf("payload %s: claims order not kept", tok.Payload)
	}
	_, err = Sign(&SigningKey{Key: k.ed}, Header{}, Object{{"a", json.RawMessage(`1`)}, {"a", json.RawMessage(`2`)}})
	var me *MintError
	if !errors.As(err, &me) || !strings.Contains(me.Reason, "duplicate") {
		t.Errorf("duplicate claim names: %v", err)
	}
}

func TestClaimValue(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"42", "42", ""},
		{"true", "true", ""},
		{"null", "null", ""},
		{`"quoted"`, `"quoted"`, ""},
		{`["a","b"]`, `["a","b"]`, ""},
		{`{"k":{"x":1}}`, `{"k":{"x":1}}`, ""},
		{"alice", `"alice"`, ""},
		{"https://x.test/", `"https://x.test/"`, ""},
		{"1e", `"1e"`, ""},
		{" 7 ", "7", ""},
		{"read write", `"read write"`, ""},
		{`{"a":1,"a":2}`, "", "duplicate"},
		{`[1,2`, "", "starts like JSON but is not valid JSON"},
		{`{bad}`, "", "starts like JSON but"},
	} {
		got, err := ClaimValue(tc.in)
		if tc.err != "" {
			var me *MintError
			if !errors.As(err, &me) || !strings.Contains(me.Reason, tc.err) {
				t.Errorf("%q: %s, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseClaims(t *testing.T) {
	o, err := ParseClaims([]byte(` {"b":1,"a":[2]} `))
	if err != nil || len(o) != 2 || o[0].Name != "b" {
		t.Fatalf("%v, %v", o, err)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"a":1,"a":2}`, "duplicate"},
		{`{"a":{"b":1,"b":1}}`, "duplicate"},
		{`[1]`, "not a JSON object"},
		{`{"a":1} x`, "trailing data"},
		{`{"a":1`, ""},
		{`{"a":1,"pad":"` + strings.Repeat("x", MaxClaimsSize) + `"}`, "larger than 64 KiB"},
	} {
		_, err := ParseClaims([]byte(tc.in))
		var me *MintError
		if !errors.As(err, &me) || me.What != "claims" || !strings.Contains(me.Reason, tc.want) {
			t.Errorf("%.40q: %v, want claims refused with %q", tc.in, err, tc.want)
		}
	}
}

func TestObjectEditing(t *testing.T) {
	o := Object{{"a", json.RawMessage(`1`)}, {"b", json.RawMessage(`2`)}}
	w := o.With("a", json.RawMessage(`9`)).With("c", json.RawMessage(`3`)).Without("b")
	if string(w.JSON()) != `{"a":9,"c":3}` || string(o.JSON()) != `{"a":1,"b":2}` {
		t.Errorf("edited %s, original %s", w.JSON(), o.JSON())
	}
	m := o.Merge(Object{{"b", json.RawMessage(`"x"`)}, {"d", json.RawMessage(`null`)}})
	if string(m.JSON()) != `{"a":1,"b":"x","d":null}` {
		t.Errorf("merged %s", m.JSON())
	}
	if string(Object{{"we\"ird", json.RawMessage(`1`)}}.JSON()) != `{"we\"ird":1}` {
		t.Error("member names are not escaped")
	}
}

func TestRebaseTimesAndDefaults(t *testing.T) {
	now := time.Unix(2_000_000_000, 0)
	tmpl := Object{
		{"iss", json.RawMessage(`"i"`)}, {"iat", json.RawMessage(`1000`)}, {"nbf", json.RawMessage(`990`)},
		{"exp", json.RawMessage(`4600`)}, {"jti", json.RawMessage(`"old"`)}, {"auth_time", json.RawMessage(`"odd"`)},
	}
	got := RebaseTimes(tmpl, now)
	want := `{"iss":"i","iat":2000000000,"nbf":1999999990,"exp":2000003600,"auth_time":"odd"}`
	if string(got.JSON()) != want {
		t.Errorf("rebased %s\nwant     %s", got.JSON(), want)
	}
	noIat := RebaseTimes(Object{{"exp", json.RawMessage(`5`)}, {"sub", json.RawMessage(`"s"`)}}, now)
	if string(noIat.JSON()) != `{"sub":"s","exp":2000003600}` {
		t.Errorf("without iat: %s", noIat.JSON())
	}

	zero := bytes.NewReader(make([]byte, 16))
	d, err := MintDefaults(Object{{"exp", json.RawMessage(`7`)}}, now, zero)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.JSON()) != `{"exp":7,"iat":2000000000,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}` {
		t.Errorf("defaults %s", d.JSON())
	}
	if _, err := MintDefaults(nil, now, bytes.NewReader(nil)); err == nil {
		t.Error("no randomness: no error")
	}
}

func TestCheckProfile(t *testing.T) {
	full := Object{}
	for _, n := range rfc9068Claims {
		full = full.With(n, json.RawMessage(`"x"`))
	}
	if err := CheckProfile(full, "at+jwt", ProfileRFC9068); err != nil {
		t.Errorf("complete: %v", err)
	}
	if err := CheckProfile(full, "application/at+jwt", ProfileRFC9068); err != nil {
		t.Errorf("application/at+jwt: %v", err)
	}
	var me *MintError
	if err := CheckProfile(full, "JWT", ProfileRFC9068); !errors.As(err, &me) || me.What != "typ" {
		t.Errorf("typ JWT: %v", err)
	}
	if err := CheckProfile(full.Without("client_id"), "at+jwt", ProfileRFC9068); !errors.As(err, &me) || !strings.Contains(me.Reason, "missing [client_id]") {
		t.Errorf("no client_id: %v", err)
	}
	if err := CheckProfile(nil, "JWT", ProfileNone); err != nil {
		t.Errorf("no profile: %v", err)
	}
}

// TestMintedRFC9068TokenPassesTheProfile mints under the profile and validates under it.
func TestMintedRFC9068TokenPassesTheProfile(t *testing.T) {
	k := mintTestKeys()
	now := time.Unix(1_900_000_000, 0)
	c, err := MintDefaults(Object{}, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"iss", "aud", "sub", "client_id"} {
		c = c.With(n, json.RawMessage(`"v"`))
	}
	if err := CheckProfile(c, "at+jwt", ProfileRFC9068); err != nil {
		t.Fatal(err)
	}
	raw, err := Sign(&SigningKey{Key: k.p256, KeyID: "p"}, Header{Type: "at+jwt"}, c)
	if err != nil {
		t.Fatal(err)
	}
	keys := &KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: &k.p256.PublicKey, KeyID: "p"}, Origin: OriginKeyFile, Source: "test"}}}
	rep := Validate(raw, Policy{Profile: ProfileRFC9068, Issuer: "v", Audiences: []string{"v"}, Now: func() time.Time { return now }}, keys)
	if !rep.Valid() {
		t.Errorf("%s", rep)
	}
}

// Every token Sign makes says it was minted locally, once, even when its template (a
// minted token given to --like) said so already; a token that does not say it exactly is
// not taken for one.
func TestSignMarksTokensAsMintedLocally(t *testing.T) {
	k := mintTestKeys()
	template := Object{{MintedHeader, json.RawMessage(`"something else"`)}, {"x-env", json.RawMessage(`"dev"`)}}
	raw, err := Sign(&SigningKey{Key: k.ed, KeyID: "e1"}, Header{Extra: template}, Object{{"sub", json.RawMessage(`"a"`)}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if kid, ok := tok.MintedLocally(); !ok || kid != "e1" {
		t.Errorf("MintedLocally() = %q, %v; want e1, true (header %s)", kid, ok, tok.HeaderJSON)
	}
	if n := strings.Count(string(tok.HeaderJSON), `"`+MintedHeader+`"`); n != 1 {
		t.Errorf("the header names %s %d times: %s", MintedHeader, n, tok.HeaderJSON)
	}
	e := Explain(tok)
	found := false
	for _, f := range e.Header {
		found = found || f.Name == MintedHeader && f.Category == CatHeader && strings.Contains(f.Explanation, "minted locally")
	}
	if !found {
		t.Errorf("the marker is not explained: %+v", e.Header)
	}

	for _, header := range []string{`{"alg":"EdDSA","kid":"e1"}`, `{"alg":"EdDSA","tokenbench":"minted"}`, `{"alg":"EdDSA","tokenbench":true}`} {
		b64 := base64.RawURLEncoding.EncodeToString
		tok, err := Parse(b64([]byte(header)) + "." + b64([]byte(`{"sub":"a"}`)) + "." + b64([]byte("sig")))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tok.MintedLocally(); ok {
			t.Errorf("%s is taken for a minted token", header)
		}
	}
}
