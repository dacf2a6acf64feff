package tokens

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// explainJWS parses and explains a JWS built from header and claims JSON.
func ptExplain(t *testing.T, header, claims string) *Explanation {
	t.Helper()
	tok, err := Parse(ptJWS(header, claims, ptSig))
	if err != nil {
		t.Fatalf("Parse(%s . %s): %v", header, claims, err)
	}
	return Explain(tok)
}

func ptLintCodes(e *Explanation) []string {
	codes := []string{}
	for _, l := range e.Lints {
		codes = append(codes, l.Code)
	}
	return codes
}

func ptField(fs []Field, name string) (Field, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func TestExplainCategories(t *testing.T) {
	e := ptExplain(t, `{"alg":"RS256","kid":"k","typ":"at+jwt","cty":"JWT","crit":["exp"],"x-private":1}`,
		`{"iss":"https://t.example/","sub":"s","aud":"a","exp":2000000000,"nbf":1,"iat":1,"jti":"j",`+
			`"client_id":"c","scope":"read","cnf":{},"auth_time":1,"nonce":"n","azp":"c","email":"e@x",`+
			`"gty":"client-credentials","permissions":["read"],"org_id":"org_1","org_name":"acme",`+
			`"scp":["a"],"realm_access":{},`+
			`"https://example.com/roles":["admin"],"urn:example:tier":"gold","department":"R&D"}`)
	want := map[string]Category{
		"iss": CatRegistered, "sub": CatRegistered, "aud": CatRegistered, "exp": CatRegistered,
		"nbf": CatRegistered, "iat": CatRegistered, "jti": CatRegistered,
		"client_id": CatAccess, "scope": CatAccess, "cnf": CatAccess,
		"auth_time": CatOIDC, "nonce": CatOIDC, "azp": CatOIDC, "email": CatOIDC,
		"gty": CatAuth0, "permissions": CatAuth0, "org_id": CatAuth0, "org_name": CatAuth0,
		"scp": CatProvider, "realm_access": CatProvider,
		"https://example.com/roles": CatNamespaced, "urn:example:tier": CatNamespaced,
		"department": CatCustom,
	}
	for name, cat := range want {
		f, ok := ptField(e.Claims, name)
		if !ok {
			t.Errorf("claim %q missing", name)
			continue
		}
		if f.Category != cat {
			t.Errorf("claim %q: category %q, want %q", name, f.Category, cat)
		}
		if f.Explanation == "" {
			t.Errorf("claim %q has no explanation", name)
		}
	}
	if f, _ := ptField(e.Claims, "department"); !strings.Contains(f.Explanation, "not namespaced") {
		t.Errorf("plain custom claim explained as %q", f.Explanation)
	}
	for _, name := range []string{"alg", "kid", "typ", "cty", "crit"} {
		if f, ok := ptField(e.Header, name); !ok || f.Category != CatHeader || f.Explanation == "" {
			t.Errorf("header %q: %+v", name, f)
		}
	}
	if f, _ := ptField(e.Header, "x-private"); f.Category != CatCustom {
		t.Errorf("private header parameter: %+v", f)
	}
	// "typ" in the claims is Keycloak's, in the header it is JOSE's.
	e2 := ptExplain(t, `{"alg":"RS256","typ":"JWT"}`, `{"typ":"Bearer"}`)
	if h, _ := ptField(e2.Header, "typ"); h.Category != CatHeader {
		t.Errorf("header typ: %+v", h)
	}
	if c, _ := ptField(e2.Claims, "typ"); c.Category != CatProvider {
		t.Errorf("claim typ: %+v", c)
	}
}

func TestCatalogueEntriesAreExplained(t *testing.T) {
	for _, cat := range []map[string]entry{headerCatalogue, claimCatalogue} {
		for name, en := range cat {
			if en.text == "" || en.cat == "" || strings.HasSuffix(en.text, ".") || strings.Contains(en.text, "\n") {
				t.Errorf("%q: %+v (want one line, no full stop)", name, en)
			}
		}
	}
	for _, p := range []string{"alg", "kid", "typ", "cty", "jku", "x5u", "jwk", "x5c", "crit"} {
		if _, ok := headerCatalogue[p]; !ok {
			t.Errorf("header parameter %q not in the catalogue", p)
		}
	}
	// explainClaim reads times only for catalogue claims.
	for name := range timeClaims {
		if _, ok := claimCatalogue[name]; !ok {
			t.Errorf("time claim %q not in the catalogue", name)
		}
	}
	for _, c := range []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "gty", "azp", "permissions", "org_id", "org_name", "scope", "client_id", "auth_time", "acr", "amr"} {
		if _, ok := claimCatalogue[c]; !ok {
			t.Errorf("claim %q not in the catalogue", c)
		}
	}
	// The claims developers meet most from other providers: Okta, Keycloak, Entra ID, Google.
	for _, c := range []string{"cid", "uid", "scp", "realm_access", "resource_access", "tid", "oid", "appid", "upn", "roles", "wids", "hd"} {
		if _, ok := claimCatalogue[c]; !ok {
			t.Errorf("provider claim %q not in the catalogue", c)
		}
	}
}

func TestExplainKeepsOrderAndValues(t *testing.T) {
	claims := `{"zeta":1,"iss":"https://i/","alpha":{"b":[1, 2]},"exp":2000000000,"https://x/y":"z","aud":["a","b"]}`
	e := ptExplain(t, `{"typ":"JWT","alg":"ES256"}`, claims)
	var names []string
	for _, f := range e.Claims {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "zeta,iss,alpha,exp,https://x/y,aud" {
		t.Errorf("claim order %s", got)
	}
	if e.Header[0].Name != "typ" || e.Header[1].Name != "alg" {
		t.Errorf("header order %v", e.Header)
	}
	if f, _ := ptField(e.Claims, "alpha"); string(f.Value) != `{"b":[1, 2]}` || f.Display() != `{"b":[1,2]}` {
		t.Errorf("alpha value %s display %s", f.Value, f.Display())
	}
	if e.Kind != JWS || e.PayloadNote != "" {
		t.Errorf("kind %v note %q", e.Kind, e.PayloadNote)
	}
}

func TestExplainUse(t *testing.T) {
	tests := []struct{ claims, use string }{
		{`{"nonce":"n","scope":"openid"}`, "ID token"},
		{`{"at_hash":"x"}`, "ID token"},
		{`{"c_hash":"x"}`, "ID token"},
		{`{"scope":"read"}`, "access token"},
		{`{"scp":["read"]}`, "access token"},
		{`{"client_id":"c"}`, "access token"},
		{`{"gty":"client-credentials"}`, "access token"},
		{`{"permissions":[]}`, "access token"},
		{`{"cid":"c"}`, "access token"},
		{`{"sub":"s"}`, ""},
	}
	for _, tt := range tests {
		if e := ptExplain(t, `{"alg":"RS256"}`, tt.claims); e.Use != tt.use {
			t.Errorf("%s: use %q, want %q", tt.claims, e.Use, tt.use)
		}
	}
}

func TestExplainLints(t *testing.T) {
	const exp = `"exp":2000000000`
	tests := []struct {
		name, header, claims string
		want                 []string // lint codes, in order
	}{
		{"clean ID token", `{"alg":"RS256"}`, `{"iss":"https://i/","nonce":"n",` + exp + `}`, nil},
		{"clean access token", `{"alg":"RS256","typ":"at+jwt"}`, `{"scope":"read",` + exp + `}`, nil},
		{"typ application/at+jwt", `{"alg":"RS256","typ":"application/at+jwt"}`, `{"scope":"read",` + exp + `}`, nil},
		{"typ AT+JWT", `{"alg":"RS256","typ":"AT+JWT"}`, `{"scope":"read",` + exp + `}`, nil},
		{"access token typ JWT", `{"alg":"RS256","typ":"JWT"}`, `{"scope":"read",` + exp + `}`, []string{"typ-not-at-jwt"}},
		{"access token without typ", `{"alg":"RS256"}`, `{"client_id":"c",` + exp + `}`, []string{"typ-not-at-jwt"}},
		{"ID token typ JWT is fine", `{"alg":"RS256","typ":"JWT"}`, `{"nonce":"n",` + exp + `}`, nil},
		{"unknown use typ JWT is fine", `{"alg":"RS256","typ":"JWT"}`, `{"sub":"s",` + exp + `}`, nil},
		{"alg none", `{"alg":"none"}`, `{` + exp + `}`, []string{"alg-none"}},
		{"alg None", `{"alg":"None"}`, `{` + exp + `}`, []string{"alg-none"}},
		{"alg NONE", `{"alg":"NONE"}`, `{` + exp + `}`, []string{"alg-none"}},
		{"alg nOnE", `{"alg":"nOnE"}`, `{` + exp + `}`, []string{"alg-none"}},
		{"alg missing", `{"typ":"JWT"}`, `{` + exp + `}`, []string{"alg-missing"}},
		{"alg not a string", `{"alg":256}`, `{` + exp + `}`, []string{"alg-missing"}},
		{"HS256 from an https issuer", `{"alg":"HS256"}`, `{"iss":"https://tenant.auth0.com/",` + exp + `}`, []string{"hs-oidc"}},
		{"HS512 from an https issuer", `{"alg":"HS512"}`, `{"iss":"https://x/",` + exp + `}`, []string{"hs-oidc"}},
		{"HS256 local issuer", `{"alg":"HS256"}`, `{"iss":"my-service",` + exp + `}`, nil},
		{"HS256 no issuer", `{"alg":"HS256"}`, `{` + exp + `}`, nil},
		{"RS256 https issuer", `{"alg":"RS256"}`, `{"iss":"https://x/",` + exp + `}`, nil},
		{"jku", `{"alg":"RS256","jku":"https://evil/jwks"}`, `{` + exp + `}`, []string{"untrusted-jku"}},
		{"x5u", `{"alg":"RS256","x5u":"https://evil/cert"}`, `{` + exp + `}`, []string{"untrusted-x5u"}},
		{"jwk", `{"alg":"RS256","jwk":{"kty":"oct","k":"AA"}}`, `{` + exp + `}`, []string{"untrusted-jwk"}},
		{"x5c", `{"alg":"RS256","x5c":["MIIB"]}`, `{` + exp + `}`, []string{"untrusted-x5c"}},
		{"all four", `{"alg":"RS256","x5c":[],"jwk":{},"x5u":"u","jku":"u"}`, `{` + exp + `}`, []string{"untrusted-jku", "untrusted-x5u", "untrusted-jwk", "untrusted-x5c"}},
		{"crit", `{"alg":"RS256","crit":["b64"],"b64":false}`, `{` + exp + `}`, []string{"crit"}},
		{"graph-nonce", `{"alg":"RS256","nonce":"abc"}`, `{` + exp + `}`, []string{"graph-nonce"}},
		{"missing exp", `{"alg":"RS256"}`, `{"sub":"s"}`, []string{"no-exp"}},
		{"lifetime 24h is fine", `{"alg":"RS256"}`, `{"iat":1700000000,"exp":1700086400}`, nil},
		{"lifetime over 24h", `{"alg":"RS256"}`, `{"iat":1700000000,"exp":1700086401}`, []string{"long-lived"}},
		{"exp before iat", `{"alg":"RS256"}`, `{"iat":1700000000,"exp":1600000000}`, []string{"exp-before-iat"}},
		{"nbf after exp", `{"alg":"RS256"}`, `{"nbf":1700000001,"exp":1700000000}`, []string{"nbf-after-exp"}},
		{"exp as a string", `{"alg":"RS256"}`, `{"exp":"1700000000"}`, []string{"bad-time"}}, // the lint names exp; no second no-exp,
		{"iat negative", `{"alg":"RS256"}`, `{"iat":-5,` + exp + `}`, []string{"bad-time"}},
		{"exp in milliseconds", `{"alg":"RS256"}`, `{"exp":1700000000000}`, []string{"bad-time"}},
		{"nbf absurd", `{"alg":"RS256"}`, `{"nbf":1e300,` + exp + `}`, []string{"bad-time"}},
		{"auth_time object", `{"alg":"RS256"}`, `{"auth_time":{},` + exp + `}`, []string{"bad-time"}},
		{"exp null", `{"alg":"RS256"}`, `{"exp":null}`, []string{"bad-time"}},
		{"payload not claims", `{"alg":"none"}`, `hello`, []string{"alg-none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ptExplain(t, tt.header, tt.claims)
			got := ptLintCodes(e)
			if tt.want == nil {
				tt.want = []string{}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lints %v, want %v (%+v)", got, tt.want, e.Lints)
			}
			for _, l := range e.Lints {
				if l.Message == "" || strings.Contains(l.Message, "\n") {
					t.Errorf("lint %q message %q", l.Code, l.Message)
				}
			}
		})
	}
}

func TestExplainLintSeverities(t *testing.T) {
	e := ptExplain(t, `{"alg":"none","jku":"u","crit":["x"]}`, `{"scope":"s"}`)
	sev := map[string]Severity{}
	for _, l := range e.Lints {
		sev[l.Code] = l.Severity
	}
	want := map[string]Severity{"alg-none": Danger, "untrusted-jku": Warn, "crit": Info, "no-exp": Warn, "typ-not-at-jwt": Info}
	for code, s := range want {
		if got, ok := sev[code]; !ok || got != s {
			t.Errorf("%s: severity %v (present %v), want %v", code, got, ok, s)
		}
	}
	if Info.String() != "info" || Warn.String() != "warn" || Danger.String() != "danger" {
		t.Error("severity names")
	}
	b, _ := json.Marshal(e.Lints[0])
	if !strings.Contains(string(b), `"severity":"danger"`) {
		t.Errorf("lint JSON %s", b)
	}
}

func TestExplainLintQuotesWhatTheTokenSays(t *testing.T) {
	e := ptExplain(t, `{"alg":"HS256"}`, `{"iss":"https://x/\u001b[2J\u202e",`+`"exp":2000000000}`)
	if len(e.Lints) != 1 || e.Lints[0].Code != "hs-oidc" {
		t.Fatalf("lints %+v", e.Lints)
	}
	if m := e.Lints[0].Message; strings.ContainsAny(m, "\x1b\u202e") {
		t.Errorf("lint message carries raw control characters: %q", m)
	}
}

func TestExplainJWE(t *testing.T) {
	tok, err := Parse(ptB64(`{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"DEF","kid":"e1"}`) + "." + ptB64("k") + "." + ptB64("iv") + "." + ptB64("ct") + "." + ptB64("tg"))
	if err != nil {
		t.Fatal(err)
	}
	e := Explain(tok)
	if e.Kind != JWE || e.Claims != nil || !strings.Contains(e.PayloadNote, "encrypted") {
		t.Errorf("kind %v claims %v note %q", e.Kind, e.Claims, e.PayloadNote)
	}
	if f, ok := ptField(e.Header, "enc"); !ok || f.Category != CatHeader || f.Display() != "A256GCM" {
		t.Errorf("enc %+v", f)
	}
	if got := ptLintCodes(e); !slices.Equal(got, []string{"zip"}) {
		t.Errorf("lints %v", got)
	}
	if e.State(time.Unix(0, 0)) != NoExpiry {
		t.Errorf("a JWE has no readable expiry")
	}
}

func TestExplainPayloadNote(t *testing.T) {
	e := ptExplain(t, `{"alg":"RS256"}`, `[1]`)
	if e.Claims != nil || e.PayloadNote != "payload is not a JSON object" {
		t.Errorf("claims %v note %q", e.Claims, e.PayloadNote)
	}
	e = ptExplain(t, `{"alg":"RS256"}`, ``)
	if !strings.Contains(e.PayloadNote, "empty") {
		t.Errorf("note %q", e.PayloadNote)
	}
}

func TestExplainTimes(t *testing.T) {
	e := ptExplain(t, `{"alg":"RS256"}`, `{"iat":1700000000,"nbf":1700000000.5,"exp":1700003600,"auth_time":"yesterday"}`)
	if e.Iat == nil || !e.Iat.Equal(time.Unix(1700000000, 0)) || e.Iat.Location() != time.UTC {
		t.Errorf("iat %v", e.Iat)
	}
	if e.Nbf == nil || !e.Nbf.Equal(time.Unix(1700000000, 5e8)) {
		t.Errorf("nbf %v", e.Nbf)
	}
	if e.Exp == nil || !e.Exp.Equal(time.Unix(1700003600, 0)) {
		t.Errorf("exp %v", e.Exp)
	}
	f, _ := ptField(e.Claims, "auth_time")
	if f.Time != nil || f.TimeProblem != "is not a number (NumericDate must be seconds since 1970, not a string)" {
		t.Errorf("auth_time %+v", f)
	}
}

func TestState(t *testing.T) {
	exp := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	nbf := exp.Add(-time.Hour)
	e := &Explanation{Exp: &exp, Nbf: &nbf}
	tests := []struct {
		name string
		now  time.Time
		want ExpiryState
	}{
		{"before nbf", nbf.Add(-time.Nanosecond), NotYetValid},
		{"exactly at nbf", nbf, Fresh},
		{"well before exp", exp.Add(-30 * time.Minute), Fresh},
		{"just outside the window", exp.Add(-SoonWindow - time.Nanosecond), Fresh},
		{"exactly at the window", exp.Add(-SoonWindow), ExpiringSoon},
		{"inside the window", exp.Add(-time.Minute), ExpiringSoon},
		{"a nanosecond before exp", exp.Add(-time.Nanosecond), ExpiringSoon},
		{"exactly at exp", exp, Expired},
		{"after exp", exp.Add(3 * time.Hour), Expired},
	}
	for _, tt := range tests {
		if got := e.State(tt.now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := (&Explanation{}).State(exp); got != NoExpiry {
		t.Errorf("no exp: %v", got)
	}
	if got := (&Explanation{Nbf: &nbf}).State(nbf.Add(-time.Second)); got != NotYetValid {
		t.Errorf("nbf only, before it: %v", got)
	}
	names := map[ExpiryState]string{NoExpiry: "no expiry", NotYetValid: "not yet valid", Fresh: "valid", ExpiringSoon: "expiring soon", Expired: "expired"}
	for s, n := range names {
		if b, _ := s.MarshalText(); s.String() != n || string(b) != n {
			t.Errorf("%d: %q", s, s.String())
		}
	}
}

func TestLifetime(t *testing.T) {
	iat := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	exp := iat.Add(time.Hour)
	nbf := iat.Add(30 * time.Minute)
	tests := []struct {
		name  string
		e     *Explanation
		now   time.Time
		total time.Duration
		used  float64
		ok    bool
	}{
		{"quarter used", &Explanation{Iat: &iat, Exp: &exp}, iat.Add(15 * time.Minute), time.Hour, 0.25, true},
		{"at iat", &Explanation{Iat: &iat, Exp: &exp}, iat, time.Hour, 0, true},
		{"before iat clamps to 0", &Explanation{Iat: &iat, Exp: &exp}, iat.Add(-time.Hour), time.Hour, 0, true},
		{"at exp", &Explanation{Iat: &iat, Exp: &exp}, exp, time.Hour, 1, true},
		{"after exp clamps to 1", &Explanation{Iat: &iat, Exp: &exp}, exp.Add(time.Hour), time.Hour, 1, true},
		{"iat wins over nbf", &Explanation{Iat: &iat, Nbf: &nbf, Exp: &exp}, nbf, time.Hour, 0.5, true},
		{"nbf when no iat", &Explanation{Nbf: &nbf, Exp: &exp}, nbf.Add(15 * time.Minute), 30 * time.Minute, 0.5, true},
		{"no start", &Explanation{Exp: &exp}, iat, 0, 0, false},
		{"no exp", &Explanation{Iat: &iat}, iat, 0, 0, false},
		{"exp equals iat", &Explanation{Iat: &iat, Exp: &iat}, iat, 0, 0, false},
		{"exp before iat", &Explanation{Iat: &exp, Exp: &iat}, iat, 0, 0, false},
	}
	for _, tt := range tests {
		total, used, ok := tt.e.Lifetime(tt.now)
		if total != tt.total || used != tt.used || ok != tt.ok {
			t.Errorf("%s: %v %v %v, want %v %v %v", tt.name, total, used, ok, tt.total, tt.used, tt.ok)
		}
	}
}

func TestFieldDisplay(t *testing.T) {
	tests := []struct{ value, want string }{
		{`"plain"`, "plain"},
		{`"esc\"aped\\"`, `esc"aped\`},
		{`"caf\u00e9"`, "café"},
		{`"line\nbreak"`, "line\uFFFDbreak"},
		{`"\u001b[31mred\u001b[0m"`, "\uFFFD[31mred\uFFFD[0m"},
		{`"\u202egnp.exe"`, "\uFFFDgnp.exe"},
		{`"\u0085next line"`, "\uFFFDnext line"},
		{`1700000000`, "1700000000"},
		{`1.5e3`, "1.5e3"},
		{`true`, "true"},
		{`null`, "null"},
		{`["a", "b"]`, `["a","b"]`},
		{"{\n  \"a\": 1\n}", `{"a":1}`},
		{`{"k":"\u001b]52;c;AAAA\u0007"}`, `{"k":"\u001b]52;c;AAAA\u0007"}`}, // JSON escapes stay escaped
	}
	for _, tt := range tests {
		if got := (Field{Value: json.RawMessage(tt.value)}).Display(); got != tt.want {
			t.Errorf("Display(%s) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestSafeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain ASCII ~!", "plain ASCII ~!"},
		{"ünïcödé 中文 😀", "ünïcödé 中文 😀"},
		{"a\x1b[2Jb", "a\uFFFD[2Jb"},
		{"tab\there", "tab\uFFFDhere"},
		{"cr\rlf\n", "cr\uFFFDlf\uFFFD"},
		{"del\x7f", "del\uFFFD"},
		{"c1\u009b31m", "c1\uFFFD31m"},
		{"rlo\u202eoverride", "rlo\uFFFDoverride"},
		{"isolate\u2066x\u2069", "isolate\uFFFDx\uFFFD"},
		{"ls\u2028ps\u2029", "ls\uFFFDps\uFFFD"},
		{"nbsp\u00a0ok", "nbsp\u00a0ok"},
	}
	for _, tt := range tests {
		if got := SafeText(tt.in); got != tt.want {
			t.Errorf("SafeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
