package tokens

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func basePolicy() Policy {
	return Policy{Issuer: "https://issuer.example/", Audiences: []string{"api://default"}, Now: fixedNow}
}

func status(r *Report, name string) Status {
	c, ok := r.Check(name)
	if !ok {
		return ""
	}
	return c.Status
}

func TestValidateEachAlgorithm(t *testing.T) {
	for _, tc := range []struct{ alg, kid string }{
		{"RS256", "rsa1"}, {"RS384", "rsa1"}, {"RS512", "rsa1"},
		{"PS256", "rsa1"}, {"PS384", "rsa1"}, {"PS512", "rsa1"},
		{"ES256", "p256"}, {"ES384", "p384"}, {"ES512", "p521"},
		{"EdDSA", "ed"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			tok := jws(`{"alg":"`+tc.alg+`","kid":"`+tc.kid+`","typ":"JWT"}`, claimsAt(""), signer(t, tc.alg))
			rep := Validate(tok, basePolicy(), publicKeys(t))
			if !rep.Valid() {
				t.Fatalf("want valid, got:\n%s", rep)
			}
			c, _ := rep.Check(CheckSignature)
			if c.Key == nil || c.Key.Kid != tc.kid || c.Key.Source != "JWKS file test.json" {
				t.Errorf("signature check names key %+v", c.Key)
			}
			if rep.Key == nil || rep.Alg != tc.alg {
				t.Errorf("report key %+v alg %q", rep.Key, rep.Alg)
			}
			// Without a kid, only keys of the right type are tried, and one verifies.
			tok = jws(`{"alg":"`+tc.alg+`"}`, claimsAt(""), signer(t, tc.alg))
			if rep := Validate(tok, basePolicy(), publicKeys(t)); !rep.Valid() {
				t.Fatalf("no kid: want valid, got:\n%s", rep)
			}
			// A flipped signature bit is caught.
			bad := []byte(tok)
			bad[len(bad)-3] ^= 0x01
			if rep := Validate(string(bad), basePolicy(), publicKeys(t)); rep.Valid() || status(rep, CheckSignature) == StatusPass {
				t.Fatalf("tampered signature accepted:\n%s", rep)
			}
		})
	}
}

func TestReportOrderAndJSON(t *testing.T) {
	tok := jws(`{"alg":"RS256","kid":"rsa1"}`, claimsAt(""), signer(t, "RS256"))
	rep := Validate(tok, Policy{Profile: ProfileRFC9068, Now: fixedNow, Issuer: "https://issuer.example/", Audiences: []string{"api://default"}}, publicKeys(t))
	var names []string
	for _, c := range rep.Checks {
		names = append(names, c.Name)
	}
	want := "structure header embedded keys typ algorithm key signature claims iss aud exp nbf iat sub client_id jti"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("check order:\n got %s\nwant %s", got, want)
	}
	if rep.Verdict != VerdictInvalid || status(rep, CheckType) != StatusFail {
		t.Errorf("RFC 9068 without typ at+jwt must fail typ:\n%s", rep)
	}
	if status(rep, CheckSignature) != StatusPass || status(rep, "exp") != StatusPass {
		t.Errorf("other checks must still run after a failure:\n%s", rep)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string]any
	json.Unmarshal(b, &shape)
	for _, k := range []string{"verdict", "kind", "alg", "key", "checks"} {
		if _, ok := shape[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if !strings.Contains(string(b), `"kind":"JWS"`) || !strings.Contains(string(b), `{"name":"signature","status":"pass","reason":"verified","key":{"kid":"rsa1","kty":"RSA","source":"JWKS file test.json"}}`) {
		t.Errorf("JSON shape changed: %s", b)
	}
}

func TestUnverifiedWithoutKeys(t *testing.T) {
	tok := jws(`{"alg":"RS256"}`, claimsAt(""), signer(t, "RS256"))
	for _, ks := range []*KeySet{nil} {
		rep := Validate(tok, basePolicy(), ks)
		if rep.Verdict != VerdictUnverified || rep.Valid() {
			t.Errorf("no keys: verdict %s", rep.Verdict)
		}
		if status(rep, CheckSignature) != StatusSkip {
			t.Errorf("signature must be skipped:\n%s", rep)
		}
	}
	// A configured source whose keys were all skipped is a failure, not "unverified".
	rep := Validate(tok, basePolicy(), &KeySet{Skipped: []string{"key 0: RSA key is 1024 bits"}})
	if c, _ := rep.Check(CheckKey); rep.Verdict != VerdictInvalid || !strings.Contains(c.Reason, "no usable key (key 0: RSA key is 1024 bits)") {
		t.Errorf("empty key set: %+v\n%s", c, rep)
	}
	// A stale key set is used, with its warning in the report.
	ks := publicKeys(t)
	ks.Warning = "using the copy from 2h ago: refresh failed"
	if rep := Validate(tok, basePolicy(), ks); !rep.Valid() || status(rep, CheckKeySource) != StatusWarn {
		t.Errorf("stale key set:\n%s", rep)
	}
	// A failure elsewhere still makes it invalid.
	tok = jws(`{"alg":"RS256"}`, `{"exp":1}`, signer(t, "RS256"))
	if rep := Validate(tok, basePolicy(), nil); rep.Verdict != VerdictInvalid {
		t.Errorf("expired, no keys: verdict %s", rep.Verdict)
	}
}

// The verdict line explains the first failure and names the others, so a token refused
// for its audience does not hide that it also lacks a scope; one failure names no others.
func TestSummaryNamesEveryFailedCheck(t *testing.T) {
	tok := jws(`{"alg":"RS256","kid":"rsa1"}`, `{"aud":"api://other","scope":"read","exp":`+jsonNum(testNow.Unix()-3600)+`}`, signer(t, "RS256"))
	p := Policy{Now: fixedNow, Audiences: []string{"api://default"}, Scopes: []string{"write"}}
	got := Validate(tok, p, publicKeys(t)).Summary()
	if !strings.HasPrefix(got, "invalid: aud: ") || !strings.HasSuffix(got, " (also failed: scope, exp)") {
		t.Errorf("summary %q: want the aud failure, then scope and exp named", got)
	}
	p.Scopes = nil
	tok = jws(`{"alg":"RS256","kid":"rsa1"}`, `{"aud":"api://other"}`, signer(t, "RS256"))
	if got := Validate(tok, p, publicKeys(t)).Summary(); strings.Contains(got, "also failed") {
		t.Errorf("summary %q names other failures where there are none", got)
	}
}

func TestClaimChecks(t *testing.T) {
	now := testNow.Unix()
	num := func(v int64) string { return jsonNum(v) }
	cases := []struct {
		name    string
		claims  string
		policy  func(*Policy)
		check   string
		want    Status
		inWhy   string
		verdict Verdict
	}{
		{"valid", claimsAt(""), nil, "exp", StatusPass, "not expired", VerdictValid},
		{"expired beyond leeway", `{"exp":` + num(now-61) + `}`, nil, "exp", StatusFail, "beyond the 1m0s leeway", VerdictInvalid},
		{"expired within leeway", `{"exp":` + num(now-59) + `}`, nil, "exp", StatusWarn, "within the 1m0s leeway", VerdictValid},
		{"expired exactly now, no leeway", `{"exp":` + num(now) + `}`, func(p *Policy) { p.Leeway = -1 }, "exp", StatusFail, "expired", VerdictInvalid},
		{"custom leeway", `{"exp":` + num(now-100) + `}`, func(p *Policy) { p.Leeway = 2 * time.Minute }, "exp", StatusWarn, "", VerdictValid},
		{"fractional exp", `{"exp":` + num(now+1) + `.5}`, nil, "exp", StatusPass, "", VerdictValid},
		{"exponent exp", `{"exp":1.8e9}`, nil, "exp", StatusPass, "", VerdictValid},
		{"string exp", `{"exp":"` + num(now+100) + `"}`, nil, "exp", StatusFail, "not a string", VerdictInvalid},
		{"bool exp", `{"exp":true}`, nil, "exp", StatusFail, "not a number", VerdictInvalid},
		{"huge exp", `{"exp":1e300}`, nil, "exp", StatusFail, "past the year 9999", VerdictInvalid},
		{"no exp", `{}`, nil, "exp", StatusWarn, "never expires", VerdictValid},
		{"nbf future", `{"nbf":` + num(now+120) + `}`, nil, "nbf", StatusFail, "not valid until", VerdictInvalid},
		{"nbf within leeway", `{"nbf":` + num(now+30) + `}`, nil, "nbf", StatusWarn, "", VerdictValid},
		{"nbf past", `{"nbf":` + num(now-30) + `}`, nil, "nbf", StatusPass, "", VerdictValid},
		{"iat future", `{"iat":` + num(now+3600) + `}`, nil, "iat", StatusFail, "issued in the future", VerdictInvalid},
		{"iat within leeway", `{"iat":` + num(now+30) + `}`, nil, "iat", StatusPass, "", VerdictValid},
		{"iss exact", `{"iss":"https://issuer.example/"}`, func(p *Policy) { p.Issuer = "https://issuer.example/" }, "iss", StatusPass, "", VerdictValid},
		{"iss trailing slash", `{"iss":"https://issuer.example"}`, func(p *Policy) { p.Issuer = "https://issuer.example/" }, "iss", StatusFail, "trailing slash", VerdictInvalid},
		{"iss case", `{"iss":"https://ISSUER.example/"}`, func(p *Policy) { p.Issuer = "https://issuer.example/" }, "iss", StatusFail, "expected", VerdictInvalid},
		{"iss missing", `{}`, func(p *Policy) { p.Issuer = "https://issuer.example/" }, "iss", StatusFail, "missing", VerdictInvalid},
		{"iss not string", `{"iss":1}`, nil, "iss", StatusFail, "not a string", VerdictInvalid},
		{"iss unchecked", `{"iss":"https://x/"}`, nil, "iss", StatusSkip, "", VerdictValid},
		{"aud string", `{"aud":"a"}`, func(p *Policy) { p.Audiences = []string{"b", "a"} }, "aud", StatusPass, "", VerdictValid},
		{"aud array", `{"aud":["x","a"]}`, func(p *Policy) { p.Audiences = []string{"a"} }, "aud", StatusPass, "", VerdictValid},
		{"aud mismatch", `{"aud":["x","y"]}`, func(p *Policy) { p.Audiences = []string{"a"} }, "aud", StatusFail, `is x, y; expected a`, VerdictInvalid},
		{"aud trailing slash", `{"aud":"https://api.shop.test"}`, func(p *Policy) { p.Audiences = []string{"https://api.shop.test/"} }, "aud", StatusFail, "only in a trailing slash", VerdictInvalid},
		{"aud scheme", `{"aud":"http://api.shop.test/"}`, func(p *Policy) { p.Audiences = []string{"https://api.shop.test/"} }, "aud", StatusFail, "only in the scheme", VerdictInvalid},
		{"aud of an ID token", `{"aud":"Xk3p9Qw","nonce":"n1","at_hash":"h"}`, func(p *Policy) { p.Audiences = []string{"https://api.shop.test/"} }, "aud", StatusFail, "this is an ID token (nonce, at_hash present", VerdictInvalid},
		{"aud is azp", `{"aud":"Xk3p9Qw","azp":"Xk3p9Qw"}`, func(p *Policy) { p.Audiences = []string{"https://api.shop.test/"} }, "aud", StatusFail, "aud is the client ID", VerdictInvalid},
		{"scope in scope", `{"scope":"openid read:orders write:orders"}`, func(p *Policy) { p.Scopes = []string{"write:orders"} }, "scope", StatusPass, "grants write:orders", VerdictValid},
		{"scope in scp string", `{"scp":"read write"}`, func(p *Policy) { p.Scopes = []string{"write", "read"} }, "scope", StatusPass, "", VerdictValid},
		{"scope in scp array", `{"scp":["read","write"]}`, func(p *Policy) { p.Scopes = []string{"write"} }, "scope", StatusPass, "", VerdictValid},
		{"scope in permissions", `{"permissions":["read:orders","write:orders"]}`, func(p *Policy) { p.Scopes = []string{"write:orders"} }, "scope", StatusPass, "", VerdictValid},
		{"scope missing", `{"scope":"read:orders","permissions":["read:orders"]}`, func(p *Policy) { p.Scopes = []string{"write:orders"} }, "scope", StatusFail, "missing write:orders (has read:orders)", VerdictInvalid},
		{"scope none at all", `{}`, func(p *Policy) { p.Scopes = []string{"read"} }, "scope", StatusFail, "missing read (the token has no scope, scp or permissions)", VerdictInvalid},
		{"scope is not split on a permission", `{"permissions":["read write"]}`, func(p *Policy) { p.Scopes = []string{"write"} }, "scope", StatusFail, "missing write", VerdictInvalid},
		{"client expected", `{"azp":"c1"}`, func(p *Policy) { p.Clients = []string{"c1"} }, "client", StatusPass, "azp is the expected client", VerdictValid},
		{"client of another app", `{"client_id":"c2"}`, func(p *Policy) { p.Clients = []string{"c1"} }, "client", StatusWarn, "client_id is c2, not the expected client c1", VerdictValid},
		{"okta cid", `{"cid":"c2"}`, func(p *Policy) { p.Clients = []string{"c1"} }, "client", StatusWarn, "cid is c2", VerdictValid},
		{"aud wrong type", `{"aud":7}`, nil, "aud", StatusFail, "string or an array", VerdictInvalid},
		{"aud array of numbers", `{"aud":[7]}`, func(p *Policy) { p.Audiences = []string{"7"} }, "aud", StatusFail, "string or an array", VerdictInvalid},
		{"aud missing", `{}`, func(p *Policy) { p.Audiences = []string{"a"} }, "aud", StatusFail, "missing", VerdictInvalid},
		{"required custom", `{"scope":"read"}`, func(p *Policy) { p.RequiredClaims = []string{"scope"} }, "scope", StatusPass, "", VerdictValid},
		{"required missing", `{}`, func(p *Policy) { p.RequiredClaims = []string{"scope"} }, "scope", StatusFail, "required by the policy", VerdictInvalid},
		{"required exp missing", `{}`, func(p *Policy) { p.RequiredClaims = []string{"exp"} }, "exp", StatusFail, "missing", VerdictInvalid},
		{"rfc9068 missing client_id", strings.Replace(claimsAt(""), `"client_id":"c1",`, "", 1), func(p *Policy) { p.Profile = ProfileRFC9068; p.Types = []string{"JWT"} }, "client_id", StatusFail, "RFC 9068", VerdictInvalid},
		{"rfc9068 sub not string", strings.Replace(claimsAt(""), `"sub":"user1"`, `"sub":1`, 1), func(p *Policy) { p.Profile = ProfileRFC9068; p.Types = []string{"JWT"} }, "sub", StatusFail, "must be a string", VerdictInvalid},
		{"not json", `hello`, nil, CheckClaims, StatusFail, "no claims", VerdictInvalid},
		{"signature only ignores payload", `hello`, func(p *Policy) { p.SignatureOnly = true }, CheckClaims, StatusSkip, "", VerdictValid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Policy{Now: fixedNow}
			if tc.policy != nil {
				tc.policy(&p)
			}
			tok := jws(`{"alg":"ES256","typ":"JWT"}`, tc.claims, signer(t, "ES256"))
			rep := Validate(tok, p, publicKeys(t))
			c, ok := rep.Check(tc.check)
			if !ok || c.Status != tc.want || !strings.Contains(c.Reason, tc.inWhy) || rep.Verdict != tc.verdict {
				t.Errorf("%s: got %+v verdict %s; want %s containing %q, verdict %s\n%s", tc.check, c, rep.Verdict, tc.want, tc.inWhy, tc.verdict, rep)
			}
		})
	}
}

func jsonNum(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestTypeChecks(t *testing.T) {
	cases := []struct {
		header string
		policy Policy
		want   Status
	}{
		{`{"alg":"ES256","typ":"at+jwt"}`, Policy{Profile: ProfileRFC9068}, StatusPass},
		{`{"alg":"ES256","typ":"application/at+JWT"}`, Policy{Profile: ProfileRFC9068}, StatusPass},
		{`{"alg":"ES256","typ":"JWT"}`, Policy{Profile: ProfileRFC9068}, StatusFail},
		{`{"alg":"ES256"}`, Policy{Profile: ProfileRFC9068}, StatusFail},
		{`{"alg":"ES256","typ":"jwt"}`, Policy{Types: []string{"JWT"}}, StatusPass},
		{`{"alg":"ES256","typ":"dpop+jwt"}`, Policy{Types: []string{"JWT", "at+jwt"}}, StatusFail},
		{`{"alg":"ES256","typ":7}`, Policy{}, StatusFail},
		{`{"alg":"ES256","typ":"whatever"}`, Policy{}, StatusSkip},
	}
	for _, tc := range cases {
		tc.policy.Now, tc.policy.SignatureOnly = fixedNow, true
		rep := Validate(jws(tc.header, claimsAt(""), signer(t, "ES256")), tc.policy, publicKeys(t))
		if got := status(rep, CheckType); got != tc.want {
			t.Errorf("%s with %+v: typ %s, want %s\n%s", tc.header, tc.policy.Types, got, tc.want, rep)
		}
	}
}

func TestKeyRules(t *testing.T) {
	keys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallSign := func(msg []byte) []byte {
		s, _ := rsa.SignPKCS1v15(rand.Reader, small, 5, digest(5, msg)) // crypto.SHA256
		return s
	}
	rsaKey := func(mod func(*Key)) *KeySet {
		k := Key{JWK: jose.JSONWebKey{Key: &testRSA.PublicKey, KeyID: "k"}, Origin: OriginJWKS, Source: "JWKS https://x/jwks"}
		if mod != nil {
			mod(&k)
		}
		return &KeySet{Keys: []Key{k}}
	}
	rs := signer(t, "RS256")
	cases := []struct {
		name   string
		token  string
		keys   *KeySet
		policy func(*Policy)
		check  string
		inWhy  string
	}{
		{"jwk alg mismatch", jws(`{"alg":"RS256","kid":"k"}`, `{}`, rs), rsaKey(func(k *Key) { k.JWK.Algorithm = "PS256" }), nil, CheckKey, "key alg is PS256"},
		{"use enc", jws(`{"alg":"RS256","kid":"k"}`, `{}`, rs), rsaKey(func(k *Key) { k.JWK.Use = "enc" }), nil, CheckKey, `not "sig"`},
		{"key_ops without verify", jws(`{"alg":"RS256","kid":"k"}`, `{}`, rs), rsaKey(func(k *Key) { k.KeyOps = []string{"encrypt"} }), nil, CheckKey, "key_ops"},
		{"rsa 1024", jws(`{"alg":"RS256","kid":"k"}`, `{}`, smallSign), rsaKey(func(k *Key) { k.JWK.Key = &small.PublicKey }), nil, CheckKey, "1024 bits"},
		{"rsa exponent 1", jws(`{"alg":"RS256","kid":"k"}`, `{}`, rs), rsaKey(func(k *Key) { k.JWK.Key = &rsa.PublicKey{N: testRSA.N, E: 1} }), nil, CheckKey, "exponent 1"},
		{"kid not found", jws(`{"alg":"RS256","kid":"K"}`, `{}`, rs), rsaKey(nil), nil, CheckKey, `no configured key has kid K`},
		{"graph nonce", graphLike(jws(`{"alg":"RS256","kid":"k","nonce":"n0"}`, `{}`, rs), jws(`{"alg":"RS256","kid":"k"}`, `{}`, rs)),
			rsaKey(nil), nil, CheckSignature, "marks a Microsoft Graph access token"},
		{"kid prefix is no match", jws(`{"alg":"RS256","kid":"k "}`, `{}`, rs), rsaKey(nil), nil, CheckKey, `no configured key has kid`},
		{"kid not a string", jws(`{"alg":"RS256","kid":1}`, `{}`, rs), rsaKey(nil), nil, CheckHeader, "kid is not a string"},
		{"duplicate kid", jws(`{"alg":"RS256","kid":"k"}`, `{}`, rs), &KeySet{Keys: append(rsaKey(nil).Keys, rsaKey(nil).Keys...)}, nil, CheckKey, "ambiguous"},
		{"hs256 with jwks oct key", jws(`{"alg":"HS256","kid":"k"}`, `{}`, signer(t, "HS256")),
			&KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: testSecret, KeyID: "k"}, Origin: OriginJWKS}}}, func(p *Policy) { p.Algorithms = []string{"HS256"} }, CheckKey, "only keyed from a secret file"},
		{"hs256 not allowed by default", jws(`{"alg":"HS256"}`, `{}`, signer(t, "HS256")), secretKeys(), nil, CheckAlgorithm, "not allowed"},
		{"hs256 short secret", jws(`{"alg":"HS256"}`, `{}`, signer(t, "HS256")),
			&KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: []byte("short")}, Origin: OriginSecretFile}}}, func(p *Policy) { p.Algorithms = []string{"HS256"} }, CheckKey, "needs at least 32"},
		{"wrong curve", jws(`{"alg":"ES384","kid":"p256"}`, `{}`, signer(t, "ES384")), publicKeys(t), nil, CheckKey, "does not match ES384"},
		{"no fitting key without kid", jws(`{"alg":"ES256"}`, `{}`, signer(t, "ES256")), rsaKey(nil), nil, CheckKey, "none of the 1 configured keys"},
		{"unknown alg in policy", jws(`{"alg":"RS256"}`, `{}`, rs), rsaKey(nil), func(p *Policy) { p.Algorithms = []string{"RS256", "XX1"} }, CheckAlgorithm, "policy is unusable"},
		{"none in policy", jws(`{"alg":"RS256"}`, `{}`, rs), rsaKey(nil), func(p *Policy) { p.Algorithms = []string{"none", "RS256"} }, CheckAlgorithm, "policy is unusable"},
		{"alg not allowed", jws(`{"alg":"RS384"}`, `{}`, signer(t, "RS384")), rsaKey(nil), func(p *Policy) { p.Algorithms = []string{"RS256"} }, CheckAlgorithm, "not allowed"},
		{"alg case", jws(`{"alg":"rs256"}`, `{}`, rs), rsaKey(nil), nil, CheckAlgorithm, "not a JWS signature algorithm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Policy{Now: fixedNow, SignatureOnly: true}
			if tc.policy != nil {
				tc.policy(&p)
			}
			rep := Validate(tc.token, p, tc.keys)
			c, _ := rep.Check(tc.check)
			if rep.Verdict != VerdictInvalid || c.Status != StatusFail || !strings.Contains(c.Reason, tc.inWhy) {
				t.Errorf("%s: %+v, want fail containing %q\n%s", tc.check, c, tc.inWhy, rep)
			}
			if status(rep, CheckSignature) == StatusPass {
				t.Errorf("signature passed:\n%s", rep)
			}
		})
	}
}

func TestHS256WithSecretFile(t *testing.T) {
	tok := jws(`{"alg":"HS256","kid":"hs"}`, claimsAt(""), signer(t, "HS256"))
	p := basePolicy()
	p.Algorithms = []string{"HS256"}
	rep := Validate(tok, p, secretKeys())
	if !rep.Valid() || rep.Key.Source != "secret file hs.key" || rep.Key.Kty != "oct" {
		t.Fatalf("HS256 with a secret file must verify:\n%s", rep)
	}
}

func TestOnlyFittingKeysTriedWithoutKid(t *testing.T) {
	keys(t)
	ks := publicKeys(t)
	// An HMAC secret that is really the RSA public key must never be tried, even when
	// HS256 is allowed and the key set also holds a secret.
	ks.Keys = append(ks.Keys, secretKeys().Keys...)
	tok := jws(`{"alg":"ES384"}`, `{}`, signer(t, "ES384"))
	rep := Validate(tok, Policy{Now: fixedNow, SignatureOnly: true}, ks)
	c, _ := rep.Check(CheckKey)
	if !rep.Valid() || c.Key == nil || c.Key.Kid != "p384" || !strings.Contains(c.Reason, "one configured key fits") {
		t.Fatalf("want the one P-384 key, got %+v\n%s", c, rep)
	}
}

func TestSecretThatIsAPublicKeyIsRefused(t *testing.T) {
	keys(t)
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: &testRSA.PublicKey})
	for _, secret := range [][]byte{jwk, []byte("-----BEGIN PUBLIC KEY-----\nMII...\n-----END PUBLIC KEY-----\n")} {
		sk := newSigKey(&Key{JWK: jose.JSONWebKey{Key: secret}, Origin: OriginSecretFile})
		if !strings.Contains(sk.problem, "looks like a public key") {
			t.Errorf("secret %.20q: problem %q", secret, sk.problem)
		}
	}
}

func TestValidatorIsReusable(t *testing.T) {
	v := NewValidator(basePolicy(), publicKeys(t))
	good := jws(`{"alg":"EdDSA","kid":"ed"}`, claimsAt(""), signer(t, "EdDSA"))
	for i := 0; i < 3; i++ {
		if rep := v.Validate(good); !rep.Valid() {
			t.Fatalf("run %d:\n%s", i, rep)
		}
	}
	if rep := v.Validate("garbage"); rep.Verdict != VerdictInvalid || status(rep, CheckStructure) != StatusFail || rep.Kind != NotAToken {
		t.Fatalf("garbage:\n%s", rep)
	}
}

func TestReportString(t *testing.T) {
	tok := jws(`{"alg":"RS256","kid":"rsa1"}`, claimsAt(""), signer(t, "RS256"))
	s := Validate(tok, basePolicy(), publicKeys(t)).String()
	for _, want := range []string{"valid\n", "pass  signature: verified [kid rsa1, RSA, from JWKS file test.json]\n", "pass  iss: matches"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
}

func TestKidlessKeysAnswerUnknownKid(t *testing.T) {
	keys(t)
	tok := jws(`{"alg":"RS256","kid":"rotated-2026"}`, claimsAt(""), signer(t, "RS256"))
	// A key without a kid (a PEM file) may verify a token whatever its kid.
	pemKey := &KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: &testRSA.PublicKey}, Origin: OriginKeyFile, Source: "key file pub.pem"}}}
	rep := Validate(tok, basePolicy(), pemKey)
	if c, _ := rep.Check(CheckKey); !rep.Valid() || !strings.Contains(c.Reason, "not found; trying the configured keys without a kid") {
		t.Fatalf("kidless key:\n%s", rep)
	}
	// A key with another kid is never tried, even when it would verify.
	other := &KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: &testRSA.PublicKey, KeyID: "old"}, Origin: OriginJWKS}}}
	if rep := Validate(tok, basePolicy(), other); rep.Valid() || status(rep, CheckSignature) != StatusSkip {
		t.Fatalf("key with another kid was tried:\n%s", rep)
	}
}

func TestInvalidECKeyIsRefused(t *testing.T) {
	keys(t)
	for _, pub := range []*ecdsa.PublicKey{
		{Curve: elliptic.P256()},
		{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)},
	} {
		sk := newSigKey(&Key{JWK: jose.JSONWebKey{Key: pub}})
		if !strings.Contains(sk.problem, "not a valid point") {
			t.Errorf("%v: problem %q", pub, sk.problem)
		}
	}
}

// graphLike gives tok the signature of other, as a Microsoft Graph token's signature (over
// a hashed nonce) fails an ordinary verifier.
func graphLike(tok, other string) string {
	return tok[:strings.LastIndexByte(tok, '.')] + other[strings.LastIndexByte(other, '.'):]
}

// A key set missing the keys of a source that could not be read (KeySet.Unread) cannot
// say a token is invalid for want of its key: the key may be in that source.
func TestUnreadKeySourceLeavesTokenUnverified(t *testing.T) {
	keys(t)
	withUnread := func(ks *KeySet) *KeySet { ks.Unread = []string{"JWKS URL https://down.example/jwks"}; return ks }
	for _, tc := range []struct {
		name    string
		header  string
		ks      *KeySet
		verdict Verdict
	}{
		{"unknown kid", `{"alg":"RS256","kid":"elsewhere"}`, withUnread(publicKeys(t)), VerdictUnverified},
		{"no key fits the alg", `{"alg":"RS256"}`, withUnread(secretKeys()), VerdictUnverified},
		{"no usable key read", `{"alg":"RS256"}`, withUnread(&KeySet{Skipped: []string{"key 0: RSA key is 1024 bits"}}), VerdictUnverified},
		{"kidless keys do not verify", `{"alg":"ES256"}`, withUnread(&KeySet{Keys: []Key{{JWK: jose.JSONWebKey{Key: &testP256.PublicKey}, Origin: OriginKeyFile}}}), VerdictUnverified},
		{"the kid matched: its signature decides", `{"alg":"RS256","kid":"rsa1"}`, withUnread(publicKeys(t)), VerdictValid},
		{"unknown kid, all sources read", `{"alg":"RS256","kid":"elsewhere"}`, publicKeys(t), VerdictInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Always signed with the RSA key: the ES256 token's signature fits no key read.
			tok := jws(tc.header, claimsAt(""), signer(t, "RS256"))
			rep := Validate(tok, basePolicy(), tc.ks)
			if rep.Verdict != tc.verdict {
				t.Fatalf("verdict %s, want %s:\n%s", rep.Verdict, tc.verdict, rep)
			}
			if tc.verdict == VerdictUnverified && (status(rep, CheckKeySource) != StatusWarn || !strings.Contains(rep.Summary(), "a key source could not be read")) {
				t.Errorf("the report does not name the unread source:\n%s", rep)
			}
		})
	}
	// A kid that matched a key that was read, with a bad signature, is invalid: that key is
	// the token's, whatever the unread source holds.
	tok := jws(`{"alg":"RS256","kid":"rsa1"}`, claimsAt(""), func([]byte) []byte { return make([]byte, 256) })
	if rep := Validate(tok, basePolicy(), withUnread(publicKeys(t))); rep.Verdict != VerdictInvalid {
		t.Errorf("bad signature with the matched key: %s\n%s", rep.Verdict, rep)
	}
}
