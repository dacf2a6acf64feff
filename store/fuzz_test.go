package store

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParseHeader: a keyring header is read back from a store other programs can write;
// it must never panic, and what parses must print back to itself.
func FuzzParseHeader(f *testing.F) {
	f.Add(header{chunks: 2, length: 3000, sum: digest("x")}.String())
	f.Add("tokenbench-secret/1 chunks=0 len=0 sha256=" + digest(""))
	f.Add("tokenbench-secret/1 chunks=-1 len=-5 sha256=00")
	f.Add("tokenbench-secret/2")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHeader(s)
		if err != nil {
			return
		}
		if h.chunks != chunksFor(h.length) || h.length > MaxSecretSize {
			t.Fatalf("accepted an inconsistent header %q", s)
		}
		if again, err := parseHeader(h.String()); err != nil || again != h {
			t.Fatalf("%q does not round-trip: %v", s, err)
		}
	})
}

// FuzzLoad: a hand-edited config file must load or be refused with a *ConfigError, never
// panic; what loads must save and load back unchanged.
func FuzzLoad(f *testing.F) {
	f.Add("version = 1\ndefault = 'a'\n[tenants.a]\nkind = 'oidc'\nissuer = 'https://x.example/'\nclient_id = 'c'\n")
	f.Add("version = 1\n[tenants.b]\nkind = 'auth0'\ndomain = 'd.auth0.com'\nclient_id = 'c'\nconfidential = true\ngrant = 'client-credentials'\n[tenants.b.token_params]\nresource = 'r'\n")
	f.Add("version = 2")
	f.Add("[[")
	f.Fuzz(func(t *testing.T, data string) {
		dir := t.TempDir()
		p := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(p)
		if err != nil {
			return
		}
		q := filepath.Join(dir, "again.toml")
		if err := Save(q, c); err != nil {
			t.Fatalf("a loaded config does not save: %v", err)
		}
		c2, err := Load(q)
		if err != nil {
			t.Fatalf("a saved config does not load: %v", err)
		}
		if !reflect.DeepEqual(normalize(c), normalize(c2)) {
			t.Fatalf("round trip changed the config:\n%#v\n%#v", c, c2)
		}
	})
}

// normalize treats empty and nil collections alike, as the file format does.
func normalize(c *Config) *Config {
	out := &Config{Version: c.Version, Default: c.Default, Tenants: map[string]Tenant{}}
	for name, t := range c.Tenants {
		if len(t.Scopes) == 0 {
			t.Scopes = nil
		}
		if len(t.AuthorizeParams) == 0 {
			t.AuthorizeParams = nil
		}
		if len(t.TokenParams) == 0 {
			t.TokenParams = nil
		}
		out.Tenants[name] = t
	}
	return out
}
