package ui

import (
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// The workbench's messages. Commands return them; only Update reads them.
type (
	// tickMsg is the app's one clock tick, once a second: countdowns, relative times and
	// time checks are recomputed from the clock when the view renders after it.
	tickMsg time.Time

	// errMsg carries any error of a command to the status bar. It is the only error message.
	errMsg struct{ err error }

	// addTokenMsg asks the root model to add a token read on the paste screen.
	addTokenMsg struct{ in tokens.Inspection }

	// closeScreenMsg asks the root model to go back to the main screen.
	closeScreenMsg struct{}

	// copiedMsg reports a copy: what was copied, and the native clipboard's error if the
	// native fallback failed (OSC52 was sent either way).
	copiedMsg struct {
		what      string
		nativeErr error
	}
)

func (e errMsg) Error() string { return e.err.Error() }
