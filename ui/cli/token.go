package cli

import "github.com/spf13/cobra"

// NewTokenCmd returns the `token` command. Placeholder until its issue lands.
func NewTokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "token",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return Fail(ExitUsage, "'token' is not built yet")
		},
	}
}
