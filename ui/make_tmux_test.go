package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTmuxEditAndResign drives the built binary with EDITOR set to a script that rewrites
// a claim: e hands the claims to the script, and the re-signed token appears beside the
// original, verified against the session key, with the rewritten claim.
func TestTmuxEditAndResign(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	editor := filepath.Join(dir, "edit.sh")
	script := "#!/bin/sh\nsed -i 's/\"sub\": \"[^\"]*\"/\"sub\": \"edited-by-script\"/' \"$1\"\necho \"$1\" > " + filepath.Join(dir, "edited-path") + "\n"
	if err := os.WriteFile(editor, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	s := newTmux(t, 120, 45, "sh")
	s.waitFor("$")
	s.literal("EDITOR=" + editor + " " + bin + " --audience https://api.example.invalid/; echo EXITED:$?")
	s.keys("Enter")
	s.waitFor("EXAMPLE TOKEN", "✓ your API would accept it")

	s.keys("e")
	screen := s.waitFor("Tokens (2)", "minted locally · key", "edited-by-script", "✓ your API would accept it · signature verified with")
	// The view shows the re-signed token: verified with the kid its label names, the
	// session key's (the verdict wraps: read the token view's rows as one text).
	label := regexp.MustCompile(`minted locally · key (\S+) · `).FindStringSubmatch(screen)
	if label == nil || !strings.Contains(viewText(screen), "✓ your API would accept it · signature verified with kid "+label[1]) {
		t.Fatalf("the re-signed token is not verified against the session key:\n%s", screen)
	}
	edited, err := os.ReadFile(filepath.Join(dir, "edited-path"))
	if err != nil {
		t.Fatalf("the editor was not run: %v", err)
	}
	if _, err := os.Stat(strings.TrimSpace(string(edited))); !os.IsNotExist(err) {
		t.Errorf("the claims file %s was left behind (%v)", edited, err)
	}

	// Mark both tokens and compare them: only sub (and the header) differ.
	s.keys("m")
	s.keys("k")
	s.keys("m")
	s.keys("d")
	screen = s.waitFor("Diff", "~ sub", "edited-by-script")
	if strings.Contains(screen, "~ iss") {
		t.Fatalf("an unchanged claim is listed as changed:\n%s", screen)
	}
	s.keys("Escape")
	s.waitFor("Tokens (2)")
	s.keys("q")
	s.waitFor("EXITED:0")
}

// viewText is the token view's rows of a screen (right of the list's separator) joined
// with single spaces, so that a check reads the same however its text wrapped.
func viewText(screen string) string {
	var parts []string
	for _, l := range strings.Split(screen, "\n") {
		if _, right, ok := strings.Cut(l, "│"); ok {
			parts = append(parts, strings.TrimSpace(right))
		}
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}
