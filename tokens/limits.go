package tokens

// MaxTokenSize is the largest token tokenbench will look at, in bytes. Anything larger is
// refused before any decoding.
const MaxTokenSize = 64 << 10
