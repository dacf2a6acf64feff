package tokens

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for everything that reads untrusted text. Run one for a while with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 3m ./tokens
//
// Inputs that once failed are kept under testdata/fuzz/<target>/ and run as ordinary
// tests.

// fuzzSeeds returns tokens and near-tokens worth mutating: well-formed JWS and JWE, the
// published vectors, and each structural edge Parse has a rule for.
func fuzzSeeds(f *testing.F) []string {
	f.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	ex, _, err := ExampleToken(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{
		ex,
		ptBigToken(f, 16<<10),
		jwsOf(`{"alg":"RS256","typ":"at+jwt","kid":"k"}`, `{"iss":"https://i/","exp":1795604400,"scope":"a b"}`),
		jwsOf(`{"alg":"none"}`, `{}`),
		jwsOf(`{"alg":"HS256"}`, ``),
		jwsOf(`{"alg":"HS256"}`, `not json`),
		jwsOf(` {"alg" : "ES256" , "x":[1,{"y":null}] } `, `{"a":"\u00e9\ud83d\ude00","b":-1.5e-3}`),
		enc([]byte(`{"alg":"dir","enc":"A128GCM"}`)) + ".." + enc([]byte("iv")) + "." + enc([]byte("ct")) + "." + enc([]byte("tg")),
		"", ".", "..", "...", "....", ".....", "e30", "e30.", "e30..", "e30.e30.", "e30....",
		"e30.e30.QQ==", "e30.e30.a+/b", "e30.e30.a b", "e31.e30.", "e30.QR.", "e30.Q.",
		jwsOf(`{"alg":"a","alg":"b"}`, `{}`),
		jwsOf(`{"alg":"a","a\u006cg":"b"}`, `{}`),
		jwsOf(`{"a":{"b":1,"b":2}}`, `{}`),
		jwsOf(`{"a":"\ud800"}`, `{}`),
		jwsOf("\uFEFF{}", `{}`),
		jwsOf(`{}x`, `{}`),
		jwsOf(`{"a":`+strings.Repeat("[", 70)+strings.Repeat("]", 70)+`}`, `{}`),
		jwsOf("{\"a\":\"\xff\"}", `{}`),
		"Authorization: Bearer " + ex + "\n",
		`"Bearer ` + ex + `"`,
		"8xLOxBtZp8Z-Yw3kkmWS_zyUiK9FzLR0",
		"v4.public.eyJzdWIiOiJ4In0",
		`{"access_token":"x"}`,
	}
	var wp vecWycheproof
	if b, err := os.ReadFile(filepath.Join("testdata", "wycheproof", "testvectors_v1", "json_web_signature_test.json")); err == nil && json.Unmarshal(b, &wp) == nil {
		for _, g := range wp.TestGroups {
			if g.Comment == "base64" || g.Comment == "hs256" {
				for _, tc := range g.Tests {
					var s string
					if json.Unmarshal(tc.JWS, &s) == nil {
						seeds = append(seeds, s)
					}
				}
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "rfc7520", "*", "*.json"))
	for _, path := range files {
		var ex struct {
			Output struct {
				Compact string `json:"compact"`
			} `json:"output"`
		}
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &ex) == nil && ex.Output.Compact != "" {
			seeds = append(seeds, ex.Output.Compact)
		}
	}
	return seeds
}

func jwsOf(header, payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(payload)) + "." + enc([]byte("sig"))
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Parse(raw)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || tok != nil {
				t.Fatalf("error %T %v with token %v", err, err, tok)
			}
			if strings.Contains(pe.Reason, "internal error") {
				t.Fatalf("Parse panicked: %v", err) // recover() hides it from the fuzzer
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !utf8.ValidString(msg) {
				t.Fatalf("refusal is not one line of text: %q", msg)
			}
			return
		}
		if len(raw) > MaxTokenSize {
			t.Fatalf("accepted %d bytes", len(raw))
		}
		wantKind := map[int]Kind{2: JWS, 4: JWE}[strings.Count(raw, ".")]
		if tok.Kind != wantKind || tok.Raw != raw {
			t.Fatalf("kind %v for %d dots", tok.Kind, strings.Count(raw, "."))
		}
		// No repair: the decoded parts encode back to exactly the input.
		if got := vecReencode(tok); got != raw {
			t.Fatalf("re-encodes to %q", got)
		}
		fuzzCheckObject(t, "header", tok.HeaderJSON, tok.Header)
		if tok.Kind == JWS {
			if tok.Claims != nil {
				fuzzCheckObject(t, "claims", tok.Payload, tok.Claims)
			} else if tok.PayloadError == "" {
				t.Fatal("no claims and no PayloadError")
			}
			if si := tok.SigningInput(); !strings.HasPrefix(raw, si+".") || strings.Count(si, ".") != 1 {
				t.Fatalf("signing input %q", si)
			}
		}
		// Explaining and displaying what was accepted must not fail either.
		e := Explain(tok)
		for _, fs := range [][]Field{e.Header, e.Claims} {
			for _, fl := range fs {
				if d := fl.Display(); strings.ContainsAny(d, "\x1b\n\r") {
					t.Fatalf("Display(%s) = %q", fl.Value, d)
				}
			}
		}
		now := time.Unix(1795604400, 0)
		_ = e.State(now)
		if _, used, ok := e.Lifetime(now); ok && (used < 0 || used > 1) {
			t.Fatalf("used %v", used)
		}
		if e.Exp != nil {
			_ = Relative(*e.Exp, now)
			_ = FormatTime(*e.Exp, time.FixedZone("X", 3600))
		}
	})
}

// fuzzCheckObject asserts that what Parse kept as a strict object is what encoding/json
// and an independent duplicate check make of the same bytes.
func fuzzCheckObject(t *testing.T, what string, data []byte, obj Object) {
	t.Helper()
	if !json.Valid(data) {
		t.Fatalf("%s accepted but not valid JSON per encoding/json: %q", what, data)
	}
	if !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatalf("%s accepted with invalid UTF-8 or a BOM", what)
	}
	if dup, found, depth := refDuplicates(data); found || depth > maxJSONDepth {
		t.Fatalf("%s accepted with duplicate %q / depth %d: %q", what, dup, depth, data)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || len(m) != len(obj) {
		t.Fatalf("%s: %d members, encoding/json has %d (%v)", what, len(obj), len(m), err)
	}
	for _, mem := range obj {
		if _, ok := m[mem.Name]; !ok || !json.Valid(mem.Value) {
			t.Fatalf("%s member %q value %q", what, mem.Name, mem.Value)
		}
	}
}

// refDuplicates finds a duplicate member name at any depth with encoding/json's own
// tokenizer (which unescapes names), and the nesting depth.
func refDuplicates(data []byte) (dup string, found bool, maxDepth int) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(depth int) bool
	walk = func(depth int) bool {
		tk, err := dec.Token()
		if err != nil {
			return false
		}
		d, ok := tk.(json.Delim)
		if !ok {
			return true
		}
		maxDepth = max(maxDepth, depth)
		seen := map[string]bool{}
		for dec.More() {
			if d == '{' {
				k, err := dec.Token()
				if err != nil {
					return false
				}
				name := k.(string)
				if seen[name] && !found {
					dup, found = name, true
				}
				seen[name] = true
			}
			if !walk(depth + 1) {
				return false
			}
		}
		_, err = dec.Token() // closing delimiter
		return err == nil
	}
	walk(1)
	return dup, found, maxDepth
}

func FuzzInspect(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add("\uFEFF \u201CAuthorization: bearer '" + jwsOf(`{"alg":"none"}`, `{}`) + "'\u201D\r\n")
	f.Fuzz(func(t *testing.T, text string) {
		in := Inspect(text)
		if !strings.Contains(text, in.Token) {
			t.Fatalf("token %q is not a piece of the input", in.Token)
		}
		switch in.Kind {
		case NotAToken:
			if in.Reason == "" || strings.ContainsAny(in.Reason, "\n\r") || in.Parsed != nil {
				t.Fatalf("not a token with reason %q parsed %v", in.Reason, in.Parsed)
			}
			if strings.Contains(in.Reason, "internal error") {
				t.Fatalf("Parse panicked: %s", in.Reason)
			}
		case JWS, JWE:
			if in.Parsed == nil || in.Parsed.Raw != in.Token || in.Parsed.Kind != in.Kind || in.Reason != "" {
				t.Fatalf("%v with parsed %+v reason %q", in.Kind, in.Parsed, in.Reason)
			}
		case Opaque:
			if in.Parsed != nil || in.Reason != "" || len(in.Token) < minOpaqueLen || strings.IndexFunc(in.Token, func(r rune) bool { return !isB64Token(r) }) >= 0 {
				t.Fatalf("opaque %q", in.Token)
			}
		default:
			t.Fatalf("kind %d", in.Kind)
		}
		// Normalising twice changes nothing more: what Inspect looked at is the token.
		if again, notes := Normalize(in.Token); in.Kind != NotAToken && (again != in.Token || len(notes) != 0) {
			t.Fatalf("Normalize is not idempotent on %q: %q %v", in.Token, again, notes)
		}
	})
}

// FuzzStrictObject compares the strict scanner with encoding/json in both directions:
// whatever it accepts encoding/json accepts, with no duplicates; and every RFC 8259 object
// encoding/json accepts that breaks none of the stricter rules, it accepts too.
func FuzzStrictObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, ` {"a" : [1, 2.5e-3, "x\n", {"b":null}], "c":true} `, `{"a":"\u00e9\ud83d\ude00"}`,
		`{"a":1,"a":2}`, `{"a":{"b":1,"b\u0000":2}}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{}x`, `[]`, `{"a":01}`, `{"a":-0.0E+0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := ParseObject(data)
		if err == nil {
			fuzzCheckObject(t, "object", data, obj)
			return
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("refusal %q", err)
		}
		// Refused: it must break one of the rules encoding/json does not enforce.
		if !json.Valid(data) || !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\uFEFF")) {
			return
		}
		if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
			return
		}
		if _, found, depth := refDuplicates(data); found || depth > maxJSONDepth {
			return
		}
		if bytes.Contains(data, []byte(`\u`)) && hasBadSurrogate(data) {
			return
		}
		t.Fatalf("refused %q (%v), which is a strict JSON object", data, err)
	})
}

// hasBadSurrogate reports whether a \u escape in data is a lone surrogate, the one rule
// encoding/json silently repairs (to U+FFFD).
func hasBadSurrogate(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tk, err := dec.Token()
		if err == io.EOF || err != nil {
			break
		}
		if s, ok := tk.(string); ok && strings.ContainsRune(s, utf8.RuneError) {
			return true
		}
	}
	return false
}
