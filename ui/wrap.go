package ui

import (
	"io"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Prose a user must read — verdicts, reasons, hints, errors — is wrapped to the width in
// full, never cut with "…": the end of a sentence is often the part that matters ("…
// expected https://api.shop.test/", "press a to set your API"). Only lists and tables
// whose rows are labels (the token list, the tenants table) are cut to fit.

// wrapRow wraps a styled row to width cells in full, keeping its styles on every row:
// the first row as it starts, the others after indent blanks. It breaks at spaces and
// hyphens; a word longer than a row (a URL, a path) is broken after a slash where it can,
// else where it must. A row that fits is returned as it is.
func wrapRow(s string, width, indent int) []string {
	if ansi.StringWidth(s) <= width || width < 1 {
		return []string{s}
	}
	indent = min(max(indent, 0), width/2) // leave the text room on narrow screens
	w := max(width-indent, 1)
	// Wordwrap breaks after every hyphen; a date or a host name (2026-12-03, dev-abc) reads
	// better moved whole to the next row. The hyphens are held as a character the row does
	// not use while the row is broken at spaces, and put back before a word longer than a
	// row is broken (where a hyphen is a fine place).
	held := s
	hold := holdRune(s)
	if hold != "" {
		held = strings.ReplaceAll(s, "-", hold)
	}
	var lines []string
	for _, l := range strings.Split(ansi.Wordwrap(held, w, ""), "\n") {
		if hold != "" {
			l = strings.ReplaceAll(l, hold, "-")
		}
		if ansi.StringWidth(l) > w {
			l = ansi.Wrap(l, w, "/")
		}
		for _, part := range strings.Split(l, "\n") {
			if ansi.StringWidth(part) > w {
				// Wordwrap and Wrap let a row end one cell over the limit with a hyphen:
				// one cell less makes room for it.
				part = ansi.Wrap(part, max(w-1, 1), "/")
			}
			for _, p := range strings.Split(part, "\n") {
				if ansi.StringWidth(p) > w {
					p = ansi.Hardwrap(p, w, true)
				}
				lines = append(lines, strings.Split(p, "\n")...)
			}
		}
	}
	// Each row is styled on its own: the styles open on one row are opened again on the next.
	var buf strings.Builder
	ww := lipgloss.NewWrapWriter(&buf)
	_, _ = io.WriteString(ww, strings.Join(lines, "\n"))
	_ = ww.Close()
	lines = strings.Split(buf.String(), "\n")
	pad := strings.Repeat(" ", indent)
	for i := 1; i < len(lines); i++ {
		lines[i] = pad + lines[i]
	}
	return lines
}

// holdRune is a one-cell character s does not contain, to hold its hyphens in while it is
// wrapped, or "" when it contains every candidate.
func holdRune(s string) string {
	for _, r := range []string{"¬", "¤", "¦", "§"} {
		if !strings.Contains(s, r) {
			return r
		}
	}
	return ""
}

// leadingBlanks is how many blanks a styled row starts with: its continuation rows line
// up under its text.
func leadingBlanks(s string) int {
	plain := ansi.Strip(s)
	return len(plain) - len(strings.TrimLeft(plain, " "))
}

// fitRows is a full-width screen's body: every row wrapped to width in full (its
// continuation rows under its own text), then exactly height rows — padded, or cut at
// the foot when the screen is too short for all of them.
func fitRows(rows []string, width, height int) string {
	out := make([]string, 0, max(height, len(rows)))
	for _, r := range rows {
		out = append(out, wrapRow(r, width, leadingBlanks(r))...)
	}
	for len(out) < height {
		out = append(out, "")
	}
	return strings.Join(out[:max(height, 0)], "\n")
}
