package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tokens"
)

// row is one line of the token view. Most rows are styled once, when the view is built
// for a token, width and stylesheet (text); rows that depend on the clock — countdowns,
// relative times, the lifetime bar, time checks — are rendered from now at render time (dyn).
type row struct {
	text string
	dyn  func(f frame) string
}

// frame is what a live row may depend on: the clock, and the spinner while keys are
// being fetched.
type frame struct {
	now     time.Time
	spinner string
}

func (r row) render(f frame) string {
	if r.dyn != nil {
		return r.dyn(f)
	}
	return r.text
}

// tokenView is the right-hand pane: a fixed summary (what the token is, its countdown and
// lifetime bar) above a scrolling body (validation, header, claims, lints, notes). The body
// is styled once per token; each frame renders only the rows in the visible window.
type tokenView struct {
	e          *entry
	fetchLabel string // the explicit "fetch keys from …" action, "" when there is none
	st         Styles
	loc        *time.Location
	width      int
	height     int
	summary    []row
	body       []row
	vp         viewport.Model // scroll state of the body
}

// newTokenView builds the view of e for a pane of w×h cells. fetchLabel is the action
// offered to fetch the issuer's keys, or "".
func newTokenView(e *entry, fetchLabel string, st Styles, loc *time.Location, w, h int) tokenView {
	v := tokenView{e: e, fetchLabel: fetchLabel, st: st, loc: loc, vp: viewport.New()}
	v.setSize(w, h)
	return v
}

// setSize re-styles the rows for a new width and keeps the scroll position when it can.
func (v *tokenView) setSize(w, h int) {
	if w != v.width || v.body == nil {
		v.width = w
		v.build()
	}
	v.height = h
	off := v.vp.YOffset()
	v.vp.SetWidth(max(w, 1))
	v.vp.SetHeight(max(h-len(v.summary), 1))
	v.vp.SetYOffset(off)
}

// rebuild re-styles every row, after the stylesheet or the token's keys changed.
func (v *tokenView) rebuild(st Styles) {
	v.st = st
	v.build()
	v.setSize(v.width, v.height)
}

func (v *tokenView) build() {
	b := rowBuilder{st: v.st, w: max(v.width, 1), loc: v.loc}
	if v.e != nil {
		b.summary(v.e)
		v.summary = b.take()
		b.body(v.e, v.fetchLabel)
	} else {
		b.add(v.st.Muted.Render("No token selected. Press p to paste one."))
		v.summary = b.take()
	}
	v.body = b.take()
	lines := make([]string, len(v.body))
	for i, r := range v.body {
		lines[i] = r.text
	}
	v.vp.SetContentLines(lines)
}

// scroll moves the body by a scrolling key and reports whether msg was one.
func (v *tokenView) scroll(k KeyMap, msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, k.LineUp):
		v.vp.ScrollUp(1)
	case key.Matches(msg, k.LineDown):
		v.vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		v.vp.PageUp()
	case key.Matches(msg, k.PageDown):
		v.vp.PageDown()
	case key.Matches(msg, k.Top):
		v.vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		v.vp.GotoBottom()
	default:
		return false
	}
	return true
}

// rows appends the pane's rows for frame f to dst: the summary and the visible window of
// the body, exactly height rows, each at most width cells wide.
func (v *tokenView) rows(f frame, dst []string) []string {
	n := len(dst)
	for _, r := range v.summary {
		if len(dst)-n == v.height {
			break
		}
		dst = append(dst, r.render(f))
	}
	start := min(v.vp.YOffset(), len(v.body))
	for i := start; i < len(v.body) && len(dst)-n < v.height; i++ {
		dst = append(dst, v.body[i].render(f))
	}
	for len(dst)-n < v.height {
		dst = append(dst, "")
	}
	return dst
}

// rowBuilder styles rows for one width; every row is cut to the width once, here.
type rowBuilder struct {
	st   Styles
	w    int
	loc  *time.Location
	rows []row
}

func (b *rowBuilder) take() []row {
	r := b.rows
	b.rows = nil
	return r
}

func (b *rowBuilder) add(s string) {
	b.rows = append(b.rows, row{text: ansi.Truncate(s, b.w, "…")})
}

// addDyn adds a live row. key says what the row depends on (the second on the clock, a
// report, a fetch state): the row is rendered again only when its key changes, so several
// frames within one second, or a report that did not change, cost a comparison.
func (b *rowBuilder) addDyn(key func(f frame) any, render func(f frame) string) {
	w := b.w
	var (
		done bool
		last any
		text string
	)
	b.rows = append(b.rows, row{dyn: func(f frame) string {
		if k := key(f); !done || k != last {
			done, last, text = true, k, ansi.Truncate(render(f), w, "…")
		}
		return text
	}})
}

// bySecond keys a row on the second shown on the clock.
func bySecond(f frame) any { return f.now.Unix() }

func (b *rowBuilder) summary(e *entry) {
	st := b.st
	if e.example {
		b.add(st.Example.Render("EXAMPLE TOKEN") + st.Muted.Render(" · built in, signed with a throwaway key · press p to paste your own"))
	} else {
		b.add(st.Title.Render(tokens.SafeText(e.label)))
	}
	desc := []string{e.in.Kind.String()}
	if e.expl != nil {
		if e.expl.Use != "" {
			desc = append(desc, e.expl.Use)
		}
		if alg := e.in.Parsed.Alg(); alg != "" {
			desc = append(desc, "alg "+tokens.SafeText(alg))
		}
		if kid, ok := e.in.Parsed.Header.String("kid"); ok {
			desc = append(desc, "kid "+tokens.SafeText(kid))
		}
	} else {
		desc = append(desc, fmt.Sprintf("%d characters", len(e.in.Token)))
	}
	b.add(strings.Join(desc, " · "))
	loc := b.loc
	b.addDyn(bySecond, func(f frame) string { return countdownLine(e, st, loc, f.now) })
	w := b.w
	b.addDyn(bySecond, func(f frame) string { return lifetimeBar(e, st, w, f.now) })
	b.addDyn(func(frame) any { return e.val.report }, func(frame) string { return verdictLine(e, st) })
	b.add("")
}

func (b *rowBuilder) body(e *entry, fetchLabel string) {
	st := b.st
	if e.expl == nil {
		b.add(st.Section.Render("Opaque token"))
		b.wrapped(st.Value, opaqueAdvice)
		b.add("")
		b.provider(e)
		b.notes(e)
		return
	}
	b.provider(e)
	b.validation(e, fetchLabel)
	b.add("")
	b.section("Header", e.expl.Header)
	if e.expl.PayloadNote != "" {
		b.add("")
		b.add(st.Section.Render("Payload"))
		b.wrapped(st.Warn, e.expl.PayloadNote)
	}
	if len(e.expl.Claims) > 0 {
		b.add("")
		b.section("Claims", e.expl.Claims)
	}
	b.add("")
	b.add(st.Section.Render("Lints") + st.Muted.Render(" (need no key)"))
	if len(e.expl.Lints) == 0 {
		b.add("  " + st.Pass.Render("none"))
	}
	for _, l := range e.expl.Lints {
		b.add("  " + st.severityStyle(l.Severity).Render(fmt.Sprintf("%-6s", l.Severity)) + " " + tokens.SafeText(l.Message))
	}
	b.notes(e)
	b.add("")
	b.add(st.Muted.Render("markers: jwt RFC 7519 · 9068 OAuth access token · oidc OpenID Connect · auth0 · idp other provider · ns namespaced custom · custom plain custom"))
}

func (b *rowBuilder) notes(e *entry) {
	if len(e.in.Notes) == 0 {
		return
	}
	b.add("")
	b.add(b.st.Section.Render("Input") + b.st.Muted.Render(" (what was stripped around the token)"))
	for _, n := range e.in.Notes {
		b.add("  " + tokens.SafeText(n))
	}
}

// section renders fields: a marker, the name and the value on one row, the explanation
// muted on the next; time fields also carry their absolute and live relative time.
func (b *rowBuilder) section(title string, fields []tokens.Field) {
	st := b.st
	b.add(st.Section.Render(title) + st.Muted.Render(fmt.Sprintf(" (%d)", len(fields))))
	nameW := 3
	for _, f := range fields {
		if w := ansi.StringWidth(tokens.SafeText(f.Name)); w <= maxNameWidth {
			nameW = max(nameW, w)
		}
	}
	indent := strings.Repeat(" ", 2+7+nameW+1)
	for _, f := range fields {
		name, value := tokens.SafeText(f.Name), st.Value.Render(tokens.SafeText(f.Display()))
		mk := "  " + st.Marker[f.Category].Render(fmt.Sprintf("%-6s", markerText(f.Category))) + " "
		if w := ansi.StringWidth(name); w > nameW { // a long (namespaced) name gets its own row
			b.add(mk + st.ClaimName.Render(name))
			b.add(indent + value)
		} else {
			b.add(mk + st.ClaimName.Render(name+strings.Repeat(" ", nameW-w)) + " " + value)
		}
		switch {
		case f.Time != nil:
			at := *f.Time
			abs := tokens.FormatTime(at, b.loc)
			b.addDyn(bySecond, func(f frame) string {
				return indent + abs + " · " + st.Live.Title.Render(tokens.Relative(at, f.now))
			})
		case f.TimeProblem != "":
			b.add(indent + st.Warn.Render(tokens.SafeText(f.Name+" "+f.TimeProblem)))
		}
		if f.Explanation != "" {
			b.add(indent + st.Muted.Render(tokens.SafeText(f.Explanation)))
		}
	}
}

// maxNameWidth is the widest name that shares its row with the value.
const maxNameWidth = 16

// markerText is the short category tag shown before each field.
func markerText(c tokens.Category) string {
	switch c {
	case tokens.CatHeader:
		return "jose"
	case tokens.CatRegistered:
		return "jwt"
	case tokens.CatAccess:
		return "9068"
	case tokens.CatOIDC:
		return "oidc"
	case tokens.CatAuth0:
		return "auth0"
	case tokens.CatProvider:
		return "idp"
	case tokens.CatNamespaced:
		return "ns"
	}
	return "custom"
}

// countdownLine is the summary's live expiry line.
func countdownLine(e *entry, st Styles, loc *time.Location, now time.Time) string {
	s := st.expiryPaint(e.state(now)).Render("● " + e.countdown(now))
	if e.expl != nil && e.expl.Exp != nil {
		s += st.Live.Muted.Render(" · exp " + tokens.FormatTime(*e.expl.Exp, loc))
	}
	if note := e.refreshNote(now); note != "" {
		s += " " + st.Live.Title.Render(note)
	}
	return s
}

// lifetimeBar draws the token's lifetime from iat (or nbf) to exp and how much of it is
// used. Under five minutes left it turns to the Soon style and a denser glyph; once expired
// it is drawn in the Expired style with crosses, so the change shows without colour too.
func lifetimeBar(e *entry, st Styles, width int, now time.Time) string {
	if e.expl == nil {
		return ""
	}
	total, used, ok := e.expl.Lifetime(now)
	if !ok {
		return st.Live.Muted.Render("lifetime unknown (needs iat or nbf, and exp)")
	}
	cells := min(max(width-32, 10), 48)
	filled := int(math.Round(used * float64(cells)))
	state := e.expl.State(now)
	glyph, label := "█", fmt.Sprintf(" %3.0f%% of %s used", used*100, tokens.HumanDuration(total))
	switch state {
	case tokens.ExpiringSoon:
		glyph, label = "▓", label+" · under 5 min left"
	case tokens.Expired:
		glyph, filled, label = "×", cells, fmt.Sprintf(" expired · lifetime was %s", tokens.HumanDuration(total))
	}
	paint := st.expiryPaint(state)
	return paint.Render(strings.Repeat(glyph, filled)) + st.Live.BarEmpty.Render(strings.Repeat("░", cells-filled)) + paint.Render(label)
}
