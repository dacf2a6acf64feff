package tokens

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strconv"
)

// sigKey is a configured key made ready for the signature fast path once per Validator:
// its public material unpacked into the standard library's types and every rule that
// depends on the key alone decided up front.
type sigKey struct {
	src  *Key
	info KeyInfo
	crv  string
	rsa  *rsa.PublicKey
	ec   *ecdsa.PublicKey
	ecN  []byte // the curve order, big-endian, fixed length
	ed   ed25519.PublicKey
	hmac []byte
	// problem, when set, says why the key can verify nothing at all.
	problem string
}

func newSigKey(k *Key) sigKey {
	sk := sigKey{src: k, info: KeyInfo{Kid: k.JWK.KeyID, Alg: k.JWK.Algorithm, Source: k.Source}}
	switch key := k.JWK.Key.(type) {
	case *rsa.PrivateKey:
		sk.setRSA(&key.PublicKey)
	case *rsa.PublicKey:
		sk.setRSA(key)
	case *ecdsa.PrivateKey:
		sk.setEC(&key.PublicKey)
	case *ecdsa.PublicKey:
		sk.setEC(key)
	case ed25519.PrivateKey:
		sk.info.Kty, sk.crv = "OKP", "Ed25519"
		if len(key) != ed25519.PrivateKeySize {
			sk.problem = "Ed25519 private key has the wrong length"
		} else {
			sk.ed = key.Public().(ed25519.PublicKey)
		}
	case ed25519.PublicKey:
		sk.info.Kty, sk.crv = "OKP", "Ed25519"
		if len(key) != ed25519.PublicKeySize {
			sk.problem = "Ed25519 public key is " + strconv.Itoa(len(key)) + " bytes, not 32"
		} else {
			sk.ed = key
		}
	case []byte:
		sk.info.Kty = "oct"
		sk.setSecret(key)
	default:
		sk.info.Kty = "unknown"
		sk.problem = fmt.Sprintf("unsupported key type %T", k.JWK.Key)
	}
	if sk.problem == "" {
		switch {
		case k.JWK.Use != "" && k.JWK.Use != "sig":
			sk.problem = "key use is " + quoteIfOdd(k.JWK.Use) + `, not "sig"`
		case k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify"):
			sk.problem = `key_ops does not include "verify"`
		}
	}
	return sk
}

func (sk *sigKey) setRSA(pub *rsa.PublicKey) {
	sk.info.Kty = "RSA"
	switch {
	case pub == nil || pub.N == nil:
		sk.problem = "RSA key has no modulus"
	case pub.N.BitLen() < MinRSABits:
		sk.problem = "RSA key is " + strconv.Itoa(pub.N.BitLen()) + " bits; at least 2048 are required"
	case pub.E < 3 || pub.E%2 == 0:
		sk.problem = "RSA public exponent " + strconv.Itoa(pub.E) + " is not an odd number of at least 3"
	default:
		sk.rsa = pub
	}
}

func (sk *sigKey) setEC(pub *ecdsa.PublicKey) {
	sk.info.Kty = "EC"
	defer func() {
		// A hand-built key without coordinates makes the standard library panic.
		if recover() != nil {
			sk.ec, sk.ecN, sk.problem = nil, nil, "EC public key is not a valid point"
		}
	}()
	if pub == nil || pub.Curve == nil {
		sk.problem = "EC key is incomplete"
		return
	}
	switch pub.Curve {
	case elliptic.P256():
		sk.crv = "P-256"
	case elliptic.P384():
		sk.crv = "P-384"
	case elliptic.P521():
		sk.crv = "P-521"
	default:
		sk.problem = "EC key is on an unsupported curve " + pub.Curve.Params().Name
		return
	}
	// Bytes and ECDH validate the point: present, on the curve, not the identity.
	if _, err := pub.Bytes(); err != nil {
		sk.problem = "EC public key is not a valid point on " + sk.crv
		return
	}
	if _, err := pub.ECDH(); err != nil {
		sk.problem = "EC public key is not a valid point on " + sk.crv
		return
	}
	size := (pub.Curve.Params().BitSize + 7) / 8
	sk.ec, sk.ecN = pub, pub.Curve.Params().N.FillBytes(make([]byte, size))
}

func (sk *sigKey) setSecret(secret []byte) {
	switch {
	case len(secret) == 0:
		sk.problem = "HMAC secret is empty"
	case looksLikePublicKey(secret):
		sk.problem = "HMAC secret looks like a public key (PEM, DER or JSON): public material must never key an HMAC"
	default:
		sk.hmac = secret
	}
}

// looksLikePublicKey reports whether a would-be HMAC secret is really an encoded key,
// the material of the classic RS256→HS256 confusion attack.
func looksLikePublicKey(b []byte) bool {
	t := bytes.TrimSpace(b)
	if bytes.HasPrefix(t, []byte("-----BEGIN")) || bytes.HasPrefix(t, []byte("{")) {
		return true
	}
	if blk, _ := pem.Decode(t); blk != nil {
		return true
	}
	if _, err := x509.ParsePKIXPublicKey(b); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PublicKey(b); err == nil {
		return true
	}
	return false
}

// fits returns why the key cannot verify a token signed with alg, or "" when it can.
func (sk *sigKey) fits(alg *sigAlg) string {
	if sk.problem != "" {
		return sk.problem
	}
	if sk.info.Alg != "" && sk.info.Alg != alg.name {
		return "key alg is " + quoteIfOdd(sk.info.Alg) + ", token alg is " + alg.name
	}
	switch alg.family {
	case famRSA, famPSS:
		if sk.rsa == nil {
			return sk.info.Kty + " key cannot verify " + alg.name
		}
	case famECDSA:
		if sk.ec == nil {
			return sk.info.Kty + " key cannot verify " + alg.name
		}
		if sk.crv != alg.curve {
			return "key curve " + sk.crv + " does not match " + alg.name + " (" + alg.curve + ")"
		}
	case famEdDSA:
		if sk.ed == nil {
			return sk.info.Kty + " key cannot verify EdDSA"
		}
	case famHMAC:
		if sk.hmac == nil {
			return sk.info.Kty + " key cannot verify " + alg.name + " (HMAC needs a shared secret)"
		}
		if sk.src.Origin != OriginSecretFile {
			return "HMAC is only keyed from a secret file, never from a JWKS or key file"
		}
		if len(sk.hmac) < alg.size {
			return "HMAC secret is " + strconv.Itoa(len(sk.hmac)) + " bytes; " + alg.name + " needs at least " + strconv.Itoa(alg.size)
		}
	}
	return ""
}

// Reasons a signature fails, kept as constants so the fast path does not format.
const (
	reasonBadSignature = "signature does not verify with this key"
	reasonDERSignature = "ECDSA signature is DER-encoded; JWS requires raw fixed-length R‖S (RFC 7518 §3.4)"
	reasonPsychic      = "ECDSA signature has r or s equal to zero or not below the curve order (psychic signature)"
)

// verify checks sig over input with the standard library; it returns "" when the
// signature is good and the reason otherwise. The key must fit alg.
func (sk *sigKey) verify(alg *sigAlg, input string, sig []byte) string {
	var buf [sha512.Size]byte
	switch alg.family {
	case famEdDSA:
		if len(sig) != ed25519.SignatureSize {
			return "EdDSA signature is " + strconv.Itoa(len(sig)) + " bytes, not 64"
		}
		if !ed25519.Verify(sk.ed, []byte(input), sig) {
			return reasonBadSignature
		}
		return ""
	case famHMAC:
		mac := hmac.New(alg.hash.New, sk.hmac)
		mac.Write([]byte(input))
		if len(sig) != alg.hash.Size() {
			return "HMAC is " + strconv.Itoa(len(sig)) + " bytes; " + alg.name + " produces " + strconv.Itoa(alg.hash.Size())
		}
		if !hmac.Equal(mac.Sum(buf[:0]), sig) {
			return reasonBadSignature
		}
		return ""
	}
	digest := hashInto(&buf, alg.hash, input)
	switch alg.family {
	case famRSA:
		if len(sig) != sk.rsa.Size() {
			return "RSA signature is " + strconv.Itoa(len(sig)) + " bytes; this key's are " + strconv.Itoa(sk.rsa.Size())
		}
		if rsa.VerifyPKCS1v15(sk.rsa, alg.hash, digest, sig) != nil {
			return reasonBadSignature
		}
	case famPSS:
		if len(sig) != sk.rsa.Size() {
			return "RSA signature is " + strconv.Itoa(len(sig)) + " bytes; this key's are " + strconv.Itoa(sk.rsa.Size())
		}
		if rsa.VerifyPSS(sk.rsa, alg.hash, digest, sig, pssOptions(alg.hash)) != nil {
			return reasonBadSignature
		}
	case famECDSA:
		if len(sig) != 2*alg.size {
			if len(sig) > 0 && sig[0] == 0x30 {
				return reasonDERSignature
			}
			return "ECDSA signature is " + strconv.Itoa(len(sig)) + " bytes; " + alg.name + " needs " + strconv.Itoa(2*alg.size)
		}
		r, s := sig[:alg.size], sig[alg.size:]
		if !inScalarRange(r, sk.ecN) || !inScalarRange(s, sk.ecN) {
			return reasonPsychic
		}
		var der [160]byte
		if !ecdsa.VerifyASN1(sk.ec, digest, appendDERSignature(der[:0], r, s)) {
			return reasonBadSignature
		}
	}
	return ""
}

var (
	pss256 = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	pss384 = &rsa.PSSOptions{SaltLength: 48, Hash: crypto.SHA384}
	pss512 = &rsa.PSSOptions{SaltLength: 64, Hash: crypto.SHA512}
)

// pssOptions fixes the salt length to the hash length, as RFC 7518 §3.5 requires; a
// verifier that accepts any salt length accepts signatures no JWS signer makes.
func pssOptions(h crypto.Hash) *rsa.PSSOptions {
	switch h {
	case crypto.SHA384:
		return pss384
	case crypto.SHA512:
		return pss512
	}
	return pss256
}

func hashInto(buf *[sha512.Size]byte, h crypto.Hash, input string) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256([]byte(input))
		return append(buf[:0], d[:]...)
	case crypto.SHA384:
		d := sha512.Sum384([]byte(input))
		return append(buf[:0], d[:]...)
	default:
		d := sha512.Sum512([]byte(input))
		return append(buf[:0], d[:]...)
	}
}

// inScalarRange reports whether the big-endian v (as long as n) is in [1, n-1].
func inScalarRange(v, n []byte) bool {
	zero := true
	for _, c := range v {
		if c != 0 {
			zero = false
			break
		}
	}
	return !zero && bytes.Compare(v, n) < 0
}

// appendDERSignature encodes raw r and s as the ASN.1 SEQUENCE the standard library
// verifies. The JWS form was already checked to be fixed-length and in range; this only
// changes the envelope.
func appendDERSignature(dst, r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	body := derIntLen(r) + derIntLen(s)
	dst = append(dst, 0x30)
	if body >= 0x80 {
		dst = append(dst, 0x81)
	}
	dst = append(dst, byte(body))
	dst = appendDERInt(dst, r)
	return appendDERInt(dst, s)
}

func trimZeros(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// derIntLen is the encoded size of a positive INTEGER with magnitude b.
func derIntLen(b []byte) int {
	if b[0] >= 0x80 {
		return 3 + len(b)
	}
	return 2 + len(b)
}

func appendDERInt(dst, b []byte) []byte {
	if b[0] >= 0x80 {
		return append(append(dst, 0x02, byte(len(b)+1), 0), b...)
	}
	return append(append(dst, 0x02, byte(len(b))), b...)
}
