package keyringtest_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

func TestMain(m *testing.M) {
	code := m.Run()
	keyringtest.Stop()
	os.Exit(code)
}

// uniqueTenant gives each test its own tenant name so that a developer's real tokenbench
// entries on a shared Secret Service are never touched.
func uniqueTenant(t *testing.T, base string) string {
	name := fmt.Sprintf("it%d-%s", os.Getpid(), base)
	t.Cleanup(func() { store.NewSecrets().DeleteAll(name) })
	return name
}

func wantAccounts(t *testing.T, tenant string, kind store.SecretKind, chunks int) {
	t.Helper()
	want := []string{store.Account(tenant, kind)}
	for i := range chunks {
		want = append(want, fmt.Sprintf("%s/%d", store.Account(tenant, kind), i))
	}
	got := keyringtest.Accounts(t, store.Service, tenant+"/")
	slices.Sort(want)
	slices.Sort(got)
	if chunks < 0 {
		want = nil
	}
	if !slices.Equal(got, want) {
		t.Fatalf("secret-tool search finds %v, want %v", got, want)
	}
}

func TestSecretServiceChunks(t *testing.T) {
	keyringtest.Require(t)
	s := store.NewSecrets()
	tenant := uniqueTenant(t, "chunks")
	for _, n := range []int{0, 1, store.ChunkSize - 1, store.ChunkSize, store.ChunkSize + 1, 5*store.ChunkSize + 7} {
		v := strings.Repeat("0123456789abcdef", n/16+1)[:n]
		if err := s.Set(tenant, store.SecretTokenSet, v); err != nil {
			t.Fatalf("Set %d bytes: %v", n, err)
		}
		got, err := s.Get(tenant, store.SecretTokenSet)
		if err != nil || got != v {
			t.Fatalf("Get %d bytes: %d bytes back, %v", n, len(got), err)
		}
		chunks := (n + store.ChunkSize - 1) / store.ChunkSize
		wantAccounts(t, tenant, store.SecretTokenSet, chunks)
		h, _ := keyringtest.Lookup(t, store.Service, store.Account(tenant, store.SecretTokenSet))
		if !strings.HasPrefix(h, fmt.Sprintf("tokenbench-secret/1 chunks=%d len=%d sha256=", chunks, n)) {
			t.Errorf("header as secret-tool sees it: %q", h)
		}
		if n > 0 {
			c, _ := keyringtest.Lookup(t, store.Service, store.Account(tenant, store.SecretTokenSet)+"/0")
			if c != v[:min(n, store.ChunkSize)] {
				t.Errorf("chunk 0 as secret-tool sees it: %d bytes", len(c))
			}
		}
	}
	// Torn write: remove the header from outside.
	if err := exec.Command("secret-tool", "clear", "service", store.Service, "username", store.Account(tenant, store.SecretTokenSet)).Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(tenant, store.SecretTokenSet); !errors.Is(err, store.ErrSecretCorrupt) {
		t.Fatalf("Get without header = %v, want ErrSecretCorrupt", err)
	}
	if err := s.Delete(tenant, store.SecretTokenSet); err != nil {
		t.Fatal(err)
	}
	wantAccounts(t, tenant, store.SecretTokenSet, -1)
}

func TestSecretServiceTenants(t *testing.T) {
	keyringtest.Require(t)
	ts := store.OpenTenants(filepath.Join(t.TempDir(), "config.toml"))
	name := uniqueTenant(t, "prod")
	const secret = "cs-Zq8v1-not-in-the-config"
	tn := store.Tenant{Name: name, Kind: store.KindOIDC, Issuer: "https://id.example.com/", ClientID: "c1",
		Confidential: true, Grant: oauth.GrantClientCredentials}
	if err := ts.Add(tn, store.SetSecret(secret)); err != nil {
		t.Fatal(err)
	}
	if got, ok := keyringtest.Lookup(t, store.Service, store.Account(name, store.SecretClient)+"/0"); !ok || got != secret {
		t.Fatalf("secret-tool sees %q (%v), want the secret", got, ok)
	}
	data, err := os.ReadFile(ts.Path)
	if err != nil || strings.Contains(string(data), secret) || !strings.Contains(string(data), "c1") {
		t.Fatalf("config (err %v):\n%s", err, data)
	}
	if st, err := ts.Status(name); err != nil || st.ClientSecret != store.StateStored || st.TokenSet != store.StateNone {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	ts.Secrets.Set(name, store.SecretRefreshToken, strings.Repeat("r", 5000))
	if err := ts.Edit(name, nil, store.SetSecret("rotated")); err != nil {
		t.Fatal(err)
	}
	if v, _, err := ts.Secrets.ClientSecret(name); v != "rotated" || err != nil {
		t.Fatalf("ClientSecret = %q, %v", v, err)
	}
	if err := ts.Remove(name); err != nil {
		t.Fatal(err)
	}
	if accts := keyringtest.Accounts(t, store.Service, name+"/"); len(accts) != 0 {
		t.Fatalf("entries left after remove: %v", accts)
	}
}
