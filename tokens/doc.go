// Package tokens is tokenbench's pure core: it parses, explains and validates OAuth 2.0 and
// OpenID Connect tokens. It takes bytes, keys and a clock and returns values: strict JSON
// and base64url decoding, the claim catalogue and explanations, times, the validation
// policy, signature and key checks, JWE decryption with keys it is given, the report, the
// terminal-safety filter (SafeText) and the paste inspector (Inspect). Key material given
// as bytes (a JWK Set, a JWK, PEM) is parsed here too.
//
// Where keys come from (files, JWKS over HTTP, discovery, caches) is tokens/keys; the
// OAuth client is tokens/oauth. The import arrows run one way only:
//
//	main → ui, ui/cli → store → tokens/oauth → tokens/keys → tokens
//
// tokens imports none of the others and nothing that does network, file or terminal I/O:
// no net, net/http, os, os/exec or golang.org/x/oauth2 (TestLayout holds it to that).
package tokens
