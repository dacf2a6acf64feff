package ui

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// keysScreen asks for the keys to check the selected token with: a key file (JWKS, JWK
// or PEM; for a JWE, the private key it was encrypted to) with tab completion, a JWKS
// URL, or key material pasted as text — a JWKS, a JWK, a PEM public key or an HMAC
// secret. A secret is masked on screen and kept in memory only, never written. Nothing
// is read or fetched until the user confirms.
type keysScreen struct {
	ti      textinput.Model
	e       *entry
	secret  bool     // the input holds an HMAC secret: masked, loaded from memory
	matches []string // the last tab completion's candidates, when more than one
	width   int
	height  int
}

// Messages of the keys screen.
type (
	// loadJWKSMsg asks the root model to load keys for e from a file path or URL.
	loadJWKSMsg struct {
		e   *entry
		arg string
	}
	// loadKeyTextMsg asks the root model to read keys pasted as text, or an HMAC secret.
	loadKeyTextMsg struct {
		e      *entry
		text   string
		secret bool
	}
	// completedMsg carries the file names that complete prefix.
	completedMsg struct {
		prefix  string
		matches []string
	}
)

func newKeysScreen(st Styles) keysScreen {
	ti := textinput.New()
	ti.SetStyles(st.TextInput)
	ti.Prompt = "keys › "
	ti.Placeholder = "./jwks.json, an https URL, or paste a key or secret"
	ti.CharLimit = tokens.MaxBodySize
	return keysScreen{ti: ti}
}

// open clears the input for e and focuses it.
func (s *keysScreen) open(e *entry) tea.Cmd {
	s.e, s.secret, s.matches = e, false, nil
	s.ti.Reset()
	s.ti.EchoMode = textinput.EchoNormal
	return s.ti.Focus()
}

func (s *keysScreen) setStyles(st Styles) { s.ti.SetStyles(st.TextInput) }

func (s *keysScreen) setSize(w, h int) {
	s.width, s.height = w, h
	s.ti.SetWidth(max(w-10, 10))
}

// setSecret switches the input between a path or URL and a masked HMAC secret.
func (s *keysScreen) setSecret(on bool) {
	s.secret = on
	s.ti.EchoMode = textinput.EchoNormal
	if on {
		s.ti.EchoMode = textinput.EchoPassword
	}
}

func (s *keysScreen) update(k KeyMap, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		return s.pasted(msg.Content)
	case completedMsg:
		s.completed(msg)
		return nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			s.ti.Reset() // a secret leaves no copy behind
			return func() tea.Msg { return closeScreenMsg{} }
		case key.Matches(msg, k.SecretInput):
			s.setSecret(!s.secret)
			return nil
		case key.Matches(msg, k.Complete) && !s.secret:
			return complete(s.ti.Value())
		case key.Matches(msg, k.Confirm):
			arg, e, secret := s.ti.Value(), s.e, s.secret
			s.ti.Reset()
			s.setSecret(false)
			if secret {
				if arg == "" {
					return nil
				}
				return func() tea.Msg { return loadKeyTextMsg{e: e, text: arg, secret: true} }
			}
			if arg = strings.TrimSpace(arg); arg == "" {
				return nil
			}
			return func() tea.Msg { return loadJWKSMsg{e: e, arg: arg} }
		}
	}
	var cmd tea.Cmd
	s.ti, cmd = s.ti.Update(msg)
	return cmd
}

// pasted takes pasted text: key material (a JWKS, JWK or PEM) is read at once; a URL or
// a path goes into the input; anything else is taken as an HMAC secret, masked.
func (s *keysScreen) pasted(text string) tea.Cmd {
	t := strings.TrimSpace(text)
	e := s.e
	switch {
	case t == "":
		return nil
	case strings.HasPrefix(t, "{") || strings.Contains(t, "-----BEGIN "):
		s.ti.Reset()
		return func() tea.Msg { return loadKeyTextMsg{e: e, text: t} }
	case !s.secret && (isURL(t) || looksLikePath(t)):
		s.ti.SetValue(t)
		s.ti.CursorEnd()
		return nil
	}
	s.setSecret(true)
	s.ti.SetValue(strings.TrimRight(text, "\r\n")) // only the newline a copy adds
	s.ti.CursorEnd()
	return nil
}

// looksLikePath reports whether pasted text reads as a file path rather than a secret.
func looksLikePath(s string) bool {
	if strings.ContainsAny(s, "\n\t") {
		return false
	}
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~/") ||
		strings.HasSuffix(s, ".json") || strings.HasSuffix(s, ".pem") || strings.HasSuffix(s, ".jwk") || strings.HasSuffix(s, ".key")
}

// complete lists, in a command, the files and directories whose names complete prefix.
func complete(prefix string) tea.Cmd {
	return func() tea.Msg {
		path := prefix
		if strings.HasPrefix(path, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				path = filepath.Join(home, path[2:])
			}
		}
		dir, base := filepath.Split(path)
		list := dir
		if list == "" {
			list = "."
		}
		ents, err := os.ReadDir(list)
		if err != nil {
			return completedMsg{prefix: prefix}
		}
		var out []string
		for _, d := range ents {
			name := d.Name()
			if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
				continue
			}
			full := prefix[:len(prefix)-len(base)] + name
			if d.IsDir() {
				full += string(filepath.Separator)
			}
			out = append(out, full)
		}
		sort.Strings(out)
		return completedMsg{prefix: prefix, matches: out}
	}
}

// completed applies a completion: the one match, or the longest common prefix of many.
func (s *keysScreen) completed(msg completedMsg) {
	if s.ti.Value() != msg.prefix || len(msg.matches) == 0 {
		s.matches = nil
		return
	}
	common := msg.matches[0]
	for _, m := range msg.matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	s.matches = nil
	if len(msg.matches) > 1 {
		s.matches = msg.matches
	}
	s.ti.SetValue(common)
	s.ti.CursorEnd()
}

// view renders exactly height rows.
func (s *keysScreen) view(st Styles) string {
	label := "the selected token"
	jwe := false
	if s.e != nil {
		label = tokens.SafeText(s.e.label)
		jwe = s.e.in.Kind == tokens.JWE
	}
	iss := ""
	if s.e != nil {
		iss = issuerOf(s.e)
	}
	scope := ""
	if iss != "" {
		scope = " (and every token from " + tokens.SafeText(iss) + ")"
	}
	rows := []string{
		st.Section.Render("Load keys") + st.Muted.Render(" to check "+label+" with"+scope),
		"",
		s.ti.View(),
		"",
	}
	if s.secret {
		rows = append(rows, st.Warn.Render("HMAC secret")+st.Muted.Render(" · masked, kept in memory for this session only, never written · ctrl+s: a path instead"))
	} else {
		rows = append(rows, st.Muted.Render("A JWKS, JWK or PEM public-key file (tab completes), or a JWKS https URL (http only on loopback)."),
			st.Muted.Render("Or paste a JWKS, a JWK, a PEM public key, or an HMAC secret (ctrl+s to type one, masked)."))
		if jwe {
			rows = append(rows, st.Muted.Render("For this JWE: the private key file it was encrypted to (PEM or JWK), as verify --decrypt-key takes."))
		}
	}
	rows = append(rows, st.Muted.Render("Read or fetched once, when you press enter; the token's own jku, x5u and jwk are never used."))
	if len(s.matches) > 0 {
		rows = append(rows, "")
		for _, m := range s.matches {
			rows = append(rows, "  "+tokens.SafeText(m))
		}
	}
	return fitRows(rows, s.width, s.height)
}

// keysPage is the JWKS input in the table of screens.
type keysPage struct{ m *Model }

func (p keysPage) update(k KeyMap, msg tea.Msg) tea.Cmd { return p.m.keysIn.update(k, msg) }
func (p keysPage) view(time.Time) string                { return p.m.keysIn.view(p.m.styles) }
func (p keysPage) setSize(w, h int)                     { p.m.keysIn.setSize(w, h) }
func (p keysPage) setStyles(st Styles)                  { p.m.keysIn.setStyles(st) }
func (p keysPage) blur()                                { p.m.keysIn.ti.Blur() }

func (keysPage) keys(k KeyMap) KeyMap {
	k = k.forOther()
	k.Complete.SetEnabled(true)
	k.SecretInput.SetEnabled(true)
	k.Confirm.SetHelp("enter", "load")
	return k
}
