package report

import (
	"math"
	"strconv"
)

// tick is one labelled mark on an axis.
type tick struct {
	v     float64
	label string
}

// axis is a plot axis: its range, its ticks and the unit its label adds.
type axis struct {
	lo, hi float64
	ticks  []tick
	unit   string // "hours", "days", or "" (the plot's own label)
}

// timeAxis is the axis of a time series over [0, maxSeconds]: ticks on
// whole hours (1, 2, 3, 4, 6, 12 or 24 apart, at most 12 of them), or on
// whole days for runs over 48 hours. Values stay in seconds; the labels
// are in the unit.
func timeAxis(maxSeconds float64) axis {
	unit, per, steps := "hours", 3600.0, []float64{1, 2, 3, 4, 6, 12, 24}
	if maxSeconds > 48*3600 {
		unit, per, steps = "days", 86400, []float64{1, 2, 5, 7, 10, 14, 28, 56, 91, 182, 364}
	}
	span := math.Max(maxSeconds/per, 1e-9)
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 12 {
			step = s
			break
		}
	}
	for span/step > 12 { // a run longer than the table: widen by doubling
		step *= 2
	}
	hi := math.Ceil(span/step) * step
	a := axis{lo: 0, hi: hi * per, unit: unit}
	for v := 0.0; v <= hi+step/2; v += step {
		a.ticks = append(a.ticks, tick{v * per, strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return a
}

// valueAxis is the axis of values in [lo, hi]: about five ticks on
// multiples of 1, 2 or 5 times a power of ten, starting at 0 when the
// values are not negative. integer keeps the steps whole (counts of
// tasks or instances). A range of zeros (nothing lost, nothing waiting)
// is drawn from 0 to 1, so the flat line sits on a readable axis.
func valueAxis(lo, hi float64, integer bool) axis {
	return niceAxis(min(lo, 0), hi, integer)
}

// rangeAxis is the axis of values in [lo, hi] that need not start at 0
// (costs): about five ticks around the values, with room at both ends.
func rangeAxis(lo, hi float64) axis {
	pad := (hi - lo) * 0.08
	if !(pad > 0) {
		pad = math.Max(math.Abs(hi)*0.05, 1)
	}
	return niceAxis(lo-pad, hi+pad, false)
}

// niceAxis is valueAxis's work without the start at 0.
func niceAxis(lo, hi float64, integer bool) axis {
	if !(hi > lo) || math.IsInf(hi, 0) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsNaN(lo) {
		if math.IsInf(lo, 0) || math.IsNaN(lo) {
			lo = 0
		}
		hi = lo + 1
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if integer && step < 1 {
		step = 1
	}
	first := math.Floor(lo/step) * step
	last := math.Ceil(hi/step) * step
	a := axis{lo: first, hi: last}
	prec := 0
	if step < 1 {
		prec = int(math.Ceil(-math.Log10(step)))
	}
	n := int(math.Round((last - first) / step))
	for i := 0; i <= n; i++ {
		v := first + float64(i)*step
		a.ticks = append(a.ticks, tick{v, fixed(v, prec)})
	}
	return a
}
