package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// firstClaimNames are the claims developers read first, in the order the first screen
// shows them: who the token is about, which APIs may accept it, what it allows, which
// client asked for it, who issued it and until when.
var firstClaimNames = []string{"sub", "aud", "scope", "scp", "permissions", "azp", "client_id", "iss", "exp"}

// firstNameWidth is the name column of the first claims: "permissions" and two spaces.
const firstNameWidth = 13

// firstClaims adds the claims developers read first, each value wrapped in full and every
// audience on its own row, and reports whether the token had any of them.
func (b *rowBuilder) firstClaims(e *entry) bool {
	claims := e.in.Parsed.Claims
	if claims == nil {
		return false
	}
	st := b.st
	found := false
	for _, name := range firstClaimNames {
		raw, ok := claims.Get(name)
		if !ok {
			continue
		}
		found = true
		head := st.ClaimName.Render(name + strings.Repeat(" ", firstNameWidth-len(name)))
		if name == "exp" {
			b.expRow(head, raw)
			continue
		}
		for i, v := range firstValues(name, raw) {
			if i > 0 {
				head = strings.Repeat(" ", firstNameWidth)
			}
			b.addWrapped(head, firstNameWidth, v, st.Value)
		}
	}
	return found
}

// expRow shows exp as an absolute time with the live relative one, or as the token says
// it when it is no time.
func (b *rowBuilder) expRow(head string, raw json.RawMessage) {
	var secs float64
	if json.Unmarshal(raw, &secs) != nil || secs < 0 || secs > 253402300799 {
		b.addWrapped(head, firstNameWidth, tokens.Field{Value: raw}.Display()+" (not a time)", b.st.Warn)
		return
	}
	b.addTime(head, firstNameWidth, time.Unix(int64(secs), 0))
}

// firstValues is what a first claim shows, safe for the terminal: each audience apart,
// the scopes of an array joined with spaces as a scope string is, anything else as the
// token has it.
func firstValues(name string, raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for i := range list {
			list[i] = tokens.SafeText(list[i])
		}
		if name == "aud" {
			return list
		}
		return []string{strings.Join(list, " ")}
	}
	return []string{tokens.Field{Value: raw}.Display()}
}

// rawJSON adds the header and the payload as the token has them, indented, through the
// safety filter; long lines wrap, nothing is cut.
func (b *rowBuilder) rawJSON(e *entry) {
	st := b.st
	t := e.in.Parsed
	if t == nil {
		b.add(st.Section.Render("Raw JSON"))
		b.addWrapped("  ", 2, "an opaque token has no header or payload to show", st.Muted)
		return
	}
	b.add(st.Section.Render("Header") + st.Muted.Render(" (raw JSON)"))
	b.jsonLines(t.HeaderJSON)
	b.add("")
	switch {
	case t.Kind == tokens.JWE:
		b.add(st.Section.Render("Payload"))
		b.addWrapped("  ", 2, "encrypted: only the holder of the decryption key can read it", st.Muted)
	case t.Claims == nil:
		b.add(st.Section.Render("Payload") + st.Muted.Render(" (not a JSON object)"))
		b.addWrapped("  ", 2, tokens.SafeText(string(t.Payload)), st.Value)
	default:
		b.add(st.Section.Render("Payload") + st.Muted.Render(" (raw JSON)"))
		b.jsonLines(t.Payload)
	}
}

// jsonLines adds js indented two spaces a level, each line wrapped under its own indent.
func (b *rowBuilder) jsonLines(js []byte) {
	var buf bytes.Buffer
	if json.Indent(&buf, js, "  ", "  ") != nil {
		buf.Reset()
		buf.Write(js)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		line = "  " + tokens.SafeText(strings.TrimPrefix(line, "  "))
		text := strings.TrimLeft(line, " ")
		indent := len(line) - len(text)
		b.addWrapped(line[:indent], indent, text, b.st.Value)
	}
}
