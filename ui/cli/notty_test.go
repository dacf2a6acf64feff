//go:build unix

package cli

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// With no terminal at all (a CI job, a cron line), the bare command cannot open the
// workbench: it says so in one line and points at the script commands, exit 2.
func TestWorkbenchWithoutATerminal(t *testing.T) {
	bin := builtBinary(t)
	cmd := exec.Command(bin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitUsage {
		t.Fatalf("exit: %v, want %d", err, ExitUsage)
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "needs a terminal") || !strings.Contains(msg, "tokenbench decode") {
		t.Fatalf("stderr %q, want one line that names the script commands", msg)
	}
	if stdout.Len() != 0 {
		t.Fatalf("stdout %q, want nothing", stdout.String())
	}
}

// A subcommand does none of the workbench's start-up work: `decode` in a session with no
// terminal, no D-Bus and an empty home writes its result and nothing else — no escape
// sequence (no terminal query), no file in the config or cache directories.
func TestDecodeDoesNoWorkbenchStartUp(t *testing.T) {
	bin := builtBinary(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "decode", decodeJWS)
	cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config", "XDG_CACHE_HOME=" + home + "/cache", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("decode: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "auth0|42") || stderr.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if strings.ContainsRune(stdout.String(), '\x1b') {
		t.Fatalf("decode wrote an escape sequence: %q", stdout.String())
	}
	entries, err := os.ReadDir(home)
	if err != nil || len(entries) != 0 {
		t.Fatalf("decode left %v in its home (%v)", entries, err)
	}
}
