package cli

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
)

// testRoot is a root like main's: an optional TOKEN, the real subcommands, completion.
func testRoot(ran *[]string) *cobra.Command {
	root := &cobra.Command{Use: "tokenbench [TOKEN|-]", Args: RootArgs,
		RunE: func(_ *cobra.Command, args []string) error { *ran = append(*ran, args...); return nil }}
	root.AddCommand(NewDecodeCmd(), NewVerifyCmd(), NewGetCmd(), NewTokenCmd(), NewTenantsCmd(), NewVersionCmd())
	Complete(root)
	return root
}

func TestMistypedCommandsGetSuggestions(t *testing.T) {
	tests := []struct {
		arg      string
		code     int
		want     string // on stderr
		opensTUI bool
	}{
		{"verfy", ExitUsage, `unknown command "verfy" for "tokenbench". Did you mean verify?`, false},
		{"tenats", ExitUsage, "Did you mean tenants?", false},
		{"decod", ExitUsage, "Did you mean decode?", false},
		{"frobnicate", ExitUsage, `unknown command "frobnicate"`, false},
		// A mistyped command with its argument is still a mistyped command, not two tokens.
		{"verfy eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", ExitUsage, `unknown command "verfy" for "tokenbench". Did you mean verify?`, false},
		{"tenats list", ExitUsage, "Did you mean tenants?", false},
		{"tenants lst", ExitUsage, `unknown command "lst" for "tokenbench tenants". Did you mean list`, false},
		// Tokens, JWT or opaque, still open the workbench.
		{"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", ExitOK, "", true},
		{"Zm9vYmFyYmF6MTIzNDU2Nzg5MGFiY2RlZg", ExitOK, "", true},
		{"-", ExitOK, "", true},
	}
	for _, tc := range tests {
		var ran []string
		root := testRoot(&ran)
		var errb bytes.Buffer
		root.SetErr(&errb)
		root.SetOut(&errb)
		root.SetArgs(strings.Fields(tc.arg))
		code := Execute(root, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) || (len(ran) == 1) != tc.opensTUI {
			t.Errorf("tokenbench %s: exit %d, stderr %q, workbench opened with %q", tc.arg, code, errb.String(), ran)
		}
		if tc.code != ExitOK && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("tokenbench %s: more than one line: %q", tc.arg, errb.String())
		}
	}
}

func TestVersionFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-02T17:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	if got, want := version(bi, true), "v1.4.0 (revision 0123456789ab of 2026-12-02T17:00:00Z, modified) go1.26.8"; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	if got := version(&debug.BuildInfo{GoVersion: "go1.26.8"}, true); got != "(devel) go1.26.8" {
		t.Errorf("version without VCS = %q", got)
	}

	// The built binary: --version and the version command say the same, from its own
	// build information.
	bin := builtBinary(t)
	a, err1 := exec.Command(bin, "--version").Output()
	b, err2 := exec.Command(bin, "version").Output()
	if err1 != nil || err2 != nil || string(a) != string(b) || !strings.HasPrefix(string(a), "tokenbench ") || !strings.Contains(string(a), "go1.") {
		t.Errorf("--version %q (%v), version %q (%v)", a, err1, b, err2)
	}
}

func TestShellCompletion(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.toml")
	ts := &store.Tenants{Path: cfg, Secrets: &store.Secrets{Keyring: keyringtest.NewMemory()}}
	for _, name := range []string{"prod", "staging", "dev"} {
		if err := ts.Add(store.Tenant{Name: name, Kind: store.KindOIDC, Issuer: "https://id.example.com/", ClientID: "c"}, store.KeepSecret); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(store.EnvConfig, cfg)
	complete := func(args ...string) []string {
		var ran []string
		root := testRoot(&ran)
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if !strings.HasPrefix(l, ":") {
				got = append(got, l)
			}
		}
		slices.Sort(got)
		return got
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"get", "--tenant", ""}, []string{"dev", "prod", "staging"}},
		{[]string{"token", "--tenant", "s"}, []string{"staging"}},
		{[]string{"tenants", "rm", ""}, []string{"dev", "prod", "staging"}},
		{[]string{"tenants", "use", "p"}, []string{"prod"}},
		{[]string{"tenants", "show", "--config", cfg, "d"}, []string{"dev"}},
		{[]string{"get", "--grant", ""}, []string{"client-credentials", "device", "pkce", "refresh"}},
		{[]string{"verify", "--alg", "ES"}, []string{"ES256", "ES384", "ES512"}},
		{[]string{"verify", "--profile", ""}, []string{"rfc9068"}},
		{[]string{"tenants", "add", "x", "--auth-method", ""}, []string{"client_secret_basic", "client_secret_post"}},
	}
	for _, tc := range tests {
		got := complete(tc.args...)
		if tc.args[len(tc.args)-1] != "" {
			// cobra leaves prefix filtering of fixed lists to the shell.
			got = slices.DeleteFunc(got, func(s string) bool { return !strings.HasPrefix(s, tc.args[len(tc.args)-1]) })
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("complete %q = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// `completion` with a shell it does not know is refused in one line with exit 2 (cobra's
// own command printed its help and exited 0); known shells still get their script.
func TestCompletionUnknownShellBinary(t *testing.T) {
	bin := builtBinary(t)
	run := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		r := runProcess(t, cmd)
		return r.code, r.stdout, r.stderr
	}
	code, out, errs := run("completion", "fishy")
	if code != ExitUsage || out != "" || errs != "tokenbench: unknown command \"fishy\" for \"tokenbench completion\". Did you mean fish?\n" {
		t.Errorf("completion fishy: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, _ := run("completion", "fish"); code != 0 || !strings.Contains(out, "complete -c tokenbench") {
		t.Errorf("completion fish: exit %d, %.80q", code, out)
	}
	if code, out, _ := run("completion"); code != 0 || !strings.Contains(out, "Available Commands:") {
		t.Errorf("completion: exit %d, %.80q", code, out)
	}
}

// aWord takes a short lowercase word for a mistyped command and nothing a token can be.
func TestAWord(t *testing.T) {
	for s, want := range map[string]bool{
		"verfy": true, "tenants-ls": true, "a": true, strings.Repeat("a", 24): true,
		"": false, strings.Repeat("a", 25): false, "-x": false, "Verify": false, "ver1fy": false,
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln": false, "abc.def": false, "é": false,
	} {
		if got := aWord(s); got != want {
			t.Errorf("aWord(%q) = %v, want %v", s, got, want)
		}
	}
}
