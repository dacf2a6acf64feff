package tokens

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// b64Agrees checks decodeB64URL against the standard library's strict unpadded base64url
// decoder, which accepts exactly what JOSE allows once CR and LF (which it skips) are
// counted as refusals.
func b64Agrees(t *testing.T, s string) {
	t.Helper()
	want, wantErr := base64.RawURLEncoding.Strict().DecodeString(s)
	if bytes.ContainsAny([]byte(s), "\r\n") {
		wantErr = base64.CorruptInputError(0)
	}
	dst := make([]byte, base64.RawURLEncoding.DecodedLen(len(s)))
	n, ok := decodeB64URL(dst, s)
	switch {
	case ok != (wantErr == nil):
		t.Fatalf("%q: accepted=%v, standard library error %v", s, ok, wantErr)
	case ok && !bytes.Equal(dst[:n], want):
		t.Fatalf("%q: decoded %x, want %x", s, dst[:n], want)
	}
}

func TestDecodeB64URLAgreesWithStandardLibrary(t *testing.T) {
	for _, s := range []string{
		"", "A", "AA", "AQ", "AR", "AAA", "AAE", "AAF", "AAAA", "-_-_", "+/+/", "AA==", "AA=",
		"QUJD", "QUJDRA", "QUJDREU", "QUJDREVGR0g", "QUJDREVGR0hJ", "QUJD REVG", "QUJD\nREVG",
		"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVp", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWV\x00",
		"QUJDREVGR0hJSktM\xe2\x80\x8bTU5P",
	} {
		b64Agrees(t, s)
	}
	// Every length up to 70 around every 8-character block boundary, valid and with one byte
	// replaced by each byte value in turn.
	rng := rand.New(rand.NewPCG(1, 2))
	for size := range 70 {
		raw := make([]byte, size)
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		enc := base64.RawURLEncoding.EncodeToString(raw)
		b64Agrees(t, enc)
		if enc == "" {
			continue
		}
		for _, pos := range []int{0, len(enc) / 2, len(enc) - 1} {
			for c := range 256 {
				b := []byte(enc)
				b[pos] = byte(c)
				b64Agrees(t, string(b))
			}
		}
	}
}

func FuzzDecodeB64URL(f *testing.F) {
	for _, s := range []string{"", "AA", "AAE", "QUJDREVGR0hJ", "QUJD+/==", "QUJD\nREVG"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { b64Agrees(t, s) })
}
