package cli

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
)

// NewDiffCmd returns the `diff` command: compare two tokens' headers and claims.
func NewDiffCmd() *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Compare two tokens' header and claims (a refreshed token against its predecessor)",
		Long: `diff compares the header and claims of two tokens, member by member, and prints
only what differs: added (+), removed (-) and changed (~) members, times as the
change ("exp +55m"). --all lists the equal members too (=). Either token may be '-'
for stdin (not both). Nothing is verified: both are read as they are.

Exit status: 0 compared (whether or not they differ); 1 one of them is not a token;
2 usage or I/O error.`,
		Example: `  tokenbench diff "$OLD" "$NEW"
  tokenbench get --tenant dev | tokenbench diff "$PREVIOUS" -
  tokenbench diff --json "$ACCESS" "$ID" | jq '.[] | select(.change != "same")'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "-" && args[1] == "-" {
				return Fail(ExitUsage, "only one of A and B can be '-' (stdin)")
			}
			var toks [2]*tokens.Token
			for i, a := range args {
				text, err := ReadTokenInput([]string{a}, "", cmd.InOrStdin(), false)
				if err != nil {
					return err
				}
				raw, _ := tokens.Normalize(text)
				tok, err := tokens.Parse(raw)
				if err != nil {
					return Fail(ExitInvalid, "%s is not a token: %s", "AB"[i:i+1], tokens.SafeText(err.Error()))
				}
				toks[i] = tok
			}
			diffs := tokens.Diff(toks[0], toks[1])
			if !all {
				kept := diffs[:0]
				for _, d := range diffs {
					if d.Change != tokens.Same {
						kept = append(kept, d)
					}
				}
				diffs = kept
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if diffs == nil {
					diffs = []tokens.Difference{}
				}
				return WriteJSON(out, diffs)
			}
			writeDiff(out, diffs)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "list equal members too")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the differences as JSON")
	return cmd
}

// diffMarks are the line marks of each kind of change.
var diffMarks = map[tokens.Change]string{tokens.Added: "+", tokens.Removed: "-", tokens.Changed: "~", tokens.Same: "="}

// writeDiff prints the differences grouped by part, names aligned, A's value on the left
// of B's. Every value passes through the safety filter.
func writeDiff(w io.Writer, diffs []tokens.Difference) {
	if len(diffs) == 0 {
		fmt.Fprintln(w, "no differences in header or claims")
		return
	}
	width := 0
	for _, d := range diffs {
		width = max(width, utf8.RuneCountInString(tokens.SafeText(d.Name)))
	}
	width = min(width, 24)
	part := ""
	for _, d := range diffs {
		if d.Part != part {
			part = d.Part
			fmt.Fprintln(w, part)
		}
		name := tokens.SafeText(d.Name)
		pad := max(0, width-utf8.RuneCountInString(name))
		line := fmt.Sprintf("  %s %s%*s  ", diffMarks[d.Change], name, pad, "")
		switch d.Change {
		case tokens.Added:
			line += diffValue(d.New)
		case tokens.Removed, tokens.Same:
			line += diffValue(d.Old)
		case tokens.Changed:
			if d.Delta != nil {
				line += signedDuration(*d.Delta) + "  (" + diffTime(d.Old) + " → " + diffTime(d.New) + ")"
			} else {
				line += diffValue(d.Old) + " → " + diffValue(d.New)
			}
		}
		fmt.Fprintln(w, line)
	}
}

// maxDiffValue caps a value on a diff line; --json has them whole.
const maxDiffValue = 160

func diffValue(raw []byte) string {
	s := tokens.SafeText(string(raw))
	if utf8.RuneCountInString(s) > maxDiffValue {
		r := []rune(s)
		s = string(r[:maxDiffValue-1]) + "…"
	}
	return s
}

// signedDuration renders a change of time as "+55m" or "-1h 2m".
func signedDuration(d time.Duration) string {
	if d < 0 {
		return "-" + tokens.HumanDuration(d)
	}
	return "+" + tokens.HumanDuration(d)
}

// diffTime renders a NumericDate as absolute UTC.
func diffTime(raw []byte) string {
	t, err := tokens.NumericDate(raw)
	if err != nil {
		return diffValue(raw)
	}
	return tokens.FormatTime(t, nil)
}
