package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
)

const tenantsLong = `Manage saved tenants: Auth0 tenants (by domain) and other OpenID Connect providers
(by issuer URL), each with a client. The tenants live in a TOML file you may edit by hand
(--config PATH, else $TOKENBENCH_CONFIG, else the user config directory's
tokenbench/config.toml). Secrets never go there: client secrets, refresh tokens and cached
tokens live only in the OS keyring (service "tokenbench"), and are read from a hidden
prompt or --client-secret-stdin, never from arguments.

A private_key_jwt client's private key (--private-key-file PATH or --private-key-stdin;
PEM or JWK) is read once and kept in the OS keyring only, like a secret. Endpoints the
provider's discovery lacks are set one by one (--token-endpoint, --introspection-endpoint,
…); with --no-discovery they are all the tenant uses. --redirect-uri names the exact
loopback redirect URI registered at the provider.

Without a keyring (CI, containers), set TOKENBENCH_CLIENT_SECRET (or TOKENBENCH_PRIVATE_KEY)
to supply the client's credential of the tenant in use for one run; it is never stored.

Exit status: 0 done; 2 usage error, unknown tenant, unusable config file, keyring error,
or a removal that was not confirmed.`

// NewTenantsCmd returns the `tenants` command: list, add, show, edit, rm and use.
func NewTenantsCmd() *cobra.Command { return newTenantsCmd(nil) }

// newTenantsCmd is NewTenantsCmd on kr (nil: the system keyring); tests pass their own.
func newTenantsCmd(kr store.Keyring) *cobra.Command {
	o := &tenantsOpts{keyring: kr}
	cmd := &cobra.Command{
		Use:   "tenants",
		Short: "Manage saved tenants (secrets in the OS keyring)",
		Long:  tenantsLong,
		Args:  NoArgsOrSubcommand,
		RunE:  func(cmd *cobra.Command, _ []string) error { return o.list(cmd) },
	}
	cmd.PersistentFlags().StringVar(&o.config, "config", "", "read and write tenants in the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	cmd.PersistentFlags().BoolVar(&o.json, "json", false, "print JSON")
	cmd.AddCommand(
		&cobra.Command{
			Use: "list", Aliases: []string{"ls"}, Args: cobra.NoArgs,
			Short: "List tenants and whether a secret and a cached token are stored",
			RunE:  func(cmd *cobra.Command, _ []string) error { return o.list(cmd) },
		},
		&cobra.Command{
			Use: "show [NAME]", Args: cobra.MaximumNArgs(1),
			Short: "Show one tenant (the default when NAME is omitted); never prints secrets",
			RunE:  func(cmd *cobra.Command, args []string) error { return o.show(cmd, args) },
		},
		&cobra.Command{
			Use: "use NAME", Args: cobra.ExactArgs(1),
			Short: "Make NAME the default tenant",
			RunE:  func(cmd *cobra.Command, args []string) error { return o.use(cmd, args[0]) },
		},
		o.rmCmd(),
		o.addCmd(),
		o.editCmd(),
	)
	return cmd
}

type tenantsOpts struct {
	config  string
	json    bool
	keyring store.Keyring // nil: the system keyring
}

// tenants opens the saved tenants named by --config on the command's keyring.
func (o *tenantsOpts) tenants() (*store.Tenants, error) {
	ts, err := OpenTenants(o.config)
	if err != nil {
		return nil, err
	}
	if o.keyring != nil {
		ts.Secrets.Keyring = o.keyring
	}
	return ts, nil
}

// OpenTenants returns the saved tenants for a command's --config flag value (empty: the
// $TOKENBENCH_CONFIG path, else the user config directory), backed by the system keyring.
func OpenTenants(configFlag string) (*store.Tenants, error) {
	path, err := store.ConfigPath(configFlag)
	if err != nil {
		return nil, Fail(ExitUsage, "%v", err)
	}
	return store.OpenTenants(path), nil
}

// storeErr turns an error from store into a one-line exit-2 error, keeping its chain.
func storeErr(err error) error {
	var ee *ExitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	var ro *store.ReadOnlyError
	if errors.As(err, &ro) {
		err = fmt.Errorf("%w; it was left as it is: make it writable (chmod u+w %s) to change tenants", err, ro.Path)
	}
	return &ExitError{Code: ExitUsage, Err: err}
}

// tenantView is the JSON shape of one tenant in list, show, add and edit. It holds the
// resolved issuer and what the keyring holds, never a secret.
type tenantView struct {
	store.Tenant
	Issuer  string             `json:"issuer"`
	Default bool               `json:"default"`
	Secrets store.SecretStatus `json:"secrets"`
}

func view(c *store.Config, t store.Tenant, st store.SecretStatus) tenantView {
	return tenantView{Tenant: t, Issuer: t.IssuerURL(), Default: c.Default == t.Name, Secrets: st.For(t)}
}

// status asks the keyring about name; when it cannot, it warns once on stderr.
func (o *tenantsOpts) status(cmd *cobra.Command, ts *store.Tenants, name string, warned *bool) store.SecretStatus {
	st, err := ts.Status(name)
	if err != nil && !*warned {
		*warned = true
		fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: warning: cannot tell which secrets are stored: %s\n", safeLine(err.Error()))
	}
	return st
}

func (o *tenantsOpts) list(cmd *cobra.Command) error {
	ts, err := o.tenants()
	if err != nil {
		return err
	}
	c, err := ts.Load()
	if err != nil {
		return storeErr(err)
	}
	var warned bool
	views := []tenantView{}
	for _, name := range c.Names() {
		t, _ := c.Tenant(name)
		views = append(views, view(c, t, o.status(cmd, ts, name, &warned)))
	}
	out := cmd.OutOrStdout()
	if o.json {
		return WriteJSON(out, struct {
			Config  string       `json:"config"`
			Default string       `json:"default"`
			Tenants []tenantView `json:"tenants"`
		}{ts.Path, c.Default, views})
	}
	if len(views) == 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "no tenants in %s; add one with: tokenbench tenants add NAME --domain DOMAIN --client-id ID\n", ts.Path)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tKIND\tISSUER\tCLIENT ID\tGRANT\tSECRET\tTOKEN")
	for _, v := range views {
		mark := " "
		if v.Default {
			mark = "*"
		}
		secret := string(v.Secrets.ClientSecret)
		switch {
		case v.UsesPrivateKey():
			secret = "key " + string(v.Secrets.PrivateKey)
		case !v.Confidential:
			secret = "public"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, v.Name, v.Kind, v.Issuer, v.ClientID,
			orDash(string(v.Grant)), secret, v.Secrets.TokenSet)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (o *tenantsOpts) show(cmd *cobra.Command, args []string) error {
	ts, err := o.tenants()
	if err != nil {
		return err
	}
	c, err := ts.Load()
	if err != nil {
		return storeErr(err)
	}
	name := c.Default
	if len(args) == 1 {
		name = args[0]
	}
	if name == "" {
		return Fail(ExitUsage, "no tenant given and no default set: name one, or set one with 'tokenbench tenants use NAME'")
	}
	t, ok := c.Tenant(name)
	if !ok {
		return storeErr(fmt.Errorf("%w: %q", store.ErrTenantNotFound, name))
	}
	var warned bool
	v := view(c, t, o.status(cmd, ts, name, &warned))
	if o.json {
		return WriteJSON(cmd.OutOrStdout(), v)
	}
	return writeTenant(cmd.OutOrStdout(), v, ts.Path)
}

func writeTenant(w io.Writer, v tenantView, path string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, val)
		}
	}
	name := v.Name
	if v.Default {
		name += " (default)"
	}
	row("name", name)
	row("kind", string(v.Kind))
	row("domain", v.Domain)
	row("issuer", v.Issuer)
	row("client id", v.ClientID)
	switch {
	case v.UsesPrivateKey():
		row("client", "confidential (private_key_jwt)")
		row("private key", describeState(v.Secrets.PrivateKey))
	case v.Confidential:
		row("client", "confidential")
		row("client secret", describeState(v.Secrets.ClientSecret))
	default:
		row("client", "public (no secret)")
	}
	row("refresh token", describeState(v.Secrets.RefreshToken))
	row("cached token", describeState(v.Secrets.TokenSet))
	row("audience", v.Audience)
	row("scopes", strings.Join(v.Scopes, " "))
	row("grant", string(v.Grant))
	row("auth method", string(v.AuthMethod))
	row("organization", v.Organization)
	if v.RedirectPort != 0 {
		row("redirect port", fmt.Sprint(v.RedirectPort))
	}
	row("redirect uri", v.RedirectURI)
	if v.NoDiscovery {
		row("discovery", "off (endpoints below only)")
	}
	for _, e := range endpointFields(&v.Endpoints) {
		row(strings.ReplaceAll(e.flag, "-", " "), *e.dst)
	}
	for _, p := range []struct {
		label  string
		params map[string]string
	}{{"authorize param", v.AuthorizeParams}, {"token param", v.TokenParams}} {
		for _, k := range slices.Sorted(maps.Keys(p.params)) {
			row(p.label, k+"="+p.params[k])
		}
	}
	row("config", path)
	return tw.Flush()
}

func describeState(s store.SecretState) string {
	switch s {
	case store.StateStored:
		return "stored in the OS keyring"
	case store.StateDamaged:
		return "damaged in the OS keyring (store it again)"
	case store.StateUnknown:
		return "unknown (keyring unavailable)"
	case store.StateNotUsed:
		return "not used"
	}
	return "none"
}

func (o *tenantsOpts) use(cmd *cobra.Command, name string) error {
	ts, err := o.tenants()
	if err != nil {
		return err
	}
	if err := ts.Use(name); err != nil {
		return storeErr(err)
	}
	if o.json {
		return WriteJSON(cmd.OutOrStdout(), map[string]string{"default": name})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "default tenant is now %s\n", name)
	return nil
}

func (o *tenantsOpts) rmCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use: "rm NAME", Aliases: []string{"remove"}, Args: cobra.ExactArgs(1),
		Short: "Remove a tenant and every keyring entry it has (asks first on a terminal)",
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			ts, err := o.tenants()
			if err != nil {
				return err
			}
			if _, err := ts.Resolve(name); err != nil {
				return storeErr(err)
			}
			if !yes {
				if err := confirm(cmd, fmt.Sprintf("Remove tenant %q and its secrets from the OS keyring? [y/N] ", name)); err != nil {
					return err
				}
			}
			keyringEntries := "removed"
			var left *store.SecretsLeftError
			switch err := ts.Remove(name); {
			case errors.As(err, &left):
				// The config no longer names the tenant; the keyring's entries wait for the
				// next change made with a keyring (store.Tenants.Remove). The keyring's own
				// advice (supply a secret from the environment) does not fit here.
				keyringEntries = "not reached"
				fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: warning: the keyring could not be reached (%s): any entries it holds for %s are left there, and removed by the next 'tokenbench tenants' change made with the keyring available\n", safeLine(left.Cause), name)
			case err != nil:
				return storeErr(err)
			}
			if o.json {
				return WriteJSON(cmd.OutOrStdout(), map[string]string{"removed": name, "keyring_entries": keyringEntries})
			}
			if keyringEntries != "removed" {
				fmt.Fprintf(cmd.OutOrStdout(), "removed tenant %s from %s\n", name, tokens.SafeText(ts.Path))
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed tenant %s and its keyring entries\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// confirm asks question on stderr and reads the answer from the terminal on stdin. Without
// a terminal it refuses: a script must say --yes.
func confirm(cmd *cobra.Command, question string) error {
	if _, ok := terminalFd(cmd.InOrStdin()); !ok {
		return Fail(ExitUsage, "refusing to remove without confirmation: pass --yes")
	}
	fmt.Fprint(cmd.ErrOrStderr(), question)
	line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return Fail(ExitUsage, "not confirmed; nothing removed")
}

// terminalFd returns the file descriptor of r when it is a terminal.
func terminalFd(r io.Reader) (uintptr, bool) {
	f, ok := r.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0, false
	}
	return f.Fd(), true
}
