package autoscale

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCronNext(t *testing.T) {
	tests := []struct {
		expr, tz string
		after    string
		want     []string
	}{
		{"cron(0 10 * * ? *)", "", "2024-01-01T10:00:00Z", []string{"2024-01-02T10:00:00Z", "2024-01-03T10:00:00Z"}},
		{"cron(0/15 * * * ? *)", "", "2024-01-01T10:07:00Z", []string{"2024-01-01T10:15:00Z", "2024-01-01T10:30:00Z", "2024-01-01T10:45:00Z"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", "", "2024-01-05T17:54:00Z", []string{"2024-01-05T17:55:00Z", "2024-01-08T08:00:00Z"}},
		{"cron(30 2 L * ? *)", "", "2024-02-01T00:00:00Z", []string{"2024-02-29T02:30:00Z", "2024-03-31T02:30:00Z"}},
		{"cron(0 9 LW * ? *)", "", "2024-03-01T00:00:00Z", []string{"2024-03-29T09:00:00Z", "2024-04-30T09:00:00Z"}},
		{"cron(0 9 15W * ? *)", "", "2024-06-01T00:00:00Z", []string{"2024-06-14T09:00:00Z", "2024-07-15T09:00:00Z"}},
		{"cron(0 9 1W * ? *)", "", "2024-06-01T00:00:00Z", []string{"2024-06-03T09:00:00Z"}},
		{"cron(0 9 ? * 6L *)", "", "2024-01-01T00:00:00Z", []string{"2024-01-26T09:00:00Z", "2024-02-23T09:00:00Z"}},
		{"cron(0 9 ? * FRI#3 *)", "", "2024-01-01T00:00:00Z", []string{"2024-01-19T09:00:00Z", "2024-02-16T09:00:00Z"}},
		{"cron(0 0 1 jan,jul ? 2025-2026)", "", "2024-01-01T00:00:00Z", []string{"2025-01-01T00:00:00Z", "2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z"}},
		{"cron(0 0 29 2 ? *)", "", "2024-03-01T00:00:00Z", []string{"2028-02-29T00:00:00Z"}},
		{"cron(0 12 * * ? *)", "Asia/Tokyo", "2024-01-01T00:00:00Z", []string{"2024-01-01T03:00:00Z"}},
		{"cron(0 0 0 * * ? *)", "", "2024-01-01T00:00:00Z", []string{"2024-01-01T00:00:00Z"}}, // 7 fields: seconds (ignored)
		// 02:30 does not exist in New York on 2024-03-10.
		{"cron(30 2 * * ? *)", "America/New_York", "2024-03-09T08:00:00Z", []string{"2024-03-11T06:30:00Z"}},
		// 01:30 happens twice on 2024-11-03; the action runs once.
		{"cron(30 1 * * ? *)", "America/New_York", "2024-11-02T12:00:00Z", []string{"2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z"}},
		{"at(2024-05-01T12:00:00)", "Europe/Paris", "2024-01-01T00:00:00Z", []string{"2024-05-01T10:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" "+tt.tz, func(t *testing.T) {
			s, err := ParseSchedule(tt.expr, tt.tz)
			if err != nil {
				t.Fatal(err)
			}
			at, _ := time.Parse(time.RFC3339, tt.after)
			if strings.HasPrefix(tt.expr, "cron(0 0 0 * * ? *)") {
				at = at.Add(-time.Minute)
			}
			var got []string
			for range tt.want {
				n, ok := s.Next(at, time.Time{})
				if !ok {
					break
				}
				got = append(got, n.UTC().Format(time.RFC3339))
				at = n
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("occurrences (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	tests := []struct{ expr, tz, want string }{
		{"cron(0 10 * * * *)", "", `expected '?' in exactly one of Day-of-month and Day-of-week, found "*" and "*"`},
		{"cron(0 10 ? * ? *)", "", "expected '?' in exactly one"},
		{"cron(0 10 * *)", "", "expected 6 fields"},
		{"cron(60 10 * * ? *)", "", `Minutes: expected *, a value in 0-59, or a range, found "60"`},
		{"cron(0 10 ? * FRI-MON *)", "", `Day-of-week: range "FRI-MON" runs backwards`},
		{"cron(0 10 ? FOO * *)", "", `Month: expected *, a value in 1-12 or JAN-DEC`},
		{"cron(0 10 ? * 6#6 *)", "", "Day-of-week: expected day#k with k in 1-5"},
		{"cron(0 10 L-2 * ? *)", "", "Day-of-month"},
		{"cron(0 10 * * ? 2200)", "", "Year"},
		{"cron(*/0 10 * * ? *)", "", "Minutes: expected a step from 1 to 60"},
		{"at(2024-01-01 10:00:00)", "", "expected at(yyyy-mm-ddThh:mm:ss)"},
		{"every(5 minutes)", "", `expected at, rate or cron, found "every"`},
		{"cron(0 10 * * ? *", "", "expected at(...), rate(...) or cron(...)"},
		{"", "", "0 characters"},
		{"rate(5 minutes)", "Mars/Olympus", `Timezone: "Mars/Olympus" is not an IANA time zone`},
		{"rate(5 minutes)", "Local", `Timezone: "Local" depends on the machine`},
	}
	for _, tt := range tests {
		_, err := ParseSchedule(tt.expr, tt.tz)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "autoscale: ") {
			t.Errorf("ParseSchedule(%q, %q) = %v, want an error containing %q", tt.expr, tt.tz, err, tt.want)
		}
	}
}

func TestScheduledActionValidation(t *testing.T) {
	ok := MustParseSchedule("rate(1 hour)", "")
	tests := []struct {
		name string
		a    ScheduledAction
		want string
	}{
		{"colon in name", ScheduledAction{ScheduledActionName: "a:b", Schedule: ok, ScalableTargetAction: ScalableTargetAction{MinCapacity: i(1)}}, "ScheduledActionName"},
		{"no schedule", ScheduledAction{ScheduledActionName: "a", ScalableTargetAction: ScalableTargetAction{MinCapacity: i(1)}}, "Schedule: missing"},
		{"no bounds", ScheduledAction{ScheduledActionName: "a", Schedule: ok}, "sets neither"},
		{"max below min", ScheduledAction{ScheduledActionName: "a", Schedule: ok, ScalableTargetAction: ScalableTargetAction{MinCapacity: i(5), MaxCapacity: i(2)}}, "MaxCapacity: 2 is below MinCapacity 5"},
		{"end before start", ScheduledAction{ScheduledActionName: "a", Schedule: ok, StartTime: minute(5), EndTime: minute(1), ScalableTargetAction: ScalableTargetAction{MinCapacity: i(1)}}, "EndTime"},
	}
	for _, tt := range tests {
		err := tt.a.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestRateAnchors(t *testing.T) {
	// Without StartTime a rate counts from the first evaluation; with one,
	// it runs at StartTime and every interval after.
	s := Scaler{Target: ScalableTarget{MaxCapacity: 100}, ScheduledActions: []ScheduledAction{
		{ScheduledActionName: "a", Schedule: MustParseSchedule("rate(2 minutes)", ""), ScalableTargetAction: ScalableTargetAction{MinCapacity: i(3)}},
	}}
	st := s.Start(1)
	var caps []int
	for k := 0; k < 4; k++ {
		st, _ = s.Evaluate(st, Input{Now: minute(k)})
		caps = append(caps, st.Capacity)
	}
	if diff := cmp.Diff([]int{1, 1, 3, 3}, caps); diff != "" {
		t.Errorf("capacities (-want +got):\n%s", diff)
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"cron(0 18 ? * MON-FRI *)", "cron(0/15 * * * ? *)", "cron(0 9 ? * FRI#3 *)", "cron(30 2 L * ? *)",
		"cron(0 9 15W * ? 2025)", "cron(0 0 0 * * ? *)", "rate(5 minutes)", "rate(1 day)", "at(2024-05-01T12:00:00)", "cron(1-5/2,7 */3 ? jan-mar 2L *)"} {
		f.Add(s, "")
		f.Add(s, "America/New_York")
	}
	f.Fuzz(func(t *testing.T, expr, tz string) {
		s, err := ParseSchedule(expr, tz)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "autoscale: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseSchedule(%q) error %q is not one line prefixed with autoscale:", expr, err)
			}
			return
		}
		after := time.Date(2030, 6, 15, 12, 0, 0, 0, time.UTC)
		n, ok := s.Next(after, after)
		if ok && !n.After(after) {
			t.Fatalf("%q: Next(%v) = %v, not after it", expr, after, n)
		}
		again, err := ParseSchedule(s.String(), tz)
		if err != nil {
			t.Fatalf("%q: String() %q does not re-parse: %v", expr, s.String(), err)
		}
		if n2, ok2 := again.Next(after, after); ok2 != ok || !n2.Equal(n) {
			t.Fatalf("%q: re-parsed Next = %v %v, want %v %v", expr, n2, ok2, n, ok)
		}
	})
}
