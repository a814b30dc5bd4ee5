package replicate

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a sample's mean and its 95% confidence interval, [Low,
// High]. For a sample of one, or one whose values are all equal, Low and
// High equal Mean.
type Interval struct {
	Mean float64 `json:"mean"`
	Low  float64 `json:"ci95Low"`
	High float64 `json:"ci95High"`
}

// CI95 returns the mean of xs with the two-sided 95% confidence interval
// of Student's t with len(xs)-1 degrees of freedom: mean ± t(0.975, n-1)
// · s/√n, s the sample standard deviation. An empty sample gives the zero
// Interval.
func CI95(xs []float64) Interval {
	switch len(xs) {
	case 0:
		return Interval{}
	case 1:
		return Interval{xs[0], xs[0], xs[0]}
	}
	if allEqual(xs) { // exactly the value, not a sum divided back
		return Interval{xs[0], xs[0], xs[0]}
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	n := float64(len(xs))
	half := tQuantile975(len(xs)-1) * sd / math.Sqrt(n)
	if !(half > 0) { // all equal (sd 0), or rounding below zero
		return Interval{mean, mean, mean}
	}
	return Interval{mean, mean - half, mean + half}
}

func allEqual(xs []float64) bool {
	for _, x := range xs[1:] {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// tQuantile975 is Student's t 97.5th percentile with df degrees of
// freedom.
func tQuantile975(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// Overlaps reports whether the two intervals share a point: the samples
// they summarise are not distinguishable at their size.
func (a Interval) Overlaps(b Interval) bool { return a.Low <= b.High && b.Low <= a.High }

// HalfWidth is half the interval's width: the ± of mean ± half.
func (a Interval) HalfWidth() float64 { return (a.High - a.Low) / 2 }
