package tokens

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// KeyDataError says why key material given as bytes (the contents of a key file) holds no
// usable key. Reason is one line; tokens/keys names the file in a *keys.FileError.
type KeyDataError struct {
	Reason string
	Err    error // the underlying error, if any (a *json.SyntaxError, …)
}

func (e *KeyDataError) Error() string { return e.Reason }

func (e *KeyDataError) Unwrap() error { return e.Err }

// ParseVerificationKeys reads verification keys from the contents of a key file (--key);
// source names it in every key and reason ("key file <path>"). It accepts:
//
//   - PEM: "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS #1), "CERTIFICATE" (the first
//     certificate's public key; further certificates are skipped, since a chain's CA keys
//     must not verify tokens), and unencrypted private keys ("PRIVATE KEY", "RSA PRIVATE
//     KEY", "EC PRIVATE KEY"), of which only the public half is kept, with a note saying so.
//     Encrypted private keys and other block types are skipped with a reason.
//   - a single JWK: a public key, or a private one of which only the public half is kept
//     (with a note); a symmetric ("oct") JWK is taken as an HMAC secret and gets
//     OriginSecretFile, since it is a shared secret the user configured.
//   - a JWK Set: the rules of ParseJWKS (public keys only).
//
// A leading UTF-8 byte order mark is ignored. Keys have OriginKeyFile (except symmetric
// JWKs). The checks of ParseJWKS apply (RSA at least MinRSABits, supported curves, "alg"
// fitting the key). Data with no usable key is a *KeyDataError.
func ParseVerificationKeys(data []byte, source string) (*KeySet, error) {
	trimmed := bytes.TrimSpace(TrimBOM(data))
	var set *KeySet
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		set = loadPEMKeys(data, source)
	case bytes.HasPrefix(trimmed, []byte("{")):
		var members map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &members); err != nil {
			return nil, &KeyDataError{Reason: "not valid JSON: " + err.Error(), Err: err}
		}
		if _, ok := members["keys"]; ok {
			set, err := ParseJWKS(trimmed, source)
			if err != nil {
				return nil, err
			}
			for i := range set.Keys {
				set.Keys[i].Origin = OriginKeyFile
			}
			return set, nil
		}
		set = loadJWKKey(trimmed, members, source)
	default:
		return nil, &KeyDataError{Reason: "neither PEM nor JSON (a JWK or JWK Set); DER is not read, convert it with `openssl pkey -pubin -inform DER -in FILE`"}
	}
	if len(set.Keys) == 0 {
		reason := "no usable key"
		if len(set.Skipped) > 0 {
			reason += ": " + strings.Join(set.Skipped, "; ")
		}
		return nil, &KeyDataError{Reason: reason}
	}
	return set, nil
}

// loadJWKKey reads one JWK for ParseVerificationKeys.
func loadJWKKey(data []byte, members map[string]json.RawMessage, source string) *KeySet {
	set := &KeySet{}
	if jsonStringMember(members["kty"]) == "oct" {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(data); err != nil {
			set.Skipped = append(set.Skipped, "malformed symmetric JWK: "+joseReason(err))
			return set
		}
		if k, _ := jwk.Key.([]byte); len(k) == 0 {
			set.Skipped = append(set.Skipped, "symmetric JWK with an empty key")
			return set
		}
		ops, reason := jwkKeyOps(members["key_ops"])
		if reason != "" {
			set.Skipped = append(set.Skipped, reason)
			return set
		}
		set.Keys = append(set.Keys, Key{JWK: jwk, Origin: OriginSecretFile, Source: source, KeyOps: ops})
		set.Notes = append(set.Notes, source+" holds a symmetric JWK: it is used as an HMAC secret")
		return set
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			set.Skipped = append(set.Skipped, unsupportedReason(data))
		} else {
			set.Skipped = append(set.Skipped, "malformed JWK: "+joseReason(err))
		}
		return set
	}
	ops, reason := jwkKeyOps(members["key_ops"])
	if reason != "" {
		set.Skipped = append(set.Skipped, reason)
		return set
	}
	if !jwk.IsPublic() {
		jwk = jwk.Public()
		set.Notes = append(set.Notes, source+" holds a private JWK: only its public half is used")
		if slices.Contains(ops, "sign") {
			// The public half of a signing key is a verification key.
			ops = []string{"verify"}
		}
	}
	if reason := checkPublicKey(jwk.Key, jwk.Algorithm); reason != "" {
		set.Skipped = append(set.Skipped, reason)
		return set
	}
	set.Keys = append(set.Keys, Key{JWK: jwk, Origin: OriginKeyFile, Source: source, KeyOps: ops})
	return set
}

// loadPEMKeys reads every PEM block of a key file for ParseVerificationKeys.
func loadPEMKeys(data []byte, source string) *KeySet {
	set := &KeySet{}
	sawCert := false
	for i := 0; ; i++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		label := fmt.Sprintf("PEM block %d (%s)", i, block.Type)
		pub, private, reason := pemPublicKey(block)
		if block.Type == "CERTIFICATE" && reason == "" {
			if sawCert {
				set.Skipped = append(set.Skipped, label+": only the first certificate's key is used")
				continue
			}
			sawCert = true
		}
		if reason == "" {
			reason = checkPublicKey(pub, "")
		}
		if reason != "" {
			set.Skipped = append(set.Skipped, label+": "+reason)
			continue
		}
		if private {
			set.Notes = append(set.Notes, fmt.Sprintf("%s: %s is a private key: only its public half is used", source, label))
		}
		set.Keys = append(set.Keys, Key{JWK: jose.JSONWebKey{Key: pub}, Origin: OriginKeyFile, Source: source})
	}
	return set
}

// pemPublicKey returns the public key in one PEM block, whether the block held a private
// key, or why no key can be taken from it.
func pemPublicKey(block *pem.Block) (pub any, private bool, reason string) {
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, true, "encrypted private key; give the public key instead (`openssl pkey -in FILE -pubout`)"
	}
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		private = true
		var key any
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			key, err = x509.ParseECPrivateKey(block.Bytes)
		}
		if signer, ok := key.(crypto.Signer); err == nil && ok {
			pub = signer.Public()
		} else if err == nil {
			return nil, true, fmt.Sprintf("unsupported private key type %T", key)
		}
	default:
		return nil, false, "not a key"
	}
	if err != nil {
		return nil, private, "malformed: " + err.Error()
	}
	return pub, private, ""
}
