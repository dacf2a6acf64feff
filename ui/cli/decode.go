package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
)

// NewDecodeCmd returns the `decode` command: what a token says, explained, with no trust
// implied.
func NewDecodeCmd() *cobra.Command {
	var (
		asJSON bool
		file   string
		nowStr string
	)
	cmd := &cobra.Command{
		Use:   "decode [TOKEN|-]",
		Short: "Decode and explain a token (nothing is verified)",
		Long: `Decode shows a token's header and claims with one-line explanations, its times in
UTC, local time and relative to now, and the findings that need no key (alg none,
untrusted embedded keys, missing exp, …). Nothing is verified: use 'verify' for that.

The token comes from the argument, '-' or a pipe on stdin, or --file. Surrounding
whitespace, quotes, 'Authorization:' and 'Bearer' are stripped; the token itself is
never repaired.

Exit status: 0 when the input is a token (JWS, JWE or opaque), 1 when it is not,
2 on usage or I/O errors.`,
		Example: `  tokenbench decode eyJhbGciOi...
  pbpaste | tokenbench decode
  tokenbench decode --json - < token.txt | jq .claims`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			if nowStr != "" {
				t, err := ParseTime(nowStr)
				if err != nil {
					return err
				}
				now = t
			}
			text, err := ReadTokenInput(args, file, cmd.InOrStdin(), stdinIsTTYFor(cmd))
			if err != nil {
				return err
			}
			doc := Decode(text, now, time.Local)
			// One write instead of one per tabwriter cell (about 120 system calls).
			out := bufio.NewWriter(cmd.OutOrStdout())
			if asJSON {
				err = WriteJSON(out, doc)
			} else {
				writeDecodeText(out, doc, outputWidth(out))
			}
			if err == nil {
				err = out.Flush()
			}
			if err != nil {
				return Fail(ExitUsage, "writing output: %v", err)
			}
			if doc.Kind == tokens.NotAToken {
				return Fail(ExitInvalid, "not a token: %s", doc.Reason)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON document instead of text")
	cmd.Flags().StringVar(&file, "file", "", "read the token from `PATH`")
	cmd.Flags().StringVar(&nowStr, "now", "", "compute relative times at `TIME` (RFC 3339 or Unix seconds) instead of now")
	return cmd
}

// stdinIsTTYFor reports whether the command reads a terminal: only the process's real
// stdin can be one; a reader set by a test never is.
func stdinIsTTYFor(cmd *cobra.Command) bool {
	return cmd.InOrStdin() == os.Stdin && StdinIsTTY()
}

// DecodeDoc is the `decode --json` document. Its shape is documented in the README and is
// stable: fields are only ever added.
type DecodeDoc struct {
	Kind        tokens.Kind    `json:"kind"`
	Reason      string         `json:"reason,omitempty"`
	Notes       []string       `json:"notes,omitempty"`
	Use         string         `json:"use,omitempty"`
	Header      []DecodedField `json:"header,omitempty"`
	Claims      []DecodedField `json:"claims,omitempty"`
	PayloadNote string         `json:"payload_note,omitempty"`
	Times       *DecodedTimes  `json:"times,omitempty"`
	Lints       []tokens.Lint  `json:"lints,omitempty"`
	Length      int            `json:"length"`
	Verified    bool           `json:"verified"`
	// Protected is the decoded protected header and Payload the decoded claims, each the
	// token's own JSON object (checked strict, reindented), so that scripts can read
	// `.payload.sub` without walking Claims. Payload is absent when the payload is not a
	// JSON object (PayloadNote says why) and for a JWE.
	Protected json.RawMessage `json:"protected,omitempty"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	// MintedLocally is set when the header says tokenbench minted the token
	// (tokens.MintedHeader): a test token, issued by no provider.
	MintedLocally bool `json:"minted_locally,omitempty"`

	loc       *time.Location // zone of the local times in text output
	mintedKid string         // the kid of a token minted locally
}

// DecodedField is one header parameter or claim in a DecodeDoc.
type DecodedField struct {
	tokens.Field
	Relative string `json:"relative,omitempty"`
}

// DecodedTimes is the validity window of a token at the moment of decoding.
type DecodedTimes struct {
	Now             time.Time          `json:"now"`
	State           tokens.ExpiryState `json:"state"`
	LifetimeSeconds int64              `json:"lifetime_seconds,omitempty"`
	UsedFraction    *float64           `json:"used_fraction,omitempty"`
	ExpiresIn       string             `json:"expires,omitempty"`
	ExpProblem      string             `json:"exp_problem,omitempty"` // why an exp claim gives no time
}

// Decode inspects and explains text at now; loc is the zone text output shows local
// times in (nil for UTC only).
func Decode(text string, now time.Time, loc *time.Location) *DecodeDoc {
	in := tokens.Inspect(text)
	doc := &DecodeDoc{Kind: in.Kind, Reason: in.Reason, Notes: in.Notes, Length: len(in.Token), loc: loc}
	if in.Parsed == nil {
		return doc
	}
	e := tokens.Explain(in.Parsed)
	doc.Use, doc.PayloadNote, doc.Lints = e.Use, e.PayloadNote, e.Lints
	doc.Protected = in.Parsed.HeaderJSON
	doc.mintedKid, doc.MintedLocally = in.Parsed.MintedLocally()
	if in.Parsed.Claims != nil {
		doc.Payload = in.Parsed.Payload
	}
	doc.Header = decodedFields(e.Header, now)
	doc.Claims = decodedFields(e.Claims, now)
	if in.Kind == tokens.JWS && in.Parsed.Claims != nil {
		t := &DecodedTimes{Now: now.UTC(), State: e.State(now)}
		if total, used, ok := e.Lifetime(now); ok {
			t.LifetimeSeconds = int64(total / time.Second)
			t.UsedFraction = &used
		}
		if e.Exp != nil {
			t.ExpiresIn = tokens.Relative(*e.Exp, now)
		}
		t.ExpProblem = e.ExpProblem()
		doc.Times = t
	}
	return doc
}

func decodedFields(fs []tokens.Field, now time.Time) []DecodedField {
	out := make([]DecodedField, len(fs))
	for i, f := range fs {
		out[i].Field = f
		if f.Time != nil {
			out[i].Relative = tokens.Relative(*f.Time, now)
		}
	}
	return out
}

// outputWidth is the width to wrap text output to: the terminal's when w is one, else 0,
// for no wrapping at all (a pipe or a file gets every value whole, on one line).
func outputWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0
	}
	cols, _, err := term.GetSize(f.Fd())
	if err != nil || cols < 20 {
		return 0
	}
	return cols
}

// writeDecodeText writes doc as text, wrapped to width cells (0: not wrapped).
func writeDecodeText(w io.Writer, doc *DecodeDoc, width int) {
	if doc.Kind == tokens.NotAToken {
		return // the reason goes to stderr as the command's error
	}
	title := doc.Kind.String()
	if doc.Use != "" {
		title += " · " + doc.Use
	}
	fmt.Fprintf(w, "%s · %d bytes\n", title, doc.Length)
	if doc.MintedLocally {
		writeWrapped(w, "", 2, mintedText(doc.mintedKid), width)
	}
	for _, n := range doc.Notes {
		fmt.Fprintf(w, "  (%s)\n", n)
	}
	if doc.Kind == tokens.Opaque {
		fmt.Fprintln(w, "\nAn opaque token has no structure to read: only its issuer can say what it means.")
		fmt.Fprintln(w, "Ask the provider with `tokenbench introspect` or `tokenbench userinfo`.")
		return
	}
	writeFields(w, "Header", doc.Header, doc.loc, width)
	if len(doc.Claims) > 0 {
		writeFields(w, "Claims", doc.Claims, doc.loc, width)
	}
	if doc.PayloadNote != "" {
		fmt.Fprintln(w)
		writeWrapped(w, "Payload: ", 9, tokens.SafeText(doc.PayloadNote), width)
	}
	if t := doc.Times; t != nil {
		line := fmt.Sprintf("Validity at %s: %s", tokens.FormatTime(t.Now, nil), t.State)
		if t.ExpProblem != "" {
			line += fmt.Sprintf(" (exp %s)", t.ExpProblem)
		}
		if t.ExpiresIn != "" {
			if t.State == tokens.Expired {
				line += fmt.Sprintf(" (expired %s)", t.ExpiresIn)
			} else {
				line += fmt.Sprintf(" (expires %s)", t.ExpiresIn)
			}
		}
		if t.UsedFraction != nil {
			line += fmt.Sprintf("; lifetime %s, %.0f%% used", tokens.HumanDuration(time.Duration(t.LifetimeSeconds)*time.Second), *t.UsedFraction*100)
		}
		fmt.Fprintln(w)
		writeWrapped(w, "", 0, line, width)
	}
	if len(doc.Lints) > 0 {
		fmt.Fprintln(w, "\nFindings")
		for _, l := range doc.Lints {
			writeWrapped(w, fmt.Sprintf("  %-6s ", l.Severity), 9, tokens.SafeText(l.Message), width)
		}
	}
	fmt.Fprintln(w)
	writeWrapped(w, "", 0, "Not verified: decode shows what the token says. Check it with `tokenbench verify`.", width)
}

// maxNameWidth is the widest name that sets the name column; a longer (namespaced) name
// pushes its own value along rather than widening the column for every claim.
const maxNameWidth = 16

// writeFields writes fields as a column of names beside their values, the time and the
// explanation under each value. Values are never cut: wrapped to width in a terminal,
// whole on one line otherwise (width 0).
func writeFields(w io.Writer, title string, fs []DecodedField, loc *time.Location, width int) {
	fmt.Fprintf(w, "\n%s\n", title)
	nameW := 3
	for _, f := range fs {
		if n := ansi.StringWidth(tokens.SafeText(f.Name)); n <= maxNameWidth {
			nameW = max(nameW, n)
		}
	}
	indent := strings.Repeat(" ", 2+nameW+2)
	for _, f := range fs {
		name := tokens.SafeText(f.Name)
		head := "  " + name + strings.Repeat(" ", max(nameW-ansi.StringWidth(name), 0)) + "  "
		if width > 0 && ansi.StringWidth(head)+20 > width { // no room beside a long name: under it
			writeWrapped(w, "  ", 2, name, width)
			head = indent
		}
		writeWrapped(w, head, ansi.StringWidth(head), f.Display(), width)
		switch {
		case f.Time != nil:
			writeWrapped(w, indent, len(indent), tokens.FormatTime(*f.Time, loc)+", "+f.Relative, width)
		case f.TimeProblem != "":
			writeWrapped(w, indent, len(indent), "! "+tokens.SafeText(f.Name+" "+f.TimeProblem), width)
		}
		if f.Explanation != "" {
			writeWrapped(w, indent, len(indent), tokens.SafeText(f.Explanation), width)
		}
	}
}

// writeWrapped writes head and text, wrapped to width cells (0: not at all) with the rows
// after the first indented by at cells.
func writeWrapped(w io.Writer, head string, at int, text string, width int) {
	for i, line := range wrap(text, width, at) {
		if i > 0 {
			head = strings.Repeat(" ", at)
		}
		fmt.Fprintf(w, "%s%s\n", head, line)
	}
}

// wrap breaks text into rows that fit width cells after an indent of at cells: at spaces,
// after a slash, or inside a word that is longer than a row. Nothing is dropped. With no
// width (not a terminal) the text stays one row.
func wrap(text string, width, at int) []string {
	room := width - at
	if width == 0 || room < 10 || ansi.StringWidth(text) <= room {
		return []string{text}
	}
	return strings.Split(ansi.Wrap(text, room, "/"), "\n")
}

// mintedText says a token is one tokenbench minted, as the workbench labels it.
func mintedText(kid string) string {
	s := "minted locally"
	if kid != "" {
		s += " · key " + tokens.SafeText(kid)
	}
	return s + " (a test token signed by tokenbench, issued by no provider)"
}
