package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens/keys"
)

// ctrlS saves in the fallback editor: the claims go to be re-signed.
var ctrlS = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}

// With more than one key at hand — the session key (K) and --sign-key — re-signing asks
// which, starting on the first; the one chosen signs, and the new token is checked
// against it.
func TestResignAsksWhichKeyWhenThereAreSeveral(t *testing.T) {
	given, err := keys.GenerateSigningKey("EdDSA", "given-1")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{SignKey: given, SignKeyPath: "keys/given.jwk"}, 100, 40)
	withoutEditor(hs)
	hs.keys("K")
	session := hs.m.maker.key
	if session == nil {
		t.Fatal("K made no session key")
	}
	hs.keys("e")
	hs.wantOnScreen("ctrl+s then choose the key to sign with (2 at hand)")
	hs.m.maker.edit.ta.SetValue(`{"sub":"chosen","exp":` + strconv.FormatInt(t0.Unix()+600, 10) + `}`)
	hs.send(ctrlS)
	if hs.m.active != screenEdit || !hs.m.maker.edit.choosing {
		t.Fatalf("screen %d, choosing %v: want the key chooser", hs.m.active, hs.m.maker.edit.choosing)
	}
	hs.wantOnScreen("Sign the edited claims of example", "› ES256 · kid "+shortKid(session.KeyID)+" · this session's key",
		"  EdDSA · kid given-1 · --sign-key keys/given.jwk", "↑/↓ choose · enter signs · esc cancels", "enter sign")
	hs.wantOnScreen("e asks which key to re-sign with")
	if len(hs.m.list.entries) != 1 {
		t.Fatal("a token was added before a key was chosen")
	}

	hs.keys("down", "enter")
	if hs.m.active != screenMain || len(hs.m.list.entries) != 2 {
		t.Fatalf("screen %d with %d tokens after choosing", hs.m.active, len(hs.m.list.entries))
	}
	e := hs.m.list.selected()
	if kid, _ := e.in.Parsed.Header.String("kid"); kid != "given-1" || e.in.Parsed.Alg() != "EdDSA" {
		t.Fatalf("signed with kid %q alg %q, want the chosen --sign-key", kid, e.in.Parsed.Alg())
	}
	if !strings.HasPrefix(e.label, "minted locally · key given-1 · ") {
		t.Errorf("label %q", e.label)
	}
	if e.val.report == nil || !e.val.report.Valid() {
		t.Fatalf("not valid against the chosen key: %v", e.val.report)
	}
	wantWhole(t, bodyText(hs.screen()), "with EdDSA · kid given-1 · --sign-key keys/given.jwk; verified against it")

	// The next re-sign starts on the key used last.
	hs.keys("e").send(ctrlS)
	hs.wantOnScreen("› EdDSA · kid given-1 · --sign-key keys/given.jwk")
	// esc leaves every token as it was.
	hs.keys("esc")
	if hs.m.active != screenMain || len(hs.m.list.entries) != 2 {
		t.Fatalf("esc in the chooser: screen %d, %d tokens", hs.m.active, len(hs.m.list.entries))
	}
}

// Claims that are not a JSON object are refused before any key is asked for.
func TestResignRefusesBadClaimsBeforeChoosing(t *testing.T) {
	given, err := keys.GenerateSigningKey("ES256", "given-2")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{SignKey: given}, 100, 40)
	withoutEditor(hs)
	hs.keys("K", "e")
	hs.m.maker.edit.ta.SetValue(`{"sub":`)
	hs.send(ctrlS)
	if hs.m.maker.edit.choosing || hs.m.active != screenMain {
		t.Fatalf("choosing %v on screen %d for bad claims", hs.m.maker.edit.choosing, hs.m.active)
	}
	hs.wantOnScreen("not re-signed: claims:")
}

// The HMAC secret pasted with L to check an HS256 test token re-signs its edited claims:
// the one key at hand, so nothing is asked; the new token is HS256 and valid with it.
func TestPastedSecretResignsAnHS256Token(t *testing.T) {
	const secret = "s3cr3t-shared-between-api-and-tests"
	tok := hs256Token(secret, fmt.Sprintf(`{"iss":"https://api.local.test/","sub":"u1","exp":%d}`, t0.Add(time.Hour).Unix()))
	hs := newHarness(t, Options{Token: tok}, 120, 40)
	withoutEditor(hs)
	hs.keys("L").send(tea.PasteMsg{Content: secret}).keys("enter")
	hs.wantOnScreen("e can re-sign with it")
	hs.keys("e")
	hs.wantOnScreen("ctrl+s re-signs with HS256 · pasted HMAC secret (memory only)")
	hs.m.maker.edit.ta.SetValue(`{"iss":"https://api.local.test/","sub":"u2","exp":` + strconv.FormatInt(t0.Unix()+600, 10) + `}`)
	hs.send(ctrlS)
	e := hs.m.list.selected()
	if len(hs.m.list.entries) != 2 || e.in.Parsed.Alg() != "HS256" {
		t.Fatalf("%d tokens, selected alg %q: want an HS256 token beside the original", len(hs.m.list.entries), e.in.Parsed.Alg())
	}
	if e.val.report == nil || !e.val.report.Valid() {
		t.Fatalf("not valid against the secret: %v", e.val.report)
	}
	if hs.m.maker.key != nil {
		t.Error("a session key was made although a secret was at hand")
	}
	hs.wantOffScreen(secret)
}

// A private key file given to L checks the token with its public half and is offered
// for re-signing beside the session key.
func TestPrivateKeyFileFromLIsOfferedForSigning(t *testing.T) {
	k, err := keys.GenerateSigningKey("ES384", "file-1")
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := keys.PrivateJWK(k)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signer.jwk")
	if err := os.WriteFile(path, jwk, 0o600); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{Token: shopToken(t, otherAPI)}, 120, 40)
	withoutEditor(hs)
	hs.keys("K", "L").typeText(path).keys("enter")
	hs.wantOnScreen("e can re-sign with it")
	hs.keys("e").send(ctrlS)
	hs.wantOnScreen("ES384 · kid file-1 · key file " + path)
	hs.keys("down", "enter")
	e := hs.m.list.selected()
	if kid, _ := e.in.Parsed.Header.String("kid"); kid != "file-1" || e.in.Parsed.Alg() != "ES384" {
		t.Fatalf("signed with kid %q alg %q", kid, e.in.Parsed.Alg())
	}
	if e.val.report == nil || !e.val.report.Valid() {
		t.Fatalf("not valid against the key file: %v", e.val.report)
	}
}
