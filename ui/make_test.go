package ui

import (
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// withoutEditor makes the model behave as if neither $VISUAL nor $EDITOR were set.
func withoutEditor(hs *harness) { hs.m.maker.editor = func() string { return "" } }

func TestFallbackEditorResignsWithTheSessionKey(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 60)
	withoutEditor(hs)
	hs.keys("K")
	if hs.m.maker.key == nil {
		t.Fatal("K made no session key")
	}
	kid := hs.m.maker.key.KeyID
	hs.wantOnScreen("copied the public JWKS of the new session key " + shortKid(kid))
	if len(hs.native) != 1 || !strings.Contains(hs.native[0], `"kid": "`+kid+`"`) || strings.Contains(hs.native[0], `"d"`) {
		t.Fatalf("clipboard %q, want the public JWKS of %s", hs.native, kid)
	}

	hs.keys("e")
	if hs.m.active != screenEdit {
		t.Fatalf("no editor: want the fallback editor, got screen %d", hs.m.active)
	}
	hs.wantOnScreen("Edit claims of example", "ctrl+s re-signs", `"gty"`)
	// Replace the claims with a small set of our own.
	hs.m.maker.edit.ta.SetValue(`{"sub":"typed-in-tui","exp":` + strconv.FormatInt(t0.Unix()+600, 10) + `}`)
	hs.send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})

	if hs.m.active != screenMain || len(hs.m.list.entries) != 2 {
		t.Fatalf("screen %d with %d tokens, want the main screen with 2", hs.m.active, len(hs.m.list.entries))
	}
	e := hs.m.list.selected()
	if hs.m.list.entries[1] != e || !strings.HasPrefix(e.label, "minted locally · key "+shortKid(kid)) {
		t.Fatalf("selected %q, want the re-signed token beside the original", e.label)
	}
	if got, _ := e.in.Parsed.Header.String("kid"); got != kid {
		t.Errorf("signed with kid %q, want the session key %q", got, kid)
	}
	if e.val.report == nil || !e.val.report.Valid() {
		t.Fatalf("the re-signed token is not valid against the session key: %v", e.val.report)
	}
	hs.wantOnScreen("typed-in-tui", "expires in 10m", "this session's key")
}

func TestFallbackEditorRefusesBadJSONAndEscKeepsTheToken(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 50)
	withoutEditor(hs)
	hs.keys("e")
	hs.m.maker.edit.ta.SetValue(`{"sub":"a","sub":"b"}`)
	hs.send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if len(hs.m.list.entries) != 1 {
		t.Fatalf("%d tokens after bad claims", len(hs.m.list.entries))
	}
	hs.wantOnScreen("not re-signed: claims:", "duplicate")

	hs.keys("e", "esc")
	if hs.m.active != screenMain || len(hs.m.list.entries) != 1 {
		t.Fatalf("esc: screen %d, %d tokens", hs.m.active, len(hs.m.list.entries))
	}
}

func TestEditWithoutClaimsIsRefused(t *testing.T) {
	hs := newHarness(t, Options{Token: "opaque-token-value-1234567890"}, 120, 40)
	withoutEditor(hs)
	hs.keys("e")
	if hs.m.active != screenMain {
		t.Fatalf("screen %d", hs.m.active)
	}
	hs.wantOnScreen("opaque token has no claims")
}

func TestMarkAndDiff(t *testing.T) {
	hs := newHarness(t, Options{}, 120, 50)
	hs.keys("d")
	hs.wantOnScreen("mark two tokens with m")

	other := jws(`{"alg":"ES256","kid":"k9"}`, `{"iss":"`+tokens.ExampleIssuer+`","sub":"someone-else","exp":`+strconv.FormatInt(t0.Unix()+7200, 10)+`}`)
	hs.send(addTokenMsg{in: tokens.Inspect(other)})
	hs.keys("m", "up", "m")
	hs.wantOnScreen("◆ example")
	hs.keys("d")
	if hs.m.active != screenDiff {
		t.Fatalf("screen %d, want the diff", hs.m.active)
	}
	hs.wantOnScreen("A example", "→ B pasted", "~ alg", "~ sub", "someone-else", "- gty", "members equal")
	hs.wantOffScreen("~ iss")
	hs.keys("esc")
	if hs.m.active != screenMain {
		t.Fatal("esc did not leave the diff")
	}
	// A third mark drops the oldest; m again unmarks.
	hs.keys("m")
	marked := 0
	for _, e := range hs.m.list.entries {
		if e.marked {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("%d marked after unmarking one of two", marked)
	}
}

func TestMakingKeysAreInTheHelp(t *testing.T) {
	hs := newHarness(t, Options{}, 160, 60)
	hs.keys("?")
	hs.wantOnScreen("edit & re-sign", "new session key", "mark for diff", "diff marked")
}

func TestResignWithAChosenKey(t *testing.T) {
	key, err := keys.GenerateSigningKey("EdDSA", "chosen-1")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{SignKey: key}, 120, 50)
	withoutEditor(hs)
	hs.keys("e")
	hs.send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	e := hs.m.list.selected()
	if kid, _ := e.in.Parsed.Header.String("kid"); kid != "chosen-1" || e.in.Parsed.Alg() != "EdDSA" {
		t.Fatalf("re-signed with kid %q alg %q, want the chosen key", kid, e.in.Parsed.Alg())
	}
	if e.val.report == nil || !e.val.report.Valid() {
		t.Fatalf("not valid against the chosen key: %v", e.val.report)
	}
}
