package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
)

type result struct {
	code           int
	stdout, stderr string
}

// cliEnv is a config file path and the keyring the commands of one test use.
type cliEnv struct {
	path string
	kr   store.Keyring
}

// runTenants runs `tokenbench tenants --config PATH ARGS` in-process on e's keyring with
// stdin as input, the way main does.
func runTenants(t *testing.T, e *cliEnv, stdin string, args ...string) result {
	t.Helper()
	cfg := e.path
	root := &cobra.Command{Use: "tokenbench"}
	root.AddCommand(newTenantsCmd(e.kr))
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"tenants", "--config", cfg}, args...))
	code := Execute(root, &errb)
	return result{code, out.String(), errb.String()}
}

func mustRun(t *testing.T, env *cliEnv, stdin string, args ...string) result {
	t.Helper()
	r := runTenants(t, env, stdin, args...)
	if r.code != 0 {
		t.Fatalf("tenants %v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r
}

func wantFail(t *testing.T, r result, code int, substr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, substr) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
		t.Errorf("exit %d stderr %q stdout %q; want exit %d, one line with %q, no stdout", r.code, r.stderr, r.stdout, code, substr)
	}
}

func setupCLI(t *testing.T) (*cliEnv, *keyringtest.Memory) {
	t.Helper()
	// The commands open the system keyring before the test's keyring replaces it, and it
	// refuses to start without a session bus (store.NewSecrets): name one, never dialled.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tokenbench-mock-keyring")
	t.Setenv(store.EnvClientSecret, "")
	t.Setenv(store.EnvConfig, "")
	kr := keyringtest.NewMemory()
	return &cliEnv{path: filepath.Join(t.TempDir(), "config.toml"), kr: kr}, kr
}

// unavailableKeyring answers every call as a session bus without a Secret Service does.
type unavailableKeyring struct{}

func (unavailableKeyring) Set(string, string, string) error { return noSecretService }
func (unavailableKeyring) Get(string, string) (string, error) {
	return "", noSecretService
}
func (unavailableKeyring) Delete(string, string) error { return noSecretService }

var noSecretService = dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}

// tenantJSON is the shape list, show, add and edit print with --json.
type tenantJSON struct {
	Name            string            `json:"name"`
	Kind            string            `json:"kind"`
	Domain          string            `json:"domain"`
	Issuer          string            `json:"issuer"`
	ClientID        string            `json:"client_id"`
	Confidential    bool              `json:"confidential"`
	Audience        string            `json:"audience"`
	Scopes          []string          `json:"scopes"`
	Grant           string            `json:"grant"`
	Organization    string            `json:"organization"`
	RedirectPort    int               `json:"redirect_port"`
	RedirectURI     string            `json:"redirect_uri"`
	AuthMethod      string            `json:"auth_method"`
	NoDiscovery     bool              `json:"no_discovery"`
	Endpoints       map[string]string `json:"endpoints"`
	AuthorizeParams map[string]string `json:"authorize_params"`
	TokenParams     map[string]string `json:"token_params"`
	Default         bool              `json:"default"`
	Secrets         map[string]string `json:"secrets"`
	Discovery       string            `json:"discovery"`
}

func decodeStrict(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("JSON %q: %v", s, err)
	}
}

func TestTenantsCLIWorkflow(t *testing.T) {
	env, kr := setupCLI(t)
	cfg := env.path
	r := mustRun(t, env, "", "list")
	if r.stdout != "" || !strings.Contains(r.stderr, "no tenants") {
		t.Errorf("empty list: %+v", r)
	}
	r = mustRun(t, env, "", "list", "--json")
	var empty struct {
		Config  string       `json:"config"`
		Default string       `json:"default"`
		Tenants []tenantJSON `json:"tenants"`
	}
	decodeStrict(t, r.stdout, &empty)
	if empty.Tenants == nil || len(empty.Tenants) != 0 || empty.Config != cfg {
		t.Errorf("empty list JSON: %s", r.stdout)
	}

	r = mustRun(t, env, "prod-secret-123\n", "add", "prod", "--domain", "https://dev-abc.eu.auth0.com/", "--client-id", "abc",
		"--grant", "client-credentials", "--audience", "https://api", "--scope", "read:a", "--scope", "write:a",
		"--org", "org_1", "--token-param", "resource=r1", "--client-secret-stdin", "--no-discovery", "--json")
	var added tenantJSON
	decodeStrict(t, r.stdout, &added)
	want := tenantJSON{Name: "prod", Kind: "auth0", Domain: "dev-abc.eu.auth0.com", Issuer: "https://dev-abc.eu.auth0.com/",
		ClientID: "abc", Confidential: true, Audience: "https://api", Scopes: []string{"read:a", "write:a"},
		Grant: "client-credentials", Organization: "org_1", TokenParams: map[string]string{"resource": "r1"}, Default: true,
		NoDiscovery: true,
		Secrets:     map[string]string{"client_secret": "stored", "refresh_token": "none", "token_cache": "none", "private_key": "not used"},
		Discovery:   "skipped"}
	if fmt.Sprint(added) != fmt.Sprint(want) {
		t.Errorf("add JSON:\n got %+v\nwant %+v", added, want)
	}
	if v, _ := kr.Get(store.Service, store.Account("prod", store.SecretClient)+"/0"); v != "prod-secret-123" {
		t.Errorf("keyring holds %q", v)
	}

	mustRun(t, env, "", "add", "kc", "--issuer", "http://127.0.0.1:1/realms/dev", "--client-id", "cli", "--public",
		"--grant", "pkce", "--redirect-port", "8765", "--authorize-param", "prompt=login", "--no-discovery")

	r = mustRun(t, env, "", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "* prod") || !strings.Contains(lines[2], "stored") ||
		!strings.HasPrefix(lines[1], "  kc") || !strings.Contains(lines[1], "public") {
		t.Errorf("list:\n%s", r.stdout)
	}
	r = mustRun(t, env, "", "list", "--json")
	var list struct {
		Config  string       `json:"config"`
		Default string       `json:"default"`
		Tenants []tenantJSON `json:"tenants"`
	}
	decodeStrict(t, r.stdout, &list)
	if list.Default != "prod" || len(list.Tenants) != 2 || list.Tenants[0].Name != "kc" || list.Tenants[0].RedirectPort != 8765 ||
		list.Tenants[0].AuthorizeParams["prompt"] != "login" || list.Tenants[1].Secrets["client_secret"] != "stored" {
		t.Errorf("list JSON: %s", r.stdout)
	}

	r = mustRun(t, env, "", "show")
	for _, want := range []string{"name:          prod (default)", "client secret: stored in the OS keyring", "token param:   resource=r1", "config:        " + cfg} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "prod-secret-123") {
		t.Error("show printed the secret")
	}

	mustRun(t, env, "", "use", "kc")
	r = mustRun(t, env, "", "use", "prod", "--json")
	if strings.TrimSpace(r.stdout) != "{\n  \"default\": \"prod\"\n}" {
		t.Errorf("use JSON: %q", r.stdout)
	}

	r = mustRun(t, env, "rotated\n", "edit", "prod", "--client-secret-stdin", "--scope", "read:b", "--org", "", "--json")
	var edited tenantJSON
	decodeStrict(t, r.stdout, &edited)
	if strings.Join(edited.Scopes, ",") != "read:b" || edited.Organization != "" || edited.Audience != "https://api" || edited.Discovery != "skipped" {
		t.Errorf("edit JSON: %s", r.stdout)
	}
	if v, _ := kr.Get(store.Service, store.Account("prod", store.SecretClient)+"/0"); v != "rotated" {
		t.Errorf("keyring after edit holds %q", v)
	}
	// Turning it public removes the secret from the keyring.
	mustRun(t, env, "", "edit", "prod", "--public", "--grant", "device")
	if _, err := kr.Get(store.Service, store.Account("prod", store.SecretClient)); err == nil {
		t.Error("public tenant kept its secret")
	}

	wantFail(t, runTenants(t, env, "", "rm", "prod"), 2, "pass --yes")
	r = mustRun(t, env, "", "rm", "prod", "--yes", "--json")
	if strings.TrimSpace(r.stdout) != "{\n  \"keyring_entries\": \"removed\",\n  \"removed\": \"prod\"\n}" {
		t.Errorf("rm JSON: %q", r.stdout)
	}
	data, _ := os.ReadFile(cfg)
	if strings.Contains(string(data), "prod") || strings.Contains(string(data), "secret-123") || strings.Contains(string(data), "rotated") {
		t.Errorf("config after rm:\n%s", data)
	}
}

func TestTenantsCLIErrors(t *testing.T) {
	env, _ := setupCLI(t)
	cfg := env.path
	mustRun(t, env, "s\n", "add", "prod", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery")
	before, _ := os.ReadFile(cfg)
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"unknown show", "", []string{"show", "nope"}, `no such tenant: "nope"`},
		{"unknown use", "", []string{"use", "nope"}, "no such tenant"},
		{"unknown rm", "", []string{"rm", "nope", "--yes"}, "no such tenant"},
		{"unknown edit", "", []string{"edit", "nope", "--audience", "x"}, "no such tenant"},
		{"duplicate", "s\n", []string{"add", "prod", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin"}, "already exists"},
		{"no kind", "", []string{"add", "x", "--client-id", "c", "--public"}, "give --domain (Auth0) or --issuer"},
		{"both kinds", "", []string{"add", "x", "--domain", "a.auth0.com", "--issuer", "https://a/", "--client-id", "c"}, "not both"},
		{"no client id", "", []string{"add", "x", "--issuer", "https://a.example/", "--public"}, "--client-id is required"},
		{"bad name", "", []string{"add", "a/b", "--issuer", "https://a.example/", "--client-id", "c", "--public"}, "name"},
		{"insecure issuer", "", []string{"add", "x", "--issuer", "http://a.example/", "--client-id", "c", "--public"}, "only https"},
		{"bad grant", "", []string{"add", "x", "--issuer", "https://a.example/", "--client-id", "c", "--public", "--grant", "password"}, "grant"},
		{"no secret source", "", []string{"add", "x", "--issuer", "https://a.example/", "--client-id", "c"}, "--client-secret-stdin"},
		{"empty secret", "\n", []string{"add", "x", "--issuer", "https://a.example/", "--client-id", "c", "--client-secret-stdin"}, "secret is empty"},
		{"public with secret", "s", []string{"add", "x", "--issuer", "https://a.example/", "--client-id", "c", "--public", "--client-secret-stdin"}, "no secret"},
		{"bad param", "", []string{"add", "x", "--issuer", "https://a.example/", "--client-id", "c", "--public", "--token-param", "novalue"}, "KEY=VALUE"},
		{"secret param", "", []string{"add", "x", "--issuer", "https://a.example/", "--client-id", "c", "--public", "--token-param", "client_secret=s"}, "keyring"},
		{"edit secret no tty", "", []string{"edit", "prod", "--new-secret"}, "--client-secret-stdin"},
		{"edit public and secret", "s", []string{"edit", "prod", "--public", "--client-secret-stdin"}, "public client has no secret"},
		{"extra arg", "", []string{"use", "a", "b"}, "accepts 1 arg"},
		{"unknown flag", "", []string{"list", "--bogus"}, "unknown flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantFail(t, runTenants(t, env, tc.stdin, tc.args...), 2, tc.want)
			if after, _ := os.ReadFile(cfg); string(after) != string(before) {
				t.Errorf("config changed:\n%s", after)
			}
		})
	}
}

func TestTenantsCLIKeyringUnavailable(t *testing.T) {
	env, _ := setupCLI(t)
	cfg := env.path
	mustRun(t, env, "s\n", "add", "prod", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery")
	before, _ := os.ReadFile(cfg)
	env.kr = unavailableKeyring{}
	for _, args := range [][]string{
		{"add", "dev", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery"},
		{"edit", "prod", "--client-secret-stdin"},
	} {
		r := runTenants(t, env, "hunter2-secret\n", args...)
		wantFail(t, r, 2, "keyring unavailable: no Secret Service on the D-Bus session bus")
		if !strings.Contains(r.stderr, store.EnvClientSecret) || strings.Contains(r.stderr, "hunter2") {
			t.Errorf("%v: %q", args, r.stderr)
		}
		if after, _ := os.ReadFile(cfg); string(after) != string(before) {
			t.Errorf("%v changed the config", args)
		}
	}
	r := mustRun(t, env, "", "list")
	if !strings.Contains(r.stdout, "unknown") || strings.Count(r.stderr, "warning") != 1 {
		t.Errorf("list without keyring: %+v", r)
	}
	// With the env var, a confidential tenant can be saved without storing anything.
	t.Setenv(store.EnvClientSecret, "from-env-secret")
	r = mustRun(t, env, "", "add", "ci", "--issuer", "https://id.example.com/", "--client-id", "c", "--no-discovery")
	if !strings.Contains(r.stderr, "no client secret stored") {
		t.Errorf("add with env: %q", r.stderr)
	}
	if data, _ := os.ReadFile(cfg); strings.Contains(string(data), "from-env-secret") || !strings.Contains(string(data), "[tenants.ci]") {
		t.Errorf("config:\n%s", data)
	}
}

func TestTenantsCLICorruptConfig(t *testing.T) {
	env, _ := setupCLI(t)
	cfg := env.path
	bad := "version = 1\n[tenants.a]\nkind = = 'oidc'\n"
	os.WriteFile(cfg, []byte(bad), 0o600)
	for _, args := range [][]string{{"list"}, {"show", "a"}, {"use", "a"}, {"add", "b", "--issuer", "https://x.example/", "--client-id", "c", "--public", "--no-discovery"}} {
		wantFail(t, runTenants(t, env, "", args...), 2, cfg+":3:")
	}
	if data, _ := os.ReadFile(cfg); string(data) != bad {
		t.Errorf("corrupt config was rewritten:\n%s", data)
	}
	t.Setenv(store.EnvConfig, cfg)
	root := &cobra.Command{Use: "tokenbench"}
	root.AddCommand(newTenantsCmd(env.kr))
	var errb bytes.Buffer
	root.SetErr(&errb)
	root.SetOut(&bytes.Buffer{})
	root.SetArgs([]string{"tenants", "list"})
	if code := Execute(root, &errb); code != 2 || !strings.Contains(errb.String(), cfg) {
		t.Errorf("TOKENBENCH_CONFIG not honoured: exit %d %q", code, errb.String())
	}
}

func TestTenantsCLIDiscovery(t *testing.T) {
	env, _ := setupCLI(t)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer":%q,"token_endpoint":%q,"grant_types_supported":["authorization_code","refresh_token"]}`, srv.URL, srv.URL+"/token")
	}))
	defer srv.Close()

	r := mustRun(t, env, "", "add", "ok", "--issuer", srv.URL, "--client-id", "c", "--public", "--grant", "pkce", "--json")
	var v tenantJSON
	decodeStrict(t, r.stdout, &v)
	if v.Discovery != "ok" || r.stderr != "" {
		t.Errorf("discovery ok: %q, stderr %q", v.Discovery, r.stderr)
	}
	r = mustRun(t, env, "", "add", "nodevice", "--issuer", srv.URL, "--client-id", "c", "--public", "--grant", "device")
	if !strings.Contains(r.stderr, "does not list the device grant") {
		t.Errorf("grant warning: %q", r.stderr)
	}
	r = mustRun(t, env, "", "add", "down", "--issuer", "http://127.0.0.1:1/", "--client-id", "c", "--public", "--json")
	decodeStrict(t, r.stdout, &v)
	if v.Discovery != "failed" || !strings.Contains(r.stderr, "warning: discovery for http://127.0.0.1:1/ failed, saving anyway") {
		t.Errorf("discovery down: %q, stderr %q", v.Discovery, r.stderr)
	}
	r = mustRun(t, env, "", "edit", "down", "--issuer", srv.URL+"/", "--json")
	decodeStrict(t, r.stdout, &v)
	if v.Discovery != "failed" || !strings.Contains(r.stderr, "different issuer") {
		t.Errorf("edit with a mismatched issuer: %q, stderr %q", v.Discovery, r.stderr)
	}
}

func TestTenantsCLIDefaultFlagAndBareCommand(t *testing.T) {
	env, _ := setupCLI(t)
	wantFail(t, runTenants(t, env, "", "show"), 2, "no tenant given and no default set")
	mustRun(t, env, "", "add", "first", "--issuer", "https://a.example/", "--client-id", "c", "--public", "--no-discovery")
	mustRun(t, env, "", "add", "second", "--issuer", "https://b.example/", "--client-id", "c", "--public", "--no-discovery", "--default")
	r := mustRun(t, env, "") // bare `tenants` lists
	if !strings.Contains(r.stdout, "* second") || !strings.Contains(r.stdout, "  first") {
		t.Errorf("bare tenants:\n%s", r.stdout)
	}
}

func TestTenantsAddAuth0WithoutAudienceWarnsOpaque(t *testing.T) {
	env, _ := setupCLI(t)
	r := mustRun(t, env, "", "add", "dev", "--domain", "dev-abc.us.auth0.com", "--client-id", "abc", "--public", "--no-discovery")
	if !strings.Contains(r.stderr, "no --audience: Auth0 will issue an opaque access token") || !strings.Contains(r.stderr, "/userinfo") {
		t.Errorf("stderr: %q", r.stderr)
	}
	r = mustRun(t, env, "", "add", "api", "--domain", "dev-abc.us.auth0.com", "--client-id", "abd", "--public", "--audience", "https://api.shop.test/", "--no-discovery")
	if strings.Contains(r.stderr, "opaque") {
		t.Errorf("warned with an audience: %q", r.stderr)
	}
}

// A client secret on stdin loses exactly one final line break, "\n" or "\r\n", as
// --secret-file's does: what echo or an editor adds, never part of the secret.
func TestClientSecretStdinTrimsOneLineBreak(t *testing.T) {
	env, kr := setupCLI(t)
	secrets := &store.Secrets{Keyring: kr}
	for i, tc := range []struct{ stdin, want string }{
		{"s3cret\n", "s3cret"},
		{"s3cret\r\n", "s3cret"},
		{"s3cret", "s3cret"},
		{"s3cret\n\n", "s3cret\n"},
		{"s3cret \n", "s3cret "},
	} {
		name := fmt.Sprintf("t%d", i)
		mustRun(t, env, tc.stdin, "add", name, "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery")
		if got, err := secrets.Get(name, store.SecretClient); err != nil || got != tc.want {
			t.Errorf("stdin %q: stored %q, %v; want %q", tc.stdin, got, err, tc.want)
		}
		mustRun(t, env, "x"+tc.stdin, "edit", name, "--client-secret-stdin")
		if got, _ := secrets.Get(name, store.SecretClient); got != "x"+tc.want {
			t.Errorf("edit with stdin %q: stored %q, want %q", "x"+tc.stdin, got, "x"+tc.want)
		}
	}
	wantFail(t, runTenants(t, env, "\n", "add", "empty", "--issuer", "https://id.example.com/", "--client-id", "c", "--client-secret-stdin", "--no-discovery"), ExitUsage, "the client secret is empty")
}

// A secret a tenant has no use for reads "not used", with or without a keyring: never
// "unknown", as if a public client's secret might be missing.
func TestTenantsShowSecretsNotUsed(t *testing.T) {
	env, _ := setupCLI(t)
	mustRun(t, env, "", "add", "pub", "--issuer", "https://id.example.com/", "--client-id", "c", "--public", "--no-discovery")
	for _, kr := range []store.Keyring{env.kr, unavailableKeyring{}} {
		env.kr = kr
		r := mustRun(t, env, "", "show", "pub", "--json")
		var v tenantJSON
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatal(err)
		}
		if v.Secrets["client_secret"] != "not used" || v.Secrets["private_key"] != "not used" {
			t.Errorf("%T: secrets %v", kr, v.Secrets)
		}
	}
}
