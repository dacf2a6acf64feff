package tokens

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{time.Second, "1s"},
		{45 * time.Second, "45s"},
		{60 * time.Second, "1m"},
		{23*time.Minute + 4*time.Second, "23m 4s"},
		{time.Hour, "1h"},
		{time.Hour + 59*time.Second, "1h"}, // two units at most: seconds dropped
		{3*time.Hour + 2*time.Minute + 1*time.Second, "3h 2m"},
		{24 * time.Hour, "1d"},
		{5*24*time.Hour + 3*time.Hour, "5d 3h"},
		{365 * 24 * time.Hour, "1y"},
		{(2*365 + 41) * 24 * time.Hour, "2y 41d"},
		{-(23*time.Minute + 4*time.Second), "23m 4s"},
		{math.MinInt64, "292y 171d"},
		{math.MaxInt64, "292y 171d"},
	}
	for _, tt := range tests {
		if got := HumanDuration(tt.d); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{now, "now"},
		{now.Add(999 * time.Millisecond), "now"},
		{now.Add(-999 * time.Millisecond), "now"},
		{now.Add(time.Second), "in 1s"},
		{now.Add(-time.Second), "1s ago"},
		{now.Add(23*time.Minute + 4*time.Second + 900*time.Millisecond), "in 23m 4s"},
		{now.Add(-(3*time.Hour + 2*time.Minute + 500*time.Millisecond)), "3h 2m ago"},
		{now.Add(1500 * time.Millisecond), "in 1s"},
		{now.Add(-1500 * time.Millisecond), "1s ago"},
		{now.AddDate(0, 0, 10), "in 10d"},
		// Far beyond what a time.Duration can hold (292 years): counted in seconds, not
		// saturated. Years are 365 days, so leap days show up as extra days.
		{time.Unix(maxNumericDate, 0), "in 7978y 144d"},
		{time.Unix(0, 0), "56y 342d ago"},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), "2027y 89d ago"},
	}
	for _, tt := range tests {
		if got := Relative(tt.at, now); got != tt.want {
			t.Errorf("Relative(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
	// Sub-second parts on both sides truncate towards zero.
	half := now.Add(500 * time.Millisecond)
	if got := Relative(now.Add(2*time.Second+100*time.Millisecond), half); got != "in 1s" {
		t.Errorf("1.6s ahead: %q", got)
	}
	if got := Relative(half, now.Add(2*time.Second+100*time.Millisecond)); got != "1s ago" {
		t.Errorf("1.6s behind: %q", got)
	}
}

func TestFormatTime(t *testing.T) {
	at := time.Date(2026, 11, 25, 1, 23, 45, 0, time.UTC)
	cet := time.FixedZone("CET", 3600)
	ist := time.FixedZone("IST", 5*3600+1800)
	gmt := time.FixedZone("GMT", 0)
	west := time.FixedZone("", -8*3600)
	tests := []struct {
		loc  *time.Location
		want string
	}{
		{nil, "2026-11-25 01:23:45 UTC"},
		{time.UTC, "2026-11-25 01:23:45 UTC"},
		{gmt, "2026-11-25 01:23:45 UTC"},
		{cet, "2026-11-25 01:23:45 UTC (2026-11-25 02:23:45 CET)"},
		{ist, "2026-11-25 01:23:45 UTC (2026-11-25 06:53:45 IST)"},
		{west, "2026-11-25 01:23:45 UTC (2026-11-24 17:23:45 -0800)"},
	}
	for _, tt := range tests {
		if got := FormatTime(at, tt.loc); got != tt.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tt.loc, got, tt.want)
		}
	}
	// The input's own zone does not matter, only the instant.
	if got := FormatTime(at.In(ist), nil); got != "2026-11-25 01:23:45 UTC" {
		t.Errorf("zoned input: %q", got)
	}
}

func TestNumericDate(t *testing.T) {
	tests := []struct {
		raw     string
		want    time.Time
		problem string
	}{
		{`1700000000`, time.Unix(1700000000, 0), ""},
		{`0`, time.Unix(0, 0), ""},
		{`-0`, time.Unix(0, 0), ""},
		{`1700000000.25`, time.Unix(1700000000, 25e7), ""},
		{`1.7e9`, time.Unix(1700000000, 0), ""},
		{`253402300799`, time.Unix(maxNumericDate, 0), ""},
		{`-1`, time.Time{}, "is before 1970"},
		{`1700000000000`, time.Time{}, "is past the year 9999 (milliseconds instead of seconds?)"},
		{`253402300800`, time.Time{}, "is past the year 9999 (milliseconds instead of seconds?)"},
		{`1e300`, time.Time{}, "is past the year 9999"},
		{`1e400`, time.Time{}, "is not a usable number"},
		{`"1700000000"`, time.Time{}, "is not a number (NumericDate must be seconds since 1970, not a string)"},
		{`{}`, time.Time{}, "not an object"},
		{`[1]`, time.Time{}, "not an array"},
		{`true`, time.Time{}, "not a boolean"},
		{`null`, time.Time{}, "not null"},
		{``, time.Time{}, "not nothing"},
	}
	for _, tt := range tests {
		got, err := NumericDate(json.RawMessage(tt.raw))
		switch {
		case tt.problem == "" && err != nil:
			t.Errorf("NumericDate(%s): %v", tt.raw, err)
		case tt.problem == "" && (!got.Equal(tt.want) || got.Location() != time.UTC):
			t.Errorf("NumericDate(%s) = %v, want %v in UTC", tt.raw, got, tt.want.UTC())
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("NumericDate(%s) error %v, want %q", tt.raw, err, tt.problem)
		}
	}
}
