package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/cli/browser"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// grantDeps are the parts of the grant commands (get, token, userinfo, introspect) that
// tests replace. The zero value means the real ones.
type grantDeps struct {
	// Overrides replaces the grant client's clock, waits, HTTP client, key cache and
	// browser opener; its zero value keeps the real ones, and a nil KeyCache means
	// keys.NewCache() (shared on disk across processes, so discovery and the JWKS are
	// fetched once per cache lifetime).
	oauth.Overrides
	keyring store.Keyring
	// onDevice sees every device authorization after the prompt was printed (tests
	// approve it over HTTP from here).
	onDevice func(*oauth.DeviceAuthorization)
}

// grantSession is one command's view of a tenant: the tenant, where its secrets live,
// and a grant client for it.
type grantSession struct {
	tenants *store.Tenants
	tenant  store.Tenant
	deps    grantDeps
	stderr  io.Writer
	// session renews and stores the tenant's tokens under its lock (store.Session).
	session *store.Session
	// secrets are the credentials and tokens this run handles, redacted from anything it
	// prints (a provider may echo them in an error description).
	secrets *keys.Redactor
	// noKeyring is set once the keyring turned out to be unavailable while the
	// environment supplies the client's credential: the run goes on without a token cache
	// (said once on stderr) instead of failing.
	noKeyring bool
}

// envPrivateKey names the environment variable that supplies a private_key_jwt tenant's
// signing key for one run, as store.EnvClientSecret does a client secret.
const envPrivateKey = "TOKENBENCH_PRIVATE_KEY"

// envCredentials reports whether the environment supplies the client's credential, so
// that a run can do without the keyring (CI, containers).
func envCredentials() bool {
	return os.Getenv(store.EnvClientSecret) != "" || os.Getenv(envPrivateKey) != ""
}

// keyringGone reports whether err means the run should go on without a keyring: the
// keyring is unavailable and the environment supplies the confidential client's
// credential. It says so on stderr the first time.
func (s *grantSession) keyringGone(err error) bool {
	if s.noKeyring {
		return true
	}
	var ke *store.KeyringError
	if !errors.As(err, &ke) || !s.tenant.Confidential || !envCredentials() {
		return false
	}
	s.noKeyring = true
	fmt.Fprintf(s.stderr, "tokenbench: note: no keyring (%s): tokens are not cached, every run asks the provider\n", safeLine(ke.Cause))
	return true
}

// openGrantSession resolves the tenant called name (the default when empty) in the
// config file named by configFlag.
func openGrantSession(cmd *cobra.Command, configFlag, name string, d grantDeps) (*grantSession, error) {
	ts, err := OpenTenants(configFlag)
	if err != nil {
		return nil, err
	}
	if d.keyring != nil {
		ts.Secrets.Keyring = d.keyring
	}
	sess, err := ts.OpenSession(name)
	if err != nil {
		if errors.Is(err, store.ErrNoDefault) {
			return nil, Fail(ExitUsage, "no --tenant given and no default tenant set: name one, or set one with 'tokenbench tenants use NAME'")
		}
		return nil, storeErr(err)
	}
	r := &keys.Redactor{}
	d.HTTP = traceOf(cmd).client(cmd, d.HTTP, r)
	s := &grantSession{tenants: ts, tenant: sess.Tenant, deps: d, stderr: cmd.ErrOrStderr(), secrets: r, session: sess}
	sess.Now, sess.Client, sess.Warn = d.Now, s.newClient, s.warn
	return s, nil
}

// client returns a grant client for the tenant. The client secret of a confidential
// tenant is read from the keyring (or $TOKENBENCH_CLIENT_SECRET) only when needSecret.
func (s *grantSession) client(needSecret bool) (*oauth.Client, error) {
	t := s.tenant
	var secret string
	switch {
	case needSecret && t.UsesPrivateKey():
		v, _, err := s.tenants.Secrets.PrivateKey(t.Name)
		switch {
		case errors.Is(err, store.ErrSecretNotFound):
			return nil, Fail(ExitUsage, "tenant %q uses private_key_jwt but no private key is stored: store one with 'tokenbench tenants edit %s --private-key-file PATH', or set %s", t.Name, t.Name, store.EnvPrivateKey)
		case err != nil:
			return nil, storeErr(err)
		}
		secret = v
	case needSecret && t.Confidential:
		v, _, err := s.tenants.Secrets.ClientSecret(t.Name)
		switch {
		case errors.Is(err, store.ErrSecretNotFound):
			return nil, Fail(ExitUsage, "tenant %q is confidential but no client secret is stored: store one with 'tokenbench tenants edit %s --client-secret-stdin', or set %s", t.Name, t.Name, store.EnvClientSecret)
		case err != nil:
			return nil, storeErr(err)
		}
		secret = v
		s.secrets.Add(v)
	}
	return s.newClient(t.ClientConfig(secret)), nil
}

// newClient builds the grant client for cfg with the command's injected parts; the
// client secret joins the secrets redacted from output.
func (s *grantSession) newClient(cfg oauth.ClientConfig) *oauth.Client {
	s.secrets.Add(cfg.ClientSecret)
	d := s.deps
	c := oauth.NewClient(cfg).Override(d.Overrides)
	if d.OpenBrowser == nil {
		// The browser launcher's own output must not reach stdout, which is for results.
		browser.Stdout, browser.Stderr = s.stderr, s.stderr
		c.OpenBrowser = browser.OpenURL
	}
	return c
}

// now is the commands' clock.
func (s *grantSession) now() time.Time {
	if s.deps.Now != nil {
		return s.deps.Now()
	}
	return time.Now()
}

// save stores ts in the keyring, the refresh token first (see store.SaveTokenSet), and
// reports whether it did: without a keyring, when the environment supplies the client's
// credential, nothing is stored and that is not an error.
func (s *grantSession) save(ts *oauth.TokenSet) (stored bool, err error) {
	if s.noKeyring {
		return false, nil
	}
	err = s.session.Store(context.Background(), ts)
	if err != nil && s.keyringGone(err) {
		return false, nil
	}
	return err == nil, storeErr(err)
}

// warn reports on stderr what the session ignored: a damaged cache entry, or tokens of
// the issuer the tenant named before.
func (s *grantSession) warn(err error) {
	var fe *store.ForeignCacheError
	if errors.As(err, &fe) {
		fmt.Fprintf(s.stderr, "tokenbench: warning: ignoring the cached tokens of %q: they come from %s, the tenant now names %s\n",
			fe.Tenant, tokens.SafeText(fe.CachedIssuer), tokens.SafeText(fe.TenantIssuer))
		return
	}
	fmt.Fprintf(s.stderr, "tokenbench: warning: ignoring it: %s\n", safeLine(err.Error()))
}

// needsPersonHint says which command gets a token when a person is needed.
func (s *grantSession) needsPersonHint() string {
	return fmt.Sprintf("run 'tokenbench get --tenant %s' (it needs a person: grant %s)", s.tenant.Name, orDefault(string(s.tenant.Grant), "device"))
}

// sessionErr words what the tenant session returned for the command line; g is the
// grant the session would have run.
func (s *grantSession) sessionErr(err error, g oauth.Grant) error {
	var np *store.NeedsPersonError
	var ee *ExitError
	switch {
	case err == nil || errors.As(err, &ee):
		return err
	case errors.As(err, &np) && np.Cached:
		return Fail(ExitInvalid, "the cached token of %q has expired and there is no refresh token: %s", s.tenant.Name, s.needsPersonHint())
	case errors.As(err, &np):
		return Fail(ExitInvalid, "no token is cached for tenant %q: %s", s.tenant.Name, s.needsPersonHint())
	case errors.Is(err, oauth.ErrInvalidGrant):
		return Fail(ExitInvalid, "the stored refresh token of %q was refused (expired, revoked or already used): %s", s.tenant.Name, s.needsPersonHint())
	case errors.Is(err, store.ErrSecretNotFound):
		return Fail(ExitUsage, "tenant %q is confidential but no client secret is stored: store one with 'tokenbench tenants edit %s --client-secret-stdin', or set %s", s.tenant.Name, s.tenant.Name, store.EnvClientSecret)
	case errors.Is(err, store.ErrLocked):
		return Fail(ExitUsage, "%s (is another tokenbench stuck refreshing?)", safeLine(err.Error()))
	}
	var pe *oauth.ProviderError
	var se *store.SharedFailureError
	if errors.As(err, &pe) || errors.As(err, &se) || errors.Is(err, context.Canceled) {
		return grantErr(s.redact(advise(err, s.tenant.Name, g)))
	}
	return storeErr(err)
}

// redact returns err with the run's secrets taken out of its message.
func (s *grantSession) redact(err error) error { return s.secrets.Redacted(err) }

// grantErr gives a grant failure its exit code: 2 when the provider could not be
// reached or failed (an I/O error), 1 when it answered with a refusal.
func grantErr(err error) error {
	var ee *ExitError
	var me *oauth.MissingEndpointError
	switch {
	case err == nil || errors.As(err, &ee):
		return err
	case errors.As(err, &me):
		return missingEndpoint(me)
	case errors.Is(err, oauth.ErrUnreachable), errors.Is(err, oauth.ErrTimeout),
		errors.Is(err, oauth.ErrProviderFailed), errors.Is(err, oauth.ErrRateLimited),
		errors.Is(err, context.Canceled), errors.Is(err, keys.ErrInsecureURL),
		errors.Is(err, oauth.ErrCallbackTimeout):
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return &ExitError{Code: ExitInvalid, Err: err}
}

// missingEndpoint words a *oauth.MissingEndpointError for the user: the endpoint, where
// it was looked for, and the flag that sets it. It is a usage error (exit 2): the tenant
// lacks a setting.
func missingEndpoint(me *oauth.MissingEndpointError) error {
	flag := endpointFlags[me.Name]
	where := "discovery is off for the tenant"
	if me.Source != "" {
		where = "the provider's discovery document " + tokens.SafeText(me.Source) + " has none"
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("no %s: %s; set it with 'tokenbench tenants edit NAME --%s URL'", me.Name, where, flag)}
}

// interruptible returns cmd's context cancelled on Ctrl-C, so that a device poll or a
// PKCE wait stops cleanly (listener closed, polling stopped).
func interruptible(cmd *cobra.Command) (context.Context, func()) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt)
}
