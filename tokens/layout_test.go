package tokens

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLayout holds the packages to the import arrows of their doc comments (main → ui,
// ui/cli → store → tokens/oauth → tokens/keys → tokens), asking the go tool what each
// one really imports. tokens itself must stay pure: no network, no files, no x/oauth2.
// The standard library's crypto/x509 imports net and os for itself, so for those two only
// tokens' own imports are checked; the others may not appear anywhere below it.
func TestLayout(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to list imports with")
	}
	const mod = "github.com/tokenbench/tokenbench/"
	list := func(format, pkg string) []string {
		t.Helper()
		out, err := exec.Command(goTool, "list", "-deps", "-f", format, pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, tc := range []struct {
		pkg       string
		nowhere   []string // not in the package's whole dependency graph
		notDirect []string // not imported by the package itself
	}{
		{
			pkg:       ".",
			nowhere:   []string{"net/http", "os/exec", "golang.org/x/oauth2", mod + "tokens/keys", mod + "tokens/oauth", mod + "store", mod + "ui"},
			notDirect: []string{"net", "os", "io/fs", "path/filepath"},
		},
		{pkg: "./keys", nowhere: []string{"golang.org/x/oauth2", mod + "tokens/oauth", mod + "store", mod + "ui"}},
		{pkg: "./oauth", nowhere: []string{mod + "store", mod + "ui"}},
	} {
		deps := list("{{.ImportPath}}", tc.pkg)
		for _, bad := range tc.nowhere {
			for _, d := range deps {
				if d == bad || strings.HasPrefix(d, bad+"/") {
					t.Errorf("%s depends on %s", tc.pkg, d)
				}
			}
		}
		// The package itself is the last one -deps lists; its own imports are asked apart.
		direct := list(`{{if not .DepOnly}}{{join .Imports " "}}{{end}}`, tc.pkg)
		for _, bad := range tc.notDirect {
			if slices.Contains(direct, bad) {
				t.Errorf("%s imports %s", tc.pkg, bad)
			}
		}
	}
}
