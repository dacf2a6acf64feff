package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// decodeNow is the --now of every decode test: 15 minutes into the test token's hour.
const decodeNow = "2026-11-25T10:15:00Z"

var (
	decodeIat = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	decodeJWS = compactJWS(`{"alg":"RS256","typ":"at+jwt","kid":"key-1"}`,
		`{"iss":"https://tenant.example/","sub":"auth0|42","aud":"https://api.example/",`+
			`"iat":`+unix(decodeIat)+`,"exp":`+unix(decodeIat.Add(time.Hour))+`,`+
			`"scope":"read:orders","gty":"client-credentials","https://example.com/roles":["admin"]}`)
	decodeJWE = b64u(`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc-1"}`) + "." + b64u("cek") + "." + b64u("iv") + "." + b64u("ciphertext") + "." + b64u("tag")
	opaqueTok = "8xLOxBtZp8Z-Yw3kkmWS_zyUiK9FzLR0"
)

func b64u(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func compactJWS(header, claims string) string {
	return b64u(header) + "." + b64u(claims) + "." + b64u("not a real signature")
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// row returns the fields of the first output line whose first field is name.
func row(out, name string) []string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == name {
			return f
		}
	}
	return nil
}

func compact(v json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return "invalid JSON: " + err.Error()
	}
	return b.String()
}

type decodeRun struct {
	code           int
	stdout, stderr string
}

// runDecode runs the decode command the way main runs the root: through Execute, with
// stdin as input and args on the command line.
func runDecode(t *testing.T, stdin io.Reader, args ...string) decodeRun {
	t.Helper()
	cmd := NewDecodeCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	cmd.SetIn(stdin)
	cmd.SetArgs(args)
	code := Execute(cmd, &errb)
	return decodeRun{code, out.String(), errb.String()}
}

func (r decodeRun) wantOK(t *testing.T) {
	t.Helper()
	if r.code != ExitOK || r.stderr != "" {
		t.Fatalf("exit %d stderr %q, want 0 and nothing on stderr", r.code, r.stderr)
	}
}

// wantError asserts the exit code, one line on stderr containing substr, and nothing on
// stdout.
func (r decodeRun) wantError(t *testing.T, code int, substr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, substr) || strings.Count(r.stderr, "\n") != 1 ||
		!strings.HasPrefix(r.stderr, "tokenbench: ") || r.stdout != "" {
		t.Errorf("exit %d stderr %q stdout %q\nwant exit %d, one line on stderr with %q, nothing on stdout", r.code, r.stderr, r.stdout, code, substr)
	}
}

func TestDecodeJWSText(t *testing.T) {
	r := runDecode(t, nil, "--now", decodeNow, decodeJWS)
	r.wantOK(t)
	for _, want := range []string{
		"JWS · access token · " + itoa64(int64(len(decodeJWS))) + " bytes\n",
		"\nHeader\n",
		"Signing or key-management algorithm",
		"\nClaims\n",
		"Custom claim with a namespaced",
		"2026-11-25 11:00:00 UTC",
		"in 45m",
		"Validity at 2026-11-25 10:15:00 UTC: valid (expires in 45m); lifetime 1h, 25% used\n",
		"Not verified",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "Findings") {
		t.Errorf("a clean at+jwt access token has findings:\n%s", r.stdout)
	}
	for name, value := range map[string]string{"alg": "RS256", "iss": "https://tenant.example/", "https://example.com/roles": `["admin"]`, "exp": unix(decodeIat.Add(time.Hour))} {
		if f := row(r.stdout, name); len(f) < 2 || f[1] != value {
			t.Errorf("row %q = %q, want the value %q", name, f, value)
		}
	}
}

func TestDecodeInputSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token.txt")
	if err := os.WriteFile(file, []byte("Authorization: Bearer "+decodeJWS+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin func(t *testing.T) io.Reader
		args  []string
	}{
		{"argument", nil, []string{decodeJWS}},
		{"argument with Bearer", nil, []string{"Bearer " + decodeJWS}},
		{"dash reads stdin", func(*testing.T) io.Reader { return strings.NewReader(decodeJWS + "\n") }, []string{"-"}},
		{"stdin without arguments", func(*testing.T) io.Reader { return strings.NewReader(decodeJWS) }, nil},
		{"a real pipe", pipeWith(decodeJWS + "\n"), nil},
		{"--file", nil, []string{"--file", file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in io.Reader
			if tt.stdin != nil {
				in = tt.stdin(t)
			}
			r := runDecode(t, in, append([]string{"--json", "--now", decodeNow}, tt.args...)...)
			r.wantOK(t)
			var doc struct {
				Kind   string `json:"kind"`
				Length int    `json:"length"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
			}
			if doc.Kind != "JWS" || doc.Length != len(decodeJWS) {
				t.Errorf("kind %q length %d", doc.Kind, doc.Length)
			}
		})
	}
}

// pipeWith returns stdin as an OS pipe with text written into it and then closed, the
// way `echo TOKEN | tokenbench decode` delivers it.
func pipeWith(text string) func(t *testing.T) io.Reader {
	return func(t *testing.T) io.Reader {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		go func() {
			io.WriteString(w, text)
			w.Close()
		}()
		return r
	}
}

func TestDecodeJSONDocument(t *testing.T) {
	r := runDecode(t, nil, "--json", "--now", decodeNow, "Bearer "+decodeJWS)
	r.wantOK(t)

	// The shape: exactly these top-level members (the README documents them).
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &top); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// lints is left out when there are none (see TestDecodeExpiredAndLints for a list).
	if got := strings.Join(keys, ","); got != "claims,header,kind,length,notes,payload,protected,times,use,verified" {
		t.Errorf("top-level members %s", got)
	}

	var doc struct {
		Kind   string   `json:"kind"`
		Notes  []string `json:"notes"`
		Use    string   `json:"use"`
		Header []struct {
			Name        string          `json:"name"`
			Value       json.RawMessage `json:"value"`
			Category    string          `json:"category"`
			Explanation string          `json:"explanation"`
		} `json:"header"`
		Claims []struct {
			Name        string          `json:"name"`
			Value       json.RawMessage `json:"value"`
			Category    string          `json:"category"`
			Explanation string          `json:"explanation"`
			Time        *time.Time      `json:"time"`
			TimeProblem string          `json:"time_problem"`
			Relative    string          `json:"relative"`
		} `json:"claims"`
		Times struct {
			Now             time.Time `json:"now"`
			State           string    `json:"state"`
			LifetimeSeconds int64     `json:"lifetime_seconds"`
			UsedFraction    *float64  `json:"used_fraction"`
			Expires         string    `json:"expires"`
		} `json:"times"`
		Lints     []tokens.Lint   `json:"lints"`
		Length    int             `json:"length"`
		Verified  *bool           `json:"verified"`
		Protected json.RawMessage `json:"protected"`
		Payload   json.RawMessage `json:"payload"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("document does not have the documented shape: %v\n%s", err, r.stdout)
	}
	if doc.Kind != "JWS" || doc.Use != "access token" || doc.Length != len(decodeJWS) || doc.Verified == nil || *doc.Verified {
		t.Errorf("kind %q use %q length %d verified %v", doc.Kind, doc.Use, doc.Length, doc.Verified)
	}
	if !slices.Equal(doc.Notes, []string{"removed the Bearer prefix"}) {
		t.Errorf("notes %q", doc.Notes)
	}
	if len(doc.Header) != 3 || doc.Header[0].Name != "alg" || string(doc.Header[0].Value) != `"RS256"` ||
		doc.Header[0].Category != "header" || doc.Header[0].Explanation == "" {
		t.Errorf("header %+v", doc.Header)
	}
	var names []string
	for _, c := range doc.Claims {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "iss,sub,aud,iat,exp,scope,gty,https://example.com/roles" {
		t.Errorf("claims in order: %s", got)
	}
	exp := doc.Claims[4]
	if exp.Time == nil || !exp.Time.Equal(decodeIat.Add(time.Hour)) || exp.Relative != "in 45m" || string(exp.Value) != unix(decodeIat.Add(time.Hour)) {
		t.Errorf("exp %+v", exp)
	}
	if c := doc.Claims[7]; c.Category != "namespaced" || compact(c.Value) != `["admin"]` {
		t.Errorf("namespaced claim %+v", c)
	}
	if c := doc.Claims[6]; c.Category != "auth0" {
		t.Errorf("gty %+v", c)
	}
	tm := doc.Times
	if !tm.Now.Equal(decodeIat.Add(15*time.Minute)) || tm.State != "valid" || tm.LifetimeSeconds != 3600 ||
		tm.UsedFraction == nil || *tm.UsedFraction != 0.25 || tm.Expires != "in 45m" {
		t.Errorf("times %+v", tm)
	}
	if len(doc.Lints) != 0 {
		t.Errorf("lints %+v", doc.Lints)
	}
}

func TestDecodeExpiredAndLints(t *testing.T) {
	tok := compactJWS(`{"alg":"none","jku":"https://evil.example/jwks"}`, `{"sub":"x","scope":"a","iat":1700000000,"exp":1700000060}`)
	r := runDecode(t, nil, "--now", "1700003660", tok)
	r.wantOK(t) // decode reports, it does not judge: the input is a token
	for _, want := range []string{
		"Validity at 2023-11-14 23:14:20 UTC: expired (expired 1h ago); lifetime 1m, 100% used",
		"Findings",
		"danger alg is \"none\"",
		"warn   header carries jku",
		"info   access token without typ at+jwt",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDecodeOtherKinds(t *testing.T) {
	t.Run("opaque", func(t *testing.T) {
		r := runDecode(t, nil, opaqueTok)
		r.wantOK(t)
		if !strings.HasPrefix(r.stdout, "opaque · 32 bytes\n") || !strings.Contains(r.stdout, "tokenbench introspect") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		r = runDecode(t, nil, "--json", opaqueTok)
		r.wantOK(t)
		if r.stdout != "{\n  \"kind\": \"opaque\",\n  \"length\": 32,\n  \"verified\": false\n}\n" {
			t.Errorf("JSON:\n%s", r.stdout)
		}
	})
	t.Run("JWE", func(t *testing.T) {
		r := runDecode(t, nil, decodeJWE)
		r.wantOK(t)
		if f := row(r.stdout, "enc"); len(f) < 2 || f[1] != "A256GCM" {
			t.Errorf("enc row %q", f)
		}
		for _, want := range []string{"JWE · ", "Payload: the payload is encrypted"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "Validity") {
			t.Errorf("a JWE has no readable times:\n%s", r.stdout)
		}
		r = runDecode(t, nil, "--json", decodeJWE)
		r.wantOK(t)
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc["kind"] != "JWE" || doc["claims"] != nil || doc["times"] != nil ||
			!strings.Contains(doc["payload_note"].(string), "encrypted") {
			t.Errorf("JSON %v %v", err, doc)
		}
	})
}

func TestDecodeNotAToken(t *testing.T) {
	for _, in := range []string{"hello", "eyJhbGciOiJIUzI1NiJ9.eyJ9", `{"access_token":"x"}`} {
		r := runDecode(t, nil, in)
		r.wantError(t, ExitInvalid, "tokenbench: not a token: ")
	}
	r := runDecode(t, nil, "hello")
	r.wantError(t, ExitInvalid, "input is only 5 characters, too short for a bearer token")

	// --json: the document on stdout, the reason on stderr too, exit 1.
	r = runDecode(t, nil, "--json", "eyJhbGciOiJIUzI1NiJ9.e30.a+b")
	if r.code != ExitInvalid || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if doc["kind"] != "not a token" || doc["reason"] != "signature uses '+' from the standard base64 alphabet; JOSE uses base64url ('-' and '_')" || doc["verified"] != false {
		t.Errorf("doc %v", doc)
	}
	if !strings.Contains(r.stderr, doc["reason"].(string)) {
		t.Errorf("stderr %q does not give the reason", r.stderr)
	}
}

func TestDecodeUsageAndIOErrors(t *testing.T) {
	huge := strings.Repeat("A", maxInput+1)
	tests := []struct {
		name  string
		stdin io.Reader
		args  []string
		code  int
		msg   string
	}{
		{"oversized stdin", strings.NewReader(huge), []string{"-"}, ExitInvalid, "not a token: input on stdin is larger than the 64 KiB limit"},
		{"oversized pipe without args", strings.NewReader(huge + huge), nil, ExitInvalid, "larger than the 64 KiB limit"},
		{"oversized argument", nil, []string{huge}, ExitInvalid, "not a token: input is larger than the 64 KiB limit"},
		{"missing file", nil, []string{"--file", filepath.Join(t.TempDir(), "nope.txt")}, ExitUsage, "cannot read token file: open "},
		{"file is a directory", nil, []string{"--file", t.TempDir()}, ExitUsage, "is a directory"},
		{"two arguments", nil, []string{decodeJWS, decodeJWS}, ExitUsage, "accepts at most 1 arg(s), received 2"},
		{"argument and --file", nil, []string{"--file", "x", decodeJWS}, ExitUsage, "give a token or --file, not both"},
		{"bad --now", nil, []string{"--now", "yesterday", decodeJWS}, ExitUsage, `--now "yesterday" is neither RFC 3339`},
		{"unknown flag", nil, []string{"--jsn", decodeJWS}, ExitUsage, "unknown flag: --jsn"},
		{"failing stdin", iotestErrReader{}, []string{"-"}, ExitUsage, "cannot read stdin: broken pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runDecode(t, tt.stdin, tt.args...)
			r.wantError(t, tt.code, tt.msg)
		})
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestReadTokenInputFromATerminal(t *testing.T) {
	_, err := ReadTokenInput(nil, "", strings.NewReader(decodeJWS), true)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != ExitUsage || !strings.Contains(err.Error(), "no token given") {
		t.Errorf("no argument on a terminal: %v", err)
	}
	// "-" reads stdin even when it is a terminal: the user asked for it.
	if got, err := ReadTokenInput([]string{"-"}, "", strings.NewReader("tok"), true); err != nil || got != "tok" {
		t.Errorf(`"-" on a terminal: %q, %v`, got, err)
	}
	// Exactly at the cap is read whole.
	at := strings.Repeat("A", maxInput)
	if got, err := ReadTokenInput(nil, "", strings.NewReader(at), false); err != nil || len(got) != maxInput {
		t.Errorf("input at the cap: %d bytes, %v", len(got), err)
	}
}

// TestDecodeHostileClaims: a token's names and values are chosen by whoever made it. No
// escape sequence, control character or bidi override from it may reach the terminal.
func TestDecodeHostileClaims(t *testing.T) {
	hostile := []string{
		`\u001b[2J\u001b[H`,          // clear screen, cursor home
		`\u001b]52;c;cHduZWQ=\u0007`, // OSC 52: write the clipboard
		`\u001b]0;title\u001b\\`,     // set the window title
		`\u009b31m`,                  // 8-bit CSI
		`\u202egnp.exe`,              // right-to-left override
		`line\r\nbreak`,
		`\u0008\u0008\u007f`,
	}
	var claims []string
	for i, h := range hostile {
		claims = append(claims, `"v`+itoa64(int64(i))+`":"`+h+`"`, `"n`+h+itoa64(int64(i))+`":1`)
	}
	tok := compactJWS(`{"alg":"HS256","kid":"\u001b[31mred"}`,
		`{"iss":"https://x/\u001b[5mblink","exp":"\u001b[1mbold",`+strings.Join(claims, ",")+`}`)
	r := runDecode(t, nil, "--now", decodeNow, tok)
	r.wantOK(t)
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r", "\b", "\x7f"} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("stdout carries %q raw:\n%q", bad, r.stdout)
		}
	}
	for _, want := range []string{"\uFFFD[2J\uFFFD[H", "\uFFFDgnp.exe", "signed with a shared secret", "exp is not a number"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	// Every line of output is one line of the report: no claim breaks out of its row.
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "break") {
			t.Errorf("a claim value started a new line: %q", line)
		}
	}
	// In JSON the encoder escapes them; the document still carries the exact values.
	r = runDecode(t, nil, "--json", "--now", decodeNow, tok)
	r.wantOK(t)
	if strings.ContainsAny(r.stdout, "\x1b\x07\u009b\u202e\r\b\x7f") {
		t.Errorf("JSON output carries raw control characters: %q", r.stdout)
	}
	if !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, `\u001b[2J`) {
		t.Errorf("JSON output lost the exact value:\n%s", r.stdout)
	}
}

// TestDecodeLocalTimes: text output adds the local time in the zone given to Decode.
func TestDecodeLocalTimes(t *testing.T) {
	now := decodeIat.Add(15 * time.Minute)
	doc := Decode(decodeJWS, now, time.FixedZone("CET", 3600))
	var b bytes.Buffer
	writeDecodeText(&b, doc, 0)
	if !strings.Contains(b.String(), "2026-11-25 11:00:00 UTC (2026-11-25 12:00:00 CET), in 45m") {
		t.Errorf("text:\n%s", b.String())
	}
}

// An exp that cannot be read is not "no expiry": text and JSON both say what is wrong.
func TestDecodeUnreadableExp(t *testing.T) {
	tok := compactJWS(`{"alg":"RS256"}`, `{"sub":"x","exp":1e300}`)
	doc := Decode(tok, decodeIat, time.UTC)
	if doc.Times == nil || doc.Times.State != tokens.NoExpiry || doc.Times.ExpProblem != "is past the year 9999" {
		t.Fatalf("times %+v", doc.Times)
	}
	var out bytes.Buffer
	writeDecodeText(&out, doc, 0)
	if !strings.Contains(out.String(), "no expiry (exp is past the year 9999)") {
		t.Fatalf("text output:\n%s", out.String())
	}
	if doc := Decode(compactJWS(`{"alg":"RS256"}`, `{"sub":"x"}`), decodeIat, time.UTC); doc.Times.ExpProblem != "" {
		t.Fatalf("a token without exp has exp_problem %q", doc.Times.ExpProblem)
	}
}

// longClaimsJWS has a scope longer than any terminal row, a namespaced claim name longer
// than the name column, and two audiences.
var longClaimsJWS = compactJWS(`{"alg":"RS256","typ":"at+jwt","kid":"key-1"}`,
	`{"iss":"https://tenant.example/","sub":"auth0|42","aud":["https://orders.api.example/v2/","https://tenant.example/userinfo"],`+
		`"iat":`+unix(decodeIat)+`,"exp":`+unix(decodeIat.Add(time.Hour))+`,`+
		`"scope":"openid profile email read:orders write:orders delete:orders read:customers write:customers read:invoices write:invoices admin:everything-you-can-imagine offline_access",`+
		`"https://my-company.example.com/claims/a/very/long/namespaced/role/name":["admin","billing"]}`)

// Written to a pipe or a file (not a terminal), decode never cuts: every value is whole,
// on the row of its name.
func TestDecodeTextNeverCutsIntoAPipe(t *testing.T) {
	r := runDecode(t, nil, "--now", decodeNow, longClaimsJWS)
	r.wantOK(t)
	if strings.Contains(r.stdout, "…") {
		t.Errorf("a value was cut:\n%s", r.stdout)
	}
	for _, want := range []string{
		"  scope  openid profile email read:orders write:orders delete:orders read:customers write:customers read:invoices write:invoices admin:everything-you-can-imagine offline_access\n",
		`  aud    ["https://orders.api.example/v2/","https://tenant.example/userinfo"]` + "\n",
		`  https://my-company.example.com/claims/a/very/long/namespaced/role/name  ["admin","billing"]` + "\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks the row %q:\n%s", want, r.stdout)
		}
	}
	// The long name does not widen the column: the others' values start where they did.
	if !strings.Contains(r.stdout, "\n  iss    https://tenant.example/\n         Issuer:") {
		t.Errorf("the name column moved:\n%s", r.stdout)
	}
}

// In a terminal, decode wraps to its width: no row is wider, and every word of every
// value that fits a row is on some row, whole (a longer one is broken, never dropped).
func TestDecodeTextWrapsToTheWidth(t *testing.T) {
	for _, width := range []int{40, 80, 120} {
		var b bytes.Buffer
		writeDecodeText(&b, Decode(longClaimsJWS, decodeIat.Add(15*time.Minute), time.UTC), width)
		out := b.String()
		words := map[string]bool{}
		for i, line := range strings.Split(out, "\n") {
			if w := ansi.StringWidth(line); w > width {
				t.Errorf("width %d: row %d is %d wide: %q", width, i, w, line)
			}
			for _, f := range strings.Fields(line) {
				words[f] = true
			}
		}
		for _, scope := range []string{"admin:everything-you-can-imagine", "offline_access", "write:invoices"} {
			if !words[scope] && len(scope)+len("  scope  ") <= width {
				t.Errorf("width %d: scope %q is not whole on a row:\n%s", width, scope, out)
			}
		}
		if strings.Contains(out, "…") {
			t.Errorf("width %d: a value was cut:\n%s", width, out)
		}
		if flat := strings.Join(strings.Fields(out), ""); !strings.Contains(flat, "admin:everything-you-can-imagine") {
			t.Errorf("width %d: a long scope lost characters:\n%s", width, out)
		}
	}
}
