package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// ciRun runs the built binary the way a CI job would: no D-Bus session (no
// DBUS_SESSION_BUS_ADDRESS, no XDG_RUNTIME_DIR), the client secret in the environment,
// and a marker variable every process it starts inherits.
type ciRun struct {
	bin, home, cfg, marker string
}

func (c ciRun) run(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + c.home,
		"XDG_CACHE_HOME=" + filepath.Join(c.home, "cache"),
		store.EnvConfig + "=" + c.cfg,
		store.EnvClientSecret + "=" + tokenstest.ConfidentialClientSecret,
		c.marker,
	}
	cmd.Stdin = strings.NewReader("")
	return runProcess(t, cmd)
}

// processesWith lists the processes of this user whose environment holds marker: every
// process the binary started, and whatever those started (a dbus-daemon that
// dbus-launch double-forked away keeps the environment it was given).
func processesWith(t *testing.T, marker string) []string {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to list processes in")
	}
	var found []string
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if err != nil || !bytes.Contains(env, []byte("\x00"+marker+"\x00")) && !bytes.HasPrefix(env, []byte(marker+"\x00")) {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "comm"))
		found = append(found, fmt.Sprintf("%d %s", pid, strings.TrimSpace(string(comm))))
	}
	return found
}

// The keyring-less CI path: with no D-Bus session and the client secret in the
// environment, adding a confidential tenant, get, token and get --json all succeed; the
// missing cache is said once per run on stderr; and no process is left behind (godbus
// would otherwise autolaunch a dbus-daemon, and D-Bus activation a gnome-keyring-daemon,
// on every call).
func TestCIPathWithoutKeyring(t *testing.T) {
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("this user has a systemd user bus: there is no way to have no session bus")
	}
	p := tokenstest.New(t)
	home := t.TempDir()
	c := ciRun{bin: builtBinary(t), home: home, cfg: filepath.Join(home, "config.toml"),
		marker: fmt.Sprintf("TOKENBENCH_TEST_MARKER=%s-%d", t.Name(), os.Getpid())}
	if before := processesWith(t, c.marker); len(before) != 0 {
		t.Fatalf("processes with the marker before the test: %v", before)
	}

	r := c.run(t, "tenants", "add", "ci", "--issuer", p.Issuer, "--client-id", tokenstest.ConfidentialClientID,
		"--grant", "client-credentials", "--scope", "openid")
	if r.code != 0 {
		t.Fatalf("tenants add: %+v", r)
	}
	if strings.Contains(r.stderr, "locked") {
		t.Errorf("tenants add blames a locked keyring: %q", r.stderr)
	}

	r = c.run(t, "get", "--tenant", "ci")
	if r.code != 0 || !strings.Contains(r.stdout, "client-credentials") || strings.Contains(r.stdout, "stored:") {
		t.Errorf("get: %+v", r)
	}

	for i := range 2 {
		r = c.run(t, "token", "--tenant", "ci")
		if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || strings.Count(r.stdout, ".") != 2 {
			t.Fatalf("token run %d: %+v", i, r)
		}
		if n := strings.Count(r.stderr, "not cached"); n != 1 || !strings.Contains(r.stderr, "no D-Bus session bus") ||
			strings.Contains(r.stderr, "set "+store.EnvClientSecret) {
			t.Errorf("token run %d stderr (want the missing cache said once, with its cause): %q", i, r.stderr)
		}
	}

	r = c.run(t, "get", "--tenant", "ci", "--json")
	var doc GetDoc
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.AccessToken == "" {
		t.Errorf("get --json: %+v", r)
	}
	if got := len(p.Requests("/oauth/token")); got != 4 {
		t.Errorf("%d token requests, want 4 (nothing is cached)", got)
	}

	// A public client has nothing in the environment to stand in for the keyring: the
	// error names the missing bus and the fix.
	r = c.run(t, "tenants", "add", "pub", "--issuer", p.Issuer, "--client-id", tokenstest.DeviceClientID, "--public")
	if r.code != 0 {
		t.Fatalf("tenants add pub: %+v", r)
	}
	r = c.run(t, "token", "--tenant", "pub")
	wantFail(t, r, ExitUsage, "no D-Bus session bus")

	if after := processesWith(t, c.marker); len(after) != 0 {
		t.Errorf("processes left running: %v", after)
	}
}
