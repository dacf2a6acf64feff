package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
)

// proc runs the built binary with a clean environment: its own HOME, the config file cfg
// and the given D-Bus address.
type proc struct {
	bin, home, cfg, bus string
	extraEnv            []string
}

func newProc(t *testing.T, bus string) *proc {
	dir := t.TempDir()
	return &proc{bin: builtBinary(t), home: dir, cfg: filepath.Join(dir, "cfg", "config.toml"), bus: bus}
}

func (p *proc) cmd(stdin string, args ...string) *exec.Cmd {
	c := exec.Command(p.bin, append([]string{"tenants"}, args...)...)
	c.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + p.home,
		"XDG_RUNTIME_DIR=" + p.home,
		"DBUS_SESSION_BUS_ADDRESS=" + p.bus,
		store.EnvConfig + "=" + p.cfg,
	}, p.extraEnv...)
	c.Stdin = strings.NewReader(stdin)
	return c
}

func (p *proc) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runProcess(t, p.cmd(stdin, args...))
}

const noBus = "unix:path=/nonexistent/tokenbench-test/bus"

// With no D-Bus session at all, the built binary fails in one line with exit 2 and leaves
// the config file alone; a public tenant (no secret) can still be saved and listed.
func TestTenantsBinaryWithoutDBus(t *testing.T) {
	p := newProc(t, noBus)
	if r := p.run(t, "", "add", "pub", "--issuer", "https://id.example.com/", "--client-id", "c", "--public", "--no-discovery"); r.code != 0 {
		t.Fatalf("public add without a keyring: %+v", r)
	}
	before, err := os.ReadFile(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"add", "prod", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery"},
		{"edit", "pub", "--confidential", "--client-secret-stdin"},
	} {
		r := p.run(t, "hunter2-secret\n", args...)
		wantFail(t, r, 2, "keyring unavailable: cannot reach the D-Bus session bus")
		if !strings.HasPrefix(r.stderr, "tokenbench: ") || !strings.Contains(r.stderr, store.EnvClientSecret) || strings.Contains(r.stderr, "hunter2") {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
		if after, _ := os.ReadFile(p.cfg); !bytes.Equal(after, before) {
			t.Errorf("%v changed the config:\n%s", args, after)
		}
	}
	r := p.run(t, "", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "pub") || !strings.Contains(r.stderr, "warning: cannot tell") {
		t.Errorf("list: %+v", r)
	}

	// rm removes the tenant from the config, whole, and says the keyring was not reached,
	// with its cause and without the advice for supplying a client secret.
	if r := p.run(t, "", "add", "other", "--issuer", "https://id.example.com/", "--client-id", "c", "--public", "--no-discovery"); r.code != 0 {
		t.Fatalf("add other: %+v", r)
	}
	r = p.run(t, "", "rm", "pub", "--yes")
	if r.code != 0 || r.stdout != "removed tenant pub from "+p.cfg+"\n" {
		t.Errorf("rm without a keyring: %+v", r)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "warning: the keyring could not be reached (cannot reach the D-Bus session bus") ||
		!strings.Contains(r.stderr, "entries it holds for pub are left there") || strings.Contains(r.stderr, store.EnvClientSecret) {
		t.Errorf("rm without a keyring, stderr: %q", r.stderr)
	}
	c, err := store.Load(p.cfg)
	if err != nil {
		t.Fatalf("the config does not load after rm: %v", err)
	}
	if names := c.Names(); !slices.Equal(names, []string{"other"}) {
		t.Errorf("tenants after rm: %v", names)
	}
	r = p.run(t, "", "rm", "other", "--yes", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"keyring_entries": "not reached"`) {
		t.Errorf("rm --json without a keyring: %+v", r)
	}
}

// Two processes adding different tenants at the same moment, twenty times over: the file
// lock keeps every one of them.
func TestTenantsBinaryConcurrentAdds(t *testing.T) {
	p := newProc(t, noBus)
	const rounds = 20
	for i := range rounds {
		var cmds []*exec.Cmd
		var outs []*bytes.Buffer
		for _, side := range []string{"a", "b"} {
			c := p.cmd("", "add", fmt.Sprintf("%s%02d", side, i), "--issuer", "https://id.example.com/", "--client-id", "c", "--public", "--no-discovery")
			var errb bytes.Buffer
			c.Stderr = &errb
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, outs = append(cmds, c), append(outs, &errb)
		}
		for j, c := range cmds {
			if err := c.Wait(); err != nil {
				t.Fatalf("round %d: %v: %s", i, err, outs[j])
			}
		}
	}
	c, err := store.Load(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tenants) != 2*rounds {
		t.Fatalf("%d tenants survived, want %d: %v", len(c.Tenants), 2*rounds, c.Names())
	}
}

// Against a real Secret Service: what the binary stores is what secret-tool sees, the
// config file never holds it, and rm leaves nothing behind.
func TestTenantsBinarySecretService(t *testing.T) {
	bus := keyringtest.Require(t)
	p := newProc(t, bus)
	name := fmt.Sprintf("it%d-cli", os.Getpid())
	t.Cleanup(func() { store.NewSecrets().DeleteAll(name) })
	const secret = "cli-secret-Vq93-never-in-files"

	r := p.run(t, secret+"\n", "add", name, "--issuer", "https://id.example.com/", "--client-id", "c", "--grant", "client-credentials", "--client-secret-stdin", "--no-discovery")
	if r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	if got, _ := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)+"/0"); got != secret {
		t.Errorf("secret-tool sees %q", got)
	}
	if h, _ := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)); !strings.HasPrefix(h, "tokenbench-secret/1 chunks=1 len=30 ") {
		t.Errorf("header %q", h)
	}
	data, _ := os.ReadFile(p.cfg)
	if strings.Contains(string(data), secret) || strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatalf("secret leaked into the config or output:\n%s\n%+v", data, r)
	}
	if r := p.run(t, "", "show", name, "--json"); r.code != 0 || !strings.Contains(r.stdout, `"client_secret": "stored"`) {
		t.Errorf("show: %+v", r)
	}
	if r := p.run(t, "rotated-secret\n", "edit", name, "--client-secret-stdin"); r.code != 0 {
		t.Fatalf("edit: %+v", r)
	}
	if got, _ := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)+"/0"); got != "rotated-secret" {
		t.Errorf("after edit secret-tool sees %q", got)
	}
	if r := p.run(t, "", "rm", name, "--yes"); r.code != 0 {
		t.Fatalf("rm: %+v", r)
	}
	if accts := keyringtest.Accounts(t, store.Service, name+"/"); len(accts) != 0 {
		t.Errorf("left in the keyring: %v", accts)
	}

	// The CI opt-in: with TOKENBENCH_CLIENT_SECRET set and no secret given, nothing is stored.
	env := fmt.Sprintf("it%d-env", os.Getpid())
	p.extraEnv = []string{store.EnvClientSecret + "=env-only-secret"}
	if r := p.run(t, "", "add", env, "--issuer", "https://id.example.com/", "--client-id", "c", "--no-discovery"); r.code != 0 {
		t.Fatalf("add with env: %+v", r)
	}
	if accts := keyringtest.Accounts(t, store.Service, env+"/"); len(accts) != 0 {
		t.Errorf("env secret stored: %v", accts)
	}
	if data, _ := os.ReadFile(p.cfg); strings.Contains(string(data), "env-only-secret") {
		t.Error("env secret in the config")
	}
}

// Two processes storing secrets for different tenants at the same moment, against the
// real Secret Service: every tenant and every secret survives.
func TestTenantsBinaryConcurrentSecrets(t *testing.T) {
	bus := keyringtest.Require(t)
	p := newProc(t, bus)
	const rounds = 4
	var names []string
	for i := range rounds {
		var cmds []*exec.Cmd
		var errs []*bytes.Buffer
		for _, side := range []string{"a", "b"} {
			name := fmt.Sprintf("it%d-c%s%d", os.Getpid(), side, i)
			names = append(names, name)
			t.Cleanup(func() { store.NewSecrets().DeleteAll(name) })
			c := p.cmd("secret-of-"+name+"\n", "add", name, "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery")
			var errb bytes.Buffer
			c.Stderr = &errb
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, errs = append(cmds, c), append(errs, &errb)
		}
		for j, c := range cmds {
			if err := c.Wait(); err != nil {
				t.Fatalf("round %d: %v: %s", i, err, errs[j])
			}
		}
	}
	c, err := store.Load(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, ok := c.Tenant(name); !ok {
			t.Errorf("tenant %s lost", name)
		}
		if got, _ := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)+"/0"); got != "secret-of-"+name {
			t.Errorf("%s: secret-tool sees %q", name, got)
		}
	}
}

// A locked keyring (no one there to answer the unlock prompt): the binary does not hang,
// fails in one line with exit 2 naming the cause and the fix, and leaves the config alone.
func TestTenantsBinaryLockedKeyring(t *testing.T) {
	bus := keyringtest.StartPrivate(t)
	p := newProc(t, bus)
	if r := p.run(t, "first-secret\n", "add", "prod", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	before, _ := os.ReadFile(p.cfg)
	keyringtest.Lock(t, bus)
	r := p.run(t, "second-secret\n", "edit", "prod", "--client-secret-stdin")
	wantFail(t, r, 2, "keyring unavailable: the ")
	if !strings.Contains(r.stderr, "locked") && !strings.Contains(r.stderr, "did not answer") {
		t.Errorf("the message does not say the keyring is locked: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, store.EnvClientSecret) || strings.Contains(r.stderr, "second-secret") {
		t.Errorf("stderr %q", r.stderr)
	}
	if after, _ := os.ReadFile(p.cfg); !bytes.Equal(after, before) {
		t.Errorf("the config changed:\n%s", after)
	}
	if r := p.run(t, "", "show", "prod", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"client_secret": "unknown"`) || !strings.Contains(r.stderr, "warning") {
		t.Errorf("show on a locked keyring: %+v", r)
	}
}

// Crash safety: `tenants add` and `tenants edit` of the built binary killed (SIGKILL) at
// points spread over their run, 50 times, against the real Secret Service. Afterwards,
// once one more write has run, the config parses, every saved tenant's secret reads back
// whole (or is reported damaged after a killed edit, never returned torn), and no secret is
// left in the keyring that no tenant owns.
func TestTenantsBinaryKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary 50 times")
	}
	bus := keyringtest.Require(t)
	p := newProc(t, bus)
	prefix := fmt.Sprintf("kill%d-", os.Getpid())
	secrets := store.NewSecrets()
	var names []string
	t.Cleanup(func() {
		for _, n := range names {
			_ = secrets.DeleteAll(n)
		}
	})
	// Three chunks, so that a kill can land between them.
	secret := func(i int) string { return fmt.Sprintf("%03d-", i) + strings.Repeat("s", 2*store.ChunkSize) }
	add := func(name string, i int) *exec.Cmd {
		return p.cmd(secret(i)+"\n", "add", name, "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery")
	}
	// How long one add takes here, to spread the kills over it.
	names = append(names, prefix+"base")
	start := time.Now()
	if err := add(prefix+"base", 0).Run(); err != nil {
		t.Fatal(err)
	}
	span := time.Since(start)

	const runs = 50
	written := map[string][]string{prefix + "base": {secret(0)}} // the values each name was given
	for i := 1; i <= runs; i++ {
		name, cmd := fmt.Sprintf("%s%d", prefix, i), (*exec.Cmd)(nil)
		if i%5 == 0 { // every fifth run edits the first tenant instead
			name = prefix + "base"
			cmd = p.cmd(secret(i)+"\n", "edit", name, "--client-secret-stdin")
		} else {
			names = append(names, name)
			cmd = add(name, i)
		}
		written[name] = append(written[name], secret(i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The kill is the fault being injected, at a point i/runs through a typical run.
		kill := time.AfterFunc(span*time.Duration(i)/runs, func() { _ = cmd.Process.Kill() })
		_ = cmd.Wait()
		kill.Stop()
	}
	// One more write: it sweeps what a killed add left behind.
	if r := p.run(t, "", "use", prefix+"base"); r.code != 0 {
		t.Fatalf("use after the kills: %+v", r)
	}

	c, err := store.Load(p.cfg)
	if err != nil {
		t.Fatalf("the config does not parse after the kills: %v", err)
	}
	for name, values := range written {
		if _, ok := c.Tenants[name]; !ok {
			if accts := keyringtest.Accounts(t, store.Service, name+"/"); len(accts) != 0 {
				t.Errorf("orphaned secrets of %s, which no tenant owns: %v", name, accts)
			}
			continue
		}
		got, err := secrets.Get(name, store.SecretClient)
		switch {
		case errors.Is(err, store.ErrSecretCorrupt) && len(values) > 1:
			// a killed edit: the damage is detected, the value never returned
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case !slices.Contains(values, got):
			t.Errorf("%s: the secret reads back as none of the values written (%.12q…)", name, got)
		}
	}
}
