package cli

import (
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
)

// outputWidth is the width to wrap text output to: the terminal's when w is one, else 0,
// meaning lines are written whole, so that a pipe or file gets every value uncut.
func outputWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0
	}
	width, _, err := term.GetSize(f.Fd())
	if err != nil || width < 20 {
		return 0
	}
	return width
}

// wrapHanging wraps line to width, breaking at spaces where it can and inside long
// values (URLs, IDs) where it must, and indents the continuation rows by indent columns so
// that they stay under the column they continue. width 0 returns line as it is.
func wrapHanging(line string, width, indent int) string {
	if width <= 0 || ansi.StringWidth(line) <= width {
		return line
	}
	indent = min(indent, width/2)
	var b strings.Builder
	rest, limit := line, width
	for ansi.StringWidth(rest) > limit {
		row, _, _ := strings.Cut(ansi.Wrap(rest, limit, ""), "\n")
		if row == "" || !strings.HasPrefix(rest, row) {
			break // not a plain prefix: write the rest whole rather than change a value
		}
		b.WriteString(row)
		b.WriteString("\n")
		b.WriteString(strings.Repeat(" ", indent))
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, row), " ")
		limit = width - indent
	}
	b.WriteString(rest)
	return b.String()
}
