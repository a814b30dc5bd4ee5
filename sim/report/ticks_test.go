package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func labels(a axis) []string {
	var out []string
	for _, t := range a.ticks {
		out = append(out, t.label)
	}
	return out
}

func TestTimeAxis(t *testing.T) {
	tests := []struct {
		name       string
		maxSeconds float64
		unit       string
		want       []string
		hi         float64
	}{
		{"a day: every 2 hours", 24 * 3600, "hours", []string{"0", "2", "4", "6", "8", "10", "12", "14", "16", "18", "20", "22", "24"}, 24 * 3600},
		{"ninety minutes: whole hours", 5400, "hours", []string{"0", "1", "2"}, 7200},
		{"ten minutes: one hour", 600, "hours", []string{"0", "1"}, 3600},
		{"48 hours: every 4", 48 * 3600, "hours", []string{"0", "4", "8", "12", "16", "20", "24", "28", "32", "36", "40", "44", "48"}, 48 * 3600},
		{"72 hours: days", 72 * 3600, "days", []string{"0", "1", "2", "3"}, 72 * 3600},
		{"30 days: every 5", 30 * 86400, "days", []string{"0", "5", "10", "15", "20", "25", "30"}, 30 * 86400},
		{"zero length", 0, "hours", []string{"0", "1"}, 3600},
	}
	for _, tt := range tests {
		a := timeAxis(tt.maxSeconds)
		if a.unit != tt.unit || a.hi != tt.hi {
			t.Errorf("%s: timeAxis(%g) = unit %q, hi %g; want %q, %g", tt.name, tt.maxSeconds, a.unit, a.hi, tt.unit, tt.hi)
		}
		if diff := cmp.Diff(tt.want, labels(a)); diff != "" {
			t.Errorf("%s: timeAxis(%g) ticks (-want +got):\n%s", tt.name, tt.maxSeconds, diff)
		}
	}
}

func TestValueAxis(t *testing.T) {
	tests := []struct {
		name    string
		lo, hi  float64
		integer bool
		want    []string
	}{
		{"percent", 3, 87.1, false, []string{"0", "20", "40", "60", "80", "100"}},
		{"zeros: 0 to 1", 0, 0, false, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"zero counts: 0 and 1", 0, 0, true, []string{"0", "1"}},
		{"few tasks: whole steps", 0, 3, true, []string{"0", "1", "2", "3"}},
		{"instances", 0, 733, true, []string{"0", "200", "400", "600", "800"}},
		{"small fractions", 0, 0.05, false, []string{"0.00", "0.01", "0.02", "0.03", "0.04", "0.05"}},
		{"negative", -12, 30, false, []string{"-20", "-10", "0", "10", "20", "30"}},
	}
	for _, tt := range tests {
		a := valueAxis(tt.lo, tt.hi, tt.integer)
		if diff := cmp.Diff(tt.want, labels(a)); diff != "" {
			t.Errorf("%s: valueAxis(%g, %g, %v) (-want +got):\n%s", tt.name, tt.lo, tt.hi, tt.integer, diff)
		}
	}
}

func TestRangeAxis(t *testing.T) {
	// 8% of the span each side, then valueAxis's steps: 2.93..3.06 pads
	// to 2.920..3.070, a fifth of that is 0.030, so steps of 0.05.
	tests := []struct {
		name   string
		lo, hi float64
		want   []string
	}{
		{"close costs", 2.93, 3.06, []string{"2.90", "2.95", "3.00", "3.05", "3.10"}},
		{"spread costs", 1409.89, 1799.20, []string{"1300", "1400", "1500", "1600", "1700", "1800", "1900"}},
		{"one cost", 24.75, 24.75, []string{"23.5", "24.0", "24.5", "25.0", "25.5", "26.0"}},
	}
	for _, tt := range tests {
		a := rangeAxis(tt.lo, tt.hi)
		if diff := cmp.Diff(tt.want, labels(a)); diff != "" {
			t.Errorf("%s: rangeAxis(%g, %g) (-want +got):\n%s", tt.name, tt.lo, tt.hi, diff)
		}
		if a.lo > tt.lo || a.hi < tt.hi {
			t.Errorf("%s: rangeAxis(%g, %g) spans %g..%g, not the values", tt.name, tt.lo, tt.hi, a.lo, a.hi)
		}
	}
}
