package sim

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/sim/scenario"
)

// SweepRow is one combination of values with one placement variant.
type SweepRow struct {
	Values  []string
	Summary Summary
}

// SweepResult is the runs of a sweep, in combination order (the last
// parameter varies fastest), then variant order.
type SweepResult struct {
	Scenario string
	Seed     uint64
	Duration time.Duration
	Params   []string
	Rows     []SweepRow
}

// ErrTooManyRuns is Sweep's error for a sweep of more than MaxSweepRuns
// runs.
var ErrTooManyRuns = errors.New("too many runs")

// Sweep runs the scenario once per combination of the parameters' values
// and per placement variant, in parallel (opts.Parallel, default one per
// core). Each run is deterministic, so the result does not depend on the
// parallelism.
func Sweep(sc *scenario.Scenario, params []scenario.SweepParam, opts CompareOptions) (*SweepResult, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	type job struct {
		values []string
		sc     *scenario.Scenario
		v      scenario.Variant
	}
	variants := len(sc.Variants())
	if len(opts.Variants) > 0 {
		variants = len(opts.Variants)
	}
	runs := variants
	for _, p := range params {
		if runs *= len(p.Values); runs > scenario.MaxSweepRuns {
			return nil, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %s: %w: more than %d runs (every combination of the swept values, times %d placement variants)", p.Path, ErrTooManyRuns, scenario.MaxSweepRuns, variants))
		}
	}
	combos := [][]string{nil}
	for _, p := range params {
		var next [][]string
		for _, c := range combos {
			for _, v := range p.Values {
				next = append(next, append(append([]string(nil), c...), v))
			}
		}
		combos = next
	}
	var jobs []job
	for _, c := range combos {
		cur := sc
		for i, p := range params {
			var err error
			if cur, err = p.Apply(cur, c[i]); err != nil {
				return nil, err
			}
		}
		vs := opts.Variants
		if len(vs) == 0 {
			vs = cur.Variants()
		}
		for _, v := range vs {
			jobs = append(jobs, job{c, cur, v})
		}
	}
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	out := &SweepResult{Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration), Rows: make([]SweepRow, len(jobs))}
	for _, p := range params {
		out.Params = append(out.Params, p.Path)
	}
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r, err := Simulate(j.sc, j.v, Options{Open: opts.Open, NewStrategy: opts.NewStrategy, Compared: len(opts.Variants) > 0 || len(j.sc.Compare) > 0})
			if err != nil {
				errs[i] = err
				return
			}
			out.Rows[i] = SweepRow{Values: j.values, Summary: r.Summary}
			if len(j.sc.Compare) == 0 && j.v.Name == "" && len(j.v.Strategies) == 0 {
				out.Rows[i].Summary.Variant = j.sc.Workload.Placement.String()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
