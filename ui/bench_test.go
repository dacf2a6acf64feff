package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tokens"
)

// claims200 is an access token with 200 claims: registered, OIDC, Auth0, namespaced and
// plain custom ones, a few of them times.
func claims200() string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"iss":"https://issuer.test/","sub":"user-42","aud":"https://api.test/","iat":%d,"exp":%d,"nbf":%d`,
		t0.Unix(), t0.Add(time.Hour).Unix(), t0.Unix())
	for i := 6; i < 200; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, `,"https://example.test/claims/c%d":{"role":"admin","n":%d}`, i, i)
		case 1:
			fmt.Fprintf(&b, `,"custom_%d":"a fairly long custom value number %d that will not fit a narrow pane at all"`, i, i)
		case 2:
			fmt.Fprintf(&b, `,"urn:example:c%d":[%d,%d,%d]`, i, i, i+1, i+2)
		default:
			fmt.Fprintf(&b, `,"t%d":%d`, i, t0.Add(time.Duration(i)*time.Minute).Unix())
		}
	}
	b.WriteString("}")
	return jws(`{"alg":"RS256","kid":"k1","typ":"at+jwt"}`, b.String())
}

// BenchmarkTokenView200Claims renders one frame of the token view of a 200-claim token at
// 120×45 cells, with its validation report, at the top (summary, verdict, checks) and in
// the middle of the claims. The clock moves a second every frame, so every live row
// (countdown, lifetime bar, relative times) is rendered afresh each time: the worst case.
func BenchmarkTokenView200Claims(b *testing.B) {
	e, err := newEntry(tokens.Inspect(claims200()))
	if err != nil {
		b.Fatal(err)
	}
	if n := len(e.expl.Claims); n != 200 {
		b.Fatalf("%d claims", n)
	}
	now := t0
	e.val.validator = tokens.NewValidator(tokens.Policy{Now: func() time.Time { return now }}, nil)
	e.val.report = e.val.validator.Validate(e.in.Token)
	for _, at := range []struct {
		name   string
		offset int
	}{{"top", 0}, {"middle", 200}} {
		b.Run(at.name, func(b *testing.B) {
			v := newTokenView(e, "", viewMode{}, NewStyles(true, false), time.UTC, 120, 45)
			v.vp.SetYOffset(at.offset)
			var rows []string
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(time.Second)
				rows = v.rows(frame{now: now}, rows[:0])
			}
			if len(rows) != 45 {
				b.Fatalf("%d rows", len(rows))
			}
		})
	}
}

// BenchmarkWholeFrame200Claims is one second of the running app with the 200-claim token
// selected at 120×45: the tick's Update (time checks re-run) and the whole screen
// rendered (list, view, status, help).
func BenchmarkWholeFrame200Claims(b *testing.B) {
	clock := &testClock{t: t0}
	m, err := New(Options{Token: claims200(), Now: clock.now, Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 45})
	for msg := range runBatch(m.validateAll()) {
		m.Update(msg)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clock.advance(time.Second)
		m.Update(tickMsg(clock.now()))
		_ = m.View()
	}
}

// BenchmarkBuildTokenView200Claims is the once-per-token (and per resize) styling cost.
func BenchmarkBuildTokenView200Claims(b *testing.B) {
	e, _ := newEntry(tokens.Inspect(claims200()))
	st := NewStyles(true, false)
	for b.Loop() {
		_ = newTokenView(e, "", viewMode{}, st, time.UTC, 120, 45)
	}
}

// runBatch runs the commands of a batch and yields their messages.
func runBatch(cmd tea.Cmd) func(func(tea.Msg) bool) {
	return func(yield func(tea.Msg) bool) {
		if cmd == nil {
			return
		}
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				for m := range runBatch(c) {
					if !yield(m) {
						return
					}
				}
			}
		default:
			yield(msg)
		}
	}
}
