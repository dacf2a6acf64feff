package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
	"github.com/tokenbench/tokenbench/tokens/oauth"
)

// tenantFlags are the flags add and edit share; edit applies only the ones given.
type tenantFlags struct {
	domain, issuer, clientID, audience, grant, org string
	authMethod, redirectURI, privateKeyFile        string
	scopes, authorizeParams, tokenParams           []string
	redirectPort                                   int
	public, confidential                           bool
	secretStdin, newSecret, noDiscovery, useIt     bool
	privateKeyStdin                                bool
	endpoints                                      store.Endpoints
}

// endpointFlags names the flag that sets each endpoint override, by its discovery name
// (the name a *oauth.MissingEndpointError carries).
var endpointFlags = map[string]string{
	oauth.EndpointAuthorization:       "authorization-endpoint",
	oauth.EndpointToken:               "token-endpoint",
	oauth.EndpointDeviceAuthorization: "device-authorization-endpoint",
	oauth.EndpointUserinfo:            "userinfo-endpoint",
	oauth.EndpointIntrospection:       "introspection-endpoint",
	oauth.EndpointRevocation:          "revocation-endpoint",
	oauth.EndpointJWKS:                "jwks-uri",
}

// endpointFields pairs each endpoint flag with its field in e.
func endpointFields(e *store.Endpoints) []struct {
	flag string
	dst  *string
} {
	return []struct {
		flag string
		dst  *string
	}{
		{"authorization-endpoint", &e.Authorization}, {"token-endpoint", &e.Token},
		{"device-authorization-endpoint", &e.DeviceAuthorization}, {"userinfo-endpoint", &e.Userinfo},
		{"introspection-endpoint", &e.Introspection}, {"revocation-endpoint", &e.Revocation},
		{"jwks-uri", &e.JWKSURI},
	}
}

func (f *tenantFlags) register(fs *pflag.FlagSet, edit bool) {
	fs.StringVar(&f.domain, "domain", "", "Auth0 tenant `DOMAIN` (dev-abc.eu.auth0.com or a custom domain)")
	fs.StringVar(&f.issuer, "issuer", "", "OpenID Connect issuer `URL` (https; http only on loopback)")
	fs.StringVar(&f.clientID, "client-id", "", "OAuth client `ID`")
	fs.StringVar(&f.audience, "audience", "", "API `AUDIENCE` to request tokens for (Auth0)")
	fs.StringArrayVar(&f.scopes, "scope", nil, "`SCOPE` to request (repeatable)")
	fs.StringVar(&f.grant, "grant", "", "default `GRANT`: "+grantNames())
	fs.StringVar(&f.authMethod, "auth-method", "", "client authentication `METHOD`: "+authMethodNames()+" (default client_secret_basic, none for public clients)")
	fs.StringVar(&f.privateKeyFile, "private-key-file", "", "private_key_jwt: read the client's private key (PEM or JWK; RSA, EC or Ed25519) from `PATH` into the OS keyring")
	fs.BoolVar(&f.privateKeyStdin, "private-key-stdin", false, "private_key_jwt: read the client's private key from stdin into the OS keyring")
	fs.StringVar(&f.org, "org", "", "Auth0 organization `ID` or name")
	fs.IntVar(&f.redirectPort, "redirect-port", 0, "pin the loopback redirect to http://127.0.0.1:`PORT`/callback (0: any free port)")
	fs.StringVar(&f.redirectURI, "redirect-uri", "", "the exact loopback redirect `URI` registered at the provider: http://127.0.0.1:PORT/PATH, http://localhost:PORT/PATH or http://[::1]:PORT/PATH")
	for _, e := range endpointFields(&f.endpoints) {
		fs.StringVar(e.dst, e.flag, "", "use `URL` as the "+strings.ReplaceAll(strings.TrimSuffix(e.flag, "-endpoint"), "-", " ")+" endpoint instead of discovery's (empty clears it)")
	}
	fs.StringArrayVar(&f.authorizeParams, "authorize-param", nil, "extra authorize request parameter `KEY=VALUE` (repeatable; KEY= removes it)")
	fs.StringArrayVar(&f.tokenParams, "token-param", nil, "extra token request parameter `KEY=VALUE` (repeatable; KEY= removes it)")
	fs.BoolVar(&f.public, "public", false, "public client: no client secret")
	fs.BoolVar(&f.secretStdin, "client-secret-stdin", false, "read the client secret from stdin instead of a hidden prompt")
	fs.BoolVar(&f.noDiscovery, "no-discovery", false, "never fetch the issuer's discovery document: the tenant works from its endpoint flags alone (--no-discovery=false turns it back on)")
	if edit {
		fs.BoolVar(&f.confidential, "confidential", false, "confidential client (has a client secret)")
		fs.BoolVar(&f.newSecret, "new-secret", false, "replace the client secret (hidden prompt, or stdin with --client-secret-stdin)")
	} else {
		fs.BoolVar(&f.useIt, "default", false, "make it the default tenant")
	}
}

func authMethodNames() string {
	names := make([]string, len(oauth.AuthMethods))
	for i, m := range oauth.AuthMethods {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

func grantNames() string {
	names := make([]string, len(oauth.Grants))
	for i, g := range oauth.Grants {
		names[i] = string(g)
	}
	return strings.Join(names, ", ")
}

// apply copies the flags the user gave onto t.
func (f *tenantFlags) apply(t *store.Tenant, fs *pflag.FlagSet) error {
	set := fs.Changed
	if set("domain") && set("issuer") {
		return Fail(ExitUsage, "give --domain (Auth0) or --issuer (any OIDC provider), not both")
	}
	if set("public") && set("confidential") {
		return Fail(ExitUsage, "give --public or --confidential, not both")
	}
	if set("domain") {
		t.Kind, t.Domain, t.Issuer = store.KindAuth0, normalizeDomain(f.domain), ""
	}
	if set("issuer") {
		t.Kind, t.Issuer, t.Domain = store.KindOIDC, strings.TrimSpace(f.issuer), ""
	}
	if set("client-id") {
		t.ClientID = strings.TrimSpace(f.clientID)
	}
	if set("audience") {
		t.Audience = f.audience
	}
	if set("scope") {
		t.Scopes = nil
		for _, s := range f.scopes {
			t.Scopes = append(t.Scopes, strings.Fields(s)...)
		}
	}
	if set("grant") {
		t.Grant = oauth.Grant(f.grant)
	}
	if set("auth-method") {
		t.AuthMethod = oauth.AuthMethod(f.authMethod)
		switch t.AuthMethod {
		case oauth.AuthNone:
			t.Confidential = false
		case oauth.AuthSecretBasic, oauth.AuthSecretPost, oauth.AuthSecretJWT, oauth.AuthPrivateKeyJWT:
			t.Confidential = true
		}
	}
	if set("redirect-uri") {
		if f.redirectURI != "" {
			if _, _, _, err := oauth.ParseRedirectURI(f.redirectURI); err != nil {
				return Fail(ExitUsage, "--redirect-uri %q is not a loopback redirect URI: use http://127.0.0.1:PORT/PATH, http://localhost:PORT/PATH or http://[::1]:PORT/PATH", tokens.SafeText(f.redirectURI))
			}
		}
		t.RedirectURI = f.redirectURI
	}
	if set("redirect-uri") && set("redirect-port") {
		return Fail(ExitUsage, "give --redirect-uri or --redirect-port (its short form), not both")
	}
	for _, e := range endpointFields(&f.endpoints) {
		if set(e.flag) {
			for _, dst := range endpointFields(&t.Endpoints) {
				if dst.flag == e.flag {
					*dst.dst = strings.TrimSpace(*e.dst)
				}
			}
		}
	}
	if set("no-discovery") {
		t.NoDiscovery = f.noDiscovery
	}
	if set("org") {
		t.Organization = f.org
	}
	if set("redirect-port") {
		t.RedirectPort, t.RedirectURI = f.redirectPort, ""
	}
	if set("public") {
		t.Confidential = !f.public
		if f.public && !set("auth-method") {
			t.AuthMethod = ""
		}
	}
	if set("confidential") {
		t.Confidential = f.confidential
	}
	var err error
	if set("authorize-param") {
		if t.AuthorizeParams, err = applyParams(t.AuthorizeParams, f.authorizeParams, "--authorize-param"); err != nil {
			return err
		}
	}
	if set("token-param") {
		if t.TokenParams, err = applyParams(t.TokenParams, f.tokenParams, "--token-param"); err != nil {
			return err
		}
	}
	return nil
}

// normalizeDomain accepts what people paste for an Auth0 domain: "https://x.auth0.com/".
func normalizeDomain(d string) string {
	d = strings.TrimSpace(d)
	d = strings.TrimPrefix(d, "https://")
	return strings.TrimRight(d, "/")
}

func applyParams(m map[string]string, kvs []string, flag string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, Fail(ExitUsage, "%s wants KEY=VALUE, got %q", flag, kv)
		}
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (o *tenantsOpts) addCmd() *cobra.Command {
	f := &tenantFlags{}
	cmd := &cobra.Command{
		Use:   "add NAME (--domain DOMAIN | --issuer URL) --client-id ID [flags]",
		Short: "Save a tenant; its client secret goes to the OS keyring",
		Long: `Save a tenant. A confidential client's secret is read from a hidden prompt, or from
stdin with --client-secret-stdin, and stored in the OS keyring, never in the config file.
Without a terminal or --client-secret-stdin, a confidential tenant is saved with no secret
when TOKENBENCH_CLIENT_SECRET is set (it will supply the secret at run time).
The issuer's discovery document is checked; a failure is a warning, not an error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t := store.Tenant{Name: args[0], Confidential: true}
			if err := store.ValidateName(t.Name); err != nil {
				return storeErr(err)
			}
			if err := f.apply(&t, cmd.Flags()); err != nil {
				return err
			}
			if t.Kind == "" {
				return Fail(ExitUsage, "give --domain (Auth0) or --issuer (any OIDC provider)")
			}
			if t.ClientID == "" {
				return Fail(ExitUsage, "--client-id is required")
			}
			if err := t.Validate(); err != nil {
				return storeErr(err)
			}
			ts, err := o.tenants()
			if err != nil {
				return err
			}
			if c, err := ts.Load(); err != nil {
				return storeErr(err)
			} else if _, ok := c.Tenants[t.Name]; ok {
				return storeErr(fmt.Errorf("%w: %q (use 'tenants edit')", store.ErrTenantExists, t.Name))
			}
			change := store.KeepSecret
			if err := f.checkCredentialFlags(t, cmd.Flags()); err != nil {
				return err
			}
			switch {
			case !t.Confidential && f.secretStdin:
				return Fail(ExitUsage, "--public clients have no secret: drop --client-secret-stdin")
			case t.UsesPrivateKey():
				key, err := f.readPrivateKey(cmd)
				switch {
				case err == nil:
					change = store.SetPrivateKey(key)
				case errors.Is(err, errNoSecretSource) && os.Getenv(store.EnvPrivateKey) != "":
					fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: no private key stored; %s will supply it at run time\n", store.EnvPrivateKey)
				case errors.Is(err, errNoSecretSource):
					return Fail(ExitUsage, "private_key_jwt needs the client's private key: give --private-key-file PATH or --private-key-stdin")
				default:
					return err
				}
			case t.Confidential:
				secret, err := readSecret(cmd, t.Name, f.secretStdin)
				switch {
				case err == nil:
					change = store.SetSecret(secret)
				case errors.Is(err, errNoSecretSource) && os.Getenv(store.EnvClientSecret) != "":
					fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: no client secret stored; %s will supply it at run time\n", store.EnvClientSecret)
				case errors.Is(err, errNoSecretSource):
					return Fail(ExitUsage, "a confidential client needs its secret: pipe it in with --client-secret-stdin, run in a terminal to be asked, or pass --public")
				default:
					return err
				}
			}
			if t.Kind == store.KindAuth0 && t.Audience == "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: warning: no --audience: Auth0 will issue %s\n", tokens.OpaqueNote)
			}
			discovery := o.discover(cmd, t, t.NoDiscovery)
			if err := ts.Add(t, change); err != nil {
				return storeErr(err)
			}
			if f.useIt {
				if err := ts.Use(t.Name); err != nil {
					return storeErr(err)
				}
			}
			return o.report(cmd, ts, t.Name, "added", discovery)
		},
	}
	f.register(cmd.Flags(), false)
	addTraceFlags(cmd)
	return cmd
}

func (o *tenantsOpts) editCmd() *cobra.Command {
	f := &tenantFlags{}
	cmd := &cobra.Command{
		Use:   "edit NAME [flags]",
		Short: "Change a tenant; only the flags given are applied",
		Long: `Change a tenant: only the flags given are applied (--scope replaces the list; an
empty --audience, --org or KEY= parameter clears it). --new-secret replaces the client
secret (hidden prompt, or stdin with --client-secret-stdin); --public removes it from the
keyring. Discovery is checked again when the issuer or domain changes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			ts, err := o.tenants()
			if err != nil {
				return err
			}
			t, err := ts.Resolve(name)
			if err != nil {
				return storeErr(err)
			}
			if err := f.apply(&t, cmd.Flags()); err != nil {
				return err
			}
			if err := t.Validate(); err != nil {
				return storeErr(err)
			}
			wantSecret := f.newSecret || f.secretStdin
			if wantSecret && !t.Confidential {
				return Fail(ExitUsage, "a public client has no secret: drop --new-secret / --client-secret-stdin or pass --confidential")
			}
			if err := f.checkCredentialFlags(t, cmd.Flags()); err != nil {
				return err
			}
			change := store.KeepSecret
			switch key, err := f.readPrivateKey(cmd); {
			case err == nil:
				change = store.SetPrivateKey(key)
			case !errors.Is(err, errNoSecretSource):
				return err
			case cmd.Flags().Changed("auth-method") && t.UsesPrivateKey():
				return Fail(ExitUsage, "switching to private_key_jwt needs the client's private key: give --private-key-file PATH or --private-key-stdin")
			}
			if wantSecret {
				secret, err := readSecret(cmd, name, f.secretStdin)
				if errors.Is(err, errNoSecretSource) {
					return Fail(ExitUsage, "no terminal to ask for the secret: pipe it in with --client-secret-stdin")
				}
				if err != nil {
					return err
				}
				change = store.SetSecret(secret)
			}
			discovery := "skipped"
			if cmd.Flags().Changed("domain") || cmd.Flags().Changed("issuer") {
				discovery = o.discover(cmd, t, t.NoDiscovery)
			}
			// The flags are applied again to the tenant as it is under the lock, so that an
			// edit made meanwhile by another process is kept.
			if err := ts.Edit(name, func(cur *store.Tenant) error { return f.apply(cur, cmd.Flags()) }, change); err != nil {
				return storeErr(err)
			}
			return o.report(cmd, ts, name, "updated", discovery)
		},
	}
	f.register(cmd.Flags(), true)
	addTraceFlags(cmd)
	return cmd
}

// report prints the tenant after add or edit.
func (o *tenantsOpts) report(cmd *cobra.Command, ts *store.Tenants, name, verb, discovery string) error {
	c, err := ts.Load()
	if err != nil {
		return storeErr(err)
	}
	t, _ := c.Tenant(name)
	st, _ := ts.Status(name)
	v := view(c, t, st)
	if o.json {
		return WriteJSON(cmd.OutOrStdout(), struct {
			tenantView
			Discovery string `json:"discovery"`
		}{v, discovery})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s tenant %s\n", verb, name)
	return writeTenant(cmd.OutOrStdout(), v, ts.Path)
}

// discover checks the tenant's discovery document and warns on stderr when it cannot be
// fetched or does not offer the tenant's grant. It returns "ok", "failed" or "skipped".
func (o *tenantsOpts) discover(cmd *cobra.Command, t store.Tenant, skip bool) string {
	if skip {
		return "skipped"
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), keys.HTTPTimeout)
	defer cancel()
	md, err := keys.Discover(ctx, traceOf(cmd).client(cmd, nil, nil), t.IssuerURL())
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: warning: discovery for %s failed, saving anyway: %s\n", tokens.SafeText(t.IssuerURL()), safeLine(err.Error()))
		return "failed"
	}
	grantTypes := map[oauth.Grant]string{
		oauth.GrantClientCredentials: "client_credentials",
		oauth.GrantDevice:            "urn:ietf:params:oauth:grant-type:device_code",
		oauth.GrantPKCE:              "authorization_code",
		oauth.GrantRefresh:           "refresh_token",
	}
	if gt := grantTypes[t.Grant]; gt != "" && len(md.GrantTypesSupported) > 0 && !slices.Contains(md.GrantTypesSupported, gt) {
		fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: warning: %s does not list the %s grant (%s) as supported\n", tokens.SafeText(t.IssuerURL()), t.Grant, tokens.SafeText(gt))
	}
	return "ok"
}

// checkCredentialFlags refuses credential flags that do not fit the tenant's method.
func (f *tenantFlags) checkCredentialFlags(t store.Tenant, fs *pflag.FlagSet) error {
	keyFlag := fs.Changed("private-key-file") || f.privateKeyStdin
	switch {
	case f.privateKeyFile != "" && f.privateKeyStdin:
		return Fail(ExitUsage, "give --private-key-file or --private-key-stdin, not both")
	case keyFlag && !t.UsesPrivateKey():
		return Fail(ExitUsage, "a private key is only used with --auth-method private_key_jwt")
	case t.UsesPrivateKey() && (f.secretStdin || f.newSecret):
		return Fail(ExitUsage, "a private_key_jwt client has no client secret: drop --client-secret-stdin / --new-secret")
	case f.privateKeyStdin && f.secretStdin:
		return Fail(ExitUsage, "stdin can carry the private key or the client secret, not both")
	}
	return nil
}

// maxKeyInput bounds a private key read from a file or stdin: a 16384-bit RSA JWK is
// under 20 KiB.
const maxKeyInput = 64 << 10

// readPrivateKey reads the private key named by --private-key-file or
// --private-key-stdin, once, and checks that it can sign client assertions. It returns
// errNoSecretSource when neither flag was given. The key's bytes never reach an error.
func (f *tenantFlags) readPrivateKey(cmd *cobra.Command) (string, error) {
	var in io.Reader
	source := "stdin"
	switch {
	case f.privateKeyStdin:
		in = cmd.InOrStdin()
	case f.privateKeyFile != "":
		file, err := os.Open(f.privateKeyFile)
		if err != nil {
			return "", Fail(ExitUsage, "cannot read the private key: %v", err)
		}
		defer file.Close()
		in, source = file, f.privateKeyFile
	default:
		return "", errNoSecretSource
	}
	b, err := io.ReadAll(io.LimitReader(in, maxKeyInput+1))
	switch {
	case err != nil:
		return "", Fail(ExitUsage, "cannot read the private key from %s: %v", tokens.SafeText(source), err)
	case len(b) > maxKeyInput:
		return "", Fail(ExitUsage, "the private key in %s is larger than %d KiB", tokens.SafeText(source), maxKeyInput>>10)
	}
	sk, err := oauth.ParseSigningKey(b)
	if err != nil {
		return "", Fail(ExitUsage, "the private key in %s cannot sign client assertions: %v", tokens.SafeText(source), err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "tokenbench: private key %s (kid %s) goes to the OS keyring only\n", sk.Algorithm, tokens.SafeText(sk.KeyID))
	return string(b), nil
}

// errNoSecretSource means there is neither --client-secret-stdin nor a terminal to ask on.
var errNoSecretSource = errors.New("no source for the client secret")

// maxSecretInput bounds a client secret read from stdin.
const maxSecretInput = 64 << 10

// readSecret reads a client secret: all of stdin when fromStdin, less exactly one final
// "\n" or "\r\n" (what echo and editors add, as --secret-file drops; a secret that really
// ends in a line break needs a second one), else from a hidden prompt when stdin is a
// terminal, else errNoSecretSource.
// The secret is never echoed, logged or put in an error.
func readSecret(cmd *cobra.Command, name string, fromStdin bool) (string, error) {
	in := cmd.InOrStdin()
	var secret string
	if fromStdin {
		b, err := io.ReadAll(io.LimitReader(in, maxSecretInput+1))
		if err != nil {
			return "", Fail(ExitUsage, "cannot read the client secret from stdin: %v", err)
		}
		if len(b) > maxSecretInput {
			return "", Fail(ExitUsage, "the client secret on stdin is larger than %d KiB", maxSecretInput>>10)
		}
		secret = string(tokens.TrimNewline(b))
	} else {
		fd, ok := terminalFd(in)
		if !ok {
			return "", errNoSecretSource
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "Client secret for %s (input hidden): ", name)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(cmd.ErrOrStderr())
		if err != nil {
			return "", Fail(ExitUsage, "cannot read the client secret: %v", err)
		}
		secret = string(b) // the prompt reads up to the line break, without it
	}
	if strings.TrimSpace(secret) == "" {
		return "", Fail(ExitUsage, "the client secret is empty")
	}
	return secret, nil
}
