package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// NewUserinfoCmd returns the `userinfo` command: the profile behind an access token.
func NewUserinfoCmd() *cobra.Command { return newUserinfoCmd(grantDeps{}) }

func newUserinfoCmd(d grantDeps) *cobra.Command {
	var (
		config, tenant string
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "userinfo [TOKEN|-]",
		Short: "Call the tenant's userinfo endpoint with an access token",
		Long: `Userinfo sends an access token as a Bearer token to the tenant's userinfo endpoint
(from discovery) and prints the profile it returns. This is the "use the access token"
check: it works for opaque tokens too (at Auth0 the token needs the openid scope).

The token comes from the argument or '-' for stdin; without one, the tenant's cached
access token is used (as 'tokenbench token' would print it, without refreshing).

Exit status: 0 profile printed; 1 the provider refused the token; 2 usage, keyring or
network errors.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var info tokens.Object
			err := callWithToken(cmd, args, config, tenant, d, false, func(ctx context.Context, c *oauth.Client, token string) (err error) {
				info, err = c.Userinfo(ctx, token)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return writeObjectJSON(cmd.OutOrStdout(), info)
			}
			return writeObject(cmd.OutOrStdout(), info)
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant `NAME` (default: the default tenant)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the provider's JSON")
	addTraceFlags(cmd)
	return cmd
}

// callWithToken runs call, which asks the provider about a token, with the client of the
// tenant config and tenant name and the token args name (or the tenant's cached access
// token); the client secret is read only when needSecret. Provider errors become grant
// errors with their exit codes.
func callWithToken(cmd *cobra.Command, args []string, config, tenant string, d grantDeps, needSecret bool,
	call func(ctx context.Context, c *oauth.Client, token string) error) error {
	s, err := openGrantSession(cmd, config, tenant, d)
	if err != nil {
		return err
	}
	token, err := s.tokenArg(cmd, args)
	if err != nil {
		return err
	}
	s.secrets.Add(token)
	c, err := s.client(needSecret)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(cmd)
	defer stop()
	if err := call(ctx, c, token); err != nil {
		return grantErr(s.redact(advise(err, s.tenant.Name, "")))
	}
	return nil
}

// tokenArg returns the token named by args (normalised: quotes, Authorization: and Bearer
// removed), or the tenant's cached access token when none was given.
func (s *grantSession) tokenArg(cmd *cobra.Command, args []string) (string, error) {
	if len(args) == 0 && stdinIsTTYFor(cmd) {
		return s.cachedAccessToken()
	}
	raw, err := ReadTokenInput(args, "", cmd.InOrStdin(), stdinIsTTYFor(cmd))
	if err != nil {
		return "", err
	}
	tok, _ := tokens.Normalize(raw)
	if tok == "" {
		if len(args) == 0 {
			return s.cachedAccessToken()
		}
		return "", Fail(ExitUsage, "the token is empty")
	}
	return tok, nil
}

func (s *grantSession) cachedAccessToken() (string, error) {
	ts, err := s.session.Cached()
	if err != nil {
		return "", storeErr(err)
	}
	if ts == nil || ts.AccessToken == "" {
		return "", Fail(ExitUsage, "no token given and none cached for tenant %q: pass one, or run 'tokenbench get --tenant %s'", s.tenant.Name, s.tenant.Name)
	}
	return ts.AccessToken, nil
}

// writeObject prints a JSON object's members one a line, in the provider's order.
func writeObject(w io.Writer, obj tokens.Object) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, m := range obj {
		v := string(m.Value)
		var s string
		if json.Unmarshal(m.Value, &s) == nil {
			v = s
		}
		fmt.Fprintf(tw, "%s:\t%s\n", tokens.SafeText(m.Name), tokens.SafeText(strings.Join(strings.Fields(v), " ")))
	}
	return tw.Flush()
}

// writeObjectJSON prints obj as indented JSON, members in the provider's order.
func writeObjectJSON(w io.Writer, obj tokens.Object) error {
	var b strings.Builder
	b.WriteString("{")
	for i, m := range obj {
		if i > 0 {
			b.WriteString(",")
		}
		name, _ := json.Marshal(m.Name)
		b.Write(name)
		b.WriteString(":")
		b.Write(m.Value)
	}
	b.WriteString("}")
	var out json.RawMessage = []byte(b.String())
	return WriteJSON(w, out)
}
