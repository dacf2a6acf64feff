package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// NewExchangeCmd returns the `exchange` command: RFC 8693 token exchange.
func NewExchangeCmd() *cobra.Command { return newExchangeCmd(grantDeps{}) }

// ExchangeDoc is the JSON that `exchange --json` prints: the issued token and what the
// provider said about it.
type ExchangeDoc struct {
	GetDoc
	IssuedTokenType string `json:"issued_token_type,omitempty"`
}

func newExchangeCmd(d grantDeps) *cobra.Command {
	var (
		config, tenant                  string
		subject, subjectType            string
		actor, actorType, requestedType string
		audiences, resources, scopes    []string
		asJSON                          bool
	)
	cmd := &cobra.Command{
		Use:   "exchange --subject-token TOKEN|- [flags]",
		Short: "Exchange a token for another at the tenant's token endpoint (RFC 8693)",
		Long: `Exchange sends a token exchange request (RFC 8693) to the tenant's token endpoint,
authenticating as the tenant's client, and prints the issued token on stdout (with --json,
the whole response). The exchanged token is not cached: it is not the tenant's own.

Token types are given as full URNs or by their short names: access_token (the default
for subject and actor), refresh_token, id_token, jwt, saml1, saml2. '-' reads a token from
stdin (for one of --subject-token and --actor-token).

Exit status: 0 a token was issued; 1 the provider refused; 2 usage, keyring or network errors.`,
		Example: `  tokenbench exchange --tenant api-gw --subject-token "$USER_TOKEN" --audience https://orders.internal/
  tokenbench token --tenant web | tokenbench exchange --tenant api-gw --subject-token - --scope orders:read --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if subject == "" {
				return Fail(ExitUsage, "--subject-token is required (a token, or - for stdin)")
			}
			if subject == "-" && actor == "-" {
				return Fail(ExitUsage, "only one of --subject-token and --actor-token can come from stdin")
			}
			if actor == "" && actorType != "" {
				return Fail(ExitUsage, "--actor-token-type needs --actor-token")
			}
			req := oauth.ExchangeRequest{Audience: audiences, Resource: resources}
			for _, s := range scopes {
				req.Scopes = append(req.Scopes, strings.Fields(s)...)
			}
			var err error
			for _, tt := range []struct {
				flag, in string
				out      *string
			}{{"--subject-token-type", subjectType, &req.SubjectTokenType}, {"--actor-token-type", actorType, &req.ActorTokenType},
				{"--requested-token-type", requestedType, &req.RequestedTokenType}} {
				if *tt.out, err = tokenType(tt.flag, tt.in); err != nil {
					return err
				}
			}
			if req.SubjectToken, err = exchangeToken(cmd, "--subject-token", subject); err != nil {
				return err
			}
			if actor != "" {
				if req.ActorToken, err = exchangeToken(cmd, "--actor-token", actor); err != nil {
					return err
				}
			}
			s, err := openGrantSession(cmd, config, tenant, d)
			if err != nil {
				return err
			}
			c, err := s.client(true)
			if err != nil {
				return err
			}
			ctx, stop := interruptible(cmd)
			defer stop()
			ts, err := c.Exchange(ctx, req)
			if err != nil {
				return grantErr(err)
			}
			if asJSON {
				return WriteJSON(cmd.OutOrStdout(), ExchangeDoc{GetDoc: getDoc(ts), IssuedTokenType: ts.IssuedTokenType})
			}
			issued := orDefault(ts.IssuedTokenType, "(not said)")
			if !ts.Expiry.IsZero() {
				issued += ", expires " + tokens.Relative(ts.Expiry, s.now()) + " (" + ts.Expiry.UTC().Format(time.RFC3339) + ")"
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: issued %s\n", tokens.SafeText(issued))
			_, err = fmt.Fprintln(cmd.OutOrStdout(), ts.AccessToken)
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	fs.StringVar(&tenant, "tenant", "", "the tenant `NAME` whose client asks (default: the default tenant)")
	fs.StringVar(&subject, "subject-token", "", "the `TOKEN` to exchange, or - for stdin")
	fs.StringVar(&subjectType, "subject-token-type", "", "the subject token's `TYPE` (default access_token)")
	fs.StringVar(&actor, "actor-token", "", "the acting party's `TOKEN` (delegation), or - for stdin")
	fs.StringVar(&actorType, "actor-token-type", "", "the actor token's `TYPE` (default access_token)")
	fs.StringArrayVar(&audiences, "audience", nil, "where the new token will be used: `AUDIENCE` (repeatable)")
	fs.StringArrayVar(&resources, "resource", nil, "the `URI` of a resource the new token is for (repeatable)")
	fs.StringArrayVar(&scopes, "scope", nil, "`SCOPE` to request (repeatable)")
	fs.StringVar(&requestedType, "requested-token-type", "", "the `TYPE` of token wanted (the provider's default when empty)")
	fs.BoolVar(&asJSON, "json", false, "print the whole response as JSON")
	return cmd
}

// tokenType accepts an RFC 8693 token type URN (any urn:) or one of its short names.
func tokenType(flag, v string) (string, error) {
	switch {
	case v == "":
		return "", nil
	case strings.HasPrefix(v, "urn:") && !strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return v, nil
	}
	if u, ok := oauth.TokenTypes[v]; ok {
		return u, nil
	}
	return "", Fail(ExitUsage, "%s %q: use a token type URN or access_token, refresh_token, id_token, jwt, saml1, saml2", flag, tokens.SafeText(v))
}

// exchangeToken reads one token flag's value: the token itself, or stdin for "-".
func exchangeToken(cmd *cobra.Command, flag, v string) (string, error) {
	raw := v
	if v == "-" {
		var err error
		if raw, err = ReadTokenInput([]string{"-"}, "", cmd.InOrStdin(), false); err != nil {
			return "", err
		}
	}
	tok, _ := tokens.Normalize(raw)
	if tok == "" {
		return "", Fail(ExitUsage, "%s is empty", flag)
	}
	return tok, nil
}
