package replicate

import (
	"math"
	"testing"
)

// TestCI95 checks the interval against values computed by hand from a
// table of Student's t (t(0.975, 1) = 12.7062, t(0.975, 2) = 4.3027,
// t(0.975, 7) = 2.3646).
func TestCI95(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want Interval
	}{
		{"empty", nil, Interval{}},
		{"one", []float64{3.5}, Interval{3.5, 3.5, 3.5}},
		{"all equal", []float64{4, 4, 4}, Interval{4, 4, 4}},
		// mean 11, s = √2, half = 12.7062 · √2 / √2.
		{"two", []float64{10, 12}, Interval{11, 11 - 12.7062, 11 + 12.7062}},
		// mean 2, s = 1, half = 4.3027 / √3 = 2.4841.
		{"three", []float64{1, 2, 3}, Interval{2, 2 - 2.4841, 2 + 2.4841}},
		// mean 5, s = √(32/7) = 2.13809, half = 2.3646 · 2.13809 / √8 = 1.7875.
		{"eight", []float64{2, 4, 4, 4, 5, 5, 7, 9}, Interval{5, 5 - 1.7875, 5 + 1.7875}},
	} {
		got := CI95(tc.xs)
		for _, f := range []struct {
			what      string
			got, want float64
		}{{"mean", got.Mean, tc.want.Mean}, {"low", got.Low, tc.want.Low}, {"high", got.High, tc.want.High}} {
			if math.Abs(f.got-f.want) > 1e-4 {
				t.Errorf("%s: CI95(%v) %s = %.6f, want %.4f", tc.name, tc.xs, f.what, f.got, f.want)
			}
		}
	}
}

func TestOverlaps(t *testing.T) {
	for _, tc := range []struct {
		a, b Interval
		want bool
	}{
		{Interval{5, 4, 6}, Interval{7, 6, 8}, true}, // touching
		{Interval{5, 4, 6}, Interval{8, 7, 9}, false},
		{Interval{5, 5, 5}, Interval{6, 4, 8}, true}, // a point inside
		{Interval{5, 5, 5}, Interval{5.5, 5.5, 5.5}, false},
	} {
		if got := tc.a.Overlaps(tc.b); got != tc.want {
			t.Errorf("%v.Overlaps(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := tc.b.Overlaps(tc.a); got != tc.want {
			t.Errorf("%v.Overlaps(%v) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}
