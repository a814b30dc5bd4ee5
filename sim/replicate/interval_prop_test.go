package replicate

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// TestCI95Properties: the mean lies in its interval; shifting every value
// by c shifts the interval by c; the interval of n equal values is the
// point; more spread makes it no narrower (scaling by k > 1).
func TestCI95Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		xs := rapid.SliceOfN(rapid.Float64Range(-1e6, 1e6), 1, 30).Draw(t, "xs")
		c := rapid.Float64Range(-1e6, 1e6).Draw(t, "c")
		k := rapid.Float64Range(1, 100).Draw(t, "k")
		iv := CI95(xs)
		if !(iv.Low <= iv.Mean && iv.Mean <= iv.High) {
			t.Fatalf("CI95(%v) = %+v: the mean is outside", xs, iv)
		}
		shifted, scaled := make([]float64, len(xs)), make([]float64, len(xs))
		for i, x := range xs {
			shifted[i], scaled[i] = x+c, x*k
		}
		sv := CI95(shifted)
		tol := 1e-6 * (1 + math.Abs(c) + math.Abs(iv.High) + math.Abs(iv.Low))
		if math.Abs(sv.Low-(iv.Low+c)) > tol || math.Abs(sv.High-(iv.High+c)) > tol {
			t.Fatalf("CI95 shifted by %v = %+v, want %+v shifted", c, sv, iv)
		}
		if w, ws := iv.High-iv.Low, CI95(scaled).High-CI95(scaled).Low; ws < w*(1-1e-9) {
			t.Fatalf("CI95 of values scaled by %v has width %v, narrower than %v", k, ws, w)
		}
		same := make([]float64, len(xs))
		for i := range same {
			same[i] = xs[0]
		}
		if p := CI95(same); p.Low != xs[0] || p.High != xs[0] {
			t.Fatalf("CI95 of %d equal values %v = %+v, want the point", len(same), xs[0], p)
		}
	})
}
