package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

// NewRevokeCmd returns the `revoke` command: RFC 7009 token revocation.
func NewRevokeCmd() *cobra.Command { return newRevokeCmd(grantDeps{}) }

func newRevokeCmd(d grantDeps) *cobra.Command {
	var (
		config, tenant string
		refresh        bool
	)
	cmd := &cobra.Command{
		Use:   "revoke [TOKEN|-]",
		Short: "Revoke a token at the tenant's revocation endpoint (RFC 7009) and clear the cache",
		Long: `Revoke asks the tenant's revocation endpoint to revoke a token, authenticating as the
tenant's client. Without a TOKEN it revokes the tenant's cached tokens: the refresh token
(which at most providers ends the access tokens issued with it) and then the access
token; with --refresh only the refresh token. A token given as an argument (or '-' for
stdin) is revoked as an access token, or as a refresh token with --refresh.

When the tenant's cached tokens are revoked, or the given token is the cached one, the
cache entry is cleared, so that 'tokenbench token' obtains a new one.

Providers answer success also for tokens they do not know (RFC 7009 section 2.2), so
success means the token can no longer be used, not that it was valid.

Exit status: 0 revoked; 1 the provider refused; 2 usage, keyring or network errors.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := openGrantSession(cmd, config, tenant, d)
			if err != nil {
				return err
			}
			hint := "access_token"
			if refresh {
				hint = "refresh_token"
			}
			type target struct{ token, hint string }
			var targets []target
			fromCache := len(args) == 0 && stdinIsTTYFor(cmd)
			if !fromCache {
				raw, err := ReadTokenInput(args, "", cmd.InOrStdin(), stdinIsTTYFor(cmd))
				if err != nil {
					return err
				}
				tok, _ := tokens.Normalize(raw)
				if tok == "" && len(args) == 0 {
					fromCache = true
				} else if tok == "" {
					return Fail(ExitUsage, "the token is empty")
				} else {
					targets = append(targets, target{tok, hint})
				}
			}
			// The cache is read only when it is the source, or to clear it: revoking a
			// given token works without a keyring (CI with TOKENBENCH_CLIENT_SECRET).
			cached, err := s.session.Cached()
			if err != nil && fromCache {
				return storeErr(err)
			}
			if fromCache {
				if cached == nil {
					return Fail(ExitUsage, "no token given and none cached for tenant %q: pass one", s.tenant.Name)
				}
				if cached.RefreshToken != "" {
					targets = append(targets, target{cached.RefreshToken, "refresh_token"})
				}
				if !refresh && cached.AccessToken != "" {
					targets = append(targets, target{cached.AccessToken, "access_token"})
				}
				if len(targets) == 0 {
					return Fail(ExitUsage, "tenant %q has no cached refresh token to revoke", s.tenant.Name)
				}
			}
			c, err := s.client(true)
			if err != nil {
				return err
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			for _, t := range targets {
				if err := c.Revoke(ctx, t.token, t.hint); err != nil {
					return grantErr(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked the %s\n", map[string]string{"access_token": "access token", "refresh_token": "refresh token"}[t.hint])
			}
			if cached != nil && (fromCache || targets[0].token == cached.AccessToken || targets[0].token == cached.RefreshToken) {
				if err := s.tenants.Secrets.Delete(s.tenant.Name, store.SecretTokenSet); err != nil {
					return storeErr(err)
				}
				if err := s.tenants.Secrets.Delete(s.tenant.Name, store.SecretRefreshToken); err != nil && !errors.Is(err, store.ErrSecretNotFound) {
					return storeErr(err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: cleared the cached tokens of %s\n", s.tenant.Name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant `NAME` (default: the default tenant)")
	cmd.Flags().BoolVar(&refresh, "refresh", false, "revoke a refresh token (the given one, or only the cached refresh token)")
	return cmd
}
