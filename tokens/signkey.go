package tokens

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// MintError says why a token, proof or key cannot be made: What names the input at fault
// ("key", "alg", "claims", "claim \"aud\"", …) and Reason says why in one line. The front
// ends add where the input came from (a flag, a file).
type MintError struct {
	What   string
	Reason string
}

func (e *MintError) Error() string { return e.What + ": " + e.Reason }

// SigningKey is a private key or shared secret that tokenbench signs test tokens with.
// Key is an *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey or, for HMAC, a []byte
// secret. KeyID is the kid put in the header; Alg is the key's own "alg" member, if any,
// which then is the only algorithm the key signs with.
type SigningKey struct {
	Key   any
	KeyID string
	Alg   string
}

// ParseSigningKey reads a private key from a PEM block ("PRIVATE KEY", "RSA PRIVATE KEY",
// "EC PRIVATE KEY") or a private JWK. A symmetric JWK ("oct") is an HMAC secret. It refuses
// public keys and certificates (they cannot sign), encrypted PEM, JWK Sets, RSA moduli under
// MinRSABits, curves other than P-256, P-384, P-521 and Ed25519, and a JWK whose "alg" does
// not fit its key. The kid of a JWK is kept; an asymmetric key without one gets its RFC 7638
// thumbprint.
func ParseSigningKey(data []byte) (*SigningKey, error) {
	data = TrimBOM(data)
	trimmed := bytes.TrimSpace(data)
	var key *SigningKey
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		k, err := parsePEMSigningKey(data)
		if err != nil {
			return nil, err
		}
		key = &SigningKey{Key: k}
	case bytes.HasPrefix(trimmed, []byte("{")):
		k, err := parseJWKSigningKey(trimmed)
		if err != nil {
			return nil, err
		}
		key = k
	default:
		return nil, &MintError{"key", "neither PEM nor a JWK"}
	}
	if reason := checkSigningKey(key.Key); reason != "" {
		return nil, &MintError{"key", reason}
	}
	if key.Alg != "" {
		if err := key.fits(key.Alg); err != nil {
			return nil, err
		}
	}
	if pub, ok := key.Public(); ok && key.KeyID == "" {
		// A key without a kid (every PEM key) is named by its thumbprint, as `keys new` names
		// the keys it makes, so that tokens and JWKS printed for one key agree.
		if key.KeyID, _ = Thumbprint(pub); key.KeyID == "" {
			return nil, &MintError{"key", "no RFC 7638 thumbprint can be computed for it"}
		}
	}
	return key, nil
}

func parsePEMSigningKey(data []byte) (any, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, &MintError{"key", "no PEM block could be read"}
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" || bytes.Contains([]byte(block.Headers["Proc-Type"]), []byte("ENCRYPTED")) {
		return nil, &MintError{"key", "encrypted private key; decrypt it first (`openssl pkey -in FILE -out plain.pem`)"}
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, &MintError{"key", "is a public key (" + block.Type + "); signing needs the private key"}
	default:
		return nil, &MintError{"key", "PEM block " + quoteIfOdd(block.Type) + " is not a private key"}
	}
	if err != nil {
		return nil, &MintError{"key", "malformed " + block.Type + ": " + err.Error()}
	}
	if ed, ok := key.(*ed25519.PrivateKey); ok {
		key = *ed
	}
	return key, nil
}

func parseJWKSigningKey(data []byte) (*SigningKey, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, &MintError{"key", "not valid JSON: " + err.Error()}
	}
	if _, ok := members["keys"]; ok {
		return nil, &MintError{"key", "is a JWK Set; give a file holding one private JWK"}
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return nil, &MintError{"key", "malformed JWK: " + err.Error()}
	}
	if s, ok := jwk.Key.([]byte); ok && len(s) == 0 {
		return nil, &MintError{"key", "symmetric JWK with an empty key"}
	}
	if _, secret := jwk.Key.([]byte); !secret && jwk.IsPublic() {
		return nil, &MintError{"key", "is a public JWK; signing needs the private key (with \"d\")"}
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return nil, &MintError{"key", "JWK use is " + quoteIfOdd(jwk.Use) + `, not "sig"`}
	}
	if raw, ok := members["key_ops"]; ok {
		var ops []string
		if json.Unmarshal(raw, &ops) != nil || !slices.Contains(ops, "sign") {
			return nil, &MintError{"key", `JWK key_ops does not include "sign"`}
		}
	}
	return &SigningKey{Key: jwk.Key, KeyID: jwk.KeyID, Alg: jwk.Algorithm}, nil
}

// checkSigningKey says why a private key must not sign, or returns "".
func checkSigningKey(key any) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return rsaTooSmall(bits)
		}
		return ""
	case *ecdsa.PrivateKey:
		switch crv := k.Curve.Params().Name; crv {
		case "P-256", "P-384", "P-521":
			return ""
		default:
			return "unsupported curve " + crv
		}
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return "Ed25519 private key has the wrong length"
		}
		return ""
	case []byte:
		return ""
	}
	return fmt.Sprintf("unsupported private key type %T", key)
}

// DefaultAlg returns the algorithm a key signs with when none is asked for: its own "alg",
// else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519 and HS256 for a secret.
func (k *SigningKey) DefaultAlg() string {
	if k.Alg != "" {
		return k.Alg
	}
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		return "RS256"
	case *ecdsa.PrivateKey:
		switch key.Curve.Params().Name {
		case "P-384":
			return "ES384"
		case "P-521":
			return "ES512"
		}
		return "ES256"
	case ed25519.PrivateKey:
		return "EdDSA"
	}
	return "HS256"
}

// Public returns the public JWK of an asymmetric key, with its kid and alg, or false for
// an HMAC secret (which has no public half).
func (k *SigningKey) Public() (jose.JSONWebKey, bool) {
	signer, ok := k.Key.(crypto.Signer)
	if !ok {
		return jose.JSONWebKey{}, false
	}
	return jose.JSONWebKey{Key: signer.Public(), KeyID: k.KeyID, Algorithm: k.Alg, Use: "sig"}, true
}

// fits returns a *MintError saying why the key cannot sign with alg, or nil.
func (k *SigningKey) fits(alg string) error {
	if isNone(alg) {
		return &MintError{"alg", `"none" is refused: an unsigned token proves nothing`}
	}
	a, ok := lookupSigAlg(alg)
	if !ok {
		return &MintError{"alg", "unknown signature algorithm " + quoteIfOdd(alg) + " (known: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512)"}
	}
	if k.Alg != "" && k.Alg != alg {
		return &MintError{"alg", "the key is for " + quoteIfOdd(k.Alg) + ", not " + alg}
	}
	kind := "secret"
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		kind = "RSA key"
		if a.family == famRSA || a.family == famPSS {
			return nil
		}
	case *ecdsa.PrivateKey:
		crv := key.Curve.Params().Name
		kind = "EC " + crv + " key"
		if a.family == famECDSA && a.curve == crv {
			return nil
		}
		if a.family == famECDSA {
			return &MintError{"alg", alg + " needs a " + a.curve + " key, this is a " + kind}
		}
	case ed25519.PrivateKey:
		kind = "Ed25519 key"
		if a.family == famEdDSA {
			return nil
		}
	case []byte:
		if a.family == famHMAC {
			if len(key) < a.size {
				return &MintError{"alg", fmt.Sprintf("%s needs a secret of at least %d bytes (RFC 7518 §3.2); this one has %d", alg, a.size, len(key))}
			}
			return nil
		}
		return &MintError{"alg", alg + " needs a private key; a shared secret signs only HS256, HS384 or HS512"}
	}
	return &MintError{"alg", "an " + kind + " cannot sign " + alg}
}
