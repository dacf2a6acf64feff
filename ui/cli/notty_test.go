//go:build unix

package cli

import (
	"errors"
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
