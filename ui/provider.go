package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// providerCalls are what the token's tenant said about it: the userinfo profile and the
// introspection answer, and the call in flight.
type providerCalls struct {
	busy     string // "userinfo" or "introspection" while a call runs, else ""
	tenant   string // the tenant the last answer came from
	userinfo tokens.Object
	intro    *oauth.Introspection
}

// Which provider call a key asked for.
const (
	callUserinfo = "userinfo"
	callIntro    = "introspection"
)

// providerMsg carries the answer of a userinfo or introspection call for e.
type providerMsg struct {
	e      *entry
	call   string
	tenant string
	info   tokens.Object
	intro  *oauth.Introspection
	err    error
}

// callTenant is the saved tenant to ask about e: the one it was obtained from, else the
// one whose issuer the token names. It says what is needed when there is none.
func (m *Model) callTenant(e *entry) (string, error) {
	if e.from != nil {
		return e.from.tenant, nil
	}
	var iss string
	if e.in.Parsed != nil && e.in.Parsed.Claims != nil {
		iss, _ = e.in.Parsed.Claims.String("iss")
	}
	switch name, ok := m.tenants.match(iss, tokenClient(e)); {
	case ok:
		return name, nil
	case iss == "":
		return "", errors.New("this token names no issuer: only a token obtained from a saved tenant (T) can be sent to userinfo or introspection")
	default:
		return "", fmt.Errorf("the issuer %s is not a saved tenant: add it on the tenants screen (t) to call its userinfo or introspection", tokens.SafeText(iss))
	}
}

// callProvider starts a userinfo or introspection call for e in a command.
func (m *Model) callProvider(e *entry, call string) tea.Cmd {
	if e == nil {
		return errCmd(errNoToken)
	}
	name, err := m.callTenant(e)
	if err != nil {
		return errCmd(err)
	}
	if m.store == nil {
		return errCmd(m.storeErr)
	}
	if e.calls.busy != "" {
		return nil
	}
	e.calls.busy = call
	m.refreshView(e)
	ts, env, raw := m.store, m.grants, e.in.Token
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		msg := providerMsg{e: e, call: call, tenant: name}
		t, err := ts.Resolve(name)
		if err != nil {
			msg.err = err
			return msg
		}
		c, err := grantClient(ts, t, env)
		if err != nil {
			msg.err = err
			return msg
		}
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		if call == callUserinfo {
			msg.info, msg.err = c.Userinfo(ctx, raw)
		} else {
			msg.intro, msg.err = c.Introspect(ctx, raw, "")
		}
		return msg
	})
}

// providerAnswered stores an answer in its token and shows it; an error is one line in
// the status bar and the earlier answers stay.
func (m *Model) providerAnswered(msg providerMsg) {
	e := msg.e
	e.calls.busy = ""
	if msg.err != nil {
		m.status.fail(fmt.Errorf("%s at %s: %w", msg.call, msg.tenant, advise(msg.err, "")), m.now())
		m.refreshView(e)
		return
	}
	e.calls.tenant = msg.tenant
	if msg.call == callUserinfo {
		e.calls.userinfo = msg.info
	} else {
		e.calls.intro = msg.intro
	}
	m.status.set(fmt.Sprintf("%s answered by %s", msg.call, msg.tenant), m.now())
	m.refreshView(e)
}

// calling reports whether any provider call is in flight (the spinner runs then).
func (m *Model) calling() bool {
	for _, e := range m.list.entries {
		if e.calls.busy != "" {
			return true
		}
	}
	return false
}

// provider adds, at the top of the body, the section with the tenant's answers about e:
// the call in flight with the spinner, the introspection verdict and members, the
// userinfo profile. A tenant's token with no answer yet gets one row with the keys that
// ask (and refresh); other tokens get nothing until asked.
func (b *rowBuilder) provider(e *entry) {
	st := b.st
	c := &e.calls
	if c.busy == "" && c.userinfo == nil && c.intro == nil {
		if e.from != nil {
			key := func(k, what string) string { return st.Title.Render(k) + " " + st.Action.Render(what) }
			b.add(key("r", "refresh") + "  " + key("R", "auto-refresh") + "  " + key("u", "userinfo") + "  " + key("i", "introspect") +
				st.Muted.Render("  · tenant "+tokens.SafeText(e.from.tenant)))
			b.add("")
		}
		return
	}
	b.add(st.Section.Render("Provider") + st.Muted.Render(" (what the tenant says about this token)"))
	if c.busy != "" {
		busy := c.busy
		b.addDyn(func(f frame) any { return f.spinner }, func(f frame) string {
			return "  " + st.Title.Render(f.spinner) + " asking " + busy + "…"
		})
	}
	if in := c.intro; in != nil {
		verdict := st.Pass.Render("active")
		if !in.Active {
			verdict = st.Fail.Render("not active")
		}
		b.add("  introspection · " + verdict + st.Muted.Render(" per "+tokens.SafeText(c.tenant)))
		b.members(in.Claims, "active")
	}
	if c.userinfo != nil {
		b.add("  userinfo" + st.Muted.Render(fmt.Sprintf(" · %d claim(s) from %s", len(c.userinfo), tokens.SafeText(c.tenant))))
		b.members(c.userinfo, "")
	}
	b.add("")
}

// members adds one row per member of obj (except skip), its value shown as text.
func (b *rowBuilder) members(obj tokens.Object, skip string) {
	st := b.st
	nameW := 3
	for _, mb := range obj {
		nameW = min(max(nameW, len(mb.Name)), maxNameWidth)
	}
	for _, mb := range obj {
		if mb.Name == skip {
			continue
		}
		v := string(mb.Value)
		var s string
		if json.Unmarshal(mb.Value, &s) == nil {
			v = s
		}
		name := tokens.SafeText(mb.Name)
		b.add("    " + st.ClaimName.Render(fmt.Sprintf("%-*s", nameW, name)) + " " + st.Value.Render(tokens.SafeText(strings.Join(strings.Fields(v), " "))))
	}
}
