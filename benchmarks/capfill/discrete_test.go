package capfill

import (
	"math"
	"testing"
)

func TestDiscrete(t *testing.T) {
	// 10 GPUs: column = round(arrived / 100); used 250 milli = 2.5 %.
	res := &Result{GPUs: 10, Events: []Event{
		{ArrivedMilli: 0, UsedMilli: 0, FragMilli: 100, IdleMilli: 1000},
		{ArrivedMilli: 40, UsedMilli: 40, FragMilli: 200, IdleMilli: 1000},  // column 0 (0.4)
		{ArrivedMilli: 250, UsedMilli: 250, FragMilli: 300, IdleMilli: 750}, // column 2 (2.5, half to even)
		{ArrivedMilli: 450, UsedMilli: 250, FragMilli: 300, IdleMilli: 750}, // column 4 (4.5, half to even)
	}}
	alloc := res.Discrete(Alloc)
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"alloc column 0 averages two events", alloc[0], 0.2},
		{"alloc column 1 falls back to columns 0..2", alloc[1], npRound2((0 + 0.4 + 2.5) / 3)},
		{"alloc column 2", alloc[2], 2.5},
		{"alloc column 3 falls back to columns 2..4", alloc[3], 2.5},
		{"alloc column 4", alloc[4], 2.5},
		{"frag column 2", res.Discrete(Frag)[2], 3},
		{"frag-ratio column 2", res.Discrete(FragRatio)[2], 40},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if !math.IsNaN(alloc[6]) {
		t.Errorf("alloc column 6 (no event within 1) = %v, want NaN", alloc[6])
	}
}

func TestNumpyHelpers(t *testing.T) {
	// numpy's rint(x*100)/100 and Python's round differ on 2.675
	// (binary 2.67499999...): numpy gives 2.68, Python 2.67.
	if got := npRound2(2.675); got != 2.68 {
		t.Errorf("npRound2(2.675) = %v, want 2.68", got)
	}
	if got := round2(2.675); got != 2.67 {
		t.Errorf("round2(2.675) = %v, want 2.67", got)
	}
	for _, n := range []int{0, 1, 7, 8, 9, 128, 129, 1000} {
		a := make([]float64, n)
		want := 0.0
		for i := range a {
			a[i] = float64(i%7) + 0.25
			want += a[i]
		}
		if got := npSum(a); got != want {
			t.Errorf("npSum of %d exact values = %v, want %v", n, got, want)
		}
	}
	// Pairwise and left-to-right summation differ on this input.
	a := []float64{1e16, 1, 1, 1, 1, 1, 1, 1, 1, -1e16}
	if got := npSum(a); got != 8 && got != 0 {
		t.Errorf("npSum = %v", got)
	}
}

func TestFormatValue(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{12, "12.0"}, {90.34, "90.34"}, {0.25, "0.25"}, {math.NaN(), ""}, {1.3, "1.3"}} {
		if got := FormatValue(tt.v); got != tt.want {
			t.Errorf("FormatValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestParseMetric(t *testing.T) {
	for _, m := range []Metric{Alloc, Frag, FragRatio} {
		if got, err := ParseMetric(m.String()); err != nil || got != m {
			t.Errorf("ParseMetric(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseMetric("fragmentation"); err == nil {
		t.Error("ParseMetric(fragmentation) succeeded")
	}
}
