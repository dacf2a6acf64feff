package tokenstest

import (
	"context"
	"crypto"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// testStorage wraps zitadel's example storage with what a tokenbench test needs and the
// example lacks: JWT access tokens and our own grant lists for every client, client
// credentials for registered clients (the example only knows a fixed service user),
// refresh tokens that remember their client when they came from the device flow, and
// the device-flow faults (slow_down, expiry) a client must handle.
type testStorage struct {
	*storage.Storage
	clients map[string]*testClient
	// provider verifies private_key_jwt assertions of client credentials requests.
	provider *op.Provider

	mu           sync.Mutex
	clientKeys   map[string]crypto.PublicKey // private_key_jwt keys of PrivateKeyClientID, by kid
	deviceClient map[string]string           // refresh token -> client ID, for device-flow grants
	userCodes    map[string]string           // device code -> user code
	expired      map[string]bool             // user codes to report as expired
	slowDown     int                         // polls still to answer with slow_down

	// Refresh-token families (see WithReuseDetection). presented counts every
	// presentation of a refresh token, with reuse detection on or off.
	reuse     bool
	presented map[string]int        // refresh token -> times presented
	family    map[string]string     // refresh token -> the grant it descends from
	revoked   map[string]bool       // families revoked after a reuse
	access    map[string]accessInfo // access token ID -> what userinfo and introspection need
}

// accessInfo is an access token issued with a refresh token, kept for reuse detection:
// the example storage forgets an access token when its refresh token rotates, while
// Auth0 and Okta keep it valid until it expires or its family is revoked.
type accessInfo struct {
	family, subject, client string
	audience, scopes        []string
	expiry                  time.Time
}

// testClient is one registered client: the example storage's client (which keeps the
// secret and is what the example storage checks) with our grant types, application type
// and login page, and always JWT access tokens.
type testClient struct {
	*storage.Client
	appType op.ApplicationType
	auth    oidc.AuthMethod
	grants  []oidc.GrantType
}

func (c *testClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *testClient) GrantTypes() []oidc.GrantType         { return c.grants }
func (c *testClient) ApplicationType() op.ApplicationType  { return c.appType }
func (c *testClient) AuthMethod() oidc.AuthMethod          { return c.auth }
func (c *testClient) LoginURL(id string) string            { return loginPath + "?authRequestID=" + id }
func (c *testClient) IsScopeAllowed(scope string) bool     { return true }
func (c *testClient) DevMode() bool                        { return false }
func (c *testClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *testClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *testClient) ClockSkew() time.Duration       { return 0 }
func (c *testClient) IDTokenLifetime() time.Duration { return time.Hour }

func (s *testStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, errors.New("client not found")
	}
	return c, nil
}

func (s *testStorage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	c, ok := s.clients[id]
	if ok && c.auth == oidc.AuthMethodPrivateKeyJWT {
		return s.privateKeyClientCredentials(ctx, id)
	}
	if !ok || s.Storage.AuthorizeClientIDSecret(ctx, id, secret) != nil {
		return nil, errors.New("wrong client id or secret")
	}
	return c, nil
}

func (s *testStorage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	if _, ok := s.clients[id]; !ok {
		return nil, errors.New("client not found")
	}
	return &oidc.JWTTokenRequest{Subject: id, Audience: []string{id}, Scopes: scopes}, nil
}

func (s *testStorage) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	if err := s.Storage.StoreDeviceAuthorization(ctx, clientID, deviceCode, userCode, expires, scopes); err != nil {
		return err
	}
	s.mu.Lock()
	s.userCodes[deviceCode] = userCode
	s.mu.Unlock()
	return nil
}

// GetDeviceAuthorizatonState is where a poll lands. Returning context.DeadlineExceeded
// makes the provider answer slow_down; a copy with a past expiry makes it answer
// expired_token, without touching the state the example storage owns.
func (s *testStorage) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	s.mu.Lock()
	slow := s.slowDown > 0
	if slow {
		s.slowDown--
	}
	expired := s.expired[s.userCodes[deviceCode]]
	s.mu.Unlock()
	if slow {
		return nil, context.DeadlineExceeded
	}
	st, err := s.Storage.GetDeviceAuthorizatonState(ctx, clientID, deviceCode)
	if err != nil || !expired {
		return st, err
	}
	c := *st
	c.Done, c.Expires = false, time.Now().Add(-time.Second)
	return &c, nil
}

// CreateAccessAndRefreshTokens records which client a device-flow refresh token belongs
// to: the example storage only knows that for its own request types and would otherwise
// refuse every refresh of a device-flow token as invalid_grant.
func (s *testStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	id, rt, exp, err := s.Storage.CreateAccessAndRefreshTokens(ctx, req, current)
	if err != nil || rt == "" {
		return id, rt, exp, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	client := ""
	switch r := req.(type) {
	case *op.DeviceAuthorizationState:
		s.deviceClient[rt] = r.ClientID
		client = r.ClientID
	case deviceRefresh:
		s.deviceClient[rt] = r.clientID
		delete(s.deviceClient, current)
		client = r.clientID
	case interface{ GetClientID() string }:
		client = r.GetClientID()
	}
	fam := rt
	if current != "" && s.family[current] != "" {
		fam = s.family[current]
	}
	s.family[rt] = fam
	s.access[id] = accessInfo{family: fam, subject: req.GetSubject(), client: client,
		audience: req.GetAudience(), scopes: req.GetScopes(), expiry: exp}
	return id, rt, exp, nil
}

// errReuse is the refusal of a refresh token presented again (or of its family after
// that): the provider answers invalid_grant.
var errReuse = errors.New("refresh token reuse detected: every token of its grant is revoked")

func (s *testStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	s.presented[token]++
	fam := s.family[token]
	if s.reuse && fam != "" && (s.presented[token] > 1 || s.revoked[fam]) {
		s.revoked[fam] = true
		s.mu.Unlock()
		return nil, errReuse
	}
	s.mu.Unlock()
	r, err := s.Storage.TokenRequestByRefreshToken(ctx, token)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	id, ok := s.deviceClient[token]
	s.mu.Unlock()
	if ok {
		return deviceRefresh{r, id}, nil
	}
	return r, nil
}

type deviceRefresh struct {
	op.RefreshTokenRequest
	clientID string
}

func (d deviceRefresh) GetClientID() string { return d.clientID }

// userStore is the provider's user directory. A user's ID equals its username because
// the device login stores the username as the subject.
type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) GetUserByUsername(name string) *storage.User {
	return u[name]
}
func (u userStore) ExampleClientID() string { return "service" }

func newUser(name, password string) *storage.User {
	return &storage.User{
		ID: name, Username: name, Password: password,
		FirstName: name, LastName: "Tester", Email: name + "@example.test", EmailVerified: true,
		PreferredLanguage: language.English,
	}
}

// liveAccess returns what was recorded about access token id when reuse detection is on
// and it was issued with a refresh token; err says why it is no longer valid.
func (s *testStorage) liveAccess(id string) (info accessInfo, known bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info, known = s.access[id]
	if !s.reuse || !known {
		return accessInfo{}, false, nil
	}
	switch {
	case s.revoked[info.family]:
		return info, true, errReuse
	case !time.Now().Before(info.expiry):
		return info, true, errors.New("token is expired")
	}
	return info, true, nil
}

func (s *testStorage) SetUserinfoFromToken(ctx context.Context, userinfo *oidc.UserInfo, tokenID, subject, origin string) error {
	info, known, err := s.liveAccess(tokenID)
	if !known {
		return s.Storage.SetUserinfoFromToken(ctx, userinfo, tokenID, subject, origin)
	}
	if err != nil {
		return err
	}
	return s.Storage.SetUserinfoFromScopes(ctx, userinfo, info.subject, info.client, info.scopes)
}

func (s *testStorage) SetIntrospectionFromToken(ctx context.Context, in *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	info, known, err := s.liveAccess(tokenID)
	if !known {
		return s.Storage.SetIntrospectionFromToken(ctx, in, tokenID, subject, clientID)
	}
	if err != nil {
		return err
	}
	if !slices.Contains(info.audience, clientID) {
		return errors.New("token is not valid for this client")
	}
	ui := new(oidc.UserInfo)
	if err := s.Storage.SetUserinfoFromScopes(ctx, ui, info.subject, info.client, info.scopes); err != nil {
		return err
	}
	in.SetUserInfo(ui)
	in.Expiration = oidc.FromTime(info.expiry)
	in.Scope = info.scopes
	in.ClientID = info.client
	return nil
}
