package cli

import "github.com/spf13/cobra"

// NewVerifyCmd returns the `verify` command. Placeholder until its issue lands.
func NewVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "verify",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return Fail(ExitUsage, "'verify' is not built yet")
		},
	}
}
