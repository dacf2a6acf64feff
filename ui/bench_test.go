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
// 120×45 cells, the clock a second later each frame so that every live row (countdown,
// lifetime bar, relative times) is rendered afresh.
func BenchmarkTokenView200Claims(b *testing.B) {
	e, err := newEntry("bench", tokens.Inspect(claims200()))
	if err != nil {
		b.Fatal(err)
	}
	if n := len(e.expl.Claims); n != 200 {
		b.Fatalf("%d claims", n)
	}
	v := newTokenView(e, "", NewStyles(true, false), time.UTC, 120, 45)
	v.vp.SetYOffset(60) // mid-body, where time claims scroll by
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(time.Second)
		_ = v.view(frame{now: now})
	}
}

// BenchmarkWholeFrame200Claims renders the whole screen (list, view, status, help) at
// 120×45 with the 200-claim token selected.
func BenchmarkWholeFrame200Claims(b *testing.B) {
	clock := &testClock{t: t0}
	m, err := New(Options{Token: claims200(), Now: clock.now, Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 45})
	m = next.(Model)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clock.advance(time.Second)
		_ = m.View()
	}
}

// BenchmarkBuildTokenView200Claims is the once-per-token (and per resize) styling cost.
func BenchmarkBuildTokenView200Claims(b *testing.B) {
	e, _ := newEntry("bench", tokens.Inspect(claims200()))
	st := NewStyles(true, false)
	for b.Loop() {
		_ = newTokenView(e, "", st, time.UTC, 120, 45)
	}
}
