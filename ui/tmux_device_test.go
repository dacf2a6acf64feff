package ui

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/store/keyringtest"
	"github.com/tokenbench/tokenbench/tokens/oauth"
	"github.com/tokenbench/tokenbench/tokens/tokenstest"
)

var (
	shownUserCode   = regexp.MustCompile(`user_code=([A-Za-z0-9-]+)`)
	obtainedCountdn = regexp.MustCompile(`expires in \dm \d+s`)
)

// The path a person takes to a token: the built binary in a real terminal opens the
// get-token screen, runs the device flow against the provider in this process, shows the
// user code, which the test reads off the pane and approves over HTTP as the user would in
// a browser; the new token lands in the list with its countdown. The token set is stored
// in a private Secret Service (the binary's keyring), so the status can say so.
func TestTmuxDeviceFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives it in tmux")
	}
	t.Parallel()                       // the other tmux test runs beside it
	bus := keyringtest.StartPrivate(t) // skips, saying why, when there is no Secret Service to be had
	p := tokenstest.New(t, tokenstest.WithPollInterval(time.Second))
	config := filepath.Join(t.TempDir(), "config.toml")
	dev := store.Tenant{Name: "dev", Kind: store.KindOIDC, Issuer: p.Issuer, ClientID: tokenstest.DeviceClientID,
		Grant: oauth.GrantDevice, Scopes: []string{"openid", "offline_access"}}
	if err := store.Update(config, func(c *store.Config) error { return c.Put(dev) }); err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	s := newTmux(t, 120, 45, "env "+store.EnvConfig+"='"+config+"' DBUS_SESSION_BUS_ADDRESS='"+bus+"' sh")
	s.waitFor("$")
	s.literal(bin + "; echo EXITED:$?")
	s.keys("Enter")
	s.waitFor("EXAMPLE TOKEN", "✓ signature valid")

	s.keys("T")
	s.waitFor("Get a token", "› dev", "grant: device")
	s.keys("Enter")
	screen := s.waitFor("and enter the code", "the code expires in", "or scan / open "+p.Issuer+"/device?user_code=")
	m := shownUserCode.FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no user code on the pane:\n%s", screen)
	}
	code := m[1]
	if !strings.Contains(screen, spaced(code)) {
		t.Fatalf("the user code %s is not shown large:\n%s", code, screen)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Approve(ctx, code); err != nil {
		t.Fatal(err)
	}

	screen = s.waitFor("dev · access", "dev · ID token", "got a token from dev (device), stored in the keyring", "Tokens (3)")
	if !obtainedCountdn.MatchString(screen) {
		t.Fatalf("no countdown for the new token:\n%s", screen)
	}
	// Its tenant's keys verify it without a key press.
	s.waitFor("✓ signature valid")
	s.keys("G") // the report, with the keys' source, is at the foot of the view
	s.waitFor("keys: 1 from saved tenant dev")

	s.keys("q")
	screen = s.waitFor("EXITED:0")
	if s.format("#{alternate_on}") != "0" {
		t.Fatalf("the alternate screen was not left:\n%s", screen)
	}
	if strings.Contains(screen, "dev · access") {
		t.Fatalf("the workbench is still on the pane after quitting:\n%s", screen)
	}
}
