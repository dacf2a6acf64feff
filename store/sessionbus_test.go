package store

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// Without a session bus address and without the systemd user bus socket, the keyring is
// not asked at all (godbus would autolaunch a dbus-daemon), and the error says so.
func TestSessionBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is the keyring on Linux")
	}
	env := func(addr string) func(string) string {
		return func(k string) string {
			if k == "DBUS_SESSION_BUS_ADDRESS" {
				return addr
			}
			return ""
		}
	}
	none := func(string) bool { return false }
	socket := func(p string) bool { return strings.HasSuffix(p, "/bus") }
	tests := []struct {
		name   string
		addr   string
		exists func(string) bool
		want   error
	}{
		{"address set", "unix:path=/run/user/1000/bus", none, nil},
		{"nothing", "", none, errNoSessionBus},
		{"autolaunch only", "autolaunch:", none, errNoSessionBus},
		{"systemd user bus", "", socket, nil},
	}
	for _, tc := range tests {
		if err := sessionBus(env(tc.addr), tc.exists); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	s := &Secrets{Keyring: failingKeyring{errNoSessionBus}}
	_, err := s.Get("dev", SecretClient)
	var ke *KeyringError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "no D-Bus session bus") || strings.Contains(err.Error(), "locked") {
		t.Errorf("Get without a bus = %v", err)
	}
}
