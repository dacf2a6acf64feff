package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tokens"
)

// goldenCheck compares got with testdata/name, or rewrites it with -update.
func goldenCheck(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// diffTokens mints the pairs the goldens compare, with fixed times, kids and jtis so that
// everything but the signatures is stable.
func diffTokens(t *testing.T) (old, refreshed, access, id string) {
	t.Helper()
	key := filepath.Join(t.TempDir(), "k.jwk")
	mustMake(t, NewKeysCmd(), "", "new", "--alg", "RS256", "--kid", "rsa-2026", "--out", key)
	mint := func(now string, args ...string) string {
		return strings.TrimSpace(mustMake(t, NewMintCmd(), "", append([]string{"--key", key, "--now", now, "--iss", "https://id.example.test/"}, args...)...).stdout)
	}
	// A refresh: same subject and client, new iat, exp, jti; the provider narrowed the scope
	// and added a session claim.
	old = mint("2026-11-25T10:00:00Z", "--typ", "at+jwt", "--sub", "alice", "--aud", "https://api.example.test/",
		"--scope", "openid profile orders:read orders:write", "--set", "client_id=web", "--set", "jti=at-1",
		"--set", "auth_time=1795600000", "--exp", "1h")
	refreshed = mint("2026-11-25T10:55:00Z", "--typ", "at+jwt", "--sub", "alice", "--aud", "https://api.example.test/",
		"--scope", "openid profile orders:read", "--set", "client_id=web", "--set", "jti=at-2",
		"--set", "auth_time=1795600000", "--set", "sid=s-77", "--exp", "1h")
	// An access token and the ID token issued with it.
	access = old
	id = mint("2026-11-25T10:00:00Z", "--sub", "alice", "--aud", "web", "--set", "jti=id-1", "--set", "nonce=n-0S6",
		"--set", "auth_time=1795600000", "--set", "email=alice@example.test", "--set", "at_hash=Y9mUxb7A9TVyNAS9kWc7NQ", "--exp", "10m")
	return old, refreshed, access, id
}

func TestDiffGolden(t *testing.T) {
	old, refreshed, access, id := diffTokens(t)
	goldenCheck(t, "diff-refresh.golden", mustMake(t, NewDiffCmd(), "", old, refreshed).stdout)
	goldenCheck(t, "diff-refresh-all.golden", mustMake(t, NewDiffCmd(), "", "--all", old, refreshed).stdout)
	goldenCheck(t, "diff-access-id.golden", mustMake(t, NewDiffCmd(), "", access, id).stdout)
	goldenCheck(t, "diff-refresh.json.golden", mustMake(t, NewDiffCmd(), "", "--json", old, refreshed).stdout)

	// stdin on either side gives the same result.
	if r := mustMake(t, NewDiffCmd(), "Bearer "+refreshed+"\n", old, "-"); r.stdout != mustMake(t, NewDiffCmd(), "", old, refreshed).stdout {
		t.Errorf("B from stdin:\n%s", r.stdout)
	}
	if r := mustMake(t, NewDiffCmd(), "", old, old); r.stdout != "no differences in header or claims\n" {
		t.Errorf("same token: %q", r.stdout)
	}
	var diffs []tokens.Difference
	if err := json.Unmarshal([]byte(mustMake(t, NewDiffCmd(), "", "--json", old, old).stdout), &diffs); err != nil || len(diffs) != 0 {
		t.Errorf("same token --json: %v %v", diffs, err)
	}
}

func TestDiffBadInput(t *testing.T) {
	old, _, _, _ := diffTokens(t)
	hostile := compactJWS(`{"alg":"RS256"}`, `{"name":"\u001b]52;c;ZXZpbA==\u0007x"}`)
	r := mustMake(t, NewDiffCmd(), "", old, hostile)
	if strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Errorf("control characters reached the output: %q", r.stdout)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-", "-"}, ExitUsage, "only one of A and B"},
		{[]string{old}, ExitUsage, "accepts 2 arg"},
		{[]string{old, "not-a-token"}, ExitInvalid, "B is not a token"},
		{[]string{"a.b.c", old}, ExitInvalid, "A is not a token"},
	} {
		r := runMake(t, NewDiffCmd(), "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d stderr %q stdout %q; want %d with %q", tc.args, r.code, r.stderr, r.stdout, tc.code, tc.want)
		}
	}
}
