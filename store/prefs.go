package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// Prefs are the workbench's remembered display choices. They live in their own small file
// beside the config (PrefsPath) so that a toggle never rewrites, locks or re-validates the
// tenants' file, and so that a prefs file nobody can read costs the workbench only its
// defaults.
type Prefs struct {
	// HideExplanations is set once the user turned the claim explanations off; the first
	// token a user ever opens shows them.
	HideExplanations bool `toml:"hide_explanations"`
}

// maxPrefsSize bounds the prefs file read: it holds a handful of booleans.
const maxPrefsSize = 4 << 10

// PrefsPath returns where the prefs kept with the config file at configPath live.
func PrefsPath(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), "workbench.toml")
}

// LoadPrefs reads the prefs file at path. A missing file is the defaults; a file that is
// too large or does not parse is an error (with the defaults), so the caller can say so
// and go on. Keys this version does not know are ignored: prefs are hints, not a schema.
func LoadPrefs(path string) (Prefs, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Prefs{}, nil
	}
	if err != nil {
		return Prefs{}, fmt.Errorf("reading workbench prefs: %w", err)
	}
	if len(data) > maxPrefsSize {
		return Prefs{}, &ConfigError{Path: path, Err: fmt.Errorf("larger than %d KiB", maxPrefsSize>>10)}
	}
	var p Prefs
	if _, err := toml.Decode(string(data), &p); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Prefs{}, &ConfigError{Path: path, Line: pe.Position.Line, Err: errors.New(pe.Message)}
		}
		return Prefs{}, &ConfigError{Path: path, Err: errors.New("not a prefs file")}
	}
	return p, nil
}

// SavePrefs writes p to path atomically (mode 0600), as Save writes the config.
func SavePrefs(path string, p Prefs) error {
	var buf bytes.Buffer
	buf.WriteString("# tokenbench workbench prefs: display choices the workbench remembers.\n")
	if err := toml.NewEncoder(&buf).Encode(p); err != nil {
		return fmt.Errorf("encoding workbench prefs: %w", err)
	}
	return writeAtomic(resolveLink(path), buf.Bytes())
}
