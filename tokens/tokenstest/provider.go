// Package tokenstest runs a real OpenID provider in-process on 127.0.0.1 for tests: the
// certified github.com/zitadel/oidc/v3 pkg/op provider over zitadel's example storage,
// with discovery, JWKS, JWT access tokens, client credentials, the device authorization
// grant, authorization code + PKCE, refresh with rotation, userinfo and introspection.
//
// Tests drive it only over HTTP, as a browser would: Approve and Deny submit the device
// page, Login follows an authorize URL through the login page. Fault injection
// (Inject) makes it look down, fail with 5xx, rate-limit or hang; SlowDown and
// ExpireDeviceCode make the device flow answer slow_down and expired_token.
package tokenstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Registered clients and the one user of every Provider.
const (
	// ConfidentialClientID is a confidential (web) client authenticated with its secret,
	// by client_secret_basic or client_secret_post. It may use client credentials, the
	// authorization code grant, the device grant and refresh.
	ConfidentialClientID     = "tb-confidential"
	ConfidentialClientSecret = "tb-confidential-secret"
	// DeviceClientID is a public client (no secret) for the device authorization grant
	// and refresh, like an Auth0 native application with the device grant enabled.
	DeviceClientID = "tb-device"
	// NativeClientID is a public native client for authorization code + PKCE and refresh.
	// Its registered redirect URI is http://127.0.0.1/callback; any port is accepted
	// (RFC 8252 section 7.3).
	NativeClientID = "tb-native"
	// NativeRedirectPath is the path of the native client's loopback redirect URI.
	NativeRedirectPath = "/callback"
	// Username and Password log in at the login and device pages.
	Username = "alice"
	Password = "wonderland"
)

// Paths of the pages the provider mounts for people (and the tests' headless browser).
const (
	loginPath  = "/login"
	devicePath = "/device"
)

// Provider is a running test OpenID provider. Its fields are fixed after New.
type Provider struct {
	// Issuer is the provider's issuer URL, "http://127.0.0.1:PORT" (no trailing slash).
	Issuer string
	// Server is the underlying loopback server; it is closed by the test's cleanup.
	Server *httptest.Server
	// PollInterval is the device-flow interval the provider advertises.
	PollInterval time.Duration
	// DeviceCodeLifetime is how long a device code stays valid.
	DeviceCodeLifetime time.Duration

	// ClientKey is the private key PrivateKeyClientID signs its assertions with,
	// registered under ClientKeyID (ES256).
	ClientKey *ecdsa.PrivateKey

	reuse       bool
	op          *op.Provider
	store       *testStorage
	noDiscovery bool
	faults      faults
	browsing    sync.WaitGroup // Browser goroutines, waited for before the server stops

	pageMu     sync.Mutex
	lastStatus int
	lastPage   string
}

// Option changes one setting of a Provider before it starts.
type Option func(*Provider)

// WithPollInterval sets the device-flow poll interval the provider advertises. It is
// sent in whole seconds; zero makes the provider omit it (clients then use 5 s).
func WithPollInterval(d time.Duration) Option { return func(p *Provider) { p.PollInterval = d } }

// WithDeviceCodeLifetime sets how long device codes stay valid (default 5 minutes).
func WithDeviceCodeLifetime(d time.Duration) Option {
	return func(p *Provider) { p.DeviceCodeLifetime = d }
}

// WithReuseDetection switches on refresh-token reuse detection, as Auth0 and Okta do it:
// a refresh token presented a second time is refused (invalid_grant) and revokes its whole
// family, every refresh and access token descended from the same grant. Access tokens
// then stay valid across rotation until they expire or their family is revoked.
func WithReuseDetection() Option { return func(p *Provider) { p.reuse = true } }

// New starts a provider on 127.0.0.1 with an ephemeral port and stops it when the test
// ends. The default device poll interval is 1 s, the shortest the protocol can say.
func New(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	p := &Provider{PollInterval: time.Second, DeviceCodeLifetime: 5 * time.Minute}
	for _, o := range opts {
		o(p)
	}
	// The unstarted server already owns its listener, so the issuer URL is known before
	// the provider (which needs it) is built.
	p.Server = httptest.NewUnstartedServer(nil)
	p.Issuer = "http://" + p.Server.Listener.Addr().String()

	confidential := storage.WebClient(ConfidentialClientID, ConfidentialClientSecret, "http://127.0.0.1"+NativeRedirectPath)
	device := storage.DeviceClient(DeviceClientID, "")
	native := storage.NativeClient(NativeClientID, "http://127.0.0.1"+NativeRedirectPath)
	privateKey := storage.WebClient(PrivateKeyClientID, "", "http://127.0.0.1"+NativeRedirectPath)
	localhost := storage.NativeClient(LocalhostClientID, LocalhostRedirectURI)
	p.ClientKey = newClientKey()
	inner := storage.NewStorageWithClients(userStore{
		Username:             newUser(Username, Password),
		ConfidentialClientID: newUser(ConfidentialClientID, ""), // subject of its client-credentials tokens
		PrivateKeyClientID:   newUser(PrivateKeyClientID, ""),
	}, map[string]*storage.Client{
		ConfidentialClientID: confidential,
		DeviceClientID:       device,
		NativeClientID:       native,
		PrivateKeyClientID:   privateKey,
		LocalhostClientID:    localhost,
	})
	p.store = &testStorage{
		Storage: inner,
		clients: map[string]*testClient{
			ConfidentialClientID: {Client: confidential, appType: op.ApplicationTypeWeb, auth: oidc.AuthMethodBasic,
				grants: []oidc.GrantType{oidc.GrantTypeClientCredentials, oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode, oidc.GrantTypeTokenExchange}},
			// Native, so that its loopback redirect URI may take any port.
			PrivateKeyClientID: {Client: privateKey, appType: op.ApplicationTypeNative, auth: oidc.AuthMethodPrivateKeyJWT,
				grants: []oidc.GrantType{oidc.GrantTypeClientCredentials, oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeTokenExchange}},
			LocalhostClientID: {Client: localhost, appType: op.ApplicationTypeNative, auth: oidc.AuthMethodNone,
				grants: []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}},
			DeviceClientID: {Client: device, appType: op.ApplicationTypeNative, auth: oidc.AuthMethodNone,
				grants: []oidc.GrantType{oidc.GrantTypeDeviceCode, oidc.GrantTypeRefreshToken}},
			NativeClientID: {Client: native, appType: op.ApplicationTypeNative, auth: oidc.AuthMethodNone,
				grants: []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}},
		},
		deviceClient: map[string]string{},
		userCodes:    map[string]string{},
		expired:      map[string]bool{},
		clientKeys:   map[string]crypto.PublicKey{ClientKeyID: p.ClientKey.Public()},
		reuse:        p.reuse,
		presented:    map[string]int{},
		family:       map[string]string{},
		revoked:      map[string]bool{},
		access:       map[string]accessInfo{},
	}

	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		t.Fatalf("tokenstest: %v", err)
	}
	cfg := &op.Config{
		CryptoKey:               key,
		CryptoKeyId:             "tokenstest",
		CodeMethodS256:          true,
		AuthMethodPost:          true,
		AuthMethodPrivateKeyJWT: true,
		GrantTypeRefreshToken:   true,
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     p.DeviceCodeLifetime,
			PollInterval: p.PollInterval,
			UserFormPath: devicePath,
			UserCode:     op.UserCodeBase20,
		},
	}
	prov, err := op.NewProvider(cfg, p.store, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("tokenstest: building the provider: %v", err)
	}
	p.op = prov
	p.store.provider = prov

	mux := http.NewServeMux()
	issuerCtx := op.NewIssuerInterceptor(prov.IssuerFromRequest)
	mux.Handle(loginPath, issuerCtx.HandlerFunc(p.loginPage))
	mux.HandleFunc(devicePath, p.devicePage)
	mux.Handle("/", prov)
	p.faults.release = make(chan struct{})
	p.Server.Config.Handler = p.faults.wrap(p.wiring(mux))
	p.Server.Start()
	t.Cleanup(func() {
		close(p.faults.release)
		p.browsing.Wait()
		p.Server.Close()
	})
	return p
}

// RedirectURI returns the native client's loopback redirect URI on port.
func RedirectURI(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port) + NativeRedirectPath
}

// SlowDown makes the next n device-flow token polls (of any client) answer slow_down.
func (p *Provider) SlowDown(n int) {
	p.store.mu.Lock()
	p.store.slowDown = n
	p.store.mu.Unlock()
}

// ExpireDeviceCode makes polls for the device authorization with userCode answer
// expired_token from now on, as if its lifetime had run out.
func (p *Provider) ExpireDeviceCode(userCode string) {
	p.store.mu.Lock()
	p.store.expired[userCode] = true
	p.store.mu.Unlock()
}

// RefreshPresentations returns how many times each refresh token was presented at the
// token endpoint (with reuse detection on or off), keyed by the token.
func (p *Provider) RefreshPresentations() map[string]int {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return maps.Clone(p.store.presented)
}

// RevokedFamilies returns how many token families a reused refresh token revoked.
func (p *Provider) RevokedFamilies() int {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return len(p.store.revoked)
}
