package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// mintOpts are the flags of `mint`.
type mintOpts struct {
	key, secretFile, alg, kid, claims, like string
	sets, auds                              []string
	iss, sub, scope, typ, profile, now      string
	exp, nbf                                time.Duration
	json                                    bool
}

// NewMintCmd returns the `mint` command: sign a test token with a local key.
func NewMintCmd() *cobra.Command {
	o := &mintOpts{}
	cmd := &cobra.Command{
		Use:   "mint --key PATH [flags]",
		Short: "Sign a test token with a local key (for testing APIs, never production)",
		Long: `mint signs a JWT with a local private key (--key, PEM or JWK) or an HMAC secret
(--secret-file with --alg HS256/384/512) and prints it on stdout.

Claims are built in order: the --like token's claims (times moved to now, jti
dropped), then the --claims object, then the defaults (iat now, exp in 1h, a random
jti) for what is still missing, then --iss, --sub, --aud, --scope, --exp, --nbf, then
each --set NAME=VALUE (VALUE is JSON when it parses as JSON, else a string; an empty
VALUE removes the claim). --profile rfc9068 makes typ at+jwt and refuses a token
missing what RFC 9068 requires (iss, exp, aud, sub, client_id, iat, jti).

The algorithm defaults from the key; a key that does not fit --alg is refused.`,
		Example: `  tokenbench mint --key dev.jwk --iss https://issuer.test/ --sub alice --aud https://api.test/ --scope "read write"
  tokenbench mint --key dev.jwk --like "$REAL_TOKEN" --set email=bob@example.com --exp 5m
  tokenbench mint --secret-file hs.key --alg HS256 --claims claims.json --set admin=true
  tokenbench mint dpop --key dev.jwk --htm GET --htu https://api.test/orders --ath-of "$TOKEN"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "sign with the private key in `PATH` (PEM or JWK)")
	f.StringVar(&o.secretFile, "secret-file", "", "sign with the HMAC secret in `PATH` (with --alg HS256/384/512)")
	f.StringVar(&o.alg, "alg", "", "signature algorithm `ALG` (default: the key's)")
	f.StringVar(&o.kid, "kid", "", "header kid `KID` (default: the key's kid or thumbprint)")
	f.StringVar(&o.claims, "claims", "", "start from the JSON claims object in `FILE` ('-' for stdin)")
	f.StringArrayVar(&o.sets, "set", nil, "set claim `NAME=VALUE` (repeatable; JSON or a string; NAME= removes)")
	f.StringVar(&o.iss, "iss", "", "issuer `URL`")
	f.StringVar(&o.sub, "sub", "", "subject `SUB`")
	f.StringArrayVar(&o.auds, "aud", nil, "audience `AUD` (repeatable)")
	f.StringVar(&o.scope, "scope", "", "space-separated `SCOPES`")
	f.DurationVar(&o.exp, "exp", tokens.DefaultMintLifetime, "expire `DURATION` after now (negative for an expired token)")
	f.DurationVar(&o.nbf, "nbf", 0, "not valid before now + `DURATION`")
	f.StringVar(&o.typ, "typ", "", "header typ `TYP`: at+jwt or JWT (default JWT, at+jwt with --profile rfc9068)")
	f.StringVar(&o.profile, "profile", "", "mint for a profile: `rfc9068` (JWT access token)")
	f.StringVar(&o.now, "now", "", "mint as at `TIME` (RFC 3339 or Unix seconds)")
	f.StringVar(&o.like, "like", "", "copy the header and claims of `TOKEN` (times moved to now)")
	f.BoolVar(&o.json, "json", false, "print the token with its header and claims as JSON")
	cmd.AddCommand(newMintDPoPCmd())
	return cmd
}

func (o *mintOpts) run(cmd *cobra.Command) error {
	now, err := o.clock()
	if err != nil {
		return err
	}
	key, err := loadSigner(o.key, o.secretFile)
	if err != nil {
		return err
	}
	if o.profile != "" && o.profile != string(tokens.ProfileRFC9068) {
		return Fail(ExitUsage, "--profile %q is not known (known: rfc9068)", tokens.SafeText(o.profile))
	}
	if o.claims == "-" && o.like == "-" {
		return Fail(ExitUsage, "--claims - and --like - cannot both read stdin")
	}
	h := tokens.Header{Alg: o.alg, KeyID: o.kid, Type: o.typ}
	var claims tokens.Object
	if o.like != "" {
		like, err := o.likeToken(cmd)
		if err != nil {
			return err
		}
		claims = tokens.RebaseTimes(like.Claims, now)
		h.Extra = like.Header
		if typ, ok := like.Header.String("typ"); ok && h.Type == "" {
			h.Type = typ
		}
	}
	if o.claims != "" {
		c, err := readClaims(o.claims, cmd.InOrStdin())
		if err != nil {
			return err
		}
		claims = claims.Merge(c)
	}
	if claims, err = tokens.MintDefaults(claims, now, nil); err != nil {
		return keyErr("", err)
	}
	if claims, err = o.applyFlags(cmd, claims, now); err != nil {
		return err
	}
	if o.profile != "" && h.Type == "" {
		h.Type = "at+jwt"
	}
	if h.Type == "" {
		h.Type = "JWT"
	}
	if err := tokens.CheckProfile(claims, h.Type, tokens.Profile(o.profile)); err != nil {
		return keyErr("--profile rfc9068: ", err)
	}
	raw, err := tokens.Sign(key, h, claims)
	if err != nil {
		return keyErr("", err)
	}
	return writeMinted(cmd, raw, o.json)
}

func (o *mintOpts) clock() (time.Time, error) {
	if o.now == "" {
		return time.Now(), nil
	}
	return ParseTime(o.now)
}

// loadSigner reads the key named by --key or --secret-file (exactly one).
func loadSigner(keyPath, secretPath string) (*tokens.SigningKey, error) {
	switch {
	case keyPath != "" && secretPath != "":
		return nil, Fail(ExitUsage, "give --key or --secret-file, not both")
	case keyPath != "":
		k, err := keys.LoadSigningKey(keyPath)
		return k, signerErr("--key", keyPath, err)
	case secretPath != "":
		k, err := keys.LoadSigningSecret(secretPath)
		return k, signerErr("--secret-file", secretPath, err)
	}
	return nil, Fail(ExitUsage, "no key: give --key PATH (a private PEM or JWK) or --secret-file PATH with --alg HS256")
}

// LoadSignKey reads the private key given with the workbench's --sign-key flag, with the
// same rules and one-line errors (exit 2) as mint's --key.
func LoadSignKey(path string) (*tokens.SigningKey, error) {
	k, err := keys.LoadSigningKey(path)
	return k, signerErr("--sign-key", path, err)
}

// signerErr words a key file's error once, naming the flag and the file; nil stays nil.
func signerErr(flag, path string, err error) error {
	if err == nil {
		return nil
	}
	var fe *keys.FileError
	if errors.As(err, &fe) {
		return Fail(ExitUsage, "%s %s: %s", flag, tokens.SafeText(path), tokens.SafeText(fe.Reason))
	}
	var me *tokens.MintError
	if errors.As(err, &me) {
		return Fail(ExitUsage, "%s %s: %s", flag, tokens.SafeText(path), tokens.SafeText(me.Reason))
	}
	return Fail(ExitUsage, "%s %s: %s", flag, tokens.SafeText(path), tokens.SafeText(err.Error()))
}

func (o *mintOpts) likeToken(cmd *cobra.Command) (*tokens.Token, error) {
	text, err := ReadTokenInput([]string{o.like}, "", cmd.InOrStdin(), false)
	if err != nil {
		return nil, err
	}
	raw, _ := tokens.Normalize(text)
	tok, err := tokens.Parse(raw)
	if err != nil {
		return nil, Fail(ExitUsage, "--like: %s", tokens.SafeText(err.Error()))
	}
	if tok.Kind != tokens.JWS || tok.Claims == nil {
		return nil, Fail(ExitUsage, "--like: not a signed JWT with JSON claims")
	}
	return tok, nil
}

// readClaims reads the --claims object from a file or stdin, refusing more than
// tokens.MaxClaimsSize without reading the rest.
func readClaims(path string, stdin io.Reader) (tokens.Object, error) {
	r := stdin
	name := "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, Fail(ExitUsage, "--claims: cannot read %s: %s", tokens.SafeText(path), tokens.SafeText(pathReason(err)))
		}
		defer f.Close()
		r, name = f, path
	}
	data, err := io.ReadAll(io.LimitReader(r, tokens.MaxClaimsSize+1))
	if err != nil {
		return nil, Fail(ExitUsage, "--claims: cannot read %s: %s", tokens.SafeText(name), tokens.SafeText(pathReason(err)))
	}
	c, err := tokens.ParseClaims(data)
	if err != nil {
		return nil, keyErr("--claims "+tokens.SafeText(name)+": ", err)
	}
	return c, nil
}

// applyFlags sets the claims the flags name, then each --set in order.
func (o *mintOpts) applyFlags(cmd *cobra.Command, c tokens.Object, now time.Time) (tokens.Object, error) {
	str := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	if o.iss != "" {
		c = c.With("iss", str(o.iss))
	}
	if o.sub != "" {
		c = c.With("sub", str(o.sub))
	}
	switch len(o.auds) {
	case 0:
	case 1:
		c = c.With("aud", str(o.auds[0]))
	default:
		b, _ := json.Marshal(o.auds)
		c = c.With("aud", b)
	}
	if o.scope != "" {
		c = c.With("scope", str(o.scope))
	}
	if cmd.Flags().Changed("exp") {
		c = c.With("exp", tokens.NumericDateJSON(now.Add(o.exp)))
	}
	if cmd.Flags().Changed("nbf") {
		c = c.With("nbf", tokens.NumericDateJSON(now.Add(o.nbf)))
	}
	for _, s := range o.sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, Fail(ExitUsage, "--set %q: expected NAME=VALUE", tokens.SafeText(s))
		}
		if value == "" {
			c = c.Without(name)
			continue
		}
		v, err := tokens.ClaimValue(value)
		if err != nil {
			return nil, keyErr("--set "+tokens.SafeText(name)+": ", err)
		}
		c = c.With(name, v)
	}
	return c, nil
}

// mintedJSON is the --json output of mint: the token and what it says.
type mintedJSON struct {
	Token  string          `json:"token"`
	Header json.RawMessage `json:"header"`
	Claims json.RawMessage `json:"claims"`
}

func writeMinted(cmd *cobra.Command, raw string, asJSON bool) error {
	out := cmd.OutOrStdout()
	if !asJSON {
		_, err := fmt.Fprintln(out, raw)
		return err
	}
	tok, err := tokens.Parse(raw)
	if err != nil {
		return Fail(ExitUsage, "the minted token does not parse: %s", tokens.SafeText(err.Error()))
	}
	return WriteJSON(out, mintedJSON{Token: raw, Header: tok.HeaderJSON, Claims: tok.Payload})
}

type mintDPoPOpts struct {
	key, alg, htm, htu, athOf, now string
	json                           bool
}

func newMintDPoPCmd() *cobra.Command {
	o := &mintDPoPOpts{}
	cmd := &cobra.Command{
		Use:   "dpop --key PATH --htm METHOD --htu URL",
		Short: "Sign a DPoP proof (RFC 9449) for one request",
		Long: `dpop signs a DPoP proof with a local private key: typ dpop+jwt, the key's public
JWK in the header, a fresh jti, htm, htu, iat and, with --ath-of, the hash of the
access token sent with it.`,
		Example: `  tokenbench mint dpop --key dev.jwk --htm GET --htu https://api.test/orders --ath-of "$TOKEN"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			if o.now != "" {
				var err error
				if now, err = ParseTime(o.now); err != nil {
					return err
				}
			}
			if o.key == "" {
				return Fail(ExitUsage, "--key PATH is required (an asymmetric private key)")
			}
			key, err := loadSigner(o.key, "")
			if err != nil {
				return err
			}
			if o.htm == "" || o.htu == "" {
				return Fail(ExitUsage, "--htm METHOD and --htu URL are required")
			}
			var at string
			if o.athOf != "" {
				text, err := ReadTokenInput([]string{o.athOf}, "", cmd.InOrStdin(), false)
				if err != nil {
					return err
				}
				at, _ = tokens.Normalize(text)
			}
			raw, err := tokens.MintDPoPProof(key, tokens.DPoPProofRequest{Alg: o.alg, Method: o.htm, URL: o.htu, AccessToken: at, Now: now})
			if err != nil {
				return keyErr("", err)
			}
			return writeMinted(cmd, raw, o.json)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "sign with the private key in `PATH` (PEM or JWK)")
	f.StringVar(&o.alg, "alg", "", "signature algorithm `ALG` (default: the key's)")
	f.StringVar(&o.htm, "htm", "", "HTTP `METHOD` of the request")
	f.StringVar(&o.htu, "htu", "", "`URL` of the request (without query and fragment)")
	f.StringVar(&o.athOf, "ath-of", "", "bind the access `TOKEN` sent with the proof ('-' for stdin)")
	f.StringVar(&o.now, "now", "", "iat `TIME` (RFC 3339 or Unix seconds)")
	f.BoolVar(&o.json, "json", false, "print the proof with its header and claims as JSON")
	return cmd
}

// pathReason drops the path an *fs.PathError repeats, leaving "no such file or directory".
func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
