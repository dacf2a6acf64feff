package cli

import "github.com/spf13/cobra"

// NewGetCmd returns the `get` command. Placeholder until its issue lands.
func NewGetCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "get",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return Fail(ExitUsage, "'get' is not built yet")
		},
	}
}
