package tokens

import (
	"crypto"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512 for crypto.Hash
	"strings"
)

// sigFamily is a kind of JWS signature algorithm: it decides which key types fit.
type sigFamily uint8

const (
	famRSA sigFamily = iota + 1
	famPSS
	famECDSA
	famEdDSA
	famHMAC
)

// sigAlg describes one JWS algorithm of RFC 7518 §3 (and EdDSA of RFC 8037).
type sigAlg struct {
	name   string
	family sigFamily
	hash   crypto.Hash
	curve  string // ECDSA only: the JWK crv the key must have
	size   int    // ECDSA: bytes of R (and of S); HMAC: minimum secret length
}

// lookupSigAlg returns the JWS algorithm called name, matched exactly (case-sensitive,
// as RFC 7515 requires).
func lookupSigAlg(name string) (sigAlg, bool) {
	switch name {
	case "RS256":
		return sigAlg{name, famRSA, crypto.SHA256, "", 0}, true
	case "RS384":
		return sigAlg{name, famRSA, crypto.SHA384, "", 0}, true
	case "RS512":
		return sigAlg{name, famRSA, crypto.SHA512, "", 0}, true
	case "PS256":
		return sigAlg{name, famPSS, crypto.SHA256, "", 0}, true
	case "PS384":
		return sigAlg{name, famPSS, crypto.SHA384, "", 0}, true
	case "PS512":
		return sigAlg{name, famPSS, crypto.SHA512, "", 0}, true
	case "ES256":
		return sigAlg{name, famECDSA, crypto.SHA256, "P-256", 32}, true
	case "ES384":
		return sigAlg{name, famECDSA, crypto.SHA384, "P-384", 48}, true
	case "ES512":
		return sigAlg{name, famECDSA, crypto.SHA512, "P-521", 66}, true
	case "EdDSA":
		return sigAlg{name, famEdDSA, 0, "", 0}, true
	case "HS256":
		return sigAlg{name, famHMAC, crypto.SHA256, "", 32}, true
	case "HS384":
		return sigAlg{name, famHMAC, crypto.SHA384, "", 48}, true
	case "HS512":
		return sigAlg{name, famHMAC, crypto.SHA512, "", 64}, true
	}
	return sigAlg{}, false
}

// SignatureAlgorithms lists every JWS algorithm tokenbench verifies, in the order help and
// shell completion show them.
var SignatureAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
}

// isNone reports whether alg is "none" in any casing: an unsigned token is never valid.
func isNone(alg string) bool { return strings.EqualFold(alg, "none") }

// CheckAlgorithms reports the first entry of a signature allow-list that tokenbench
// cannot honour: an unknown name, or "none" in any casing.
func CheckAlgorithms(algs []string) error {
	for _, a := range algs {
		if isNone(a) {
			return &ValidationError{Check: CheckAlgorithm, Reason: `"none" cannot be allowed: an unsigned token proves nothing`}
		}
		if _, ok := lookupSigAlg(a); !ok {
			return &ValidationError{Check: CheckAlgorithm, Reason: "unknown signature algorithm " + quoteIfOdd(a) + " (known: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512)"}
		}
	}
	return nil
}

// ValidationError names the check a policy or token broke and why.
type ValidationError struct {
	Check  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Check + ": " + e.Reason }
