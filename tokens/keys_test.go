package tokens

import (
	"reflect"
	"testing"
)

func TestMergeKeySets(t *testing.T) {
	a := &KeySet{Keys: []Key{{Source: "a1"}, {Source: "a2"}}, Skipped: []string{"sa"}, Warning: "wa"}
	b := &KeySet{Keys: []Key{{Source: "b1"}}, Notes: []string{"nb"}}
	c := &KeySet{Warning: "wc", Skipped: []string{"sc"}}
	got := MergeKeySets(a, nil, b, c)
	want := &KeySet{
		Keys:    []Key{{Source: "a1"}, {Source: "a2"}, {Source: "b1"}},
		Skipped: []string{"sa", "sc"},
		Notes:   []string{"nb"},
		Warning: "wa; wc",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got := MergeKeySets(); got == nil || len(got.Keys) != 0 || got.Warning != "" {
		t.Fatalf("empty merge: %+v", got)
	}
	// The inputs are not changed.
	if len(a.Keys) != 2 || a.Warning != "wa" {
		t.Fatal("input modified")
	}
}

func TestFileText(t *testing.T) {
	for in, want := range map[string]string{"s\n": "s", "s\r\n": "s", "s\n\n": "s\n", "s\r": "s\r", "s \n": "s ", "": ""} {
		if got := string(TrimNewline([]byte(in))); got != want {
			t.Errorf("TrimNewline(%q) = %q, want %q", in, got, want)
		}
	}
	if got := string(TrimBOM([]byte("\xef\xbb\xbf{}"))); got != "{}" {
		t.Errorf("TrimBOM: %q", got)
	}
	if got := JoinWarnings("a", "") + "|" + JoinWarnings("", "b") + "|" + JoinWarnings("a", "b"); got != "a|b|a; b" {
		t.Errorf("JoinWarnings: %q", got)
	}
}
