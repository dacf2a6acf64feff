package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// errNoSessionBus is returned by SystemKeyring, before go-keyring is called, when there is
// no D-Bus session bus to find a Secret Service on. Without this check godbus would
// "autolaunch" one with dbus-launch: every call would leave a dbus-daemon (and, through
// D-Bus activation, a locked gnome-keyring-daemon) running, and the user would be told
// that the login keyring is locked when the truth is that there is no session at all.
var errNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")

// sessionBus reports errNoSessionBus where the keyring is the Secret Service (Linux and the
// BSDs) and godbus would find no session bus address without autolaunching: the
// environment names none and the systemd user bus socket (/run/user/UID/bus, or the
// dbus-session file beside it) does not exist. It mirrors godbus's own lookup order.
func sessionBus(getenv func(string) string, exists func(string) bool) error {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android", "plan9", "js", "wasip1":
		return nil
	}
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	dir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	if exists(filepath.Join(dir, "bus")) || exists(filepath.Join(dir, "dbus-session")) {
		return nil
	}
	return errNoSessionBus
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkSessionBus is sessionBus on the process environment and file system.
func checkSessionBus() error { return sessionBus(os.Getenv, fileExists) }

// failingKeyring fails every call with err, without touching any keyring.
type failingKeyring struct{ err error }

func (k failingKeyring) Set(string, string, string) error   { return k.err }
func (k failingKeyring) Get(string, string) (string, error) { return "", k.err }
func (k failingKeyring) Delete(string, string) error        { return k.err }
