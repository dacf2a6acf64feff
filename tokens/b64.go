package tokens

import "encoding/binary"

// b64urlValue maps a base64url character to its six bits and every other byte to 0xFF.
var b64urlValue = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range t {
		t[i] = 0xFF
	}
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeB64URL decodes unpadded, canonical base64url from s into dst, which must hold
// len(s)*3/4 bytes. It reports false for anything else — a byte outside the alphabet
// (padding, whitespace and the standard alphabet included), an impossible length, or
// spare bits set in the last character — and then says nothing of why: the caller names
// the rule. It reads the string in place, eight characters to six bytes at a time.
func decodeB64URL(dst []byte, s string) (int, bool) {
	var bad byte // the OR of every looked-up value: its top bits are set by any non-alphabet byte
	n, i := 0, 0
	for ; len(s)-i >= 8 && len(dst)-n >= 8; i, n = i+8, n+6 {
		c := s[i : i+8]
		v0, v1, v2, v3 := b64urlValue[c[0]], b64urlValue[c[1]], b64urlValue[c[2]], b64urlValue[c[3]]
		v4, v5, v6, v7 := b64urlValue[c[4]], b64urlValue[c[5]], b64urlValue[c[6]], b64urlValue[c[7]]
		bad |= v0 | v1 | v2 | v3 | v4 | v5 | v6 | v7
		w := uint64(v0)<<58 | uint64(v1)<<52 | uint64(v2)<<46 | uint64(v3)<<40 |
			uint64(v4)<<34 | uint64(v5)<<28 | uint64(v6)<<22 | uint64(v7)<<16
		binary.BigEndian.PutUint64(dst[n:], w) // the two spare bytes are overwritten next
	}
	for ; len(s)-i >= 4; i, n = i+4, n+3 {
		c, d := s[i:i+4], dst[n:n+3]
		v0, v1, v2, v3 := b64urlValue[c[0]], b64urlValue[c[1]], b64urlValue[c[2]], b64urlValue[c[3]]
		bad |= v0 | v1 | v2 | v3
		w := uint32(v0)<<18 | uint32(v1)<<12 | uint32(v2)<<6 | uint32(v3)
		d[0], d[1], d[2] = byte(w>>16), byte(w>>8), byte(w)
	}
	switch len(s) - i {
	case 1:
		return 0, false
	case 2:
		v0, v1 := b64urlValue[s[i]], b64urlValue[s[i+1]]
		bad |= v0 | v1
		if v1&0x0F != 0 { // the last character's low four bits encode nothing
			bad = 0xFF
		}
		dst[n] = v0<<2 | v1>>4
		n++
	case 3:
		v0, v1, v2 := b64urlValue[s[i]], b64urlValue[s[i+1]], b64urlValue[s[i+2]]
		bad |= v0 | v1 | v2
		if v2&0x03 != 0 { // the last character's low two bits encode nothing
			bad = 0xFF
		}
		w := uint32(v0)<<18 | uint32(v1)<<12 | uint32(v2)<<6
		dst[n], dst[n+1] = byte(w>>16), byte(w>>8)
		n += 2
	}
	if bad&0xC0 != 0 {
		return 0, false
	}
	return n, true
}
