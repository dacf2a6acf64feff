package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// Version returns tokenbench's version in one line: the module version ("(devel)" for a
// build from a checkout), the VCS revision and time it was built from (with "modified"
// when the tree had changes), and the Go version.
func Version() string {
	return version(debug.ReadBuildInfo())
}

func version(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "unknown (no build information) " + runtime.Version()
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += fmt.Sprintf(" (revision %s", rev)
		if when != "" {
			v += " of " + when
		}
		v += modified + ")"
	}
	return v + " " + bi.GoVersion
}

// NewVersionCmd returns the `version` command, which prints what --version prints.
func NewVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tokenbench's version and the revision it was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "tokenbench "+Version())
			return err
		},
	}
}

// aWord reports whether s looks like a mistyped command and no token does: a short
// lowercase word (a letter, then up to 23 letters or hyphens). It is a loop, not a
// regexp, because a package-level regexp is compiled at every start of every command.
func aWord(s string) bool {
	if s == "" || len(s) > 24 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// RootArgs is the root command's Args: at most one TOKEN. A first argument that is a
// short lowercase word is taken for a mistyped command, not a token, and refused with
// cobra's suggestions ("tokenbench verfy $TOKEN" → "did you mean verify?"); a real
// token, JWT or opaque, is never such a word.
func RootArgs(cmd *cobra.Command, args []string) error {
	if len(args) >= 1 && aWord(args[0]) {
		return unknownCommand(cmd, args[0])
	}
	return cobra.MaximumNArgs(1)(cmd, args)
}

// NoArgsOrSubcommand is the Args of a command that has subcommands and takes no
// arguments of its own: an argument is a mistyped subcommand, refused with cobra's
// suggestions ("tokenbench tenants lst" → "did you mean list?"), which cobra.NoArgs omits.
func NoArgsOrSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	return nil
}

// unknownCommand refuses word as a subcommand of cmd, naming the ones it may have meant.
func unknownCommand(cmd *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q for %q", word, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, which SuggestionsFor does not apply
	}
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		msg += ". Did you mean " + strings.Join(s, " or ") + "?"
	} else {
		msg += fmt.Sprintf(". See '%s --help' for the commands", cmd.CommandPath())
	}
	return Fail(ExitUsage, "%s", msg)
}

// Complete gives root's command tree shell completion of tenant names (--tenant, and the
// argument of tenants show, edit, rm and use), grants, signature algorithms, token
// profiles and client authentication methods. cobra's own `completion` command writes
// the bash, zsh, fish and PowerShell scripts that call it.
func Complete(root *cobra.Command) {
	fixed := map[string][]string{
		"grant":       grantNamesList(),
		"alg":         tokens.SignatureAlgorithms,
		"profile":     {"rfc9068"},
		"auth-method": {string(oauth.AuthSecretBasic), string(oauth.AuthSecretPost)},
	}
	// cobra adds its `completion` command at Execute; made now, it can be given what the
	// other parent commands have: it runs (printing its help) instead of being skipped
	// by cobra as not runnable, so that an unknown shell is refused with exit 2 rather
	// than answered with the help and exit 0.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Args = NoArgsOrSubcommand
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("tenant") != nil {
			_ = c.RegisterFlagCompletionFunc("tenant", completeTenants)
		}
		for name, values := range fixed {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
			}
		}
		if c.HasParent() && c.Parent().Name() == "tenants" {
			switch c.Name() {
			case "show", "edit", "rm", "use":
				c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
					if len(args) > 0 {
						return nil, cobra.ShellCompDirectiveNoFileComp
					}
					return completeTenants(cmd, args, toComplete)
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func grantNamesList() []string {
	out := make([]string, len(oauth.Grants))
	for i, g := range oauth.Grants {
		out[i] = string(g)
	}
	return out
}

// completeTenants offers the names of the saved tenants in the config file the command
// line names (--config), else the default one.
func completeTenants(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	config, _ := cmd.Flags().GetString("config")
	path, err := store.ConfigPath(config)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, err := store.Load(path)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for name := range c.Tenants {
		if strings.HasPrefix(name, toComplete) {
			names = append(names, name)
		}
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
