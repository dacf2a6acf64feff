package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/tokens"
	"github.com/tokenbench/tokenbench/tokens/keys"
)

// NewKeysCmd returns the `keys` command: make local signing keys for test tokens and
// print their public JWK Sets.
func NewKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make local signing keys for test tokens and print their public JWKS",
		Long: `keys makes signing keys for minting test tokens (never for production) and prints
the public JWK Set a verifier needs. Private keys are written to files only (mode
0600), never to stdout.`,
	}
	cmd.AddCommand(newKeysNewCmd(), newKeysShowCmd())
	return cmd
}

type keysNewOpts struct {
	alg, kid, out, jwksOut string
	force                  bool
}

func newKeysNewCmd() *cobra.Command {
	o := &keysNewOpts{}
	cmd := &cobra.Command{
		Use:   "new --out PATH",
		Short: "Generate a signing key: private JWK to --out, public JWKS to stdout",
		Long: `new generates a signing key and writes it as a private JWK to --out (mode 0600,
written atomically; an existing file is kept unless --force). The public JWK Set goes
to stdout, or to --jwks-out. The kid is the key's RFC 7638 thumbprint unless --kid
names one. HS* keys are shared secrets: they have no public JWKS.`,
		Example: `  tokenbench keys new --out dev.jwk > dev.jwks.json
  tokenbench keys new --alg RS256 --kid test-1 --out rs.jwk --jwks-out rs.jwks.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.alg, "alg", "ES256", "algorithm `ALG` the key signs with: "+strings.Join(keys.GenerableAlgs, ", "))
	f.StringVar(&o.kid, "kid", "", "key ID `KID` (default: the RFC 7638 thumbprint)")
	f.StringVar(&o.out, "out", "", "write the private JWK to `PATH` (required)")
	f.StringVar(&o.jwksOut, "jwks-out", "", "write the public JWKS to `PATH` instead of stdout")
	f.BoolVar(&o.force, "force", false, "replace --out and --jwks-out when they exist")
	return cmd
}

func (o *keysNewOpts) run(cmd *cobra.Command) error {
	switch {
	case o.out == "":
		return Fail(ExitUsage, "--out PATH is required: private keys are written to a file, never to stdout")
	case o.out == "-":
		return Fail(ExitUsage, "--out -: private keys never go to stdout; give a file")
	case o.jwksOut != "" && filepath.Clean(o.jwksOut) == filepath.Clean(o.out):
		return Fail(ExitUsage, "--out and --jwks-out name the same file")
	case !slices.Contains(keys.GenerableAlgs, o.alg):
		return Fail(ExitUsage, "--alg %q: cannot make a key for it (known: %s)", tokens.SafeText(o.alg), strings.Join(keys.GenerableAlgs, ", "))
	case strings.HasPrefix(o.alg, "HS") && o.jwksOut != "":
		return Fail(ExitUsage, "--jwks-out: an %s key is a shared secret and has no public JWKS", o.alg)
	}
	if !o.force {
		for _, p := range []string{o.out, o.jwksOut} {
			if _, err := os.Lstat(p); p != "" && err == nil {
				return Fail(ExitUsage, "%s already exists; pass --force to replace it", tokens.SafeText(p))
			}
		}
	}
	key, err := keys.GenerateSigningKey(o.alg, o.kid)
	if err != nil {
		return keyErr("", err)
	}
	priv, err := keys.PrivateJWK(key)
	if err != nil {
		return keyErr("", err)
	}
	var jwks []byte
	if set, ok := keys.PublicJWKS(key); ok {
		if jwks, err = jsonIndent(set); err != nil {
			return Fail(ExitUsage, "encoding the JWKS: %v", err)
		}
	}
	if err := keys.WriteFileAtomic(o.out, append(priv, '\n'), o.force); err != nil {
		return keyErr("--out ", err)
	}
	stderr := cmd.ErrOrStderr()
	switch {
	case jwks == nil:
		fmt.Fprintf(stderr, "tokenbench: wrote the %s secret %s to %s (mode 0600); it has no public JWKS: verify with --key %s --alg %s\n",
			o.alg, tokens.SafeText(key.KeyID), tokens.SafeText(o.out), tokens.SafeText(o.out), o.alg)
		return nil
	case o.jwksOut != "":
		if err := keys.WriteFileAtomic(o.jwksOut, jwks, o.force); err != nil {
			os.Remove(o.out) // made by this run: no private key without its JWKS
			return keyErr("--jwks-out ", err)
		}
	default:
		if _, err := cmd.OutOrStdout().Write(jwks); err != nil {
			return Fail(ExitUsage, "writing output: %v", err)
		}
	}
	fmt.Fprintf(stderr, "tokenbench: wrote the %s private key %s to %s (mode 0600)\n", o.alg, tokens.SafeText(key.KeyID), tokens.SafeText(o.out))
	return nil
}

func newKeysShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show PATH",
		Short: "Print the public JWKS of a private key file (PEM or JWK)",
		Long: `show reads a private key (PEM or JWK) and prints the public JWK Set a verifier
needs, with the kid tokens minted with it carry. Nothing private is printed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := keys.LoadSigningKey(args[0])
			if err != nil {
				return keyErr("", err)
			}
			set, ok := keys.PublicJWKS(key)
			if !ok {
				return Fail(ExitUsage, "%s holds a shared secret: it has no public JWKS", tokens.SafeText(args[0]))
			}
			b, err := jsonIndent(set)
			if err != nil {
				return Fail(ExitUsage, "encoding the JWKS: %v", err)
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
}

// jsonIndent renders v as indented JSON with a final newline.
func jsonIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteJSON(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// keyErr turns a key or mint error into one line for the user (exit 2). prefix names the
// flag the input came from ("--key ", "--claims ").
func keyErr(prefix string, err error) error {
	var fe *keys.FileError
	var me *tokens.MintError
	switch {
	case errors.As(err, &fe):
		return Fail(ExitUsage, "%s%s: %s", prefix, tokens.SafeText(fe.Path), tokens.SafeText(fe.Reason))
	case errors.As(err, &me):
		return Fail(ExitUsage, "%s%s: %s", prefix, me.What, tokens.SafeText(me.Reason))
	}
	return Fail(ExitUsage, "%s%s", prefix, tokens.SafeText(err.Error()))
}
