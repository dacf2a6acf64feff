package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// ErrTenantNotFound is returned for a tenant name the config file does not define.
var ErrTenantNotFound = errors.New("no such tenant")

// ErrTenantExists is returned by Add for a name the config file already defines.
var ErrTenantExists = errors.New("tenant already exists")

// ErrNoDefault is returned by Resolve when no name is given and no default is set.
var ErrNoDefault = errors.New("no tenant given and no default set")

// Tenants edits saved tenants transactionally across the config file at Path and the
// keyring: keyring changes are made first, under the config file's lock; when the keyring
// fails the config is not touched, and when the config write fails the keyring changes are
// rolled back (earlier values restored).
type Tenants struct {
	Path    string
	Secrets *Secrets

	write func(path string, data []byte) error // nil: writeAtomic; tests make it fail
}

// save writes c to the config file (see Save).
func (ts *Tenants) save(c *Config) error {
	if ts.write != nil {
		return save(ts.Path, c, ts.write)
	}
	return Save(ts.Path, c)
}

// OpenTenants returns Tenants for the config file at path (resolve it with ConfigPath) and
// the system keyring.
func OpenTenants(path string) *Tenants {
	return &Tenants{Path: path, Secrets: NewSecrets()}
}

// Load reads the config file (see Load).
func (ts *Tenants) Load() (*Config, error) { return Load(ts.Path) }

// Resolve returns the tenant called name, or the default tenant when name is empty.
func (ts *Tenants) Resolve(name string) (Tenant, error) {
	c, err := ts.Load()
	if err != nil {
		return Tenant{}, err
	}
	if name == "" {
		if c.Default == "" {
			return Tenant{}, ErrNoDefault
		}
		name = c.Default
	}
	t, ok := c.Tenant(name)
	if !ok {
		return Tenant{}, notFound(name)
	}
	return t, nil
}

func notFound(name string) error {
	return fmt.Errorf("%w: %q", ErrTenantNotFound, printable(name))
}

// SecretChange says what Add or Edit does with a tenant's stored client credential: its
// client secret, or for a private_key_jwt tenant its private key.
type SecretChange struct {
	op    secretOp
	value string
	kind  SecretKind // SecretClient when empty
}

type secretOp int

const (
	keepSecret secretOp = iota
	setSecret
	removeSecret
)

// KeepSecret leaves the stored client secret as it is (Add stores none).
var KeepSecret = SecretChange{}

// RemoveSecret deletes the stored client secret.
var RemoveSecret = SecretChange{op: removeSecret}

// SetSecret stores value as the client secret.
func SetSecret(value string) SecretChange { return SecretChange{op: setSecret, value: value} }

// SetPrivateKey stores pemOrJWK as the private key of a private_key_jwt tenant. The key
// lives only in the keyring (chunked like every secret), never in the config file.
func SetPrivateKey(pemOrJWK string) SecretChange {
	return SecretChange{op: setSecret, value: pemOrJWK, kind: SecretPrivateKey}
}

func (c SecretChange) secretKind() SecretKind {
	if c.kind == "" {
		return SecretClient
	}
	return c.kind
}

// checkChange refuses a credential that does not fit t: a secret for a public client or
// a private_key_jwt one, a private key for any other.
func checkChange(t Tenant, c SecretChange) error {
	if c.op != setSecret {
		return nil
	}
	switch {
	case !t.Confidential:
		return &TenantError{Name: t.Name, Field: "confidential", Reason: "a public client has no client secret"}
	case c.secretKind() == SecretPrivateKey && !t.UsesPrivateKey():
		return &TenantError{Name: t.Name, Field: "auth_method", Reason: "a private key is only used with private_key_jwt"}
	case c.secretKind() == SecretClient && t.UsesPrivateKey():
		return &TenantError{Name: t.Name, Field: "auth_method", Reason: "a private_key_jwt client has a private key, not a client secret"}
	}
	return nil
}

// Add saves a new tenant t and, with SetSecret, its client secret. It refuses an invalid
// tenant, a name already defined (ErrTenantExists), and a secret for a public client. The
// first tenant added becomes the default. Leftover refresh tokens and cached tokens of an
// earlier tenant with the same name (one removed by hand from the file) are deleted, best
// effort, so that they are never taken for the new tenant's.
func (ts *Tenants) Add(t Tenant, secret SecretChange) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := checkChange(t, secret); err != nil {
		return err
	}
	return withLock(ts.Path, func() error {
		c, err := Load(ts.Path)
		if err != nil {
			return err
		}
		if _, ok := c.Tenants[t.Name]; ok {
			return fmt.Errorf("%w: %q (use 'tenants edit')", ErrTenantExists, t.Name)
		}
		ts.sweep(c)
		// Until the config names the tenant its secrets belong to nobody: the journal
		// lets the next write remove them if this process dies before the config is saved.
		if err := ts.journal(append(ts.pending(), t.Name)); err != nil {
			return err
		}
		tx := &secretTx{s: ts.Secrets}
		if err := tx.apply(t.Name, secret); err != nil {
			return err
		}
		if err := c.Put(t); err != nil {
			return tx.abort(err)
		}
		if c.Default == "" {
			c.Default = t.Name
		}
		if err := ts.save(c); err != nil {
			return tx.abort(err)
		}
		ts.forgetTokens(t.Name)
		ts.sweep(c)
		return nil
	})
}

// Edit changes the tenant called name: fn edits a copy (its Name cannot be changed), the
// result is validated, secret is applied to the keyring, and the config is written. When
// the tenant ends up public its stored client secret is removed.
func (ts *Tenants) Edit(name string, fn func(*Tenant) error, secret SecretChange) error {
	return withLock(ts.Path, func() error {
		c, err := Load(ts.Path)
		if err != nil {
			return err
		}
		ts.sweep(c)
		t, ok := c.Tenant(name)
		if !ok {
			return notFound(name)
		}
		was := t
		if fn != nil {
			if err := fn(&t); err != nil {
				return err
			}
		}
		if t.Name != name {
			return &TenantError{Name: name, Field: "name", Reason: "cannot be changed by an edit"}
		}
		if err := t.Validate(); err != nil {
			return err
		}
		if err := checkChange(t, secret); err != nil {
			return err
		}
		tx := &secretTx{s: ts.Secrets}
		if err := tx.apply(name, secret); err != nil {
			return err
		}
		// A credential the tenant no longer uses is removed, so that nothing secret
		// outlives its purpose in the keyring. An edit that changes neither leaves the
		// keyring alone (a machine without one can still edit).
		if !t.Confidential || t.UsesPrivateKey() && !was.UsesPrivateKey() {
			if err := tx.delete(name, SecretClient); err != nil {
				return tx.abort(err)
			}
		}
		if was.UsesPrivateKey() && !t.UsesPrivateKey() {
			if err := tx.delete(name, SecretPrivateKey); err != nil {
				return tx.abort(err)
			}
		}
		c.Tenants[name] = t
		if err := ts.save(c); err != nil {
			return tx.abort(err)
		}
		if !was.sameTokens(t) {
			ts.forgetTokens(name)
		}
		return nil
	})
}

// forgetTokens removes the tenant's cached token set and refresh token, which were
// obtained for what the tenant was (as Add does for a name that held some). It is best
// effort: without a keyring there is nothing cached to serve.
func (ts *Tenants) forgetTokens(name string) {
	for _, k := range []SecretKind{SecretRefreshToken, SecretTokenSet} {
		_ = ts.Secrets.Delete(name, k)
	}
}

// Remove deletes the tenant called name and every keyring entry it has (all kinds, all
// chunks). When the config write fails the keyring entries are restored and the config is
// as it was.
//
// When the keyring cannot be reached (a *KeyringError) the tenant is still removed from
// the config, and Remove returns a *SecretsLeftError: whatever the keyring holds for it is
// left there, and the name is journalled, so that the next change to the tenants made
// with the keyring reachable removes it.
func (ts *Tenants) Remove(name string) error {
	return withLock(ts.Path, func() error {
		c, err := Load(ts.Path)
		if err != nil {
			return err
		}
		ts.sweep(c)
		if _, ok := c.Tenants[name]; !ok {
			return notFound(name)
		}
		tx := &secretTx{s: ts.Secrets}
		var unreached error
		for _, k := range SecretKinds {
			if err := tx.delete(name, k); err != nil {
				if !errors.Is(err, ErrKeyringUnavailable) {
					return tx.abort(err)
				}
				unreached = tx.abort(err) // restores what was deleted: the sweep removes it all
				break
			}
		}
		if unreached != nil {
			if err := ts.journal(append(ts.pending(), name)); err != nil {
				return err
			}
		}
		c.Delete(name)
		if err := ts.save(c); err != nil {
			// The journal entry is harmless: the sweep leaves a tenant the config names.
			return tx.abort(err)
		}
		if unreached != nil {
			left := &SecretsLeftError{Tenant: name, Cause: unreached.Error(), Err: unreached}
			var ke *KeyringError
			if errors.As(unreached, &ke) {
				left.Cause = ke.Cause
			}
			return left
		}
		return nil
	})
}

// SecretsLeftError is returned by Remove when the tenant was removed from the config but
// its keyring entries could not be reached. They are removed by the next change to the
// tenants made with the keyring reachable. Cause says in words why the keyring could not
// be reached (the *KeyringError's Cause, without its advice about supplying a client
// secret, which does not fit a removal); Err is the *KeyringError.
type SecretsLeftError struct {
	Tenant string
	Cause  string
	Err    error
}

func (e *SecretsLeftError) Error() string {
	return fmt.Sprintf("tenant %q was removed from the config; its keyring entries could not be reached (%s) and stay until the next change made with the keyring", e.Tenant, e.Cause)
}

func (e *SecretsLeftError) Unwrap() error { return e.Err }

// Use makes the tenant called name the default.
func (ts *Tenants) Use(name string) error {
	return Update(ts.Path, func(c *Config) error {
		ts.sweep(c)
		if _, ok := c.Tenants[name]; !ok {
			return notFound(name)
		}
		c.Default = name
		return nil
	})
}

// pendingPath is the journal of tenants whose secrets are being written before the config
// names them (see Add).
func (ts *Tenants) pendingPath() string { return ts.Path + ".pending" }

// pending returns the names in the journal; an unreadable journal is empty (a name in it
// is only ever a candidate for removal).
func (ts *Tenants) pending() []string {
	b, err := os.ReadFile(ts.pendingPath())
	if err != nil || len(b) > maxConfigSize {
		return nil
	}
	var names []string
	for _, n := range strings.Fields(string(b)) {
		if ValidateName(n) == nil && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// journal replaces the journal with names (removes it when there are none). Callers hold
// the config lock.
func (ts *Tenants) journal(names []string) error {
	if len(names) == 0 {
		if err := os.Remove(ts.pendingPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clearing the tenants journal: %w", err)
		}
		return nil
	}
	if err := writeAtomic(ts.pendingPath(), []byte(strings.Join(names, "\n")+"\n")); err != nil {
		return fmt.Errorf("writing the tenants journal: %w", err)
	}
	return nil
}

// sweep removes the secrets of journalled tenants that c does not define (an add that
// died between its keyring writes and its config write) and clears them from the journal.
// Best effort under the config lock: what cannot be removed now stays for the next write.
func (ts *Tenants) sweep(c *Config) {
	var keep []string
	names := ts.pending()
	for _, n := range names {
		if _, ok := c.Tenants[n]; !ok && ts.Secrets.DeleteAll(n) != nil {
			keep = append(keep, n)
		}
	}
	if len(names) > 0 {
		_ = ts.journal(keep)
	}
}

// SecretState is what the keyring holds for one kind of a tenant's secrets.
type SecretState string

// Secret states shown by `tenants list` and the tenant screen.
const (
	StateStored  SecretState = "stored"
	StateNone    SecretState = "none"
	StateDamaged SecretState = "damaged"
	StateUnknown SecretState = "unknown"  // the keyring could not be asked
	StateNotUsed SecretState = "not used" // the tenant has no use for this kind (see SecretStatus.For)
)

// SecretStatus says, per kind, whether a tenant has a secret stored; it never holds one.
type SecretStatus struct {
	ClientSecret SecretState `json:"client_secret"`
	RefreshToken SecretState `json:"refresh_token"`
	TokenSet     SecretState `json:"token_cache"`
	PrivateKey   SecretState `json:"private_key"`
}

// For returns st with the kinds of secret tenant t has no use for marked StateNotUsed:
// the client secret of a public or private_key_jwt client, the private key of any client
// but a private_key_jwt one. Whether the keyring could be asked does not matter for them.
func (st SecretStatus) For(t Tenant) SecretStatus {
	if !t.Confidential || t.UsesPrivateKey() {
		st.ClientSecret = StateNotUsed
	}
	if !t.UsesPrivateKey() {
		st.PrivateKey = StateNotUsed
	}
	return st
}

// Status reports what the keyring holds for the tenant called name, reading only headers.
// When the keyring cannot be used every state is StateUnknown and err says why.
func (ts *Tenants) Status(name string) (SecretStatus, error) {
	unknown := SecretStatus{StateUnknown, StateUnknown, StateUnknown, StateUnknown}
	st := unknown
	out := []*SecretState{&st.ClientSecret, &st.RefreshToken, &st.TokenSet, &st.PrivateKey}
	for i, k := range SecretKinds {
		ok, err := ts.Secrets.Has(name, k)
		switch {
		case errors.Is(err, ErrSecretCorrupt):
			*out[i] = StateDamaged
		case err != nil:
			return unknown, err
		case ok:
			*out[i] = StateStored
		default:
			*out[i] = StateNone
		}
	}
	return st, nil
}

// secretTx records the keyring changes of one tenant edit so that they can be undone.
type secretTx struct {
	s    *Secrets
	undo []func() error
}

func (tx *secretTx) apply(name string, c SecretChange) error {
	switch c.op {
	case setSecret:
		return tx.set(name, c.secretKind(), c.value)
	case removeSecret:
		return tx.delete(name, c.secretKind())
	}
	return nil
}

// restore puts back what Get returned before a change: the old value, or nothing.
func (tx *secretTx) restore(name string, kind SecretKind, old string, had bool) func() error {
	return func() error {
		if had {
			return tx.s.Set(name, kind, old)
		}
		return tx.s.Delete(name, kind)
	}
}

func (tx *secretTx) previous(name string, kind SecretKind) (string, bool, error) {
	old, err := tx.s.Get(name, kind)
	switch {
	case err == nil:
		return old, true, nil
	case errors.Is(err, ErrSecretNotFound), errors.Is(err, ErrSecretCorrupt):
		return "", false, nil // a damaged value cannot be restored; undoing deletes it
	default:
		return "", false, err
	}
}

func (tx *secretTx) set(name string, kind SecretKind, value string) error {
	old, had, err := tx.previous(name, kind)
	if err != nil {
		return err
	}
	tx.undo = append(tx.undo, tx.restore(name, kind, old, had))
	if err := tx.s.Set(name, kind, value); err != nil {
		return tx.abort(err)
	}
	return nil
}

func (tx *secretTx) delete(name string, kind SecretKind) error {
	old, had, err := tx.previous(name, kind)
	if err != nil {
		return err
	}
	if !had {
		// Nothing readable to restore; still clear any damaged leftovers.
		return tx.s.Delete(name, kind)
	}
	tx.undo = append(tx.undo, tx.restore(name, kind, old, had))
	if err := tx.s.Delete(name, kind); err != nil {
		return tx.abort(err)
	}
	return nil
}

// abort undoes every recorded change, newest first, and returns cause (annotated when
// the undo failed too). The undo list is cleared so that abort runs at most once.
func (tx *secretTx) abort(cause error) error {
	var failed error
	for i := len(tx.undo) - 1; i >= 0; i-- {
		if err := tx.undo[i](); err != nil && failed == nil {
			failed = err
		}
	}
	tx.undo = nil
	if failed != nil {
		return fmt.Errorf("%w (and restoring the keyring failed: %v)", cause, failed)
	}
	return cause
}
