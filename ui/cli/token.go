package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// NewTokenCmd returns the `token` command: print a valid access token for scripts.
func NewTokenCmd() *cobra.Command { return newTokenCmd(grantDeps{}) }

func newTokenCmd(d grantDeps) *cobra.Command {
	var (
		config, tenant, nowStr string
		margin                 time.Duration
		force                  bool
	)
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token (cached, refreshed or re-obtained) for scripts",
		Long: `Token prints the tenant's access token on stdout and nothing else, for scripts:

  curl -H "Authorization: Bearer $(tokenbench token --tenant prod)" https://api.example.com/

It serves the token cached in the OS keyring while it is valid for longer than --margin
(or half its lifetime, for a token issued for less than twice the margin); otherwise it refreshes it with the stored refresh token (storing the rotated one at once)
or, for a client-credentials tenant, obtains a new one. It never starts an interactive
login: when a person is needed it says which 'tokenbench get' to run. Several processes
asking at once are safe: one talks to the provider, the others wait for its result
(a lock file next to the config file).

Exit status: 0 a token was printed; 1 no valid token and none can be obtained without a
person, or the provider refused; 2 usage, keyring or network errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nowStr != "" {
				t, err := ParseTime(nowStr)
				if err != nil {
					return err
				}
				d.Now = func() time.Time { return t }
			}
			if margin < 0 {
				return Fail(ExitUsage, "--margin must not be negative")
			}
			s, err := openGrantSession(cmd, config, tenant, d)
			if err != nil {
				return err
			}
			ts, err := s.validToken(cmd, margin, force)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), ts.AccessToken)
			return err
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant `NAME` (default: the default tenant)")
	cmd.Flags().DurationVar(&margin, "margin", oauth.DefaultRefreshMargin, "refresh a token that expires within `DURATION`")
	cmd.Flags().BoolVar(&force, "force", false, "refresh or re-obtain the token even if the cached one is still valid")
	// --now moves the clock for tests of the refresh margin; it is not for users.
	cmd.Flags().StringVar(&nowStr, "now", "", "pretend the time is `TIME` (RFC 3339 or Unix seconds)")
	_ = cmd.Flags().MarkHidden("now")
	addTraceFlags(cmd)
	return cmd
}

// validToken returns a token set whose access token is valid beyond margin: the cached
// one, or under the tenant's token lock a fresh one (another process may have just made
// one), by refresh or client credentials. With force the cached one is never served.
func (s *grantSession) validToken(cmd *cobra.Command, margin time.Duration, force bool) (*oauth.TokenSet, error) {
	ts, err := s.cached()
	if err != nil {
		return nil, err
	}
	if ts != nil && !force && !ts.NeedsRefresh(s.now(), margin) {
		return ts, nil
	}
	ctx, stop := interruptible(cmd)
	defer stop()
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if ts, err = s.cached(); err != nil {
		return nil, err
	}
	now := s.now()
	if ts != nil && !force && !ts.NeedsRefresh(now, margin) {
		return ts, nil
	}

	var fresh *oauth.TokenSet
	var grantFailure error
	var g oauth.Grant
	if ts != nil && ts.RefreshToken != "" {
		c, err := s.client(true)
		if err != nil {
			return nil, err
		}
		fresh, grantFailure = c.Refresh(ctx, ts)
		g = oauth.GrantRefresh
	}
	if fresh == nil && s.tenant.CanClientCredentials() {
		c, err := s.client(true)
		if err != nil {
			return nil, err
		}
		fresh, grantFailure = c.ClientCredentials(ctx)
		g = oauth.GrantClientCredentials
	}
	if fresh != nil {
		if _, err := s.save(fresh); err != nil {
			return nil, err
		}
		return fresh, nil
	}
	// Nothing new: a token that has not expired yet still beats none.
	if ts != nil && !force && ts.AccessToken != "" && !ts.Expired(now) {
		if grantFailure != nil {
			fmt.Fprintf(s.stderr, "tokenbench: warning: could not refresh, the cached token expires %s: %s\n", tokens.Relative(ts.Expiry, now), safeLine(s.redact(grantFailure).Error()))
		}
		return ts, nil
	}
	hint := fmt.Sprintf("run 'tokenbench get --tenant %s' (it needs a person: grant %s)", s.tenant.Name, orDefault(string(s.tenant.Grant), "device"))
	switch {
	case grantFailure != nil && errors.Is(grantFailure, oauth.ErrInvalidGrant):
		return nil, Fail(ExitInvalid, "the stored refresh token of %q was refused (expired, revoked or already used): %s", s.tenant.Name, hint)
	case grantFailure != nil:
		return nil, grantErr(s.redact(advise(grantFailure, s.tenant.Name, g)))
	case ts == nil:
		return nil, Fail(ExitInvalid, "no token is cached for tenant %q: %s", s.tenant.Name, hint)
	case force && !ts.Expired(now):
		return nil, Fail(ExitInvalid, "--force: tenant %q has no refresh token and no client credentials to get a new token with: %s", s.tenant.Name, hint)
	}
	return nil, Fail(ExitInvalid, "the cached token of %q has expired and there is no refresh token: %s", s.tenant.Name, hint)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
