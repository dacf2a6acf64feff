package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tmuxSession is a detached tmux server of its own (private socket, no user config)
// running one pane of a fixed size.
type tmuxSession struct {
	t    testing.TB
	sock string
	name string
}

// buildBinary builds tokenbench into a temporary directory, once per test.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tokenbench")
	cmd := exec.Command("go", "build", "-o", bin, "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newTmux starts a detached session running command in a w×h pane. The environment is
// clean: HOME is a temporary directory, colours are on, no NO_COLOR.
func newTmux(t testing.TB, w, h int, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux); the real-terminal test needs it")
	}
	dir := t.TempDir()
	s := &tmuxSession{t: t, sock: filepath.Join(dir, "tmux.sock"), name: "tb"}
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "LANG=C.UTF-8", "PS1=$ "}
	cmd := exec.Command("tmux", "-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-s", s.name,
		"-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "env -i "+strings.Join(env, " ")+" "+command)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	s.tmux("set-option", "-g", "set-clipboard", "on") // accept OSC52 from the app into a buffer
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string { return s.tmux("capture-pane", "-p", "-t", s.name) }

func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

func (s *tmuxSession) literal(text string) { s.tmux("send-keys", "-t", s.name, "-l", text) }

func (s *tmuxSession) format(f string) string {
	return strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, f))
}

// waitFor polls the pane until every fragment is on it, or fails after the deadline.
func (s *tmuxSession) waitFor(frags ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := s.capture()
		missing := ""
		for _, f := range frags {
			if !strings.Contains(screen, f) {
				missing = f
				break
			}
		}
		if missing == "" {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited 10s for %q on the pane:\n%s", missing, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tmuxToken is a JWS that expires ten minutes from now (the binary runs on the real
// clock), so that its countdown shows seconds.
func tmuxToken() string {
	now := time.Now()
	return jws(`{"alg":"RS256","kid":"tmux-key","typ":"at+jwt"}`,
		fmt.Sprintf(`{"iss":"https://issuer.test/","sub":"tmux-user-77","iat":%d,"exp":%d}`, now.Unix(), now.Add(10*time.Minute).Unix()))
}

var pastedCountdown = regexp.MustCompile(`expires in 9m \d+s`)

func TestTmuxPasteViewCopyQuit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	t.Parallel() // the other tmux test runs beside it
	bin := buildBinary(t)
	s := newTmux(t, 120, 45, "sh")
	s.waitFor("$")
	s.literal(bin + "; echo EXITED:$?")
	s.keys("Enter")
	s.waitFor("EXAMPLE TOKEN", "example · access", "✓ signature valid")
	if s.format("#{alternate_on}") != "1" {
		t.Fatal("the workbench should run in the alternate screen")
	}

	raw := tmuxToken()
	s.keys("p")
	s.waitFor("Paste a token")
	s.literal("Bearer " + raw)
	s.waitFor("✓ JWS found", "removed the Bearer prefix")
	s.keys("Enter")
	first := s.waitFor("pasted · access", "tmux-user-77", "Tokens (2)")
	before := pastedCountdown.FindString(first)
	if before == "" {
		t.Fatalf("no countdown for the pasted token:\n%s", first)
	}
	// The countdown moves on its own: poll until the pane shows another second.
	deadline := time.Now().Add(5 * time.Second)
	for {
		now := pastedCountdown.FindString(s.capture())
		if now != "" && now != before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the countdown stayed at %q for 5s", before)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A bracketed paste (what a terminal sends for Cmd-V) is one PasteMsg.
	s.keys("p")
	s.waitFor("Paste a token")
	s.tmux("set-buffer", "-b", "enc", jwe())
	s.tmux("paste-buffer", "-p", "-d", "-b", "enc", "-t", s.name)
	s.waitFor("✓ JWE found")
	s.keys("Escape")
	s.waitFor("Tokens (2)")

	s.keys("c")
	s.waitFor("copied the raw token")
	if got := s.tmux("show-buffer"); got != raw {
		t.Fatalf("OSC52 should have put the raw token in tmux's buffer, got %q", got)
	}

	s.keys("q")
	screen := s.waitFor("EXITED:0")
	if s.format("#{alternate_on}") != "0" {
		t.Fatalf("the alternate screen was not left:\n%s", screen)
	}
	if strings.Contains(screen, "tmux-user-77") {
		t.Fatalf("the workbench is still on the pane after quitting:\n%s", screen)
	}

	// A token piped in: keys still come from the terminal.
	s.literal("printf '%s' '" + raw + "' | " + bin + "; echo PIPED:$?")
	s.keys("Enter")
	s.waitFor("opened · access", "tmux-user-77")
	s.keys("q")
	s.waitFor("PIPED:0")
}

// firstScreenToken is an access token for two APIs with more scopes than a line holds:
// the first screen must show its subject, every audience and every scope in full.
func firstScreenToken() (raw string, auds, scopes []string) {
	now := time.Now()
	auds = []string{"https://orders.api.shop.example/v2/", "https://dev-abc123.eu.auth0.com/userinfo"}
	scopes = []string{"openid", "profile", "email", "read:orders", "write:orders", "delete:orders", "read:customers",
		"write:customers", "read:invoices", "write:invoices", "admin:everything-you-can-imagine", "offline_access"}
	return jws(`{"alg":"RS256","kid":"k1","typ":"at+jwt"}`,
		fmt.Sprintf(`{"iss":"https://dev-abc123.eu.auth0.com/","sub":"auth0|64f0c0ffee1234567890abcd","aud":["%s","%s"],"iat":%d,"exp":%d,"azp":"Xk3p9QwErTy","scope":"%s"}`,
			auds[0], auds[1], now.Unix(), now.Add(time.Hour).Unix(), strings.Join(scopes, " "))), auds, scopes
}

// The built binary's first screen at 120×40: sub, every audience and every scope, none
// cut, without a key press.
func TestTmuxFirstScreenShowsClaimsInFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	t.Parallel()
	bin := buildBinary(t)
	raw, auds, scopes := firstScreenToken()
	s := newTmux(t, 120, 40, bin+" "+raw)
	want := append([]string{"auth0|64f0c0ffee1234567890abcd", "Xk3p9QwErTy"}, auds...)
	screen := s.waitFor(append(want, "sub ", "aud ", "scope ")...)
	// Scopes wrap at spaces: every one is whole on some row of the pane.
	words := map[string]bool{}
	for _, w := range strings.Fields(screen) {
		words[w] = true
	}
	for _, sc := range scopes {
		if !words[sc] {
			t.Errorf("scope %q is not shown whole:\n%s", sc, screen)
		}
	}
	// Nothing from sub down to the claims is cut (the list beside it is empty there).
	if first := screen[strings.Index(screen, "sub "):strings.Index(screen, "Claims (")]; strings.Contains(first, "…") {
		t.Errorf("the first claims are cut:\n%s", first)
	}
	s.keys("q")
}

// TestIdleCPU measures the built workbench idle on one token with a live countdown at
// 120×40: utime+stime from /proc/PID/stat over 30 s. CPU time, unlike wall time, hardly
// depends on what else the machine runs. It is a measurement, not part of the normal
// suite: run it with TOKENBENCH_IDLE_CPU=1 go test ./ui -run IdleCPU -v. It fails above
// DESIGN's target of 0.6 % of one core.
func TestIdleCPU(t *testing.T) {
	if os.Getenv("TOKENBENCH_IDLE_CPU") == "" {
		t.Skip("set TOKENBENCH_IDLE_CPU=1 to measure idle CPU (takes 30 s)")
	}
	bin := buildBinary(t)
	s := newTmux(t, 120, 40, bin+" "+probeToken())
	s.waitFor("latency-probe", "expires in")
	pid := s.format("#{pane_pid}")

	const window = 30 * time.Second
	before, start := cpuTicks(t, pid), time.Now()
	time.Sleep(window) // the measurement window itself
	after, elapsed := cpuTicks(t, pid), time.Since(start)
	const clkTck = 100 // USER_HZ on Linux
	used := time.Duration(after-before) * time.Second / clkTck
	pct := 100 * used.Seconds() / elapsed.Seconds()
	t.Logf("idle with one live countdown: %d ticks (%s) of CPU in %s = %.3f %% of one core", after-before, used, elapsed.Round(time.Millisecond), pct)
	if !strings.Contains(s.capture(), "expires in") {
		t.Fatal("the countdown is no longer on screen")
	}
	if pct > 0.6 {
		t.Fatalf("idle CPU %.3f %% is over the 0.6 %% target", pct)
	}
}

// cpuTicks returns utime+stime of process pid, in clock ticks.
func cpuTicks(t testing.TB, pid string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	// Fields after the command name (which may hold spaces) start at state, field 3.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		t.Fatalf("cannot read /proc/%s/stat: %q", pid, b)
	}
	return ut + st
}
