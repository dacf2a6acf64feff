package tokens

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// ParseDecryptionKeys reads the private keys a JWE may be decrypted with from the contents
// of a key file (--decrypt-key); source names it ("decryption key file <path>"). It accepts
// PEM private keys ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"; unencrypted), a
// private or symmetric JWK, or a JWK Set of them. Public keys, encrypted PEM and other
// blocks are refused with a reason. Keys get OriginKeyFile; key_ops is kept. Data with no
// usable key is a *KeyDataError.
func ParseDecryptionKeys(data []byte, source string) ([]Key, error) {
	trimmed := bytes.TrimSpace(TrimBOM(data))
	var keys []Key
	var skipped []string
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		for rest := data; ; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				break
			}
			key, why := pemPrivateKey(block)
			if why != "" {
				skipped = append(skipped, block.Type+": "+why)
				continue
			}
			keys = append(keys, Key{JWK: jose.JSONWebKey{Key: key}, Origin: OriginKeyFile, Source: source})
		}
	case bytes.HasPrefix(trimmed, []byte("{")):
		var set struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal(trimmed, &set); err != nil {
			return nil, &KeyDataError{Reason: "not valid JSON: " + err.Error(), Err: err}
		}
		members := set.Keys
		if members == nil {
			members = []json.RawMessage{trimmed}
		}
		for _, m := range members {
			k, why := privateJWK(m, source)
			if why != "" {
				skipped = append(skipped, why)
				continue
			}
			keys = append(keys, k)
		}
	default:
		return nil, &KeyDataError{Reason: "neither PEM nor JSON (a JWK or JWK Set)"}
	}
	if len(keys) == 0 {
		reason := "no usable decryption key"
		if len(skipped) > 0 {
			reason += ": " + strings.Join(skipped, "; ")
		}
		return nil, &KeyDataError{Reason: reason}
	}
	return keys, nil
}

func pemPrivateKey(block *pem.Block) (any, string) {
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, "encrypted private keys are not read; decrypt it with `openssl pkey -in FILE`"
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
	default:
		return nil, "not a private key"
	}
	if err != nil {
		return nil, "malformed: " + err.Error()
	}
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
		return key, ""
	}
	return nil, "only RSA and EC private keys decrypt JWE"
}

func privateJWK(data []byte, source string) (Key, string) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		return Key{}, "malformed JWK: " + joseReason(err)
	}
	var ops struct {
		KeyOps []string `json:"key_ops"`
	}
	json.Unmarshal(data, &ops)
	switch jwk.Key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, []byte:
	default:
		return Key{}, "JWK " + quoteIfOdd(jwk.KeyID) + " is not a private RSA, EC or symmetric key"
	}
	return Key{JWK: jwk, Origin: OriginKeyFile, Source: source, KeyOps: ops.KeyOps}, ""
}
