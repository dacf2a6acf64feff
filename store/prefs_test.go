package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPrefsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := PrefsPath(filepath.Join(dir, "config.toml"))
	if filepath.Dir(path) != dir {
		t.Fatalf("PrefsPath = %s, want a file in %s", path, dir)
	}
	p, err := LoadPrefs(path)
	if err != nil || p.HideExplanations {
		t.Fatalf("missing file: %+v, %v; want the defaults and no error", p, err)
	}
	if err := SavePrefs(path, Prefs{HideExplanations: true}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved prefs: %v, %v; want mode 0600", fi, err)
	}
	if p, err = LoadPrefs(path); err != nil || !p.HideExplanations {
		t.Fatalf("reloaded: %+v, %v; want HideExplanations", p, err)
	}
	if err := SavePrefs(path, Prefs{}); err != nil {
		t.Fatal(err)
	}
	if p, err = LoadPrefs(path); err != nil || p.HideExplanations {
		t.Fatalf("turned back on: %+v, %v", p, err)
	}
}

func TestPrefsBadFile(t *testing.T) {
	for name, body := range map[string]string{
		"syntax":    "hide_explanations = \n",
		"type":      "hide_explanations = \"yes\"\n",
		"too large": "# " + string(make([]byte, maxPrefsSize)) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "workbench.toml")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := LoadPrefs(path)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Path != path || p.HideExplanations {
				t.Fatalf("LoadPrefs = %+v, %v; want the defaults and a ConfigError naming the file", p, err)
			}
		})
	}
	t.Run("unknown keys are ignored", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "workbench.toml")
		if err := os.WriteFile(path, []byte("hide_explanations = true\nlater = 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if p, err := LoadPrefs(path); err != nil || !p.HideExplanations {
			t.Fatalf("LoadPrefs = %+v, %v", p, err)
		}
	})
}
