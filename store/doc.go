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
//
// Session is the one place a refresh token is spent: the CLI's token and get --grant
// refresh and the TUI's refresh all call Session.Renew, which renews under a per-tenant
// lock file, stores the rotated refresh token at once, and hands a renewal's outcome (its
// token or its failure) to whoever waited for it, in this process or another.
//
// A tenants add journals the tenant's name beside the config until the config names it;
// the next write removes the secrets of a journalled name the config does not define, so
// an add killed half-way leaves no secret that no tenant owns.
//
// store imports tokens/oauth (token sets, grants, provider errors) and below; the front
// ends (ui, ui/cli) import store and turn its typed errors into words.
package store
