package tokens

import "slices"

// RecheckTimes re-evaluates the checks of rep that depend on the clock — exp, nbf and iat
// — at the policy's clock, and returns an updated copy with its verdict recomputed. It
// verifies nothing again: structure, keys and the signature keep the outcome they had, so
// it costs microseconds and can run every second while a countdown is on screen (the exp
// check flips at expiry without anyone asking). rep must come from v.Validate; a report
// without readable claims, or from a signature-only policy, is returned unchanged.
func (v *Validator) RecheckTimes(rep *Report) *Report {
	if rep == nil || rep.Token == nil || rep.Token.Claims == nil || v.policy.SignatureOnly {
		return rep
	}
	var fresh Report
	now, c := v.policy.now(), rep.Token.Claims
	v.checkExp(&fresh, c, now)
	v.checkNbf(&fresh, c, now)
	v.checkIat(&fresh, c, now)
	out := *rep
	out.Checks = slices.Clone(rep.Checks)
	for _, nc := range fresh.Checks {
		if i := slices.IndexFunc(out.Checks, func(c Check) bool { return c.Name == nc.Name }); i >= 0 {
			out.Checks[i] = nc
		}
	}
	out.Verdict = out.verdict()
	return &out
}
