package replicate

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// Config is one configuration of a sweep or a plan: the values of the
// swept parameters, the scenario with them applied, and a placement
// variant.
type Config struct {
	Values   []string
	Scenario *scenario.Scenario
	Variant  scenario.Variant
	// Compared marks Variant as a compared one (see sim.Options.Compared):
	// given by the caller or the scenario's compare list.
	Compared bool
}

// configCount returns how many configurations Configs makes, without
// making them, or an error once they pass scenario.MaxSweepRuns.
func configCount(sc *scenario.Scenario, params []scenario.SweepParam, variants []scenario.Variant) (int, error) {
	nv := len(sc.Variants())
	if len(variants) > 0 {
		nv = len(variants)
	}
	n := nv
	for _, p := range params {
		if n *= len(p.Values); n > scenario.MaxSweepRuns {
			return 0, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %s: %w: more than %d runs (every combination of the swept values, times %d placement variants)", p.Path, sim.ErrTooManyRuns, scenario.MaxSweepRuns, nv))
		}
	}
	return n, nil
}

// Configs returns every combination of the parameters' values, the last
// parameter varying fastest, each once per placement variant: variants,
// or when it is empty the combination's own (Scenario.Variants). It
// checks that there are at most scenario.MaxSweepRuns of them.
func Configs(sc *scenario.Scenario, params []scenario.SweepParam, variants []scenario.Variant) ([]Config, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if _, err := configCount(sc, params, variants); err != nil {
		return nil, err
	}
	combos := [][]string{nil}
	for _, p := range params {
		var next [][]string
		for _, c := range combos {
			for _, v := range p.Values {
				next = append(next, append(slices.Clip(c), v))
			}
		}
		combos = next
	}
	var out []Config
	for _, c := range combos {
		cur := sc
		for i, p := range params {
			var err error
			if cur, err = p.Apply(cur, c[i]); err != nil {
				return nil, err
			}
		}
		vs := variants
		if len(vs) == 0 {
			vs = cur.Variants()
		}
		for _, v := range vs {
			out = append(out, Config{Values: c, Scenario: cur, Variant: v, Compared: len(variants) > 0 || len(cur.Compare) > 0})
		}
	}
	return out, nil
}

// Runner runs replicates of configurations in parallel. A Runner is not
// safe for concurrent use; Progress is called from one goroutine at a
// time.
type Runner struct {
	// Open opens the files the scenario names; see sim.Options.
	Open func(path string) (io.ReadCloser, error)
	// NewStrategy builds strategies placement does not know.
	NewStrategy scenario.StrategyFactory
	// Parallel is how many runs go at once; 0 means one per core.
	Parallel int
	// Progress, when set, is called after each run.
	Progress func()
	// Replay, when set, answers a job instead of simulating it: a plan split
	// over machines replays the runs its shards did. It may be called
	// from several goroutines at once.
	Replay func(Job) (sim.Summary, error)
}

// Run runs replicates from..to-1 of every configuration (replicate k
// with the seed Scenario.Seed+k) and returns their summaries,
// runs[i][k-from] for configuration i. Each run is deterministic, so the
// result does not depend on the parallelism.
func (r *Runner) Run(cfgs []Config, from, to int) ([][]sim.Summary, error) {
	if from < 0 || to < from {
		return nil, fmt.Errorf("replicate: replicates %d..%d: expected 0 <= from <= to", from, to-1)
	}
	var jobs []Job
	for i := range cfgs {
		for k := from; k < to; k++ {
			jobs = append(jobs, Job{&cfgs[i], k})
		}
	}
	sums, err := r.RunJobs(jobs)
	if err != nil {
		return nil, err
	}
	out := make([][]sim.Summary, len(cfgs))
	for i := range out {
		out[i] = sums[i*(to-from) : (i+1)*(to-from)]
	}
	return out, nil
}

// Job is one run: replicate Replicate of a configuration.
type Job struct {
	Config    *Config
	Replicate int
}

// RunJobs runs the jobs in parallel and returns their summaries in job
// order, or the error of the first job, in order, that failed.
func (r *Runner) RunJobs(jobs []Job) ([]sim.Summary, error) {
	par := r.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	out := make([]sim.Summary, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, par)
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if r.Replay != nil {
				out[i], errs[i] = r.Replay(j)
			} else {
				out[i], errs[i] = runOne(*j.Config, j.Replicate, r)
			}
			if errs[i] == nil && r.Progress != nil {
				mu.Lock()
				r.Progress()
				mu.Unlock()
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

// runOne runs replicate k of c.
func runOne(c Config, k int, r *Runner) (sim.Summary, error) {
	sc := *c.Scenario
	sc.Seed += uint64(k)
	res, err := sim.Simulate(&sc, c.Variant, sim.Options{Open: r.Open, NewStrategy: r.NewStrategy, Compared: c.Compared, SummaryOnly: true})
	if err != nil {
		return sim.Summary{}, err
	}
	s := res.Summary
	if len(sc.Compare) == 0 && c.Variant.Name == "" && len(c.Variant.Strategies) == 0 {
		s.Variant = sc.Workload.Placement.String()
	}
	return s, nil
}

// Summary is one configuration's figures over its replicates.
type Summary struct {
	// Variant names the placement, as sim.Summary.Variant.
	Variant string
	// Seeds are the replicates' seeds, in order.
	Seeds []uint64
	// Stats are every figure's mean and interval, in summary.json order;
	// a figure some replicates lack (a never-placed reason that did not
	// occur) counts 0 in them.
	Stats []Stat
	// Runs are the replicates' own summaries.
	Runs []sim.Summary
}

// Stat is one figure's mean and 95% confidence interval.
type Stat struct {
	Path string
	Interval
}

// Summarize builds a configuration's Summary from its replicates' runs,
// run k with seed first+k.
func Summarize(runs []sim.Summary, first uint64) (Summary, error) {
	if len(runs) == 0 {
		return Summary{}, fmt.Errorf("replicate: no runs to summarise")
	}
	s := Summary{Variant: runs[0].Variant, Runs: runs}
	var order []string
	values := map[string][]float64{}
	for k := range runs {
		s.Seeds = append(s.Seeds, first+uint64(k))
		figs, err := Figures(&runs[k])
		if err != nil {
			return Summary{}, err
		}
		for _, f := range figs {
			v, ok := values[f.Path]
			if !ok {
				order = append(order, f.Path)
				v = make([]float64, len(runs)) // zeros for the runs before
			}
			v[k] = f.Value
			values[f.Path] = v
		}
	}
	for _, p := range order {
		s.Stats = append(s.Stats, Stat{p, CI95(values[p])})
	}
	return s, nil
}

// Figure returns the interval of the figure at path, and whether the
// summary has it.
func (s *Summary) Figure(path string) (Interval, bool) {
	for _, st := range s.Stats {
		if st.Path == path {
			return st.Interval, true
		}
	}
	return Interval{}, false
}

// Row is one configuration of a sweep.
type Row struct {
	// Values are the swept parameters' values, in parameter order.
	Values  []string
	Summary Summary
}

// SweepResult is a sweep's configurations, each run Replicates times,
// in configuration order (see Configs).
type SweepResult struct {
	Scenario   string
	Seed       uint64
	Duration   time.Duration
	Params     []string
	Replicates int
	Rows       []Row
}

// Paths returns the figures any row has, in the order of the first row
// that has each: the columns of sweep.csv.
func (r *SweepResult) Paths() []string {
	var out []string
	seen := map[string]bool{}
	for i := range r.Rows {
		for _, st := range r.Rows[i].Summary.Stats {
			if !seen[st.Path] {
				seen[st.Path] = true
				out = append(out, st.Path)
			}
		}
	}
	return out
}

// Sweep runs every configuration of the sweep (see Configs) replicates
// times, replicates >= 1.
func Sweep(sc *scenario.Scenario, params []scenario.SweepParam, variants []scenario.Variant, replicates int, run *Runner) (*SweepResult, error) {
	if replicates < 1 {
		return nil, fmt.Errorf("replicate: %d replicates, expected 1 or more", replicates)
	}
	// Counted before the configurations are made: each is a scenario read
	// again, which for thousands is seconds spent to refuse them.
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	n, err := configCount(sc, params, variants)
	if err != nil {
		return nil, err
	}
	if n*replicates > scenario.MaxSweepRuns {
		return nil, fmt.Errorf("sim: %w", fielderr.Errorf("", "%w: %d configurations times %d replicates, more than %d runs", sim.ErrTooManyRuns, n, replicates, scenario.MaxSweepRuns))
	}
	cfgs, err := Configs(sc, params, variants)
	if err != nil {
		return nil, err
	}
	runs, err := run.Run(cfgs, 0, replicates)
	if err != nil {
		return nil, err
	}
	out := &SweepResult{Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration), Replicates: replicates}
	for _, p := range params {
		out.Params = append(out.Params, p.Path)
	}
	for i, c := range cfgs {
		s, err := Summarize(runs[i], c.Scenario.Seed)
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, Row{Values: c.Values, Summary: s})
	}
	return out, nil
}

// Single returns the sweep as package sim reports a sweep of single runs:
// each row's first replicate.
func (r *SweepResult) Single() *sim.SweepResult {
	out := &sim.SweepResult{Scenario: r.Scenario, Seed: r.Seed, Duration: r.Duration, Params: r.Params}
	for _, row := range r.Rows {
		out.Rows = append(out.Rows, sim.SweepRow{Values: row.Values, Summary: row.Summary.Runs[0]})
	}
	return out
}
