package tokens

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	const tok = "eyJhbGciOiJub25lIn0.e30."
	const (
		quotes = "removed surrounding quotes"
		header = "removed the Authorization: header name"
		bearer = "removed the Bearer prefix"
	)
	tests := []struct {
		name, in, want string
		notes          []string
	}{
		{"bare", tok, tok, nil},
		{"trailing newline", tok + "\n", tok, nil},
		{"CRLF", tok + "\r\n", tok, nil},
		{"surrounding whitespace", " \t\n" + tok + " \n\n", tok, nil},
		{"byte order mark", "\uFEFF" + tok, tok, nil},
		{"double quotes", `"` + tok + `"`, tok, []string{quotes}},
		{"single quotes", `'` + tok + `'`, tok, []string{quotes}},
		{"backquotes", "`" + tok + "`", tok, []string{quotes}},
		{"typographic double quotes", "\u201C" + tok + "\u201D", tok, []string{quotes}},
		{"typographic single quotes", "\u2018" + tok + "\u2019", tok, []string{quotes}},
		{"quotes with spaces inside", `" ` + tok + ` "`, tok, []string{quotes}},
		{"quotes then newline", `"` + tok + `"` + "\n", tok, []string{quotes}},
		{"unmatched quote kept", `"` + tok, `"` + tok, nil},
		{"mismatched quotes kept", `"` + tok + `'`, `"` + tok + `'`, nil},
		{"lone quote kept", `"`, `"`, nil},
		{"Bearer", "Bearer " + tok, tok, []string{bearer}},
		{"bearer lower case", "bearer " + tok, tok, []string{bearer}},
		{"BEARER upper case", "BEARER " + tok, tok, []string{bearer}},
		{"bEaReR mixed case", "bEaReR " + tok, tok, []string{bearer}},
		{"Bearer with tab", "Bearer\t" + tok, tok, []string{bearer}},
		{"Bearer with many spaces", "Bearer    " + tok, tok, []string{bearer}},
		{"Authorization header", "Authorization: Bearer " + tok, tok, []string{header, bearer}},
		{"authorization lower case", "authorization: bearer " + tok, tok, []string{header, bearer}},
		{"AUTHORIZATION upper case", "AUTHORIZATION: BEARER " + tok, tok, []string{header, bearer}},
		{"Authorization without space", "Authorization:Bearer " + tok, tok, []string{header, bearer}},
		{"Authorization then newline", "Authorization: Bearer " + tok + "\n", tok, []string{header, bearer}},
		{"quoted header", `"Authorization: Bearer ` + tok + `"`, tok, []string{quotes, header, bearer}},
		{"header with quoted value", `Authorization: "Bearer ` + tok + `"`, tok, []string{header, quotes, bearer}},
		{"quoted header with quoted token", `'Authorization: Bearer "` + tok + `"'`, tok, []string{quotes, header, bearer, quotes}},
		{"Bearer with quoted token", `Bearer "` + tok + `"`, tok, []string{bearer, quotes}},
		{"header without scheme", "Authorization: " + tok, tok, []string{header}},
		{"Bearer glued to the token is not a prefix", "Bearer" + tok, "Bearer" + tok, nil},
		{"a token starting with bearer", "bearerish-token-value", "bearerish-token-value", nil},
		{"empty", "", "", nil},
		{"whitespace only", " \n\t ", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.Join(notes, "|") != strings.Join(tt.notes, "|") {
				t.Errorf("notes %q, want %q", notes, tt.notes)
			}
		})
	}
}

// TestNormalizeNeverChangesTheInside: whatever surrounds it, the token comes out byte for
// byte, and text inside it (even text that looks like a prefix or a quote) is left alone.
func TestNormalizeNeverChangesTheInside(t *testing.T) {
	insides := []string{
		"eyJhbGciOiJub25lIn0.e30.",
		`abc"def`,
		"abc Bearer def",
		"a'b`c\u201Dd",
		"x=y==",
	}
	wrappers := []func(string) string{
		func(s string) string { return s },
		func(s string) string { return " " + s + "\n" },
		func(s string) string { return "Bearer " + s },
		func(s string) string { return `"Authorization: Bearer ` + s + `"` },
		func(s string) string { return "\u201C" + s + "\u201D\r\n" },
	}
	for _, in := range insides {
		for i, wrap := range wrappers {
			if got, _ := Normalize(wrap(in)); got != in {
				t.Errorf("wrapper %d: Normalize(%q) = %q", i, wrap(in), got)
			}
		}
	}
}

func TestInspect(t *testing.T) {
	jwsTok := ptJWS(ptHdr, ptClaims, ptSig)
	jweTok := ptB64(`{"alg":"dir","enc":"A128GCM"}`) + ".." + ptB64("iv") + "." + ptB64("ct") + "." + ptB64("tag")
	opaque := "8xLOxBtZp8Z-Yw3kkmWS_zyUiK9FzLR0"
	tests := []struct {
		name, in string
		kind     Kind
		token    string
		reason   string // part of the reason when kind is NotAToken
	}{
		{"JWS", jwsTok, JWS, jwsTok, ""},
		{"JWS with Bearer and newline", "Bearer " + jwsTok + "\n", JWS, jwsTok, ""},
		{"JWS in a quoted header", `"Authorization: Bearer ` + jwsTok + `"`, JWS, jwsTok, ""},
		{"JWE", jweTok, JWE, jweTok, ""},
		{"opaque", opaque, Opaque, opaque, ""},
		{"opaque with b64token punctuation", "ya29.a0AfH6SMB-x_y~z+/abc==", Opaque, "ya29.a0AfH6SMB-x_y~z+/abc==", ""},
		{"opaque with Bearer", "Bearer " + opaque, Opaque, opaque, ""},
		{"empty", "", NotAToken, "", "input is empty"},
		{"whitespace only", "  \n ", NotAToken, "", "input is empty"},
		{"Bearer only", "Bearer ", NotAToken, "Bearer", "too short"},
		{"short word", "hello", NotAToken, "hello", "input is only 5 characters, too short for a bearer token"},
		{"sentence", "this is not a token at all", NotAToken, "", "input has whitespace inside; a token is one unbroken string"},
		{"token wrapped over lines", jwsTok[:40] + "\n" + jwsTok[40:], NotAToken, "", "input has whitespace inside"},
		{"token with a space inside", jwsTok[:40] + " " + jwsTok[40:], NotAToken, "", "input has whitespace inside"},
		{"JSON token response", `{"access_token":"` + jwsTok + `","token_type":"Bearer"}`, NotAToken, "", "input is JSON, not a token (paste the value of access_token or id_token)"},
		{"pretty JSON", "{\n  \"access_token\": \"x\"\n}", NotAToken, "", "input is JSON"},
		{"not UTF-8", "\xff\xfe" + opaque, NotAToken, "", "input is not valid UTF-8 text"},
		{"opaque-looking with a bad character", "abcdefghijklmnop<script>", NotAToken, "", `input has '<' at offset 16, which a bearer token cannot contain`},
		{"non-ASCII opaque", "abcdefghijklmnopé", NotAToken, "", `input has 'é' at offset 16`},
		{"too large", strings.Repeat("A", MaxTokenSize+1), NotAToken, "", "input is over the 64 KiB limit"},
		{"JWT cut off", jwsTok[:strings.LastIndexByte(jwsTok, '.')], NotAToken, "", "token has 2 parts; a JWS has 3 and a JWE 5 (was it cut off when copied?)"},
		{"JWT header only", ptB64(ptHdr), NotAToken, "", "token has 1 part"},
		{"JWT with padding", jwsTok + "=", NotAToken, "", "signature has base64 padding"},
		{"JWT with standard alphabet", strings.Replace(jwsTok, "c2ln", "c+ln", 1), NotAToken, "", "signature uses '+'"},
		{"JWT with duplicate header member", ptJWS(`{"alg":"RS256","alg":"none"}`, ptClaims, ptSig), NotAToken, "", `header has a duplicate member "alg"`},
		{"six parts", jwsTok + "." + jwsTok, NotAToken, "", "token has 5 dots"},
		{"two dots, not JOSE", "aaaaaaaa.bbbbbbbb.cccccccc", NotAToken, "", "header is not valid UTF-8"},
		{"PASETO", "v4.public.eyJzdWIiOiJ4In0", NotAToken, "", "input is a PASETO (v4.public), not a JOSE token"},
		{"PASETO local", "v2.local.QAxIpVe-ECVNI1z4xQbm", NotAToken, "", "input is a PASETO (v2.local)"},
		{"not PASETO", "v4.other.eyJzdWIiOiJ4In0", NotAToken, "", "header "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Inspect(tt.in)
			if in.Kind != tt.kind {
				t.Fatalf("kind %v (reason %q), want %v", in.Kind, in.Reason, tt.kind)
			}
			if tt.token != "" && in.Token != tt.token {
				t.Errorf("token %q, want %q", in.Token, tt.token)
			}
			switch tt.kind {
			case NotAToken:
				if in.Parsed != nil {
					t.Error("Parsed set on something that is not a token")
				}
				if !strings.Contains(in.Reason, tt.reason) {
					t.Errorf("reason %q, want it to contain %q", in.Reason, tt.reason)
				}
				if strings.Contains(in.Reason, "\n") || strings.HasPrefix(in.Reason, "tokens:") {
					t.Errorf("reason %q is not one plain line", in.Reason)
				}
			case JWS, JWE:
				if in.Parsed == nil || in.Parsed.Kind != tt.kind || in.Parsed.Raw != in.Token || in.Reason != "" {
					t.Errorf("Parsed %+v reason %q", in.Parsed, in.Reason)
				}
			case Opaque:
				if in.Parsed != nil || in.Reason != "" {
					t.Errorf("opaque token with Parsed %v reason %q", in.Parsed, in.Reason)
				}
			}
		})
	}
}

func TestInspectNotes(t *testing.T) {
	in := Inspect("Authorization: Bearer " + ptJWS(ptHdr, ptClaims, ptSig))
	if in.Kind != JWS || len(in.Notes) != 2 {
		t.Errorf("kind %v notes %q", in.Kind, in.Notes)
	}
}

func TestLooksJOSE(t *testing.T) {
	// Every base64url encoding of '{' followed by anything starts with "ey" and a
	// character from w-z, 0-9, '-' or '_'; check all 256 second bytes.
	for c := 0; c < 256; c++ {
		s := ptB64("{" + string([]byte{byte(c)}) + "x")
		if !looksJOSE(s) {
			t.Errorf("looksJOSE(%q) false for '{' + %#x", s, c)
		}
	}
	for _, s := range []string{"", "e", "ea", "eA", "abc", "EyJh", "e=JH", "e.JH"} {
		if looksJOSE(s) {
			t.Errorf("looksJOSE(%q) true", s)
		}
	}
}

func TestInspectProblem(t *testing.T) {
	for _, tc := range []struct{ in, part, reason string }{
		{"", "input", "is empty"},
		{"a b", "input", "has whitespace inside; a token is one unbroken string"},
		{"abc", "input", "is only 3 characters, too short for a bearer token"},
		{"eyJhbGciOiJIUzI1NiJ9.e30", "token", "has 2 parts; a JWS has 3 and a JWE 5 (was it cut off when copied?)"},
	} {
		in := Inspect(tc.in)
		if in.Problem == nil || in.Problem.Part != tc.part || in.Problem.Reason != tc.reason || in.Reason != in.Problem.Error() {
			t.Errorf("Inspect(%q): problem %+v, reason %q; want %s %q", tc.in, in.Problem, in.Reason, tc.part, tc.reason)
		}
	}
	if in := Inspect("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"); in.Problem != nil {
		t.Errorf("a token has a problem: %+v", in.Problem)
	}
}
