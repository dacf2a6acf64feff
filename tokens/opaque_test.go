package tokens

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// auth0OpaqueJWE is shaped like the access token Auth0 issues when a request names no
// audience: a JWE with alg dir, enc A256GCM and the issuer in the header.
func auth0OpaqueJWE(header string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + ".." + enc([]byte("0123456789ab")) + "." + enc([]byte("ciphertext-bytes")) + "." + enc([]byte("0123456789abcdef"))
}

func TestIssuerEncryptedJWEIsOpaque(t *testing.T) {
	raw := auth0OpaqueJWE(`{"alg":"dir","enc":"A256GCM","iss":"https://dev-abc.us.auth0.com/"}`)
	rep := Validate(raw, Policy{Now: fixedNow}, publicKeys(t))
	if !rep.Opaque || rep.Verdict != VerdictUnverified {
		t.Fatalf("opaque %v verdict %s, want opaque and unverified\n%s", rep.Opaque, rep.Verdict, rep)
	}
	c, _ := rep.Check(CheckJWEKey)
	for _, want := range []string{"encrypted by its issuer https://dev-abc.us.auth0.com/ for itself", "names no audience", "/userinfo", "audience"} {
		if !strings.Contains(c.Reason, want) {
			t.Errorf("jwe key reason %q lacks %q", c.Reason, want)
		}
	}
	if strings.Contains(rep.String(), "--decrypt-key") || !strings.Contains(rep.Summary(), "only the issuer can read") {
		t.Errorf("report offers decryption or hides what the token is:\n%s", rep)
	}
	js, _ := json.Marshal(rep)
	if !strings.Contains(string(js), `"opaque":true`) {
		t.Errorf("JSON lacks opaque: %s", js)
	}
	tok, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ex := Explain(tok)
	if strings.Contains(ex.PayloadNote, "decrypt-key") || !strings.Contains(ex.PayloadNote, "Auth0 issues one when the request names no audience") {
		t.Errorf("payload note %q", ex.PayloadNote)
	}
}

func TestIssuerEncrypted(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{`{"alg":"dir","enc":"A256GCM","iss":"https://dev-abc.us.auth0.com/"}`, true},
		{`{"alg":"dir","enc":"A256GCM"}`, false},                                 // a shared key the user may hold
		{`{"alg":"RSA-OAEP","enc":"A256GCM","iss":"https://x.example/"}`, false}, // encrypted to a recipient's key
		{`{"alg":"dir","enc":"A256GCM","iss":""}`, false},
	}
	for _, tc := range cases {
		tok, err := Parse(auth0OpaqueJWE(tc.header))
		if err != nil {
			t.Fatalf("%s: %v", tc.header, err)
		}
		if _, got := IssuerEncrypted(tok); got != tc.want {
			t.Errorf("%s: IssuerEncrypted %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestAudienceChecked(t *testing.T) {
	tok := jws(`{"alg":"ES256","typ":"JWT"}`, claimsAt(""), signer(t, "ES256"))
	for _, tc := range []struct {
		auds []string
		want bool
	}{{nil, false}, {[]string{"https://api.other.test/"}, true}} {
		rep := Validate(tok, Policy{Now: fixedNow, Audiences: tc.auds}, publicKeys(t))
		js, _ := json.Marshal(rep)
		if rep.AudienceChecked != tc.want || !strings.Contains(string(js), `"audience_checked":`) {
			t.Errorf("audiences %v: audience_checked %v, want %v (%s)", tc.auds, rep.AudienceChecked, tc.want, js)
		}
	}
}

func TestProviderQuirksAreNotFindings(t *testing.T) {
	exp := `"exp":` + jsonNum(testNow.Unix()+600)
	cases := []struct {
		name, header, claims string
		inLint               string // "" means no lint beyond typ-not-at-jwt
	}{
		{"Auth0 updated_at as ISO string", `{"alg":"RS256","typ":"JWT"}`, `{"iss":"https://dev-abc.us.auth0.com/","updated_at":"2026-11-20T10:00:00.000Z","nonce":"n",` + exp + `}`, ""},
		{"Auth0 access token without at+jwt", `{"alg":"RS256","typ":"JWT"}`, `{"iss":"https://dev-abc.us.auth0.com/","scope":"read","permissions":["read"],` + exp + `}`, "per-API setting"},
		{"Okta scp cid uid", `{"alg":"RS256","typ":"JWT"}`, `{"iss":"https://x.okta.com/oauth2/default","scp":["read"],"cid":"c","uid":"u","ver":1,` + exp + `}`, "RFC 9068 recommends"},
		{"Entra scp roles appid ver", `{"alg":"RS256","typ":"JWT"}`, `{"iss":"https://login.microsoftonline.com/t/v2.0","scp":"read","roles":["r"],"appid":"a","ver":"1.0",` + exp + `}`, "RFC 9068 recommends"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Parse(jws(tc.header, tc.claims, signer(t, "ES256")))
			if err != nil {
				t.Fatal(err)
			}
			ex := Explain(tok)
			for _, l := range ex.Lints {
				if l.Severity != Info || (l.Code != "typ-not-at-jwt") {
					t.Errorf("lint %+v is a finding", l)
				}
				if tc.inLint != "" && !strings.Contains(l.Message, tc.inLint) {
					t.Errorf("lint %q lacks %q", l.Message, tc.inLint)
				}
			}
			for _, f := range ex.Claims {
				if f.Category == CatCustom {
					t.Errorf("claim %s is unexplained", f.Name)
				}
				if f.Name == "updated_at" && (f.Time == nil || !strings.Contains(f.Explanation, "Auth0")) {
					t.Errorf("updated_at: time %v, explanation %q", f.Time, f.Explanation)
				}
			}
		})
	}
}

func TestBareOpaqueTokenIsUnverifiedNotBroken(t *testing.T) {
	rep := Validate("k2Xj0c9QeVbN3mUp7RtY1wZa", Policy{Now: fixedNow}, publicKeys(t))
	c, _ := rep.Check(CheckStructure)
	if !rep.Opaque || rep.Kind != Opaque || rep.Verdict != VerdictUnverified || c.Status != StatusSkip || !strings.Contains(c.Reason, "names no audience") {
		t.Errorf("bare opaque: %+v\n%s", rep.Verdict, rep)
	}
	// A string with dots is a broken JWT, refused as before; so is anything too short.
	for _, raw := range []string{"k2Xj0c9QeVbN3mUp.7RtY1wZa", "abc"} {
		if rep := Validate(raw, Policy{Now: fixedNow}, publicKeys(t)); rep.Opaque || rep.Verdict != VerdictInvalid {
			t.Errorf("%q: opaque %v verdict %s", raw, rep.Opaque, rep.Verdict)
		}
	}
}
