package keys

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The trace shows a private_key_jwt token request and its answer without the client
// assertion, the secret or any token, and the curl command names them by variable; the
// caller still reads the whole answer.
func TestTraceRedactsAssertionsAndTokens(t *testing.T) {
	const (
		assertion = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjMSJ9.assertion-signature-part"
		access    = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.access-signature-part"
		refresh   = "refresh-token-value-123456"
		echoed    = "a-secret-the-server-echoes"
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/jwt" {
			w.Header().Set("Content-Type", "application/jwt")
			io.WriteString(w, access)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+access+`","refresh_token":"`+refresh+`","token_type":"Bearer","note":"`+echoed+` \u001b[2J"}`)
	}))
	t.Cleanup(srv.Close)
	var verbose, curl bytes.Buffer
	r := &Redactor{}
	r.Add(echoed)
	c := NewHTTPClient(&Trace{Verbose: &verbose, Curl: &curl, Redact: r})

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"c1"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), access) {
		t.Fatalf("the caller did not get the whole answer: %q", body)
	}
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/jwt", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	out := verbose.String() + curl.String()
	for _, secret := range []string{assertion, access, refresh, echoed, "assertion-signature-part", "access-signature-part", "\x1b"} {
		if strings.Contains(out, secret) {
			t.Errorf("trace shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"> POST " + srv.URL + "/token", "< HTTP/1.1 200 OK", "client_assertion=[redacted", `"access_token": "[redacted`, "grant_type=client_credentials"} {
		if !strings.Contains(verbose.String(), want) {
			t.Errorf("verbose lacks %q:\n%s", want, verbose.String())
		}
	}
	for _, want := range []string{`--data-urlencode 'client_assertion='"$CLIENT_ASSERTION"`, `-H "Authorization: Bearer $ACCESS_TOKEN"`} {
		if !strings.Contains(curl.String(), want) {
			t.Errorf("curl lacks %q:\n%s", want, curl.String())
		}
	}
}
