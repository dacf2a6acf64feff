package tokens

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"math/big"
	"sync"
)

// MinRSABits is the smallest RSA modulus tokenbench accepts for a verification key, and
// so for a signature (RFC 7518 section 3.3).
const MinRSABits = 2048

// keyType returns the JWK "kty" of a parsed public key, and for EC and OKP keys its curve.
func jwkKeyType(pub any) (kty, crv string) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", ""
	case *ecdsa.PublicKey:
		return "EC", k.Curve.Params().Name
	case ed25519.PublicKey:
		return "OKP", "Ed25519"
	}
	return fmt.Sprintf("%T", pub), ""
}

// algsFor lists the JOSE algorithms a key of this type and curve may carry in its "alg"
// member: the signature algorithms tokenbench verifies, and the key-management algorithms
// a provider may publish the same key type for (those are kept, the validator refuses to
// verify with them).
func jwkAlgsFor(kty, crv string) []string {
	ecdh := []string{"ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"}
	switch {
	case kty == "RSA":
		return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
			"RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512", "RSA1_5"}
	case kty == "EC" && crv == "P-256":
		return append([]string{"ES256"}, ecdh...)
	case kty == "EC" && crv == "P-384":
		return append([]string{"ES384"}, ecdh...)
	case kty == "EC" && crv == "P-521":
		return append([]string{"ES512"}, ecdh...)
	case kty == "OKP" && crv == "Ed25519":
		return []string{"EdDSA", "Ed25519"}
	}
	return nil
}

// rsaTooSmall says why an RSA key of bits bits is refused, in every place that refuses one.
func rsaTooSmall(bits int) string {
	return fmt.Sprintf("RSA key of %d bits is too small (minimum %d bits)", bits, MinRSABits)
}

// checkPublicKey says why a parsed public key must not be used for verification, or
// returns "" when it may be. It refuses key types and curves tokenbench does not verify
// with, RSA moduli under MinRSABits, RSA exponents that are even or below 3, moduli with
// the ROCA (CVE-2017-15361) fingerprint, and an "alg" that does not fit the key.
func checkPublicKey(pub any, alg string) string {
	kty, crv := jwkKeyType(pub)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return rsaTooSmall(bits)
		}
		if k.E < 3 || k.E%2 == 0 {
			return fmt.Sprintf("RSA public exponent %d is not an odd number of at least 3", k.E)
		}
		if hasROCAFingerprint(k.N) {
			return "RSA modulus has the ROCA fingerprint (CVE-2017-15361): its private key can be computed"
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Sprintf("unsupported EC curve %s", crv)
		}
	case ed25519.PublicKey:
	default:
		return fmt.Sprintf("unsupported key type %s", kty)
	}
	if alg == "" {
		return ""
	}
	for _, a := range jwkAlgsFor(kty, crv) {
		if a == alg {
			return ""
		}
	}
	if crv != "" {
		kty += " " + crv
	}
	return fmt.Sprintf("alg %q does not fit an %s key", alg, kty) // RSA, EC, OKP: all "an"
}

// rocaPrimes are the small primes used to recognise moduli made by the Infineon RSALib
// generator: each of its primes is congruent to a power of 65537 modulo every one of them,
// so the modulus is too. A random modulus passes all of them with negligible probability.
var rocaPrimes = []int64{3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67,
	71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167}

// rocaPowers()[i] is the set of powers of 65537 modulo rocaPrimes[i], as a bit mask. It is
// built on the first key check, not at start-up, so that `decode` does not pay for it.
var rocaPowers = sync.OnceValue(func() [][3]uint64 {
	out := make([][3]uint64, len(rocaPrimes))
	for i, p := range rocaPrimes {
		g := 65537 % p
		x := int64(1)
		for {
			out[i][x/64] |= 1 << (x % 64)
			x = x * g % p
			if x == 1 {
				break
			}
		}
	}
	return out
})

func hasROCAFingerprint(n *big.Int) bool {
	var m, r big.Int
	powers := rocaPowers()
	for i, p := range rocaPrimes {
		m.SetInt64(p)
		x := r.Mod(n, &m).Int64()
		if powers[i][x/64]&(1<<(x%64)) == 0 {
			return false
		}
	}
	return true
}
