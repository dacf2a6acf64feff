package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// maker is the workbench's making side: the keys edited claims can be re-signed with, the
// fallback claims editor (which also asks which key to sign with) and the diff of two
// marked tokens.
type maker struct {
	// key is the session's throwaway key, made by K or on the first re-sign when no other
	// key is at hand. It never leaves memory.
	key *tokens.SigningKey
	// given are the private keys and secrets the user gave: --sign-key, and those loaded
	// with L (a private key file, a pasted private key or HMAC secret). Memory only.
	given []signer
	// last is the key the last re-sign used: the chooser starts on it.
	last   *tokens.SigningKey
	edit   editScreen
	diff   diffScreen
	editor func() string // the user's editor command; tests replace it
}

// signer is a key that can re-sign, and where it came from, in the user's words.
type signer struct {
	key    *tokens.SigningKey
	source string
}

// sessionSource names the session key in labels and reports.
const sessionSource = "this session's key"

// signers are the keys a re-sign may use: the session key (when made), then the keys the
// user gave, in the order given.
func (mk *maker) signers() []signer {
	var out []signer
	if mk.key != nil {
		out = append(out, signer{mk.key, sessionSource})
	}
	return append(out, mk.given...)
}

// give adds a key the user gave, replacing one from the same source with the same kid.
func (mk *maker) give(s signer) {
	if s.key == nil {
		return
	}
	for i, g := range mk.given {
		if g.source == s.source && g.key.KeyID == s.key.KeyID {
			mk.given[i] = s
			return
		}
	}
	mk.given = append(mk.given, s)
}

// lastIndex is where the chooser starts: on the key used last, else the first.
func (mk *maker) lastIndex(choices []signer) int {
	for i, c := range choices {
		if c.key == mk.last {
			return i
		}
	}
	return 0
}

// signingText says what ctrl+s signs with, for the editor's heading.
func (mk *maker) signingText() string {
	switch c := mk.signers(); len(c) {
	case 0:
		return "re-signs with a new session key"
	case 1:
		return "re-signs with " + c[0].describe()
	default:
		return fmt.Sprintf("then choose the key to sign with (%d at hand)", len(c))
	}
}

// describe names the key for the chooser and the status: its algorithm, kid and source.
func (s signer) describe() string {
	d := s.key.DefaultAlg()
	if s.key.KeyID != "" {
		d += " · kid " + shortKid(tokens.SafeText(s.key.KeyID))
	}
	return d + " · " + tokens.SafeText(s.source)
}

// Messages of the making side.
type (
	// editReadyMsg says the claims of e are in the file at path, for the editor.
	editReadyMsg struct {
		e            *entry
		path, editor string
	}
	// editedMsg says the editor closed; err is its failure, if any.
	editedMsg struct {
		e    *entry
		path string
		err  error
	}
	// openEditorMsg opens the fallback editor on e's claims.
	openEditorMsg struct {
		e    *entry
		text string
	}
	// editTextMsg carries edited claims (from the editor or the fallback editor), and the
	// key chosen to sign them with (nil: not chosen yet).
	editTextMsg struct {
		e    *entry
		text string
		with *signer
	}
	// resignedMsg carries a token re-signed from e's edited claims, or why it could not be.
	// made says the signer is a session key made for it.
	resignedMsg struct {
		e      *entry
		raw    string
		signer signer
		made   bool
		err    error
	}
	// sessionKeyMsg carries a newly generated session key.
	sessionKeyMsg struct {
		key *tokens.SigningKey
		err error
	}
)

// sessionKeyAlg is what the session key signs with: fast to make, verified everywhere.
const sessionKeyAlg = "ES256"

// userEditor is $VISUAL, else $EDITOR: a command line the shell runs with the file.
func userEditor() string {
	if v := os.Getenv("VISUAL"); v != "" {
		return v
	}
	return os.Getenv("EDITOR")
}

// newSessionKey generates a session key in a command (key generation is slow work).
func newSessionKey() tea.Msg {
	k, err := keys.GenerateSigningKey(sessionKeyAlg, "")
	return sessionKeyMsg{key: k, err: err}
}

// startEdit begins editing e's claims: in $VISUAL/$EDITOR through a temporary file, or in
// the fallback editor when neither is set.
func (m *Model) startEdit(e *entry) tea.Cmd {
	if e == nil {
		return errCmd(errNoToken)
	}
	js, err := e.claimsJSON()
	if err != nil {
		return errCmd(err)
	}
	editor := m.maker.editor
	if editor == nil {
		editor = userEditor
	}
	m.maker.edit.signing = m.maker.signingText()
	return func() tea.Msg {
		ed := editor()
		if ed == "" {
			return openEditorMsg{e: e, text: js} // no editor: the fallback editor
		}
		dir, err := os.MkdirTemp("", "tokenbench-edit-")
		if err != nil {
			return errMsg{fmt.Errorf("cannot make a file to edit the claims in: %w", err)}
		}
		path := filepath.Join(dir, "claims.json")
		if err := os.WriteFile(path, []byte(js+"\n"), 0o600); err != nil {
			os.RemoveAll(dir)
			return errMsg{fmt.Errorf("cannot write the claims to edit: %w", err)}
		}
		return editReadyMsg{e: e, path: path, editor: ed}
	}
}

// runEditor hands the terminal to the editor; the program resumes when it exits.
func runEditor(msg editReadyMsg) tea.Cmd {
	// The shell splits the editor command as users expect ("code --wait"); the file is an
	// argument, never part of the command text.
	c := exec.Command("sh", "-c", msg.editor+` "$1"`, "tokenbench-editor", msg.path)
	return tea.ExecProcess(c, func(err error) tea.Msg { return editedMsg{e: msg.e, path: msg.path, err: err} })
}

// readEdited reads the edited claims file and removes it; the claims then go to
// resignText, as the fallback editor's do.
func (m *Model) readEdited(msg editedMsg) tea.Cmd {
	return func() tea.Msg {
		defer os.RemoveAll(filepath.Dir(msg.path))
		if msg.err != nil {
			return resignedMsg{e: msg.e, err: fmt.Errorf("the editor failed (%v); the token is unchanged", msg.err)}
		}
		f, err := os.Open(msg.path)
		if err != nil {
			return resignedMsg{e: msg.e, err: err}
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, tokens.MaxClaimsSize+1))
		if err != nil {
			return resignedMsg{e: msg.e, err: err}
		}
		return editTextMsg{e: msg.e, text: string(data)}
	}
}

// resignText re-signs edited claims: with the key chosen for them, with the one key at
// hand, or with a new session key when there is none. With several keys at hand it first
// asks which (the editor screen's chooser), once the claims are known to be good.
func (m *Model) resignText(msg editTextMsg) tea.Cmd {
	with := msg.with
	if with == nil {
		switch choices := m.maker.signers(); {
		case len(choices) == 1:
			with = &choices[0]
		case len(choices) > 1:
			if _, err := tokens.ParseClaims([]byte(msg.text)); err != nil {
				return func() tea.Msg { return resignedMsg{e: msg.e, err: err} }
			}
			m.setScreen(screenEdit)
			m.maker.edit.choose(msg.e, msg.text, choices, m.maker.lastIndex(choices))
			m.syncKeys()
			return nil
		}
	}
	return func() tea.Msg { return resign(msg.e, []byte(msg.text), with) }
}

// resign signs the edited claims with s (a new session key when nil), keeping the
// original's typ and extra header members. It runs inside a command.
func resign(e *entry, claimsJSON []byte, s *signer) resignedMsg {
	claims, err := tokens.ParseClaims(claimsJSON)
	if err != nil {
		return resignedMsg{e: e, err: err}
	}
	made := s == nil
	if made {
		key, err := keys.GenerateSigningKey(sessionKeyAlg, "")
		if err != nil {
			return resignedMsg{e: e, err: err}
		}
		s = &signer{key, sessionSource}
	}
	h := tokens.Header{}
	if t := e.in.Parsed; t != nil {
		h.Type, _ = t.Header.String("typ")
		h.Extra = t.Header
	}
	raw, err := tokens.Sign(s.key, h, claims)
	return resignedMsg{e: e, raw: raw, signer: *s, made: made, err: err}
}

// resigned adds a re-signed token beside its original, verified against the session key.
func (m *Model) resigned(msg resignedMsg) tea.Cmd {
	if m.active == screenEdit {
		m.setScreen(screenMain)
	}
	if msg.err != nil {
		var me *tokens.MintError
		if errors.As(msg.err, &me) {
			return errCmd(fmt.Errorf("not re-signed: %s: %s", me.What, me.Reason))
		}
		return errCmd(fmt.Errorf("not re-signed: %w", msg.err))
	}
	if msg.made && m.maker.key == nil {
		m.maker.key = msg.signer.key
	}
	m.maker.last = msg.signer.key
	e, err := newEntry(tokens.Inspect(msg.raw))
	if err != nil {
		return errCmd(err)
	}
	e.val.keys, e.ownKeys = signerKeySet(msg.signer), true
	m.list.insertAfter(msg.e, e, "minted locally")
	m.status.set("re-signed "+e.label+" from "+msg.e.label+" with "+msg.signer.describe()+"; verified against it", m.now())
	m.selectionChanged()
	return m.revalidate(e)
}

// signerKeySet is what checks a token s signed, as a configured key source: the public
// half of a private key, or the secret itself (held in memory, as a pasted one is).
func signerKeySet(s signer) *tokens.KeySet {
	source := tokens.SafeText(s.source)
	if s.key.KeyID != "" {
		source += " " + shortKid(tokens.SafeText(s.key.KeyID))
	}
	pub, ok := s.key.Public()
	if !ok {
		secret, _ := s.key.Key.([]byte)
		return &tokens.KeySet{Keys: []tokens.Key{{
			JWK:    jose.JSONWebKey{Key: secret, KeyID: s.key.KeyID},
			Origin: tokens.OriginSecretFile,
			Source: source,
		}}}
	}
	return &tokens.KeySet{Keys: []tokens.Key{{
		JWK:    jose.JSONWebKey{Key: pub.Key, KeyID: pub.KeyID, Algorithm: pub.Algorithm, Use: "sig"},
		Origin: tokens.OriginKeyFile,
		Source: source,
	}}}
}

// mintedOrigin labels a token tokenbench minted — by `tokenbench mint` or re-signed here,
// as its header says (tokens.MintedHeader) — "minted locally · key KID"; "" for others.
func (e *entry) mintedOrigin() string {
	if e.in.Parsed == nil || e.example {
		return ""
	}
	kid, ok := e.in.Parsed.MintedLocally()
	if !ok {
		return ""
	}
	if kid == "" {
		return "minted locally"
	}
	return "minted locally · key " + shortKid(tokens.SafeText(kid))
}

// shortKid shortens a long kid (a thumbprint) for labels; the token view shows it whole.
func shortKid(kid string) string {
	if ansi.StringWidth(kid) > 12 {
		return ansi.Truncate(kid, 8, "")
	}
	return kid
}

// sessionKeyMade stores a key made by K and copies its public JWKS, which an API under
// test needs to accept the tokens re-signed with it.
func (m *Model) sessionKeyMade(msg sessionKeyMsg) tea.Cmd {
	if msg.err != nil {
		return errCmd(msg.err)
	}
	m.maker.key = msg.key
	set, _ := keys.PublicJWKS(msg.key)
	js, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return errCmd(err)
	}
	use := "e re-signs with it"
	if len(m.maker.given) > 0 {
		use = "e asks which key to re-sign with"
	}
	return copyCmd("the public JWKS of the new session key "+shortKid(msg.key.KeyID)+" ("+sessionKeyAlg+"; "+use+")", string(js), m.writeClipboard)
}

// toggleMark marks or unmarks e for the diff; a third mark drops the oldest.
func (m *Model) toggleMark(e *entry) tea.Cmd {
	if e == nil {
		return errCmd(errNoToken)
	}
	if e.marked {
		e.marked = false
		e.list = listRows{}
		return nil
	}
	var marked []*entry
	for _, x := range m.list.entries {
		if x.marked {
			marked = append(marked, x)
		}
	}
	if len(marked) >= 2 {
		marked[0].marked, marked[0].list = false, listRows{}
	}
	e.marked, e.list = true, listRows{}
	return nil
}

// openDiff shows the diff of the two marked tokens, in list order.
func (m *Model) openDiff() tea.Cmd {
	var marked []*entry
	for _, x := range m.list.entries {
		if x.marked {
			marked = append(marked, x)
		}
	}
	if len(marked) != 2 {
		return errCmd(errors.New("mark two tokens with m, then press d to compare them"))
	}
	a, b := marked[0], marked[1]
	if a.in.Parsed == nil || b.in.Parsed == nil {
		return errCmd(errors.New("opaque tokens have no header or claims to compare"))
	}
	m.maker.diff.open(a, b, tokens.Diff(a.in.Parsed, b.in.Parsed))
	m.setScreen(screenDiff)
	return nil
}
