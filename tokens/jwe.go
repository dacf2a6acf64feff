package tokens

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxPBES2Count bounds the PBKDF2 iteration count a PBES2 JWE may ask for (OWASP's 2023
// figure for PBKDF2-HMAC-SHA256). A larger p2c is refused before any work is done, so a
// token cannot make tokenbench spin; PBES2 itself is refused unless a policy allows it.
const MaxPBES2Count = 600_000

// jweDecrypter opens the outer layer of an encrypted token under a Policy: explicit
// key-management and content-encryption allow-lists, configured private keys only, no
// compression, bounded work.
type jweDecrypter struct {
	policy  *Policy
	keyAlgs []string
	encs    []string
}

func newJWEDecrypter(p *Policy) *jweDecrypter {
	return &jweDecrypter{policy: p, keyAlgs: p.jweKeyAlgorithms(), encs: p.jweEncryptions()}
}

// open runs the JWE checks and returns the nested compact JWS, or "" when the token
// could not be decrypted (the report says why).
func (d *jweDecrypter) open(rep *Report, tok *Token) string {
	plaintext, ok := d.decrypt(rep, tok)
	if !ok {
		return ""
	}
	cty, _ := tok.Header.String("cty")
	switch {
	case !tok.Header.Has("cty"):
		rep.add(CheckJWEPayload, StatusFail, "cty is missing; an encrypted token must declare cty JWT and wrap a signed JWT")
	case !mediaTypeEqual(cty, "JWT"):
		rep.add(CheckJWEPayload, StatusFail, "cty is "+quoteIfOdd(truncate(cty, 40))+"; only a nested signed JWT (cty JWT) is accepted")
	case strings.Count(string(plaintext), ".") != 2:
		rep.add(CheckJWEPayload, StatusFail, "the decrypted payload is not a compact signed JWT")
	default:
		rep.add(CheckJWEPayload, StatusPass, "a nested signed JWT (cty JWT); checked below")
		return string(plaintext)
	}
	return ""
}

// decrypt runs the header, algorithm, key and decryption checks and returns the
// plaintext when every one passed.
func (d *jweDecrypter) decrypt(rep *Report, tok *Token) ([]byte, bool) {
	alg, _ := tok.Header.String("alg")
	enc, _ := tok.Header.String("enc")
	rep.Alg = alg
	headerOK := d.checkHeader(rep, tok, alg)
	algOK := d.checkAlg(rep, tok, alg)
	encOK := d.checkEnc(rep, tok, enc)
	if !headerOK || !algOK || !encOK {
		rep.skip("not checked: the JWE header or algorithms were refused", CheckJWEKey, CheckJWEDecrypt)
		return nil, false
	}
	key := d.selectKey(rep, tok, alg, enc)
	if key == nil {
		rep.add(CheckJWEDecrypt, StatusSkip, "not checked: no decryption key")
		return nil, false
	}
	obj, err := jose.ParseEncryptedCompact(tok.Raw, []jose.KeyAlgorithm{jose.KeyAlgorithm(alg)}, []jose.ContentEncryption{jose.ContentEncryption(enc)})
	if err != nil {
		rep.addKey(CheckJWEDecrypt, StatusFail, "refused: "+joseReason(err), &key.info)
		return nil, false
	}
	plaintext, err := obj.Decrypt(key.material)
	if err != nil {
		rep.addKey(CheckJWEDecrypt, StatusFail, "decryption failed: "+decryptReason(err), &key.info)
		return nil, false
	}
	rep.addKey(CheckJWEDecrypt, StatusPass, "decrypted with "+alg+" and "+enc, &key.info)
	return plaintext, true
}

// decryptReason says why go-jose could not decrypt a JWE. Its reason is cut short and
// made safe: the text can carry parts of the token.
func decryptReason(err error) string {
	if errors.Is(err, jose.ErrCryptoFailure) {
		return "wrong key, or the token was modified"
	}
	return SafeText(truncate(joseReason(err), 160))
}

func (d *jweDecrypter) checkHeader(rep *Report, tok *Token, alg string) bool {
	h := tok.Header
	if h.Has("zip") {
		rep.add(CheckJWEHeader, StatusFail, "compressed (zip) payloads are refused: a small token can inflate without bound")
		return false
	}
	if why := critProblem(h); why != "" {
		rep.add(CheckJWEHeader, StatusFail, why)
		return false
	}
	if raw, ok := h.Get("p2c"); ok {
		n, isInt := smallInt(raw)
		switch {
		case !isInt:
			rep.add(CheckJWEHeader, StatusFail, "p2c is not a positive integer under "+strconv.Itoa(MaxPBES2Count))
			return false
		case n < 1 || n > MaxPBES2Count:
			rep.add(CheckJWEHeader, StatusFail, "p2c "+strconv.FormatInt(n, 10)+" is outside 1.."+strconv.Itoa(MaxPBES2Count)+": refused before any work")
			return false
		}
	}
	if raw, ok := h.Get("kid"); ok && (len(raw) == 0 || raw[0] != '"') {
		rep.add(CheckJWEHeader, StatusFail, "kid is not a string")
		return false
	}
	if jweKeyFamily(alg) == jweECDH {
		if why := epkProblem(h); why != "" {
			rep.add(CheckJWEHeader, StatusFail, why)
			return false
		}
	}
	if !h.Has("enc") {
		rep.add(CheckJWEHeader, StatusFail, "the header has no enc")
		return false
	}
	needsKey := !(alg == "dir" || alg == "ECDH-ES")
	switch {
	case needsKey && len(tok.EncryptedKey) == 0:
		rep.add(CheckJWEHeader, StatusFail, "the encrypted key is empty, but "+quoteIfOdd(alg)+" needs one")
		return false
	case !needsKey && len(tok.EncryptedKey) != 0:
		rep.add(CheckJWEHeader, StatusFail, "the encrypted key must be empty for "+alg)
		return false
	}
	var found []string
	for _, n := range untrustedHeaders {
		if h.Has(n) {
			found = append(found, n)
		}
	}
	if found != nil {
		rep.add(CheckJWEHeader, StatusWarn, "the token carries "+strings.Join(found, ", ")+": untrusted, never used or fetched")
		return true
	}
	rep.add(CheckJWEHeader, StatusPass, "no compression, no critical extensions")
	return true
}

func (d *jweDecrypter) checkAlg(rep *Report, tok *Token, alg string) bool {
	switch {
	case !tok.Header.Has("alg"):
		rep.add(CheckJWEAlgorithm, StatusFail, "the header has no alg")
	case alg == "":
		rep.add(CheckJWEAlgorithm, StatusFail, "alg is not a string")
	case !slices.Contains(d.keyAlgs, alg):
		reason := "alg " + quoteIfOdd(truncate(alg, 40)) + " is not allowed (allowed: " + strings.Join(d.keyAlgs, ", ") + ")"
		switch {
		case alg == "RSA1_5":
			reason = "RSA1_5 is refused by default: PKCS #1 v1.5 key transport invites padding-oracle attacks (allow it with --jwe-alg RSA1_5)"
		case strings.HasPrefix(alg, "PBES2-"):
			reason = alg + " is refused by default: password-based, and the token chooses the work (allow it with --jwe-alg " + alg + ")"
		}
		rep.add(CheckJWEAlgorithm, StatusFail, reason)
	case jweKeyFamily(alg) == 0:
		rep.add(CheckJWEAlgorithm, StatusFail, "alg "+quoteIfOdd(alg)+" is not a JWE key-management algorithm tokenbench knows")
	default:
		rep.add(CheckJWEAlgorithm, StatusPass, "alg "+alg+" is allowed")
		return true
	}
	return false
}

func (d *jweDecrypter) checkEnc(rep *Report, tok *Token, enc string) bool {
	switch {
	case enc == "":
		rep.add(CheckJWEEncryption, StatusFail, "enc is missing or not a string")
	case !slices.Contains(d.encs, enc):
		rep.add(CheckJWEEncryption, StatusFail, "enc "+quoteIfOdd(truncate(enc, 40))+" is not allowed (allowed: "+strings.Join(d.encs, ", ")+")")
	case !slices.Contains(DefaultJWEEncryptions, enc):
		rep.add(CheckJWEEncryption, StatusFail, "enc "+quoteIfOdd(enc)+" is not a JWE content encryption tokenbench knows")
	default:
		rep.add(CheckJWEEncryption, StatusPass, "enc "+enc+" is allowed")
		return true
	}
	return false
}

// JWE key-management families: which private key type each needs.
const (
	jweRSA = iota + 1
	jweECDH
	jweSymmetric
	jwePassword
)

func jweKeyFamily(alg string) int {
	switch alg {
	case "RSA1_5", "RSA-OAEP", "RSA-OAEP-256":
		return jweRSA
	case "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW":
		return jweECDH
	case "dir", "A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW":
		return jweSymmetric
	case "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW":
		return jwePassword
	}
	return 0
}

type decKey struct {
	info     KeyInfo
	material any
}

// selectKey picks the configured decryption key: kid as an exact lookup, otherwise the
// first key whose type fits alg.
func (d *jweDecrypter) selectKey(rep *Report, tok *Token, alg, enc string) *decKey {
	keys := d.policy.DecryptionKeys
	if len(keys) == 0 {
		if iss, ok := IssuerEncrypted(tok); ok {
			rep.Opaque = true
			rep.add(CheckJWEKey, StatusSkip, "encrypted by its issuer "+quoteIfOdd(iss)+" for itself (alg dir): "+OpaqueNote)
			return nil
		}
		rep.add(CheckJWEKey, StatusSkip, "no decryption key configured (--decrypt-key)")
		return nil
	}
	kid, hasKid := tok.Header.String("kid")
	// pick returns the first key accepted by match that fits, how many were accepted, and
	// why the first unfitting one did not fit.
	pick := func(match func(*Key) bool) (chosen *decKey, matches int, firstWhy string) {
		for i := range keys {
			k := &keys[i]
			if !match(k) {
				continue
			}
			matches++
			dk, why := fitDecryptionKey(k, alg, enc)
			switch {
			case why != "" && firstWhy == "":
				firstWhy = why
			case why == "" && chosen == nil:
				chosen = dk
			}
		}
		return chosen, matches, firstWhy
	}
	chosen, matches, firstWhy := pick(func(k *Key) bool { return !hasKid || k.JWK.KeyID == kid })
	note := ""
	if hasKid && matches == 0 {
		// Keys configured without a kid (a PEM file) may decrypt whatever the kid says.
		chosen, matches, firstWhy = pick(func(k *Key) bool { return k.JWK.KeyID == "" })
		note = "kid " + quoteIfOdd(truncate(kid, 80)) + " not found; "
		if matches == 0 {
			rep.add(CheckJWEKey, StatusFail, "no configured decryption key has kid "+quoteIfOdd(truncate(kid, 80)))
			return nil
		}
	}
	switch {
	case hasKid && note == "" && matches > 1:
		rep.add(CheckJWEKey, StatusFail, strconv.Itoa(matches)+" decryption keys share kid "+quoteIfOdd(kid)+": ambiguous, refused")
	case chosen == nil:
		rep.add(CheckJWEKey, StatusFail, note+"no configured decryption key fits "+alg+": "+firstWhy)
	default:
		rep.addKey(CheckJWEKey, StatusPass, note+"decryption key fits "+alg, &chosen.info)
		return chosen
	}
	return nil
}

// fitDecryptionKey returns the key ready for go-jose, or why it cannot decrypt a token with
// this alg and enc. A "dir" key's JWK alg may name the content encryption it is for.
func fitDecryptionKey(k *Key, alg, enc string) (*decKey, string) {
	dk := &decKey{info: KeyInfo{Kid: k.JWK.KeyID, Alg: k.JWK.Algorithm, Source: k.Source}}
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		dk.info.Kty, dk.material = "RSA", key
		if jweKeyFamily(alg) != jweRSA {
			return nil, "an RSA key cannot decrypt " + alg
		}
		if key.N.BitLen() < MinRSABits {
			return nil, rsaTooSmall(key.N.BitLen())
		}
	case *ecdsa.PrivateKey:
		dk.info.Kty, dk.material = "EC", key
		if jweKeyFamily(alg) != jweECDH {
			return nil, "an EC key cannot decrypt " + alg
		}
	case []byte:
		dk.info.Kty, dk.material = "oct", key
		if f := jweKeyFamily(alg); f != jweSymmetric && f != jwePassword {
			return nil, "a symmetric key cannot decrypt " + alg
		}
		if len(key) == 0 {
			return nil, "the symmetric key is empty"
		}
	default:
		return nil, fmt.Sprintf("a %T is not a private decryption key", k.JWK.Key)
	}
	switch {
	case k.JWK.Algorithm != "" && k.JWK.Algorithm != alg && !(alg == "dir" && k.JWK.Algorithm == enc):
		return nil, "key alg is " + quoteIfOdd(k.JWK.Algorithm) + ", token alg is " + alg
	case k.JWK.Use != "" && k.JWK.Use != "enc":
		return nil, "key use is " + quoteIfOdd(k.JWK.Use) + `, not "enc"`
	case k.KeyOps != nil && !slices.Contains(k.KeyOps, "decrypt") && !slices.Contains(k.KeyOps, "unwrapKey") && !slices.Contains(k.KeyOps, "deriveKey"):
		return nil, `key_ops includes none of "decrypt", "unwrapKey", "deriveKey"`
	}
	return dk, ""
}

// epkProblem checks the ephemeral public key of an ECDH-ES JWE before any key agreement:
// a point off the curve (or the identity) would let a sender probe the private key
// (invalid-curve attack). go-jose checks too; checking here names the reason.
func epkProblem(h Object) string {
	raw, ok := h.Get("epk")
	if !ok {
		return "ECDH-ES needs an ephemeral public key (epk), and the header has none"
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return "epk is not a valid public key: " + joseReason(err) + " (invalid-curve attack?)"
	}
	pub, ok := jwk.Key.(*ecdsa.PublicKey)
	if !ok {
		return "epk is not an EC public key"
	}
	if _, err := pub.ECDH(); err != nil {
		return "epk is not a valid point on its curve (invalid-curve attack?)"
	}
	return ""
}

// CheckJWEAlgorithms reports the first entry of JWE allow-lists that tokenbench does not
// know: keyAlgs are key-management algorithms, encs content encryptions.
func CheckJWEAlgorithms(keyAlgs, encs []string) error {
	for _, a := range keyAlgs {
		if jweKeyFamily(a) == 0 {
			return &ValidationError{Check: CheckJWEAlgorithm, Reason: "unknown JWE key algorithm " + quoteIfOdd(a) +
				" (known: RSA-OAEP, RSA-OAEP-256, RSA1_5, ECDH-ES, ECDH-ES+A128KW/A192KW/A256KW, dir, A128KW/A192KW/A256KW, A128GCMKW/A192GCMKW/A256GCMKW, PBES2-HS256+A128KW/HS384+A192KW/HS512+A256KW)"}
		}
	}
	for _, e := range encs {
		if !slices.Contains(DefaultJWEEncryptions, e) {
			return &ValidationError{Check: CheckJWEEncryption, Reason: "unknown JWE content encryption " + quoteIfOdd(e) + " (known: " + strings.Join(DefaultJWEEncryptions, ", ") + ")"}
		}
	}
	return nil
}
