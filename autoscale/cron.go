package autoscale

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cron year range, as CloudWatch Events accepts it.
const (
	cronMinYear = 1970
	cronMaxYear = 2199
)

// cronField describes one position of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] is value min+i, for months and weekdays
}

var (
	fieldSecond = cronField{name: "Seconds", min: 0, max: 59}
	fieldMinute = cronField{name: "Minutes", min: 0, max: 59}
	fieldHour   = cronField{name: "Hours", min: 0, max: 23}
	fieldDom    = cronField{name: "Day-of-month", min: 1, max: 31}
	fieldMonth  = cronField{name: "Month", min: 1, max: 12,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	fieldDow = cronField{name: "Day-of-week", min: 1, max: 7,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	fieldYear = cronField{name: "Year", min: cronMinYear, max: cronMaxYear}
)

// bits is a set of small integers (at most 256).
type bits [4]uint64

func (b *bits) set(i int)      { b[i>>6] |= 1 << (i & 63) }
func (b *bits) has(i int) bool { return i >= 0 && i < 256 && b[i>>6]&(1<<(i&63)) != 0 }
func (b *bits) setRange(lo, hi, step int) {
	for i := lo; i <= hi; i += step {
		b.set(i)
	}
}

// cronSpec is a parsed cron(): each field a set, years offset by
// cronMinYear, plus the day extensions.
type cronSpec struct {
	minute, hour, dom, month, dow, year bits

	domAny, dowAny  bool // '?'
	domLast         bool // L: the last day of the month
	domLastWeekday  bool // LW: the last weekday (Mon-Fri) of the month
	domNearWeekday  int  // nW: the weekday nearest day n, within the month
	dowLast         int  // nL: the last weekday n (1 = SUN) of the month
	dowNth, dowNthN int  // n#k: the k-th weekday n of the month
}

func parseCron(body string) (*cronSpec, string) {
	f := strings.Fields(body)
	if len(f) == 7 {
		// The seven-field form leads with seconds; the finest resolution
		// is a minute, so the field is checked and ignored.
		var sec bits
		if msg := parseSet(&sec, fieldSecond, f[0]); msg != "" {
			return nil, msg
		}
		f = f[1:]
	}
	if len(f) != 6 {
		return nil, fmt.Sprintf("expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found %d", len(f))
	}
	c := &cronSpec{}
	for _, p := range []struct {
		b     *bits
		field cronField
		src   string
	}{{&c.minute, fieldMinute, f[0]}, {&c.hour, fieldHour, f[1]}, {&c.month, fieldMonth, f[3]}} {
		if msg := parseSet(p.b, p.field, p.src); msg != "" {
			return nil, msg
		}
	}
	if msg := parseSet(&c.year, fieldYear, f[5]); msg != "" {
		return nil, msg
	}
	if msg := c.parseDom(f[2]); msg != "" {
		return nil, msg
	}
	if msg := c.parseDow(f[4]); msg != "" {
		return nil, msg
	}
	if c.domAny == c.dowAny {
		return nil, fmt.Sprintf("expected '?' in exactly one of Day-of-month and Day-of-week, found %q and %q", f[2], f[4])
	}
	return c, ""
}

func (c *cronSpec) parseDom(s string) string {
	switch {
	case s == "?":
		c.domAny = true
		return ""
	case s == "L":
		c.domLast = true
		return ""
	case s == "LW":
		c.domLastWeekday = true
		return ""
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n < 1 || n > 31 {
			return fmt.Sprintf("Day-of-month: expected nW with n in 1-31, found %q", s)
		}
		c.domNearWeekday = n
		return ""
	}
	return parseSet(&c.dom, fieldDom, s)
}

func (c *cronSpec) parseDow(s string) string {
	switch {
	case s == "?":
		c.dowAny = true
		return ""
	case strings.Contains(s, "#"):
		day, nth, _ := strings.Cut(s, "#")
		d, ok := fieldDow.value(day)
		k, err := strconv.Atoi(nth)
		if !ok || err != nil || k < 1 || k > 5 {
			return fmt.Sprintf("Day-of-week: expected day#k with k in 1-5, found %q", s)
		}
		c.dowNth, c.dowNthN = d, k
		return ""
	case len(s) > 1 && strings.HasSuffix(s, "L"):
		d, ok := fieldDow.value(s[:len(s)-1])
		if !ok {
			return fmt.Sprintf("Day-of-week: expected dayL, found %q", s)
		}
		c.dowLast = d
		return ""
	}
	return parseSet(&c.dow, fieldDow, s)
}

// value parses one value of the field: a number or, for months and
// weekdays, a three-letter name in any case.
func (f cronField) value(s string) (int, bool) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, true
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	return n, true
}

// parseSet parses a list of items: *, v, a-b, with an optional /step.
// Values are stored offset by the field's minimum for years only.
func parseSet(b *bits, f cronField, s string) string {
	off := 0
	if f.min == cronMinYear {
		off = cronMinYear
	}
	for _, item := range strings.Split(s, ",") {
		rng, stepStr, hasStep := strings.Cut(item, "/")
		lo, hi := f.min, f.max
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, z, _ := strings.Cut(rng, "-")
			var ok1, ok2 bool
			lo, ok1 = f.value(a)
			hi, ok2 = f.value(z)
			if !ok1 || !ok2 {
				return fmt.Sprintf("%s: expected a range of values in %s, found %q", f.name, f.bounds(), rng)
			}
			if lo > hi {
				return fmt.Sprintf("%s: range %q runs backwards", f.name, rng)
			}
		default:
			v, ok := f.value(rng)
			if !ok {
				return fmt.Sprintf("%s: expected *, a value in %s, or a range, found %q", f.name, f.bounds(), rng)
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 || n > f.max-f.min+1 || stepStr[0] == '+' {
				return fmt.Sprintf("%s: expected a step from 1 to %d after '/', found %q", f.name, f.max-f.min+1, stepStr)
			}
			step = n
		}
		b.setRange(lo-off, hi-off, step)
	}
	return ""
}

func (f cronField) bounds() string {
	if f.names != nil {
		return fmt.Sprintf("%d-%d or %s-%s", f.min, f.max, f.names[0], f.names[len(f.names)-1])
	}
	return fmt.Sprintf("%d-%d", f.min, f.max)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (c *cronSpec) dayMatches(y int, m time.Month, d int) bool {
	last := daysIn(y, m)
	wd := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = SUN
	switch {
	case c.domAny && c.dowLast != 0:
		return wd == c.dowLast && d+7 > last
	case c.domAny && c.dowNth != 0:
		return wd == c.dowNth && (d-1)/7+1 == c.dowNthN
	case c.domAny:
		return c.dow.has(wd)
	case c.domLast:
		return d == last
	case c.domLastWeekday:
		return d == nearestWeekday(y, m, last, last)
	case c.domNearWeekday != 0:
		return c.domNearWeekday <= last && d == nearestWeekday(y, m, c.domNearWeekday, last)
	}
	return c.dom.has(d)
}

// nearestWeekday returns the Monday-to-Friday day nearest day n of the
// month, without leaving the month.
func nearestWeekday(y int, m time.Month, n, last int) int {
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// next returns the first matching minute strictly after after, in loc.
// A local time that a daylight-saving change skips does not occur; one
// that it repeats occurs once, at its first instant.
func (c *cronSpec) next(after time.Time, loc *time.Location) (time.Time, bool) {
	t := after.In(loc)
	y0, m0, d0 := t.Date()
	for y := max(y0, cronMinYear); y <= cronMaxYear; y++ {
		if !c.year.has(y - cronMinYear) {
			continue
		}
		m := time.January
		if y == y0 {
			m = m0
		}
		for ; m <= time.December; m++ {
			if !c.month.has(int(m)) {
				continue
			}
			d := 1
			if y == y0 && m == m0 {
				d = d0
			}
			for last := daysIn(y, m); d <= last; d++ {
				if !c.dayMatches(y, m, d) {
					continue
				}
				if r, ok := c.timeOfDay(y, m, d, loc, after); ok {
					return r, true
				}
			}
		}
	}
	return time.Time{}, false
}

func (c *cronSpec) timeOfDay(y int, m time.Month, d int, loc *time.Location, after time.Time) (time.Time, bool) {
	for h := 0; h < 24; h++ {
		if !c.hour.has(h) {
			continue
		}
		for mi := 0; mi < 60; mi++ {
			if !c.minute.has(mi) {
				continue
			}
			r := time.Date(y, m, d, h, mi, 0, 0, loc)
			if r.Hour() != h || r.Minute() != mi || r.Day() != d {
				continue // skipped by a daylight-saving change
			}
			if r.After(after) {
				return r, true
			}
		}
	}
	return time.Time{}, false
}
