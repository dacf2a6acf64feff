package tokens

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxNumericDate is 9999-12-31T23:59:59Z: later NumericDates are absurd, and usually
// milliseconds where seconds were meant.
const maxNumericDate = 253402300799

// NumericDate reads a JSON NumericDate (RFC 7519: seconds since the epoch, fractions
// allowed). It refuses strings, negative values and values past the year 9999 with a
// reason, and names a likely milliseconds value as such.
func NumericDate(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return time.Time{}, fmt.Errorf("is not a number (NumericDate must be seconds since 1970, not %s)", describeJSON(raw))
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) {
		return time.Time{}, fmt.Errorf("is not a usable number")
	}
	switch {
	case f < 0:
		return time.Time{}, fmt.Errorf("is before 1970")
	case f > maxNumericDate && f/1000 <= maxNumericDate:
		return time.Time{}, fmt.Errorf("is past the year 9999 (milliseconds instead of seconds?)")
	case f > maxNumericDate:
		return time.Time{}, fmt.Errorf("is past the year 9999")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func describeJSON(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '"':
		return "a string"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "an array"
	case raw[0] == 't' || raw[0] == 'f':
		return "a boolean"
	case raw[0] == 'n':
		return "null"
	}
	return "this"
}

// HumanDuration renders d (sign ignored) in at most two units: "45s", "23m 4s", "3h 2m",
// "5d 3h", "2y 41d". A year counts as 365 days; fractions of a second are dropped.
func HumanDuration(d time.Duration) string {
	s := int64(d / time.Second)
	if s < 0 {
		s = -s // d/time.Second cannot be math.MinInt64, so this never overflows
	}
	return humanSeconds(s)
}

// humanSeconds renders a non-negative number of seconds as HumanDuration does.
func humanSeconds(s int64) string {
	const (
		minute = 60
		hour   = 60 * minute
		day    = 24 * hour
		year   = 365 * day
	)
	units := [...]struct {
		size int64
		name string
	}{{year, "y"}, {day, "d"}, {hour, "h"}, {minute, "m"}, {1, "s"}}
	for i, u := range units {
		if s >= u.size || u.size == 1 {
			first := strconv.FormatInt(s/u.size, 10) + u.name
			if i+1 < len(units) {
				if rest := (s % u.size) / units[i+1].size; rest > 0 {
					return first + " " + strconv.FormatInt(rest, 10) + units[i+1].name
				}
			}
			return first
		}
	}
	return "0s"
}

// Relative renders at relative to now, to the second: "in 23m 4s", "3h 2m ago", or "now"
// when they are less than a second apart. It counts in whole seconds rather than in a
// time.Duration, so times centuries apart (a NumericDate may reach the year 9999) are
// rendered correctly instead of saturating at 292 years.
func Relative(at, now time.Time) string {
	d := at.Sub(now)
	if d > -time.Second && d < time.Second {
		return "now"
	}
	s := at.Unix() - now.Unix()
	// Unix() floors; correct it so that a difference is truncated towards zero, as a
	// Duration's would be.
	if ns := at.Nanosecond() - now.Nanosecond(); s > 0 && ns < 0 {
		s--
	} else if s < 0 && ns > 0 {
		s++
	}
	switch {
	case s > 0:
		return "in " + humanSeconds(s)
	case s < 0:
		return humanSeconds(-s) + " ago"
	}
	return "now"
}

// FormatTime renders t as absolute UTC, followed by the time in loc when loc's offset at t
// is not zero: "2026-11-25 01:23:45 UTC (2026-11-25 02:23:45 CET)". A nil loc gives UTC only.
func FormatTime(t time.Time, loc *time.Location) string {
	s := t.UTC().Format("2006-01-02 15:04:05 UTC")
	if loc != nil && loc != time.UTC {
		if l := t.In(loc); l.Format("-0700") != "+0000" {
			s += " (" + strings.TrimSpace(l.Format("2006-01-02 15:04:05 MST")) + ")"
		}
	}
	return s
}

// ExpiryState is where a token is in its validity window at a given moment.
type ExpiryState int

// The states of a token's validity window.
const (
	NoExpiry     ExpiryState = iota // no usable exp claim
	NotYetValid                     // before nbf
	Fresh                           // valid, more than SoonWindow left
	ExpiringSoon                    // valid, SoonWindow or less left
	Expired                         // at or after exp
)

// SoonWindow is how close to expiry a token counts as expiring soon.
const SoonWindow = 5 * time.Minute

// String names the state as shown to users.
func (s ExpiryState) String() string {
	return [...]string{"no expiry", "not yet valid", "valid", "expiring soon", "expired"}[s]
}

// MarshalText makes an ExpiryState appear as its name in JSON.
func (s ExpiryState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
