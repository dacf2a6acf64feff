package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// NewIntrospectCmd returns the `introspect` command: RFC 7662 token introspection.
func NewIntrospectCmd() *cobra.Command { return newIntrospectCmd(grantDeps{}) }

func newIntrospectCmd(d grantDeps) *cobra.Command {
	var (
		config, tenant, hint string
		asJSON               bool
	)
	cmd := &cobra.Command{
		Use:   "introspect [TOKEN|-]",
		Short: "Ask the tenant's introspection endpoint whether a token is active (RFC 7662)",
		Long: `Introspect asks the tenant's introspection endpoint (from discovery, or the tenant's
--introspection-endpoint) about a token, authenticating as the tenant's client. It is the
way to check opaque tokens. Providers usually answer only about tokens issued to or meant
for the asking client; Auth0 offers no introspection endpoint.

The token comes from the argument or '-' for stdin; without one, the tenant's cached
access token is used.

Exit status: 0 the token is active; 1 it is not (or the provider refused); 2 usage,
keyring or network errors.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in *oauth.Introspection
			err := callWithToken(cmd, args, config, tenant, d, true, func(ctx context.Context, c *oauth.Client, token string) (err error) {
				in, err = c.Introspect(ctx, token, hint)
				return err
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				err = writeObjectJSON(out, in.Claims)
			} else {
				err = writeObject(out, in.Claims)
			}
			if err != nil {
				return err
			}
			if !in.Active {
				fmt.Fprintln(cmd.ErrOrStderr(), "tokenbench: the provider says the token is not active (expired, revoked, or not one this client may see)")
				return Silent(ExitInvalid)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant `NAME` (default: the default tenant)")
	cmd.Flags().StringVar(&hint, "hint", "", "token_type_hint: access_token or refresh_token")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the provider's JSON")
	addTraceFlags(cmd)
	return cmd
}
