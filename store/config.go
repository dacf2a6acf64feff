package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/gofrs/flock"
)

// ConfigVersion is the config file schema this build writes. Version 2 added endpoint
// overrides, no_discovery, redirect_uri and the JWT client authentication methods; files
// of version 1 (a subset of it) are read as they are and written back as version 2, so
// that an older tokenbench meeting the new keys names the version instead of a key.
const ConfigVersion = 2

// oldestConfigVersion is the oldest schema Load still reads.
const oldestConfigVersion = 1

// EnvConfig names the environment variable that overrides the config file's path (the
// --config flag wins over it).
const EnvConfig = "TOKENBENCH_CONFIG"

// maxConfigSize bounds what Load reads: a tenants file is a few kilobytes.
const maxConfigSize = 1 << 20

// lockWait bounds how long Update waits for another process to finish its edit.
const lockWait = 20 * time.Second

// Config is the content of the tenants config file. Default names the tenant commands use
// when none is given; Tenants is keyed by tenant name.
type Config struct {
	Version int               `toml:"version"`
	Default string            `toml:"default,omitempty"`
	Tenants map[string]Tenant `toml:"tenants,omitempty"`
}

// Tenant returns the tenant called name (with Name filled in) and whether it exists.
func (c *Config) Tenant(name string) (Tenant, bool) {
	t, ok := c.Tenants[name]
	t.Name = name
	return t, ok
}

// Names returns the tenant names in sorted order.
func (c *Config) Names() []string { return sortedKeys(c.Tenants) }

// TenantFor returns the saved tenant a token from issuer, issued to clientID (its azp or
// client_id claim; "" when it has none), belongs to: the tenant on issuer with that client
// ID, else the default tenant when it is on issuer, else the first on issuer by name.
func (c *Config) TenantFor(issuer, clientID string) (string, bool) {
	first := ""
	for _, name := range c.Names() {
		t, _ := c.Tenant(name)
		if t.IssuerURL() != issuer {
			continue
		}
		if clientID != "" && t.ClientID == clientID {
			return name, true
		}
		if first == "" {
			first = name
		}
	}
	if first == "" {
		return "", false
	}
	if d, ok := c.Tenant(c.Default); ok && c.Default != "" && d.IssuerURL() == issuer {
		return c.Default, true
	}
	return first, true
}

// Put adds or replaces t after validating it. It refuses an invalid tenant.
func (c *Config) Put(t Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if c.Tenants == nil {
		c.Tenants = map[string]Tenant{}
	}
	c.Tenants[t.Name] = t
	return nil
}

// Delete removes the tenant called name, and the default marker if it named it.
func (c *Config) Delete(name string) {
	delete(c.Tenants, name)
	if c.Default == name {
		c.Default = ""
	}
}

// Validate checks the schema version, every tenant, and that the default names a tenant.
func (c *Config) Validate() error {
	if c.Version != ConfigVersion {
		return fmt.Errorf("unsupported config version %d (this tokenbench reads version %d)", c.Version, ConfigVersion)
	}
	for _, name := range c.Names() {
		t, _ := c.Tenant(name)
		if err := t.Validate(); err != nil {
			return err
		}
	}
	if c.Default != "" {
		if _, ok := c.Tenants[c.Default]; !ok {
			return fmt.Errorf("default tenant %q is not defined", printable(c.Default))
		}
	}
	return nil
}

// ConfigError reports a config file that cannot be used, with its path and, when known,
// the line. A file that gave a ConfigError is never overwritten: the user fixes it.
type ConfigError struct {
	Path string
	Line int
	Err  error
}

func (e *ConfigError) Error() string {
	msg := e.Err.Error()
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d: %s (fix or move the file; it is not overwritten)", e.Path, e.Line, msg)
	}
	return fmt.Sprintf("config %s: %s (fix or move the file; it is not overwritten)", e.Path, msg)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// DefaultConfigPath returns os.UserConfigDir()/tokenbench/config.toml.
func DefaultConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (%v): pass --config or set %s", err, EnvConfig)
	}
	return filepath.Join(dir, "tokenbench", "config.toml"), nil
}

// ConfigPath resolves the config file's path: flag when not empty, else $TOKENBENCH_CONFIG
// when set, else DefaultConfigPath.
func ConfigPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if p := os.Getenv(EnvConfig); p != "" {
		return p, nil
	}
	return DefaultConfigPath()
}

// Load reads the config file at path. A missing (or empty) file is an empty config of the
// current version. A file that does not parse, has keys this schema does not know, has an
// unknown version or an invalid tenant is a *ConfigError naming path (and line for syntax
// and type errors).
func Load(path string) (*Config, error) {
	data, err := readConfig(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{Version: ConfigVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &Config{Version: ConfigVersion}, nil
	}
	var c Config
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		line, reason := tomlReason(err)
		return nil, &ConfigError{Path: path, Line: line, Err: reason}
	}
	if !md.IsDefined("version") {
		return nil, &ConfigError{Path: path, Err: fmt.Errorf("no schema version: add `version = %d` at the top", ConfigVersion)}
	}
	if c.Version < oldestConfigVersion || c.Version > ConfigVersion {
		return nil, &ConfigError{Path: path, Err: fmt.Errorf("unsupported version %d (this tokenbench reads versions %d to %d)", c.Version, oldestConfigVersion, ConfigVersion)}
	}
	c.Version = ConfigVersion // every older version is a subset of this one
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &ConfigError{Path: path, Err: fmt.Errorf("unknown key %q", und[0].String())}
	}
	if err := c.Validate(); err != nil {
		return nil, &ConfigError{Path: path, Err: err}
	}
	return &c, nil
}

// tomlReason is the line and cause of an error from toml.Decode, without the library's
// name. Syntax errors are toml.ParseErrors and give both as fields. The decoder's type
// errors ("incompatible types: …", "type mismatch for …") are untyped fmt.Errorf text
// of the form `toml: [line N ](last key "k"): cause`, so for them the text is the only
// source; this is the one place it is read.
func tomlReason(err error) (int, error) {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.Position.Line, errors.New(pe.Message)
	}
	if m := typeErrRE().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, fmt.Errorf("%s: %s", m[2], m[3])
	}
	return 0, err
}

// typeErrRE picks the line, key and cause out of the decoder's type errors.
var typeErrRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key ("[^"]*")\): (.*)$`)
})

func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if len(data) > maxConfigSize {
		return nil, &ConfigError{Path: path, Err: fmt.Errorf("larger than %d KiB", maxConfigSize>>10)}
	}
	return data, nil
}

// Update runs a read-modify-write of the config file at path under an exclusive file lock
// (path + ".lock"), so that two processes editing tenants at once lose nothing: it loads the
// file, calls fn, validates the result and writes it atomically. A file Load refuses is
// never overwritten; when fn returns an error nothing is written.
func Update(path string, fn func(*Config) error) error {
	return withLock(path, func() error {
		c, err := Load(path)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		return Save(path, c)
	})
}

// withLock runs fn while holding the config file's lock. The lock is a separate file
// because the config itself is replaced by rename on every write.
func withLock(path string, fn func() error) error {
	if err := checkWritable(path); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating config directory: %w", err)
	}
	lock := flock.New(path+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	ok, err := lock.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("locking config: %w", err)
	}
	if !ok {
		return fmt.Errorf("config %s is locked by another tokenbench process (waited %s)", path, lockWait)
	}
	defer lock.Unlock()
	return fn()
}

// ReadOnlyError refuses a change to a config file its owner has made read-only (no
// owner write bit): replacing the file by rename would succeed and silently undo that
// choice, so the file is left exactly as it is.
type ReadOnlyError struct {
	Path string
	Mode fs.FileMode
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("the config file %s is read-only (mode %04o)", e.Path, e.Mode.Perm())
}

// checkWritable returns a *ReadOnlyError when the config file (the target of a symbolic
// link, which is what a save replaces) exists without its owner write bit.
func checkWritable(path string) error {
	target := resolveLink(path)
	fi, err := os.Stat(target)
	if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o200 == 0 {
		return &ReadOnlyError{Path: target, Mode: fi.Mode()}
	}
	return nil
}

// configHeader is written above the tenants on every save; comments a user adds elsewhere
// are not kept, which the header says.
const configHeader = `# tokenbench tenants (schema version 2).
# Secrets are never stored here: client secrets, refresh tokens and cached tokens live in
# the OS keyring. Edit by hand or with 'tokenbench tenants'; comments other than this
# header are not kept when tokenbench rewrites the file.

`

// Save validates c and writes it to path atomically: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory; mode 0600. When path is a
// symbolic link the file it points to is replaced. Callers editing an existing file use
// Update, which holds the lock across the read-modify-write.
func Save(path string, c *Config) error { return save(path, c, writeAtomic) }

// save is Save with the file write given (Tenants' tests make it fail).
func save(path string, c *Config, write func(string, []byte) error) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(configHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	return write(resolveLink(path), buf.Bytes())
}

// resolveLink follows path while it is a symbolic link (even to a file not there yet), so
// that a config file kept elsewhere (a dotfiles repository) is replaced, not its link.
func resolveLink(path string) string {
	for range 16 {
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating config directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		// A failed directory sync is not reported: the rename has happened and the file is
		// complete either way; only its durability across a power loss is in question.
		_ = d.Sync()
		d.Close()
	}
	return nil
}
