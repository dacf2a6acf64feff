// Package tokens is tokenbench's domain: it parses, explains and validates OAuth 2.0 and
// OpenID Connect tokens, fetches discovery documents and key sets, and runs OAuth grants.
//
// It does no terminal I/O and keeps no state on disk of its own choosing: time and HTTP are
// injected so that every rule can be tested with a fixed clock and a loopback server.
package tokens
