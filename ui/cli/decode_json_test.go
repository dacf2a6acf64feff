package cli

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// reflectedDoc is DecodeDoc without its MarshalJSON: encoding/json reads its struct tags.
type reflectedDoc DecodeDoc

// sameAsReflection checks that the hand-written encoding of doc is byte for byte the one
// encoding/json derives from the struct tags, with HTML escaping off as in WriteJSON.
func sameAsReflection(t *testing.T, input string, doc *DecodeDoc) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	wantErr := enc.Encode(reflectedDoc(*doc))
	want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	got, gotErr := doc.MarshalJSON()
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("%q: error %v, encoding/json: %v", input, gotErr, wantErr)
	}
	if wantErr == nil && !bytes.Equal(got, want) {
		t.Fatalf("%q:\n got %s\nwant %s", input, got, want)
	}
}

// compactTokens finds every compact JWS and JWE in the vectors under tokens/testdata.
func compactTokens(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`"(eyJ[A-Za-z0-9_\-.]*)"`)
	var out []string
	err := filepath.WalkDir("../../tokens/testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		for _, m := range re.FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("only %d tokens found in the vectors", len(out))
	}
	return out
}

func TestDecodeDocJSONMatchesEncodingJSON(t *testing.T) {
	now := decodeIat.Add(15 * time.Minute)
	inputs := append(compactTokens(t),
		decodeJWS, decodeJWE, opaqueTok, "", "not a token at all", "a.b.c", "e30.e30.",
		compactJWS(`{"alg":"none"}`, `{"exp":1e300,"iat":-5,"nbf":"soon","auth_time":1.5}`),
		compactJWS(`{"alg":"HS256","jku":"https://evil.example/"}`,
			`{"iss":"https://tenant.example/","exp":`+unix(now.Add(-time.Hour))+`,"iat":`+unix(now.Add(-2*time.Hour))+`}`),
		compactJWS(`{"alg":"RS256"}`, "{\"s\":\"\\u0000\\b\\f\\n\\r\\t\\u001b\\u2028\\u2029 \\\"\\\\ <&> caf\u00e9 \U0001F600\",\"n\":[1.5e-9, 2e21, { \"x\" : true }]}"),
		compactJWS(`{"alg":"RS256"}`, `{"exp":`+unix(now.Add(time.Minute))+`,"iat":`+unix(now.Add(-999*time.Hour))+`}`),
	)
	for _, in := range inputs {
		sameAsReflection(t, in, Decode(in, now, time.UTC))
	}
}

func TestDecodeDocJSONStrings(t *testing.T) {
	var all strings.Builder
	for c := range 0x80 {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{"", all.String(), "\xff", "a\xc3", "\xe2\x80\xa8\xe2\x80\xa9", "\u00e9\U0001F600", "\xed\xa0\x80"} {
		doc := &DecodeDoc{Kind: tokens.NotAToken, Reason: s, Notes: []string{s, s}}
		sameAsReflection(t, s, doc)
	}
	for _, f := range []float64{0, 1, 0.25, 1.0 / 3, 1e-7, 1e-6, 5e-324, 1e21, 1e20} {
		doc := &DecodeDoc{Kind: tokens.JWS, Times: &DecodedTimes{UsedFraction: &f, LifetimeSeconds: 7}}
		sameAsReflection(t, "float", doc)
	}
}

func FuzzDecodeDocJSON(f *testing.F) {
	f.Add(decodeJWS)
	f.Add(opaqueTok)
	f.Add("\xff\u2028not a token")
	now := decodeIat.Add(15 * time.Minute)
	f.Fuzz(func(t *testing.T, in string) {
		sameAsReflection(t, in, Decode(in, now, time.UTC))
	})
}

// TestWriteJSONEscapesForTerminal checks that WriteJSON's output holds no character
// SafeText would replace, other than its own newlines, and still reads back as the same
// strings.
func TestWriteJSONEscapesForTerminal(t *testing.T) {
	in := []string{"plain", "\x1b[31mred\x1b[0m", "\u009b31m", "\u202egnp.exe", "a\x7fb", "\u2066x\u2069", "caf\u00e9 \U0001F600", "\u061c\u200e\u200f"}
	var out bytes.Buffer
	if err := WriteJSON(&out, in); err != nil {
		t.Fatal(err)
	}
	for _, r := range strings.ReplaceAll(out.String(), "\n", "") {
		if tokens.UnsafeRune(r) {
			t.Fatalf("output holds %U:\n%s", r, out.String())
		}
	}
	var back []string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back, in) {
		t.Fatalf("read back %q, want %q", back, in)
	}
}
