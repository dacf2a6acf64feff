package ui

import (
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

// view renders the line; it is styled again only when the message or width changes.
func (s *statusBar) view(st Styles, width int) string {
	if s.text == "" {
		return ""
	}
	if s.shown.key != width || s.shown.text == "" {
		style, prefix := st.StatusBar, ""
		if s.isErr {
			style, prefix = st.StatusError, "✗ "
		}
		s.shown = memo[int]{key: width, text: ansi.Truncate(style.Render(prefix+tokens.SafeText(s.text)), width, "…")}
	}
	return s.shown.text
}
