package cli

import (
	"io"

	"github.com/tokenbench/tokenbench/tokens"
)

// dpopOpts are verify's DPoP flags: the proof sent with the token and the request it was
// sent with.
type dpopOpts struct {
	proof, htm, htu string
}

// addDPoPChecks checks the proof given with --dpop-proof against the request and the
// access token raw, adds each check and the binding (cnf.jkt equals the proof key's
// thumbprint) to the report, and marks the report invalid when one fails. Without a
// proof it does nothing.
func (d *dpopOpts) addDPoPChecks(rep *tokens.Report, raw string, p *tokens.Policy, stdin io.Reader) error {
	if d.proof == "" {
		if d.htm != "" || d.htu != "" {
			return Fail(ExitUsage, "--htm and --htu need --dpop-proof")
		}
		return nil
	}
	text, err := ReadTokenInput([]string{d.proof}, "", stdin, false)
	if err != nil {
		return err
	}
	proof, _ := tokens.Normalize(text)
	res := tokens.CheckDPoPProof(proof, tokens.DPoPOptions{
		Method: d.htm, URL: d.htu, AccessToken: raw, Now: p.Now, Leeway: p.Leeway,
	})
	rep.Checks = append(rep.Checks, res.Checks...)
	var claims tokens.Object
	if rep.Token != nil {
		claims = rep.Token.Claims
	}
	rep.Checks = append(rep.Checks, tokens.CheckDPoPBindingOf(claims, res.Thumbprint))
	for _, c := range rep.Checks {
		if c.Status == tokens.StatusFail {
			rep.Verdict = tokens.VerdictInvalid
		}
	}
	return nil
}
