package ui

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/ui/cli"
)

// runCLI runs a tokenbench command in-process as main would and returns its stdout.
func runCLI(t *testing.T, cmd *cobra.Command, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if code := cli.Execute(cmd, &errb); code != cli.ExitOK {
		t.Fatalf("%s %v: exit %d: %s", cmd.Name(), args, code, errb.String())
	}
	return out.String()
}

// cliMint makes a key with `tokenbench keys new --kid kid` and mints a token with it
// (`tokenbench mint --key … args…`), as a user would before opening it in the workbench.
func cliMint(t *testing.T, kid string, args ...string) string {
	t.Helper()
	keyPath := filepath.Join(t.TempDir(), "k.jwk")
	runCLI(t, cli.NewKeysCmd(), "new", "--kid", kid, "--out", keyPath)
	return strings.TrimSpace(runCLI(t, cli.NewMintCmd(), append([]string{"--key", keyPath}, args...)...))
}

// A token `tokenbench mint` made is labelled "minted locally · key KID" in the workbench,
// opened from the command line or pasted; a provider's token is not.
func TestMintedTokenIsLabelledInTheWorkbench(t *testing.T) {
	raw := cliMint(t, "cli-kid-1", "--iss", "https://issuer.test/", "--sub", "alice", "--aud", "https://api.test/", "--scope", "orders:read")

	hs := newHarness(t, Options{Token: raw}, 80, 24)
	if e := hs.m.list.selected(); e.label != "minted locally · key cli-kid-1 · access · orders:read" {
		t.Fatalf("opened: label %q", e.label)
	}
	hs.wantOnScreen("minted locally · key cli-kid-1")
	wantWhole(t, bodyText(hs.inView()), "tokenbench minted locally for tests")

	// Pasted twice: the second is numbered, and still says what it is.
	hs.keys("p").send(tea.PasteMsg{Content: "Bearer " + raw}).keys("enter")
	if e := hs.m.list.selected(); e.label != "minted locally · key cli-kid-1 2 · access · orders:read" {
		t.Fatalf("pasted: label %q", e.label)
	}

	hs = newHarness(t, Options{Token: shopToken(t, otherAPI)}, 80, 24)
	if e := hs.m.list.selected(); strings.Contains(e.label, "minted") {
		t.Fatalf("a provider's token is labelled %q", e.label)
	}
}
