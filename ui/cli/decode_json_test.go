package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// decodeJSON runs `decode --json` on token and returns stdout, failing unless it exits 0.
func decodeJSON(t *testing.T, token string) string {
	t.Helper()
	r := runDecode(t, nil, "--json", "--now", decodeNow, token)
	r.wantOK(t)
	return r.stdout
}

func TestDecodeJSONPayloadAndProtected(t *testing.T) {
	var doc struct {
		Protected   map[string]any `json:"protected"`
		Payload     map[string]any `json:"payload"`
		PayloadNote string         `json:"payload_note"`
	}
	if err := json.Unmarshal([]byte(decodeJSON(t, decodeJWS)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Payload["sub"] != "auth0|42" || doc.Payload["iss"] != "https://tenant.example/" {
		t.Errorf("payload %v", doc.Payload)
	}
	if !reflect.DeepEqual(doc.Payload["https://example.com/roles"], []any{"admin"}) {
		t.Errorf("payload roles %v", doc.Payload["https://example.com/roles"])
	}
	if want := map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": "key-1"}; !reflect.DeepEqual(doc.Protected, want) {
		t.Errorf("protected %v, want %v", doc.Protected, want)
	}

	for _, tt := range []struct {
		name, token, alg string
		payload          bool
	}{
		{"JWE: the payload is encrypted", decodeJWE, "RSA-OAEP-256", false},
		{"JWS with a text payload", compactJWS(`{"alg":"HS256"}`, "hello, not JSON"), "HS256", false},
		{"JWS with an array payload", compactJWS(`{"alg":"HS256"}`, `[1,2]`), "HS256", false},
		{"JWS with claims", compactJWS(`{"alg":"ES256"}`, `{"n":1e300}`), "ES256", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(decodeJSON(t, tt.token)), &top); err != nil {
				t.Fatal(err)
			}
			var protected struct{ Alg string }
			if err := json.Unmarshal(top["protected"], &protected); err != nil || protected.Alg != tt.alg {
				t.Errorf("protected %s: %v", top["protected"], err)
			}
			if _, ok := top["payload"]; ok != tt.payload {
				t.Errorf("payload present %v, want %v: %s", ok, tt.payload, top["payload"])
			}
		})
	}
}

// TestDecodeJSONPayloadIsTheTokensJSON checks that payload is the token's own text, not a
// re-encoding: numbers keep their spelling, members their order, escapes their meaning.
func TestDecodeJSONPayloadIsTheTokensJSON(t *testing.T) {
	claims := `{"z":1e300,"a":1.50,"s":"caf\u00e9 \"q\""}`
	out := decodeJSON(t, compactJWS(`{"alg":"RS256"}`, claims))
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatal(err)
	}
	if got := compact(top["payload"]); got != claims {
		t.Errorf("payload %s, want %s", got, claims)
	}
}

// TestDecodeJSONPayloadTerminalSafe: strings in the token that a terminal would act on
// (C1 controls, bidi overrides, DEL) reach stdout only as \u escapes, in payload and
// protected as in the fields, and still read back as the token's strings.
func TestDecodeJSONPayloadTerminalSafe(t *testing.T) {
	hostile := "\u009b31mred \u202egnp.exe a\u007fb \u2066x\u2069"
	claimsJSON, _ := json.Marshal(map[string]string{"sub": hostile, "esc": "\x1b]52;c;aGk=\x07"})
	headerJSON, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": hostile})
	out := decodeJSON(t, compactJWS(string(headerJSON), string(claimsJSON)))
	for _, r := range strings.ReplaceAll(out, "\n", "") {
		if r < 0x20 || tokens.UnsafeRune(r) {
			t.Fatalf("output holds %U:\n%s", r, out)
		}
	}
	var doc struct {
		Protected struct{ Kid string } `json:"protected"`
		Payload   struct{ Sub, Esc string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Payload.Sub != hostile || doc.Protected.Kid != hostile || doc.Payload.Esc != "\x1b]52;c;aGk=\x07" {
		t.Errorf("read back %q %q %q", doc.Payload.Sub, doc.Protected.Kid, doc.Payload.Esc)
	}
}

// FuzzDecodeJSON holds `decode --json`'s promises for any input: the document is JSON,
// holds no rune a terminal acts on, and its payload, when present, means what the claims
// say.
func FuzzDecodeJSON(f *testing.F) {
	f.Add(decodeJWS)
	f.Add(decodeJWE)
	f.Add(opaqueTok)
	f.Add("\xff\u2028not a token")
	f.Add(compactJWS(`{"alg":"RS256","kid":"\u202e"}`, `{"s":"\u009b","n":[1.5e-9,2e21]}`))
	now := decodeIat.Add(15 * time.Minute)
	f.Fuzz(func(t *testing.T, in string) {
		doc := Decode(in, now, time.UTC)
		var out bytes.Buffer
		if err := WriteJSON(&out, doc); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		for _, r := range strings.ReplaceAll(out.String(), "\n", "") {
			if r < 0x20 || tokens.UnsafeRune(r) {
				t.Fatalf("%q: output holds %U", in, r)
			}
		}
		var back struct {
			Claims  []struct{ Name string }
			Payload map[string]json.RawMessage
		}
		if err := json.Unmarshal(out.Bytes(), &back); err != nil {
			t.Fatalf("%q: output is not JSON: %v", in, err)
		}
		if back.Payload != nil {
			var names []string
			for _, c := range back.Claims {
				names = append(names, c.Name)
				if _, ok := back.Payload[c.Name]; !ok {
					t.Fatalf("%q: claim %q is not in payload", in, c.Name)
				}
			}
			if len(names) != len(back.Payload) {
				t.Fatalf("%q: %d claims, %d payload members", in, len(names), len(back.Payload))
			}
		}
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
