// Package cli holds tokenbench's scriptable subcommands. Every command follows one
// contract: results on stdout, diagnostics on stderr, --json for scripts, and exit codes
// 0 (ok / valid), 1 (not a token, invalid token, check failed), 2 (usage or I/O error).
package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
)

// Exit codes shared by every subcommand.
const (
	ExitOK      = 0
	ExitInvalid = 1
	ExitUsage   = 2
)

// ExitError carries the process exit code for an error. Its message is printed as one
// line on stderr by Execute.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Fail returns an error that makes Execute exit with code and print the formatted message.
func Fail(code int, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

// Silent returns an error that sets the exit code without printing anything more: used
// when the command already wrote its result (an invalid report, say) to stdout.
func Silent(code int) error { return &ExitError{Code: code} }

// Execute runs root and turns its outcome into an exit code: usage mistakes and I/O errors
// are 2, errors that carry an ExitError use its code. It never lets a panic through.
func Execute(root *cobra.Command, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "tokenbench: internal error: %v\n", r)
			code = ExitUsage
		}
	}()
	root.SilenceErrors = true
	root.SilenceUsage = true
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "tokenbench: %s\n", safeLine(ee.Err.Error()))
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "tokenbench: %s\n", safeLine(err.Error()))
	return ExitUsage
}

// safeLine is the first line of s with everything a terminal could act on replaced (see
// tokens.SafeText): error messages carry what providers and files said.
func safeLine(s string) string { return tokens.SafeText(oneLine(s)) }

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// maxInput bounds what is read from stdin or a file before normalisation: a token may
// arrive with an Authorization header and whitespace around it, but anything this large
// is refused without reading the rest.
const maxInput = tokens.MaxTokenSize + 4096

// ReadTokenInput returns the raw text of the token named by args: the single argument,
// "-" or no argument with stdin not a terminal for stdin, or the file at path when path is
// not empty. Input over the size cap is refused as not a token (exit 1).
func ReadTokenInput(args []string, path string, stdin io.Reader, stdinIsTTY bool) (string, error) {
	switch {
	case path != "" && len(args) > 0:
		return "", Fail(ExitUsage, "give a token or --file, not both")
	case path != "":
		f, err := os.Open(path)
		if err != nil {
			return "", Fail(ExitUsage, "cannot read token file: %v", err)
		}
		defer f.Close()
		return readCapped(f, path)
	case len(args) > 1:
		return "", Fail(ExitUsage, "expected one token, got %d arguments", len(args))
	case len(args) == 1 && args[0] != "-":
		if len(args[0]) > maxInput {
			return "", Fail(ExitInvalid, "not a token: input is larger than the %d KiB limit", tokens.MaxTokenSize>>10)
		}
		return args[0], nil
	case len(args) == 1 || !stdinIsTTY:
		return readCapped(stdin, "stdin")
	default:
		return "", Fail(ExitUsage, "no token given: pass it as an argument, '-' for stdin, or pipe it in")
	}
}

func readCapped(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return "", Fail(ExitUsage, "cannot read %s: %v", name, err)
	}
	if len(b) > maxInput {
		return "", Fail(ExitInvalid, "not a token: input on %s is larger than the %d KiB limit", name, tokens.MaxTokenSize>>10)
	}
	return string(b), nil
}

// WriteJSON writes v to w as indented JSON followed by a newline. Characters that
// encoding/json leaves raw but a terminal may act on or that reorder text (DEL, C1
// controls, bidi controls) are written as \u escapes too, so that `tokenbench … --json`
// in a terminal is as safe as the text output; the JSON means exactly the same.
func WriteJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeForTerminal(b.Bytes()))
	return err
}

// escapeForTerminal rewrites the runes SafeText would replace as JSON \u escapes. Outside
// strings JSON is plain ASCII, so every such rune is inside a string and the escape is
// an exact equivalent.
func escapeForTerminal(js []byte) []byte {
	var out []byte // nil until the first rune that needs it
	start := 0
	for i := 0; i < len(js); {
		r, size := rune(js[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(js[i:])
		}
		if r >= 0x20 && tokens.UnsafeRune(r) { // below 0x20 only the indentation's newlines remain
			out = fmt.Appendf(append(out, js[start:i]...), "\\u%04x", r)
			start = i + size
		}
		i += size
	}
	if out == nil {
		return js
	}
	return append(out, js[start:]...)
}

// StdinIsTTY reports whether standard input is a terminal (nothing piped in).
func StdinIsTTY() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ParseTime reads a --now value: RFC 3339 ("2026-11-25T10:00:00Z") or Unix seconds.
func ParseTime(s string) (time.Time, error) {
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, Fail(ExitUsage, "--now %q is neither RFC 3339 (2026-11-25T10:00:00Z) nor Unix seconds", s)
	}
	return t, nil
}
