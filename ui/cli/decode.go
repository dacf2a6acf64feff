package cli

import "github.com/spf13/cobra"

// NewDecodeCmd returns the `decode` command.
func NewDecodeCmd() *cobra.Command {
	return &cobra.Command{Use: "decode [TOKEN|-]", RunE: func(*cobra.Command, []string) error { return Fail(ExitUsage, "not built yet") }}
}
