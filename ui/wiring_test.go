package ui

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"charm.land/huh/v2"
	jose "github.com/go-jose/go-jose/v4"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// longLoginURL is an authorize URL as long as real ones get (PKCE, state, nonce, an
// audience and extra parameters).
const longLoginURL = "http://127.0.0.1:9/authorize?client_id=tb-native&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256" +
	"&nonce=n-0S6_WzA2Mj&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2Fauth%2Fdone&response_type=code&scope=openid+profile+offline_access" +
	"&state=af0ifjsldkj-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&audience=https%3A%2F%2Fapi.example.test%2Forders&END"

func TestPKCEScreenWrapsAndCopiesTheLoginURL(t *testing.T) {
	for _, width := range []int{60, 80, 120} {
		hs := newHarness(t, Options{}, width, 30)
		hs.m.setScreen(screenGet)
		hs.m.get.run = &grantRun{id: 1, tenant: "app", grant: oauth.GrantPKCE, cancel: func() {}, authURL: longLoginURL}
		hs.send(press("z")) // any key reaches the screen, which sets its keys for the run
		lines := strings.Split(hs.screen(), "\n")
		var joined strings.Builder
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("width %d: a row is %d wide: %q", width, w, l)
			}
			if s := strings.TrimSpace(l); strings.HasPrefix(s, "http://127.0.0.1:9/") || joined.Len() > 0 && !strings.Contains(joined.String(), "&END") {
				joined.WriteString(s)
			}
		}
		if !strings.Contains(joined.String(), longLoginURL) {
			t.Fatalf("width %d: the URL is not on screen in full:\n%s", width, hs.screen())
		}
		hs.wantOnScreen("c copy login URL", "esc cancel")
		hs.send(press("c"))
		if len(hs.native) != 1 || hs.native[0] != longLoginURL {
			t.Fatalf("copied %q", hs.native)
		}
		hs.wantOnScreen("copied the login URL")
	}
}

func TestStatusErrorsWrap(t *testing.T) {
	hs := newHarness(t, Options{}, 60, 20)
	cause := "the provider could not be reached: check the tenant's issuer or domain and your network"
	err := errors.New("tokens: token endpoint failed (Post \"https://login.example.com/realms/very-long-realm-name/protocol/openid-connect/token\": dial tcp: connection refused): " + cause)
	hs.send(errMsg{err})
	screen := hs.screen()
	if flat := strings.Join(strings.Fields(screen), " "); !strings.Contains(flat, strings.Join(strings.Fields(cause), " ")) {
		t.Fatalf("the cause was cut:\n%s", screen)
	}
	if rows := strings.Count(screen, "\n") + 1; rows != 20 {
		t.Fatalf("%d rows on a 20-row terminal", rows)
	}
	// When it expires the body takes its rows back.
	hs.tick(statusTTL)
	if strings.Contains(hs.screen(), "connection refused") || strings.Count(hs.screen(), "\n")+1 != 20 {
		t.Fatalf("after expiry:\n%s", hs.screen())
	}
}

func TestGetTokenScreenExchange(t *testing.T) {
	hs, p, ts := getHarness(t)
	tn := store.Tenant{Name: "gw", Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.ConfidentialClientID,
		Confidential: true, Grant: oauth.GrantClientCredentials, Audience: "https://orders.test"}
	if err := ts.Add(tn, store.SetSecret(tokenstest.ConfidentialClientSecret)); err != nil {
		t.Fatal(err)
	}
	hs.pickTenant("gw")
	hs.send(press("enter"))
	hs.wantOnScreen("got a token from gw (client-credentials)")
	cached, _ := ts.Secrets.LoadTokenSet("gw")
	hs.pickTenant("gw")
	for hs.m.get.grant != oauth.GrantExchange {
		hs.send(tea.KeyPressMsg{Code: tea.KeyTab})
	}
	hs.send(press("enter"))
	hs.wantOnScreen("got a token from gw by token exchange (urn:ietf:params:oauth:token-type:access_token); not cached")
	sel := hs.m.list.selected()
	if sel == nil || sel.in.Token == cached.AccessToken || sel.from != nil {
		t.Fatalf("selected %+v", sel)
	}
	if after, _ := ts.Secrets.LoadTokenSet("gw"); after.AccessToken != cached.AccessToken {
		t.Fatal("the exchanged token replaced the tenant's cached one")
	}
}

func TestTenantsFormWiringFields(t *testing.T) {
	h := newTenantsHarness(t)
	h.open()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: key, KeyID: "form-key"})
	h.key("n")
	h.key("down") // kind: OpenID Connect
	h.next()
	h.input("wired")
	h.input("https://id.example.com/")
	h.input("client-wired")
	h.next() // confidential: yes
	h.next() // no secret: the private key follows
	h.next() // audience
	h.next() // scopes
	h.next() // grant: none
	h.next() // organization
	h.next() // port
	h.input("http://localhost:8400/auth/done")
	h.key("down")
	h.key("down")
	h.key("down")
	h.key("down") // client authentication: private_key_jwt
	h.next()
	h.typeText(string(jwk))
	h.send(huh.NextField())
	h.key("h") // discovery: toggled to no
	h.next()
	h.next() // authorization endpoint
	h.typeText("https://id.example.com/oauth/token")
	h.submit()

	c, err := h.ts.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, ok := c.Tenant("wired")
	if !ok || got.AuthMethod != oauth.AuthPrivateKeyJWT || got.RedirectURI != "http://localhost:8400/auth/done" ||
		!got.NoDiscovery || got.Endpoints.Token != "https://id.example.com/oauth/token" {
		t.Fatalf("saved %+v (%v)\n%s", got, ok, h.screen())
	}
	if v, _, err := h.ts.Secrets.PrivateKey("wired"); err != nil || v != string(jwk) {
		t.Fatalf("keyring holds %d bytes, %v", len(v), err)
	}
	if data, _ := os.ReadFile(h.ts.Path); strings.Contains(string(data), "form-key") || strings.Contains(string(data), `"d"`) {
		t.Fatalf("the key reached the config:\n%s", data)
	}
}
