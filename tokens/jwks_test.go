package tokens

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// jwRFC7520 reads one of the RFC 7520 section 3 keys as a JSON object.
func jwRFC7520(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "rfc7520", "jwk", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jwWith returns a copy of m with the given members set (nil value: removed).
func jwWith(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// jwSet marshals keys (maps, raw JSON or anything else) into a JWKS document.
func jwSet(t testing.TB, keys ...any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwECKey makes a fresh P-256 public JWK with kid, as a JSON object.
func jwECKey(t testing.TB, kid string) map[string]any {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return jwPublic(t, &priv.PublicKey, kid, "ES256")
}

func jwPublic(t testing.TB, pub any, kid, alg string) map[string]any {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseJWKS(t *testing.T) {
	rsaPub := jwWith(jwRFC7520(t, "3_3.rsa_public_key.json"), "kid", "rsa-1")
	ecPub := jwWith(jwRFC7520(t, "3_1.ec_public_key.json"), "kid", "ec-1")
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edPub := jwPublic(t, edPriv.Public(), "ed-1", "EdDSA")
	small := map[string]any{"kty": "RSA", "kid": "small", "e": "AQAB",
		"n": "rJBIp6T1YK-RtPyvYqFFlcucqewSAA_IReSFchE8qyiQrbARqRlXWkB2DR8j_pJQnIpYELbQWZC5Cd0PTGAU8rMbar2AW6zpmBbi7aQf17lUBdt8XI9M9rq7FPVQ1dDdUXm1SVH_9qqWhvMPR422SbfHBEzCAtzK0ANDRo6qz78"}

	tests := []struct {
		name     string
		data     []byte
		wantErr  error    // whole set refused
		wantKids []string // keys kept, in order
		skipped  []string // one substring per skipped key, in order
	}{
		{name: "RSA, EC and Ed25519 public keys", data: jwSet(t, rsaPub, ecPub, edPub), wantKids: []string{"rsa-1", "ec-1", "ed-1"}},
		{name: "empty set", data: []byte(`{"keys":[]}`)},
		{name: "other members ignored", data: []byte(`{"keys":[],"extra":1}`)},
		{name: "one bad key skipped", data: jwSet(t, rsaPub, map[string]any{"kty": "RSA", "kid": "bad", "n": "!!!", "e": "AQAB"}, ecPub),
			wantKids: []string{"rsa-1", "ec-1"}, skipped: []string{`key 1 (kid "bad"): malformed`}},
		{name: "unsupported kty", data: jwSet(t, map[string]any{"kty": "XYZ", "kid": "x"}, ecPub),
			wantKids: []string{"ec-1"}, skipped: []string{`unsupported key type "XYZ"`}},
		{name: "unsupported curve", data: jwSet(t, jwWith(ecPub, "crv", "secp256k1"), edPub),
			wantKids: []string{"ed-1"}, skipped: []string{`unsupported key type "EC" with curve "secp256k1"`}},
		{name: "X25519 is not a signature key", data: jwSet(t, map[string]any{"kty": "OKP", "crv": "X25519", "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}),
			skipped: []string{`key 0: unsupported key type "OKP" with curve "X25519"`}},
		{name: "RSA under 2048 bits", data: jwSet(t, small, rsaPub),
			wantKids: []string{"rsa-1"}, skipped: []string{`RSA key of 1024 bits is too small (minimum 2048 bits)`}},
		{name: "alg that does not fit the key", data: jwSet(t, jwWith(ecPub, "alg", "ES256"), jwWith(rsaPub, "alg", "ES256")),
			skipped: []string{`alg "ES256" does not fit an EC P-521 key`, `alg "ES256" does not fit an RSA key`}},
		{name: "alg none on a key", data: jwSet(t, jwWith(rsaPub, "alg", "none")), skipped: []string{`alg "none"`}},
		{name: "known algs kept", data: jwSet(t, jwWith(rsaPub, "alg", "PS384"), jwWith(ecPub, "alg", "ECDH-ES"), jwWith(edPub, "alg", "Ed25519")),
			wantKids: []string{"rsa-1", "ec-1", "ed-1"}},
		{name: "entries that are not objects", data: []byte(`{"keys":[1,"k",null,[],true]}`),
			skipped: []string{"key 0: not a JSON object", "key 1:", "key 2:", "key 3:", "key 4:"}},
		{name: "kid that is not a string", data: jwSet(t, jwWith(ecPub, "kid", 7)), skipped: []string{"malformed"}},
		{name: "duplicate member inside a key", data: []byte(`{"keys":[{"kty":"EC","kty":"EC","crv":"P-256"}]}`), skipped: []string{"malformed"}},
		{name: "keys without kid are not duplicates", data: jwSet(t, jwWith(rsaPub, "kid", nil), jwWith(ecPub, "kid", nil)), wantKids: []string{"", ""}},

		{name: "private RSA key", data: jwSet(t, ecPub, jwRFC7520(t, "3_4.rsa_private_key.json")), wantErr: ErrPrivateKeyMaterial},
		{name: "private EC key", data: jwSet(t, jwRFC7520(t, "3_2.ec_private_key.json")), wantErr: ErrPrivateKeyMaterial},
		{name: "symmetric key", data: jwSet(t, jwRFC7520(t, "3_5.symmetric_key_mac_computation.json")), wantErr: ErrPrivateKeyMaterial},
		{name: "only a CRT member", data: jwSet(t, jwWith(rsaPub, "qi", "AQAB")), wantErr: ErrPrivateKeyMaterial},
		{name: "private member on an unsupported key", data: jwSet(t, map[string]any{"kty": "XYZ", "d": "AA"}), wantErr: ErrPrivateKeyMaterial},
		{name: "AKP seed", data: jwSet(t, map[string]any{"kty": "AKP", "alg": "ML-DSA-44", "pub": "AA", "priv": "AA"}), wantErr: ErrPrivateKeyMaterial},
		{name: "duplicate kid", data: jwSet(t, ecPub, jwWith(jwECKey(t, ""), "kid", "ec-1")), wantErr: ErrDuplicateKID},
		{name: "duplicate kid across key types", data: jwSet(t, jwWith(rsaPub, "kid", "same"), jwWith(ecPub, "kid", "same")), wantErr: ErrDuplicateKID},
		{name: "duplicate kid, one unusable", data: jwSet(t, ecPub, map[string]any{"kty": "XYZ", "kid": "ec-1"}), wantErr: ErrDuplicateKID},
		{name: "RFC 7520 keys share a kid", data: jwSet(t, jwRFC7520(t, "3_1.ec_public_key.json"), jwRFC7520(t, "3_3.rsa_public_key.json")), wantErr: ErrDuplicateKID},

		{name: "not JSON", data: []byte(`keys`), wantErr: ErrNotJWKS},
		{name: "array", data: []byte(`[{"kty":"EC"}]`), wantErr: ErrNotJWKS},
		{name: "null", data: []byte(`null`), wantErr: ErrNotJWKS},
		{name: "no keys", data: []byte(`{}`), wantErr: ErrNotJWKS},
		{name: "keys not an array", data: []byte(`{"keys":{}}`), wantErr: ErrNotJWKS},
		{name: "keys null", data: []byte(`{"keys":null}`), wantErr: ErrNotJWKS},
		{name: "Keys is not keys", data: []byte(`{"Keys":[]}`), wantErr: ErrNotJWKS},
		{name: "trailing data", data: []byte(`{"keys":[]} {}`), wantErr: ErrNotJWKS},
		{name: "larger than the cap", data: append([]byte(`{"keys":[]}`), make([]byte, MaxBodySize)...), wantErr: ErrNotJWKS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := ParseJWKS(tt.data, "JWKS file test.json")
			if tt.wantErr != nil {
				var je *JWKSError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &je) {
					t.Fatalf("err = %v, want %v as *JWKSError", err, tt.wantErr)
				}
				if set != nil || strings.HasPrefix(err.Error(), "tokens: ") || !strings.Contains(err.Error(), "JWKS file test.json") {
					t.Fatalf("set = %v, err = %q", set, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var kids []string
			for _, k := range set.Keys {
				kids = append(kids, k.JWK.KeyID)
				if k.Origin != OriginJWKS || k.Source != "JWKS file test.json" || !k.JWK.IsPublic() {
					t.Errorf("key %q: origin %v source %q public %v", k.JWK.KeyID, k.Origin, k.Source, k.JWK.IsPublic())
				}
			}
			if strings.Join(kids, ",") != strings.Join(tt.wantKids, ",") {
				t.Errorf("kids = %q, want %q", kids, tt.wantKids)
			}
			if len(set.Skipped) != len(tt.skipped) {
				t.Fatalf("skipped = %q, want %d", set.Skipped, len(tt.skipped))
			}
			for i, want := range tt.skipped {
				if !strings.Contains(set.Skipped[i], want) {
					t.Errorf("skipped[%d] = %q, want it to contain %q", i, set.Skipped[i], want)
				}
			}
		})
	}
}

func TestParseJWKSPrivateReasonNamesKeyAndMembers(t *testing.T) {
	_, err := ParseJWKS(jwSet(t, jwRFC7520(t, "3_4.rsa_private_key.json")), "JWKS URL https://x/jwks")
	want := `key 0 (kid "bilbo.baggins@hobbiton.example") has private member(s) d, dp, dq, p, q, qi`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
}

func TestCheckPublicKeyExponentAndROCA(t *testing.T) {
	rsaPub := jwRFC7520(t, "3_3.rsa_public_key.json")
	for _, tt := range []struct {
		e, want string
	}{
		{"AQAB", ""},  // 65537
		{"Aw", ""},    // 3
		{"BA", "odd"}, // 4
		{"AQ", "bad e value"},
	} {
		set, err := ParseJWKS(jwSet(t, jwWith(rsaPub, "e", tt.e)), "s")
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(set.Skipped, ";")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("e=%s: skipped %q, want %q", tt.e, got, tt.want)
		}
	}
	// The RFC 7520 modulus and freshly generated ones never have the fingerprint; the
	// Wycheproof ROCA key (TestWycheproofJSONWebKey) does.
	var jwk jose.JSONWebKey
	b, _ := json.Marshal(rsaPub)
	if err := jwk.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if hasROCAFingerprint(jwk.Key.(*rsa.PublicKey).N) {
		t.Fatal("RFC 7520 key flagged as ROCA")
	}
	for i := 0; i < 3; i++ {
		k, err := rsa.GenerateKey(rand.Reader, 1024) // size does not matter here, speed does
		if err != nil {
			t.Fatal(err)
		}
		if hasROCAFingerprint(k.N) {
			t.Fatal("random modulus flagged as ROCA")
		}
	}
}

// TestWycheproofJSONWebKey runs the key sets of Wycheproof's json_web_key vectors through
// ParseJWKS. Every "private" set must be refused (a published set must be public); each
// "public" set must keep exactly the keys listed here. Where a kept key belongs to an
// "invalid" case, the validator refuses it for the reason given (it reads use/alg, which
// are key selection rules, not key set rules).
func TestWycheproofJSONWebKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "wycheproof", "testvectors_v1", "json_web_key_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		TestGroups []struct {
			Comment string          `json:"comment"`
			Private json.RawMessage `json:"private"`
			Public  json.RawMessage `json:"public"`
			Tests   []struct {
				TcID   int    `json:"tcId"`
				JWS    string `json:"jws"`
				Result string `json:"result"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	// tcId → number of keys kept from the group's public set, and why (for a skipped key:
	// a part of the reason ParseJWKS gives).
	public := map[int]struct {
		kept int
		why  string
	}{
		5:  {1, "valid RS256 key"},
		6:  {1, "use enc / alg RSA1_5: kept as a published encryption key, refused by the validator for signatures"},
		7:  {0, "ROCA fingerprint"},
		8:  {0, "1024 bits"},
		9:  {0, "bad e value"},
		19: {0, `alg "ES521" does not fit`},
		20: {0, `alg "ES224" does not fit`},
		21: {1, "use enc: refused by the validator for signatures"},
		22: {0, "not on declared curve"},
		23: {0, "wrong length for x"},
		24: {0, "missing n/e"},
	}
	seen := 0
	for _, g := range file.TestGroups {
		if g.Private != nil {
			if _, err := ParseJWKS(g.Private, "wycheproof"); !errors.Is(err, ErrPrivateKeyMaterial) {
				t.Errorf("%s: private set: err = %v, want ErrPrivateKeyMaterial", g.Comment, err)
			}
		}
		if g.Public == nil {
			continue
		}
		for _, tc := range g.Tests {
			want, ok := public[tc.TcID]
			if !ok {
				t.Errorf("tcId %d (%s) has a public set but no expectation here", tc.TcID, g.Comment)
				continue
			}
			seen++
			set, err := ParseJWKS(g.Public, "wycheproof")
			if err != nil {
				t.Fatalf("tcId %d: %v", tc.TcID, err)
			}
			if len(set.Keys) != want.kept || len(set.Keys)+len(set.Skipped) != 1 {
				t.Errorf("tcId %d (%s): kept %d skipped %q, want %d kept", tc.TcID, want.why, len(set.Keys), set.Skipped, want.kept)
				continue
			}
			if want.kept == 0 && !strings.Contains(set.Skipped[0], want.why) {
				t.Errorf("tcId %d: skipped %q, want the reason to contain %q", tc.TcID, set.Skipped[0], want.why)
			}
			if tc.Result == "valid" {
				jws, err := jose.ParseSignedCompact(tc.JWS, []jose.SignatureAlgorithm{jose.RS256})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := jws.Verify(set.Keys[0].JWK); err != nil {
					t.Errorf("tcId %d: the kept key does not verify the valid JWS: %v", tc.TcID, err)
				}
			}
		}
	}
	if seen != len(public) {
		t.Errorf("ran %d public cases, expected %d", seen, len(public))
	}
}

// FuzzParseJWKS checks that ParseJWKS never panics and that whatever it accepts obeys its
// contract: public keys only, unique kids, every entry either kept or skipped.
func FuzzParseJWKS(f *testing.F) {
	for _, name := range []string{"3_1.ec_public_key.json", "3_2.ec_private_key.json", "3_3.rsa_public_key.json", "3_5.symmetric_key_mac_computation.json"} {
		f.Add(jwSet(f, jwRFC7520(f, name)))
	}
	f.Add(jwSet(f, jwWith(jwRFC7520(f, "3_3.rsa_public_key.json"), "kid", "a"), jwWith(jwRFC7520(f, "3_1.ec_public_key.json"), "kid", "b")))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","alg":"EdDSA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","x5c":["MIIB"]},1,null,{}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}],"keys":[]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseJWKS(data, "fuzz")
		if err != nil {
			var je *JWKSError
			if set != nil || !errors.As(err, &je) {
				t.Fatalf("set %v with error %v", set, err)
			}
			return
		}
		var top map[string]json.RawMessage
		var entries []json.RawMessage
		if json.Unmarshal(data, &top) != nil || json.Unmarshal(top["keys"], &entries) != nil {
			t.Fatal("accepted something that is not a JSON object with a keys array")
		}
		if len(entries) != len(set.Keys)+len(set.Skipped) {
			t.Fatalf("%d entries, %d kept + %d skipped", len(entries), len(set.Keys), len(set.Skipped))
		}
		kids := map[string]bool{}
		for _, k := range set.Keys {
			if !k.JWK.IsPublic() || k.Origin != OriginJWKS || k.Source != "fuzz" {
				t.Fatalf("bad key %+v", k)
			}
			if reason := checkPublicKey(k.JWK.Key, k.JWK.Algorithm); reason != "" {
				t.Fatalf("kept a key that fails its checks: %s", reason)
			}
			if k.JWK.KeyID != "" && kids[k.JWK.KeyID] {
				t.Fatalf("duplicate kid %q kept", k.JWK.KeyID)
			}
			kids[k.JWK.KeyID] = true
		}
	})
}

func TestParseJWKSLongKidIsCut(t *testing.T) {
	kid := strings.Repeat("k", 100) + "\x1b[2J"
	set, err := ParseJWKS(jwSet(t, map[string]any{"kty": "XYZ", "kid": kid}), "s")
	if err != nil || len(set.Skipped) != 1 {
		t.Fatal(err)
	}
	if want := `key 0 (kid "` + strings.Repeat("k", 64) + `"…): unsupported`; !strings.HasPrefix(set.Skipped[0], want) {
		t.Fatalf("%q", set.Skipped[0])
	}
	_, err = ParseJWKS(jwSet(t, map[string]any{"kty": "XYZ", "kid": "a\x1b"}, map[string]any{"kty": "XYZ", "kid": "a\x1b"}), "s")
	if err == nil || !strings.Contains(err.Error(), `key 1 (kid "a\x1b") has the kid of key 0`) {
		t.Fatalf("%v", err)
	}
}
