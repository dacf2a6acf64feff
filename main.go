// Command tokenbench is a terminal workbench for OAuth 2.0 / OpenID Connect tokens: run
// with no subcommand it opens the TUI (on the given token, or a built-in example); the
// subcommands do the same work for scripts.
package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenbench/tokenbench/ui"
	"github.com/tokenbench/tokenbench/ui/cli"
)

func main() {
	os.Exit(cli.Execute(newRoot(), os.Stderr))
}

func newRoot() *cobra.Command {
	var file, signKey string
	var expect cli.ExpectFlags
	root := &cobra.Command{
		Use:   "tokenbench [TOKEN|-]",
		Short: "A terminal workbench for OAuth 2.0 / OpenID Connect tokens",
		Long: `tokenbench decodes, explains and validates OAuth 2.0 / OpenID Connect tokens,
obtains them from saved tenants, and keeps tenant secrets in the OS keyring.

Run without a subcommand to open the workbench (on TOKEN, on '-' or piped stdin, on
--file PATH, or on a built-in example token). It takes verify's policy and key flags:
--audience and --scope name your API, --jwks, --key or --secret-file its keys (or
--tenant / --issuer by discovery); they apply to every token from that issuer.

The subcommands do the same work for scripts: results on stdout, diagnostics on
stderr, exit 0 ok, 1 invalid, 2 usage or I/O.`,
		Version: cli.Version(),
		Args:    cli.RootArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			x, err := expect.Expectation()
			if err != nil {
				return err
			}
			var raw string
			if len(args) > 0 || file != "" || !cli.StdinIsTTY() {
				if raw, err = cli.ReadTokenInput(args, file, os.Stdin, cli.StdinIsTTY()); err != nil {
					return err
				}
			}
			opts := ui.Options{Token: raw}
			if signKey != "" {
				k, err := cli.LoadSignKey(signKey)
				if err != nil {
					return err
				}
				opts.SignKey, opts.SignKeyPath = k, signKey
			}
			if expectGiven(cmd) {
				opts.Expect = &x
			}
			return ui.Run(opts)
		},
	}
	root.Flags().StringVar(&file, "file", "", "open the token in `PATH`")
	root.Flags().StringVar(&signKey, "sign-key", "", "re-sign edited tokens (e) with the private key in `PATH` (e asks which key when K made a session key too)")
	expect.Register(root.Flags())
	root.AddCommand(
		cli.NewDecodeCmd(),
		cli.NewVerifyCmd(),
		cli.NewGetCmd(),
		cli.NewTokenCmd(),
		cli.NewUserinfoCmd(),
		cli.NewIntrospectCmd(),
		cli.NewExchangeCmd(),
		cli.NewRevokeCmd(),
		cli.NewTenantsCmd(),
		cli.NewKeysCmd(),
		cli.NewMintCmd(),
		cli.NewDiffCmd(),
		cli.NewVersionCmd(),
	)
	root.SetVersionTemplate("tokenbench {{.Version}}\n")
	cli.Complete(root)
	return root
}

// expectGiven reports whether a policy or key flag was given: any flag but the ones that
// choose the token to open or the key to re-sign with.
func expectGiven(cmd *cobra.Command) bool {
	given := false
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Name != "file" && f.Name != "sign-key" {
			given = true
		}
	})
	return given
}
