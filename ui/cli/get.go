package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// NewGetCmd returns the `get` command: run a grant against a tenant and cache the result.
func NewGetCmd() *cobra.Command { return newGetCmd(grantDeps{}) }

func newGetCmd(d grantDeps) *cobra.Command {
	var (
		config, tenant, grant string
		asJSON                bool
	)
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Obtain a token from a tenant and cache it in the OS keyring",
		Long: `Get runs an OAuth grant against a saved tenant, stores the tokens in the OS keyring
(a rotated refresh token at once) and prints a summary, or with --json the raw tokens.

Grants: client-credentials (confidential clients), device (RFC 8628: enter the code shown
at the URL shown, on any device), pkce (authorization code + PKCE: your browser opens and
returns to the tenant's --redirect-uri, by default http://127.0.0.1:PORT/callback, which
must be registered for the application),
refresh (use the stored refresh token). Without --grant the tenant's grant is used, else
client-credentials for a confidential tenant and device for a public one.

Prompts and progress go to stderr; stdout gets only the result.

Exit status: 0 token obtained and stored; 1 the provider refused (wrong client or secret,
access denied, expired code, …); 2 usage, keyring or network errors, timeouts, HTTP 5xx/429.`,
		Example: `  tokenbench get --tenant dev --grant device
  tokenbench get --tenant m2m --json | jq -r .access_token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openGrantSession(cmd, config, tenant, d)
			if err != nil {
				return err
			}
			g, err := chooseGrant(grant, s.tenant)
			if err != nil {
				return err
			}
			got, err := s.run(cmd, g)
			if err != nil {
				return grantErr(s.redact(advise(err, s.tenant.Name, g)))
			}
			ts := got.set
			for _, w := range ts.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: note: %s\n", safeLine(w))
			}
			if asJSON {
				err = WriteJSON(cmd.OutOrStdout(), getDoc(ts))
			} else {
				err = writeSummary(cmd.OutOrStdout(), ts, s.now(), got.stored)
			}
			if got.storeErr != nil {
				return got.storeErr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "the tenant `NAME` (default: the default tenant)")
	cmd.Flags().StringVar(&grant, "grant", "", "client-credentials, device, pkce or refresh (default: the tenant's grant)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON with the raw tokens")
	addTraceFlags(cmd)
	return cmd
}

// chooseGrant picks the grant: the flag, else the tenant's, else by client type.
func chooseGrant(flag string, t store.Tenant) (oauth.Grant, error) {
	g := oauth.Grant(flag)
	if g == "" {
		g = t.Grant
	}
	if g == "" {
		g = oauth.GrantDevice
		if t.Confidential {
			g = oauth.GrantClientCredentials
		}
	}
	switch g {
	case oauth.GrantClientCredentials, oauth.GrantDevice, oauth.GrantPKCE, oauth.GrantRefresh:
		return g, nil
	}
	return "", Fail(ExitUsage, "unknown grant %q: use client-credentials, device, pkce or refresh", flag)
}

// obtained is a token set a grant returned, and whether the tenant session stored it.
type obtained struct {
	set *oauth.TokenSet
	// stored says the set is in the keyring; false without one (see grantSession.save).
	stored bool
	// storeErr is why the set could not be stored, worded for the command line.
	storeErr error
}

// run performs grant g, talking to the person on stderr where the grant needs one, and
// has the tenant session store what it got. The session is the only writer: a refreshed
// set it stores itself under the tenant's lock (Session.Renew); any other it is handed
// (Session.Store, through save).
func (s *grantSession) run(cmd *cobra.Command, g oauth.Grant) (*obtained, error) {
	if g == oauth.GrantRefresh {
		return s.refresh(cmd)
	}
	ts, err := s.obtain(cmd, g)
	if err != nil {
		return nil, err
	}
	stored, err := s.save(ts)
	return &obtained{set: ts, stored: stored, storeErr: err}, nil
}

// refresh renews the tenant's set in its session: a set another process renewed while
// this one waited for the tenant's lock is taken instead of spending the refresh token
// again.
func (s *grantSession) refresh(cmd *cobra.Command) (*obtained, error) {
	ctx, stop := interruptible(cmd)
	defer stop()
	out, err := s.session.Renew(ctx, store.Policy{Force: true})
	var np *store.NeedsPersonError
	if errors.As(err, &np) || err != nil && s.keyringGone(err) {
		return nil, Fail(ExitInvalid, "tenant %q has no stored refresh token: run 'tokenbench get --tenant %s --grant device' (or pkce) with the offline_access scope first", s.tenant.Name, s.tenant.Name)
	}
	if err != nil {
		return nil, s.sessionErr(err, oauth.GrantRefresh)
	}
	s.secrets.Add(out.Set.AccessToken, out.Set.RefreshToken, out.Set.IDToken)
	got := &obtained{set: out.Set, stored: out.StoreErr == nil}
	if out.StoreErr != nil && !s.keyringGone(out.StoreErr) {
		got.storeErr = storeErr(out.StoreErr)
	}
	return got, nil
}

// obtain performs grant g (not refresh), talking to the person on stderr where the
// grant needs one.
func (s *grantSession) obtain(cmd *cobra.Command, g oauth.Grant) (*oauth.TokenSet, error) {
	ctx, stop := interruptible(cmd)
	defer stop()
	stderr := cmd.ErrOrStderr()
	switch g {
	case oauth.GrantClientCredentials:
		if !s.tenant.Confidential {
			return nil, Fail(ExitUsage, "tenant %q is a public client; client credentials need a confidential one (use --grant device or pkce)", s.tenant.Name)
		}
		c, err := s.client(true)
		if err != nil {
			return nil, err
		}
		return c.ClientCredentials(ctx)
	case oauth.GrantDevice:
		c, err := s.client(true)
		if err != nil {
			return nil, err
		}
		return c.Device(ctx, func(da *oauth.DeviceAuthorization) {
			writeDevicePrompt(stderr, da, s.now())
			if s.deps.onDevice != nil {
				s.deps.onDevice(da)
			}
		})
	default: // pkce (chooseGrant allows no other)
		c, err := s.client(true)
		if err != nil {
			return nil, err
		}
		c.ShowURL = func(u string) {
			fmt.Fprintf(stderr, "Log in at this URL (tokenbench tries to open your browser):\n\n  %s\n\nWaiting for the login to come back to tokenbench…\n", tokens.SafeText(u))
		}
		return c.AuthorizationCode(ctx)
	}
}

func writeDevicePrompt(w io.Writer, da *oauth.DeviceAuthorization, now time.Time) {
	fmt.Fprintf(w, "To sign in, open %s and enter the code:\n\n    %s\n\n", tokens.SafeText(da.VerificationURI), tokens.SafeText(da.UserCode))
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(w, "or open %s\n", tokens.SafeText(da.VerificationURIComplete))
	}
	if !da.Expiry.IsZero() {
		fmt.Fprintf(w, "The code expires in %s. ", tokens.HumanDuration(da.Expiry.Sub(now)))
	}
	fmt.Fprint(w, "Waiting for approval… (Ctrl-C cancels)\n")
}

// GetDoc is the `get --json` document, with the raw tokens.
type GetDoc struct {
	Tenant       string      `json:"tenant"`
	Issuer       string      `json:"issuer"`
	Grant        oauth.Grant `json:"grant"`
	TokenType    string      `json:"token_type,omitempty"`
	Scope        string      `json:"scope,omitempty"`
	Expiry       *time.Time  `json:"expiry,omitempty"`
	ObtainedAt   time.Time   `json:"obtained_at"`
	AccessToken  string      `json:"access_token"`
	IDToken      string      `json:"id_token,omitempty"`
	RefreshToken string      `json:"refresh_token,omitempty"`
	Warnings     []string    `json:"warnings,omitempty"`
}

func getDoc(ts *oauth.TokenSet) GetDoc {
	d := GetDoc{Tenant: ts.Tenant, Issuer: ts.Issuer, Grant: ts.Grant, TokenType: ts.TokenType, Scope: ts.Scope,
		ObtainedAt: ts.ObtainedAt, AccessToken: ts.AccessToken, IDToken: ts.IDToken, RefreshToken: ts.RefreshToken,
		Warnings: ts.Warnings}
	if !ts.Expiry.IsZero() {
		e := ts.Expiry
		d.Expiry = &e
	}
	return d
}

// writeSummary prints what was obtained, without the tokens themselves.
func writeSummary(w io.Writer, ts *oauth.TokenSet, now time.Time, stored bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, tokens.SafeText(v))
		}
	}
	row("tenant", ts.Tenant)
	row("grant", string(ts.Grant))
	row("token type", ts.TokenType)
	row("scope", ts.Scope)
	if !ts.Expiry.IsZero() {
		row("expires", ts.Expiry.UTC().Format(time.RFC3339)+" ("+tokens.Relative(ts.Expiry, now)+")")
	}
	row("access token", describeToken(ts.AccessToken))
	row("ID token", describeToken(ts.IDToken))
	if ts.RefreshToken != "" {
		row("refresh token", "yes")
	}
	if stored {
		row("stored", fmt.Sprintf("in the OS keyring; 'tokenbench token --tenant %s' prints the access token", ts.Tenant))
	}
	return tw.Flush()
}

// describeToken says what kind of token raw is and, for a JWT, whom it is about and for.
func describeToken(raw string) string {
	if raw == "" {
		return ""
	}
	in := tokens.Inspect(raw)
	if in.Parsed == nil || in.Parsed.Claims == nil {
		return fmt.Sprintf("%s, %d characters", in.Kind, len(raw))
	}
	parts := []string{fmt.Sprintf("%s (%s)", in.Kind, in.Parsed.Alg())}
	for _, name := range []string{"sub", "aud", "azp"} {
		if v, ok := in.Parsed.Claims.Get(name); ok {
			parts = append(parts, name+"="+strings.Trim(string(v), `"`))
		}
	}
	return strings.Join(parts, ", ")
}
