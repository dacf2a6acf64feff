package keys

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/tokens"
)

// jwFile writes data to a new file in a temporary directory and returns its path.
func jwFile(t *testing.T, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not subject to the umask
		t.Fatal(err)
	}
	return path
}

func jwPEM(typ string, der []byte, headers map[string]string) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: der})
}

func jwMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// jwCert returns a self-signed certificate for key, in DER.
func jwCert(t *testing.T, key *ecdsa.PrivateKey, cn string) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestLoadFile(t *testing.T) {
	var rsaJWK jose.JSONWebKey
	if err := rsaJWK.UnmarshalJSON(jwMust(json.Marshal(jwRFC7520(t, "3_4.rsa_private_key.json")))); err != nil {
		t.Fatal(err)
	}
	rsaPriv := rsaJWK.Key.(*rsa.PrivateKey)
	ecPriv := jwMust(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	ec2Priv := jwMust(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	edPub, edPriv := jwMust2(ed25519.GenerateKey(rand.Reader))
	p224 := jwMust(ecdsa.GenerateKey(elliptic.P224(), rand.Reader))
	x25519 := jwMust(ecdh.X25519().GenerateKey(rand.Reader))
	small := jwMust(rsa.GenerateKey(rand.Reader, 1024))

	pkix := func(pub any) []byte { return jwPEM("PUBLIC KEY", jwMust(x509.MarshalPKIXPublicKey(pub)), nil) }
	pkcs8 := func(priv any) []byte { return jwPEM("PRIVATE KEY", jwMust(x509.MarshalPKCS8PrivateKey(priv)), nil) }
	const bilbo = "bilbo.baggins@hobbiton.example"
	jsonOf := func(v any) []byte { return jwMust(json.Marshal(v)) }

	tests := []struct {
		name    string
		data    []byte
		want    []any            // public keys, in order
		origin  tokens.KeyOrigin // of every key (default OriginKeyFile)
		kid     string           // of the first key
		notes   []string
		skipped []string
		err     string // substring of the error, when the file is refused
		errIs   error
	}{
		{name: "PKIX RSA", data: pkix(&rsaPriv.PublicKey), want: []any{&rsaPriv.PublicKey}},
		{name: "PKIX EC", data: pkix(&ecPriv.PublicKey), want: []any{&ecPriv.PublicKey}},
		{name: "PKIX Ed25519", data: pkix(edPub), want: []any{edPub}},
		{name: "PKCS #1 RSA public", data: jwPEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaPriv.PublicKey), nil), want: []any{&rsaPriv.PublicKey}},
		{name: "two public keys", data: append(pkix(&ecPriv.PublicKey), pkix(edPub)...), want: []any{&ecPriv.PublicKey, edPub}},
		{name: "certificate after openssl text", data: append([]byte("Certificate:\n    Data: ...\n"), jwPEM("CERTIFICATE", jwCert(t, ecPriv, "leaf"), nil)...),
			want: []any{&ecPriv.PublicKey}},
		{name: "chain: only the leaf", data: append(jwPEM("CERTIFICATE", jwCert(t, ecPriv, "leaf"), nil), jwPEM("CERTIFICATE", jwCert(t, ec2Priv, "ca"), nil)...),
			want: []any{&ecPriv.PublicKey}, skipped: []string{"PEM block 1 (CERTIFICATE): only the first certificate's key is used"}},
		{name: "PKCS #8 RSA private", data: pkcs8(rsaPriv), want: []any{&rsaPriv.PublicKey}, notes: []string{"PEM block 0 (PRIVATE KEY) is a private key: only its public half is used"}},
		{name: "PKCS #8 Ed25519 private", data: pkcs8(edPriv), want: []any{edPub}, notes: []string{"only its public half"}},
		{name: "PKCS #1 RSA private", data: jwPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaPriv), nil), want: []any{&rsaPriv.PublicKey}, notes: []string{"(RSA PRIVATE KEY) is a private key"}},
		{name: "SEC 1 EC private after parameters", data: append(jwPEM("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}, nil), jwPEM("EC PRIVATE KEY", jwMust(x509.MarshalECPrivateKey(ecPriv)), nil)...),
			want: []any{&ecPriv.PublicKey}, notes: []string{"(EC PRIVATE KEY) is a private key"}, skipped: []string{"PEM block 0 (EC PARAMETERS): not a key"}},
		{name: "encrypted legacy PEM", data: jwPEM("RSA PRIVATE KEY", []byte{1, 2, 3}, map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}), err: "encrypted private key"},
		{name: "encrypted PKCS #8", data: jwPEM("ENCRYPTED PRIVATE KEY", []byte{1, 2, 3}, nil), err: "encrypted private key"},
		{name: "PKIX RSA 1024", data: pkix(&small.PublicKey), err: "no usable key: PEM block 0 (PUBLIC KEY): RSA key of 1024 bits is too small (minimum 2048 bits)"},
		{name: "PKIX P-224", data: pkix(&p224.PublicKey), err: "unsupported EC curve P-224"},
		{name: "PKIX X25519", data: pkix(x25519.PublicKey()), err: "unsupported key type"},
		{name: "malformed PEM body", data: jwPEM("PUBLIC KEY", []byte("nope"), nil), err: "malformed"},
		{name: "only a non-key block", data: jwPEM("EC PARAMETERS", []byte{6, 1, 0}, nil), err: "no usable key: PEM block 0 (EC PARAMETERS): not a key"},

		{name: "public JWK", data: jsonOf(jwRFC7520(t, "3_3.rsa_public_key.json")), want: []any{&rsaPriv.PublicKey}, kid: bilbo},
		{name: "public JWK with BOM and newline", data: append(append([]byte("\xef\xbb\xbf"), jsonOf(jwRFC7520(t, "3_3.rsa_public_key.json"))...), '\n'), want: []any{&rsaPriv.PublicKey}, kid: bilbo},
		{name: "private JWK", data: jsonOf(jwRFC7520(t, "3_4.rsa_private_key.json")), want: []any{&rsaPriv.PublicKey}, kid: bilbo, notes: []string{"holds a private JWK: only its public half is used"}},
		{name: "symmetric JWK", data: jsonOf(jwRFC7520(t, "3_5.symmetric_key_mac_computation.json")), origin: tokens.OriginSecretFile, kid: "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
			want: []any{"the 32-byte secret"}, notes: []string{"used as an HMAC secret"}},
		{name: "empty symmetric JWK", data: []byte(`{"kty":"oct","k":""}`), err: "empty key"},
		{name: "JWK of an unsupported type", data: []byte(`{"kty":"XYZ"}`), err: `unsupported key type "XYZ"`},
		{name: "JWK with a bad alg", data: jsonOf(jwWith(jwRFC7520(t, "3_3.rsa_public_key.json"), "alg", "ES256")), err: `alg "ES256" does not fit an RSA key`},
		{name: "malformed JWK", data: []byte(`{"kty":"RSA","n":"AQAB"}`), err: "malformed JWK"},
		{name: "JWKS", data: jwSet(t, jwRFC7520(t, "3_3.rsa_public_key.json")), want: []any{&rsaPriv.PublicKey}, kid: bilbo},
		{name: "JWKS with a private key", data: jwSet(t, jwRFC7520(t, "3_4.rsa_private_key.json")), errIs: tokens.ErrPrivateKeyMaterial},
		{name: "bad JSON", data: []byte(`{"kty":`), err: "not valid JSON"},
		{name: "neither", data: []byte("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"), err: "neither PEM nor JSON"},
		{name: "too large", data: bytes.Repeat([]byte(" "), tokens.MaxBodySize+1), errIs: ErrFileTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := jwFile(t, "key", tt.data, 0o600)
			set, err := LoadFile(path)
			if tt.err != "" || tt.errIs != nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) || (tt.errIs != nil && !errors.Is(err, tt.errIs)) {
					t.Fatalf("err = %v, want %q / %v", err, tt.err, tt.errIs)
				}
				if strings.HasPrefix(err.Error(), "tokens: ") || !strings.Contains(err.Error(), path) {
					t.Errorf("error %q should name the file, with no package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Keys) != len(tt.want) {
				t.Fatalf("%d keys, want %d (skipped %q)", len(set.Keys), len(tt.want), set.Skipped)
			}
			origin := tt.origin
			if origin == 0 {
				origin = tokens.OriginKeyFile
			}
			for i, k := range set.Keys {
				if k.Origin != origin || k.Source != "key file "+path {
					t.Errorf("key %d: origin %v source %q", i, k.Origin, k.Source)
				}
				if origin == tokens.OriginSecretFile {
					if b, ok := k.JWK.Key.([]byte); !ok || len(b) != 32 {
						t.Errorf("secret = %T %d bytes", k.JWK.Key, len(b))
					}
					continue
				}
				if !k.JWK.IsPublic() || !reflect.DeepEqual(k.JWK.Key, tt.want[i]) {
					t.Errorf("key %d = %T, want %T (public %v)", i, k.JWK.Key, tt.want[i], k.JWK.IsPublic())
				}
			}
			if set.Keys[0].JWK.KeyID != tt.kid {
				t.Errorf("kid = %q, want %q", set.Keys[0].JWK.KeyID, tt.kid)
			}
			jwContainsAll(t, "notes", set.Notes, tt.notes)
			jwContainsAll(t, "skipped", set.Skipped, tt.skipped)
		})
	}
}

func jwMust2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// jwContainsAll checks that got has one line per want, each containing it.
func jwContainsAll(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %q, want %d lines", what, got, len(want))
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s[%d] = %q, want it to contain %q", what, i, got[i], want[i])
		}
	}
}

func TestLoadFileIOErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	_, err := LoadFile(missing)
	var kfe *FileError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &kfe) || kfe.Path != missing {
		t.Fatalf("missing file: %v", err)
	}
	if strings.Count(err.Error(), missing) != 1 {
		t.Errorf("the path should appear once: %q", err)
	}
	if _, err := LoadFile(t.TempDir()); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: %v", err)
	}
}

func TestLoadSecretFile(t *testing.T) {
	for _, tt := range []struct {
		name, data, want, err string
	}{
		{"plain", "s3cret", "s3cret", ""},
		{"one newline stripped", "s3cret\n", "s3cret", ""},
		{"one CRLF stripped", "s3cret\r\n", "s3cret", ""},
		{"only one newline stripped", "s3cret\n\n", "s3cret\n", ""},
		{"lone CR kept", "s3cret\r", "s3cret\r", ""},
		{"spaces kept", " s3cret \t", " s3cret \t", ""},
		{"binary kept", "\x00\xff\n\x01", "\x00\xff\n\x01", ""},
		{"empty", "", "", "the secret is empty"},
		{"only a newline", "\n", "", "the secret is empty"},
		{"only a CRLF", "\r\n", "", "the secret is empty"},
		{"too large", strings.Repeat("a", tokens.MaxBodySize+1), "", "larger than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := jwFile(t, "secret", []byte(tt.data), 0o600)
			set, err := LoadSecretFile(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k := set.Keys[0]
			if len(set.Keys) != 1 || string(k.JWK.Key.([]byte)) != tt.want || k.Origin != tokens.OriginSecretFile || k.Source != "secret file "+path {
				t.Fatalf("got %q %v %q", k.JWK.Key, k.Origin, k.Source)
			}
			if len(set.Notes) != 0 {
				t.Errorf("notes for a 0600 file: %q", set.Notes)
			}
		})
	}
	path := jwFile(t, "secret", []byte("s3cret"), 0o644)
	set, err := LoadSecretFile(path)
	if err != nil || len(set.Notes) != 1 || !strings.Contains(set.Notes[0], "can be read by other users (mode 0644)") {
		t.Fatalf("world-readable secret file: %v %q", err, set.Notes)
	}
}

func TestLoadJWKSFile(t *testing.T) {
	data := jwSet(t, jwRFC7520(t, "3_3.rsa_public_key.json"))
	path := jwFile(t, "jwks.json", append([]byte("\xef\xbb\xbf"), data...), 0o644)
	set, err := LoadJWKSFile(path)
	if err != nil || len(set.Keys) != 1 || set.Keys[0].Origin != tokens.OriginJWKS || set.Keys[0].Source != "JWKS file "+path {
		t.Fatalf("%+v %v", set, err)
	}
	path = jwFile(t, "jwks.json", jwSet(t, jwRFC7520(t, "3_2.ec_private_key.json")), 0o644)
	if _, err := LoadJWKSFile(path); !errors.Is(err, tokens.ErrPrivateKeyMaterial) || !strings.Contains(err.Error(), "JWKS file "+path) {
		t.Fatalf("private JWKS file: %v", err)
	}
	path = jwFile(t, "jwks.json", append(data, bytes.Repeat([]byte(" "), tokens.MaxBodySize)...), 0o644)
	if _, err := LoadJWKSFile(path); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("large JWKS file: %v", err)
	}
	if _, err := LoadJWKSFile(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing JWKS file: %v", err)
	}
}

func TestKeyOpsKept(t *testing.T) {
	rsaPub := jwRFC7520(t, "3_3.rsa_public_key.json")
	set, err := tokens.ParseJWKS(jwSet(t,
		jwWith(rsaPub, "kid", "v", "key_ops", []string{"verify"}),
		jwWith(rsaPub, "kid", "e", "key_ops", []string{}),
		jwWith(rsaPub, "kid", "n", "key_ops", nil),
		jwWith(rsaPub, "kid", "bad", "key_ops", "verify"),
	), "s")
	if err != nil {
		t.Fatal(err)
	}
	if jwKids(set) != "v,e,n" || len(set.Skipped) != 1 || !strings.Contains(set.Skipped[0], `"key_ops" is not a list of strings`) {
		t.Fatalf("%q %q", jwKids(set), set.Skipped)
	}
	if !reflect.DeepEqual(set.Keys[0].KeyOps, []string{"verify"}) || set.Keys[1].KeyOps == nil || len(set.Keys[1].KeyOps) != 0 || set.Keys[2].KeyOps != nil {
		t.Fatalf("key_ops %q %q %q", set.Keys[0].KeyOps, set.Keys[1].KeyOps, set.Keys[2].KeyOps)
	}

	for _, tt := range []struct {
		name string
		jwk  map[string]any
		want []string
	}{
		{"public", jwWith(rsaPub, "key_ops", []string{"verify", "encrypt"}), []string{"verify", "encrypt"}},
		{"private signing key: its public half verifies", jwWith(jwRFC7520(t, "3_4.rsa_private_key.json"), "key_ops", []string{"sign"}), []string{"verify"}},
		{"symmetric, as given", jwWith(jwRFC7520(t, "3_5.symmetric_key_mac_computation.json"), "key_ops", []string{"sign"}), []string{"sign"}},
		{"absent", rsaPub, nil},
	} {
		set, err := LoadFile(jwFile(t, "k.json", jwMust(json.Marshal(tt.jwk)), 0o600))
		if err != nil || !reflect.DeepEqual(set.Keys[0].KeyOps, tt.want) {
			t.Errorf("%s: %v %q, want %q", tt.name, err, set.Keys[0].KeyOps, tt.want)
		}
	}
}

// LoadDecryptionFile reads the file and labels its keys; what the bytes may hold is
// tested with tokens.ParseDecryptionKeys. A file with no usable key, and a file that
// cannot be read, are *FileErrors naming the path.
func TestLoadDecryptionFile(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := jwFile(t, "ec.pem", jwPEM("EC PRIVATE KEY", jwMust(x509.MarshalECPrivateKey(priv)), nil), 0o600)
	keys, err := LoadDecryptionFile(good)
	if err != nil || len(keys) != 1 || keys[0].Source != "decryption key file "+good || keys[0].Origin != tokens.OriginKeyFile {
		t.Fatalf("%s: %+v, %v", good, keys, err)
	}

	public := jwFile(t, "pub.pem", jwPEM("PUBLIC KEY", jwMust(x509.MarshalPKIXPublicKey(&priv.PublicKey)), nil), 0o600)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for path, reason := range map[string]string{public: "no usable decryption key", missing: "cannot open"} {
		_, err := LoadDecryptionFile(path)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != path || !strings.HasPrefix(fe.Reason, reason) {
			t.Errorf("%s: err = %v, want a *FileError saying %q", path, err, reason)
		}
	}
}
