package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func sampleTenant(name string) Tenant {
	return Tenant{
		Name: name, Kind: KindAuth0, Domain: "dev-abc.eu.auth0.com", ClientID: "cid-" + name,
		Confidential: true, Audience: "https://api.example.com", Scopes: []string{"openid", "read:things"},
		Grant: oauth.GrantClientCredentials, Organization: "org_123", RedirectPort: 8765,
		AuthorizeParams: map[string]string{"prompt": "login"}, TokenParams: map[string]string{"resource": "x"},
	}
}

func TestLoadMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{filepath.Join(dir, "none.toml"), writeTemp(t, dir, "empty.toml", " \n\n")} {
		c, err := Load(p)
		if err != nil {
			t.Fatalf("Load(%s): %v", p, err)
		}
		if c.Version != ConfigVersion || len(c.Tenants) != 0 {
			t.Fatalf("Load(%s) = %+v, want empty version %d", p, c, ConfigVersion)
		}
	}
}

func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSaveLoadRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "config.toml")
	oidc := Tenant{Name: "kc.local", Kind: KindOIDC, Issuer: "http://127.0.0.1:8080/realms/dev", ClientID: "cli", Grant: oauth.GrantPKCE}
	c := &Config{Version: ConfigVersion, Default: "prod"}
	for _, tn := range []Tenant{sampleTenant("prod"), oidc} {
		if err := c.Put(tn); err != nil {
			t.Fatal(err)
		}
	}
	if err := Save(p, c); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Default != "prod" || strings.Join(got.Names(), ",") != "kc.local,prod" {
		t.Fatalf("got default %q names %v", got.Default, got.Names())
	}
	for _, want := range []Tenant{sampleTenant("prod"), oidc} {
		g, ok := got.Tenant(want.Name)
		if !ok || fmt.Sprintf("%#v", g) != fmt.Sprintf("%#v", want) {
			t.Errorf("tenant %s:\n got %#v\nwant %#v", want.Name, g, want)
		}
	}
	data, _ := os.ReadFile(p)
	if !strings.HasPrefix(string(data), "# tokenbench tenants") || !strings.Contains(string(data), "version = 2") {
		t.Errorf("file does not start with the header and version:\n%s", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name, content string
		line          int
		want          string
	}{
		{"syntax", "version = 1\n\n[tenants.a]\nkind = = 'oidc'\n", 4, "config.toml:4:"},
		{"type", "version = 1\n\n[tenants.a]\nkind = 'oidc'\nclient_id = 7\n", 5, `config.toml:5: "tenants.a.client_id": incompatible types`},
		{"no version", "[tenants.a]\nkind = 'oidc'\n", 0, "no schema version"},
		{"future version", "version = 3\n", 0, "unsupported version 3"},
		{"unknown key", "version = 1\n[tenants.a]\nkind = 'oidc'\nissuer = 'https://x.example/'\nclient_id = 'c'\nclient_secret = 's'\n", 0, `unknown key "tenants.a.client_secret"`},
		{"invalid tenant", "version = 1\n[tenants.a]\nkind = 'oidc'\nissuer = 'http://x.example/'\nclient_id = 'c'\n", 0, "only https"},
		{"bad default", "version = 1\ndefault = 'zz'\n", 0, `default tenant "zz" is not defined`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, t.TempDir(), "config.toml", tc.content)
			_, err := Load(p)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want *ConfigError", err)
			}
			if ce.Path != p || ce.Line != tc.line {
				t.Errorf("path %q line %d, want %q line %d", ce.Path, ce.Line, p, tc.line)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, p) || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line with %q and the path", msg, tc.want)
			}
			// Update must refuse it too, without writing.
			uerr := Update(p, func(c *Config) error { t.Error("fn called on a bad file"); return nil })
			if !errors.As(uerr, &ce) {
				t.Errorf("Update = %v, want *ConfigError", uerr)
			}
			if data, _ := os.ReadFile(p); string(data) != tc.content {
				t.Errorf("file was changed to:\n%s", data)
			}
		})
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := Update(p, func(c *Config) error { return c.Put(sampleTenant("a")) }); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	boom := errors.New("boom")
	if err := Update(p, func(c *Config) error { c.Delete("a"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if err := Update(p, func(c *Config) error { c.Default = "missing"; return nil }); err == nil {
		t.Fatal("Update accepted a default that names no tenant")
	}
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Errorf("file changed:\n%s", after)
	}
}

func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.toml")
	link := filepath.Join(dir, "config.toml")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := Update(link, func(c *Config) error { return c.Put(sampleTenant("a")) }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v", err)
	}
	if c, err := Load(real); err != nil || len(c.Tenants) != 1 {
		t.Fatalf("real file: %v %v", c, err)
	}
}

// Concurrent updates through separate locks (as separate processes would take them) must
// not lose any tenant.
func TestUpdateConcurrent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- Update(p, func(c *Config) error { return c.Put(sampleTenant(fmt.Sprintf("t%02d", i))) })
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tenants) != n {
		t.Fatalf("%d tenants survived, want %d: %v", len(c.Tenants), n, c.Names())
	}
}

func TestConfigPath(t *testing.T) {
	t.Setenv(EnvConfig, "/env/config.toml")
	if p, _ := ConfigPath("/flag.toml"); p != "/flag.toml" {
		t.Errorf("flag: %s", p)
	}
	if p, _ := ConfigPath(""); p != "/env/config.toml" {
		t.Errorf("env: %s", p)
	}
	t.Setenv(EnvConfig, "")
	if runtime.GOOS != "linux" {
		return // os.UserConfigDir follows XDG_CONFIG_HOME only on Linux and BSD
	}
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	t.Setenv("HOME", "/home/u")
	if p, _ := ConfigPath(""); p != filepath.Join("/xdg", "tokenbench", "config.toml") {
		t.Errorf("default: %s", p)
	}
}

// Several applications of one Auth0 tenant share its issuer: a token belongs to the one
// it was issued to, else to the default, else to the first by name.
func TestTenantFor(t *testing.T) {
	var c Config
	for _, tn := range []Tenant{
		{Name: "b-spa", Kind: KindAuth0, Domain: "acme.eu.auth0.com", ClientID: "spa-id", Grant: oauth.GrantPKCE},
		{Name: "a-m2m", Kind: KindAuth0, Domain: "acme.eu.auth0.com", ClientID: "m2m-id", Confidential: true, Grant: oauth.GrantClientCredentials},
		{Name: "c-cli", Kind: KindAuth0, Domain: "acme.eu.auth0.com", ClientID: "cli-id", Grant: oauth.GrantDevice},
		{Name: "kc", Kind: KindOIDC, Issuer: "https://kc.example/realms/dev", ClientID: "spa-id", Grant: oauth.GrantPKCE},
	} {
		if err := c.Put(tn); err != nil {
			t.Fatal(err)
		}
	}
	const acme = "https://acme.eu.auth0.com/"
	check := func(issuer, client, want string) {
		t.Helper()
		got, ok := c.TenantFor(issuer, client)
		if got != want || ok != (want != "") {
			t.Errorf("TenantFor(%q, %q) = %q, %v; want %q", issuer, client, got, ok, want)
		}
	}
	check(acme, "spa-id", "b-spa")
	check(acme, "cli-id", "c-cli")
	check(acme, "other", "a-m2m")
	check(acme, "", "a-m2m")
	check("https://kc.example/realms/dev", "spa-id", "kc")
	check("https://elsewhere.example/", "spa-id", "")
	c.Default = "c-cli"
	check(acme, "other", "c-cli")
	check(acme, "spa-id", "b-spa")
	c.Default = "kc"
	check(acme, "", "a-m2m")
}

// A config file its owner made read-only is refused, byte for byte and mode unchanged,
// by every change (a rename would replace it regardless of its mode).
func TestReadOnlyConfigIsLeftAlone(t *testing.T) {
	ts := mockTenants(t)
	if err := ts.Add(sampleTenant("prod"), KeepSecret); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ts.Path, 0o400); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ts.Path)
	ops := map[string]func() error{
		"add": func() error { return ts.Add(sampleTenant("dev"), SetSecret("x")) },
		"edit": func() error {
			return ts.Edit("prod", func(t *Tenant) error { t.Audience = "a"; return nil }, KeepSecret)
		},
		"use":    func() error { return ts.Use("prod") },
		"remove": func() error { return ts.Remove("prod") },
	}
	for name, op := range ops {
		err := op()
		var ro *ReadOnlyError
		if !errors.As(err, &ro) || ro.Path != ts.Path || strings.Contains(err.Error(), "store:") {
			t.Errorf("%s = %v, want a *ReadOnlyError for %s", name, err, ts.Path)
		}
		after, _ := os.ReadFile(ts.Path)
		fi, _ := os.Stat(ts.Path)
		if !bytes.Equal(after, before) || fi.Mode().Perm() != 0o400 {
			t.Errorf("%s changed the file (mode %04o)", name, fi.Mode().Perm())
		}
	}
	if has, _ := ts.Secrets.Has("dev", SecretClient); has {
		t.Error("the refused add stored a secret")
	}
}
