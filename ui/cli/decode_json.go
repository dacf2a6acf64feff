package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// MarshalJSON writes the document field by field, exactly as encoding/json would from the
// struct tags (a test holds the two to the same bytes). Done by reflection, the first
// encoding of these types costs about a third of a `decode --json` process.
func (d *DecodeDoc) MarshalJSON() ([]byte, error) {
	w := jsonWriter{b: make([]byte, 0, 1024)}
	w.open('{')
	w.text("kind", d.Kind.String())
	w.stringOmit("reason", d.Reason)
	if len(d.Notes) > 0 {
		w.key("notes")
		w.open('[')
		for _, n := range d.Notes {
			w.comma()
			w.str(n)
		}
		w.close(']')
	}
	w.stringOmit("use", d.Use)
	w.fields("header", d.Header)
	w.fields("claims", d.Claims)
	w.stringOmit("payload_note", d.PayloadNote)
	if t := d.Times; t != nil {
		w.key("times")
		w.open('{')
		w.time("now", t.Now)
		w.text("state", t.State.String())
		if t.LifetimeSeconds != 0 {
			w.key("lifetime_seconds")
			w.b = strconv.AppendInt(w.b, t.LifetimeSeconds, 10)
		}
		if t.UsedFraction != nil {
			w.key("used_fraction")
			w.float(*t.UsedFraction)
		}
		w.stringOmit("expires", t.ExpiresIn)
		w.stringOmit("exp_problem", t.ExpProblem)
		w.close('}')
	}
	if len(d.Lints) > 0 {
		w.key("lints")
		w.open('[')
		for _, l := range d.Lints {
			w.comma()
			w.open('{')
			w.text("severity", l.Severity.String())
			w.text("code", l.Code)
			w.text("message", l.Message)
			w.close('}')
		}
		w.close(']')
	}
	w.key("length")
	w.b = strconv.AppendInt(w.b, int64(d.Length), 10)
	w.key("verified")
	w.b = strconv.AppendBool(w.b, d.Verified)
	w.close('}')
	return w.b, w.err
}

// jsonWriter appends compact JSON; the first error sticks and is returned at the end.
type jsonWriter struct {
	b     []byte
	first bool // no member or element written yet in the innermost object or array
	err   error
}

func (w *jsonWriter) open(c byte) { w.b, w.first = append(w.b, c), true }

func (w *jsonWriter) close(c byte) { w.b, w.first = append(w.b, c), false }

func (w *jsonWriter) comma() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

func (w *jsonWriter) key(k string) {
	w.comma()
	w.str(k)
	w.b = append(w.b, ':')
}

func (w *jsonWriter) text(k, v string) {
	w.key(k)
	w.str(v)
}

func (w *jsonWriter) stringOmit(k, v string) {
	if v != "" {
		w.text(k, v)
	}
}

func (w *jsonWriter) time(k string, t time.Time) {
	js, err := t.MarshalJSON()
	if err != nil && w.err == nil {
		w.err = err
	}
	w.key(k)
	w.b = append(w.b, js...)
}

// float writes f the way encoding/json does: ES6 number formatting, and an error for NaN
// and the infinities.
func (w *jsonWriter) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if w.err == nil {
			w.err = fmt.Errorf("json: unsupported value: %v", f)
		}
		w.b = append(w.b, '0')
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, f, format, -1, 64)
	if n := len(w.b); format == 'e' && n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
		w.b[n-2] = w.b[n-1] // e-07 → e-7
		w.b = w.b[:n-1]
	}
}

func (w *jsonWriter) fields(k string, fs []DecodedField) {
	if len(fs) == 0 {
		return
	}
	w.key(k)
	w.open('[')
	for _, f := range fs {
		w.comma()
		w.open('{')
		w.text("name", f.Name)
		w.key("value")
		if f.Value == nil {
			w.b = append(w.b, "null"...)
		} else {
			var c bytes.Buffer
			if err := json.Compact(&c, f.Value); err != nil && w.err == nil {
				w.err = err
			}
			w.b = append(w.b, c.Bytes()...)
		}
		w.text("category", string(f.Category))
		w.stringOmit("explanation", f.Explanation)
		if f.Time != nil {
			w.time("time", *f.Time)
		}
		w.stringOmit("time_problem", f.TimeProblem)
		w.stringOmit("relative", f.Relative)
		w.close('}')
	}
	w.close(']')
}

// str appends s as a JSON string, escaped as encoding/json escapes it without HTML
// escaping: quotes, backslashes and control characters, invalid UTF-8 as U+FFFD, and
// U+2028 and U+2029.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	w.b = append(append(b, s[start:]...), '"')
}
