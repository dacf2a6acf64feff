package tokens

import "bytes"

// bomUTF8 is the byte order mark some editors put at the start of a text file.
var bomUTF8 = []byte("\xef\xbb\xbf")

// TrimBOM returns data without a leading UTF-8 byte order mark. Key files, JWKS files
// and pasted text are read through it, so that a file saved by such an editor reads as
// it looks.
func TrimBOM(data []byte) []byte {
	return bytes.TrimPrefix(data, bomUTF8)
}

// TrimNewline returns data without exactly one trailing "\n" or "\r\n", as secrets read
// from a file or a pipe are taken: editors and `echo` add a line end that is almost never
// part of the secret (one that really ends in a newline needs a second). No other
// whitespace is touched.
func TrimNewline(data []byte) []byte {
	out := bytes.TrimSuffix(data, []byte("\n"))
	if len(out) < len(data) {
		out = bytes.TrimSuffix(out, []byte("\r"))
	}
	return out
}
