package cli

import "github.com/spf13/cobra"

// NewUserinfoCmd returns the `userinfo` command. Placeholder until its issue lands.
func NewUserinfoCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "userinfo",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return Fail(ExitUsage, "'userinfo' is not built yet")
		},
	}
}
