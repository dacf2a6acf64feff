package tokens

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// b64 encodes s as unpadded base64url, the way every compact JOSE part is encoded.
func ptB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// jws assembles a compact JWS from its decoded header and payload and a raw signature part.
func ptJWS(header, payload, sig string) string {
	return ptB64(header) + "." + ptB64(payload) + "." + sig
}

const (
	ptHdr    = `{"alg":"RS256","typ":"JWT","kid":"k1"}`
	ptClaims = `{"iss":"https://issuer.example/","sub":"u1","exp":1700000000}`
	ptSig    = "c2lnbmF0dXJl" // "signature"
)

func TestParseAcceptsJWS(t *testing.T) {
	raw := ptJWS(ptHdr, ptClaims, ptSig)
	tok, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if tok.Kind != JWS || tok.Raw != raw {
		t.Errorf("Kind %v Raw %q", tok.Kind, tok.Raw)
	}
	if string(tok.HeaderJSON) != ptHdr || string(tok.Payload) != ptClaims || string(tok.Signature) != "signature" {
		t.Errorf("parts: header %q payload %q signature %q", tok.HeaderJSON, tok.Payload, tok.Signature)
	}
	if tok.Alg() != "RS256" {
		t.Errorf("Alg() = %q", tok.Alg())
	}
	if got, want := tok.SigningInput(), ptB64(ptHdr)+"."+ptB64(ptClaims); got != want {
		t.Errorf("SigningInput() = %q, want %q", got, want)
	}
	var names []string
	for _, m := range tok.Claims {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "iss,sub,exp" {
		t.Errorf("claim order %v", names)
	}
	if v, _ := tok.Claims.Get("exp"); string(v) != "1700000000" {
		t.Errorf("exp raw value %q", v)
	}
	if tok.PayloadError != "" {
		t.Errorf("PayloadError %q on a JSON payload", tok.PayloadError)
	}
	if tok.EncryptedKey != nil || tok.IV != nil || tok.Ciphertext != nil || tok.Tag != nil {
		t.Error("JWE parts set on a JWS")
	}
}

func TestParseUnsignedJWSHasEmptySignature(t *testing.T) {
	tok, err := Parse(ptB64(`{"alg":"none"}`) + "." + ptB64(ptClaims) + ".")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(tok.Signature) != 0 || tok.Alg() != "none" {
		t.Errorf("signature %q alg %q", tok.Signature, tok.Alg())
	}
	if got := tok.SigningInput(); got != ptB64(`{"alg":"none"}`)+"."+ptB64(ptClaims) {
		t.Errorf("SigningInput() = %q", got)
	}
}

func TestParsePayloadWithoutClaims(t *testing.T) {
	tests := []struct {
		name, payload, why string
	}{
		{"empty (detached)", "", "payload is empty (detached content?)"},
		{"text", "It's a dangerous business, Frodo", "payload is not a JSON object"},
		{"JSON array", `[1,2]`, "payload is not a JSON object"},
		{"JSON string", `"x"`, "payload is not a JSON object"},
		{"binary", "\xff\xfe\x00", "payload is not valid UTF-8"},
		{"duplicate claim", `{"sub":"a","sub":"b"}`, `payload has a duplicate member "sub"`},
		{"escaped duplicate claim", `{"sub":"a","s\u0075b":"b"}`, `payload has a duplicate member "sub"`},
		{"trailing data", `{"sub":"a"}{"sub":"b"}`, "payload has trailing data after the JSON object at byte 11"},
		{"byte order mark", "\uFEFF{}", "payload starts with a byte order mark"},
		{"lone surrogate", `{"sub":"\ud800"}`, "lone UTF-16 surrogate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(ptJWS(ptHdr, tt.payload, ptSig))
			if err != nil {
				t.Fatalf("Parse refused a JWS whose payload is merely not claims: %v", err)
			}
			if tok.Claims != nil {
				t.Errorf("Claims = %v, want nil", tok.Claims)
			}
			if string(tok.Payload) != tt.payload {
				t.Errorf("Payload = %q", tok.Payload)
			}
			if !strings.Contains(tok.PayloadError, tt.why) {
				t.Errorf("PayloadError = %q, want it to contain %q", tok.PayloadError, tt.why)
			}
		})
	}
}

func TestParseJWE(t *testing.T) {
	hdr := `{"alg":"RSA-OAEP","enc":"A256GCM","kid":"enc-1"}`
	t.Run("five parts", func(t *testing.T) {
		raw := ptB64(hdr) + "." + ptB64("cek") + "." + ptB64("iv") + "." + ptB64("ciphertext") + "." + ptB64("tag")
		tok, err := Parse(raw)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if tok.Kind != JWE || string(tok.EncryptedKey) != "cek" || string(tok.IV) != "iv" ||
			string(tok.Ciphertext) != "ciphertext" || string(tok.Tag) != "tag" {
			t.Errorf("got %+v", tok)
		}
		if enc, _ := tok.Header.String("enc"); enc != "A256GCM" {
			t.Errorf("enc = %q", enc)
		}
		if tok.Claims != nil || tok.Payload != nil {
			t.Error("a JWE has no readable claims")
		}
	})
	t.Run("empty encrypted key (dir)", func(t *testing.T) {
		raw := ptB64(`{"alg":"dir","enc":"A128GCM"}`) + ".." + ptB64("iv") + "." + ptB64("ct") + "." + ptB64("tag")
		tok, err := Parse(raw)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if tok.Kind != JWE || len(tok.EncryptedKey) != 0 {
			t.Errorf("kind %v encrypted key %q", tok.Kind, tok.EncryptedKey)
		}
	})
	t.Run("bad part named", func(t *testing.T) {
		raw := ptB64(hdr) + "." + ptB64("cek") + "." + ptB64("iv") + ".a+b." + ptB64("tag")
		_, err := Parse(raw)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Part != "ciphertext" {
			t.Fatalf("err = %v, want a ciphertext ParseError", err)
		}
	})
}

// TestParseRefusals checks every structural rule with the part and reason it names.
func TestParseRefusals(t *testing.T) {
	good := ptJWS(ptHdr, ptClaims, ptSig)
	h, p := ptB64(ptHdr), ptB64(ptClaims)
	tests := []struct {
		name, raw, part, reason string
	}{
		// Size and shape.
		{"over the size cap", strings.Repeat("a", MaxTokenSize+1), "token", "is 65537 bytes, over the 64 KiB limit"},
		{"one part", h, "token", "has 1 part; a JWS has 3 and a JWE 5"},
		{"two parts", h + "." + p, "token", "has 2 parts; a JWS has 3 and a JWE 5 (was it cut off when copied?)"},
		{"four parts", good + ".x", "token", "has 4 parts"},
		{"five dots", good + "...", "token", "has 5 dots; a JWS has 2 and a JWE 4"},
		{"many dots", strings.Repeat(".", 60000), "token", "has 60000 dots"},
		{"empty header", "." + p + "." + ptSig, "header", "is empty"},
		{"empty JWE header", "....", "header", "is empty"},
		{"empty string", "", "token", "has 1 part"},

		// Base64url, part by part.
		{"padding in header", h + "=." + p + "." + ptSig, "header", "has base64 padding '='"},
		{"padding in payload", h + "." + ptB64("{}") + "=." + ptSig, "payload", "has base64 padding '='"},
		{"padding in signature", h + "." + p + "." + ptSig + "==", "signature", "has base64 padding '='"},
		{"plus", h + "." + p + ".ab+d", "signature", `uses '+' from the standard base64 alphabet`},
		{"slash", h + "." + p + ".ab/d", "signature", `uses '/' from the standard base64 alphabet`},
		{"space", h + "." + p + ".ab d", "signature", "has whitespace inside at offset 2"},
		{"tab", h + "\t." + p + "." + ptSig, "header", "has whitespace inside at offset"},
		{"newline", h + "." + p[:4] + "\n" + p[4:] + "." + ptSig, "payload", "has whitespace inside at offset 4"},
		{"carriage return", h + "." + p + "." + ptSig + "\r", "signature", "has whitespace inside"},
		{"non-alphabet byte", h + "." + p + ".ab?d", "signature", "has a character that is not base64url at offset 2 ('?')"},
		{"non-ASCII", h + "." + p + ".abé", "signature", `has a character that is not base64url at offset 2 ('\u00e9')`},
		{"zero-width space", h + "." + p + ".ab\u200b", "signature", `has a character that is not base64url at offset 2 ('\u200b')`},
		{"invalid UTF-8", h + "." + p + ".ab\xff", "signature", "has a character that is not base64url at offset 2 (byte 0xff)"},
		{"NUL", h + "." + p + ".ab\x00d", "signature", `has a character that is not base64url at offset 2 ('\x00')`},
		{"length 1 mod 4", h + "." + p + ".abcde", "signature", "has a length no base64url encoding can have"},
		{"single character", h + "." + p + ".a", "signature", "has a length no base64url encoding can have"},
		{"non-canonical bits, 2 chars", h + "." + p + ".AB", "signature", "is not canonical base64url"},
		{"non-canonical bits, 3 chars", h + "." + p + ".AAB", "signature", "is not canonical base64url"},
		{"non-canonical header", "e31." + p + "." + ptSig, "header", "is not canonical base64url"}, // "e30" is "{}"

		// Header JSON.
		{"header not JSON", ptB64("alg=RS256") + "." + p + "." + ptSig, "header", "is not a JSON object"},
		{"header JSON array", ptB64(`["alg"]`) + "." + p + "." + ptSig, "header", "is not a JSON object"},
		{"header JSON string", ptB64(`"RS256"`) + "." + p + "." + ptSig, "header", "is not a JSON object"},
		{"header not UTF-8", ptB64("{\"alg\":\"\xc3\x28\"}") + "." + p + "." + ptSig, "header", "is not valid UTF-8"},
		{"header overlong UTF-8", ptB64("{\"alg\":\"\xc0\xaf\"}") + "." + p + "." + ptSig, "header", "is not valid UTF-8"},
		{"header BOM", ptB64("\uFEFF{\"alg\":\"RS256\"}") + "." + p + "." + ptSig, "header", "starts with a byte order mark"},
		{"duplicate alg", ptB64(`{"alg":"RS256","alg":"none"}`) + "." + p + "." + ptSig, "header", `has a duplicate member "alg"`},
		{"escaped duplicate alg", ptB64(`{"alg":"RS256","a\u006cg":"none"}`) + "." + p + "." + ptSig, "header", `has a duplicate member "alg"`},
		{"escaped duplicate, all escaped", ptB64(`{"\u0061\u006c\u0067":"none","alg":"RS256"}`) + "." + p + "." + ptSig, "header", `has a duplicate member "alg"`},
		{"escaped solidus duplicate", ptB64(`{"a/b":1,"a\/b":2}`) + "." + p + "." + ptSig, "header", `has a duplicate member "a/b"`},
		{"nested duplicate", ptB64(`{"alg":"RS256","jwk":{"kty":"RSA","kty":"EC"}}`) + "." + p + "." + ptSig, "header", `has a duplicate member "kty"`},
		{"duplicate in array of objects", ptB64(`{"alg":"RS256","x":[{"a":1},{"b":1,"b":2}]}`) + "." + p + "." + ptSig, "header", `has a duplicate member "b"`},
		{"duplicate among many", ptB64(`{"alg":"RS256","a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1,"q":1,"r":1,"s":1,"alg":"none"}`) + "." + p + "." + ptSig, "header", `has a duplicate member "alg"`},
		{"lone high surrogate", ptB64(`{"alg":"\ud83d"}`) + "." + p + "." + ptSig, "header", "lone UTF-16 surrogate"},
		{"lone low surrogate", ptB64(`{"alg":"\ude00x"}`) + "." + p + "." + ptSig, "header", "lone UTF-16 surrogate"},
		{"high surrogate then non-surrogate", ptB64(`{"alg":"\ud83d\u0041"}`) + "." + p + "." + ptSig, "header", "lone UTF-16 surrogate"},
		{"surrogate in a name", ptB64(`{"\udc00":1}`) + "." + p + "." + ptSig, "header", "lone UTF-16 surrogate"},
		{"trailing data", ptB64(`{"alg":"RS256"}x`) + "." + p + "." + ptSig, "header", "has trailing data after the JSON object at byte 15"},
		{"second object", ptB64(`{"alg":"RS256"} {"alg":"none"}`) + "." + p + "." + ptSig, "header", "has trailing data"},
		{"trailing NUL", ptB64("{\"alg\":\"RS256\"}\x00") + "." + p + "." + ptSig, "header", "has trailing data"},
		{"deep nesting", ptB64(`{"a":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`) + "." + p + "." + ptSig, "header", "nests deeper than 64 levels"},
		{"deep objects", ptB64(strings.Repeat(`{"a":`, 100)+"1"+strings.Repeat("}", 100)) + "." + p + "." + ptSig, "header", "nests deeper than 64 levels"},
		{"unterminated", ptB64(`{"alg":"RS256"`) + "." + p + "." + ptSig, "header", "is not valid JSON at byte 14: unterminated object"},
		{"single quotes", ptB64(`{'alg':'RS256'}`) + "." + p + "." + ptSig, "header", "expected a member name"},
		{"trailing comma", ptB64(`{"alg":"RS256",}`) + "." + p + "." + ptSig, "header", "expected a member name"},
		{"JWE header duplicate", ptB64(`{"alg":"dir","enc":"A128GCM","enc":"A256GCM"}`) + "...." + "", "header", `has a duplicate member "enc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse accepted %q: %+v", tt.raw, tok)
			}
			if tok != nil {
				t.Errorf("Parse returned a token with its error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if pe.Part != tt.part || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("got part %q reason %q\nwant part %q reason containing %q", pe.Part, pe.Reason, tt.part, tt.reason)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.part+" ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line starting with %q", msg, tt.part)
			}
		})
	}
}

func TestParseNestingAtTheLimit(t *testing.T) {
	// 64 levels of nesting are allowed (the header object is level 1), 65 are not.
	at := `{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`
	if _, err := Parse(ptJWS(`{"alg":"RS256","x":`+at+`}`, ptClaims, ptSig)); err == nil {
		t.Error("65 levels accepted")
	}
	if _, err := Parse(ptJWS(at[:len(at)-1]+`,"alg":"RS256"}`, ptClaims, ptSig)); err != nil {
		t.Errorf("64 levels refused: %v", err)
	}
}

func TestParseSizeCapIsInclusive(t *testing.T) {
	h := ptB64(`{"alg":"none"}`)
	r := MaxTokenSize - len(h) - 2
	m := 0 // signature length; neither part may be 1 mod 4 long
	for (r-m)%4 == 1 || m%4 == 1 {
		m++
	}
	raw := h + "." + strings.Repeat("A", r-m) + "." + strings.Repeat("A", m)
	if len(raw) != MaxTokenSize {
		t.Fatalf("built %d bytes", len(raw))
	}
	if _, err := Parse(raw); err != nil {
		t.Errorf("a token of exactly MaxTokenSize was refused: %v", err)
	}
	if _, err := Parse(raw + "A"); err == nil || !strings.Contains(err.Error(), "over the 64 KiB limit") {
		t.Errorf("MaxTokenSize+1: %v", err)
	}
}

// TestParseHostileDotsDoNotAllocate shows that the dot bound and the size cap refuse
// hostile input before any per-dot work: the cost does not grow with the number of dots.
func TestParseHostileDotsDoNotAllocate(t *testing.T) {
	for _, raw := range []string{strings.Repeat(".", 1_000_000), strings.Repeat("a.", MaxTokenSize/2)} {
		allocs := testing.AllocsPerRun(10, func() {
			if _, err := Parse(raw); err == nil {
				t.Fatal("accepted")
			}
		})
		// AllocsPerRun counts every allocation in the process, and the race detector or a
		// leftover server goroutine adds a few; what matters is that the count does not grow
		// with the dots (32 768 or a million here).
		if allocs > 64 {
			t.Errorf("%d bytes of dots: %v allocations per Parse, want a constant few", len(raw), allocs)
		}
	}
}

func TestParseNeverRepairs(t *testing.T) {
	// Whitespace or quotes around a token are Normalize's business: Parse itself takes the
	// token as it is.
	raw := ptJWS(ptHdr, ptClaims, ptSig)
	for _, s := range []string{" " + raw, raw + "\n", `"` + raw + `"`, "Bearer " + raw} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse accepted %q", s)
		}
	}
}

func TestDecodeSegment(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"QQ", "A", true},
		{"QUI", "AB", true},
		{"QUJD", "ABC", true},
		{"-_-_", "\xfb\xff\xbf", true},
		{"QR", "", false},  // low bits set
		{"QUJ", "", false}, // low bits set
		{"Q", "", false},
		{"QQ==", "", false},
		{"Q Q", "", false},
	}
	for _, tt := range tests {
		b, err := decodeSegment("payload", tt.in)
		if (err == nil) != tt.ok || (tt.ok && string(b) != tt.want) {
			t.Errorf("decodeSegment(%q) = %q, %v; want %q ok=%v", tt.in, b, err, tt.want, tt.ok)
		}
	}
}

func TestKindStrings(t *testing.T) {
	for k, want := range map[Kind]string{NotAToken: "not a token", JWS: "JWS", JWE: "JWE", Opaque: "opaque"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q", k, k.String())
		}
		if b, _ := k.MarshalText(); string(b) != want {
			t.Errorf("%d.MarshalText() = %q", k, b)
		}
	}
}
