package keys

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/tokens"
)

// TestMintedTokensVerifyWithGoJOSE mints with every generable algorithm and verifies the
// token with go-jose directly (not tokenbench's verifier) against the JWKS as printed
// (marshalled and read back), then with tokenbench's own validator.
func TestMintedTokensVerifyWithGoJOSE(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, alg := range GenerableAlgs {
		t.Run(alg, func(t *testing.T) {
			key, err := GenerateSigningKey(alg, "")
			if err != nil {
				t.Fatal(err)
			}
			claims, err := tokens.MintDefaults(tokens.Object{{Name: "sub", Value: json.RawMessage(`"alice"`)}}, now, nil)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := tokens.Sign(key, tokens.Header{}, claims)
			if err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			if got := jws.Signatures[0].Header.KeyID; got != key.KeyID {
				t.Errorf("kid %q, want %q", got, key.KeyID)
			}
			var verifyWith any
			var keySet *tokens.KeySet
			if set, ok := PublicJWKS(key); ok {
				printed, err := json.Marshal(set)
				if err != nil {
					t.Fatal(err)
				}
				var back jose.JSONWebKeySet
				if err := json.Unmarshal(printed, &back); err != nil {
					t.Fatal(err)
				}
				found := back.Key(key.KeyID)
				if len(found) != 1 || !found[0].IsPublic() {
					t.Fatalf("JWKS %s has no public key %q", printed, key.KeyID)
				}
				verifyWith = found[0].Key
				if keySet, err = tokens.ParseJWKS(printed, "test JWKS"); err != nil {
					t.Fatal(err)
				}
			} else {
				verifyWith = key.Key
				keySet = &tokens.KeySet{Keys: []tokens.Key{{JWK: jose.JSONWebKey{Key: key.Key}, Origin: tokens.OriginSecretFile, Source: "test"}}}
			}
			payload, err := jws.Verify(verifyWith)
			if err != nil {
				t.Fatalf("go-jose: %v", err)
			}
			if string(payload) != string(claims.JSON()) {
				t.Errorf("payload %s, want %s", payload, claims.JSON())
			}
			rep := tokens.Validate(raw, tokens.Policy{Algorithms: []string{alg}, Now: func() time.Time { return now }}, keySet)
			if !rep.Valid() {
				t.Errorf("tokenbench verify: %s", rep)
			}
		})
	}
}

func TestGenerateSigningKeyKidAndRefusals(t *testing.T) {
	k, err := GenerateSigningKey("ES384", "mine")
	if err != nil || k.KeyID != "mine" || k.DefaultAlg() != "ES384" {
		t.Fatalf("got %+v, %v", k, err)
	}
	k, err = GenerateSigningKey("EdDSA", "")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := k.Public()
	if want, _ := tokens.Thumbprint(pub); k.KeyID != want {
		t.Errorf("kid %q, want the thumbprint %q", k.KeyID, want)
	}
	for _, alg := range []string{"none", "RS1", "", "ES256K"} {
		var me *tokens.MintError
		if _, err := GenerateSigningKey(alg, ""); !errors.As(err, &me) {
			t.Errorf("%q: %v, want a *MintError", alg, err)
		}
	}
}

func TestPrivateJWKRoundTrip(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256", "EdDSA", "HS256"} {
		k, err := GenerateSigningKey(alg, "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := PrivateJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tokens.ParseSigningKey(b)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if back.KeyID != k.KeyID || back.Alg != alg {
			t.Errorf("%s: read back kid %q alg %q", alg, back.KeyID, back.Alg)
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.jwk")
	if err := WriteFileAtomic(path, []byte("one"), false); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	err = WriteFileAtomic(path, []byte("two"), false)
	var fe *FileError
	if !errors.Is(err, ErrExists) || !errors.As(err, &fe) || fe.Path != path {
		t.Fatalf("second write without replace: %v", err)
	}
	if err.Error() != path+": "+fe.Reason {
		t.Errorf("message %q: want the path and reason only, the front end adds the context", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("file replaced: %q", b)
	}
	if err := WriteFileAtomic(path, []byte("three"), true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "three" {
		t.Errorf("file not replaced: %q", b)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "k.jwk"), []byte("x"), false); !errors.As(err, &fe) {
		t.Errorf("missing directory: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestLoadSigningFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s, err := LoadSigningSecret(write("s", "0123456789abcdef0123456789abcdef\r\n"))
	if err != nil || string(s.Key.([]byte)) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("secret %v, %v", s, err)
	}
	var fe *FileError
	if _, err := LoadSigningSecret(write("empty", "\n")); !errors.As(err, &fe) {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := LoadSigningKey(filepath.Join(dir, "nope")); !errors.As(err, &fe) || fe.Reason != "cannot open: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := LoadSigningKey(dir); !errors.As(err, &fe) {
		t.Errorf("directory: %v", err)
	}
	big := make([]byte, tokens.MaxBodySize+1)
	if _, err := LoadSigningKey(write("big", string(big))); !errors.As(err, &fe) {
		t.Errorf("large file: %v", err)
	}
}

// TestGeneratedSecretsNeverLookLikeKeyText: the verifier refuses HMAC secrets that start
// like PEM, JSON or DER, so generated ones must not.
func TestGeneratedSecretsNeverLookLikeKeyText(t *testing.T) {
	for _, b := range [][]byte{[]byte("{x"), []byte(" \t-x"), {0x30, 1}, {}} {
		if !startsLikeKeyText(b) {
			t.Errorf("%q not caught", b)
		}
	}
	if startsLikeKeyText([]byte("abc")) {
		t.Error("plain secret refused")
	}
	for range 300 {
		k, err := GenerateSigningKey("HS256", "")
		if err != nil {
			t.Fatal(err)
		}
		if startsLikeKeyText(k.Key.([]byte)) {
			t.Fatalf("generated %x", k.Key)
		}
	}
}
