package autoscale

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones on any machine, whatever its /usr/share/zoneinfo
	"unicode"

	"github.com/berthsched/berth/fielderr"
)

// ScheduledAction is a PutScheduledAction request. The Schedule is parsed
// (ParseSchedule) and carries its time zone. A zero StartTime or EndTime
// means none. Call Validate.
//
// Occurrences: an at() schedule once; a cron() schedule at every matching
// minute in its zone; a rate() schedule every interval from StartTime
// (StartTime included), or without a StartTime from the first evaluation
// (one interval after it). Occurrences before StartTime or after EndTime
// are skipped; nothing is reverted at EndTime.
type ScheduledAction struct {
	ScheduledActionName  string
	Schedule             Schedule
	StartTime            time.Time
	EndTime              time.Time
	ScalableTargetAction ScalableTargetAction
}

// Validate reports the first invalid field.
func (a *ScheduledAction) Validate() error {
	n := a.ScheduledActionName
	switch {
	case n == "" || len(n) > 256:
		return fieldErrorf("ScheduledActionName", "%q, expected 1 to 256 characters", n)
	case strings.TrimSpace(n) != n:
		return fieldErrorf("ScheduledActionName", "%q has leading or trailing spaces", n)
	case strings.ContainsAny(n, ":/|") || strings.IndexFunc(n, unicode.IsControl) >= 0:
		return fieldErrorf("ScheduledActionName", "%q contains a control character, ':', '/' or '|'", n)
	case a.Schedule.kind == 0:
		return fieldErrorf("", "scheduled action %q: Schedule: missing", n)
	case !a.StartTime.IsZero() && !a.EndTime.IsZero() && !a.EndTime.After(a.StartTime):
		return fieldErrorf("", "scheduled action %q: EndTime: %s is not after StartTime %s", n,
			a.EndTime.UTC().Format(time.RFC3339), a.StartTime.UTC().Format(time.RFC3339))
	}
	act := a.ScalableTargetAction
	switch {
	case act.MinCapacity == nil && act.MaxCapacity == nil:
		return fieldErrorf("", "scheduled action %q: ScalableTargetAction: sets neither MinCapacity nor MaxCapacity", n)
	case act.MinCapacity != nil && *act.MinCapacity < 0:
		return fieldErrorf("", "scheduled action %q: ScalableTargetAction.MinCapacity: %d is negative", n, *act.MinCapacity)
	case act.MaxCapacity != nil && *act.MaxCapacity < 0:
		return fieldErrorf("", "scheduled action %q: ScalableTargetAction.MaxCapacity: %d is negative", n, *act.MaxCapacity)
	case act.MinCapacity != nil && act.MaxCapacity != nil && *act.MaxCapacity < *act.MinCapacity:
		return fieldErrorf("", "scheduled action %q: ScalableTargetAction.MaxCapacity: %d is below MinCapacity %d", n, *act.MaxCapacity, *act.MinCapacity)
	}
	return nil
}

// next returns the action's first occurrence after after, given the time
// of the first evaluation.
func (a *ScheduledAction) next(after, start time.Time) (time.Time, bool) {
	anchor := a.StartTime
	if a.Schedule.kind == kindRate && anchor.IsZero() {
		anchor = start.Add(a.Schedule.rate)
	}
	if !a.StartTime.IsZero() && after.Before(a.StartTime) {
		after = a.StartTime.Add(-time.Nanosecond)
	}
	t, ok := a.Schedule.Next(after, anchor)
	if !ok || (!a.EndTime.IsZero() && t.After(a.EndTime)) {
		return time.Time{}, false
	}
	return t, true
}

type scheduleKind uint8

const (
	kindAt scheduleKind = iota + 1
	kindRate
	kindCron
)

// Schedule is a parsed scheduled-action expression: at(...), rate(...)
// or cron(...), with its time zone. The zero Schedule is invalid. A
// Schedule is immutable and safe for concurrent use.
type Schedule struct {
	expr string
	kind scheduleKind
	loc  *time.Location
	at   time.Time
	rate time.Duration
	cron *cronSpec
}

// String returns the expression as it was parsed.
func (s Schedule) String() string { return s.expr }

// Location returns the schedule's time zone (UTC when none was given).
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// Next returns the first occurrence strictly after after, and false when
// there is none (an at() in the past, a cron() whose years have passed).
// anchor only matters for rate(): its occurrences are anchor + k x rate
// for k >= 0.
func (s Schedule) Next(after, anchor time.Time) (time.Time, bool) {
	switch s.kind {
	case kindAt:
		return s.at, s.at.After(after)
	case kindRate:
		if after.Before(anchor) {
			return anchor, true
		}
		k := after.Sub(anchor)/s.rate + 1
		return anchor.Add(k * s.rate), true
	case kindCron:
		return s.cron.next(after, s.Location())
	}
	return time.Time{}, false
}

// ScheduleError is a schedule expression that does not parse.
// ParseSchedule returns it as the cause of a *fielderr.Error at path
// Schedule (errors.As finds either); its own message has the package
// prefix.
type ScheduleError struct {
	Expr string // the whole expression
	Msg  string // what was expected and what was found
}

func (e *ScheduleError) Error() string {
	return fmt.Sprintf("autoscale: Schedule: %q: %s", e.Expr, e.Msg)
}

// ParseSchedule parses an Application Auto Scaling schedule expression in
// the IANA time zone timezone ("" for UTC):
//
//	at(yyyy-mm-ddThh:mm:ss)
//	rate(N minute|minutes|hour|hours|day|days)   N a positive integer
//	cron(Minutes Hours Day-of-month Month Day-of-week Year)
//
// See the package documentation for the cron syntax.
func ParseSchedule(expr, timezone string) (Schedule, error) {
	s := Schedule{expr: expr, loc: time.UTC}
	if timezone != "" {
		if timezone == "Local" {
			return Schedule{}, fieldErrorf("Timezone", "%q depends on the machine, expected an IANA zone name such as America/New_York", timezone)
		}
		loc, err := time.LoadLocation(timezone)
		if err != nil {
			return Schedule{}, fieldErrorf("Timezone", "%q is not an IANA time zone", timezone)
		}
		s.loc = loc
	}
	fail := func(format string, args ...any) (Schedule, error) {
		// Parts of the expression quoted in the message stay on one line.
		msg := controlChars.Replace(fmt.Sprintf(format, args...))
		se := &ScheduleError{Expr: expr, Msg: msg}
		fe := &fielderr.Error{Path: "Schedule", Value: strconv.Quote(expr), Msg: strconv.Quote(expr) + ": " + msg, Err: se}
		return Schedule{}, fmt.Errorf("autoscale: %w", fe)
	}
	if len(expr) == 0 || len(expr) > 1600 {
		return fail("%d characters, expected 1 to 1600", len(expr))
	}
	open := strings.IndexByte(expr, '(')
	if open < 0 || !strings.HasSuffix(expr, ")") {
		return fail("expected at(...), rate(...) or cron(...)")
	}
	body := expr[open+1 : len(expr)-1]
	switch expr[:open] {
	case "at":
		t, err := time.ParseInLocation("2006-01-02T15:04:05", body, s.loc)
		if err != nil {
			return fail("expected at(yyyy-mm-ddThh:mm:ss), found %q", "at("+body+")")
		}
		s.kind, s.at = kindAt, t
	case "rate":
		d, msg := parseRate(body)
		if msg != "" {
			return fail("%s", msg)
		}
		s.kind, s.rate = kindRate, d
	case "cron":
		c, msg := parseCron(body)
		if msg != "" {
			return fail("%s", msg)
		}
		s.kind, s.cron = kindCron, c
	default:
		return fail("expected at, rate or cron, found %q", expr[:open])
	}
	return s, nil
}

var controlChars = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// MustParseSchedule is ParseSchedule for expressions known to be valid;
// it panics on an error. Meant for tests and examples.
func MustParseSchedule(expr, timezone string) Schedule {
	s, err := ParseSchedule(expr, timezone)
	if err != nil {
		panic(err)
	}
	return s
}

var rateUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
}

func parseRate(body string) (time.Duration, string) {
	f := strings.Split(body, " ")
	if len(f) != 2 {
		return 0, fmt.Sprintf("expected rate(N unit), found rate(%s)", body)
	}
	unit, ok := rateUnits[f[1]]
	if !ok {
		return 0, fmt.Sprintf("unit %q is not one of minute, minutes, hour, hours, day, days", f[1])
	}
	n, err := strconv.ParseUint(f[0], 10, 32)
	if err != nil || n == 0 || f[0][0] == '0' {
		return 0, fmt.Sprintf("value %q is not a positive integer", f[0])
	}
	if n > uint64(100*366*24*time.Hour/unit) {
		return 0, fmt.Sprintf("value %s is longer than 100 years", f[0])
	}
	return time.Duration(n) * unit, ""
}
