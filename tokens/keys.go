package tokens

import jose "github.com/go-jose/go-jose/v4"

// KeyOrigin says what kind of configured source a verification key came from. The
// validator uses it to refuse combinations that are never safe, such as an HMAC algorithm
// keyed with material published in a JWKS.
type KeyOrigin int

const (
	// OriginJWKS marks a public key taken from a JSON Web Key Set (discovery, URL or file).
	OriginJWKS KeyOrigin = iota + 1
	// OriginKeyFile marks a key read from a PEM or JWK file given by the user.
	OriginKeyFile
	// OriginSecretFile marks a shared HMAC secret read from a file given by the user.
	OriginSecretFile
)

// Key is one verification key together with a human description of where it came from,
// for example "tenant discovery https://example.auth0.com/.well-known/openid-configuration"
// or "JWKS file ./jwks.json". Keys are only ever built from configured sources, never
// from parameters inside a token.
type Key struct {
	JWK    jose.JSONWebKey
	Origin KeyOrigin
	Source string
	// KeyOps is the JWK's "key_ops" member when the source had one (go-jose does not keep
	// it); nil when absent. A signature key must list "verify", a decryption key "decrypt".
	KeyOps []string
}

// KeySet is the set of keys a token may be verified with, plus what was learnt while
// loading it: keys that were skipped and why, and a warning when the set is a stale copy
// kept after a failed refresh.
type KeySet struct {
	Keys    []Key
	Skipped []string
	Warning string
	// Unread names the configured key sources that could not be read ("JWKS URL …",
	// "key file …"), whose keys are therefore missing from the set. A token whose key is
	// not among Keys is then unverified, not invalid: its key may be in one of them.
	Unread []string
	// Notes are other one-line facts worth showing with the report, such as "only the
	// public half of the private key in key file x.pem is used".
	Notes []string
}

// MergeKeySets combines the sets of several configured sources (say --key and
// --secret-file) into one: keys, skipped keys, notes and unread sources in order, warnings joined with
// "; ". Nil sets are ignored. Keys are not deduplicated: two keys with one kid stay two,
// and the validator refuses such a kid as ambiguous.
func MergeKeySets(sets ...*KeySet) *KeySet {
	out := &KeySet{}
	for _, s := range sets {
		if s == nil {
			continue
		}
		out.Keys = append(out.Keys, s.Keys...)
		out.Skipped = append(out.Skipped, s.Skipped...)
		out.Notes = append(out.Notes, s.Notes...)
		out.Unread = append(out.Unread, s.Unread...)
		out.Warning = JoinWarnings(out.Warning, s.Warning)
	}
	return out
}

// JoinWarnings joins two KeySet warnings with "; ", either of which may be empty.
func JoinWarnings(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
