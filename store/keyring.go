package store

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// Keyring is the part of an OS keyring that Secrets uses: one string value per service and
// account. SystemKeyring is the real one; tests may pass another.
type Keyring interface {
	Set(service, account, value string) error
	Get(service, account string) (string, error)
	Delete(service, account string) error
}

// SystemKeyring is the operating system's keyring through github.com/zalando/go-keyring:
// the Secret Service over D-Bus on Linux and BSD, the login keychain on macOS, the
// Credential Manager on Windows. It calls go-keyring as it is, which on the Secret Service
// autolaunches a D-Bus daemon when there is no session bus: NewSecrets guards it.
type SystemKeyring struct{}

// Set stores value for account under service.
func (SystemKeyring) Set(service, account, value string) error {
	return keyring.Set(service, account, value)
}

// Get returns the value stored for account under service.
func (SystemKeyring) Get(service, account string) (string, error) {
	return keyring.Get(service, account)
}

// Delete removes the value stored for account under service.
func (SystemKeyring) Delete(service, account string) error {
	return keyring.Delete(service, account)
}

// DefaultKeyringTimeout bounds every keyring call: a locked keyring waiting for an unlock
// prompt must not hang the tool.
const DefaultKeyringTimeout = 5 * time.Second

// ErrKeyringUnavailable is matched (errors.Is) by every *KeyringError: the keyring could
// not be reached or did not answer, so nothing was read or written.
var ErrKeyringUnavailable = errors.New("keyring unavailable")

// KeyringError says why the keyring could not be used and what the user can do about it.
// Its message is one line and never contains a secret.
type KeyringError struct {
	Cause string // what went wrong, in words
	Fix   string // what to do
	Err   error  // the underlying error, if any
}

func (e *KeyringError) Error() string {
	msg := "keyring unavailable: " + e.Cause
	if e.Err != nil {
		msg += " (" + oneLine(e.Err.Error()) + ")"
	}
	return msg + "; " + e.Fix
}

// Is makes errors.Is(err, ErrKeyringUnavailable) true.
func (e *KeyringError) Is(target error) bool { return target == ErrKeyringUnavailable }

func (e *KeyringError) Unwrap() error { return e.Err }

// errNoEntry is the keyring's "no such account": it is not an availability problem.
var errNoEntry = keyring.ErrNotFound

const envFix = "or set " + EnvClientSecret + " to supply the client secret for this run"

// classify turns an error from the keyring into errNoEntry or a *KeyringError.
func classify(err error) error {
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	if errors.Is(err, keyring.ErrUnsupportedPlatform) {
		return &KeyringError{Cause: "no supported keyring on " + runtime.GOOS, Fix: "set " + EnvClientSecret + " to supply the client secret for this run"}
	}
	if errors.Is(err, errNoSessionBus) {
		return &KeyringError{Cause: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)", Fix: "run inside a desktop session or dbus-run-session with a Secret Service such as gnome-keyring, " + envFix}
	}
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return &KeyringError{Cause: "the keyring refused the value as too large", Fix: "report this as a bug in tokenbench", Err: err}
	}
	var de dbus.Error
	isDBus := errors.As(err, &de)
	if dp := (*dbus.Error)(nil); !isDBus && errors.As(err, &dp) && dp != nil {
		de, isDBus = *dp, true
	}
	if isDBus {
		switch de.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.Spawn.ServiceNotFound":
			return &KeyringError{Cause: "no Secret Service on the D-Bus session bus", Fix: "start one (gnome-keyring-daemon --start --components=secrets, or KeePassXC with its Secret Service integration) " + envFix}
		case "org.freedesktop.Secret.Error.IsLocked":
			return &KeyringError{Cause: "the login keyring is locked", Fix: "unlock it (for example with seahorse, or by logging in to the desktop) " + envFix}
		case "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.Secret.Error.NoSuchObject", "org.freedesktop.DBus.Error.UnknownMethod":
			return &KeyringError{Cause: "the Secret Service has no default keyring", Fix: "create and unlock a login keyring (for example with seahorse) " + envFix}
		}
		return &KeyringError{Cause: "the Secret Service refused the request", Fix: "check that the login keyring exists and is unlocked " + envFix, Err: err}
	}
	msg := err.Error()
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		if strings.Contains(msg, "unlock") {
			return &KeyringError{Cause: "the login keyring is locked (the unlock prompt was dismissed)", Fix: "unlock it (for example with seahorse) " + envFix, Err: err}
		}
		return &KeyringError{Cause: "cannot reach the D-Bus session bus", Fix: "run inside a desktop session (or dbus-run-session) with a Secret Service such as gnome-keyring " + envFix, Err: err}
	case "darwin":
		return &KeyringError{Cause: "the login keychain refused the request", Fix: "unlock the login keychain (Keychain Access) " + envFix, Err: err}
	}
	return &KeyringError{Cause: "the OS keyring refused the request", Fix: "check that the credential store is available " + envFix, Err: err}
}

// timedKeyring runs each call of next on its own goroutine and gives up after timeout. A
// call that timed out may still be running (go-keyring calls cannot be cancelled); until it
// returns, every further call fails at once with the same error instead of queueing up
// behind it, so a locked keyring costs one timeout per process, not one per call.
type timedKeyring struct {
	next    Keyring
	timeout time.Duration

	mu    sync.Mutex
	stuck chan struct{} // closed when the call that timed out returns; nil when none
}

func (k *timedKeyring) do(fn func(Keyring) error) error {
	k.mu.Lock()
	if k.stuck != nil {
		select {
		case <-k.stuck:
			k.stuck = nil
		default:
			k.mu.Unlock()
			return k.timeoutError()
		}
	}
	k.mu.Unlock()

	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = fn(k.next)
	}()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case <-done:
		return classify(err)
	case <-timer.C:
		k.mu.Lock()
		k.stuck = done
		k.mu.Unlock()
		return k.timeoutError()
	}
}

func (k *timedKeyring) timeoutError() error {
	return &KeyringError{
		Cause: fmt.Sprintf("the keyring did not answer within %s (is it locked and waiting for an unlock prompt?)", k.timeout),
		Fix:   "unlock the login keyring and retry " + envFix,
	}
}

func (k *timedKeyring) set(service, account, value string) error {
	return k.do(func(n Keyring) error { return n.Set(service, account, value) })
}

func (k *timedKeyring) get(service, account string) (string, error) {
	var v string
	err := k.do(func(n Keyring) error {
		var err error
		v, err = n.Get(service, account)
		return err
	})
	if err != nil {
		return "", err // v may still be written by a call that timed out
	}
	return v, nil
}

func (k *timedKeyring) delete(service, account string) error {
	return k.do(func(n Keyring) error { return n.Delete(service, account) })
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
