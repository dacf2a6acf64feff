package tokens

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Inspection is what tokenbench makes of a piece of pasted text: the token found in it (after
// trimming and de-prefixing), its kind, the parsed token for JWS and JWE, and for anything
// else a one-line reason. Notes say what was stripped from around the token.
//
// Reason is Problem's text. Problem is the same reason as a value: its Part is "input"
// when the text as a whole is refused (its Reason then reads after a subject: "is empty",
// "has whitespace inside; …"), or the part of a token that broke Parse's rules.
type Inspection struct {
	Token   string
	Kind    Kind
	Parsed  *Token
	Reason  string
	Problem *ParseError
	Notes   []string
}

// refuse records why the text is not a token.
func (in *Inspection) refuse(p *ParseError) Inspection {
	in.Problem, in.Reason = p, p.Error()
	return *in
}

// minOpaqueLen is the shortest text taken for an opaque bearer token.
const minOpaqueLen = 16

// Normalize takes pasted text and returns the token inside it, with notes on what it
// removed: a byte order mark and surrounding whitespace, a pair of quotes (straight,
// back or typographic), an "Authorization:" header name and a "Bearer" scheme, in any
// case and nesting. It only ever removes text around the token, never inside it.
func Normalize(text string) (string, []string) {
	var notes []string
	s := strings.TrimSpace(strings.TrimPrefix(text, "\uFEFF"))
	for range 4 { // quotes around a header around quotes around a scheme, at most
		before := s
		if inner, ok := unquote(s); ok {
			s = strings.TrimSpace(inner)
			notes = append(notes, "removed surrounding quotes")
		}
		if hasPrefixFold(s, "authorization:") {
			s = strings.TrimSpace(s[len("authorization:"):])
			notes = append(notes, "removed the Authorization: header name")
		}
		if hasPrefixFold(s, "bearer ") || hasPrefixFold(s, "bearer\t") {
			s = strings.TrimSpace(s[len("bearer "):])
			notes = append(notes, "removed the Bearer prefix")
		}
		if s == before {
			break
		}
	}
	return s, notes
}

// quotePairs are the quotes a token arrives in when copied from code, shells, JSON, chat
// and word processors.
var quotePairs = [...][2]string{{`"`, `"`}, {`'`, `'`}, {"`", "`"}, {"\u201C", "\u201D"}, {"\u2018", "\u2019"}}

// unquote returns s without one pair of matching quotes around it.
func unquote(s string) (string, bool) {
	for _, q := range quotePairs {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return s[len(q[0]) : len(s)-len(q[1])], true
		}
	}
	return s, false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Inspect normalises text and classifies what it finds: a JWS or JWE that passes Parse, an
// opaque bearer token, or not a token with the reason. Text that looks like a JWT but
// breaks a structural rule is not a token: it is never repaired or guessed at.
func Inspect(text string) Inspection {
	tok, notes := Normalize(text)
	in := Inspection{Token: tok, Notes: notes}
	if reason := notTokenReason(text, tok); reason != "" {
		return in.refuse(&ParseError{Part: "input", Reason: reason})
	}
	dots := strings.Count(tok, ".")
	if looksJOSE(tok) || dots == 2 || dots == 4 {
		t, err := Parse(tok)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				pe = &ParseError{Part: "token", Reason: err.Error()} // Parse returns only ParseErrors
			}
			return in.refuse(pe)
		}
		in.Kind, in.Parsed = t.Kind, t
		return in
	}
	if bad := strings.IndexFunc(tok, func(r rune) bool { return !isB64Token(r) }); bad >= 0 {
		r, _ := utf8.DecodeRuneInString(tok[bad:])
		return in.refuse(&ParseError{Part: "input", Reason: fmt.Sprintf("has %q at offset %d, which a bearer token cannot contain", r, bad)})
	}
	if len(tok) < minOpaqueLen {
		return in.refuse(&ParseError{Part: "input", Reason: fmt.Sprintf("is only %d characters, too short for a bearer token", len(tok))})
	}
	in.Kind = Opaque
	return in
}

// notTokenReason says why text is refused as a whole, as a predicate of "input".
func notTokenReason(text, tok string) string {
	switch {
	case len(text) > MaxTokenSize+4096 || len(tok) > MaxTokenSize:
		return fmt.Sprintf("is over the %d KiB limit", MaxTokenSize>>10)
	case tok == "":
		return "is empty"
	case !utf8.ValidString(tok):
		return "is not valid UTF-8 text"
	case strings.HasPrefix(tok, "{"):
		return "is JSON, not a token (paste the value of access_token or id_token)"
	case strings.ContainsAny(tok, " \t\r\n"):
		return "has whitespace inside; a token is one unbroken string"
	case isPASETO(tok):
		return "is a PASETO (" + tok[:strings.IndexByte(tok[3:], '.')+3] + "), not a JOSE token; tokenbench reads JWS and JWE"
	}
	return ""
}

// isPASETO reports whether s has the "vN.local." or "vN.public." prefix of a PASETO.
func isPASETO(s string) bool {
	if len(s) < 3 || s[0] != 'v' || s[1] < '1' || s[1] > '9' || s[2] != '.' {
		return false
	}
	return strings.HasPrefix(s[3:], "local.") || strings.HasPrefix(s[3:], "public.")
}

// looksJOSE reports whether s starts with the base64url encoding of '{', as every compact
// JWS and JWE header does.
func looksJOSE(s string) bool {
	if len(s) < 2 || s[0] != 'e' {
		return false
	}
	c := s[1]
	return (c >= 'w' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
}

// isB64Token reports whether r may appear in an RFC 6750 b64token.
func isB64Token(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-._~+/=", r))
}
