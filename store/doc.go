// Package store is where tokenbench keeps things between runs: the tenants config file
// (TOML, schema-versioned, written atomically under a file lock, mode 0600) and the
// secrets that belong to those tenants (client secrets, refresh tokens, cached token sets),
// which live only in the operating system's keyring, chunked, with a header that detects
// torn writes.
//
// Nothing secret is ever written to the config file: a Tenant has no field for it. When no
// keyring is reachable the operations that need one fail with ErrKeyringUnavailable; there
// is no plaintext fallback. For CI and containers the client secret of the tenant in use
// may be supplied for one run in the environment variable named by EnvClientSecret; it is
// read, never stored.
package store
