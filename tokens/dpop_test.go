package tokens

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

var dpopNow = time.Unix(1_850_000_000, 0)

// signProof signs claims with the P-256 test key and a header built from typ, alg and jwk,
// for proofs MintDPoPProof would never make.
func signProof(t *testing.T, alg jose.SignatureAlgorithm, key any, typ string, jwk json.RawMessage, claims string) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts.WithType(jose.ContentType(typ))
	}
	if jwk != nil {
		opts.WithHeader("jwk", jwk)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func checkStatus(t *testing.T, checks []Check, name string, want Status, reason string) {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			if c.Status != want || !strings.Contains(c.Reason, reason) {
				t.Errorf("%s: %s %q, want %s with %q", name, c.Status, c.Reason, want, reason)
			}
			return
		}
	}
	t.Errorf("no %s check in %v", name, checks)
}

func TestDPoPProofRoundTrip(t *testing.T) {
	k := mintTestKeys()
	for _, key := range []*SigningKey{{Key: k.p256}, {Key: k.rsa}, {Key: k.ed}, {Key: k.rsa, Alg: "PS256"}} {
		proof, err := MintDPoPProof(key, DPoPProofRequest{Method: "POST", URL: "https://api.test/orders", AccessToken: "at-1", Now: dpopNow})
		if err != nil {
			t.Fatal(err)
		}
		res := CheckDPoPProof(proof, DPoPOptions{Method: "POST", URL: "HTTPS://API.test:443/orders?x=1#f", AccessToken: "at-1", Now: func() time.Time { return dpopNow.Add(30 * time.Second) }})
		if !res.Valid() {
			t.Errorf("%s: %v", key.DefaultAlg(), res.Checks)
		}
		pub, _ := key.Public()
		if want, _ := Thumbprint(pub); res.Thumbprint != want {
			t.Errorf("thumbprint %q, want %q", res.Thumbprint, want)
		}
		tok, _ := Parse(proof)
		if !IsDPoPProof(tok) || tok.Header.Has("kid") {
			t.Errorf("header %s", tok.HeaderJSON)
		}
	}
	if _, err := MintDPoPProof(&SigningKey{Key: make([]byte, 32)}, DPoPProofRequest{Method: "GET", URL: "https://x.test/"}); err == nil {
		t.Error("a proof signed with a shared secret")
	}
}

// TestDPoPProofNegative is a Wycheproof-style table: each proof breaks one rule of RFC 9449
// §4.3 and must fail exactly that check.
func TestDPoPProofNegative(t *testing.T) {
	k := mintTestKeys()
	key := &SigningKey{Key: k.p256}
	proof := func(req DPoPProofRequest) string {
		if req.Method == "" {
			req.Method = "GET"
		}
		if req.URL == "" {
			req.URL = "https://api.test/r"
		}
		if req.Now.IsZero() {
			req.Now = dpopNow
		}
		p, err := MintDPoPProof(key, req)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	pubJWK, _ := jose.JSONWebKey{Key: &k.p256.PublicKey}.MarshalJSON()
	privJWK, _ := jose.JSONWebKey{Key: k.p256}.MarshalJSON()
	otherJWK, _ := jose.JSONWebKey{Key: &k.p384.PublicKey}.MarshalJSON()
	claims := `{"jti":"j","htm":"GET","htu":"https://api.test/r","iat":1850000000}`
	opts := DPoPOptions{Method: "GET", URL: "https://api.test/r", Now: func() time.Time { return dpopNow }}

	for _, tc := range []struct {
		name   string
		proof  string
		opts   func(o *DPoPOptions)
		check  string
		reason string
	}{
		{"wrong htm", proof(DPoPProofRequest{Method: "POST"}), nil, CheckDPoPMethod, "the request is GET"},
		{"htm case", proof(DPoPProofRequest{Method: "get"}), nil, CheckDPoPMethod, "the request is GET"},
		{"wrong htu path", proof(DPoPProofRequest{URL: "https://api.test/other"}), nil, CheckDPoPURL, "the request is https://api.test/r"},
		{"wrong htu host", proof(DPoPProofRequest{URL: "https://evil.test/r"}), nil, CheckDPoPURL, "the request is"},
		{"wrong htu scheme", proof(DPoPProofRequest{URL: "http://api.test/r"}), nil, CheckDPoPURL, "the request is"},
		{"wrong htu port", proof(DPoPProofRequest{URL: "https://api.test:8443/r"}), nil, CheckDPoPURL, "the request is"},
		{"htu not a URL", proof(DPoPProofRequest{URL: "/r"}), nil, CheckDPoPURL, "not an absolute"},
		{"stale iat", proof(DPoPProofRequest{Now: dpopNow.Add(-10 * time.Minute)}), nil, CheckDPoPIssuedAt, "stale"},
		{"just past the window", proof(DPoPProofRequest{Now: dpopNow.Add(-6*time.Minute - time.Second)}), nil, CheckDPoPIssuedAt, "stale"},
		{"future iat", proof(DPoPProofRequest{Now: dpopNow.Add(2 * time.Minute)}), nil, CheckDPoPIssuedAt, "in the future"},
		{"stale with no leeway", proof(DPoPProofRequest{Now: dpopNow.Add(-5*time.Minute - time.Second)}), func(o *DPoPOptions) { o.Leeway = -1 }, CheckDPoPIssuedAt, "stale"},
		{"ath mismatch", proof(DPoPProofRequest{AccessToken: "token-A"}), func(o *DPoPOptions) { o.AccessToken = "token-B" }, CheckDPoPATH, "does not match"},
		{"ath missing", proof(DPoPProofRequest{}), func(o *DPoPOptions) { o.AccessToken = "token-B" }, CheckDPoPATH, "missing"},
		{"private key in jwk", signProof(t, jose.ES256, k.p256, "dpop+jwt", privJWK, claims), nil, CheckDPoPKey, `private member d`},
		{"symmetric jwk", signProof(t, jose.ES256, k.p256, "dpop+jwt", json.RawMessage(`{"kty":"oct","k":"AAAA"}`), claims), nil, CheckDPoPKey, "private member k"},
		{"no jwk", signProof(t, jose.ES256, k.p256, "dpop+jwt", nil, claims), nil, CheckDPoPKey, "no jwk"},
		{"jwk of another key", signProof(t, jose.ES256, k.p256, "dpop+jwt", otherJWK, claims), nil, CheckDPoPSignature, "P-384 does not match ES256"},
		{"jwk not a key", signProof(t, jose.ES256, k.p256, "dpop+jwt", json.RawMessage(`"x"`), claims), nil, CheckDPoPKey, "not a JSON object"},
		{"wrong typ", signProof(t, jose.ES256, k.p256, "JWT", pubJWK, claims), nil, CheckDPoPType, "must say dpop+jwt"},
		{"HMAC", signProof(t, jose.HS256, make([]byte, 32), "dpop+jwt", pubJWK, claims), nil, CheckDPoPAlgorithm, "symmetric"},
		{"alg not allowed", proof(DPoPProofRequest{}), func(o *DPoPOptions) { o.Algorithms = []string{"RS256"} }, CheckDPoPAlgorithm, "not allowed"},
		{"no jti", signProof(t, jose.ES256, k.p256, "dpop+jwt", pubJWK, `{"htm":"GET","htu":"https://api.test/r","iat":1850000000}`), nil, CheckDPoPJTI, "missing"},
		{"no iat", signProof(t, jose.ES256, k.p256, "dpop+jwt", pubJWK, `{"jti":"j","htm":"GET","htu":"https://api.test/r"}`), nil, CheckDPoPIssuedAt, "missing"},
		{"htm not a string", signProof(t, jose.ES256, k.p256, "dpop+jwt", pubJWK, `{"jti":"j","htm":1,"htu":"https://api.test/r","iat":1850000000}`), nil, CheckDPoPMethod, "not a string"},
		{"not a token", "a.b", nil, CheckDPoPStructure, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			if tc.opts != nil {
				tc.opts(&o)
			}
			res := CheckDPoPProof(tc.proof, o)
			if res.Valid() {
				t.Fatalf("valid: %v", res.Checks)
			}
			checkStatus(t, res.Checks, tc.check, StatusFail, tc.reason)
			failed := 0
			for _, c := range res.Checks {
				if c.Status == StatusFail {
					failed++
				}
			}
			if failed != 1 {
				t.Errorf("%d checks failed, want only %s: %v", failed, tc.check, res.Checks)
			}
		})
	}

	// A tampered signature: the claims changed after signing.
	good := proof(DPoPProofRequest{})
	parts := strings.Split(good, ".")
	other := strings.Split(proof(DPoPProofRequest{Method: "POST"}), ".")
	res := CheckDPoPProof(parts[0]+"."+other[1]+"."+parts[2], DPoPOptions{Method: "POST", URL: "https://api.test/r", Now: opts.Now})
	checkStatus(t, res.Checks, CheckDPoPSignature, StatusFail, "does not verify")
}

func TestDPoPSkippedComparisons(t *testing.T) {
	k := mintTestKeys()
	p, err := MintDPoPProof(&SigningKey{Key: k.ed}, DPoPProofRequest{Method: "GET", URL: "https://a.test/", AccessToken: "t", Now: dpopNow})
	if err != nil {
		t.Fatal(err)
	}
	res := CheckDPoPProof(p, DPoPOptions{Now: func() time.Time { return dpopNow }})
	for _, n := range []string{CheckDPoPMethod, CheckDPoPURL, CheckDPoPATH} {
		checkStatus(t, res.Checks, n, StatusSkip, "")
	}
	if !res.Valid() {
		t.Errorf("skips made it invalid: %v", res.Checks)
	}
}

func TestDPoPBinding(t *testing.T) {
	for _, tc := range []struct {
		claims, jkt string
		want        Status
		reason      string
	}{
		{`{"cnf":{"jkt":"abc"}}`, "abc", StatusPass, "equals"},
		{`{"cnf":{"jkt":"abc"}}`, "abd", StatusFail, `cnf.jkt is abc; the proof's key is abd`},
		{`{"cnf":{"x5t#S256":"abc"}}`, "abc", StatusFail, "not bound"},
		{`{"sub":"a"}`, "abc", StatusFail, "not bound"},
		{`{"cnf":"abc"}`, "abc", StatusFail, "not bound"},
		{`{"cnf":{"jkt":"abc"}}`, "", StatusFail, "unusable"},
	} {
		c, _ := ParseClaims([]byte(tc.claims))
		got := CheckDPoPBindingOf(c, tc.jkt)
		if got.Name != CheckDPoPBinding || got.Status != tc.want || !strings.Contains(got.Reason, tc.reason) {
			t.Errorf("%s with %q: %+v", tc.claims, tc.jkt, got)
		}
	}
}

func TestExplainDPoP(t *testing.T) {
	k := mintTestKeys()
	p, _ := MintDPoPProof(&SigningKey{Key: k.p256}, DPoPProofRequest{Method: "GET", URL: "https://a.test/", Now: dpopNow})
	tok, _ := Parse(p)
	e := Explain(tok)
	if e.Use != "DPoP proof" || !hasLint(e, "dpop-proof") || hasLint(e, "no-exp") {
		t.Errorf("proof: use %q lints %v", e.Use, e.Lints)
	}
	pub, _ := (&SigningKey{Key: k.p256}).Public()
	jkt, _ := Thumbprint(pub)
	found := false
	for _, l := range e.Lints {
		found = found || (l.Code == "dpop-proof" && strings.Contains(l.Message, jkt))
	}
	if !found {
		t.Errorf("the proof's thumbprint %s is not shown: %v", jkt, e.Lints)
	}
	at, _ := Sign(&SigningKey{Key: k.p256}, Header{}, Object{{"cnf", json.RawMessage(`{"jkt":"xyz"}`)}, {"exp", json.RawMessage(`1850003600`)}})
	tok, _ = Parse(at)
	if e := Explain(tok); !hasLint(e, "dpop-bound") {
		t.Errorf("cnf.jkt not explained: %v", e.Lints)
	}
}

func hasLint(e *Explanation, code string) bool {
	for _, l := range e.Lints {
		if l.Code == code {
			return true
		}
	}
	return false
}

// TestThumbprintRFC7638 is the example of RFC 7638 §3.1.
func TestThumbprintRFC7638(t *testing.T) {
	var jwk jose.JSONWebKey
	err := jwk.UnmarshalJSON([]byte(`{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Thumbprint(jwk)
	if err != nil || got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("thumbprint %q, %v", got, err)
	}
	k := mintTestKeys()
	priv, _ := Thumbprint(jose.JSONWebKey{Key: k.p256})
	pub, _ := Thumbprint(jose.JSONWebKey{Key: &k.p256.PublicKey})
	if priv != pub || priv == "" {
		t.Errorf("private %q and public %q thumbprints differ", priv, pub)
	}
}
