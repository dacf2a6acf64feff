package cli

import "github.com/spf13/cobra"

// NewTenantsCmd returns the `tenants` command. Placeholder until its issue lands.
func NewTenantsCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "tenants",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return Fail(ExitUsage, "'tenants' is not built yet")
		},
	}
}
