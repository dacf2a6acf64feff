package tokens

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestStrictObjectGrammar(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
		reason   string // part of the refusal
	}{
		// Objects and whitespace.
		{"empty object", `{}`, true, ""},
		{"whitespace everywhere", " \t\r\n{ \"a\" : 1 , \"b\" :\n[ 1 , 2 ] }\r\n\t ", true, ""},
		{"empty", ``, false, "is not a JSON object"},
		{"only whitespace", "  \n", false, "is not a JSON object"},
		{"lone brace", `{`, false, "expected a member name"},
		{"missing colon", `{"a" 1}`, false, "expected ':' after member name"},
		{"missing value", `{"a":}`, false, `unexpected character '}'`},
		{"missing comma", `{"a":1 "b":2}`, false, "expected ',' or '}'"},
		{"leading comma", `{,"a":1}`, false, "expected a member name"},
		{"trailing comma", `{"a":1,}`, false, "expected a member name"},
		{"unquoted name", `{a:1}`, false, "expected a member name"},
		{"number name", `{1:1}`, false, "expected a member name"},
		{"form feed is not whitespace", "{\f}", false, "expected a member name"},
		{"NBSP is not whitespace", "{\u00a0}", false, "expected a member name"},
		{"vertical tab", "{\"a\":\v1}", false, "unexpected character"},
		{"comment", `{"a":1 /* c */}`, false, "expected ',' or '}'"},
		{"unterminated object", `{"a":1`, false, "unterminated object"},
		{"unterminated nested", `{"a":{"b":1}`, false, "unterminated object"},

		// Arrays.
		{"arrays", `{"a":[],"b":[[]],"c":[1,"x",{},[],true,null]}`, true, ""},
		{"array trailing comma", `{"a":[1,]}`, false, `unexpected character ']'`},
		{"array leading comma", `{"a":[,1]}`, false, `unexpected character ','`},
		{"array missing comma", `{"a":[1 2]}`, false, "expected ',' or ']'"},
		{"unterminated array", `{"a":[1`, false, "unterminated array"},

		// Numbers.
		{"integers", `{"a":0,"b":-0,"c":123,"d":-9007199254740993}`, true, ""},
		{"fractions and exponents", `{"a":0.5,"b":-1.25e10,"c":1E+2,"d":1e-7,"e":0e0,"f":123456789012345678901234567890}`, true, ""},
		{"leading zero", `{"a":01}`, false, "expected ',' or '}'"},
		{"negative leading zero", `{"a":-01}`, false, "expected ',' or '}'"},
		{"plus sign", `{"a":+1}`, false, "unexpected character '+'"},
		{"bare minus", `{"a":-}`, false, "invalid number"},
		{"minus then letter", `{"a":-a}`, false, "invalid number"},
		{"leading dot", `{"a":.5}`, false, "unexpected character '.'"},
		{"trailing dot", `{"a":1.}`, false, "invalid number"},
		{"empty exponent", `{"a":1e}`, false, "invalid number"},
		{"signed empty exponent", `{"a":1e+}`, false, "invalid number"},
		{"hex", `{"a":0x10}`, false, "expected ',' or '}'"},
		{"NaN", `{"a":NaN}`, false, "unexpected character 'N'"},
		{"Infinity", `{"a":-Infinity}`, false, "invalid number"},
		{"number at end of input", `{"a":1`, false, "unterminated object"},

		// Literals.
		{"literals", `{"a":true,"b":false,"c":null}`, true, ""},
		{"capitalised literal", `{"a":True}`, false, "unexpected character 'T'"},
		{"short literal", `{"a":tru}`, false, "invalid literal"},
		{"literal cut off", `{"a":nul`, false, "invalid literal"},
		{"literal with tail", `{"a":nullx}`, false, "expected ',' or '}'"},
		{"undefined", `{"a":undefined}`, false, "unexpected character 'u'"},

		// Strings and escapes.
		{"all simple escapes", `{"a":"\"\\\/\b\f\n\r\t"}`, true, ""},
		{"unicode escapes", `{"a":"\u0041\u00e9\u20AC\ud83d\ude00\uFFFF"}`, true, ""},
		{"escaped NUL", `{"a":"\u0000"}`, true, ""},
		{"raw UTF-8", `{"ключ":"значение ✓ 😀"}`, true, ""},
		{"DEL is allowed raw", "{\"a\":\"\x7f\"}", true, ""},
		{"raw NUL", "{\"a\":\"\x00\"}", false, "control character in string"},
		{"raw tab", "{\"a\":\"\t\"}", false, "control character in string"},
		{"raw newline after escape", "{\"a\":\"\\n\n\"}", false, "control character in string"},
		{"raw control in name", "{\"a\x1b\":1}", false, "control character in string"},
		{"invalid escape", `{"a":"\a"}`, false, `invalid escape \a`},
		{"hex escape", `{"a":"\x41"}`, false, `invalid escape \x`},
		{"capital U escape", `{"a":"\U0041"}`, false, `invalid escape \U`},
		{"escaped line break", "{\"a\":\"\\\n\"}", false, "invalid escape: backslash followed by byte 0x0a"},
		{"escaped ESC", "{\"a\":\"\\\x1b[31m\"}", false, "invalid escape: backslash followed by byte 0x1b"},
		{"escaped non-ASCII", "{\"a\":\"\\é\"}", false, "invalid escape: backslash followed by byte 0xc3"},
		{"short unicode escape", `{"a":"\u12"}`, false, "invalid \\u escape"},
		{"unicode escape at end", `{"a":"\u12`, false, "short \\u escape"},
		{"non-hex unicode escape", `{"a":"\u12G4"}`, false, "invalid \\u escape"},
		{"signed unicode escape", `{"a":"\u+123"}`, false, "invalid \\u escape"},
		{"backslash at end", `{"a":"\`, false, "unterminated escape"},
		{"unterminated string", `{"a":"abc`, false, "unterminated string"},
		{"unterminated after escape", `{"a":"\n`, false, "unterminated string"},
		{"single quotes", `{"a":'x'}`, false, "unexpected character '\\''"},
		{"lone high surrogate at end", `{"a":"\ud800"}`, false, "lone UTF-16 surrogate"},
		{"lone low surrogate", `{"a":"\udc00"}`, false, "lone UTF-16 surrogate"},
		{"swapped surrogates", `{"a":"\ude00\ud83d"}`, false, "lone UTF-16 surrogate"},
		{"high surrogate then text", `{"a":"\ud83dx"}`, false, "lone UTF-16 surrogate"},
		{"two high surrogates", `{"a":"\ud83d\ud83d"}`, false, "lone UTF-16 surrogate"},
		{"high surrogate then bad escape", `{"a":"\ud83d\uZZZZ"}`, false, "invalid \\u escape"},
		{"high surrogate then other escape", `{"a":"\ud83d\n"}`, false, "lone UTF-16 surrogate"},

		// Encoding and framing.
		{"invalid UTF-8", "{\"a\":\"\xff\"}", false, "is not valid UTF-8"},
		{"surrogate encoded in UTF-8", "{\"a\":\"\xed\xa0\x80\"}", false, "is not valid UTF-8"},
		{"byte order mark", "\xef\xbb\xbf{}", false, "starts with a byte order mark"},
		{"trailing garbage", `{}x`, false, "has trailing data after the JSON object at byte 2"},
		{"two objects", `{}{}`, false, "has trailing data"},
		{"array at top", `[]`, false, "is not a JSON object"},
		{"string at top", `"{}"`, false, "is not a JSON object"},
		{"number at top", `1`, false, "is not a JSON object"},

		// Duplicates, compared after unescaping, at every depth.
		{"same name in sibling objects", `{"a":{"x":1},"b":{"x":2}}`, true, ""},
		{"names differing only in case", `{"alg":1,"ALG":2}`, true, ""},
		{"duplicate", `{"a":1,"a":1}`, false, `has a duplicate member "a"`},
		{"escaped duplicate", `{"alg":1,"a\u006cg":2}`, false, `has a duplicate member "alg"`},
		{"escaped surrogate-pair duplicate", `{"😀":1,"\ud83d\ude00":2}`, false, `has a duplicate member "😀"`},
		{"nested duplicate", `{"a":{"b":{"c":1,"c":2}}}`, false, `has a duplicate member "c"`},
		{"duplicate inside array", `{"a":[{"c":1,"c":2}]}`, false, `has a duplicate member "c"`},
		{"empty-name duplicate", `{"":1,"":2}`, false, `has a duplicate member ""`},
		{"duplicate after the map threshold", `{` + ptMembers(40) + `,"m7":0}`, false, `has a duplicate member "m7"`},
		{"escaped duplicate after the threshold", `{` + ptMembers(300) + `,"m2\u0039\u0039":0}`, false, `has a duplicate member "m299"`},
		{"no duplicate among many", `{` + ptMembers(3000) + `}`, true, ``},
		{"duplicate at the threshold", `{` + ptMembers(17) + `,"m16":0}`, false, `has a duplicate member "m16"`},
		{"many distinct names", `{` + ptMembers(200) + `}`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := ParseObject([]byte(tt.in))
			if tt.ok {
				if err != nil {
					t.Fatalf("refused %q: %v", tt.in, err)
				}
				if !json.Valid([]byte(tt.in)) {
					t.Errorf("accepted %q, which encoding/json calls invalid", tt.in)
				}
				ptCheckJSON(t, tt.in, obj)
				return
			}
			if err == nil {
				t.Fatalf("accepted %q as %v", tt.in, obj)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("refusal %q, want it to contain %q", err, tt.reason)
			}
			if strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Errorf("refusal %q carries a raw control character", err)
			}
		})
	}
}

// manyMembers returns n distinct members "m0":0, "m1":0, ….
func ptMembers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"m` + strconv.Itoa(i) + `":0`)
	}
	return b.String()
}

// checkAgainstEncodingJSON asserts that the members ParseObject kept are, name by
// name and in order, what encoding/json makes of the same text.
func ptCheckJSON(t *testing.T, in string, obj Object) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	if len(m) != len(obj) {
		t.Fatalf("%d members, encoding/json has %d", len(obj), len(m))
	}
	for _, mem := range obj {
		want, ok := m[mem.Name]
		if !ok {
			t.Errorf("member %q unknown to encoding/json", mem.Name)
			continue
		}
		var a, b any
		if json.Unmarshal(mem.Value, &a) != nil || json.Unmarshal(want, &b) != nil {
			t.Errorf("member %q: value %q does not unmarshal", mem.Name, mem.Value)
			continue
		}
		if ja, jb := ptJSON(a), ptJSON(b); ja != jb {
			t.Errorf("member %q: %s, encoding/json has %s", mem.Name, ja, jb)
		}
	}
}

func ptJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestStrictObjectMembers(t *testing.T) {
	obj, err := ParseObject([]byte(`{ "z" : "last?" , "a\u0062" : [1, 2] ,"n":null,"o":{"x":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, value string }{{"z", `"last?"`}, {"ab", `[1, 2]`}, {"n", `null`}, {"o", `{"x":1}`}}
	if len(obj) != len(want) {
		t.Fatalf("members %v", obj)
	}
	for i, w := range want {
		if obj[i].Name != w.name || string(obj[i].Value) != w.value {
			t.Errorf("member %d = %q:%q, want %q:%q", i, obj[i].Name, obj[i].Value, w.name, w.value)
		}
	}
	if s, ok := obj.String("z"); !ok || s != "last?" {
		t.Errorf(`String("z") = %q, %v`, s, ok)
	}
	if _, ok := obj.String("ab"); ok {
		t.Error(`String("ab") took an array for a string`)
	}
	if _, ok := obj.String("missing"); ok {
		t.Error(`String("missing") found something`)
	}
	if !obj.Has("n") || obj.Has("x") {
		t.Error("Has: nested names must not count as members")
	}
	if v, ok := obj.Get("o"); !ok || string(v) != `{"x":1}` {
		t.Errorf(`Get("o") = %q, %v`, v, ok)
	}
	// A value must not share spare capacity with the input: appending to it must not
	// overwrite the next member.
	v, _ := obj.Get("z")
	_ = append(v, "XXXX"...)
	if v2, _ := obj.Get("ab"); string(v2) != `[1, 2]` {
		t.Errorf("append to one value changed another: %q", v2)
	}
	if o, err := ParseObject([]byte(`{}`)); err != nil || o == nil || len(o) != 0 {
		t.Errorf("{} = %#v, %v; want an empty non-nil Object", o, err)
	}
}

// TestStrictObjectAgreesWithEncodingJSON runs both parsers over inputs that are valid
// RFC 8259 objects without duplicates or lone surrogates: both must accept every one.
func TestStrictObjectAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		`{"iss":"https://issuer.example/","aud":["a","b"],"exp":1700000000,"nested":{"deep":[{"x":[null,true,false,-1.5e-3]}]}}`,
		`{"a":"\u00e9\u4e2d\ud834\udd1e","b":"line\nbreak","c":"tab\there","d":"quote\"back\\slash\/"}`,
		`{"empty":"","zero":0,"neg":-0.0,"big":1e308,"tiny":5e-324}`,
		"{\n  \"pretty\": {\n    \"x\": [\n      1,\n      2\n    ]\n  }\n}\n",
		`{"🔑":"✓","k":"` + strings.Repeat("x", 5000) + `"}`,
		`{"a":` + strings.Repeat(`[`, 60) + strings.Repeat(`]`, 60) + `}`,
	}
	for _, d := range docs {
		if !json.Valid([]byte(d)) {
			t.Fatalf("test input not valid JSON: %.60q", d)
		}
		obj, err := ParseObject([]byte(d))
		if err != nil {
			t.Errorf("refused valid %.60q: %v", d, err)
			continue
		}
		ptCheckJSON(t, d, obj)
	}
}

// TestSpecialBytesFindsTheFirstSpecialByte checks the eight-bytes-at-a-time string scan
// against the byte table: for each lane and each byte value placed there among ordinary
// bytes, and for random words, the lowest flagged lane is the first quote, backslash or
// control character, and no lane is flagged when there is none.
func TestSpecialBytesFindsTheFirstSpecialByte(t *testing.T) {
	check := func(word [8]byte) {
		t.Helper()
		first := 8
		for i, c := range word {
			if stringSpecial[c] {
				first = i
				break
			}
		}
		m := specialBytes(binary.LittleEndian.Uint64(word[:]))
		got := 8
		if m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if got != first {
			t.Fatalf("% x: first special byte at %d, scan says %d", word, first, got)
		}
	}
	for lane := range 8 {
		for c := range 256 {
			for _, fill := range []byte{'a', 0x21, 0x7f, 0x80, 0xff, '"' + 1, '\\' - 1} {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[lane] = byte(c)
				check(w)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64())
		check(w)
	}
}
