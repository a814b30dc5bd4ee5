package sim

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/berthsched/berth/sim/scenario"
)

// CompareOptions adjust Compare.
type CompareOptions struct {
	// Variants overrides the scenario's compare list.
	Variants []scenario.Variant
	// Log returns the writer of variant i's event log, or nil for none.
	Log func(i int, v scenario.Variant) io.Writer
	// Open opens the files the scenario names; see Options.
	Open func(path string) (io.ReadCloser, error)
	// Parallel is how many variants run at once; 0 means one per core.
	Parallel int
	// Progress, when set, is called now and then from the runs' goroutines
	// with the variant's index and the simulated time it reached.
	Progress func(i int, now, total time.Duration)
	// NewStrategy builds strategies placement does not know, once per run.
	NewStrategy scenario.StrategyFactory
	// SummaryOnly is Options.SummaryOnly for every run.
	SummaryOnly bool
}

// Compare runs the scenario once per variant (in parallel; each run is
// independent and deterministic) and returns the results in variant
// order.
func Compare(sc *scenario.Scenario, opts CompareOptions) (*Comparison, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	vs := opts.Variants
	if len(vs) == 0 {
		vs = sc.Variants()
	}
	// Check every variant before any runs, naming it as the caller wrote
	// it: a strategy type only the factory knows is checked here for the
	// first time.
	for i, v := range vs {
		if err := checkVariant(sc, opts, i, v); err != nil {
			return nil, err
		}
	}
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	results := make([]*Result, len(vs))
	errs := make([]error, len(vs))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o := Options{Open: opts.Open, NewStrategy: opts.NewStrategy, Compared: len(opts.Variants) > 0 || len(sc.Compare) > 0, SummaryOnly: opts.SummaryOnly}
			if opts.Log != nil {
				o.Log = opts.Log(i, v)
			}
			if opts.Progress != nil {
				o.Progress = func(now, total time.Duration) { opts.Progress(i, now, total) }
			}
			results[i], errs[i] = Simulate(sc, v, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return &Comparison{Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration), Results: results}, nil
}

// checkVariant compiles variant i of a comparison of sc and names it in
// an error as its caller wrote it: opts.Variants[i], or the scenario's
// compare[i] or workload.placement, after the scenario's file.
func checkVariant(sc *scenario.Scenario, opts CompareOptions, i int, v scenario.Variant) error {
	path := fmt.Sprintf("variants[%d]", i)
	if len(opts.Variants) == 0 {
		path = fmt.Sprintf("compare[%d]", i)
		if len(sc.Compare) == 0 {
			path = "workload.placement"
		}
		if len(v.Strategies) == 0 && len(v.Constraints) == 0 {
			v, path = sc.Workload.Placement, "workload.placement"
		}
	} else if len(v.Strategies) == 0 && len(v.Constraints) == 0 {
		return nil // the workload's own placement, checked with the scenario
	}
	if _, _, err := v.Compile(path, opts.NewStrategy); err != nil {
		if sc.Source() != "" && len(opts.Variants) == 0 {
			return fmt.Errorf("sim: %s: %w", sc.Source(), err)
		}
		return fmt.Errorf("sim: %w", err)
	}
	return nil
}
