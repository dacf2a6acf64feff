package tokens

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// rfc7520Example is the part of an ietf-jose/cookbook example file the tests read.
type rfc7520Example struct {
	Input struct {
		Payload   string          `json:"payload"`
		Plaintext string          `json:"plaintext"`
		Key       json.RawMessage `json:"key"`
		Pwd       string          `json:"pwd"`
		Alg       json.RawMessage `json:"alg"`
	} `json:"input"`
	Output struct {
		Compact string          `json:"compact"`
		JSON    json.RawMessage `json:"json"`
	} `json:"output"`
}

func readExample(t *testing.T, path string) rfc7520Example {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "rfc7520", path))
	if err != nil {
		t.Fatal(err)
	}
	var ex rfc7520Example
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	return ex
}

func (ex rfc7520Example) alg() string {
	var s string
	json.Unmarshal(ex.Input.Alg, &s)
	return s
}

// TestRFC7520Signatures: every signed example verifies, or is refused by the default
// rules with the stated reason.
func TestRFC7520Signatures(t *testing.T) {
	cases := []struct {
		file   string
		refuse string // "" means it must verify
	}{
		{"jws/4_1.rsa_v15_signature.json", ""},
		{"jws/4_2.rsa-pss_signature.json", ""},
		{"jws/4_3.ecdsa_signature.json", ""},
		{"jws/4_4.hmac-sha2_integrity_protection.json", ""},
		{"jws/4_5.signature_with_detached_content.json", "detached content"},
		{"jws/4_6.protecting_specific_header_fields.json", "JSON serialization"},
		{"jws/4_7.protecting_content_only.json", "JSON serialization"},
		{"jws/4_8.multiple_signatures.json", "JSON serialization"},
		{"rfc7797/hmac-sha2_b64_false.json", "b64"},
		{"rfc7797/4.2.hmac-sha2_b64_false.json", "JSON serialization"},
		{"curve25519/jws.json", ""},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			ex := readExample(t, tc.file)
			raw := ex.Output.Compact
			if raw == "" {
				raw = string(ex.Output.JSON)
			}
			var keys *KeySet
			if len(ex.Input.Key) > 0 && ex.Input.Key[0] == '{' {
				var err error
				if keys, err = ParseVerificationKeys(ex.Input.Key, "key file key.jwk"); err != nil {
					t.Fatal(err)
				}
			}
			p := Policy{SignatureOnly: true, Now: fixedNow}
			if alg := ex.alg(); alg != "" {
				p.Algorithms = []string{alg} // HS256 must be allowed explicitly
			}
			rep := Validate(raw, p, keys)
			if tc.refuse == "" {
				if !rep.Valid() {
					t.Fatalf("must verify:\n%s", rep)
				}
				return
			}
			if rep.Verdict != VerdictInvalid || !strings.Contains(rep.String(), tc.refuse) {
				t.Fatalf("must be refused for %q:\n%s", tc.refuse, rep)
			}
		})
	}
}

// TestRFC7520Encryption: every encrypted example decrypts, or is refused by the default
// policy with the stated reason; the ones refused by default decrypt once their algorithm
// is allowed explicitly (except zip, which is always refused, and X25519, which go-jose
// does not implement).
func TestRFC7520Encryption(t *testing.T) {
	cases := []struct {
		file      string
		byDefault string // "" means it decrypts under the default policy
		allowed   bool   // decrypts once its key algorithm is allowed explicitly
	}{
		{"jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json", "RSA1_5 is refused by default", true},
		{"jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json", "", true},
		{"jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json", "PBES2-HS512+A256KW is refused by default", true},
		{"jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json", "", true},
		{"jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json", "", true},
		{"jwe/5_6.direct_encryption_using_aes-gcm.json", "", true},
		{"jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json", "alg A256GCMKW is not allowed", true},
		{"jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json", "alg A128KW is not allowed", true},
		{"jwe/5_9.compressed_content.json", "compressed (zip)", false},
		{"jwe/5_10.including_additional_authentication_data.json", "JSON serialization", false},
		{"jwe/5_11.protecting_specific_header_fields.json", "JSON serialization", false},
		{"jwe/5_12.protecting_content_only.json", "JSON serialization", false},
		{"jwe/5_13.encrypting_to_multiple_recipients.json", "JSON serialization", false},
		{"curve25519/ecdh-es.json", "epk is not a valid public key", false},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			ex := readExample(t, tc.file)
			raw := ex.Output.Compact
			if raw == "" {
				raw = string(ex.Output.JSON)
			}
			var keys []Key
			switch {
			case ex.Input.Pwd != "":
				keys = []Key{{JWK: jose.JSONWebKey{Key: []byte(ex.Input.Pwd)}, Source: "password"}}
			case len(ex.Input.Key) > 0 && ex.Input.Key[0] == '{':
				if k, why := privateJWK(ex.Input.Key, "rfc7520"); why == "" {
					keys = []Key{k}
				}
			}
			try := func(p Policy) (string, string) {
				tok, err := Parse(raw)
				if err != nil {
					return "", Validate(raw, p, nil).Summary()
				}
				rep := &Report{}
				pt, ok := newJWEDecrypter(&p).decrypt(rep, tok)
				rep.Verdict = rep.verdict()
				if !ok {
					return "", rep.Summary()
				}
				return string(pt), ""
			}
			pt, why := try(Policy{DecryptionKeys: keys})
			switch {
			case tc.byDefault == "" && pt != ex.Input.Plaintext:
				t.Fatalf("must decrypt under the default policy: %s", why)
			case tc.byDefault != "" && (pt != "" || !strings.Contains(why, tc.byDefault)):
				t.Fatalf("must be refused by default for %q, got %q", tc.byDefault, why)
			}
			if tc.allowed {
				pt, why = try(Policy{DecryptionKeys: keys, JWEKeyAlgorithms: []string{ex.alg()}})
				if pt != ex.Input.Plaintext {
					t.Fatalf("must decrypt with %s allowed: %s", ex.alg(), why)
				}
			}
		})
	}
}

// TestRFC7520Nested validates the nested example of RFC 7520 §6 end to end: RSA-OAEP
// outside, a PS256-signed JWT inside, the claims checked at a time before its exp.
func TestRFC7520Nested(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "rfc7520", "6.nesting_signatures_and_encryption.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Sign, Encrypt rfc7520Example
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	sigKeys, err := ParseVerificationKeys(ex.Sign.Input.Key, "key file sig.jwk")
	if err != nil {
		t.Fatal(err)
	}
	dk, why := privateJWK(ex.Encrypt.Input.Key, "rfc7520 §6 decryption key")
	if why != "" {
		t.Fatal(why)
	}
	p := Policy{Issuer: "hobbiton.example", Types: []string{"JWT"}, DecryptionKeys: []Key{dk},
		Now: func() time.Time { return time.Unix(1300819380-120, 0) }}
	rep := Validate(ex.Encrypt.Output.Compact, p, sigKeys)
	if !rep.Valid() || rep.Kind != JWE || rep.Alg != "PS256" {
		t.Fatalf("RFC 7520 §6 must validate:\n%s", rep)
	}
	// Two minutes after exp, beyond the default leeway, the same token is expired.
	p.Now = func() time.Time { return time.Unix(1300819380+120, 0) }
	if rep := Validate(ex.Encrypt.Output.Compact, p, sigKeys); status(rep, "exp") != StatusFail {
		t.Fatalf("expired nested token:\n%s", rep)
	}
}
