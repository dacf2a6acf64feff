package ui

import (
	"errors"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// cachedTokensMsg carries the token sets the saved tenants have cached in the keyring,
// newest first, read at start-up; err says why the keyring could not be read.
type cachedTokensMsg struct {
	sets []*oauth.TokenSet
	err  error
}

// loadCached reads every saved tenant's cached tokens in a command, so that the workbench
// opens on the user's own tokens: start-up never waits for the keyring.
func (m *Model) loadCached() tea.Cmd {
	ts := m.store
	if ts == nil {
		return nil
	}
	return func() tea.Msg {
		cfg, err := ts.Load()
		if err != nil {
			return nil // loadTenantIssuers says why, once
		}
		var msg cachedTokensMsg
		for _, name := range cfg.Names() {
			set, err := ts.Secrets.LoadTokenSet(name)
			if errors.Is(err, store.ErrKeyringUnavailable) {
				msg.err = err // every other tenant would fail the same way
				break
			}
			if set == nil || set.AccessToken == "" && set.IDToken == "" {
				continue // nothing cached, or a refresh token alone
			}
			set.Tenant = name
			msg.sets = append(msg.sets, set)
		}
		slices.SortStableFunc(msg.sets, func(a, b *oauth.TokenSet) int { return b.ObtainedAt.Compare(a.ObtainedAt) })
		return msg
	}
}

// cachedArrived adds the cached tokens to the list, newest first, the access token of each
// set before its ID token, and validates them. When the workbench opened on the built-in
// example alone, they take its place and the newest is selected; otherwise the selection
// stays where the user put it.
func (m *Model) cachedArrived(msg cachedTokensMsg) tea.Cmd {
	if msg.err != nil && len(msg.sets) == 0 {
		m.status.fail(fmt.Errorf("cached tokens of saved tenants not read: %w", msg.err), m.now())
		return nil
	}
	if len(msg.sets) == 0 {
		return nil
	}
	prev := m.list.selected()
	onExample := len(m.list.entries) == 1 && m.list.entries[0].example
	if onExample {
		m.list.entries, prev = nil, nil
	}
	first := len(m.list.entries)
	var cmds []tea.Cmd
	n := 0
	for _, set := range msg.sets {
		for _, tk := range []struct{ kind, raw string }{{kindAccess, set.AccessToken}, {kindID, set.IDToken}} {
			if tk.raw == "" {
				continue
			}
			e, err := newEntry(tokens.Inspect(tk.raw))
			if err != nil {
				continue
			}
			e.from = &tenantToken{tenant: set.Tenant, kind: tk.kind, set: set}
			m.list.add(e, set.Tenant)
			cmds = append(cmds, m.revalidate(e))
			n++
		}
	}
	m.list.sel = min(first, max(len(m.list.entries)-1, 0))
	if i := slices.Index(m.list.entries, prev); i >= 0 {
		m.list.sel = i
	}
	m.selectionChanged()
	m.status.set(fmt.Sprintf("opened %d cached token(s) of saved tenants, newest first", n), m.now())
	return tea.Batch(append(cmds, m.autoFetch())...)
}
