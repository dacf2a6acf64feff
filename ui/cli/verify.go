package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/store"
	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// verifyOpts are the flags of `verify`; their names are a contract scripts rely on.
type verifyOpts struct {
	expect                        ExpectFlags
	require, typs                 []string
	now, config                   string
	signatureOnly, json           bool
	decryptKeys, jweAlgs, jweEncs []string
	dpop                          dpopOpts

	// cache is the JWKS and discovery cache; nil means keys.NewCache(). Tests set it.
	cache *keys.Cache
	// tenants is where --tenant is looked up; nil means the config file. Tests set it.
	tenants *store.Tenants
}

// NewVerifyCmd returns the `verify` command: the validation report of a token against
// configured keys and a policy.
func NewVerifyCmd() *cobra.Command { return newVerifyCmd(&verifyOpts{}) }

func newVerifyCmd(o *verifyOpts) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify [TOKEN|-]",
		Short: "Validate a token against configured keys and print every check",
		Long: `Verify checks a token's structure, header, algorithm, key, signature and claims,
and prints every check with its outcome and the source of the key that verified it.

Keys come only from what you configure, never from the token: --jwks (a file or an
https URL), --key (a PEM or JWK file), --secret-file (an HMAC secret), or else --tenant
or --issuer by OpenID discovery (then the issuer's JWKS, cached). --issuer is always
the expected issuer; it is fetched from only when no --jwks, --key or --secret-file is
given. Nothing is fetched unless asked: a token's own iss, jku or x5u is never
followed. With no key source the signature cannot be checked and the verdict is
"unverified" (exit 1).

Your API's expectations: --audience (the token must name one), --scope (each must be
granted by scope, scp or permissions). With no --audience the verdict says the
audience was not checked: a valid token for another API is still "valid".

Encrypted tokens (JWE) are decrypted with --decrypt-key and must wrap a signed JWT,
which is then verified like any other.

Exit status: 0 valid; 1 invalid or unverified; 2 usage or I/O error (bad flags,
unreadable files, an unreachable issuer). When a key source fails, the report made
with the remaining sources is still printed before exiting 2; it is "unverified" unless
a key that was read is the token's (the token's key may be in the source that failed).
--jwks takes a file path or an https URL; no flag takes a URL of another scheme.`,
		Example: `  tokenbench verify --issuer https://example.auth0.com/ --audience https://api.example $TOKEN
  tokenbench verify --tenant dev --scope write:orders $TOKEN
  tokenbench verify --jwks ./jwks.json --profile rfc9068 - < token.txt
  tokenbench verify --secret-file hs.key --alg HS256 --now 2026-11-25T10:00:00Z $TOKEN
  tokenbench verify --key pub.pem --decrypt-key enc.pem --json $JWE | jq .verdict`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, args) },
	}
	f := cmd.Flags()
	o.expect.Register(f)
	f.StringVar(&o.config, "config", "", "read tenants from the file at `PATH` (default $"+store.EnvConfig+", else the user config dir)")
	f.StringArrayVar(&o.require, "require", nil, "require the claim `CLAIM` (repeatable)")
	f.StringArrayVar(&o.typs, "typ", nil, "accepted header typ `TYP` (repeatable)")
	f.StringVar(&o.now, "now", "", "validate at `TIME` (RFC 3339 or Unix seconds) instead of now")
	f.BoolVar(&o.signatureOnly, "signature-only", false, "check structure, key and signature only, not the payload's claims")
	f.StringArrayVar(&o.decryptKeys, "decrypt-key", nil, "decrypt JWE with the private key in `PATH` (PEM or JWK; repeatable)")
	f.StringArrayVar(&o.jweAlgs, "jwe-alg", nil, "allowed JWE key algorithm `ALG` (repeatable; default: RSA-OAEP*, ECDH-ES*, dir)")
	f.StringArrayVar(&o.jweEncs, "jwe-enc", nil, "allowed JWE content encryption `ENC` (repeatable; default: A*GCM, A*CBC-HS*)")
	f.BoolVar(&o.json, "json", false, "print the report as JSON")
	f.StringVar(&o.dpop.proof, "dpop-proof", "", "check the DPoP `PROOF` sent with the token and its binding (cnf.jkt)")
	f.StringVar(&o.dpop.htm, "htm", "", "with --dpop-proof: the request's HTTP `METHOD`")
	f.StringVar(&o.dpop.htu, "htu", "", "with --dpop-proof: the request's `URL`")
	addTraceFlags(cmd)
	return cmd
}

func (o *verifyOpts) run(cmd *cobra.Command, args []string) error {
	x, err := o.expect.Expectation()
	if err != nil {
		return err
	}
	base, err := o.policy(cmd)
	if err != nil {
		return err
	}
	text, err := ReadTokenInput(args, "", cmd.InOrStdin(), stdinIsTTYFor(cmd))
	if err != nil {
		return err
	}
	found := tokens.Inspect(text)
	raw := found.Token
	stderr := cmd.ErrOrStderr()

	ts := o.tenants
	if ts == nil && o.config != "" && x.Tenant != "" {
		if ts, err = OpenTenants(o.config); err != nil {
			return err
		}
	}
	res, err := ResolveExpectation(x, ts)
	if err != nil {
		return err
	}
	policy := res.Policy
	policy.RequiredClaims, policy.Types, policy.Now, policy.SignatureOnly = base.RequiredClaims, base.Types, base.Now, base.SignatureOnly
	policy.JWEKeyAlgorithms, policy.JWEEncryptions, policy.DecryptionKeys = base.JWEKeyAlgorithms, base.JWEEncryptions, base.DecryptionKeys

	keys, sourceErr := x.Keys(cmd.Context(), res, o.cacheFor(cmd), tokenKid(raw))
	if keys != nil {
		for _, n := range keys.Notes {
			fmt.Fprintf(stderr, "tokenbench: note: %s\n", tokens.SafeText(n))
		}
		for _, s := range keys.Skipped {
			fmt.Fprintf(stderr, "tokenbench: skipped key: %s\n", tokens.SafeText(s))
		}
	}
	rep := tokens.NewValidator(policy, keys).Validate(raw)
	if err := o.dpop.addDPoPChecks(rep, raw, &policy, cmd.InOrStdin()); err != nil {
		return err
	}
	if sourceErr == nil && keys == nil && !rep.Opaque {
		fmt.Fprintln(stderr, "tokenbench: no key source given (--tenant, --issuer, --jwks, --key or --secret-file): the signature is not checked")
		if iss := tokenIssuer(raw); iss != "" {
			fmt.Fprintf(stderr, "tokenbench: the token names issuer %s; pass --issuer to fetch its keys (nothing is fetched unless asked)\n", tokens.SafeText(iss))
		}
	}

	out := cmd.OutOrStdout()
	if o.json {
		if err := WriteJSON(out, rep); err != nil {
			return Fail(ExitUsage, "writing output: %v", err)
		}
	} else {
		summary := verdictText(rep)
		switch {
		case found.Kind == tokens.NotAToken && rep.Kind == tokens.NotAToken && !rep.Opaque:
			// Say what the input is, as decode does, not "has 1 part" of empty or binary input.
			summary = "invalid: not a token: " + found.Reason
		case sourceErr != nil && keys == nil && rep.Verdict == tokens.VerdictUnverified:
			summary = "unverified: no key source could be read, the signature was not checked"
			var de *tokens.KeyDataError
			if errors.As(sourceErr, &de) && !multiple(sourceErr) {
				// It was read: say what is wrong with it (a key too small, say).
				summary = "unverified: " + sourceErrText(x, sourceErr) + "; the signature was not checked"
			}
		}
		writeReport(out, rep, summary, outputWidth(out))
	}
	switch {
	case sourceErr != nil:
		writeSourceErrors(stderr, x, sourceErr)
		return Silent(ExitUsage)
	case rep.Valid():
		return nil
	}
	return Silent(ExitInvalid)
}

// writeSourceErrors says on stderr, one line each, why key sources could not be read
// (store.Expectation.Keys joins their errors), naming the flag of a file that failed.
func writeSourceErrors(w io.Writer, x store.Expectation, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		fmt.Fprintf(w, "tokenbench: %s\n", safeLine(sourceErrText(x, err)))
	}
}

// multiple reports whether err joins several errors.
func multiple(err error) bool {
	j, ok := err.(interface{ Unwrap() []error })
	return ok && len(j.Unwrap()) > 1
}

// sourceErrText words one key source's error. A missing --jwks file is named as such, with
// what --jwks takes: the word given may have been meant as something else ("pem").
func sourceErrText(x store.Expectation, err error) string {
	var fe *keys.FileError
	if !errors.As(err, &fe) {
		return err.Error()
	}
	var flag string
	switch fe.Path {
	case x.JWKS:
		flag = "--jwks"
		if errors.Is(fe.Err, fs.ErrNotExist) {
			return "--jwks " + fe.Path + ": no such file; --jwks takes a JWKS file path or an https URL"
		}
	case x.Key:
		flag = "--key"
	case x.SecretFile:
		flag = "--secret-file"
	default:
		return err.Error()
	}
	return flag + " " + fe.Path + ": " + fe.Reason
}

// policy builds the validation policy from the flags, refusing unusable values.
func (o *verifyOpts) policy(cmd *cobra.Command) (tokens.Policy, error) {
	p := tokens.Policy{
		RequiredClaims:   o.require,
		Types:            o.typs,
		SignatureOnly:    o.signatureOnly,
		JWEKeyAlgorithms: o.jweAlgs,
		JWEEncryptions:   o.jweEncs,
	}
	if err := tokens.CheckJWEAlgorithms(o.jweAlgs, o.jweEncs); err != nil {
		return p, &ExitError{Code: ExitUsage, Err: err}
	}
	for flag, values := range map[string][]string{"--audience": o.expect.Audiences, "--require": o.require, "--typ": o.typs} {
		if slices.Contains(values, "") {
			return p, Fail(ExitUsage, "%s is empty (an unset shell variable?): give a value or leave the flag out", flag)
		}
	}
	if o.now != "" {
		t, err := ParseTime(o.now)
		if err != nil {
			return p, err
		}
		p.Now = func() time.Time { return t }
	}
	for _, path := range o.decryptKeys {
		ks, err := keys.LoadDecryptionFile(path)
		if err != nil {
			return p, Fail(ExitUsage, "--decrypt-key: %w", err)
		}
		p.DecryptionKeys = append(p.DecryptionKeys, ks...)
	}
	return p, nil
}

func (o *verifyOpts) cacheFor(cmd *cobra.Command) *keys.Cache {
	if o.cache == nil {
		o.cache = keys.NewCache()
		o.cache.Client = traceOf(cmd).client(cmd, nil, nil)
	}
	return o.cache
}

// tokenKid returns the kid of a JWS, or of the nested layer's outer header for a JWE: a
// hint for the key cache's unknown-kid refetch, never a source of keys.
func tokenKid(raw string) string {
	t, err := tokens.Parse(raw)
	if err != nil || t.Kind != tokens.JWS {
		return ""
	}
	kid, _ := t.Header.String("kid")
	return kid
}

// tokenIssuer returns the iss a JWS claims, for a hint only: it is never fetched.
func tokenIssuer(raw string) string {
	t, err := tokens.Parse(raw)
	if err != nil || t.Claims == nil {
		return ""
	}
	iss, _ := t.Claims.String("iss")
	return iss
}

// writeReport prints the verdict line (and, for a token tokenbench minted, that it was),
// then one line per check with its status, reason
// and, for the key and signature checks, the key and where it came from. width > 0 wraps
// each line to it with the reason's column kept (a terminal); 0 writes every line whole
// (a pipe or file), so that no value is ever cut.
func writeReport(w io.Writer, rep *tokens.Report, summary string, width int) {
	writeWrapped(w, "", 2, tokens.SafeText(summary), width)
	if rep.Token != nil {
		if kid, ok := rep.Token.MintedLocally(); ok {
			writeWrapped(w, "", 2, mintedText(kid), width)
		}
	}
	for _, c := range rep.Checks {
		text := c.Reason
		if c.Key != nil {
			text += "  [" + c.Key.String() + "]"
		}
		head := fmt.Sprintf("  %-4s  %-13s ", c.Status, c.Name)
		writeWrapped(w, tokens.SafeText(head), len(head), tokens.SafeText(text), width)
	}
}

// verdictText is the report's summary, which never overstates: a valid token whose
// audience was not compared with the caller's API says so.
func verdictText(rep *tokens.Report) string {
	s := rep.Summary()
	if rep.Valid() && !rep.AudienceChecked && rep.Token != nil && rep.Token.Claims != nil {
		s += " · audience not checked (pass --audience with your API's identifier to check it)"
	}
	return s
}
