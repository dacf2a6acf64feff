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

// b64urlQuad[i][c] is character c's six bits placed for position i of a four-character
// group (bits 18, 12, 6, 0 of a 24-bit word), or 0xFF000000 for a byte outside the
// alphabet: OR-ing a group's four entries gives its three bytes, and a set top byte
// marks a bad character.
var b64urlQuad = func() (t [4][256]uint32) {
	for i := range t {
		for c := range t[i] {
			if v := b64urlValue[c]; v == 0xFF {
				t[i][c] = 0xFF000000
			} else {
				t[i][c] = uint32(v) << (18 - 6*i)
			}
		}
	}
	return t
}()

// decodeB64URL decodes unpadded, canonical base64url from s into dst, which must hold
// len(s)*3/4 bytes. It reports false for anything else — a byte outside the alphabet
// (padding, whitespace and the standard alphabet included), an impossible length, or
// spare bits set in the last character — and then says nothing of why: the caller names
// the rule. It reads the string in place, eight characters to six bytes at a time.
func decodeB64URL(dst []byte, s string) (int, bool) {
	var bad uint32 // the OR of every group: its top byte is set by any non-alphabet byte
	t0, t1, t2, t3 := &b64urlQuad[0], &b64urlQuad[1], &b64urlQuad[2], &b64urlQuad[3]
	out := dst
	for len(s) >= 8 && len(out) >= 8 {
		a := t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]]
		b := t0[s[4]] | t1[s[5]] | t2[s[6]] | t3[s[7]]
		bad |= a | b
		// A bad character's top byte lands on bytes written over or checked below.
		binary.BigEndian.PutUint64(out, uint64(a)<<40|uint64(b)<<16) // the last two bytes are overwritten next
		s, out = s[8:], out[6:]
	}
	n, i := len(dst)-len(out), 0
	for ; len(s)-i >= 4; i, n = i+4, n+3 {
		c, d := s[i:i+4], dst[n:n+3]
		w := t0[c[0]] | t1[c[1]] | t2[c[2]] | t3[c[3]]
		bad |= w
		d[0], d[1], d[2] = byte(w>>16), byte(w>>8), byte(w)
	}
	switch len(s) - i {
	case 1:
		return 0, false
	case 2:
		w := t0[s[i]] | t1[s[i+1]]
		bad |= w
		if w&0xFFFF != 0 { // the last character's low four bits encode nothing
			bad |= 0xFF000000
		}
		dst[n] = byte(w >> 16)
		n++
	case 3:
		w := t0[s[i]] | t1[s[i+1]] | t2[s[i+2]]
		bad |= w
		if w&0xFF != 0 { // the last character's low two bits encode nothing
			bad |= 0xFF000000
		}
		dst[n], dst[n+1] = byte(w>>16), byte(w>>8)
		n += 2
	}
	if bad&0xFF000000 != 0 {
		return 0, false
	}
	return n, true
}
