package tokens

// MaxTokenSize is the largest token tokenbench will look at, in bytes. Anything larger is
// refused before any decoding.
const MaxTokenSize = 64 << 10

// MaxBodySize caps every response body tokenbench reads from a provider, and every key,
// secret or JWKS file it reads: a key set larger than this is refused.
const MaxBodySize = 1 << 20
