package keyringtest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the daemons exit with the test binary even when Stop is not called.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
