package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// statusTTL is how long a status message stays up; the app's tick clears it.
const statusTTL = 8 * time.Second

// statusBar is the always-on line above the help footer: what just happened (copied,
// added, removed) or the last error.
type statusBar struct {
	text  string
	isErr bool
	at    time.Time
	shown memo[int] // the styled line, for the width it was cut to
}

func (s *statusBar) set(text string, now time.Time) { *s = statusBar{text: text, at: now} }

func (s *statusBar) fail(err error, now time.Time) {
	*s = statusBar{text: oneLine(err.Error()), isErr: true, at: now}
}

// expire clears a message that has been up for statusTTL.
func (s *statusBar) expire(now time.Time) {
	if s.text != "" && now.Sub(s.at) >= statusTTL {
		*s = statusBar{}
	}
}

// maxStatusRows bounds how many rows a long status message wraps to; the body gives
// them up while it is shown.
const maxStatusRows = 6

// rows returns the message wrapped at width, at most maxStatusRows rows (the last one
// cut only when even that is not enough): an error's cause often comes last, after a
// long URL, and must not be cut off.
func (s *statusBar) rows(width int) []string {
	if s.text == "" {
		return []string{""}
	}
	prefix := ""
	if s.isErr {
		prefix = "✗ "
	}
	lines := wrapRow(prefix+tokens.SafeText(s.text), max(width, 10), len([]rune(prefix)))
	if len(lines) > maxStatusRows {
		lines = lines[:maxStatusRows]
		lines[maxStatusRows-1] = ansi.Truncate(lines[maxStatusRows-1]+" …", width, "…")
	}
	return lines
}

// height is how many rows the status takes at width: one, or more for a long message.
func (s *statusBar) height(width int) int { return len(s.rows(width)) }

// view renders the status rows; they are styled again only when the message or width
// changes.
func (s *statusBar) view(st Styles, width int) string {
	if s.text == "" {
		return ""
	}
	if s.shown.key != width || s.shown.text == "" {
		style := st.StatusBar
		if s.isErr {
			style = st.StatusError
		}
		rows := s.rows(width)
		for i, r := range rows {
			rows[i] = ansi.Truncate(style.Render(r), width, "…")
		}
		s.shown = memo[int]{key: width, text: strings.Join(rows, "\n")}
	}
	return s.shown.text
}
