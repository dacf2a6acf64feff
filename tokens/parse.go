package tokens

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind says what a piece of text is as a token.
type Kind int

const (
	// NotAToken is text that cannot be a token; Inspection.Reason says why.
	NotAToken Kind = iota
	// JWS is a JSON Web Signature in compact serialization (a signed JWT): three parts.
	JWS
	// JWE is a JSON Web Encryption in compact serialization: five parts, payload encrypted.
	JWE
	// Opaque is a bearer token with no structure tokenbench can read; only the provider can
	// say what it means (introspection, userinfo).
	Opaque
)

// String returns the kind as shown to users: "JWS", "JWE", "opaque" or "not a token".
func (k Kind) String() string {
	switch k {
	case JWS:
		return "JWS"
	case JWE:
		return "JWE"
	case Opaque:
		return "opaque"
	}
	return "not a token"
}

// MarshalText makes a Kind appear as its name in JSON output.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// maxDots bounds the dots in a token. A compact JWE has four; anything with more is refused
// before it is split, so that hostile input cannot make the parser allocate per dot.
const maxDots = 4

// ParseError says which part of a token broke which structural rule. Its message reads
// as one sentence: Part + " " + Reason, as in "header has a
// duplicate member \"alg\"".
type ParseError struct {
	Part   string // "token", "header", "payload", "signature", "encrypted key", …
	Reason string
}

func (e *ParseError) Error() string {
	return e.Part + " " + e.Reason
}

// Token is a structurally valid compact JWS or JWE. Nothing in it is trusted: the header and
// claims are exactly what the token says. The members of Header and Claims are views into
// HeaderJSON and Payload, which share one buffer: treat all of them as read-only.
type Token struct {
	Raw    string
	Kind   Kind
	Header Object
	// JWS parts.
	Payload   []byte
	Claims    Object // nil when the payload is not a JSON object; PayloadError says why
	Signature []byte
	// PayloadError explains why a JWS payload has no claims (empty, detached, not JSON).
	PayloadError string
	// JWE parts.
	EncryptedKey, IV, Ciphertext, Tag []byte
	// HeaderJSON is the decoded protected header.
	HeaderJSON []byte
}

// SigningInput returns the JWS signing input: the first two parts and the dot between them.
func (t *Token) SigningInput() string {
	return t.Raw[:strings.LastIndexByte(t.Raw, '.')]
}

// Alg returns the header's "alg" when it is a string.
func (t *Token) Alg() string {
	a, _ := t.Header.String("alg")
	return a
}

// Parse reads a compact JWS or JWE under the strict rules: at most MaxTokenSize bytes, at
// most four dots, every part strict base64url (unpadded, URL alphabet, no whitespace,
// canonical trailing bits), a header that is a strict JSON object (valid UTF-8, no duplicate
// members, no trailing data) and, for a JWS, claims under the same rules when the payload is
// JSON. It never repairs the token; it refuses with a *ParseError naming the part and rule.
func Parse(raw string) (tok *Token, err error) {
	return parse(raw, true)
}

// parse is Parse; without withClaims a JWS payload is decoded but not read as JSON (the
// signature-only path has no use for claims).
func parse(raw string, withClaims bool) (tok *Token, err error) {
	defer func() {
		if r := recover(); r != nil {
			tok, err = nil, &ParseError{"token", fmt.Sprintf("could not be parsed (internal error: %v)", r)}
		}
	}()
	if len(raw) > MaxTokenSize {
		return nil, &ParseError{"token", fmt.Sprintf("is %d bytes, over the %d KiB limit", len(raw), MaxTokenSize>>10)}
	}
	dots := strings.Count(raw, ".")
	if dots > maxDots {
		return nil, &ParseError{"token", fmt.Sprintf("has %d dots; a JWS has 2 and a JWE 4", dots)}
	}
	if dots != 2 && dots != 4 {
		parts := "parts"
		if dots == 0 {
			parts = "part"
		}
		return nil, &ParseError{"token", fmt.Sprintf("has %d %s; a JWS has 3 and a JWE 5 (was it cut off when copied?)", dots+1, parts)}
	}
	var parts [5]string
	rest := raw
	for i := 0; i < dots; i++ {
		j := strings.IndexByte(rest, '.')
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[dots] = rest

	t := &Token{Raw: raw, Kind: JWS}
	if dots == 4 {
		t.Kind = JWE
	}
	if parts[0] == "" {
		return nil, &ParseError{"header", "is empty"}
	}
	// Every part is decoded into one buffer; each slice is capped so that appending to
	// one part can never overwrite the next.
	size := 0
	for _, p := range parts[:dots+1] {
		size += strictB64.DecodedLen(len(p))
	}
	buf := make([]byte, size)
	decode := func(part, s string) ([]byte, error) {
		n, err := decodeInto(buf, part, s)
		if err != nil {
			return nil, err
		}
		b := buf[:n:n]
		buf = buf[n:]
		return b, nil
	}
	if t.HeaderJSON, err = decode("header", parts[0]); err != nil {
		return nil, err
	}
	if t.Header, err = ParseObject(t.HeaderJSON); err != nil {
		return nil, &ParseError{"header", err.Error()}
	}
	if t.Kind == JWE {
		names := [...]string{"", "encrypted key", "initialization vector", "ciphertext", "authentication tag"}
		dst := [...]*[]byte{nil, &t.EncryptedKey, &t.IV, &t.Ciphertext, &t.Tag}
		for i := 1; i < 5; i++ {
			if *dst[i], err = decode(names[i], parts[i]); err != nil {
				return nil, err
			}
		}
		return t, nil
	}
	if t.Payload, err = decode("payload", parts[1]); err != nil {
		return nil, err
	}
	if t.Signature, err = decode("signature", parts[2]); err != nil {
		return nil, err
	}
	switch {
	case len(t.Payload) == 0:
		t.PayloadError = "payload is empty (detached content?)"
	case !withClaims:
		t.PayloadError = "payload not read (signature only)"
	default:
		if t.Claims, err = ParseObject(t.Payload); err != nil {
			t.Claims = nil
			t.PayloadError = "payload " + err.Error()
		}
	}
	return t, nil
}

var strictB64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes one part with strict base64url, naming the first broken rule.
func decodeSegment(part, s string) ([]byte, error) {
	b := make([]byte, strictB64.DecodedLen(len(s)))
	n, err := decodeInto(b, part, s)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// decodeInto decodes s into dst with strict base64url. Only when decodeB64URL refuses is s
// examined character by character for the rule to name.
func decodeInto(dst []byte, part, s string) (int, error) {
	if n, ok := decodeB64URL(dst, s); ok {
		return n, nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			continue
		case c == '=':
			return 0, &ParseError{part, "has base64 padding '='; JOSE uses unpadded base64url"}
		case c == '+' || c == '/':
			return 0, &ParseError{part, fmt.Sprintf("uses %q from the standard base64 alphabet; JOSE uses base64url ('-' and '_')", c)}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			return 0, &ParseError{part, fmt.Sprintf("has whitespace inside at offset %d", i)}
		default:
			// Name the character: invisible ones (U+200B, U+00A0) come with copy and paste.
			what := fmt.Sprintf("byte 0x%02x", c)
			if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size > 1 {
				what = fmt.Sprintf("%+q", r)
			}
			return 0, &ParseError{part, fmt.Sprintf("has a character that is not base64url at offset %d (%s)", i, what)}
		}
	}
	if len(s)%4 == 1 {
		return 0, &ParseError{part, "has a length no base64url encoding can have"}
	}
	return 0, &ParseError{part, "is not canonical base64url (its last character has bits set that encode nothing)"}
}
