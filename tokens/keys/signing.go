package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/tokens"
)

// ErrExists is wrapped by the error for a key file that is already there and may not be
// replaced.
var ErrExists = errors.New("file exists")

// GenerableAlgs are the algorithms GenerateSigningKey makes keys for.
var GenerableAlgs = []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA", "HS256", "HS384", "HS512"}

// GenerateSigningKey makes a new key for alg (one of GenerableAlgs): P-256, P-384 or P-521
// for ES*, RSA 2048 for RS256 and PS256, Ed25519 for EdDSA, and a random secret of the
// hash's length for HS*. Its kid is kid, or when empty its RFC 7638 thumbprint (a random
// name for a secret, whose thumbprint would be a hash of the secret); its alg
// is alg, so that it signs with nothing else.
func GenerateSigningKey(alg, kid string) (*tokens.SigningKey, error) {
	var key any
	var err error
	switch alg {
	case "ES256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		key, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "RS256", "PS256":
		key, err = rsa.GenerateKey(rand.Reader, tokens.MinRSABits)
	case "EdDSA":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case "HS256", "HS384", "HS512":
		secret := make([]byte, map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg])
		for {
			if _, err = io.ReadFull(rand.Reader, secret); err != nil || !startsLikeKeyText(secret) {
				break
			}
		}
		key = secret
	default:
		return nil, &tokens.MintError{What: "alg", Reason: fmt.Sprintf("cannot make a key for %q (known: %v)", alg, GenerableAlgs)}
	}
	if err != nil {
		return nil, &tokens.MintError{What: "key", Reason: "generating: " + err.Error()}
	}
	sk := &tokens.SigningKey{Key: key, KeyID: kid, Alg: alg}
	if _, secret := key.([]byte); secret && kid == "" {
		// A secret's thumbprint is a hash of the secret: a random name gives nothing away.
		var id [12]byte
		if _, err := io.ReadFull(rand.Reader, id[:]); err != nil {
			return nil, &tokens.MintError{What: "key", Reason: "generating: " + err.Error()}
		}
		sk.KeyID = base64.RawURLEncoding.EncodeToString(id[:])
	} else if kid == "" {
		if sk.KeyID, err = tokens.Thumbprint(jose.JSONWebKey{Key: key}); err != nil {
			return nil, err
		}
	}
	return sk, nil
}

// startsLikeKeyText reports whether a random secret begins the way PEM, JSON or DER does
// (after optional whitespace): the verifier refuses such a secret, lest a public key be
// used as an HMAC key, so about one generated secret in 40 would not verify its own tokens.
func startsLikeKeyText(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\n\v\f\r")
	return len(t) == 0 || t[0] == '{' || t[0] == '-' || t[0] == 0x30
}

// PrivateJWK returns key as a private JWK (JSON) with its kid, alg and use "sig".
func PrivateJWK(key *tokens.SigningKey) ([]byte, error) {
	jwk := jose.JSONWebKey{Key: key.Key, KeyID: key.KeyID, Algorithm: key.Alg, Use: "sig"}
	b, err := jwk.MarshalJSON()
	if err != nil {
		return nil, &tokens.MintError{What: "key", Reason: err.Error()}
	}
	return b, nil
}

// PublicJWKS returns the public JWK Set of key, for verifiers; false for a shared secret,
// which has no public half.
func PublicJWKS(key *tokens.SigningKey) (jose.JSONWebKeySet, bool) {
	pub, ok := key.Public()
	if !ok {
		return jose.JSONWebKeySet{}, false
	}
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}}, true
}

// WriteFileAtomic writes data to path with mode 0600 so that the file is never seen
// half-written: a temporary file in the same directory, synced, then linked into place
// (which fails when path exists unless replace is set, when it is renamed over it). On
// any error nothing is left behind and an existing file is untouched.
func WriteFileAtomic(path string, data []byte, replace bool) (err error) {
	fail := func(reason string, err error) error {
		return &FileError{Path: path, Reason: reason, Err: err}
	}
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return fail("already exists; refusing to replace it", ErrExists)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail("cannot create: "+pathReason(err), err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fail("cannot set mode 0600: "+pathReason(err), err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail("cannot write: "+pathReason(err), err)
	}
	if err := tmp.Sync(); err != nil {
		return fail("cannot sync: "+pathReason(err), err)
	}
	if err := tmp.Close(); err != nil {
		return fail("cannot write: "+pathReason(err), err)
	}
	if replace {
		if err := os.Rename(name, path); err != nil {
			return fail("cannot replace: "+pathReason(err), err)
		}
		return nil
	}
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fail("already exists; refusing to replace it", ErrExists)
		}
		return fail("cannot create: "+pathReason(err), err)
	}
	os.Remove(name)
	return nil
}

// LoadSigningKey reads a private key (PEM or JWK) to sign with from the file at path, under
// the rules of tokens.ParseSigningKey.
func LoadSigningKey(path string) (*tokens.SigningKey, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	return tokens.ParseSigningKey(data)
}

// LoadSigningSecret reads an HMAC secret to sign with from the file at path: its raw bytes
// less one trailing newline (as --secret-file does for verification). An empty secret is
// refused.
func LoadSigningSecret(path string) (*tokens.SigningKey, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	secret := tokens.TrimNewline(data)
	if len(secret) == 0 {
		return nil, &FileError{Path: path, Reason: "the secret is empty"}
	}
	return &tokens.SigningKey{Key: secret}, nil
}

// pathReason drops the path an *fs.PathError repeats.
func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}
