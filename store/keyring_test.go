package store

import (
	"errors"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/zalando/go-keyring"
)

func TestKeyringErrorsAreTypedAndNameTheFix(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		cause string
	}{
		{"unsupported", keyring.ErrUnsupportedPlatform, "no supported keyring"},
		{"no secret service", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, "no Secret Service"},
		{"no secret service (pointer)", &dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, "no Secret Service"},
		{"locked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, "locked"},
		{"no collection", dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownObject"}, "no default keyring"},
		{"other dbus", dbus.Error{Name: "org.example.Weird"}, "refused"},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests,
			struct {
				name  string
				err   error
				cause string
			}{"no bus", errors.New("dial unix /nonexistent: connect: no such file or directory"), "cannot reach the D-Bus session bus"},
			struct {
				name  string
				err   error
				cause string
			}{"dismissed prompt", errors.New("failed to unlock correct collection '/x'"), "locked"},
		)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Secrets{Keyring: errKeyring{tc.err}}
			ops := map[string]func() error{
				"Set":    func() error { return s.Set("dev", SecretClient, "hunter2-secret") },
				"Get":    func() error { _, err := s.Get("dev", SecretClient); return err },
				"Has":    func() error { _, err := s.Has("dev", SecretClient); return err },
				"Delete": func() error { return s.Delete("dev", SecretClient) },
			}
			for op, fn := range ops {
				err := fn()
				var ke *KeyringError
				if !errors.Is(err, ErrKeyringUnavailable) || !errors.As(err, &ke) {
					t.Fatalf("%s = %v, want ErrKeyringUnavailable", op, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.cause) || !strings.Contains(msg, EnvClientSecret) ||
					strings.Contains(msg, "\n") || strings.Contains(msg, "hunter2") {
					t.Errorf("%s message %q: want one line naming %q and %s, no secret", op, msg, tc.cause, EnvClientSecret)
				}
			}
		})
	}
}

// blockingKeyring never answers until released, like a keyring waiting on an unlock
// prompt. calls counts the calls that reached it.
type blockingKeyring struct {
	release chan struct{}
	calls   *atomic.Int32
}

func (b blockingKeyring) Set(string, string, string) error { b.calls.Add(1); <-b.release; return nil }
func (b blockingKeyring) Get(string, string) (string, error) {
	b.calls.Add(1)
	<-b.release
	return "", keyring.ErrNotFound
}
func (b blockingKeyring) Delete(string, string) error { b.calls.Add(1); <-b.release; return nil }

func TestKeyringTimeout(t *testing.T) {
	b := blockingKeyring{release: make(chan struct{}), calls: new(atomic.Int32)}
	s := &Secrets{Keyring: b, Timeout: 20 * time.Millisecond}
	err := s.Set("dev", SecretClient, "x")
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "did not answer within 20ms") {
		t.Fatalf("Set = %v, want a timeout KeyringError", err)
	}
	// While the first call is still stuck, later ones fail at once instead of queueing
	// behind it: none of them reaches the keyring.
	for range 50 {
		if _, err := s.Get("dev", SecretClient); !errors.Is(err, ErrKeyringUnavailable) {
			t.Fatalf("Get while stuck = %v", err)
		}
	}
	if n := b.calls.Load(); n != 1 {
		t.Errorf("%d calls reached the stuck keyring, want 1", n)
	}
	// Once the stuck call returns, the keyring is asked again.
	close(b.release)
	s.timed.mu.Lock()
	stuck := s.timed.stuck
	s.timed.mu.Unlock()
	<-stuck
	if _, err := s.Get("dev", SecretClient); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("Get after release = %v, want ErrSecretNotFound", err)
	}
}

// Every tenant operation that needs the keyring, but remove, fails with the typed error
// and leaves the config file byte for byte as it was.
func TestTenantsKeyringUnavailableTouchesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	ts := &Tenants{Path: p, Secrets: &Secrets{Keyring: keyringtest.NewMemory()}}
	if err := ts.Add(sampleTenant("prod"), SetSecret("s3cret")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	ts.Secrets = &Secrets{Keyring: errKeyring{dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}}}
	ops := map[string]func() error{
		"add":         func() error { return ts.Add(sampleTenant("dev"), SetSecret("x")) },
		"edit secret": func() error { return ts.Edit("prod", nil, SetSecret("y")) },
		"make public": func() error {
			return ts.Edit("prod", func(t *Tenant) error { t.Confidential = false; t.Grant = oauth.GrantPKCE; return nil }, KeepSecret)
		},
	}
	for name, op := range ops {
		err := op()
		if !errors.Is(err, ErrKeyringUnavailable) {
			t.Errorf("%s = %v, want ErrKeyringUnavailable", name, err)
		}
		if after, _ := os.ReadFile(p); string(after) != string(before) {
			t.Errorf("%s changed the config:\n%s", name, after)
		}
	}
	st, err := ts.Status("prod")
	if !errors.Is(err, ErrKeyringUnavailable) || st.ClientSecret != StateUnknown {
		t.Errorf("Status = %+v, %v", st, err)
	}
	// A public tenant needs no keyring: adding one works (the stale-entry cleanup is best effort).
	pub := Tenant{Name: "pub", Kind: KindOIDC, Issuer: "https://id.example.com/", ClientID: "c", Grant: oauth.GrantDevice}
	if err := ts.Add(pub, KeepSecret); err != nil {
		t.Errorf("public add without a keyring: %v", err)
	}
}

// Removing a tenant without a keyring removes it from the config (whole, never half
// written) and says its entries were not reached; the next change made with the keyring
// back removes them, so none is left that no tenant owns.
func TestTenantsRemoveWithoutKeyring(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	mem := keyringtest.NewMemory()
	ts := &Tenants{Path: p, Secrets: &Secrets{Keyring: mem}}
	for _, n := range []string{"prod", "dev"} {
		if err := ts.Add(sampleTenant(n), SetSecret("s3cret-"+n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.Secrets.Set("prod", SecretRefreshToken, "rt"); err != nil {
		t.Fatal(err)
	}
	ts.Secrets = &Secrets{Keyring: errKeyring{dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}}}
	err := ts.Remove("prod")
	var left *SecretsLeftError
	if !errors.As(err, &left) || left.Tenant != "prod" || left.Cause != "no Secret Service on the D-Bus session bus" || !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("Remove = %v, want a *SecretsLeftError", err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatalf("the config does not load after the remove: %v", err)
	}
	if _, ok := c.Tenants["prod"]; ok || len(c.Tenants) != 1 {
		t.Errorf("tenants after the remove: %v", c.Names())
	}
	if v, _ := mem.Get(Service, Account("prod", SecretClient)); v == "" {
		t.Fatal("the test keyring lost the entry it could not have been asked about")
	}
	// The keyring is back: the next change sweeps what the removed tenant left.
	ts.Secrets = &Secrets{Keyring: mem}
	if err := ts.Use("dev"); err != nil {
		t.Fatal(err)
	}
	if left := mem.Accounts(Service, "prod/"); len(left) != 0 {
		t.Errorf("entries of the removed tenant left after the next change: %v", left)
	}
	if v, err := ts.Secrets.Get("dev", SecretClient); v != "s3cret-dev" || err != nil {
		t.Errorf("the other tenant's secret: %q, %v", v, err)
	}
}
