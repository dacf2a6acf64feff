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
