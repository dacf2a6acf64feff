// Package ui is tokenbench's Bubble Tea workbench: the token list, the token view with
// live expiry, the paste screen, and the keys, styles and layout that hold them together.
// It is a front end: it imports store, tokens/oauth, tokens/keys and tokens (never
// ui/cli) and turns their typed errors into words and advice.
//
// One root model (model.go) routes every message in a fixed order: global keys, app
// messages, the status bar, then only the active screen. Each screen is a plain struct in
// its own file with, beside it, its page in the root's table of screens (Model.table):
// the main screen, the token list beside the token view, in mainscreen.go; paste.go,
// keysinput.go, tenants.go, gettoken.go, editscreen.go, diffscreen.go and expected.go.
// keys.go is the one key map, styles.go the one stylesheet.
package ui

import (
	"errors"
	"os"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
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
	// SignKey is a local key e re-signs edited claims with (--sign-key). Without it, a
	// throwaway session key is made on the first re-sign or by K; with several keys at hand
	// (this one, the session key, keys loaded with L that can sign), e asks which.
	SignKey *tokens.SigningKey
	// SignKeyPath is the file SignKey was read from, to name it where a key is chosen.
	SignKeyPath string
	// Expect is the command line's expected context (verify's policy and key flags): it
	// applies to every token of its issuer (the tenant's, --issuer, else the opened
	// token's). Its tenant is read and its keys loaded in Init's commands.
	Expect *store.Expectation
}

// frameRate is how often Bubble Tea's renderer wakes to write what changed. It sets both
// how long a key waits to show (half a frame on average, a whole one at worst, and the
// first frame waits for the first tick) and what the idle workbench costs, since every
// frame is a wake-up even when nothing changed: an idle frame writes nothing, but the
// wake-up itself costs ≈ 0.03 % of a core per frame per second on the 2-core reference
// machine (Bubble Tea v2.1.1, one P: 0.50 % at 20 fps, 0.80 % at 30, 1.16 % at 60).
// 20 fps is the rate that meets both of DESIGN's targets: a key shows after 25 ms on
// average (≤ 35 ms median over the terminal's echo) and the idle workbench stays under
// 0.6 % of a core. Measured with BenchmarkTmuxKeyLatency, BenchmarkTmuxFirstFrame and
// TestIdleCPU (ui/tmux_bench_test.go, ui/tmux_test.go).
const frameRate = 20

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
		// One interactive screen needs one P. With more, every wake-up (each of the 20
		// frames a second) also wakes an idle thread to look for work: at 20 fps the
		// idle workbench measured 0.57–0.73 % of a core with one P and 0.63–0.83 % with
		// two (load ≈ 16; TestIdleCPU), the difference between meeting the 0.6 % target
		// on a quiet machine and missing it. The work the TUI starts (a key fetch, a
		// signature check) is short and I/O-bound, so one P costs it nothing a user sees.
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
