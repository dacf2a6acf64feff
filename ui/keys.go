package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the workbench. The footer and the `?` full help are
// generated from it (ShortHelp, FullHelp); bindings that do not apply to the active screen
// are disabled by forScreen and so vanish from the help as well as from matching.
type KeyMap struct {
	Prev, Next              key.Binding // select a token in the list
	LineUp, LineDown        key.Binding // scroll the token view
	PageUp, PageDown        key.Binding
	Top, Bottom             key.Binding
	Paste                   key.Binding // open the paste screen
	GetToken, NextGrant     key.Binding // the get-token screen and its grant choice
	Remove                  key.Binding
	CopyToken, CopyClaims   key.Binding
	CopyURL                 key.Binding // the PKCE login URL on the get-token screen
	FetchKeys, LoadJWKS     key.Binding // validation key sources, offered explicitly
	Refresh, AutoRefresh    key.Binding // renew a tenant's token, now or at the margin
	Userinfo, Introspect    key.Binding // ask the token's tenant about it
	Confirm, Back           key.Binding // paste and input screens
	Tenants                 key.Binding // open the tenants screen
	NewTenant, EditTenant   key.Binding // tenants screen
	DeleteTenant, UseTenant key.Binding
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
		LineUp:       b([]string{"shift+up", "K"}, "K", "scroll up"),
		LineDown:     b([]string{"shift+down", "J"}, "J", "scroll down"),
		PageUp:       b([]string{"pgup", "b"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown", "space", "f"}, "pgdn", "page down"),
		Top:          b([]string{"home", "g"}, "g", "top"),
		Bottom:       b([]string{"end", "G"}, "G", "bottom"),
		Paste:        b([]string{"p", "a"}, "p", "paste token"),
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
		Back:         b([]string{"esc"}, "esc", "back"),
		Tenants:      b([]string{"t"}, "t", "tenants"),
		GetToken:     b([]string{"T"}, "T", "get token"),
		NextGrant:    b([]string{"tab"}, "tab", "other grant"),
		NewTenant:    b([]string{"n"}, "n", "new tenant"),
		EditTenant:   b([]string{"e", "enter"}, "e", "edit tenant"),
		DeleteTenant: b([]string{"x", "delete"}, "x", "delete tenant"),
		UseTenant:    b([]string{"u"}, "u", "make default"),
		Help:         b([]string{"?"}, "?", "more keys"),
		Quit:         b([]string{"q", "ctrl+c"}, "q", "quit"),
		ForceQuit:    b([]string{"ctrl+c"}, "ctrl+c", "quit"),
	}
}

// forScreen returns the key map with only the bindings that act on screen enabled.
// Text-entry screens give every printable key to the input, so q and ? are off there.
func (k KeyMap) forScreen(s screen) KeyMap {
	main := s == screenMain
	for _, b := range []*key.Binding{&k.Prev, &k.Next, &k.LineUp, &k.LineDown, &k.PageUp, &k.PageDown,
		&k.Top, &k.Bottom, &k.Paste, &k.Remove, &k.CopyToken, &k.CopyClaims, &k.FetchKeys, &k.LoadJWKS,
		&k.Refresh, &k.AutoRefresh, &k.Userinfo, &k.Introspect, &k.Help, &k.Quit} {
		b.SetEnabled(main)
	}
	k.Tenants.SetEnabled(main)
	k.GetToken.SetEnabled(main)
	tenants := s == screenTenants
	get := s == screenGet
	for _, b := range []*key.Binding{&k.Prev, &k.Next} {
		b.SetEnabled(main || tenants || get)
	}
	k.NextGrant.SetEnabled(get)
	k.CopyURL.SetEnabled(false) // getScreen.keyMap enables it while a login URL is shown
	if get {
		k.Prev.SetHelp("↑/k", "previous tenant")
		k.Next.SetHelp("↓/j", "next tenant")
		k.Confirm.SetHelp("enter", "get token")
	}
	for _, b := range []*key.Binding{&k.NewTenant, &k.EditTenant, &k.DeleteTenant, &k.UseTenant} {
		b.SetEnabled(tenants)
	}
	if tenants {
		k.Prev.SetHelp("↑/k", "previous tenant")
		k.Next.SetHelp("↓/j", "next tenant")
	}
	k.Confirm.SetEnabled(!main && !tenants)
	k.Back.SetEnabled(!main)
	k.ForceQuit.SetEnabled(!main) // on the main screen Quit holds ctrl+c too
	return k
}

// ShortHelp is the one-line footer.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Prev, k.Next, k.Paste, k.GetToken, k.CopyToken, k.CopyURL, k.NextGrant, k.NewTenant, k.EditTenant, k.DeleteTenant, k.UseTenant,
		k.Confirm, k.Back, k.Help, k.Quit, k.ForceQuit}
}

// FullHelp is the `?` help, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Prev, k.Next, k.Paste, k.Remove, k.CopyToken, k.CopyClaims, k.Refresh, k.AutoRefresh},
		{k.LineUp, k.LineDown, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.FetchKeys, k.LoadJWKS, k.Userinfo, k.Introspect, k.Tenants, k.GetToken, k.CopyURL, k.NextGrant, k.NewTenant, k.EditTenant, k.DeleteTenant, k.UseTenant,
			k.Confirm, k.Back, k.Help, k.Quit, k.ForceQuit},
	}
}
