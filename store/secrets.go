package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Service is the keyring service name every tokenbench entry is stored under.
const Service = "tokenbench"

// EnvClientSecret names the environment variable that supplies the client secret of the
// tenant in use for one run (CI, containers, machines without a keyring). It is read by
// Secrets.ClientSecret, takes precedence over the keyring, and is never written anywhere.
const EnvClientSecret = "TOKENBENCH_CLIENT_SECRET"

// ChunkSize is the most bytes of a value stored in one keyring entry. It stays below the
// smallest platform limit: Windows' 2560-byte credential blob, and macOS's ≈3000 bytes for
// service, account and the base64 form go-keyring stores (2048 bytes → 2732 in base64).
const ChunkSize = 2048

// MaxSecretSize bounds a stored value (512 chunks).
const MaxSecretSize = 1 << 20

// headerMagic starts every header entry; the number after the slash is the format version.
const headerMagic = "tokenbench-secret/1"

// SecretKind names one kind of per-tenant secret.
type SecretKind string

// The secrets kept per tenant. Their values are opaque to this package.
const (
	SecretClient       SecretKind = "client-secret"
	SecretRefreshToken SecretKind = "refresh-token"
	SecretTokenSet     SecretKind = "token-set"
	// SecretPrivateKey is the PEM or JWK private key of a private_key_jwt client.
	SecretPrivateKey SecretKind = "private-key"
)

// SecretKinds lists every kind, in the order they are shown and deleted.
var SecretKinds = []SecretKind{SecretClient, SecretRefreshToken, SecretTokenSet, SecretPrivateKey}

// EnvPrivateKey names the environment variable that supplies the private key (PEM or
// JWK) of a private_key_jwt tenant for one run, as EnvClientSecret does for a secret.
const EnvPrivateKey = "TOKENBENCH_PRIVATE_KEY"

// ErrSecretNotFound is returned by Get when the tenant has no secret of that kind.
var ErrSecretNotFound = errors.New("no such secret in the keyring")

// ErrSecretCorrupt is matched (errors.Is) by every *CorruptSecretError.
var ErrSecretCorrupt = errors.New("keyring entry is damaged")

// CorruptSecretError reports a stored value that cannot be trusted: a write was torn (the
// header or a chunk is missing), a chunk was changed, or the header is unreadable. The
// value is never returned; storing it again (or deleting it) repairs the entry.
type CorruptSecretError struct {
	Account string
	Reason  string
}

func (e *CorruptSecretError) Error() string {
	return fmt.Sprintf("keyring entry %s/%s is damaged: %s; store it again or remove it", Service, e.Account, e.Reason)
}

// Is makes errors.Is(err, ErrSecretCorrupt) true.
func (e *CorruptSecretError) Is(target error) bool { return target == ErrSecretCorrupt }

// Secrets stores per-tenant secrets in the OS keyring under service Service. A value of
// kind K for tenant T is kept as chunks of at most ChunkSize bytes in accounts "T/K/0",
// "T/K/1", …, and a header in account "T/K" that records the format version, the chunk
// count, the length and the SHA-256 of the value. The header is written after the chunks,
// so a torn write is detected on read (a *CorruptSecretError), never returned as a secret.
type Secrets struct {
	// Keyring is the backend; nil means SystemKeyring. Set it (and Timeout) before the
	// first call: they are read once.
	Keyring Keyring
	// Timeout bounds every keyring call; zero means DefaultKeyringTimeout.
	Timeout time.Duration
	// LookupEnv reads the environment; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)

	once  sync.Once
	timed *timedKeyring
}

// NewSecrets returns Secrets on the system keyring with the default timeout. Where the
// keyring is the Secret Service and there is no D-Bus session bus, every call fails at
// once with a *KeyringError naming that cause (see errNoSessionBus) instead of starting
// a bus.
func NewSecrets() *Secrets {
	if err := checkSessionBus(); err != nil {
		return &Secrets{Keyring: failingKeyring{err}}
	}
	return &Secrets{}
}

// kr returns the timed keyring, built on first use: the TUI's commands call Secrets
// from several goroutines at once, so the first use is synchronised.
func (s *Secrets) kr() *timedKeyring {
	s.once.Do(func() {
		next, timeout := s.Keyring, s.Timeout
		if next == nil {
			next = SystemKeyring{}
		}
		if timeout <= 0 {
			timeout = DefaultKeyringTimeout
		}
		s.timed = &timedKeyring{next: next, timeout: timeout}
	})
	return s.timed
}

// Account returns the keyring account of the header entry for tenant's secret of kind.
func Account(tenant string, kind SecretKind) string { return tenant + "/" + string(kind) }

func chunkAccount(tenant string, kind SecretKind, i int) string {
	return Account(tenant, kind) + "/" + strconv.Itoa(i)
}

func checkKey(tenant string, kind SecretKind) error {
	if err := ValidateName(tenant); err != nil {
		return err
	}
	for _, k := range SecretKinds {
		if k == kind {
			return nil
		}
	}
	return fmt.Errorf("unknown secret kind %q", printable(string(kind)))
}

type header struct {
	chunks int
	length int
	sum    string
}

func (h header) String() string {
	return fmt.Sprintf("%s chunks=%d len=%d sha256=%s", headerMagic, h.chunks, h.length, h.sum)
}

func parseHeader(s string) (header, error) {
	f := strings.Fields(s)
	if len(f) == 0 || !strings.HasPrefix(f[0], "tokenbench-secret/") {
		return header{}, errors.New("its header is not a tokenbench header")
	}
	if f[0] != headerMagic {
		return header{}, fmt.Errorf("its header has format %q, which this tokenbench does not read", printable(f[0]))
	}
	if len(f) != 4 {
		return header{}, errors.New("its header is malformed")
	}
	var h header
	var err error
	field := func(s, key string) string {
		if !strings.HasPrefix(s, key+"=") {
			err = errors.New("its header is malformed")
		}
		return strings.TrimPrefix(s, key+"=")
	}
	c, l, sum := field(f[1], "chunks"), field(f[2], "len"), field(f[3], "sha256")
	if err != nil {
		return header{}, err
	}
	h.chunks, err = strconv.Atoi(c)
	if err == nil {
		h.length, err = strconv.Atoi(l)
	}
	if err != nil || len(sum) != 2*sha256.Size {
		return header{}, errors.New("its header is malformed")
	}
	h.sum = sum
	if h.length < 0 || h.length > MaxSecretSize || h.chunks != chunksFor(h.length) {
		return header{}, fmt.Errorf("its header is inconsistent (%d chunks for %d bytes)", h.chunks, h.length)
	}
	return h, nil
}

func chunksFor(n int) int { return (n + ChunkSize - 1) / ChunkSize }

func digest(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// Set stores value as tenant's secret of kind, replacing any earlier value: chunks first,
// then the header, then chunks an earlier, longer value left behind are removed (best
// effort: a leftover chunk is never read). It refuses values over MaxSecretSize. When it
// fails part-way the entry reads as damaged until it is stored again or deleted.
func (s *Secrets) Set(tenant string, kind SecretKind, value string) error {
	if err := checkKey(tenant, kind); err != nil {
		return err
	}
	if len(value) > MaxSecretSize {
		return fmt.Errorf("secret larger than %d KiB", MaxSecretSize>>10)
	}
	kr := s.kr()
	old, err := kr.get(Service, Account(tenant, kind))
	oldChunks := 0
	switch {
	case err == nil:
		if h, perr := parseHeader(old); perr == nil {
			oldChunks = h.chunks
		}
	case !errors.Is(err, errNoEntry):
		return err
	}
	h := header{chunks: chunksFor(len(value)), length: len(value), sum: digest(value)}
	for i := 0; i < h.chunks; i++ {
		end := min((i+1)*ChunkSize, len(value))
		if err := kr.set(Service, chunkAccount(tenant, kind, i), value[i*ChunkSize:end]); err != nil {
			return err
		}
	}
	if err := kr.set(Service, Account(tenant, kind), h.String()); err != nil {
		return err
	}
	s.deleteChunks(tenant, kind, h.chunks, oldChunks)
	return nil
}

// deleteChunks removes chunks from index from on: at least up to known, and past it as
// long as they exist (a torn earlier write may have left more). It deletes the last one
// first, so that a process killed half-way leaves a run of chunks from the first on, which
// the next delete finds again: writes and deletes both keep the chunks contiguous. Errors
// stop it; Set ignores them (a leftover chunk is never read), Delete reports them.
func (s *Secrets) deleteChunks(tenant string, kind SecretKind, from, known int) error {
	kr := s.kr()
	n := max(known, from)
	for ; n < MaxSecretSize/ChunkSize; n++ {
		_, err := kr.get(Service, chunkAccount(tenant, kind, n))
		if errors.Is(err, errNoEntry) {
			break
		}
		if err != nil {
			return err
		}
	}
	for i := n - 1; i >= from; i-- {
		if err := kr.delete(Service, chunkAccount(tenant, kind, i)); err != nil && !errors.Is(err, errNoEntry) {
			return err
		}
	}
	return nil
}

// Get returns tenant's secret of kind. It returns ErrSecretNotFound when there is none, a
// *CorruptSecretError when the stored chunks do not match their header (a torn or partial
// write), and a *KeyringError when the keyring cannot be used.
func (s *Secrets) Get(tenant string, kind SecretKind) (string, error) {
	if err := checkKey(tenant, kind); err != nil {
		return "", err
	}
	kr := s.kr()
	acct := Account(tenant, kind)
	raw, err := kr.get(Service, acct)
	if errors.Is(err, errNoEntry) {
		_, cerr := kr.get(Service, chunkAccount(tenant, kind, 0))
		switch {
		case cerr == nil:
			return "", &CorruptSecretError{Account: acct, Reason: "its header is missing (a write was interrupted)"}
		case errors.Is(cerr, errNoEntry):
			return "", ErrSecretNotFound
		default:
			return "", cerr
		}
	}
	if err != nil {
		return "", err
	}
	h, err := parseHeader(raw)
	if err != nil {
		return "", &CorruptSecretError{Account: acct, Reason: err.Error()}
	}
	var b strings.Builder
	b.Grow(h.length)
	for i := 0; i < h.chunks; i++ {
		c, err := kr.get(Service, chunkAccount(tenant, kind, i))
		if errors.Is(err, errNoEntry) {
			return "", &CorruptSecretError{Account: acct, Reason: fmt.Sprintf("chunk %d of %d is missing", i+1, h.chunks)}
		}
		if err != nil {
			return "", err
		}
		b.WriteString(c)
	}
	v := b.String()
	if len(v) != h.length || digest(v) != h.sum {
		return "", &CorruptSecretError{Account: acct, Reason: "its chunks do not match the header's length and checksum (a write was torn or an entry changed)"}
	}
	return v, nil
}

// Has reports whether tenant has a secret of kind, reading only its header. A chunk
// without a header is a *CorruptSecretError; a header that does not parse is one too.
func (s *Secrets) Has(tenant string, kind SecretKind) (bool, error) {
	if err := checkKey(tenant, kind); err != nil {
		return false, err
	}
	kr := s.kr()
	acct := Account(tenant, kind)
	raw, err := kr.get(Service, acct)
	if errors.Is(err, errNoEntry) {
		_, cerr := kr.get(Service, chunkAccount(tenant, kind, 0))
		switch {
		case cerr == nil:
			return false, &CorruptSecretError{Account: acct, Reason: "its header is missing (a write was interrupted)"}
		case errors.Is(cerr, errNoEntry):
			return false, nil
		default:
			return false, cerr
		}
	}
	if err != nil {
		return false, err
	}
	if _, err := parseHeader(raw); err != nil {
		return false, &CorruptSecretError{Account: acct, Reason: err.Error()}
	}
	return true, nil
}

// Delete removes tenant's secret of kind: the header first (so a half-done delete reads as
// damaged, never as a shorter value), then every chunk, including ones an earlier torn
// write left behind. Deleting what does not exist is not an error.
func (s *Secrets) Delete(tenant string, kind SecretKind) error {
	if err := checkKey(tenant, kind); err != nil {
		return err
	}
	kr := s.kr()
	acct := Account(tenant, kind)
	known := 0
	raw, err := kr.get(Service, acct)
	switch {
	case err == nil:
		if h, perr := parseHeader(raw); perr == nil {
			known = h.chunks
		}
		if err := kr.delete(Service, acct); err != nil && !errors.Is(err, errNoEntry) {
			return err
		}
	case !errors.Is(err, errNoEntry):
		return err
	}
	return s.deleteChunks(tenant, kind, 0, known)
}

// DeleteAll removes every secret of tenant (all kinds, all chunks).
func (s *Secrets) DeleteAll(tenant string) error {
	for _, k := range SecretKinds {
		if err := s.Delete(tenant, k); err != nil {
			return err
		}
	}
	return nil
}

// PrivateKey returns the private key of tenant, the tenant in use, for private_key_jwt:
// $TOKENBENCH_PRIVATE_KEY when it is set and not empty (fromEnv true; the keyring is not
// touched), else the stored one (ErrSecretNotFound when none).
func (s *Secrets) PrivateKey(tenant string) (key string, fromEnv bool, err error) {
	lookup := s.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if v, ok := lookup(EnvPrivateKey); ok && v != "" {
		return v, true, nil
	}
	v, err := s.Get(tenant, SecretPrivateKey)
	return v, false, err
}

// ClientSecret returns the client secret for tenant, the tenant in use: the value of
// $TOKENBENCH_CLIENT_SECRET when it is set and not empty (fromEnv true; the keyring is not
// touched), else the stored one (ErrSecretNotFound when none).
func (s *Secrets) ClientSecret(tenant string) (secret string, fromEnv bool, err error) {
	lookup := s.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if v, ok := lookup(EnvClientSecret); ok && v != "" {
		return v, true, nil
	}
	v, err := s.Get(tenant, SecretClient)
	return v, false, err
}
