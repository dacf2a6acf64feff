package tokens

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	a, _ := Parse(compactFor(t, `{"alg":"RS256","kid":"k1"}`, `{"sub":"a","exp":1000,"iat":100,"scope":"read","n":1,"o":{"x":1,"y":[1,2]},"gone":true}`))
	b, _ := Parse(compactFor(t, `{"kid":"k2","alg":"RS256","typ":"JWT"}`, `{"o":{"y":[1,2],"x":1.0},"sub":"a","exp":4300,"iat":"late","scope":"read write","n":1e0,"new":null}`))
	got := Diff(a, b)
	type row struct {
		part, name string
		change     Change
		delta      time.Duration
	}
	want := []row{
		{"header", "alg", Same, 0},
		{"header", "kid", Changed, 0},
		{"header", "typ", Added, 0},
		{"claims", "sub", Same, 0},
		{"claims", "exp", Changed, 3300 * time.Second},
		{"claims", "iat", Changed, 0}, // not a NumericDate in b: no delta
		{"claims", "scope", Changed, 0},
		{"claims", "n", Same, 0},
		{"claims", "o", Same, 0},
		{"claims", "gone", Removed, 0},
		{"claims", "new", Added, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d differences, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		var delta time.Duration
		if g.Delta != nil {
			delta = *g.Delta
		}
		if g.Part != w.part || g.Name != w.name || g.Change != w.change || delta != w.delta {
			t.Errorf("#%d: %s %s %s %v, want %+v", i, g.Part, g.Name, g.Change, delta, w)
		}
	}
	js, err := json.Marshal(got[4])
	if err != nil || string(js) != `{"part":"claims","name":"exp","change":"changed","old":1000,"new":4300,"delta_seconds":3300}` {
		t.Errorf("JSON %s, %v", js, err)
	}
}

// compactFor builds an unsigned-looking compact JWS (the signature is not read by Diff).
func compactFor(t *testing.T, header, claims string) string {
	t.Helper()
	return strictB64.EncodeToString([]byte(header)) + "." + strictB64.EncodeToString([]byte(claims)) + ".c2ln"
}
