package cli

import "github.com/spf13/cobra"

// NewIntrospectCmd returns the `introspect` command. Placeholder until its issue lands.
func NewIntrospectCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "introspect",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return Fail(ExitUsage, "'introspect' is not built yet")
		},
	}
}
