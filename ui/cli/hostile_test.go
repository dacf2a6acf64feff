package cli

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// hostileText holds what a terminal would act on: an OSC 52 clipboard write, a screen
// clear, a colour, and a right-to-left override that reorders what follows.
const hostileText = "evil\x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J\x1b[31mred \u202egnp.exe"

const hostileSecret = "s3cret-the-provider-echoes"

// hostileProvider is a loopback provider whose every answer carries hostileText, and
// whose token endpoint echoes the client secret it was sent in its error description.
func hostileProvider(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = ln
	issuer := "http://" + ln.Addr().String()
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"issuer": issuer + "/", "token_endpoint": issuer + "/token", "userinfo_endpoint": issuer + "/userinfo",
			"introspection_endpoint": issuer + "/introspect", "jwks_uri": issuer + "/jwks",
			"authorization_endpoint": issuer + "/authorize",
		})
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		_, secret, _ := r.BasicAuth()
		if secret == "" {
			_ = r.ParseForm()
			secret = r.PostForm.Get("client_secret")
		}
		writeJSON(w, 401, map[string]any{"error": "invalid_client",
			"error_description": "client secret " + secret + " is wrong; " + hostileText})
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"sub": "u1", "name": hostileText, hostileText: "key too"})
	})
	mux.HandleFunc("/introspect", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"active": true, "sub": hostileText, "client_id": "\u202eevil"})
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer + "/"
}

// rawEscapes reports the first character in s that a terminal would act on or that
// reorders text; the tests accept none in anything written.
func rawEscapes(s string) string {
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\x9b"} {
		if strings.Contains(s, bad) {
			return bad
		}
	}
	return ""
}

func TestHostileProviderTextIsMadeSafe(t *testing.T) {
	issuer := hostileProvider(t)
	t.Setenv(store.EnvClientSecret, "")
	cfg := filepath.Join(t.TempDir(), "config.toml")
	kr := keyringtest.NewMemory()
	ts := &store.Tenants{Path: cfg, Secrets: &store.Secrets{Keyring: kr}}
	for _, tn := range []store.Tenant{
		{Name: "basic", ClientID: "c1", Confidential: true, Grant: oauth.GrantClientCredentials},
		{Name: "post", ClientID: "c1", Confidential: true, Grant: oauth.GrantClientCredentials, AuthMethod: oauth.AuthSecretPost},
	} {
		tn.Kind, tn.Issuer = store.KindOIDC, strings.TrimSuffix(issuer, "/")+"/"
		if err := ts.Add(tn, store.SetSecret(hostileSecret)); err != nil {
			t.Fatal(err)
		}
	}
	e := &grantEnv{t: t, cfg: cfg, deps: grantDeps{keyring: kr}}
	const token = "opaque-access-token-0123456789"
	tests := []struct {
		name string
		run  func() result
		code int
	}{
		{"get basic", func() result { return e.run(newGetCmd, "--tenant", "basic") }, ExitInvalid},
		{"get post", func() result { return e.run(newGetCmd, "--tenant", "post", "--verbose", "--curl") }, ExitInvalid},
		{"token", func() result { return e.run(newTokenCmd, "--tenant", "basic") }, ExitInvalid},
		{"userinfo", func() result { return e.run(newUserinfoCmd, "--tenant", "basic", token) }, ExitOK},
		{"userinfo verbose", func() result { return e.run(newUserinfoCmd, "--tenant", "basic", "-v", token) }, ExitOK},
		{"introspect", func() result { return e.run(newIntrospectCmd, "--tenant", "basic", "--verbose", "--curl", token) }, ExitOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run()
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %+v", r.code, tc.code, r)
			}
			for stream, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				if bad := rawEscapes(s); bad != "" {
					t.Errorf("%s carries %q raw: %q", stream, bad, s)
				}
				if strings.Contains(s, hostileSecret) {
					t.Errorf("%s shows the client secret: %q", stream, s)
				}
				if strings.Contains(s, token) {
					t.Errorf("%s shows the access token: %q", stream, s)
				}
			}
			if tc.code != ExitOK && !strings.Contains(r.stderr, "[redacted]") {
				t.Errorf("the echoed secret is not marked as redacted: %q", r.stderr)
			}
			if tc.code == ExitOK && !strings.Contains(r.stdout, "evil") {
				t.Errorf("the provider's answer is not shown at all: %q", r.stdout)
			}
		})
	}
}

// --verbose and --curl against the real provider: every exchange is shown, the curl
// commands name the secret by its variable, and neither the client secret nor any token
// the provider issued appears.
func TestVerboseAndCurlNeverShowSecrets(t *testing.T) {
	e := newGrantEnv(t)
	var issued []string
	for _, tenant := range []string{"m2m", "m2m-post"} {
		r := e.mustRun(newGetCmd, "--tenant", tenant, "--json", "--verbose", "--curl")
		var doc GetDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		issued = append(issued, doc.AccessToken)
		for _, want := range []string{"> POST " + e.p.Issuer, "< HTTP/1.1 200 OK", "curl -sS -X 'POST'", `"$TOKENBENCH_CLIENT_SECRET"`, "access_token"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tenant, want, r.stderr)
			}
		}
		if tenant == "m2m-post" && !strings.Contains(r.stderr, `--data-urlencode 'client_secret='"$TOKENBENCH_CLIENT_SECRET"`) {
			t.Errorf("the post client's secret is not a variable in the curl command:\n%s", r.stderr)
		}
		checkNoSecrets(t, r.stderr, append(issued, tokenstest.ConfidentialClientSecret))
		if tenant != "m2m" {
			continue // the provider takes only basic authentication at introspection
		}
		r = e.mustRun(newIntrospectCmd, "--tenant", tenant, "-v", "--curl", doc.AccessToken)
		if !strings.Contains(r.stderr, `"Authorization: Bearer $ACCESS_TOKEN"`) && !strings.Contains(r.stderr, `--data-urlencode 'token='"$TOKEN"`) {
			t.Errorf("introspect curl does not name the token by a variable:\n%s", r.stderr)
		}
		checkNoSecrets(t, r.stderr, append(issued, tokenstest.ConfidentialClientSecret))
	}
	// A device grant with a refresh token: device code, refresh token and ID token stay
	// hidden too, and so does the refresh request.
	r := e.mustRun(newGetCmd, "--tenant", "dev", "--json", "--verbose", "--curl")
	var doc GetDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.RefreshToken == "" {
		t.Fatalf("device get: %v %q", err, r.stdout)
	}
	issued = append(issued, doc.AccessToken, doc.RefreshToken, doc.IDToken)
	checkNoSecrets(t, r.stderr, issued)
	r = e.mustRun(newGetCmd, "--tenant", "dev", "--grant", "refresh", "--json", "--verbose", "--curl")
	if !strings.Contains(r.stderr, `--data-urlencode 'refresh_token='"$REFRESH_TOKEN"`) {
		t.Errorf("refresh curl:\n%s", r.stderr)
	}
	checkNoSecrets(t, r.stderr, issued)
}

func checkNoSecrets(t *testing.T, out string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		// A token is never shown whole, nor its signature part.
		parts := strings.Split(s, ".")
		if strings.Contains(out, s) || len(parts) == 3 && len(parts[2]) > 8 && strings.Contains(out, parts[2]) {
			t.Errorf("output shows %.12s…:\n%s", s, out)
		}
	}
}
