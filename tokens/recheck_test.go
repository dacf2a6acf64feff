package tokens

import (
	"testing"
	"time"
)

func TestRecheckTimesFlipsExpWithoutVerifyingAgain(t *testing.T) {
	start := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	now := start
	raw, keys, err := ExampleToken(start)
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(Policy{Now: func() time.Time { return now }}, keys)
	rep := v.Validate(raw)
	if rep.Verdict != VerdictValid {
		t.Fatalf("example should be valid:\n%s", rep)
	}
	sig, _ := rep.Check(CheckSignature)

	for _, c := range []struct {
		at      time.Duration
		exp     Status
		verdict Verdict
	}{
		{59 * time.Minute, StatusPass, VerdictValid},
		{time.Hour, StatusWarn, VerdictValid},                   // within the leeway
		{time.Hour + DefaultLeeway, StatusFail, VerdictInvalid}, // beyond it
	} {
		now = start.Add(c.at)
		got := v.RecheckTimes(rep)
		exp, _ := got.Check("exp")
		if exp.Status != c.exp || got.Verdict != c.verdict {
			t.Errorf("at +%s: exp %s, verdict %s; want %s, %s", c.at, exp.Status, got.Verdict, c.exp, c.verdict)
		}
		if s, _ := got.Check(CheckSignature); s != sig {
			t.Errorf("at +%s: the signature check changed: %+v", c.at, s)
		}
		if len(got.Checks) != len(rep.Checks) {
			t.Errorf("at +%s: %d checks, want %d", c.at, len(got.Checks), len(rep.Checks))
		}
	}
	if e, _ := rep.Check("exp"); e.Status != StatusPass {
		t.Error("RecheckTimes must not change the report it was given")
	}
}

func TestRecheckTimesLeavesUnreadableReportsAlone(t *testing.T) {
	rep := Validate("not.a.token", Policy{}, nil)
	if got := NewValidator(Policy{}, nil).RecheckTimes(rep); got != rep {
		t.Fatal("a report without a token should come back unchanged")
	}
}
