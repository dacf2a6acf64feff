package ui

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func TestExampleIsVerifiedWithItsOwnKeyAndExpiresWithoutAKeyPress(t *testing.T) {
	hs := newHarness(t, Options{}, 140, 60).keys("v") // every check
	hs.wantInView("✓ signature valid · audience not checked", tokens.ExampleKeySource,
		"pass  signature", "pass  exp")
	hs.wantOffView("fetch keys from", "load keys from") // the example has its own key

	hs.tick(time.Hour) // at exp: within the leeway
	hs.wantInView("warn  exp", "accepted within the 1m0s leeway", "✓ signature valid")
	hs.tick(time.Minute) // beyond the leeway: invalid, with no key press
	hs.wantInView("✗ invalid: exp — expired 1m ago", "fail  exp", "pass  signature")
}

// issuer is a loopback OpenID provider: discovery and a JWKS with one Ed25519 key.
type issuer struct {
	srv      *httptest.Server
	priv     ed25519.PrivateKey
	jwks     []byte
	requests atomic.Int32
	fail     bool
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{priv: priv}
	is.jwks, _ = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: "k1", Algorithm: "EdDSA", Use: "sig"}}})
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.requests.Add(1)
		if is.fail {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, is.srv.URL, is.srv.URL+"/jwks")
		case "/jwks":
			w.Write(is.jwks)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

// token signs an access token from this issuer that expires an hour after t0.
func (is *issuer) token(t *testing.T) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: is.priv, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := fmt.Sprintf(`{"iss":%q,"sub":"user-7","iat":%d,"exp":%d}`, is.srv.URL, t0.Unix(), t0.Add(time.Hour).Unix())
	obj, err := signer.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// loopbackKeys is the real key source — a JWKS cache, in memory only — with the loopback
// test server's client.
func loopbackKeys(srv *httptest.Server) keySource {
	return cachedKeySource(&keys.Cache{Client: keys.NewHTTPClient(srv.Client().Transport)})
}

func TestFetchingIssuerKeysIsExplicitAndVerifies(t *testing.T) {
	is := newIssuer(t)
	hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
	hs.m.keySrc = loopbackKeys(is.srv)
	hs.keys("p").send(tea.PasteMsg{Content: is.token(t)}).keys("enter")
	hs.wantInView("? unverified", "F fetch keys from "+is.srv.URL+" (not a saved tenant)", "L load keys: a file, a URL, or paste",
		"skip  signature")
	if n := is.requests.Load(); n != 0 {
		t.Fatalf("nothing may be fetched before the user asks; %d requests", n)
	}

	next, cmd := hs.m.Update(press("F")) // in flight: the spinner line
	hs.m = next.(*Model)
	hs.wantInView("fetching keys from " + is.srv.URL + " (not a saved tenant)…")
	hs.run(cmd)
	hs.wantInView("✓ signature valid · audience not checked", "keys: 1 from discovery "+is.srv.URL+"/.well-known/openid-configuration → jwks_uri",
		"pass  iss", "user-7")
	if is.requests.Load() != 2 {
		t.Fatalf("want discovery and JWKS fetched once each, got %d requests", is.requests.Load())
	}
}

func TestAFailedFetchIsOneLineAndTheViewStaysUsable(t *testing.T) {
	is := newIssuer(t)
	is.fail = true
	hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
	hs.m.keySrc = loopbackKeys(is.srv)
	hs.keys("p").send(tea.PasteMsg{Content: is.token(t)}).keys("enter", "F")
	hs.wantInView("✗ could not load keys from "+is.srv.URL, "? unverified", "user-7", "expires in 1h")
	if n := strings.Count(hs.screen(), "could not load keys"); n != 2 {
		t.Fatalf("the error should be one line in the report and one in the status bar, got %d", n)
	}
	hs.keys("k") // still usable: select another token
	hs.wantInView("EXAMPLE TOKEN")
}

func TestLoadingAJWKSFile(t *testing.T) {
	is := newIssuer(t)
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, is.jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
	hs.keys("p").send(tea.PasteMsg{Content: is.token(t)}).keys("enter", "L")
	if hs.m.active != screenKeys {
		t.Fatal("L should open the JWKS input")
	}
	hs.wantInView("Load keys", "JWKS, JWK or PEM")
	hs.typeText(path).keys("enter")
	if hs.m.active != screenMain {
		t.Fatal("enter should go back to the token")
	}
	hs.wantInView("✓ signature valid", "keys: 1 from JWKS file "+path)
	if is.requests.Load() != 0 {
		t.Fatal("loading a file must not touch the network")
	}
}

// TestLoadingASingleKeyFile loads a single public key, as a JWK and as PEM, through the
// same input as a JWK Set; a file that is neither says why in one line.
func TestLoadingASingleKeyFile(t *testing.T) {
	is := newIssuer(t)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(is.jwks, &set); err != nil {
		t.Fatal(err)
	}
	one, err := json.Marshal(set.Keys[0])
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(set.Keys[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"key.jwk": one,
		"key.pem": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
		hs.keys("p").send(tea.PasteMsg{Content: is.token(t)}).keys("enter", "L")
		hs.typeText(path).keys("enter")
		hs.wantInView("✓ signature valid", "keys: 1 from key file "+path)
	}
	path := filepath.Join(dir, "notes.json")
	if err := os.WriteFile(path, []byte(`{"hello":"world"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
	hs.keys("p").send(tea.PasteMsg{Content: is.token(t)}).keys("enter", "L")
	hs.typeText(path).keys("enter")
	hs.wantInView("could not load keys: " + path + ": no usable key")
	if is.requests.Load() != 0 {
		t.Fatal("loading a file must not touch the network")
	}
}

func TestASavedTenantsKeysAreFetchedAndLabelled(t *testing.T) {
	is := newIssuer(t)
	hs := newHarness(t, Options{TenantIssuers: map[string]string{is.srv.URL: "prod"}}, 160, 60).keys("v") // every check
	hs.m.keySrc = loopbackKeys(is.srv)
	hs.keys("p").send(tea.PasteMsg{Content: is.token(t)}).keys("enter")
	hs.wantInView("fetch keys from "+is.srv.URL+" (saved tenant prod)", "✓ signature valid · audience not checked")
	hs.wantOffView("not a saved tenant")
	if is.requests.Load() != 2 {
		t.Fatalf("a saved tenant's keys are fetched once on their own; %d requests", is.requests.Load())
	}
	hs.keys("F") // again, by hand: the cache answers
	if is.requests.Load() != 2 {
		t.Fatalf("the second fetch should come from the cache; %d requests", is.requests.Load())
	}
}

func TestTenantIssuersReadAtStartUp(t *testing.T) {
	hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
	var asked []string
	hs.m.keySrc.issuerKeys = func(_ context.Context, iss, kid string) (*tokens.KeySet, error) {
		asked = append(asked, iss+" "+kid)
		return nil, errors.New("no network in this test")
	}
	hs.send(tenantIssuersMsg{cfg: configOf(t, store.Tenant{Name: "staging", Kind: store.KindOIDC, Issuer: "https://issuer.test/", ClientID: "c", Grant: oauth.GrantDevice})})
	hs.keys("p").send(tea.PasteMsg{Content: jwsExp(t0, t0.Add(time.Hour))}).keys("enter")
	hs.wantInView("fetch keys from https://issuer.test/ (saved tenant staging)",
		"✗ could not load keys of saved tenant staging from https://issuer.test/: no network in this test")
	if len(asked) != 1 || asked[0] != "https://issuer.test/ k1" {
		t.Fatalf("want one fetch for the saved tenant's issuer and the token's kid, got %q", asked)
	}
}

func TestNoFetchWithoutAnHTTPSIssuer(t *testing.T) {
	hs := newHarness(t, Options{Token: jws(`{"alg":"RS256"}`, `{"iss":"http://evil.example/","exp":9999999999}`)}, 160, 60).keys("v") // every check
	hs.wantOffView("fetch keys from")
	hs.keys("F")
	hs.wantInView("✗ this token names no https issuer")
}

// configOf is a tenants config holding ts.
func configOf(t *testing.T, ts ...store.Tenant) *store.Config {
	t.Helper()
	var c store.Config
	for _, tn := range ts {
		if err := c.Put(tn); err != nil {
			t.Fatal(err)
		}
	}
	return &c
}

// Two applications of one tenant share an issuer: a pasted token is tied to the one whose
// client it was issued to (azp or client_id), and to the first by name when neither is.
func TestTokenTiedToItsClientsTenant(t *testing.T) {
	cfg := configOf(t,
		store.Tenant{Name: "acme-cli", Kind: store.KindOIDC, Issuer: "https://issuer.test/", ClientID: "cli-id", Grant: oauth.GrantDevice},
		store.Tenant{Name: "acme-spa", Kind: store.KindOIDC, Issuer: "https://issuer.test/", ClientID: "spa-id", Grant: oauth.GrantPKCE},
	)
	for claims, want := range map[string]string{
		`"azp":"spa-id"`:       "acme-spa",
		`"client_id":"cli-id"`: "acme-cli",
		`"azp":"unknown"`:      "acme-cli",
	} {
		hs := newHarness(t, Options{}, 160, 60).keys("v") // every check
		hs.m.keySrc.issuerKeys = func(context.Context, string, string) (*tokens.KeySet, error) {
			return nil, errors.New("no network in this test")
		}
		hs.send(tenantIssuersMsg{cfg: cfg})
		hs.keys("p").send(tea.PasteMsg{Content: jws(`{"alg":"RS256","kid":"k1"}`, `{"iss":"https://issuer.test/","exp":9999999999,`+claims+`}`)}).keys("enter")
		hs.wantInView("fetch keys from https://issuer.test/ (saved tenant " + want + ")")
		if name, err := hs.m.callTenant(hs.m.list.selected()); err != nil || name != want {
			t.Errorf("%s: userinfo and introspection would ask %q (%v), want %q", claims, name, err, want)
		}
	}
}
