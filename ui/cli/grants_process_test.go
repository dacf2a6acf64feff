package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// Several tokenbench processes asking for the token of one tenant at once, on the real
// Secret Service, while the cached token is inside the margin: exactly one refresh, and
// every process prints the refreshed token.
func TestTokenBinaryConcurrentProcesses(t *testing.T) {
	bus := keyringtest.Require(t)
	bin := builtBinary(t)
	t.Setenv(store.EnvClientSecret, "")
	p := tokenstest.New(t)
	home := t.TempDir()
	cfg := filepath.Join(home, "config.toml")
	const name = "grants-proc"
	ts := store.OpenTenants(cfg)
	if err := ts.Add(store.Tenant{Name: name, Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.DeviceClientID,
		Grant: oauth.GrantDevice, Scopes: []string{"openid", "offline_access"}}, store.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Secrets.DeleteAll(name) })

	// Obtain tokens in-process on the same keyring, then make the cached access token
	// expire in 30 s (its refresh token is real).
	deps := grantDeps{
		Overrides: oauth.Overrides{
			KeyCache: &keys.Cache{},
			Sleep:    func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		},
		onDevice: func(da *oauth.DeviceAuthorization) {
			if err := p.Approve(context.Background(), da.UserCode); err != nil {
				t.Error(err)
			}
		},
	}
	e := &grantEnv{t: t, p: p, cfg: cfg, secrets: ts.Secrets, deps: deps}
	e.mustRun(newGetCmd, "--tenant", name)
	set := e.cachedSet(name)
	set.Expiry, set.RefreshToken = time.Now().Add(30*time.Second), ""
	set.ObtainedAt = set.Expiry.Add(-time.Hour)
	b, _ := set.Encode()
	if err := ts.Secrets.Set(name, store.SecretTokenSet, string(b)); err != nil {
		t.Fatal(err)
	}

	const n = 4
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := exec.Command(bin, "token", "--tenant", name, "--margin", "1m")
			c.Env = []string{
				"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + home,
				"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
				"DBUS_SESSION_BUS_ADDRESS=" + bus, store.EnvConfig + "=" + cfg,
			}
			var out, errb bytes.Buffer
			c.Stdout, c.Stderr = &out, &errb
			err := c.Run()
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			results[i] = result{code, out.String(), errb.String()}
		}()
	}
	wg.Wait()
	if got := e.tokenRequests("refresh_token"); got != 1 {
		t.Fatalf("%d refreshes by %d processes, want 1: %+v", got, n, results)
	}
	fresh := e.cachedSet(name)
	for i, r := range results {
		if r.code != 0 || r.stdout != fresh.AccessToken+"\n" || r.stderr != "" {
			t.Errorf("process %d: exit %d stdout %q stderr %q", i, r.code, r.stdout, r.stderr)
		}
	}
}
