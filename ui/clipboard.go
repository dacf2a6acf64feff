package ui

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// copyCmd copies text two ways at once: OSC52 through the terminal (works over SSH and in
// tmux with set-clipboard on) and the native clipboard through write, in a command since
// the native path may run a helper program. The result comes back as a copiedMsg.
func copyCmd(what, text string, write func(string) error) tea.Cmd {
	return tea.Batch(
		tea.SetClipboard(text),
		func() tea.Msg { return copiedMsg{what: what, nativeErr: write(text)} },
	)
}

// copiedText is the status line for a finished copy.
func copiedText(msg copiedMsg) string {
	if msg.nativeErr != nil {
		return "copied " + msg.what + " via OSC52 (native clipboard unavailable: " + oneLine(msg.nativeErr.Error()) + ")"
	}
	return "copied " + msg.what + " to the clipboard (OSC52 and native)"
}

// errNoToken is reported when a key needs a selected token and the list is empty.
var errNoToken = errors.New("no token selected: press p to paste one")

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
