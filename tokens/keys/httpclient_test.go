package keys

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// closeRecorder is a request body that remembers being closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// The guarded transport refuses a plain-http request to a remote host before sending it,
// and closes its body as every RoundTripper must (a form with a client secret would
// otherwise stay open until collected).
func TestGuardedTransportClosesRefusedBody(t *testing.T) {
	body := &closeRecorder{Reader: strings.NewReader("client_secret=s")}
	req, err := http.NewRequest(http.MethodPost, "http://example.com/oauth/token", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := NewHTTPClient(nil).Transport.RoundTrip(req)
	if !errors.Is(err, ErrInsecureURL) || resp != nil {
		t.Fatalf("resp %v, err %v, want ErrInsecureURL", resp, err)
	}
	if !body.closed {
		t.Fatal("the refused request's body was left open")
	}
}
