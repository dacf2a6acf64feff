// Package keys is where tokenbench's verification and decryption keys come from: key
// files (PEM, JWK, JWK Set, HMAC secrets, JWE decryption keys), JWK Sets fetched over
// HTTP, OpenID Connect discovery documents, and the memory and disk Cache that keeps
// both. It also holds the guarded HTTP client every provider request goes through
// (CheckURL, NewHTTPClient, ReadBody): https only (plain http on loopback), no redirects,
// capped bodies, one timeout.
//
// Parsing the bytes is tokens' job; this package reads them from files and the network.
// It imports tokens and nothing else of tokenbench (main → ui, ui/cli → store →
// tokens/oauth → tokens/keys → tokens): no x/oauth2, no store, no front end.
package keys
