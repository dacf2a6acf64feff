package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tokenbench/tokenbench/store/keyringtest"
)

// TestMain stops the private Secret Service keyringtest may have started and removes the
// binary built for the process-level tests.
func TestMain(m *testing.M) {
	code := m.Run()
	keyringtest.Stop()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// builtBinary builds tokenbench once per test binary, the way it ships (static, stripped),
// and returns its path.
func builtBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "tokenbench-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "tokenbench")
		build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", binPath, "github.com/tokenbench/tokenbench")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			binErr = &buildError{err, string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("building tokenbench: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// runProcess runs cmd (the built binary, its arguments, environment and stdin set) and
// returns its exit code and output; a failure to start it fails the test.
func runProcess(t testing.TB, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}
