package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
)

// prefsLoadedMsg carries the display choices the workbench remembered from an earlier run.
type prefsLoadedMsg struct{ prefs store.Prefs }

// loadPrefs reads the workbench prefs kept beside the config file; nothing without one.
func loadPrefs(ts *store.Tenants) tea.Cmd {
	if ts == nil || ts.Path == "" {
		return nil
	}
	return func() tea.Msg {
		p, err := store.LoadPrefs(store.PrefsPath(ts.Path))
		if err != nil {
			return errMsg{fmt.Errorf("workbench prefs not read, the defaults apply: %w", err)}
		}
		return prefsLoadedMsg{p}
	}
}

// savePrefs remembers p for the next run; a failure is one line in the status bar and
// the choice still holds for this session.
func savePrefs(ts *store.Tenants, p store.Prefs) tea.Cmd {
	if ts == nil || ts.Path == "" {
		return nil
	}
	return func() tea.Msg {
		if err := store.SavePrefs(store.PrefsPath(ts.Path), p); err != nil {
			return errMsg{fmt.Errorf("%s for this session only: %w", onOff("explanations", !p.HideExplanations), err)}
		}
		return nil
	}
}

// applyPrefs takes the remembered choices, unless the user already chose in this run
// before they were read.
func (s *mainScreen) applyPrefs(p store.Prefs) {
	if s.explainChosen || s.mode.hideExplain == p.HideExplanations {
		return
	}
	s.mode.hideExplain = p.HideExplanations
	s.view.setMode(s.mode)
}
