package ui

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

// shopKey is a fixed Ed25519 key, so that tokens (and golden screens) are the same on
// every run.
var shopKey = ed25519.NewKeyFromSeed([]byte("tokenbench-policy-test-seed-0032"))

const shopIssuer = "https://dev-abc.us.auth0.com/"

// shopToken signs claims (a JSON object without braces, added to iss, sub, iat and exp).
func shopToken(t *testing.T, extra string) string {
	t.Helper()
	return shopTokenAt(t, t0, extra)
}

// shopTokenAt is shopToken issued at iat, expiring an hour later.
func shopTokenAt(t *testing.T, iat time.Time, extra string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: shopKey, KeyID: "shop-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := fmt.Sprintf(`{"iss":%q,"sub":"auth0|64f0c0ffee","iat":%d,"exp":%d,%s}`, shopIssuer, iat.Unix(), iat.Add(time.Hour).Unix(), extra)
	obj, err := signer.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := obj.CompactSerialize()
	return raw
}

func shopJWKS() string {
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: shopKey.Public(), KeyID: "shop-1", Algorithm: "EdDSA", Use: "sig"}}})
	return string(b)
}

func shopJWKSFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(p, []byte(shopJWKS()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const otherAPI = `"aud":["https://api.other.test/","https://dev-abc.us.auth0.com/userinfo"],"azp":"Xk3p9QwErTy","scope":"openid read:orders","permissions":["read:orders"]`

// newExpectHarness is newHarness plus what Init does with the command line's expectation.
func newExpectHarness(t *testing.T, opts Options, w, h int) *harness {
	hs := newHarness(t, opts, w, h)
	hs.run(resolveExpectation(hs.m.cliExpect, hs.m.store, hs.m.keySrc, ""))
	return hs
}

func TestCommandLineAudienceDecidesTheVerdict(t *testing.T) {
	// Wide enough that no check row is cut: the reasons are what is asserted.
	jwks := shopJWKSFile(t)
	tok := shopToken(t, otherAPI)
	for _, tc := range []struct {
		name string
		x    store.Expectation
		want []string
	}{
		{"no audience: not overstated", store.Expectation{JWKS: jwks},
			[]string{"✓ signature valid · audience not checked — press a to set your API", "no API named"}},
		{"wrong audience", store.Expectation{JWKS: jwks, Audiences: []string{"https://api.shop.test/"}},
			[]string{"✗ your API would refuse it: aud — expected https://api.shop.test/", "is https://api.other.test/, https://dev-abc.us.auth0.com/userinfo; expected https://api.shop.test/"}},
		{"right audience", store.Expectation{JWKS: jwks, Audiences: []string{"https://api.other.test/"}},
			[]string{"✓ your API would accept it", "10 passed"}},
		{"trailing slash", store.Expectation{JWKS: jwks, Audiences: []string{"https://api.other.test"}},
			[]string{"✗ your API would refuse it: aud", "only in a trailing slash"}},
		{"missing scope", store.Expectation{JWKS: jwks, Audiences: []string{"https://api.other.test/"}, Scopes: []string{"write:orders"}},
			[]string{"✗ your API would refuse it: scope — missing write:orders (has openid read:orders)"}},
		{"--issuer with --jwks is only expected", store.Expectation{JWKS: jwks, Issuer: shopIssuer, Audiences: []string{"https://api.other.test/"}},
			[]string{"✓ your API would accept it", "issuer https://dev-abc.us.auth0.com/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.x
			hs := newExpectHarness(t, Options{Token: tok, Expect: &x}, 260, 70)
			hs.wantOnScreen(tc.want...)
		})
	}
}

func TestExpectedFormAppliesToEveryTokenOfTheIssuer(t *testing.T) {
	jwks := shopJWKSFile(t)
	hs := newExpectHarness(t, Options{Token: shopToken(t, otherAPI), Expect: &store.Expectation{JWKS: jwks}}, 160, 70)
	hs.wantOnScreen("audience not checked")
	// A second token of the same issuer, pasted: the keys from the command line check it.
	hs.keys("p").send(tea.PasteMsg{Content: shopToken(t, `"aud":"https://api.shop.test/","scope":"write:orders"`)}).keys("enter")
	hs.wantOnScreen("✓ signature valid · audience not checked")

	fillExpectedForm(t, hs, "https://api.shop.test/", "write:orders")
	hs.wantOnScreen("✓ your API would accept it", "scopes write:orders", "your API https://api.shop.test/")

	hs.keys("up") // the first token: the same expectation applies
	hs.wantOnScreen("✗ your API would refuse it: aud", "expected https://api.shop.test/")
}

// offline makes the harness's discovery fail at once: a saved tenant's issuer is fetched
// without a key press, and tests reach nothing but loopback.
func offline(hs *harness) {
	hs.m.keySrc.issuerKeys = func(context.Context, string, string) (*tokens.KeySet, error) {
		return nil, errors.New("offline in this test")
	}
}

// fillExpectedForm opens the form with a, keeps the pre-filled issuer, and fills in the
// audience and scopes. Like tenantsHarness it does not run huh's own commands (cursor
// blinks wait on a timer); it moves from field to field with the messages huh delivers.
func fillExpectedForm(t *testing.T, hs *harness, aud, scopes string) {
	t.Helper()
	send := func(msg tea.Msg) tea.Cmd {
		next, cmd := hs.m.Update(msg)
		hs.m = next.(*Model)
		return cmd
	}
	send(press("a"))
	hs.wantOnScreen("Your API", "for every token from "+shopIssuer, "Expected issuer", shopIssuer, "Audience(s)", "Required scopes")
	send(press("enter"))
	send(huh.NextField())
	send(tea.PasteMsg{Content: aud})
	send(press("enter"))
	send(huh.NextField())
	send(tea.PasteMsg{Content: scopes})
	send(press("enter"))
	for _, msg := range runLeaves(t, send(huh.NextField())) {
		if cmd := send(msg); cmd != nil {
			hs.run(cmd) // the answers, then the validations they start
		}
	}
	if hs.m.active != screenMain {
		t.Fatalf("the form did not complete:\n%s", hs.screen())
	}
}

func TestExpectedFormIsPrefilledFromTheTenant(t *testing.T) {
	hs := newHarness(t, Options{Token: shopToken(t, otherAPI)}, 120, 40)
	offline(hs)
	hs.send(tenantIssuersMsg{cfg: &store.Config{Tenants: map[string]store.Tenant{
		"dev": {Kind: store.KindAuth0, Domain: "dev-abc.us.auth0.com", ClientID: "Xk3p9QwErTy", Audience: "https://api.shop.test/"},
	}}})
	next, _ := hs.m.Update(press("a"))
	hs.m = next.(*Model)
	hs.wantOnScreen("Expected issuer", "> "+shopIssuer, "> https://api.shop.test/")
	next, cmd := hs.m.Update(press("esc"))
	hs.m = next.(*Model)
	for _, msg := range runLeaves(t, cmd) {
		if _, ok := msg.(closeScreenMsg); ok {
			hs.send(msg)
		}
	}
	if hs.m.active != screenMain {
		t.Errorf("esc did not close the form")
	}
}

func TestTenantAudienceIsTheExpectedAudience(t *testing.T) {
	tok := shopToken(t, otherAPI)
	hs := newHarness(t, Options{Token: tok}, 160, 70)
	offline(hs)
	hs.send(tenantIssuersMsg{cfg: &store.Config{Tenants: map[string]store.Tenant{
		"dev": {Kind: store.KindAuth0, Domain: "dev-abc.us.auth0.com", ClientID: "Xk3p9QwErTy", Audience: "https://api.shop.test/"},
	}}})
	// Keys pasted (the tenant's discovery is not reachable here): the tenant's audience applies.
	hs.keys("L").send(tea.PasteMsg{Content: shopJWKS()})
	hs.wantOnScreen("✗ your API would refuse it: aud", "expected https://api.shop.test/", "your API https://api.shop.test/")
}

func TestKeysLoadedOnceCheckEveryTokenOfTheIssuer(t *testing.T) {
	hs := newHarness(t, Options{Token: shopToken(t, otherAPI)}, 160, 70)
	hs.keys("p").send(tea.PasteMsg{Content: shopToken(t, `"aud":"x"`)}).keys("enter")
	hs.wantOnScreen("? unverified")
	hs.keys("L").typeText(shopJWKSFile(t)).keys("enter")
	hs.wantOnScreen("✓ signature valid", "for the 2 tokens from "+shopIssuer)
	hs.keys("up")
	hs.wantOnScreen("✓ signature valid")
}

func hs256Token(secret, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	in := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(in))
	return in + "." + enc(mac.Sum(nil))
}

func TestPastedHMACSecretIsMaskedAndChecks(t *testing.T) {
	const secret = "s3cr3t-shared-between-api-and-tests"
	tok := hs256Token(secret, fmt.Sprintf(`{"iss":"https://api.local.test/","sub":"u1","exp":%d}`, t0.Add(time.Hour).Unix()))
	hs := newHarness(t, Options{Token: tok}, 140, 50)
	hs.keys("L").send(tea.PasteMsg{Content: secret + "\n"})
	hs.wantOnScreen("HMAC secret", "memory for this session only")
	hs.wantOffScreen(secret)
	hs.keys("enter")
	hs.wantOnScreen("✓ signature valid", pastedSecretSource)
	hs.wantOffScreen(secret)

	// A wrong secret fails the signature; typing one with ctrl+s is masked too.
	hs.keys("L").send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}).typeText("wrong-secret-of-the-right-length-too")
	hs.wantOffScreen("wrong-secret")
	hs.keys("enter")
	hs.wantOnScreen("✗ invalid: signature")
}

func TestAuth0OpaqueTokensSayWhatTheyAre(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	jweTok := enc([]byte(`{"alg":"dir","enc":"A256GCM","iss":"https://dev-abc.us.auth0.com/"}`)) + ".." +
		enc([]byte("twelve-byte!")) + "." + enc([]byte("ciphertext-bytes")) + "." + enc([]byte("sixteen-byte-tag"))
	for _, raw := range []string{jweTok, "k2Xj0c9QeVbN3mUp7RtY1wZa"} {
		hs := newHarness(t, Options{Token: raw}, 140, 50)
		hs.wantOnScreen("● opaque access token", "Auth0 issues one when the request names no audience", "/userinfo", "your API's identifier as audience")
		hs.wantOffScreen("--decrypt-key", "decrypt it with")
	}
}

func TestIDTokenSentToAnAPIIsFlagged(t *testing.T) {
	tok := shopToken(t, `"aud":"Xk3p9QwErTy","nonce":"n-0S6","at_hash":"77QmUPtjPfzWtF2AnpK9RQ"`)
	x := store.Expectation{JWKS: shopJWKSFile(t), Audiences: []string{"https://api.shop.test/"}}
	hs := newExpectHarness(t, Options{Token: tok, Expect: &x}, 200, 70)
	hs.wantOnScreen("✗ your API would refuse it: aud", "this is an ID token (nonce, at_hash present")
}

func TestDecryptingAJWEInTheWorkbench(t *testing.T) {
	// The JWE wraps a token signed by shopKey, encrypted to a key whose private half is in a file.
	encKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	inner := shopToken(t, `"aud":"https://api.shop.test/"`)
	e, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.ECDH_ES_A256KW, Key: &encKey.PublicKey},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := e.Encrypt([]byte(inner))
	raw, _ := obj.CompactSerialize()
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: encKey})
	keyPath := filepath.Join(t.TempDir(), "enc.jwk")
	if err := os.WriteFile(keyPath, jwk, 0o600); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{Token: raw}, 160, 70)
	hs.wantOnScreen("? encrypted")
	hs.keys("L").typeText(keyPath).keys("enter")
	hs.wantOnScreen("auth0|64f0c0ffee", "decrypted with the key you loaded")
	hs.keys("L").send(tea.PasteMsg{Content: shopJWKS()})
	hs.wantOnScreen("✓ signature valid")
}

func TestKeysScreenCompletesPaths(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"jwks-dev.json", "jwks-prod.json"} {
		os.WriteFile(filepath.Join(dir, n), []byte("{}"), 0o600)
	}
	hs := newHarness(t, Options{Token: shopToken(t, otherAPI)}, 140, 50)
	hs.keys("L").typeText(dir + "/jw")
	hs.send(tea.KeyPressMsg{Code: tea.KeyTab})
	if got := hs.m.keysIn.ti.Value(); got != dir+"/jwks-" {
		t.Fatalf("completed to %q", got)
	}
	hs.wantOnScreen("jwks-dev.json", "jwks-prod.json")
	hs.typeText("d").send(tea.KeyPressMsg{Code: tea.KeyTab})
	if got := hs.m.keysIn.ti.Value(); got != dir+"/jwks-dev.json" {
		t.Fatalf("completed to %q", got)
	}
}

func TestVerdictNeverSaysValidForAnotherAPI(t *testing.T) {
	// Model-level: every verdict line with a passing signature either names the audience
	// as checked or says it was not.
	jwks := shopJWKSFile(t)
	for _, auds := range [][]string{nil, {"https://api.other.test/"}, {"https://api.shop.test/"}} {
		hs := newExpectHarness(t, Options{Token: shopToken(t, otherAPI), Expect: &store.Expectation{JWKS: jwks, Audiences: auds}}, 160, 70)
		line := hs.screen()
		switch {
		case auds == nil && !strings.Contains(line, "audience not checked"):
			t.Errorf("no audience: %s", line)
		case auds != nil && strings.Contains(line, "audience not checked"):
			t.Errorf("audience %v checked but said not: %s", auds, line)
		}
		if strings.Contains(line, "✓ valid ·") || strings.HasSuffix(strings.TrimSpace(line), "✓ valid") {
			t.Errorf("bare ✓ valid overstates:\n%s", line)
		}
	}
}

// TestTmuxAudienceVerdict runs the built binary in a real terminal the way the issue's
// user does: `tokenbench --jwks F --audience A TOKEN`.
func TestTmuxAudienceVerdict(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	jwks := shopJWKSFile(t)
	tok := shopTokenAt(t, time.Now(), otherAPI)
	for _, tc := range []struct {
		aud  string
		want []string
	}{
		{"https://api.shop.test/", []string{"✗ your API would refuse it: aud", "expected https://api.shop.test/"}},
		{"https://api.other.test/", []string{"✓ your API would accept it"}},
	} {
		s := newTmux(t, 120, 40, bin+" --jwks "+jwks+" --audience "+tc.aud+" "+tok)
		s.waitFor(tc.want...)
		s.keys("q")
	}
}

// TestWorkbenchIssuerWithJWKSFetchesNothing: in the workbench as in verify, --issuer is
// the expected issuer and a key source only when no explicit source is given.
func TestWorkbenchIssuerWithJWKSFetchesNothing(t *testing.T) {
	x := store.Expectation{Issuer: shopIssuer, JWKS: shopJWKSFile(t), Audiences: []string{"https://api.other.test/"}}
	hs := newHarness(t, Options{Token: shopToken(t, otherAPI), Expect: &x}, 160, 70)
	hs.m.keySrc.issuerKeys = func(context.Context, string, string) (*tokens.KeySet, error) {
		t.Error("discovery was attempted although --jwks was given")
		return nil, errors.New("no network here")
	}
	hs.run(resolveExpectation(hs.m.cliExpect, hs.m.store, hs.m.keySrc, ""))
	hs.wantOnScreen("✓ your API would accept it", "issuer https://dev-abc.us.auth0.com/")

	// Without --jwks the same issuer is where the keys come from.
	called := ""
	x = store.Expectation{Issuer: shopIssuer}
	hs = newHarness(t, Options{Token: shopToken(t, otherAPI), Expect: &x}, 160, 70)
	hs.m.keySrc.issuerKeys = func(_ context.Context, iss, _ string) (*tokens.KeySet, error) {
		called = iss
		return tokens.ParseJWKS([]byte(shopJWKS()), "discovery (test)")
	}
	hs.run(resolveExpectation(hs.m.cliExpect, hs.m.store, hs.m.keySrc, ""))
	if called != shopIssuer {
		t.Errorf("discovered %q, want %q", called, shopIssuer)
	}
	hs.wantOnScreen("✓ signature valid · audience not checked", "issuer https://dev-abc.us.auth0.com/")
}

func TestTenantsOwnIDTokenIsCheckedForItsClient(t *testing.T) {
	tok := shopToken(t, `"aud":"Xk3p9QwErTy","nonce":"n-0S6"`)
	cfg := &store.Config{Tenants: map[string]store.Tenant{
		"dev": {Kind: store.KindAuth0, Domain: "dev-abc.us.auth0.com", ClientID: "Xk3p9QwErTy", Audience: "https://api.shop.test/"},
	}}
	for _, tc := range []struct {
		from *tenantToken
		want string
	}{
		{&tenantToken{tenant: "dev", kind: kindID}, "✓ valid ID token for Xk3p9QwErTy"},
		{nil, "✗ your API would refuse it: aud — this is an ID token"}, // pasted: sent to the API
	} {
		hs := newHarness(t, Options{Token: tok}, 160, 70)
		hs.m.list.selected().from = tc.from
		offline(hs)
		hs.send(tenantIssuersMsg{cfg: cfg})
		hs.keys("L").send(tea.PasteMsg{Content: shopJWKS()})
		hs.wantOnScreen(tc.want)
	}
}
