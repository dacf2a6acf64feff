package cli

import (
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
// one, or one the tenant's session renewed (by this process or, while it waited, by
// another), by refresh or client credentials. Without a keyring, when the environment
// supplies the client's credential, a client-credentials tenant gets a new token each run.
// With force the cached token is not served (the session may still hand out one another
// process renewed while this one waited).
func (s *grantSession) validToken(cmd *cobra.Command, margin time.Duration, force bool) (*oauth.TokenSet, error) {
	ctx, stop := interruptible(cmd)
	defer stop()
	g := oauth.GrantRefresh
	if s.tenant.CanClientCredentials() {
		g = oauth.GrantClientCredentials
	}
	out, err := s.session.Renew(ctx, store.Policy{Margin: margin, Force: force, ClientCredentials: true})
	if err != nil && s.keyringGone(err) {
		if !s.tenant.CanClientCredentials() {
			return nil, Fail(ExitInvalid, "no token is cached for tenant %q: %s", s.tenant.Name, s.needsPersonHint())
		}
		c, err := s.client(true)
		if err != nil {
			return nil, err
		}
		ts, err := c.ClientCredentials(ctx)
		if err != nil {
			return nil, grantErr(s.redact(advise(err, s.tenant.Name, oauth.GrantClientCredentials)))
		}
		return ts, nil
	}
	if err != nil {
		return nil, s.sessionErr(err, g)
	}
	s.secrets.Add(out.Set.AccessToken, out.Set.RefreshToken, out.Set.IDToken)
	if out.StoreErr != nil && !s.keyringGone(out.StoreErr) {
		return nil, storeErr(out.StoreErr)
	}
	if out.RenewErr != nil {
		fmt.Fprintf(s.stderr, "tokenbench: warning: could not refresh, the cached token expires %s: %s\n", tokens.Relative(out.Set.Expiry, s.now()), safeLine(s.redact(out.RenewErr).Error()))
	}
	return out.Set, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
