package keys

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/tokens"
)

// ErrFileTooLarge is wrapped by the error for a key, secret or JWKS file larger than
// tokens.MaxBodySize: the same cap as for anything fetched from a provider.
var ErrFileTooLarge = fmt.Errorf("file larger than %d bytes", tokens.MaxBodySize)

// FileError is returned when a key, secret or JWKS file (--key, --secret-file, --jwks,
// --decrypt-key, --sign-key) cannot be read or used, or a key file cannot be written.
// Path is the file as given; Reason is one line.
type FileError struct {
	Path   string
	Reason string
	Err    error // the underlying error, if any (ErrFileTooLarge, a *fs.PathError, or a *tokens.KeyDataError for a file read that holds no usable key)
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s: %s", e.Path, e.Reason)
}

func (e *FileError) Unwrap() error { return e.Err }

// readCapped reads a whole regular file of at most tokens.MaxBodySize bytes.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Reason: "cannot open: " + pathReason(err), Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &FileError{Path: path, Reason: "is a directory"}
	}
	data, err := io.ReadAll(io.LimitReader(f, tokens.MaxBodySize+1))
	if err != nil {
		return nil, &FileError{Path: path, Reason: "cannot read: " + pathReason(err), Err: err}
	}
	if len(data) > tokens.MaxBodySize {
		return nil, &FileError{Path: path, Reason: fmt.Sprintf("larger than %d bytes", tokens.MaxBodySize), Err: ErrFileTooLarge}
	}
	return data, nil
}

// LoadJWKSFile reads a JSON Web Key Set from the file at path (--jwks PATH) with the rules
// of tokens.ParseJWKS; its keys have tokens.OriginJWKS and the source "JWKS file <path>". A leading
// UTF-8 byte order mark is ignored. Files over tokens.MaxBodySize are refused.
func LoadJWKSFile(path string) (*tokens.KeySet, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	return tokens.ParseJWKS(tokens.TrimBOM(data), "JWKS file "+path)
}

// LoadSecretFile reads an HMAC secret from the file at path (--secret-file): the file's
// raw bytes, except that exactly one trailing "\n" or "\r\n" is removed, because editors
// and `echo` add one that is almost never part of the secret (a secret that really ends in
// a newline needs a second one in the file). No other whitespace is touched. It refuses an
// empty secret and files over tokens.MaxBodySize. The key has OriginSecretFile and the source
// "secret file <path>"; a note is added when other users may read the file.
func LoadSecretFile(path string) (*tokens.KeySet, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	secret := tokens.TrimNewline(data)
	if len(secret) == 0 {
		return nil, &FileError{Path: path, Reason: "the secret is empty"}
	}
	set := &tokens.KeySet{Keys: []tokens.Key{{
		JWK:    jose.JSONWebKey{Key: bytes.Clone(secret)},
		Origin: tokens.OriginSecretFile,
		Source: "secret file " + path,
	}}}
	if fi, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		set.Notes = append(set.Notes, fmt.Sprintf("secret file %s can be read by other users (mode %#o)", path, fi.Mode().Perm()))
	}
	return set, nil
}

// LoadFile reads verification keys from the file at path (--key): PEM, a JWK or a JWK Set,
// with the rules of tokens.ParseVerificationKeys. Keys have the source "key file <path>".
// Files over tokens.MaxBodySize are refused; a file with no usable key is a *FileError.
func LoadFile(path string) (*tokens.KeySet, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	set, err := tokens.ParseVerificationKeys(data, "key file "+path)
	if err != nil {
		return nil, withPath(path, err)
	}
	return set, nil
}

// LoadDecryptionFile reads the private keys a JWE may be decrypted with from the file at
// path (--decrypt-key), with the rules of tokens.ParseDecryptionKeys. Keys have the source
// "decryption key file <path>". Files over tokens.MaxBodySize are refused; a file with no usable
// key is a *FileError.
func LoadDecryptionFile(path string) ([]tokens.Key, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	found, err := tokens.ParseDecryptionKeys(data, "decryption key file "+path)
	if err != nil {
		return nil, withPath(path, err)
	}
	return found, nil
}

// withPath turns the *tokens.KeyDataError of parsing a file's contents into the
// *FileError that names the file; other errors (a *tokens.JWKSError) pass unchanged.
func withPath(path string, err error) error {
	var de *tokens.KeyDataError
	if errors.As(err, &de) {
		return &FileError{Path: path, Reason: de.Reason, Err: de}
	}
	return err
}
