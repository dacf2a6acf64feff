package cli

import (
	"net/http"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens/keys"
)

// traceFlags are --verbose and --curl, on every command that talks to a provider.
type traceFlags struct {
	verbose, curl bool
}

// addTraceFlags gives cmd --verbose and --curl; traceOf reads them.
func addTraceFlags(cmd *cobra.Command) {
	cmd.Flags().BoolP("verbose", "v", false, "show each HTTP exchange on stderr (secrets and tokens redacted)")
	cmd.Flags().Bool("curl", false, "show each HTTP request as the curl command that repeats it, on stderr (secrets as $VARIABLES)")
}

// traceOf returns the values of cmd's --verbose and --curl (false where it has none).
func traceOf(cmd *cobra.Command) traceFlags {
	v, _ := cmd.Flags().GetBool("verbose")
	c, _ := cmd.Flags().GetBool("curl")
	return traceFlags{verbose: v, curl: c}
}

// client returns the guarded HTTP client with the trace in front of base's transport
// (base nil: the default client), or base itself when neither flag is set.
func (f traceFlags) client(cmd *cobra.Command, base *http.Client, r *keys.Redactor) *http.Client {
	if !f.verbose && !f.curl {
		return base
	}
	t := &keys.Trace{Redact: r}
	if f.verbose {
		t.Verbose = cmd.ErrOrStderr()
	}
	if f.curl {
		t.Curl = cmd.ErrOrStderr()
	}
	if base == nil {
		return keys.NewHTTPClient(t)
	}
	c := *base
	t.Next = c.Transport
	c.Transport = t
	return &c
}
