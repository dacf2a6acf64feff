package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tokenbench/tokenbench/tokens"
)

// Redactor replaces known secret values (a client secret, the tokens a command handles)
// wherever they appear in text meant for people: a provider may echo a secret in an
// error description, and a trace must never show one. The zero Redactor redacts nothing
// until values are added; it is safe for concurrent use.
type Redactor struct {
	mu     sync.Mutex
	values []string
}

// minSecretLen keeps short values out of the list: replacing "ab" everywhere would
// garble text without protecting anything.
const minSecretLen = 6

// Add makes r redact each of values from now on. Values shorter than six bytes are
// ignored.
func (r *Redactor) Add(values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) >= minSecretLen && !slices.Contains(r.values, v) {
			r.values = append(r.values, v)
		}
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.Slice(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
}

// Redact returns s with every added value replaced by "[redacted]".
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// Redacted returns err with its message passed through r; errors.Is and errors.As see
// err's chain unchanged. It returns nil for a nil err.
func (r *Redactor) Redacted(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, r: r}
}

type redactedError struct {
	err error
	r   *Redactor
}

func (e *redactedError) Error() string { return e.r.Redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// secretFields are the form parameters (RFC 6749, 7009, 7523, 7636, 7662, 8628, 8693) and
// the JSON response members that hold a credential or a token, with the environment
// variable a curl command names in their place.
var secretFields = map[string]string{
	"client_secret":    "TOKENBENCH_CLIENT_SECRET",
	"client_assertion": "CLIENT_ASSERTION",
	"assertion":        "ASSERTION",
	"code":             "CODE",
	"code_verifier":    "CODE_VERIFIER",
	"device_code":      "DEVICE_CODE",
	"refresh_token":    "REFRESH_TOKEN",
	"access_token":     "ACCESS_TOKEN",
	"id_token":         "ID_TOKEN",
	"token":            "TOKEN",
	"subject_token":    "SUBJECT_TOKEN",
	"actor_token":      "ACTOR_TOKEN",
	"password":         "PASSWORD",
}

// maxTraceBody bounds the part of a body a trace shows; a JWKS or a large profile is cut
// there, with the number of bytes left out.
const maxTraceBody = 8 << 10

// Trace is an http.RoundTripper that shows each exchange with a provider, so that a user
// can see and repeat what tokenbench did: with Verbose set, the method, URL, status,
// headers and bodies; with Curl set, the equivalent curl command. Credentials and tokens
// (Authorization headers, the secretFields of forms and JSON answers, and every value
// added to Redact) are never written: curl commands name environment variables in their
// place ("$TOKENBENCH_CLIENT_SECRET"), the verbose log says how long they were. Every
// line passes through tokens.SafeText, since URLs, headers and bodies come from outside.
type Trace struct {
	// Next makes the requests; nil means http.DefaultTransport.
	Next    http.RoundTripper
	Verbose io.Writer
	Curl    io.Writer
	Redact  *Redactor

	mu sync.Mutex // one exchange's lines stay together
}

// RoundTrip sends req through Next and writes what was sent and received.
func (t *Trace) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxTraceBody*8))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		// RoundTrip must not change the caller's request: the copy carries the body read.
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	start := time.Now()
	resp, err := next.RoundTrip(req)
	took := time.Since(start)

	var respBody []byte
	if err == nil && resp.Body != nil && t.Verbose != nil {
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, maxTraceBody+1))
		respBody = b
		// What was read is handed on in front of the rest, so the caller reads the same
		// bytes (and its own size cap still applies).
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
		if rerr != nil {
			respBody = append(respBody, []byte(" [reading failed]")...)
		}
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.Curl != nil {
		t.writeCurl(req, reqBody)
	}
	if t.Verbose != nil {
		t.writeVerbose(req, reqBody, resp, respBody, err, took)
	}
	return resp, err
}

func (t *Trace) line(w io.Writer, prefix, s string) {
	fmt.Fprintf(w, "%s%s\n", prefix, tokens.SafeText(t.Redact.Redact(s)))
}

func (t *Trace) writeVerbose(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, err error, took time.Duration) {
	w := t.Verbose
	t.line(w, "> ", req.Method+" "+req.URL.String())
	writeHeaders(t, w, "> ", req.Header)
	if len(reqBody) > 0 {
		t.line(w, "> ", "")
		for _, l := range bodyLines(req.Header.Get("Content-Type"), reqBody) {
			t.line(w, "> ", l)
		}
	}
	if err != nil {
		t.line(w, "< ", fmt.Sprintf("no answer after %d ms: %v", took.Milliseconds(), err))
		return
	}
	t.line(w, "< ", fmt.Sprintf("%s %s (%d ms)", resp.Proto, resp.Status, took.Milliseconds()))
	writeHeaders(t, w, "< ", resp.Header)
	if len(respBody) > 0 {
		t.line(w, "< ", "")
		for _, l := range bodyLines(resp.Header.Get("Content-Type"), respBody) {
			t.line(w, "< ", l)
		}
	}
	fmt.Fprintln(w)
}

func writeHeaders(t *Trace, w io.Writer, prefix string, h http.Header) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			t.line(w, prefix, k+": "+headerValue(k, v))
		}
	}
}

// headerValue hides credentials in a header: the Basic password (the client ID is
// shown), a Bearer or DPoP token, cookies.
func headerValue(name, v string) string {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		scheme, cred, _ := strings.Cut(v, " ")
		if strings.EqualFold(scheme, "basic") {
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				id, _, _ := strings.Cut(string(raw), ":")
				if u, err := url.QueryUnescape(id); err == nil {
					id = u
				}
				return fmt.Sprintf("Basic [client ID %q, secret redacted]", id)
			}
		}
		return scheme + " " + hidden(cred)
	case "dpop", "cookie", "set-cookie":
		return hidden(v)
	}
	return v
}

func hidden(v string) string { return fmt.Sprintf("[redacted, %d characters]", len(v)) }

// bodyLines renders a body for the log: a form one parameter a line, a JSON object
// indented, anything else as text, with the secretFields hidden and long bodies cut.
func bodyLines(contentType string, body []byte) []string {
	cut := ""
	if len(body) > maxTraceBody {
		body, cut = body[:maxTraceBody], fmt.Sprintf("… (cut: more than %d bytes)", maxTraceBody)
	}
	var lines []string
	switch {
	case strings.HasPrefix(contentType, "application/x-www-form-urlencoded"):
		form, err := url.ParseQuery(string(body))
		if err != nil {
			lines = []string{"[a form that does not parse]"}
			break
		}
		for _, k := range sortedKeys(form) {
			for _, v := range form[k] {
				if _, secret := secretFields[k]; secret {
					v = hidden(v)
				}
				lines = append(lines, k+"="+v)
			}
		}
	default:
		var obj map[string]json.RawMessage
		if json.Unmarshal(body, &obj) == nil {
			for k := range obj {
				if _, secret := secretFields[k]; secret {
					var s string
					if json.Unmarshal(obj[k], &s) == nil {
						obj[k], _ = json.Marshal(hidden(s))
					}
				}
			}
			b, _ := json.MarshalIndent(obj, "", "  ")
			body = b
		} else if strings.Contains(contentType, "json") || len(bytes.TrimSpace(body)) == 0 {
			// Not an object: shown as sent.
		} else if looksLikeToken(body) {
			// A bare token (application/jwt answers): never shown.
			body = []byte(hidden(string(body)))
		}
		lines = strings.Split(strings.TrimRight(string(body), "\n"), "\n")
	}
	if cut != "" {
		lines = append(lines, cut)
	}
	return lines
}

func looksLikeToken(b []byte) bool {
	s := string(bytes.TrimSpace(b))
	return strings.Count(s, ".") >= 2 && !strings.ContainsAny(s, " \n<")
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeCurl writes req as a curl command. Secrets become environment variable
// references, so the command can be pasted after exporting them.
func (t *Trace) writeCurl(req *http.Request, body []byte) {
	var b strings.Builder
	b.WriteString("curl -sS")
	if req.Method != http.MethodGet || len(body) > 0 {
		b.WriteString(" -X " + shellQuote(req.Method))
	}
	b.WriteString(" " + shellQuote(req.URL.String()))
	for _, k := range sortedKeys(url.Values(req.Header)) {
		for _, v := range req.Header[k] {
			switch strings.ToLower(k) {
			case "authorization":
				scheme, cred, _ := strings.Cut(v, " ")
				switch {
				case strings.EqualFold(scheme, "basic"):
					id := "$CLIENT_ID"
					if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
						id, _, _ = strings.Cut(string(raw), ":")
						if u, err := url.QueryUnescape(id); err == nil {
							id = u
						}
						id = shellQuote(id + ":")
					}
					b.WriteString(" \\\n  -u " + id + `"$TOKENBENCH_CLIENT_SECRET"`)
				default:
					b.WriteString(" \\\n  -H " + `"Authorization: ` + scheme + ` $ACCESS_TOKEN"`)
				}
			case "content-length", "user-agent", "accept-encoding":
			case "content-type":
				if !strings.HasPrefix(v, "application/x-www-form-urlencoded") {
					b.WriteString(" \\\n  -H " + shellQuote(k+": "+v))
				}
			default:
				b.WriteString(" \\\n  -H " + shellQuote(k+": "+v))
			}
		}
	}
	if len(body) > 0 {
		if form, err := url.ParseQuery(string(body)); err == nil && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			for _, k := range sortedKeys(form) {
				for _, v := range form[k] {
					if env, secret := secretFields[k]; secret {
						b.WriteString(" \\\n  --data-urlencode " + shellQuote(k+"=") + `"$` + env + `"`)
						continue
					}
					b.WriteString(" \\\n  --data-urlencode " + shellQuote(k+"="+v))
				}
			}
		} else {
			b.WriteString(" \\\n  --data-binary " + shellQuote(string(body)))
		}
	}
	for _, l := range strings.Split(b.String(), "\n") {
		t.line(t.Curl, "", l)
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
