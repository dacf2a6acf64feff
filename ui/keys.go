package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the workbench. The footer and the `?` full help are
// generated from it (ShortHelp, FullHelp); bindings that do not apply to the active screen
// are disabled by its page's keys (from forMain or forOther) and so vanish from the help as
// well as from matching.
type KeyMap struct {
	Prev, Next              key.Binding // select a token in the list (when it has the focus)
	LineUp, LineDown        key.Binding // scroll the token view (when it has the focus)
	PageUp, PageDown        key.Binding // page whichever pane has the focus
	Top, Bottom             key.Binding
	Focus                   key.Binding // move the focus between the list and the token view
	Explain, AllChecks      key.Binding // the token view: explanations, every check
	RawJSON                 key.Binding // the token view: header and payload as JSON
	Undo                    key.Binding // put back the token removed last
	Paste                   key.Binding // open the paste screen
	GetToken, NextGrant     key.Binding // the get-token screen and its grant choice
	Remove                  key.Binding
	CopyToken, CopyClaims   key.Binding
	CopyURL                 key.Binding // the PKCE login URL on the get-token screen
	FetchKeys, LoadJWKS     key.Binding // validation key sources, offered explicitly
	Expected                key.Binding // your API: the expected issuer, audiences, scopes
	Complete, SecretInput   key.Binding // keys screen: complete a path; type a masked secret
	Refresh, AutoRefresh    key.Binding // renew a tenant's token, now or at the margin
	Userinfo, Introspect    key.Binding // ask the token's tenant about it
	Confirm, Back           key.Binding // paste and input screens
	Tenants                 key.Binding // open the tenants screen
	NewTenant, EditTenant   key.Binding // tenants screen
	DeleteTenant, UseTenant key.Binding
	Edit, SessionKey        key.Binding // re-sign edited claims; make the session's key
	Mark, Diff              key.Binding // mark two tokens, compare them
	Save                    key.Binding // the fallback claims editor
	Help, Quit, ForceQuit   key.Binding
}

// DefaultKeyMap returns the workbench's bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Prev:         b([]string{"up", "k"}, "↑/k", "previous token"),
		Next:         b([]string{"down", "j"}, "↓/j", "next token"),
		LineUp:       b([]string{"up", "k"}, "↑/k", "scroll up"),
		LineDown:     b([]string{"down", "j"}, "↓/j", "scroll down"),
		PageUp:       b([]string{"pgup", "b"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown", "space", "f"}, "pgdn", "page down"),
		Top:          b([]string{"home", "g"}, "g", "top"),
		Bottom:       b([]string{"end", "G"}, "G", "bottom"),
		Focus:        b([]string{"tab"}, "tab", "focus list/token"),
		Explain:      b([]string{"E"}, "E", "explanations on/off"),
		AllChecks:    b([]string{"v"}, "v", "every check"),
		RawJSON:      b([]string{"J"}, "J", "raw JSON"),
		Undo:         b([]string{"U"}, "U", "undo remove"),
		Paste:        b([]string{"p"}, "p", "paste token"),
		Expected:     b([]string{"a"}, "a", "your API"),
		Remove:       b([]string{"x", "delete"}, "x", "remove token"),
		CopyToken:    b([]string{"c"}, "c", "copy token"),
		CopyClaims:   b([]string{"C"}, "C", "copy claims JSON"),
		CopyURL:      b([]string{"c"}, "c", "copy login URL"),
		FetchKeys:    b([]string{"F"}, "F", "fetch issuer keys"),
		LoadJWKS:     b([]string{"L"}, "L", "load keys file/URL"),
		Refresh:      b([]string{"r"}, "r", "refresh token"),
		AutoRefresh:  b([]string{"R"}, "R", "auto-refresh on/off"),
		Userinfo:     b([]string{"u"}, "u", "userinfo"),
		Introspect:   b([]string{"i"}, "i", "introspect"),
		Confirm:      b([]string{"enter"}, "enter", "add"),
		Complete:     b([]string{"tab"}, "tab", "complete path"),
		SecretInput:  b([]string{"ctrl+s"}, "ctrl+s", "secret / path"),
		Back:         b([]string{"esc"}, "esc", "back"),
		Tenants:      b([]string{"t"}, "t", "tenants"),
		GetToken:     b([]string{"T"}, "T", "get token"),
		NextGrant:    b([]string{"tab"}, "tab", "other grant"),
		NewTenant:    b([]string{"n"}, "n", "new tenant"),
		EditTenant:   b([]string{"e", "enter"}, "e", "edit tenant"),
		DeleteTenant: b([]string{"x", "delete"}, "x", "delete tenant"),
		UseTenant:    b([]string{"u"}, "u", "make default"),
		Edit:         b([]string{"e"}, "e", "edit & re-sign"),
		SessionKey:   b([]string{"K"}, "K", "new session key"),
		Mark:         b([]string{"m"}, "m", "mark for diff"),
		Diff:         b([]string{"d"}, "d", "diff marked"),
		Save:         b([]string{"ctrl+s"}, "ctrl+s", "re-sign"),
		Help:         b([]string{"?"}, "?", "help"),
		Quit:         b([]string{"q", "ctrl+c"}, "q", "quit"),
		ForceQuit:    b([]string{"ctrl+c"}, "ctrl+c", "quit"),
	}
}

// forMain returns the main screen's key map: the token list's and the token view's
// bindings, the keys that open the other screens, q and ?. The line keys select a token
// until forFocus gives the token view the focus.
func (k KeyMap) forMain() KeyMap {
	for _, b := range k.screenBindings() {
		b.SetEnabled(false)
	}
	k.LineUp.SetEnabled(false) // until the token view has the focus: see forFocus
	k.LineDown.SetEnabled(false)
	k.Confirm.SetEnabled(false)
	k.Back.SetEnabled(false)
	k.ForceQuit.SetEnabled(false) // on the main screen Quit holds ctrl+c too
	return k
}

// forOther returns the key map every other screen starts from: the main screen's bindings
// off, enter, esc and ctrl+c on. Text-entry screens give every printable key to the input,
// so q and ? are off there. A screen enables its own bindings on top (its page's keys).
func (k KeyMap) forOther() KeyMap {
	for _, b := range append(k.mainBindings(), k.screenBindings()...) {
		b.SetEnabled(false)
	}
	return k
}

// mainBindings is the bindings that act on the main screen only.
func (k *KeyMap) mainBindings() []*key.Binding {
	return []*key.Binding{&k.Prev, &k.Next, &k.LineUp, &k.LineDown, &k.PageUp, &k.PageDown,
		&k.Top, &k.Bottom, &k.Focus, &k.Explain, &k.AllChecks, &k.RawJSON, &k.Undo,
		&k.Paste, &k.Expected, &k.Remove, &k.CopyToken, &k.CopyClaims, &k.FetchKeys, &k.LoadJWKS,
		&k.Refresh, &k.AutoRefresh, &k.Userinfo, &k.Introspect, &k.Help, &k.Quit,
		&k.Edit, &k.SessionKey, &k.Mark, &k.Diff, &k.Tenants, &k.GetToken}
}

// screenBindings is the bindings that belong to one of the other screens; the screen's page
// enables those it uses.
func (k *KeyMap) screenBindings() []*key.Binding {
	return []*key.Binding{&k.NextGrant, &k.CopyURL, &k.Save, &k.Complete, &k.SecretInput,
		&k.NewTenant, &k.EditTenant, &k.DeleteTenant, &k.UseTenant}
}

// forFocus returns the main screen's key map for the pane with the focus: the line keys
// select a token in the list, or scroll the token view.
func (k KeyMap) forFocus(view bool) KeyMap {
	k.Prev.SetEnabled(!view)
	k.Next.SetEnabled(!view)
	k.LineUp.SetEnabled(view)
	k.LineDown.SetEnabled(view)
	if view {
		k.Focus.SetHelp("tab", "focus: list")
	} else {
		k.Focus.SetHelp("tab", "focus: token")
	}
	return k
}

// ShortHelp is the one-line footer, most wanted first: the footer drops bindings from the
// end of the list until it fits the width, except Help and Quit (see Model.chrome), which
// close it.
func (k KeyMap) ShortHelp() []key.Binding {
	return append(k.shortHelpHead(), k.shortHelpTail()...)
}

func (k KeyMap) shortHelpHead() []key.Binding {
	var head []key.Binding
	for _, b := range []key.Binding{k.Focus, k.Expected, k.Paste, k.GetToken, k.CopyToken, k.CopyURL, k.NextGrant, k.NewTenant, k.EditTenant, k.DeleteTenant, k.UseTenant,
		k.Save, k.Complete, k.SecretInput, k.Confirm, k.Undo, k.AllChecks, k.RawJSON, k.Explain} {
		if b.Enabled() {
			head = append(head, b)
		}
	}
	return head
}

// lineKeys enables ↑/k and ↓/j on a screen whose list they move, with what they move to.
func (k KeyMap) lineKeys(prev, next string) KeyMap {
	k.Prev.SetEnabled(true)
	k.Next.SetEnabled(true)
	k.Prev.SetHelp("↑/k", prev)
	k.Next.SetHelp("↓/j", next)
	return k
}

// shortHelpTail is what the footer never drops: the way back from a screen, help and quit.
func (k KeyMap) shortHelpTail() []key.Binding {
	return []key.Binding{k.Back, k.Help, k.Quit, k.ForceQuit}
}

// FullHelp is the `?` help, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Prev, k.Next, k.Paste, k.Remove, k.Undo, k.CopyToken, k.CopyClaims, k.Refresh, k.AutoRefresh,
			k.Edit, k.SessionKey, k.Mark, k.Diff, k.Save},
		{k.Focus, k.LineUp, k.LineDown, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Explain, k.AllChecks, k.RawJSON},
		{k.Expected, k.FetchKeys, k.LoadJWKS, k.Userinfo, k.Introspect, k.Tenants, k.GetToken, k.CopyURL, k.NextGrant, k.NewTenant, k.EditTenant, k.DeleteTenant, k.UseTenant,
			k.Confirm, k.Back, k.Help, k.Quit, k.ForceQuit},
	}
}
