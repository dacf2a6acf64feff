package keyringtest

import (
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
)

// Memory is an in-memory keyring for tests that pass it to store.Secrets (the
// store.Keyring interface) instead of swapping go-keyring's backend for the whole
// process with keyring.MockInit. It is safe for concurrent use; a missing entry is
// keyring.ErrNotFound, as the real backends report it.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemory returns an empty Memory keyring.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

func key(service, account string) string { return service + "\x00" + account }

// Set stores value for account under service.
func (k *Memory) Set(service, account, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key(service, account)] = value
	return nil
}

// Get returns the value stored for account under service.
func (k *Memory) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key(service, account)]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Delete removes the value stored for account under service; a missing one is
// keyring.ErrNotFound.
func (k *Memory) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[key(service, account)]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, key(service, account))
	return nil
}

// Accounts returns the accounts stored under service that start with prefix.
func (k *Memory) Accounts(service, prefix string) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for kk := range k.m {
		s, a, _ := strings.Cut(kk, "\x00")
		if s == service && strings.HasPrefix(a, prefix) {
			out = append(out, a)
		}
	}
	return out
}
