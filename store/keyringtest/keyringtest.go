// Package keyringtest gives tests a real Secret Service (the Linux OS keyring) to run
// against. It is for tests only.
//
// Require uses the session bus named by $DBUS_SESSION_BUS_ADDRESS when a Secret Service
// answers there (as under .ci/run's dbus-run-session with gnome-keyring-daemon). Otherwise,
// when dbus-daemon and gnome-keyring-daemon are installed, it starts a private session bus
// and an unlocked gnome-keyring (its keyrings in a temporary HOME, so a user's keyrings are
// never touched) once per test binary and points $DBUS_SESSION_BUS_ADDRESS at it. When
// neither is possible the test is skipped with the reason, never passed.
package keyringtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const secretsName = "org.freedesktop.secrets"

var (
	once     sync.Once
	address  string
	skipWhy  string
	stopFns  []func()
	startErr error
)

// Require returns the address of a session bus with a working Secret Service, with
// $DBUS_SESSION_BUS_ADDRESS set to it, or skips t. A failure to start daemons that are
// installed fails t.
func Require(t testing.TB) string {
	t.Helper()
	once.Do(setup)
	switch {
	case startErr != nil:
		t.Fatalf("keyringtest: starting a private Secret Service: %v", startErr)
	case skipWhy != "":
		t.Skip("no Secret Service: " + skipWhy)
	}
	return address
}

// Stop ends the daemons Require started and removes their files. Call it from TestMain
// after m.Run; it does nothing when Require used an existing session or never ran.
func Stop() {
	for i := len(stopFns) - 1; i >= 0; i-- {
		stopFns[i]()
	}
	stopFns = nil
}

func setup() {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" {
		if err := waitForSecrets(addr, 3*time.Second, false); err == nil {
			address = addr
			return
		}
	}
	for _, bin := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			skipWhy = fmt.Sprintf("$DBUS_SESSION_BUS_ADDRESS has no Secret Service and %s is not installed (apt-get install dbus-x11 gnome-keyring libsecret-tools)", bin)
			return
		}
	}
	address, startErr = start(func(f func()) { stopFns = append(stopFns, f) })
	if startErr != nil {
		Stop()
		return
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", address)
}

// StartPrivate starts a session bus and an unlocked gnome-keyring of t's own and returns
// the bus address; they stop when t ends. It is for subprocesses (pass the address in
// their environment): this process's go-keyring stays on the bus Require chose. Tests
// that lock or break the keyring use it, so that other suites sharing a session keyring
// are not disturbed. It skips t when the daemons are not installed.
func StartPrivate(t testing.TB) string {
	t.Helper()
	for _, bin := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (apt-get install dbus-x11 gnome-keyring libsecret-tools)", bin)
		}
	}
	var stops []func()
	t.Cleanup(func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	})
	addr, err := start(func(f func()) { stops = append(stops, f) })
	if err != nil {
		t.Fatalf("keyringtest: starting a private Secret Service: %v", err)
	}
	return addr
}

// Lock locks the default collection of the Secret Service on the bus at addr, as a
// screen lock or `secret-tool lock` would.
func Lock(t testing.TB, addr string) {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err = conn.Object(secretsName, "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/aliases/default"}).
		Store(&locked, &prompt)
	if err != nil || len(locked) != 1 {
		t.Fatalf("locking the keyring: %v (locked %v, prompt %v)", err, locked, prompt)
	}
}

// start starts a bus and a keyring daemon; onStop registers how to stop each part.
func start(onStop func(func())) (string, error) {
	dir, err := os.MkdirTemp("", "tokenbench-keyring-")
	if err != nil {
		return "", err
	}
	onStop(func() { os.RemoveAll(dir) })
	for _, d := range []string{"home", "run", "data", "config"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return "", err
		}
	}

	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1",
		"--address=unix:path="+filepath.Join(dir, "run", "bus"))
	bus.Env = daemonEnv()
	out, err := bus.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := startProc(bus, onStop); err != nil {
		return "", err
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	var addr string
	select {
	case addr = <-lines:
	case <-time.After(10 * time.Second):
		return "", errors.New("dbus-daemon printed no address within 10s")
	}
	if addr == "" {
		return "", errors.New("dbus-daemon printed no address")
	}

	gk := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground")
	gk.Env = append(daemonEnv(),
		"DBUS_SESSION_BUS_ADDRESS="+addr,
		"HOME="+filepath.Join(dir, "home"),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "run"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
	)
	gk.Stdin = strings.NewReader("test-keyring-password")
	if err := startProc(gk, onStop); err != nil {
		return "", err
	}
	if err := waitForSecrets(addr, 10*time.Second, true); err != nil {
		return "", fmt.Errorf("gnome-keyring-daemon: %w", err)
	}
	return addr, nil
}

// daemonEnv is the environment for the daemons: no display, so that an unlock prompt can
// never pop up on a developer's screen (it is dismissed at once instead), and no session
// bus of the user's.
func daemonEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS":
		default:
			env = append(env, kv)
		}
	}
	return env
}

// startProc starts cmd and registers its end with onStop.
func startProc(cmd *exec.Cmd, onStop func(func())) error {
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	onStop(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return nil
}

// waitForSecrets connects to addr (a private connection, so that go-keyring's shared one
// is not bound to a bus without a Secret Service) and waits up to wait for a Secret
// Service with a collection. Unless starting is true it gives up at once when no Secret
// Service owns its name (one that is still starting up has claimed it already).
func waitForSecrets(addr string, wait time.Duration, starting bool) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(wait)
	for {
		owned, err := secretsReady(conn)
		if err == nil || (!owned && !starting) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond) // polling a daemon's start-up, not timing a test
	}
}

func secretsReady(conn *dbus.Conn) (owned bool, err error) {
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&owned); err != nil {
		return false, err
	}
	if !owned {
		return false, errors.New(secretsName + " is not on the bus")
	}
	v, err := conn.Object(secretsName, "/org/freedesktop/secrets").GetProperty("org.freedesktop.Secret.Service.Collections")
	if err != nil {
		return true, err
	}
	paths, _ := v.Value().([]dbus.ObjectPath)
	if len(paths) == 0 {
		return true, errors.New("the Secret Service has no collection yet")
	}
	return true, nil
}

// Lookup returns what the Secret Service holds for account under service, read from
// outside tokenbench with secret-tool, and whether there is an entry.
func Lookup(t testing.TB, service, account string) (string, bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", service, "username", account).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(out) == 0 {
			return "", false
		}
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return string(out), true
}

// Accounts returns every account stored under service whose name starts with prefix, read
// with secret-tool search.
func Accounts(t testing.TB, service, prefix string) []string {
	t.Helper()
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Skip("secret-tool is not installed (apt-get install libsecret-tools)")
	}
	out, _ := exec.Command("secret-tool", "search", "--all", "--unlock", "service", service).CombinedOutput()
	var accts []string
	for _, line := range strings.Split(string(out), "\n") {
		if a, ok := strings.CutPrefix(line, "attribute.username = "); ok && strings.HasPrefix(a, prefix) {
			accts = append(accts, a)
		}
	}
	return accts
}
