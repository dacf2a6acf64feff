package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/ui/cli"
)

// TestWorkbenchRefusesBadPolicyFlags: the workbench takes verify's policy and key flags
// and refuses the same bad values with exit 2, before any terminal is touched.
func TestWorkbenchRefusesBadPolicyFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--alg", "none", "x.y.z"}, "cannot be allowed"},
		{[]string{"--tenant", "dev", "--issuer", "https://id.test/", "x.y.z"}, "not both"},
		{[]string{"--profile", "rfc0000", "x.y.z"}, "--profile"},
		{[]string{"--leeway", "-1s", "x.y.z"}, "--leeway"},
		{[]string{"--scope", "read write", "x.y.z"}, "one scope per flag"},
		{[]string{"--audiences", "a"}, "unknown flag"},
	} {
		root := newRoot()
		var out, errb bytes.Buffer
		root.SetArgs(tc.args)
		root.SetOut(&out)
		root.SetErr(&errb)
		if code := cli.Execute(root, &errb); code != cli.ExitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 with %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestWorkbenchTakesVerifysFlags(t *testing.T) {
	root, verify := newRoot(), cli.NewVerifyCmd()
	for _, name := range []string{"tenant", "issuer", "audience", "scope", "jwks", "key", "secret-file", "alg", "profile", "leeway", "file"} {
		f := root.Flags().Lookup(name)
		if f == nil {
			t.Errorf("workbench lacks --%s", name)
			continue
		}
		if v := verify.Flags().Lookup(name); v != nil && v.Usage != f.Usage {
			t.Errorf("--%s means different things: %q vs %q", name, f.Usage, v.Usage)
		}
	}
}
