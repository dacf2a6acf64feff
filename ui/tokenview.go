package ui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
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
	mode       viewMode
	st         Styles
	loc        *time.Location
	width      int
	height     int
	summary    []row
	body       []row
	// body[reportFrom:reportTo] is the report: the rows rebuilt alone when a time check
	// changes (every second once a token has expired), without styling the claims again.
	reportFrom, reportTo int
	// shown is the state of e the verdict and the keys rows were wrapped for: when it
	// changes, they are wrapped again (sync), since their row count may change.
	shown shownState
	vp    viewport.Model // scroll state of the body
}

// shownState is what the wrapped verdict and keys rows depend on.
type shownState struct {
	report            *tokens.Report
	keys              *tokens.KeySet
	fetching, failure string
}

func shownOf(e *entry) shownState {
	return shownState{e.val.report, e.val.keys, e.val.fetching, e.val.fetchErr}
}

// viewMode is how the token view shows every token: the model keeps one for the session,
// so a choice made on one token holds for the next.
type viewMode struct {
	hideExplain bool // explanations are shown unless turned off
	allChecks   bool // every check of the report, not only those that did not pass
	rawJSON     bool // the header and payload as pretty-printed JSON instead of the fields
}

// newTokenView builds the view of e for a pane of w×h cells. fetchLabel is the action
// offered to fetch the issuer's keys, or "".
func newTokenView(e *entry, fetchLabel string, mode viewMode, st Styles, loc *time.Location, w, h int) tokenView {
	v := tokenView{e: e, fetchLabel: fetchLabel, mode: mode, st: st, loc: loc, vp: viewport.New()}
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

// setMode shows the token in mode m, from the top when the body changes shape.
func (v *tokenView) setMode(m viewMode) {
	v.mode = m
	v.build()
	v.setSize(v.width, v.height)
}

func (v *tokenView) build() {
	b := rowBuilder{st: v.st, w: max(v.width, 1), loc: v.loc, mode: v.mode}
	if v.e != nil {
		v.shown = shownOf(v.e)
		b.summary(v.e)
		v.summary = b.take()
		if v.mode.rawJSON {
			b.rawJSON(v.e)
		} else {
			b.body(v.e, v.fetchLabel)
		}
		v.reportFrom, v.reportTo = b.reportFrom, b.reportTo
	} else {
		b.add(v.st.Muted.Render("No token selected. Press p to paste one."))
		v.summary = b.take()
	}
	v.body = b.take()
	v.scrollBounds()
}

// scrollBounds tells the viewport how many rows the body has. The rows themselves are
// rendered by rows, never by the viewport: it gets blank lines, cheap to measure.
func (v *tokenView) scrollBounds() {
	off := v.vp.YOffset()
	v.vp.SetContentLines(make([]string, len(v.body)))
	v.vp.SetYOffset(off)
}

// rebuildReport styles the report's rows again, after the report changed, and leaves the
// rest of the body as it was.
func (v *tokenView) rebuildReport() {
	if v.e == nil || v.reportTo == 0 {
		return
	}
	// The summary's verdict follows the report in sync, which compares v.shown.report.
	v.shown.keys, v.shown.fetching, v.shown.failure = v.e.val.keys, v.e.val.fetching, v.e.val.fetchErr
	b := rowBuilder{st: v.st, w: max(v.width, 1), loc: v.loc, mode: v.mode}
	b.validation(v.e, v.fetchLabel)
	rows := b.take()
	if len(rows) == v.reportTo-v.reportFrom { // the usual case: a reason changed in place
		copy(v.body[v.reportFrom:], rows)
		return
	}
	v.body = slices.Concat(v.body[:v.reportFrom], rows, v.body[v.reportTo:])
	v.reportTo = v.reportFrom + len(rows)
	v.scrollBounds()
}

// scroll moves the body by a scrolling key and reports whether msg was one. The line keys
// scroll the view only when it has the focus (in the list they select a token).
func (v *tokenView) scroll(k KeyMap, msg tea.KeyPressMsg, focused bool) bool {
	switch {
	case focused && key.Matches(msg, k.LineUp):
		v.vp.ScrollUp(1)
	case focused && key.Matches(msg, k.LineDown):
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

// sync wraps the verdict and the report's keys rows again when the report, the keys or
// a fetch changed since they were built: wrapped in full, they may take more or fewer
// rows, and the body's window is what the summary leaves.
func (v *tokenView) sync() {
	if v.e == nil || v.width == 0 {
		return
	}
	now := shownOf(v.e)
	if now == v.shown {
		return
	}
	if now.report != v.shown.report {
		b := rowBuilder{st: v.st, w: max(v.width, 1), loc: v.loc, mode: v.mode}
		b.summary(v.e)
		v.summary = b.take()
		v.setSize(v.width, v.height)
	}
	if v.reportTo > 0 {
		v.rebuildReport()
	}
	v.shown = now
}

// rows appends the pane's rows for frame f to dst: the summary and the visible window of
// the body, exactly height rows, each at most width cells wide.
func (v *tokenView) rows(f frame, dst []string) []string {
	v.sync()
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

// rowBuilder styles rows for one width. Values are wrapped to it (addWrapped), and so is
// every other row (add): nothing a user must read is cut. Only the live rows, short by
// construction (countdowns, times), are cut to the width, so that no row overruns its pane.
type rowBuilder struct {
	st   Styles
	w    int
	loc  *time.Location
	mode viewMode
	rows []row
	// reportFrom and reportTo delimit the report's rows (see tokenView.rebuildReport).
	reportFrom, reportTo int
}

func (b *rowBuilder) take() []row {
	r := b.rows
	b.rows = nil
	return r
}

// add adds a styled row, wrapped to the width in full: its continuation rows line up
// under its own text (its leading blanks).
func (b *rowBuilder) add(s string) {
	b.addHanging(s, leadingBlanks(s))
}

// addHanging adds a styled row wrapped in full, its continuation rows after indent blanks.
func (b *rowBuilder) addHanging(s string, indent int) {
	for _, l := range wrapRow(s, b.w, indent) {
		b.rows = append(b.rows, row{text: l})
	}
}

// addWrapped adds text wrapped to the width in full, never cut: its first row after head,
// the others after indent blanks, each painted with style. A head wider than indent gets
// a row of its own. text must be safe (tokens.SafeText) and unstyled.
func (b *rowBuilder) addWrapped(head string, indent int, text string, style lipgloss.Style) {
	pad := strings.Repeat(" ", indent)
	if ansi.StringWidth(head) > indent {
		b.add(head)
		head = pad
	}
	for i, line := range wrapLines(text, b.w-indent) {
		if i > 0 {
			head = pad
		}
		b.add(head + style.Render(line))
	}
}

// wrapLines wraps text at spaces (and after / and -, which URLs and scopes are full of)
// to width cells, breaking a longer word where it must; nothing is dropped.
func wrapLines(text string, width int) []string {
	if ansi.StringWidth(text) <= width || width < 1 {
		return []string{text}
	}
	var out []string
	for _, l := range strings.Split(ansi.Wrap(text, width, "/"), "\n") {
		if ansi.StringWidth(l) > width {
			// Wrap lets a row end one cell over the limit with a hyphen (see wrapRow).
			l = ansi.Hardwrap(ansi.Wrap(l, max(width-1, 1), "/"), width, true)
		}
		out = append(out, strings.Split(l, "\n")...)
	}
	return out
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

// relativeWidth is room enough for a relative time ("31d 19h ago", "in 23h 59m 59s").
const relativeWidth = 16

// addTime adds a time after head (indent cells wide): absolute, wrapped in full (with a
// local zone it is two times), and relative, live. The relative time shares the last row
// when there is room for it, else it has a row of its own: a live row is never wrapped,
// so it must fit as it is.
func (b *rowBuilder) addTime(head string, indent int, at time.Time) {
	st, pad := b.st, strings.Repeat(" ", indent)
	abs := wrapRow(tokens.FormatTime(at, b.loc), max(b.w-indent, 1), 0)
	last := abs[len(abs)-1]
	shared := ansi.StringWidth(last)+3+relativeWidth <= b.w-indent
	if shared {
		abs = abs[:len(abs)-1]
	}
	for i, a := range abs {
		if i == 0 {
			b.rows = append(b.rows, row{text: head + a})
		} else {
			b.rows = append(b.rows, row{text: pad + a})
		}
	}
	if len(abs) > 0 {
		head = pad
	}
	if shared {
		b.addDyn(bySecond, func(f frame) string {
			return head + last + " · " + st.Live.Title.Render(tokens.Relative(at, f.now))
		})
		return
	}
	b.addDyn(bySecond, func(f frame) string { return head + st.Live.Title.Render(tokens.Relative(at, f.now)) })
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
	// The verdict, wrapped in full (its reason is what the user came for); the view
	// wraps it again when the report changes (tokenView.sync).
	b.addHanging(verdictLine(e, st), 2)
	w := b.w
	b.addDyn(bySecond, func(f frame) string { return expiryLine(e, st, w, f.now) })
	b.add("")
}

// body is the scrolling part of the view: what developers read first (firstClaims), every
// claim and header parameter (explained unless turned off), the lints, then the report.
func (b *rowBuilder) body(e *entry, fetchLabel string) {
	st := b.st
	if e.expl == nil {
		b.add(st.Section.Render("Opaque token"))
		b.addWrapped("  ", 2, opaqueAdvice, st.Value)
		b.add("")
		b.provider(e)
		b.notes(e)
		return
	}
	if b.firstClaims(e) {
		b.add("")
	}
	b.provider(e)
	explain := !b.mode.hideExplain
	if len(e.expl.Claims) > 0 {
		b.section("Claims", e.expl.Claims, explain)
		b.add("")
	}
	b.section("Header", e.expl.Header, explain)
	if e.expl.PayloadNote != "" {
		b.add("")
		b.add(st.Section.Render("Payload"))
		b.addWrapped("  ", 2, tokens.SafeText(e.expl.PayloadNote), st.Warn)
	}
	b.add("")
	b.add(st.Section.Render("Lints") + st.Muted.Render(" (need no key)"))
	if len(e.expl.Lints) == 0 {
		b.add("  " + st.Pass.Render("none"))
	}
	for _, l := range e.expl.Lints {
		b.addWrapped("  "+st.severityStyle(l.Severity).Render(fmt.Sprintf("%-6s", l.Severity))+" ", 9, tokens.SafeText(l.Message), st.Value)
	}
	b.notes(e)
	b.add("")
	b.reportFrom = len(b.rows)
	b.validation(e, fetchLabel)
	b.reportTo = len(b.rows)
	if explain {
		b.add("")
		b.addWrapped("", 0, "markers: jwt RFC 7519 · 9068 OAuth access token · oidc OpenID Connect · auth0 · idp other provider · ns namespaced custom · custom plain custom", st.Muted)
	}
}

func (b *rowBuilder) notes(e *entry) {
	if len(e.in.Notes) == 0 {
		return
	}
	b.add("")
	b.add(b.st.Section.Render("Input") + b.st.Muted.Render(" (what was stripped around the token)"))
	for _, n := range e.in.Notes {
		b.addWrapped("  ", 2, tokens.SafeText(n), b.st.Value)
	}
}

// section renders fields: a marker, the name and the value wrapped in full, then (with
// explain) the explanation muted; time fields also carry their absolute and live
// relative time.
func (b *rowBuilder) section(title string, fields []tokens.Field, explain bool) {
	st := b.st
	b.add(st.Section.Render(title) + st.Muted.Render(fmt.Sprintf(" (%d)", len(fields))))
	nameW := 3
	for _, f := range fields {
		if w := ansi.StringWidth(tokens.SafeText(f.Name)); w <= maxNameWidth {
			nameW = max(nameW, w)
		}
	}
	indentW := 2 + 7 + nameW + 1
	indent := strings.Repeat(" ", indentW)
	for _, f := range fields {
		name := tokens.SafeText(f.Name)
		mk := "  " + st.Marker[f.Category].Render(fmt.Sprintf("%-6s", markerText(f.Category))) + " "
		// A long (namespaced) name gets its own row: addWrapped puts the value under it.
		head := mk + st.ClaimName.Render(name+strings.Repeat(" ", max(nameW-ansi.StringWidth(name), 0))) + " "
		b.addWrapped(head, indentW, f.Display(), st.Value)
		switch {
		case f.Time != nil:
			b.addTime(indent, indentW, *f.Time)
		case f.TimeProblem != "":
			b.addWrapped(indent, indentW, tokens.SafeText(f.Name+" "+f.TimeProblem), st.Warn)
		}
		if explain && f.Explanation != "" {
			b.addWrapped(indent, indentW, tokens.SafeText(f.Explanation), st.Muted)
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

// countdownLine is the summary's live expiry text.
func countdownLine(e *entry, st Styles, now time.Time) string {
	s := st.expiryPaint(e.state(now)).Render("● " + e.countdown(now))
	if note := e.refreshNote(now); note != "" {
		s += " " + st.Live.Title.Render(note)
	}
	return s
}

// expiryLine is the summary's live expiry row: the countdown and, in the room left on the
// row, the lifetime bar (the absolute exp is in the claims under it).
func expiryLine(e *entry, st Styles, width int, now time.Time) string {
	s := countdownLine(e, st, now)
	if e.expl == nil {
		return s
	}
	room := width - ansi.StringWidth(s) - 2
	if bar := lifetimeBar(e, st, room, now); bar != "" {
		s += "  " + bar
	}
	return s
}

// lifetimeBar draws the token's lifetime from iat (or nbf) to exp and how much of it is
// used, in at most width cells, or "" when they are too few. Under five minutes left it
// turns to the Soon style and a denser glyph; once expired it is drawn in the Expired style
// with crosses, so the change shows without colour too.
func lifetimeBar(e *entry, st Styles, width int, now time.Time) string {
	if e.expl == nil {
		return ""
	}
	total, used, ok := e.expl.Lifetime(now)
	if !ok {
		return fitOrEmpty(st.Live.Muted.Render("lifetime unknown (needs iat or nbf, and exp)"), width)
	}
	state := e.expl.State(now)
	glyph, label := "█", fmt.Sprintf(" %3.0f%% of %s used", used*100, tokens.HumanDuration(total))
	switch state {
	case tokens.ExpiringSoon:
		label += " · under 5 min left"
		glyph = "▓"
	case tokens.Expired:
		glyph, label = "×", fmt.Sprintf(" expired · lifetime was %s", tokens.HumanDuration(total))
	}
	cells := min(width-ansi.StringWidth(label), 30)
	if cells < 6 {
		return ""
	}
	filled := int(math.Round(used * float64(cells)))
	if state == tokens.Expired {
		filled = cells
	}
	paint := st.expiryPaint(state)
	return paint.Render(strings.Repeat(glyph, filled)) + st.Live.BarEmpty.Render(strings.Repeat("░", cells-filled)) + paint.Render(label)
}

// fitOrEmpty is s when it fits width cells, else "".
func fitOrEmpty(s string, width int) string {
	if ansi.StringWidth(s) > width {
		return ""
	}
	return s
}
