package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

// TestMain points the config (and so the workbench prefs beside it) at a directory of the
// run's own, so no test reads or writes the user's, and stops the private Secret Service
// keyringtest.Require may have started.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tokenbench-ui-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv(store.EnvConfig, filepath.Join(dir, "config.toml"))
	code := m.Run()
	os.RemoveAll(dir)
	keyringtest.Stop()
	os.Exit(code)
}

// Every front end that spends a refresh token at once, on an expired token, against a
// provider with reuse detection on (a refresh token presented twice would revoke the
// whole family): `token` processes and `get --grant refresh` processes of the built
// binary, and the workbench's r, all on the real Secret Service. Afterwards every caller
// holds a token the provider's userinfo endpoint accepts, and no refresh token was
// presented twice.
func TestRefreshRaceAcrossFrontEnds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against a real Secret Service")
	}
	bus := keyringtest.Require(t)
	t.Setenv(store.EnvClientSecret, "")
	bin := buildBinary(t)
	p := tokenstest.New(t, tokenstest.WithReuseDetection())
	home := t.TempDir()
	cfg := filepath.Join(home, "config.toml")
	name := fmt.Sprintf("race-%d", time.Now().UnixNano()) // the keyring outlives the test
	ts := store.OpenTenants(cfg)
	if err := ts.Add(store.Tenant{Name: name, Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.DeviceClientID,
		Grant: oauth.GrantDevice, Scopes: []string{"openid", "offline_access"}}, store.KeepSecret); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Secrets.DeleteAll(name) })

	// Tokens by the device flow, stored with the access token already expired.
	tenant, err := ts.Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	c := oauth.NewClient(tenant.ClientConfig("")).Override(oauth.Overrides{
		KeyCache: &keys.Cache{}, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	ctx := context.Background()
	set, err := c.Device(ctx, func(da *oauth.DeviceAuthorization) {
		if err := p.Approve(ctx, da.UserCode); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	set.Expiry = time.Now().Add(-time.Minute)
	if err := ts.Secrets.SaveTokenSet(name, set); err != nil {
		t.Fatal(err)
	}

	// The workbench with the expired token in its list.
	hs := newHarness(t, Options{Tenants: ts}, 100, 30)
	hs.clock.t = time.Now()
	hs.m.grants = oauth.Overrides{KeyCache: &keys.Cache{}}
	e, err := newEntry(tokens.Inspect(set.AccessToken))
	if err != nil {
		t.Fatal(err)
	}
	e.from = &tenantToken{tenant: name, kind: kindAccess, set: set}
	hs.m.list.add(e, name)
	hs.m.selectionChanged()

	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + home,
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"DBUS_SESSION_BUS_ADDRESS=" + bus, store.EnvConfig + "=" + cfg,
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%v: %v: %s", args, err, errb.String())
		}
		return out.String(), nil
	}
	const n = 4
	held := make([]string, 2*n) // each caller's access token
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out, err := run("token", "--tenant", name)
			held[i], errs[i] = strings.TrimSpace(out), err
		})
		wg.Go(func() {
			out, err := run("get", "--tenant", name, "--grant", "refresh", "--json")
			var doc struct {
				AccessToken string `json:"access_token"`
			}
			if err == nil {
				err = json.Unmarshal([]byte(out), &doc)
			}
			held[n+i], errs[n+i] = doc.AccessToken, err
		})
	}
	hs.send(press("r")) // the workbench's refresh, while the processes run
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	hs.wantOnScreen("refreshed the tokens of " + name)
	held = append(held, hs.m.list.selected().in.Token)

	for rt, count := range p.RefreshPresentations() {
		if count > 1 {
			t.Errorf("a refresh token was presented %d times (%.8s…)", count, rt)
		}
	}
	if p.RevokedFamilies() != 0 {
		t.Errorf("%d token families revoked", p.RevokedFamilies())
	}
	stored, err := ts.Secrets.LoadTokenSet(name)
	if err != nil {
		t.Fatal(err)
	}
	held = append(held, stored.AccessToken)
	for i, access := range held {
		if access == set.AccessToken {
			t.Errorf("caller %d holds the expired token", i)
			continue
		}
		if _, err := c.Userinfo(ctx, access); err != nil {
			t.Errorf("caller %d: userinfo refuses its token: %v", i, err)
		}
	}
}
