package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// refreshMargin is how long before its expiry a tenant's token is due for a refresh:
// the list and the view mark it, and auto-refresh replaces it (as `tokenbench token`
// does with its default --margin).
const refreshMargin = oauth.DefaultRefreshMargin

// tenantToken ties a token of the list to the saved tenant it was obtained from.
type tenantToken struct {
	tenant string
	kind   string // "access" or "id": which token of the set this entry shows
	set    *oauth.TokenSet
}

const (
	kindAccess = "access"
	kindID     = "id"
)

// refreshedMsg ends the refresh of tenant's tokens: the obtained set (already stored in
// the keyring unless saveErr says otherwise) or why there is none. auto says the tick
// started it.
type refreshedMsg struct {
	tenant  string
	auto    bool
	prev    *oauth.TokenSet // the stored set the refresh replaced, if there was one
	ts      *oauth.TokenSet
	err     error
	saveErr error
}

// margin is how long before expiry the set is due for a refresh: refreshMargin, or half
// the token's lifetime when that is shorter, so that a token issued for five minutes is
// not due (and auto-refreshed every second) from the moment it arrives.
func (t *tenantToken) margin() time.Duration {
	return t.set.RefreshMargin(refreshMargin)
}

// dueForRefresh reports whether e is a tenant's token inside the refresh margin at now.
func (e *entry) dueForRefresh(now time.Time) bool {
	return e.from != nil && e.from.set.NeedsRefresh(now, e.from.margin())
}

// refreshNote is the marker the list and the view show for a token due for refresh, or
// with auto-refresh on; "" for other tokens.
func (e *entry) refreshNote(now time.Time) string {
	switch {
	case e.from == nil:
		return ""
	case e.dueForRefresh(now) && e.auto:
		return "↻ refresh due · auto"
	case e.dueForRefresh(now):
		return "↻ refresh due (r)"
	case e.auto:
		return "auto-refresh on"
	}
	return ""
}

// startRefresh starts one refresh of e's tenant tokens unless one is already running.
func (m *Model) startRefresh(e *entry, auto bool) tea.Cmd {
	switch {
	case e == nil:
		return errCmd(errNoToken)
	case e.from == nil:
		return errCmd(errors.New("only tokens obtained from a saved tenant (T) can be refreshed; this one was not"))
	case m.store == nil:
		return errCmd(m.storeErr)
	case m.refreshing[e.from.tenant]:
		if !auto {
			m.status.set("the tokens of "+e.from.tenant+" are being refreshed already", m.now())
		}
		return nil
	}
	name := e.from.tenant
	if m.refreshing == nil {
		m.refreshing = map[string]bool{}
	}
	m.refreshing[name] = true
	m.status.set("refreshing the tokens of "+name+"…", m.now())
	ts, env, clock := m.store, m.grants, m.now
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		msg := refreshedMsg{tenant: name, auto: auto}
		t, err := ts.Resolve(name)
		if err != nil {
			msg.err = err
			return msg
		}
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		// The tenant session refreshes (or obtains by client credentials again) under the
		// tenant's lock and stores the rotated refresh token before it returns. r always
		// renews; the tick only a token still due once the lock is taken.
		out, err := tenantSession(env, ts, t, clock).Renew(ctx, store.Policy{Margin: refreshMargin, Force: !auto, ClientCredentials: true})
		var np *store.NeedsPersonError
		switch {
		case errors.As(err, &np):
			msg.err = fmt.Errorf("tenant %q has no stored refresh token and needs a person: get a new token with T (grant %s)", t.Name, defaultGrant(t))
		case err != nil:
			msg.err = err
		case out.RenewErr != nil:
			msg.err = out.RenewErr
		default:
			msg.prev, msg.ts, msg.saveErr = out.Prev, out.Set, out.StoreErr
		}
		return msg
	})
}

// toggleAuto switches auto-refresh of e on or off.
func (m *Model) toggleAuto(e *entry) tea.Cmd {
	switch {
	case e == nil:
		return errCmd(errNoToken)
	case e.from == nil:
		return errCmd(errors.New("auto-refresh is for tokens obtained from a saved tenant (T); this one was not"))
	}
	e.auto = !e.auto
	if e.auto {
		m.status.set(fmt.Sprintf("auto-refresh on for %s: refreshed when %s from expiry", e.label, tokens.HumanDuration(e.from.margin())), m.now())
	} else {
		m.status.set("auto-refresh off for "+e.label, m.now())
	}
	m.refreshView(e)
	return m.autoRefresh()
}

// autoRefresh starts a refresh for every tenant with an auto-refresh token inside the
// margin, one per tenant: a tenant whose refresh is running is left alone.
func (m *Model) autoRefresh() tea.Cmd {
	now := m.now()
	var cmds []tea.Cmd
	for _, e := range m.list.entries {
		if e.auto && e.dueForRefresh(now) && !m.refreshing[e.from.tenant] {
			cmds = append(cmds, m.startRefresh(e, true))
		}
	}
	return tea.Batch(cmds...)
}

// refreshed puts a refreshed token set in place of the tenant's current tokens in the list
// (see replacedByRefresh), each keeping its label and auto-refresh, and validates them
// again with their tenant's keys (fetched anew through the key cache, so that a new kid is
// found). A failure is one
// line in the status bar; it turns auto-refresh off for the tenant, so that the tick does
// not ask the provider again every second.
func (m *Model) refreshed(msg refreshedMsg) tea.Cmd {
	delete(m.refreshing, msg.tenant)
	if msg.err != nil {
		what := "could not refresh " + msg.tenant
		if msg.auto {
			what += " (auto-refresh turned off)"
			for _, e := range m.list.entries {
				if e.from != nil && e.from.tenant == msg.tenant && e.auto {
					e.auto = false
					m.refreshView(e)
				}
			}
		}
		m.status.fail(fmt.Errorf("%s: %w", what, advise(msg.err, oauth.GrantRefresh)), m.now())
		return nil
	}
	var cmds []tea.Cmd
	sel := m.list.selected()
	replace := m.replacedByRefresh(msg)
	for i, old := range m.list.entries {
		if !replace[old] {
			continue
		}
		raw := msg.ts.AccessToken
		if old.from.kind == kindID {
			raw = msg.ts.IDToken
		}
		if raw == "" { // no new ID token: the old one stays, timed by the new set
			old.from = &tenantToken{tenant: msg.tenant, kind: old.from.kind, set: msg.ts}
			continue
		}
		e, err := newEntry(tokens.Inspect(raw))
		if err != nil {
			continue
		}
		e.label = old.label
		e.from = &tenantToken{tenant: msg.tenant, kind: old.from.kind, set: msg.ts}
		e.auto = old.auto
		m.list.entries[i] = e
		cmds = append(cmds, m.revalidate(e))
		if old == sel {
			sel = nil // the selection moved to the new token: rebuild the view
		}
	}
	if sel == nil {
		m.selectionChanged()
	}
	cmds = append(cmds, m.autoFetch()) // for tokens that had no keys yet
	text := fmt.Sprintf("refreshed the tokens of %s (%s), stored in the keyring", msg.tenant, msg.ts.Grant)
	m.status.set(text, m.now())
	if msg.saveErr != nil {
		m.status.fail(fmt.Errorf("refreshed %s but could not store the new tokens: %w", msg.tenant, msg.saveErr), m.now())
	}
	return tea.Batch(cmds...)
}

// replacedByRefresh picks the list entries a refreshed set replaces: those showing the
// stored set the refresh started from. Entries of the tenant's earlier sets stay as they
// were, so a tenant fetched twice keeps two different tokens rather than two copies of
// the new one. When none shows that set (another process stored it), the newest entry of
// each kind (access, ID) is replaced.
func (m *Model) replacedByRefresh(msg refreshedMsg) map[*entry]bool {
	replace := map[*entry]bool{}
	newest := map[string]*entry{}
	for _, e := range m.list.entries {
		if e.from == nil || e.from.tenant != msg.tenant {
			continue
		}
		newest[e.from.kind] = e
		if msg.prev != nil && e.from.set.AccessToken == msg.prev.AccessToken {
			replace[e] = true
		}
	}
	if len(replace) == 0 {
		for _, e := range newest {
			replace[e] = true
		}
	}
	return replace
}

// refreshRunning reports whether any refresh is in flight (the spinner runs then).
func (m *Model) refreshRunning() bool { return len(m.refreshing) > 0 }
