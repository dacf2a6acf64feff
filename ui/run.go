// Package ui is tokenbench's Bubble Tea workbench: the token list, the token view with
// live expiry, the paste screen, and the keys, styles and layout that hold them together.
package ui

import (
	"errors"
	"os"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
)

// Options configures the workbench started by Run.
type Options struct {
	// Token is raw pasted text to open, or empty for the built-in example token.
	Token string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the zone local times are shown in; nil means time.Local.
	Location *time.Location
	// NoColor turns colour off. Run also turns it off when NO_COLOR is set.
	NoColor bool
	// TenantIssuers maps the issuers of saved tenants to tenant names until Init has read
	// them from Tenants (tests set it). A token of a saved tenant's issuer is verified
	// with that tenant's keys without a key press, labelled with the tenant; keys of any
	// other issuer are fetched only when the user asks (F).
	TenantIssuers map[string]string
	// Tenants is where the workbench reads saved tenants (Init, the tenants and get-token
	// screens, refresh, userinfo and introspection); nil means the config file at
	// store.ConfigPath("") and the system keyring. Nothing is read before Init's commands.
	Tenants *store.Tenants
	// Expect is the command line's expected context (verify's policy and key flags): it
	// applies to every token of its issuer (the tenant's, --issuer, else the opened
	// token's). Its tenant is read and its keys loaded in Init's commands.
	Expect *store.Expectation
}

// frameRate caps redraws. On its own the view changes once a second (the tick); faster
// frames only shorten the wait between a key and its echo (at most 250 ms at 4 fps). Each
// frame is a wake-up even when nothing changed: on the 2-core reference machine every
// frame per second costs about 0.03 % of a core, so 60 fps would cost 1.6 % idle.
const frameRate = 4

// Run starts the workbench and blocks until the user quits. When stdin is not a terminal
// (a token was piped in), Bubble Tea reads keys from the controlling terminal instead.
func Run(opts Options) error {
	if os.Getenv("NO_COLOR") != "" {
		opts.NoColor = true
	}
	if opts.Tenants == nil {
		if path, err := store.ConfigPath(""); err == nil {
			opts.Tenants = store.OpenTenants(path)
		}
	}
	m, err := New(opts)
	if err != nil {
		return err
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// One interactive screen needs one P. With more, every wake-up (the tick, a frame)
		// also wakes idle threads to look for work, which measurably raises idle CPU.
		runtime.GOMAXPROCS(1)
	}
	if _, err = tea.NewProgram(m, tea.WithFPS(frameRate)).Run(); err != nil && runtime.GOOS != "windows" && !hasTerminal() {
		return errors.New("the workbench needs a terminal and there is none; for scripts use 'tokenbench decode' or 'tokenbench verify'")
	}
	return err
}

// hasTerminal reports whether the process has a controlling terminal to draw on.
func hasTerminal() bool {
	f, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	f.Close()
	return true
}
