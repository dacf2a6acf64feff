package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// validation adds the report at the foot of the view: a count of the checks by outcome,
// where the keys come from (or the fetch in flight, or its error), the explicit actions,
// and every check that did not pass — every check with viewMode.allChecks (v). The
// verdict itself is the summary's line, at the top.
func (b *rowBuilder) validation(e *entry, fetchLabel string) {
	st := b.st
	rep := e.val.report
	head := st.Section.Render("Checks")
	hint := ""
	if rep != nil {
		counts := map[tokens.Status]int{}
		for _, c := range rep.Checks {
			counts[c.Status]++
		}
		for _, s := range []struct {
			status tokens.Status
			word   string
		}{{tokens.StatusFail, "failed"}, {tokens.StatusWarn, "warnings"}, {tokens.StatusPass, "passed"}, {tokens.StatusSkip, "skipped"}} {
			if n := counts[s.status]; n > 0 {
				head += st.Muted.Render(fmt.Sprintf(" · %d %s", n, s.word))
			}
		}
		hint = "v every check"
		if b.mode.allChecks {
			hint = "v only problems"
		}
	}
	if hint != "" {
		head += "  " + st.Title.Render("v") + st.Muted.Render(strings.TrimPrefix(hint, "v"))
	}
	b.add(head)
	b.addWrapped("  ", 2, "policy: "+policyText(e.val.policy), st.Muted)
	if rep != nil && rep.Opaque {
		// Only its issuer can read it: no key the user holds can help.
		b.addWrapped("  ", 2, opaqueAdvice, st.Value)
	} else {
		b.keys(e)
		if !e.example {
			if fetchLabel != "" {
				b.addHanging("  "+st.Title.Render("F")+" "+st.Action.Render(fetchLabel), 4)
			}
			b.addHanging("  "+st.Title.Render("L")+" "+st.Action.Render("load keys: a file, a URL, or paste a JWKS, PEM key or HMAC secret"), 4)
		}
	}
	if rep == nil {
		return
	}
	nameW := 0
	for _, c := range rep.Checks {
		nameW = max(nameW, ansi.StringWidth(tokens.SafeText(c.Name)))
	}
	shown := 0
	for _, c := range rep.Checks {
		if c.Status == tokens.StatusPass && !b.mode.allChecks {
			continue
		}
		shown++
		b.check(c, nameW)
	}
	if shown == 0 {
		b.add("  " + st.Pass.Render("every check passed"))
	}
}

// check adds one check of the report, its reason (and key) wrapped in full.
func (b *rowBuilder) check(c tokens.Check, nameW int) {
	st := b.st
	style := st.Skip
	switch c.Status {
	case tokens.StatusPass:
		style = st.Pass
	case tokens.StatusFail:
		style = st.Fail
	case tokens.StatusWarn:
		style = st.Warn
	}
	name := tokens.SafeText(c.Name)
	head := "  " + style.Render(fmt.Sprintf("%-4s", c.Status)) + "  " + name + strings.Repeat(" ", nameW-ansi.StringWidth(name)) + "  "
	reason := tokens.SafeText(c.Reason)
	if c.Key != nil {
		reason += " [" + tokens.SafeText(c.Key.String()) + "]"
	}
	b.addWrapped(head, 2+4+2+nameW+2, reason, st.Value)
}
