package oauth

import (
	"net/url"
	"testing"
)

// FuzzCheckCallback feeds arbitrary query strings to the loopback callback's check: it
// must never panic, and it may only hand out a code when state (and iss, when sent)
// matched.
func FuzzCheckCallback(f *testing.F) {
	f.Add("code=abc&state=s1")
	f.Add("code=abc&state=s1&iss=https%3A%2F%2Fissuer.example%2F")
	f.Add("error=access_denied&state=s1")
	f.Add("state=s1&state=s2&code=x")
	f.Add("iss=a&iss=b")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, advertised := range []bool{false, true} {
			res := checkCallback(q, "s1", "https://issuer.example/", advertised)
			if res.code == "" {
				continue
			}
			if res.err != nil || len(q["state"]) != 1 || q.Get("state") != "s1" || len(q["code"]) != 1 || q.Get("code") != res.code {
				t.Fatalf("code %q handed out for %q", res.code, raw)
			}
			if iss, ok := q["iss"]; (ok || advertised) && (len(iss) != 1 || iss[0] != "https://issuer.example/") {
				t.Fatalf("code handed out with iss %q for %q", iss, raw)
			}
		}
	})
}

// FuzzDecodeTokenSet checks that a keyring entry, whatever it holds, decodes to a set
// with an access token or to an error, never a panic.
func FuzzDecodeTokenSet(f *testing.F) {
	f.Add([]byte(`{"v":1,"access_token":"a","expiry":"2026-11-25T10:00:00Z"}`))
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := DecodeTokenSet(b)
		if err == nil && (ts == nil || ts.AccessToken == "") {
			t.Fatalf("accepted %q without an access token", b)
		}
	})
}

// FuzzBearerError reads arbitrary WWW-Authenticate headers without panicking.
func FuzzBearerError(f *testing.F) {
	f.Add(`Bearer error="invalid_token", error_description="expired"`)
	f.Add(`Basic realm="x"`)
	f.Fuzz(func(t *testing.T, h string) {
		_, _ = bearerError(h)
	})
}
