// Command josedecode is the yardstick of BenchmarkDecodeProcess: the least a Go program
// can do to decode a compact JWS with go-jose — parse it, then print its header and its
// claims as indented JSON, unverified. It reads the token from its first argument.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: josedecode TOKEN")
		os.Exit(2)
	}
	algs := []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}
	jws, err := jose.ParseSigned(os.Args[1], algs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// go-jose keeps the protected header only as parsed fields; the raw JSON is the first
	// segment, which ParseSigned has checked.
	protected, _, _ := strings.Cut(os.Args[1], ".")
	rawHeader, err := base64.RawURLEncoding.DecodeString(protected)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var out bytes.Buffer
	for _, js := range [][]byte{rawHeader, jws.UnsafePayloadWithoutVerification()} {
		if err := json.Indent(&out, js, "", "  "); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out.WriteByte('\n')
	}
	os.Stdout.Write(out.Bytes())
}
