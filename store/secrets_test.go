package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// mockSecrets returns Secrets on an empty in-memory keyring of its own.
func mockSecrets(t *testing.T) *Secrets {
	t.Helper()
	return &Secrets{Keyring: keyringtest.NewMemory(), LookupEnv: func(string) (string, bool) { return "", false }}
}

// errKeyring fails every call with err, as an unreachable or refusing keyring does.
type errKeyring struct{ err error }

func (k errKeyring) Set(string, string, string) error   { return k.err }
func (k errKeyring) Get(string, string) (string, error) { return "", k.err }
func (k errKeyring) Delete(string, string) error        { return k.err }

func randomValue(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return string(b) // arbitrary bytes: the store must not care
}

// chunkCount returns how many chunk entries exist for tenant/kind, probing past the end.
func chunkCount(t *testing.T, kr Keyring, tenant string, kind SecretKind) int {
	t.Helper()
	n := 0
	for i := 0; i < MaxSecretSize/ChunkSize; i++ {
		if _, err := kr.Get(Service, chunkAccount(tenant, kind, i)); err == nil {
			n = i + 1
		} else if i > n+2 {
			break
		}
	}
	return n
}

func TestSecretsRoundTripSizes(t *testing.T) {
	s := mockSecrets(t)
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 100 << 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			v := randomValue(t, n)
			if err := s.Set("dev", SecretTokenSet, v); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get("dev", SecretTokenSet)
			if err != nil {
				t.Fatal(err)
			}
			if got != v {
				t.Fatalf("got %d bytes back, want the %d stored", len(got), n)
			}
			if c, want := chunkCount(t, s.Keyring, "dev", SecretTokenSet), (n+ChunkSize-1)/ChunkSize; c != want {
				t.Errorf("%d chunk entries, want %d", c, want)
			}
			for i := 0; i < chunkCount(t, s.Keyring, "dev", SecretTokenSet); i++ {
				c, _ := s.Keyring.Get(Service, chunkAccount("dev", SecretTokenSet, i))
				if len(c) > ChunkSize {
					t.Errorf("chunk %d holds %d bytes, more than %d", i, len(c), ChunkSize)
				}
			}
			h, _ := s.Keyring.Get(Service, Account("dev", SecretTokenSet))
			if !strings.HasPrefix(h, headerMagic+" ") || len(h) > 200 {
				t.Errorf("header %q", h)
			}
		})
	}
}

func TestSecretsOverwriteRemovesStaleChunks(t *testing.T) {
	s := mockSecrets(t)
	long, short := randomValue(t, 5*ChunkSize+3), "short"
	if err := s.Set("dev", SecretRefreshToken, long); err != nil {
		t.Fatal(err)
	}
	if c := chunkCount(t, s.Keyring, "dev", SecretRefreshToken); c != 6 {
		t.Fatalf("%d chunks after the long value, want 6", c)
	}
	if err := s.Set("dev", SecretRefreshToken, short); err != nil {
		t.Fatal(err)
	}
	if c := chunkCount(t, s.Keyring, "dev", SecretRefreshToken); c != 1 {
		t.Errorf("%d chunks after the short value, want 1 (stale ones left)", c)
	}
	if got, err := s.Get("dev", SecretRefreshToken); err != nil || got != short {
		t.Errorf("Get = %q, %v", got, err)
	}
	// A torn earlier write left chunks that no header counts: Set still clears them.
	s.Keyring.Set(Service, chunkAccount("dev", SecretRefreshToken, 1), "x")
	s.Keyring.Set(Service, chunkAccount("dev", SecretRefreshToken, 2), "y")
	s.Keyring.Delete(Service, Account("dev", SecretRefreshToken))
	if err := s.Set("dev", SecretRefreshToken, short); err != nil {
		t.Fatal(err)
	}
	if c := chunkCount(t, s.Keyring, "dev", SecretRefreshToken); c != 1 {
		t.Errorf("%d chunks, want 1", c)
	}
}

func TestSecretsTornWrites(t *testing.T) {
	value := randomValue(t, 3*ChunkSize+10)
	var kr Keyring // each case's keyring, set before its damage runs
	tests := []struct {
		name   string
		damage func()
		reason string
	}{
		{"header missing", func() { kr.Delete(Service, Account("dev", SecretClient)) }, "header is missing"},
		{"chunk missing", func() { kr.Delete(Service, chunkAccount("dev", SecretClient, 2)) }, "chunk 3 of 4 is missing"},
		{"chunk changed", func() {
			c, _ := kr.Get(Service, chunkAccount("dev", SecretClient, 1))
			kr.Set(Service, chunkAccount("dev", SecretClient, 1), string(c[0]^1)+c[1:]) // always a change
		}, "do not match"},
		{"chunk truncated", func() { kr.Set(Service, chunkAccount("dev", SecretClient, 3), "abc") }, "do not match"},
		{"header from a newer format", func() { kr.Set(Service, Account("dev", SecretClient), "tokenbench-secret/9 x") }, "does not read"},
		{"header garbage", func() { kr.Set(Service, Account("dev", SecretClient), "hunter2") }, "not a tokenbench header"},
		{"header inconsistent", func() {
			kr.Set(Service, Account("dev", SecretClient), header{chunks: 1, length: 3*ChunkSize + 10, sum: digest(value)}.String())
		}, "inconsistent"},
		// Overwrite torn after the first new chunk: the old header no longer matches.
		{"torn overwrite", func() { kr.Set(Service, chunkAccount("dev", SecretClient, 0), randomValue(t, ChunkSize)) }, "do not match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mockSecrets(t)
			kr = s.Keyring
			if err := s.Set("dev", SecretClient, value); err != nil {
				t.Fatal(err)
			}
			tc.damage()
			got, err := s.Get("dev", SecretClient)
			var ce *CorruptSecretError
			if !errors.As(err, &ce) || !errors.Is(err, ErrSecretCorrupt) || got != "" {
				t.Fatalf("Get = %d bytes, %v; want a *CorruptSecretError and nothing", len(got), err)
			}
			if !strings.Contains(err.Error(), tc.reason) || strings.Contains(err.Error(), value[:16]) {
				t.Errorf("message %q: want %q and no secret", err, tc.reason)
			}
			// Storing again repairs it; deleting removes every chunk.
			if err := s.Set("dev", SecretClient, "fixed"); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get("dev", SecretClient); err != nil || got != "fixed" {
				t.Fatalf("after repair Get = %q, %v", got, err)
			}
			if err := s.Set("dev", SecretClient, value); err != nil {
				t.Fatal(err)
			}
			tc.damage()
			if err := s.Delete("dev", SecretClient); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get("dev", SecretClient); !errors.Is(err, ErrSecretNotFound) {
				t.Errorf("after Delete Get = %v, want ErrSecretNotFound", err)
			}
			if c := chunkCount(t, s.Keyring, "dev", SecretClient); c != 0 {
				t.Errorf("%d chunks left after Delete", c)
			}
		})
	}
}

func TestSecretsHasAndDelete(t *testing.T) {
	s := mockSecrets(t)
	if ok, err := s.Has("dev", SecretClient); ok || err != nil {
		t.Fatalf("Has on empty = %v, %v", ok, err)
	}
	if _, err := s.Get("dev", SecretClient); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get on empty = %v", err)
	}
	if err := s.Delete("dev", SecretClient); err != nil {
		t.Fatalf("Delete of nothing = %v", err)
	}
	for _, k := range SecretKinds {
		if err := s.Set("dev", k, randomValue(t, 3*ChunkSize)); err != nil {
			t.Fatal(err)
		}
	}
	s.Set("other", SecretClient, "keep")
	if ok, err := s.Has("dev", SecretTokenSet); !ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
	s.Keyring.Delete(Service, Account("dev", SecretRefreshToken))
	if _, err := s.Has("dev", SecretRefreshToken); !errors.Is(err, ErrSecretCorrupt) {
		t.Errorf("Has with chunks but no header = %v, want ErrSecretCorrupt", err)
	}
	if err := s.DeleteAll("dev"); err != nil {
		t.Fatal(err)
	}
	for _, k := range SecretKinds {
		if c := chunkCount(t, s.Keyring, "dev", k); c != 0 {
			t.Errorf("%s: %d chunks left", k, c)
		}
		if _, err := s.Keyring.Get(Service, Account("dev", k)); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("%s: header left", k)
		}
	}
	if v, err := s.Get("other", SecretClient); v != "keep" || err != nil {
		t.Errorf("another tenant's secret: %q, %v", v, err)
	}
}

func TestSecretsRefuses(t *testing.T) {
	s := mockSecrets(t)
	if err := s.Set("a/b", SecretClient, "x"); !errors.Is(err, ErrInvalidTenant) {
		t.Errorf("bad tenant name: %v", err)
	}
	if err := s.Set("a", "password", "x"); err == nil {
		t.Error("unknown kind accepted")
	}
	if err := s.Set("a", SecretClient, strings.Repeat("x", MaxSecretSize+1)); err == nil {
		t.Error("oversized value accepted")
	}
}

func TestClientSecretFromEnv(t *testing.T) {
	s := mockSecrets(t)
	env := map[string]string{}
	s.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if _, _, err := s.ClientSecret("dev"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("nothing stored: %v", err)
	}
	s.Set("dev", SecretClient, "stored")
	if v, fromEnv, err := s.ClientSecret("dev"); v != "stored" || fromEnv || err != nil {
		t.Fatalf("stored: %q %v %v", v, fromEnv, err)
	}
	env[EnvClientSecret] = "from-env"
	s = &Secrets{Keyring: errKeyring{errors.New("must not be called")}, LookupEnv: s.LookupEnv}
	if v, fromEnv, err := s.ClientSecret("dev"); v != "from-env" || !fromEnv || err != nil {
		t.Fatalf("env: %q %v %v", v, fromEnv, err)
	}
}
