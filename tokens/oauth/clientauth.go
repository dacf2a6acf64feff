package oauth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/tokens"
)

// ClientAssertionType is the client_assertion_type of a JWT client assertion (RFC 7523
// section 2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long a client assertion is valid: long enough for one
// request, short enough that a captured one is soon useless.
const AssertionLifetime = 2 * time.Minute

// ErrNoClientCredential is returned when the client's authentication method needs a
// secret or a private key that was not given.
var ErrNoClientCredential = errors.New("the client's authentication method needs a credential that is not stored")

// SigningKey is a private key a client signs its assertions with, with the JWS
// algorithm it uses and the key ID providers match against the registered public key.
type SigningKey struct {
	Key       crypto.Signer
	Algorithm jose.SignatureAlgorithm
	KeyID     string
}

// ParseSigningKey reads a private key for private_key_jwt from PEM ("PRIVATE KEY",
// "RSA PRIVATE KEY", "EC PRIVATE KEY"; unencrypted) or a private JWK. RSA keys (2048
// bits or more) sign RS256 unless the JWK's alg names RS384/512 or PS256/384/512; EC keys
// sign ES256/384/512 by their curve; Ed25519 keys sign EdDSA. The key ID is the JWK's
// kid, else the key's RFC 7638 thumbprint (SHA-256, base64url), which is what providers
// that take a JWKS without kids compute. The reason for a refusal never contains key
// material.
func ParseSigningKey(data []byte) (*SigningKey, error) {
	data = bytes.TrimSpace(tokens.TrimBOM(data))
	var key any
	alg, kid := "", ""
	switch {
	case bytes.HasPrefix(data, []byte("-----BEGIN ")):
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, errors.New("the private key is not valid PEM")
		}
		if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, errors.New("encrypted private keys are not read; decrypt it with `openssl pkey -in FILE`")
		}
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			return nil, fmt.Errorf("a PEM %q block is not a private key", tokens.SafeText(block.Type))
		}
		if err != nil {
			return nil, errors.New("the PEM private key is malformed")
		}
	case bytes.HasPrefix(data, []byte("{")):
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(data); err != nil {
			return nil, errors.New("the private key is not a valid JWK")
		}
		if jwk.IsPublic() {
			return nil, errors.New("the JWK is a public key; private_key_jwt needs the private one")
		}
		key, alg, kid = jwk.Key, jwk.Algorithm, jwk.KeyID
	default:
		return nil, errors.New("the private key is neither PEM nor a JWK")
	}
	sk := &SigningKey{KeyID: kid}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("the RSA key has %d bits; 2048 or more are needed", k.N.BitLen())
		}
		sk.Key, sk.Algorithm = k, jose.RS256
		switch a := jose.SignatureAlgorithm(alg); a {
		case jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			sk.Algorithm = a
		case "", jose.RS256:
		default:
			return nil, fmt.Errorf("the JWK's alg %q does not fit an RSA key", tokens.SafeText(alg))
		}
	case *ecdsa.PrivateKey:
		sk.Key = k
		switch k.Curve {
		case elliptic.P256():
			sk.Algorithm = jose.ES256
		case elliptic.P384():
			sk.Algorithm = jose.ES384
		case elliptic.P521():
			sk.Algorithm = jose.ES512
		default:
			return nil, errors.New("the EC key is not on P-256, P-384 or P-521")
		}
	case ed25519.PrivateKey:
		sk.Key, sk.Algorithm = k, jose.EdDSA
	case *ed25519.PrivateKey:
		sk.Key, sk.Algorithm = *k, jose.EdDSA
	default:
		return nil, errors.New("only RSA, EC and Ed25519 private keys can sign client assertions")
	}
	if alg != "" && alg != string(sk.Algorithm) {
		return nil, fmt.Errorf("the JWK's alg %q does not fit its key", tokens.SafeText(alg))
	}
	if sk.KeyID == "" {
		tp, err := (&jose.JSONWebKey{Key: sk.Key.Public()}).Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, errors.New("cannot compute the key's thumbprint")
		}
		sk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	}
	return sk, nil
}

// clientAssertion signs a fresh client assertion for a request to endpoint: iss and sub
// the client ID, aud the endpoint (and the issuer, which providers such as zitadel and
// Auth0 check for instead; RFC 7523 lets aud hold several values), a random jti, iat
// now and exp AssertionLifetime later. client_secret_jwt signs HS256 with the secret.
func (c *Client) clientAssertion(endpoint string) (string, error) {
	var signer jose.Signer
	var err error
	switch c.Config.AuthMethod {
	case AuthSecretJWT:
		if c.Config.ClientSecret == "" {
			return "", fmt.Errorf("%w (client_secret_jwt signs with the client secret)", ErrNoClientCredential)
		}
		signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(c.Config.ClientSecret)},
			(&jose.SignerOptions{}).WithType("JWT"))
	case AuthPrivateKeyJWT:
		if len(c.Config.PrivateKey) == 0 {
			return "", fmt.Errorf("%w (private_key_jwt signs with the client's private key)", ErrNoClientCredential)
		}
		var sk *SigningKey
		if sk, err = ParseSigningKey(c.Config.PrivateKey); err != nil {
			return "", err
		}
		signer, err = jose.NewSigner(jose.SigningKey{Algorithm: sk.Algorithm, Key: jose.JSONWebKey{Key: sk.Key, KeyID: sk.KeyID}},
			(&jose.SignerOptions{}).WithType("JWT"))
	default:
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot sign the client assertion: %w", err)
	}
	now := c.now()
	aud := jwt.Audience{endpoint}
	if c.Config.Issuer != "" && c.Config.Issuer != endpoint {
		aud = append(aud, c.Config.Issuer)
	}
	claims := jwt.Claims{
		Issuer: c.Config.ClientID, Subject: c.Config.ClientID, Audience: aud, ID: randomToken(),
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		Expiry: jwt.NewNumericDate(now.Add(AssertionLifetime)),
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("cannot sign the client assertion: %w", err)
	}
	return s, nil
}

// authenticate adds the client's authentication for a request to endpoint to form, as
// the tenant's method says, and reports whether the request must carry HTTP Basic
// credentials instead (client_secret_basic, RFC 6749 section 2.3.1): the secret in the
// form (client_secret_post), a signed assertion (client_secret_jwt, private_key_jwt; RFC
// 7523 section 2.2), or only the client_id (none, and any client without a secret).
func (c *Client) authenticate(endpoint string, form url.Values) (basic bool, err error) {
	switch c.Config.AuthMethod {
	case AuthSecretJWT, AuthPrivateKeyJWT:
		a, err := c.clientAssertion(endpoint)
		if err != nil {
			return false, err
		}
		form.Set("client_id", c.Config.ClientID)
		form.Set("client_assertion_type", ClientAssertionType)
		form.Set("client_assertion", a)
		return false, nil
	case AuthNone:
		form.Set("client_id", c.Config.ClientID)
		return false, nil
	}
	switch {
	case c.Config.ClientSecret == "":
		form.Set("client_id", c.Config.ClientID)
	case c.Config.AuthMethod == AuthSecretPost:
		form.Set("client_id", c.Config.ClientID)
		form.Set("client_secret", c.Config.ClientSecret)
	default:
		return true, nil
	}
	return false, nil
}

// hasCredential reports whether the client can authenticate as a confidential client.
func (c *Client) hasCredential() bool {
	switch c.Config.AuthMethod {
	case AuthPrivateKeyJWT:
		return len(c.Config.PrivateKey) > 0
	case AuthNone:
		return false
	}
	return c.Config.ClientSecret != ""
}
