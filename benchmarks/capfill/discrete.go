package capfill

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Columns is the number of discretised columns: arrived workload 0..130 %
// of the fleet's GPU capacity.
const Columns = 131

// Metric is what the discretised columns hold.
type Metric int

const (
	// Alloc is the GPU allocation rate, % of capacity
	// (analysis_allo_discrete.csv).
	Alloc Metric = iota
	// Frag is the fragmented GPU, % of capacity
	// (analysis_frag_discrete.csv).
	Frag
	// FragRatio is the fragmented share of the idle GPU, %
	// (analysis_frag_ratio_discrete.csv).
	FragRatio
)

var metricNames = [...]string{Alloc: "alloc", Frag: "frag", FragRatio: "frag-ratio"}

// String returns the metric's name: alloc, frag or frag-ratio.
func (m Metric) String() string {
	if m < 0 || int(m) >= len(metricNames) {
		return "Metric(" + strconv.Itoa(int(m)) + ")"
	}
	return metricNames[m]
}

// ParseMetric parses a metric name.
func ParseMetric(s string) (Metric, error) {
	for m, name := range metricNames {
		if s == name {
			return Metric(m), nil
		}
	}
	return 0, fmt.Errorf("capfill: metric %q; expected alloc, frag or frag-ratio", s)
}

// Discrete returns the run's metric per column exactly as the authors'
// scripts compute it (docs/research-bench.md, What each pod records, and the
// published columns): each event falls in column
// round(arrived %), half to even; a column averages its events, or, when it
// has none, those of the columns next to it; a column with neither is NaN
// (an empty cell). Allocation and fragmentation are rounded to 2 decimals
// as the scripts do (numpy summation and rounding); the ratio is not.
func (r *Result) Discrete(m Metric) [Columns]float64 {
	gpus := float64(r.GPUs)
	var buckets [Columns + 2][]float64 // index column+1, so that -1 and 131 exist
	for _, e := range r.Events {
		a := math.RoundToEven(float64(e.ArrivedMilli) / gpus / 10)
		if a < -1 || a > Columns {
			continue
		}
		var v float64
		switch m {
		case Alloc:
			v = round2(float64(e.UsedMilli) / gpus / 10)
		case Frag:
			v = round2(e.FragMilli) // the simulator logs it with 2 decimals
		case FragRatio:
			if e.IdleMilli != 0 {
				v = 100 * e.FragMilli / e.IdleMilli
			}
		}
		buckets[int(a)+1] = append(buckets[int(a)+1], v)
	}
	var out [Columns]float64
	var window []float64
	for x := range out {
		vals := buckets[x+1]
		if len(vals) == 0 {
			window = append(append(append(window[:0], buckets[x]...), buckets[x+1]...), buckets[x+2]...)
			vals = window
		}
		if len(vals) == 0 {
			out[x] = math.NaN()
			continue
		}
		mean := npSum(vals) / float64(len(vals))
		switch m {
		case Alloc:
			out[x] = npRound2(mean)
		case Frag:
			out[x] = npRound2(100 * mean / 1000 / gpus)
		default:
			out[x] = mean
		}
	}
	return out
}

// round2 is Python's round(x, 2): the decimal nearest to x's exact value.
func round2(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return v
}

// npRound2 is numpy's round(x, 2): rint(x·100)/100.
func npRound2(x float64) float64 { return math.RoundToEven(x*100) / 100 }

// npSum is numpy's pairwise summation of a float64 array.
func npSum(a []float64) float64 {
	if len(a) < 8 {
		s := 0.0
		for _, v := range a {
			s += v
		}
		return s
	}
	if len(a) <= 128 {
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < len(a)-len(a)%8; i += 8 {
			for j := range r {
				r[j] += a[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < len(a); i++ {
			s += a[i]
		}
		return s
	}
	n2 := len(a) / 2
	n2 -= n2 % 8
	return npSum(a[:n2]) + npSum(a[n2:])
}

// Header returns the CSV header of the published file for metric m:
// workload,sc_policy,tune,seed[,total_gpus],0,...,130 (total_gpus only for
// Alloc).
func Header(m Metric) []string {
	h := []string{"workload", "sc_policy", "tune", "seed"}
	if m == Alloc {
		h = append(h, "total_gpus")
	}
	for x := range Columns {
		h = append(h, strconv.Itoa(x))
	}
	return h
}

// Record returns r's row for metric m under [Header](m), numbers written as
// the published files write them (Python's repr: 12.0, 90.34; empty for
// an empty column).
func (r *Result) Record(m Metric) []string {
	rec := []string{r.Workload, r.Strategy, FormatValue(r.Tune), strconv.FormatInt(r.Seed, 10)}
	if m == Alloc {
		rec = append(rec, strconv.Itoa(r.GPUs))
	}
	for _, v := range r.Discrete(m) {
		rec = append(rec, FormatValue(v))
	}
	return rec
}

// FormatValue writes v as Python's repr does for the published values:
// shortest round-trip digits with at least one decimal; "" for NaN.
func FormatValue(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eInf") {
		s += ".0"
	}
	return s
}

// Row returns r's row for metric m.
func (r *Result) Row(m Metric) Row {
	row := Row{Workload: r.Workload, Policy: r.Strategy, Tune: r.Tune, Seed: r.Seed, Values: r.Discrete(m)}
	if m == Alloc {
		row.TotalGPUs = r.GPUs
	}
	return row
}
