package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
)

// ttySession runs one command of the built binary in a tmux pane, so that it has a real
// terminal: the hidden secret prompt and the rm confirmation only appear there.
type ttySession struct {
	t      *testing.T
	socket string
	done   string // the file the pane writes the exit code to
}

func newTTYSession(t *testing.T, p *proc, args ...string) *ttySession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	s := &ttySession{t: t, socket: filepath.Join(dir, "tmux.sock"), done: filepath.Join(dir, "exit")}
	env := []string{"HOME=" + p.home, "DBUS_SESSION_BUS_ADDRESS=" + p.bus, store.EnvConfig + "=" + p.cfg}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + a + "'"
	}
	script := fmt.Sprintf("env %s %s tenants %s; echo $? > %s; sleep 60", strings.Join(env, " "), p.bin, strings.Join(quoted, " "), s.done)
	s.tmux("-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "12", script)
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *ttySession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (s *ttySession) screen() string { return s.tmux("capture-pane", "-p") }

// waitFor polls the pane until it shows text (the program waits on the terminal, so
// there is nothing to synchronise on but what it printed).
func (s *ttySession) waitFor(text string) {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(s.screen(), text) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the pane never showed %q:\n%s", text, s.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exitCode waits for the command to finish and returns its exit status.
func (s *ttySession) exitCode() int {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(s.done); err == nil && strings.HasSuffix(string(b), "\n") {
			var code int
			fmt.Sscan(string(b), &code)
			return code
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the command did not finish:\n%s", s.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// On a terminal the client secret is read from a hidden prompt (never echoed) and rm asks
// before it deletes.
func TestTenantsBinaryOnATerminal(t *testing.T) {
	bus := keyringtest.Require(t)
	p := newProc(t, bus)
	name := fmt.Sprintf("it%d-tty", os.Getpid())
	t.Cleanup(func() { store.NewSecrets().DeleteAll(name) })
	const secret = "typed-at-the-prompt-7Qx"

	s := newTTYSession(t, p, "add", name, "--issuer", "https://id.example.com/", "--client-id", "c", "--no-discovery")
	s.waitFor("Client secret for " + name + " (input hidden):")
	s.tmux("send-keys", "-t", "0", secret, "Enter")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("add exited %d:\n%s", code, s.screen())
	}
	if strings.Contains(s.screen(), secret) {
		t.Fatalf("the secret was echoed:\n%s", s.screen())
	}
	if got, _ := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)+"/0"); got != secret {
		t.Fatalf("secret-tool sees %q", got)
	}

	s = newTTYSession(t, p, "rm", name)
	s.waitFor(fmt.Sprintf("Remove tenant %q and its secrets from the OS keyring? [y/N]", name))
	s.tmux("send-keys", "-t", "0", "n", "Enter")
	if code := s.exitCode(); code != 2 || !strings.Contains(s.screen(), "not confirmed; nothing removed") {
		t.Fatalf("declined rm exited %d:\n%s", code, s.screen())
	}
	if _, ok := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)); !ok {
		t.Fatal("a declined rm removed the secret")
	}
	s = newTTYSession(t, p, "rm", name)
	s.waitFor("[y/N]")
	s.tmux("send-keys", "-t", "0", "y", "Enter")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("rm exited %d:\n%s", code, s.screen())
	}
	if accts := keyringtest.Accounts(t, store.Service, name+"/"); len(accts) != 0 {
		t.Fatalf("left in the keyring: %v", accts)
	}
}
