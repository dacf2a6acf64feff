package tokens

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// ErrFileTooLarge is wrapped by the error for a key, secret or JWKS file larger than
// MaxBodySize: the same cap as for anything fetched from a provider.
var ErrFileTooLarge = fmt.Errorf("tokens: file larger than %d bytes", MaxBodySize)

// KeyFileError is returned when a file given with --key, --secret-file or --jwks cannot be
// used. Path is the file as given; Reason is one line.
type KeyFileError struct {
	Path   string
	Reason string
	Err    error // the underlying error, if any (ErrFileTooLarge, a *fs.PathError, …)
}

func (e *KeyFileError) Error() string {
	return fmt.Sprintf("tokens: %s: %s", e.Path, e.Reason)
}

func (e *KeyFileError) Unwrap() error { return e.Err }

// readCapped reads a whole regular file of at most MaxBodySize bytes.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: "cannot open: " + errReason(err), Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &KeyFileError{Path: path, Reason: "is a directory"}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBodySize+1))
	if err != nil {
		return nil, &KeyFileError{Path: path, Reason: "cannot read: " + errReason(err), Err: err}
	}
	if len(data) > MaxBodySize {
		return nil, &KeyFileError{Path: path, Reason: fmt.Sprintf("larger than %d bytes", MaxBodySize), Err: ErrFileTooLarge}
	}
	return data, nil
}

// errReason drops the path an *os.PathError repeats, leaving "no such file or directory".
func errReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

var bomUTF8 = []byte("\xef\xbb\xbf")

// LoadJWKSFile reads a JSON Web Key Set from the file at path (--jwks PATH) with the rules
// of ParseJWKS; its keys have OriginJWKS and the source "JWKS file <path>". A leading
// UTF-8 byte order mark is ignored. Files over MaxBodySize are refused.
func LoadJWKSFile(path string) (*KeySet, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	return ParseJWKS(bytes.TrimPrefix(data, bomUTF8), "JWKS file "+path)
}

// LoadSecretFile reads an HMAC secret from the file at path (--secret-file): the file's
// raw bytes, except that exactly one trailing "\n" or "\r\n" is removed, because editors
// and `echo` add one that is almost never part of the secret (a secret that really ends in
// a newline needs a second one in the file). No other whitespace is touched. It refuses an
// empty secret and files over MaxBodySize. The key has OriginSecretFile and the source
// "secret file <path>"; a note is added when other users may read the file.
func LoadSecretFile(path string) (*KeySet, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	secret := bytes.TrimSuffix(data, []byte("\n"))
	if len(secret) < len(data) {
		secret = bytes.TrimSuffix(secret, []byte("\r"))
	}
	if len(secret) == 0 {
		return nil, &KeyFileError{Path: path, Reason: "the secret is empty"}
	}
	set := &KeySet{Keys: []Key{{
		JWK:    jose.JSONWebKey{Key: bytes.Clone(secret)},
		Origin: OriginSecretFile,
		Source: "secret file " + path,
	}}}
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		set.Notes = append(set.Notes, fmt.Sprintf("secret file %s can be read by other users (mode %#o)", path, fi.Mode().Perm()))
	}
	return set, nil
}

// LoadKeyFile reads verification keys from the file at path (--key). It accepts:
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
// Keys have OriginKeyFile (except symmetric JWKs) and the source "key file <path>". The
// checks of ParseJWKS apply (RSA at least MinRSABits, supported curves, "alg" fitting the
// key). A PEM file or JWK with no usable key is an error; files over MaxBodySize are refused.
func LoadKeyFile(path string) (*KeySet, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	return parseKeyData(data, path, "key file "+path)
}

// ParseKeyText reads verification keys pasted as text, with the rules of LoadKeyFile: a
// PEM public key (or the public half of a private one), a JWK, or a JWK Set. Its keys
// have the given source; errors name it as the "file". Text over MaxBodySize is refused.
func ParseKeyText(text, source string) (*KeySet, error) {
	if len(text) > MaxBodySize {
		return nil, &KeyFileError{Path: source, Reason: "larger than the size limit", Err: ErrFileTooLarge}
	}
	return parseKeyData([]byte(text), source, source)
}

// parseKeyData is LoadKeyFile on bytes in memory; path names them in errors.
func parseKeyData(data []byte, path, source string) (*KeySet, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, bomUTF8))
	var set *KeySet
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		set = loadPEMKeys(data, source)
	case bytes.HasPrefix(trimmed, []byte("{")):
		var members map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &members); err != nil {
			return nil, &KeyFileError{Path: path, Reason: "not valid JSON: " + err.Error(), Err: err}
		}
		if _, ok := members["keys"]; ok {
			var err error
			set, err = ParseJWKS(trimmed, source)
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
		return nil, &KeyFileError{Path: path, Reason: "neither PEM nor JSON (a JWK or JWK Set); DER is not read, convert it with `openssl pkey -pubin -inform DER -in FILE`"}
	}
	if len(set.Keys) == 0 {
		reason := "no usable key"
		if len(set.Skipped) > 0 {
			reason += ": " + strings.Join(set.Skipped, "; ")
		}
		return nil, &KeyFileError{Path: path, Reason: reason}
	}
	return set, nil
}

// loadJWKKey reads one JWK for LoadKeyFile.
func loadJWKKey(data []byte, members map[string]json.RawMessage, source string) *KeySet {
	set := &KeySet{}
	if jsonStringMember(members["kty"]) == "oct" {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(data); err != nil {
			set.Skipped = append(set.Skipped, "malformed symmetric JWK: "+strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
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
			set.Skipped = append(set.Skipped, "malformed JWK: "+strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
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

// loadPEMKeys reads every PEM block of a key file for LoadKeyFile.
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
