package tokens

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"
)

// Change says how a member differs between two tokens.
type Change string

const (
	// Added members are only in the second token.
	Added Change = "added"
	// Removed members are only in the first token.
	Removed Change = "removed"
	// Changed members are in both with different values.
	Changed Change = "changed"
	// Same members are in both with equal values.
	Same Change = "same"
)

// Difference is one header parameter or claim compared across two tokens.
type Difference struct {
	// Part is "header" or "claims".
	Part   string          `json:"part"`
	Name   string          `json:"name"`
	Change Change          `json:"change"`
	Old    json.RawMessage `json:"old,omitempty"`
	New    json.RawMessage `json:"new,omitempty"`
	// Delta is new − old for a time claim (exp, iat, …) read in both as a NumericDate.
	Delta *time.Duration `json:"delta_seconds,omitempty"`
}

// MarshalJSON writes Delta in whole seconds, which scripts can do arithmetic on.
func (d Difference) MarshalJSON() ([]byte, error) {
	type plain Difference
	out := struct {
		plain
		Delta *int64 `json:"delta_seconds,omitempty"`
	}{plain: plain(d)}
	if d.Delta != nil {
		s := int64(*d.Delta / time.Second)
		out.Delta = &s
	}
	return json.Marshal(out)
}

// Diff compares a's header and claims with b's, member by member: the header first, then
// the claims, each in a's order followed by the members only b has, in b's order. Values
// are compared as JSON values (whitespace, number spelling and member order inside
// objects do not count). Neither token is trusted or verified.
func Diff(a, b *Token) []Difference {
	out := diffObjects(nil, "header", a.Header, b.Header)
	return diffObjects(out, "claims", a.Claims, b.Claims)
}

func diffObjects(out []Difference, part string, a, b Object) []Difference {
	for _, m := range a {
		d := Difference{Part: part, Name: m.Name, Old: m.Value}
		if nv, ok := b.Get(m.Name); !ok {
			d.Change = Removed
		} else {
			d.New = nv
			d.Change = Changed
			if jsonEqual(m.Value, nv) {
				d.Change = Same
			}
			if part == "claims" && timeClaims[m.Name] {
				if ot, err := NumericDate(m.Value); err == nil {
					if nt, err := NumericDate(nv); err == nil {
						delta := nt.Sub(ot)
						d.Delta = &delta
					}
				}
			}
		}
		out = append(out, d)
	}
	for _, m := range b {
		if !a.Has(m.Name) {
			out = append(out, Difference{Part: part, Name: m.Name, Change: Added, New: m.Value})
		}
	}
	return out
}

func jsonEqual(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(normalNumbers(x), normalNumbers(y))
}

// normalNumbers rewrites JSON numbers so that 1, 1.0 and 1e0 compare equal.
func normalNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	case []any:
		for i := range t {
			t[i] = normalNumbers(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = normalNumbers(t[k])
		}
	}
	return v
}
