package tokens

import "strings"

// SafeText returns s with every character that could act on a terminal or hide what it
// shows replaced by U+FFFD: C0 and C1 control characters (ESC among them, so no cursor
// moves or colours), DEL, line and paragraph separators, and the Unicode bidirectional
// controls that reorder displayed text. Everything in a token is chosen by whoever made
// it, so every string shown from a token passes through here; JSON output needs no such
// care because the encoder escapes these characters.
func SafeText(s string) string {
	for _, r := range s {
		if UnsafeRune(r) {
			return strings.Map(safeRune, s)
		}
	}
	return s
}

func safeRune(r rune) rune {
	if UnsafeRune(r) {
		return '\uFFFD'
	}
	return r
}

// UnsafeRune reports whether SafeText replaces r.
func UnsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x200e && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x061c:
		return true // bidirectional marks, embeddings, overrides and isolates
	}
	return false
}
