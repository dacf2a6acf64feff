package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// verifyOpts are the flags of `verify`; their names are a contract scripts rely on.
type verifyOpts struct {
	tenant, issuer, jwks, key, secretFile string
	audiences, algs, require, typs        []string
	profile, now                          string
	leeway                                time.Duration
	signatureOnly, json                   bool
	decryptKeys, jweAlgs, jweEncs         []string
	dpop                                  dpopOpts

	// cache is the JWKS and discovery cache; nil means keys.NewCache(). Tests set it.
	cache *keys.Cache
}

// NewVerifyCmd returns the `verify` command: the validation report of a token against
// configured keys and a policy.
func NewVerifyCmd() *cobra.Command {
	o := &verifyOpts{}
	cmd := &cobra.Command{
		Use:   "verify [TOKEN|-]",
		Short: "Validate a token against configured keys and print every check",
		Long: `Verify checks a token's structure, header, algorithm, key, signature and claims,
and prints every check with its outcome and the source of the key that verified it.

Keys come only from what you configure, never from the token: --tenant or --issuer
(OpenID discovery, then the issuer's JWKS, cached), --jwks (a file or an https URL),
--key (a PEM or JWK file), --secret-file (an HMAC secret). Nothing is fetched unless
asked: a token's own iss, jku or x5u is never followed. With no key source the
signature cannot be checked and the verdict is "unverified" (exit 1).

Encrypted tokens (JWE) are decrypted with --decrypt-key and must wrap a signed JWT,
which is then verified like any other.

Exit status: 0 valid; 1 invalid or unverified; 2 usage or I/O error (bad flags,
unreadable files, an unreachable issuer). When a key source fails, the report made
with the remaining sources is still printed before exiting 2.`,
		Example: `  tokenbench verify --issuer https://example.auth0.com/ --audience https://api.example $TOKEN
  tokenbench verify --jwks ./jwks.json --profile rfc9068 - < token.txt
  tokenbench verify --secret-file hs.key --alg HS256 --now 2026-11-25T10:00:00Z $TOKEN
  tokenbench verify --key pub.pem --decrypt-key enc.pem --json $JWE | jq .verdict`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.tenant, "tenant", "", "use the saved tenant `NAME`'s issuer (discovery) and audience")
	f.StringVar(&o.issuer, "issuer", "", "expected issuer `URL`; its keys are found by OpenID discovery")
	f.StringVar(&o.jwks, "jwks", "", "verify with the JWK Set at `PATH|URL`")
	f.StringVar(&o.key, "key", "", "verify with the public key in `PATH` (PEM or JWK)")
	f.StringVar(&o.secretFile, "secret-file", "", "verify HMAC tokens with the secret in `PATH` (needs --alg HS256/384/512)")
	f.StringArrayVar(&o.audiences, "audience", nil, "accepted audience `AUD` (repeatable; the token must name one)")
	f.StringArrayVar(&o.algs, "alg", nil, "allowed signature algorithm `ALG` (repeatable; default: RS*, PS*, ES*, EdDSA)")
	f.StringVar(&o.profile, "profile", "", "apply a token profile: `rfc9068` (typ at+jwt and its required claims)")
	f.StringArrayVar(&o.require, "require", nil, "require the claim `CLAIM` (repeatable)")
	f.StringArrayVar(&o.typs, "typ", nil, "accepted header typ `TYP` (repeatable)")
	f.DurationVar(&o.leeway, "leeway", tokens.DefaultLeeway, "clock skew allowed on exp, nbf and iat (`DURATION`, 0 for none)")
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
	policy, err := o.policy(cmd)
	if err != nil {
		return err
	}
	text, err := ReadTokenInput(args, "", cmd.InOrStdin(), stdinIsTTYFor(cmd))
	if err != nil {
		return err
	}
	raw, _ := tokens.Normalize(text)
	stderr := cmd.ErrOrStderr()

	keys, sourceErr := o.keySet(cmd.Context(), cmd, &policy, raw, stderr)
	if sourceErr == nil && keys == nil {
		fmt.Fprintln(stderr, "tokenbench: no key source given (--tenant, --issuer, --jwks, --key or --secret-file): the signature is not checked")
		if iss := tokenIssuer(raw); iss != "" {
			fmt.Fprintf(stderr, "tokenbench: the token names issuer %s; pass --issuer to fetch its keys (nothing is fetched unless asked)\n", tokens.SafeText(iss))
		}
	}
	rep := tokens.NewValidator(policy, keys).Validate(raw)
	if err := o.dpop.addDPoPChecks(rep, raw, &policy, cmd.InOrStdin()); err != nil {
		return err
	}

	out := cmd.OutOrStdout()
	if o.json {
		if err := WriteJSON(out, rep); err != nil {
			return Fail(ExitUsage, "writing output: %v", err)
		}
	} else {
		summary := rep.Summary()
		if sourceErr != nil && keys == nil && rep.Verdict == tokens.VerdictUnverified {
			summary = "unverified: no key source could be read, the signature was not checked"
		}
		writeReport(out, rep, summary)
	}
	switch {
	case sourceErr != nil:
		return &ExitError{Code: ExitUsage, Err: sourceErr}
	case rep.Valid():
		return nil
	}
	return Silent(ExitInvalid)
}

// policy builds the validation policy from the flags, refusing unusable values.
func (o *verifyOpts) policy(cmd *cobra.Command) (tokens.Policy, error) {
	p := tokens.Policy{
		Audiences:        o.audiences,
		Algorithms:       o.algs,
		RequiredClaims:   o.require,
		Types:            o.typs,
		Leeway:           o.leeway,
		SignatureOnly:    o.signatureOnly,
		JWEKeyAlgorithms: o.jweAlgs,
		JWEEncryptions:   o.jweEncs,
	}
	if o.tenant != "" && o.issuer != "" {
		return p, Fail(ExitUsage, "give --tenant or --issuer, not both")
	}
	if err := tokens.CheckAlgorithms(o.algs); err != nil {
		var ve *tokens.ValidationError
		if errors.As(err, &ve) {
			return p, Fail(ExitUsage, "--alg: %s", ve.Reason)
		}
		return p, Fail(ExitUsage, "--alg: %v", err)
	}
	if err := tokens.CheckJWEAlgorithms(o.jweAlgs, o.jweEncs); err != nil {
		return p, &ExitError{Code: ExitUsage, Err: err}
	}
	switch o.profile {
	case "":
	case string(tokens.ProfileRFC9068):
		p.Profile = tokens.ProfileRFC9068
	default:
		return p, Fail(ExitUsage, "--profile %q is not known (known: rfc9068)", o.profile)
	}
	switch {
	case o.leeway < 0:
		return p, Fail(ExitUsage, "--leeway must not be negative")
	case o.leeway == 0:
		p.Leeway = -1 // an explicit 0: no leeway at all
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

// keySet loads every configured key source into one set. It returns nil when none is
// configured. A source that fails is left out and its error returned, so that the report
// made with the other sources can still be printed.
func (o *verifyOpts) keySet(ctx context.Context, cmd *cobra.Command, p *tokens.Policy, raw string, stderr io.Writer) (*tokens.KeySet, error) {
	var sets []*tokens.KeySet
	var errs []error
	configured := false
	add := func(ks *tokens.KeySet, err error) {
		configured = true
		if err != nil {
			errs = append(errs, err)
			return
		}
		sets = append(sets, ks)
	}
	kid := tokenKid(raw)
	issuer := o.issuer
	if o.tenant != "" {
		iss, aud, err := tenantIssuer(o.tenant)
		if err != nil {
			return nil, err
		}
		issuer = iss
		if len(p.Audiences) == 0 && aud != "" {
			p.Audiences = []string{aud}
		}
	}
	if issuer != "" {
		p.Issuer = issuer
		add(o.cacheFor(cmd).IssuerKeys(ctx, issuer, kid))
	}
	if o.jwks != "" {
		if strings.HasPrefix(o.jwks, "https://") || strings.HasPrefix(o.jwks, "http://") {
			add(o.cacheFor(cmd).JWKS(ctx, o.jwks, kid))
		} else {
			add(keys.LoadJWKSFile(o.jwks))
		}
	}
	if o.key != "" {
		add(keys.LoadFile(o.key))
	}
	if o.secretFile != "" {
		add(keys.LoadSecretFile(o.secretFile))
	}
	if !configured {
		return nil, nil
	}
	if len(sets) == 0 {
		// Every source failed: no key was ever looked at, so nothing can be said about the
		// signature. The report is "unverified", never "invalid", and the exit code says
		// that a source could not be read.
		return nil, errors.Join(errs...)
	}
	set := tokens.MergeKeySets(sets...)
	for _, n := range set.Notes {
		fmt.Fprintf(stderr, "tokenbench: note: %s\n", tokens.SafeText(n))
	}
	for _, s := range set.Skipped {
		fmt.Fprintf(stderr, "tokenbench: skipped key: %s\n", tokens.SafeText(s))
	}
	return set, errors.Join(errs...)
}

func (o *verifyOpts) cacheFor(cmd *cobra.Command) *keys.Cache {
	if o.cache == nil {
		o.cache = keys.NewCache()
		o.cache.Client = traceOf(cmd).client(cmd, nil, nil)
	}
	return o.cache
}

// tenantIssuer returns the issuer and audience of the saved tenant called name.
func tenantIssuer(name string) (issuer, audience string, err error) {
	ts, err := OpenTenants("")
	if err != nil {
		return "", "", err
	}
	t, err := ts.Resolve(name)
	if err != nil {
		return "", "", storeErr(err)
	}
	if t.IssuerURL() == "" {
		return "", "", Fail(ExitUsage, "tenant %q has no issuer", name)
	}
	return t.IssuerURL(), t.Audience, nil
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

// writeReport prints the verdict line, then one line per check with its status, reason
// and, for the key and signature checks, the key and where it came from.
func writeReport(w io.Writer, rep *tokens.Report, summary string) {
	fmt.Fprintf(w, "%s\n", tokens.SafeText(summary))
	for _, c := range rep.Checks {
		line := fmt.Sprintf("  %-4s  %-13s %s", c.Status, c.Name, c.Reason)
		if c.Key != nil {
			line += "  [" + c.Key.String() + "]"
		}
		fmt.Fprintln(w, tokens.SafeText(line))
	}
}
