package plan

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/replicate"
	"github.com/berthsched/berth/sim/scenario"
)

// Spec is what to plan: the configurations (every combination of Params'
// values, times Variants or each combination's own), the figure to
// minimize and the requirements, judged over Replicates runs of each.
// It is checked by Plan; the zero Runner runs one run per core.
type Spec struct {
	Params   []scenario.SweepParam
	Variants []scenario.Variant
	// Minimize is the figure to make lowest: a path into summary.json.
	Minimize string
	Requires []Requirement
	// Replicates is N, the runs each finalist gets (1 or more).
	Replicates int
	// Exhaustive runs every configuration N times instead of racing them.
	Exhaustive bool
	// RunnersUp is how many configurations to name after the
	// recommendation (default 3).
	RunnersUp int
	// Runner runs the simulations; nil means the zero Runner.
	Runner *replicate.Runner
	// Progress, when set, is called after each run with the runs done and
	// the most the plan can still take in all.
	Progress func(done, atMost int)
}

// Drop says why a configuration left the race before its last
// replicate.
type Drop uint8

// Why a configuration left the race.
const (
	Kept       Drop = iota // ran all its replicates
	CannotMeet             // a requirement fails even at the optimistic end
	CannotWin              // its minimized figure lies above a configuration that meets every requirement
)

// Candidate is one configuration and what the plan found out about it.
type Candidate struct {
	// Number is its place in configuration order, from 1, as in the
	// sweep table.
	Number int
	Values []string
	// Summary is its figures over the replicates it ran.
	Summary replicate.Summary
	// Meets reports whether it ran every replicate and meets every
	// requirement at the pessimistic end of its interval.
	Meets bool
	// Broken is the index in Spec.Requires of the first requirement it
	// does not meet, or -1.
	Broken int
	Drop   Drop
	// BeatenBy is, for CannotWin, the Number of the configuration whose
	// upper end its lower end lies above.
	BeatenBy int
}

// Replicates is how many runs the candidate got.
func (c *Candidate) Replicates() int { return len(c.Summary.Runs) }

// Figure returns the candidate's interval of the figure at path; a
// figure none of its runs has is 0.
func (c *Candidate) Figure(path string) replicate.Interval {
	iv, _ := c.Summary.Figure(path)
	return iv
}

// Result is a plan's answer.
type Result struct {
	Scenario   string
	Seed       uint64
	Duration   time.Duration
	Params     []string
	Minimize   string
	Requires   []Requirement
	Replicates int
	// Method is "racing" or "exhaustive".
	Method string
	// Candidates are every configuration, in configuration order.
	Candidates []Candidate
	// Ranking lists the indexes in Candidates of the configurations that
	// meet every requirement, lowest mean of the minimized figure first:
	// the recommendation, then the runners-up (at most Spec.RunnersUp).
	// Racing drops the configurations that cannot win, so that it may
	// name fewer or other runners-up than the exhaustive grid would; the
	// recommendation is what the tests hold it to.
	Ranking []int
	// Closest is, when no configuration meets the requirements, the index
	// of the one that comes nearest (the least relative shortfall summed
	// over the requirements it breaks); -1 otherwise.
	Closest int
	// Runs is how many simulations the plan ran; GridRuns is the full
	// grid's, configurations times replicates.
	Runs, GridRuns int
}

// Best returns the recommended configuration, or nil when none meets the
// requirements.
func (r *Result) Best() *Candidate {
	if len(r.Ranking) == 0 {
		return nil
	}
	return &r.Candidates[r.Ranking[0]]
}

// ErrSpec is wrapped by Plan's errors about the Spec itself.
var ErrSpec = errors.New("invalid plan")

// Plan runs the configurations of sc the spec spans, racing them (or all
// of them N times with Spec.Exhaustive), and returns the configuration
// with the lowest Minimize that meets every requirement. A figure no
// configuration's first run has is an error naming the closest figures;
// a path under neverPlacedByReason is always known (a reason no task had
// counts 0), and a figure some configurations lack (a provider they never
// used) counts 0 in them.
func Plan(sc *scenario.Scenario, spec Spec) (*Result, error) {
	if spec.Minimize == "" {
		return nil, fmt.Errorf("plan: %w: no figure to minimize", ErrSpec)
	}
	if spec.Replicates < 1 {
		return nil, fmt.Errorf("plan: %w: %d replicates, expected 1 or more", ErrSpec, spec.Replicates)
	}
	if spec.RunnersUp <= 0 {
		spec.RunnersUp = 3
	}
	cfgs, err := replicate.Configs(sc, spec.Params, spec.Variants)
	if err != nil {
		return nil, err
	}
	n := spec.Replicates
	if len(cfgs)*n > scenario.MaxSweepRuns {
		return nil, fmt.Errorf("sim: %w", fielderr.Errorf("", "%w: %d configurations times %d replicates, more than %d runs", sim.ErrTooManyRuns, len(cfgs), n, scenario.MaxSweepRuns))
	}
	p := &race{spec: spec, cfgs: cfgs, runs: make([][]sim.Summary, len(cfgs)), drop: make([]Drop, len(cfgs)),
		beatenBy: make([]int, len(cfgs)), sums: make([]replicate.Summary, len(cfgs))}
	runner := replicate.Runner{}
	if spec.Runner != nil {
		runner = *spec.Runner
	}
	runner.Progress = func() {
		p.done++
		if spec.Progress != nil {
			spec.Progress(p.done, p.done+p.left())
		}
	}
	p.runner = &runner
	// One run first, so that a misspelt figure fails in a moment; a
	// figure that run lacks (a provider it never used) is looked for in
	// the first run of every configuration.
	if err := p.grow([]int{0}, 1); err != nil {
		return nil, err
	}
	if err := p.checkPaths(); err != nil {
		all := make([]int, len(cfgs))
		for i := range all {
			all[i] = i
		}
		if err := p.grow(all, 1); err != nil {
			return nil, err
		}
		if err := p.checkPaths(); err != nil {
			return nil, err
		}
	}
	if err := p.race(); err != nil {
		return nil, err
	}
	return p.result(sc), nil
}

// race is a plan under way.
type race struct {
	spec     Spec
	cfgs     []replicate.Config
	runner   *replicate.Runner
	runs     [][]sim.Summary
	sums     []replicate.Summary
	drop     []Drop
	beatenBy []int
	done     int
}

// left is the most runs the configurations still in the race can take.
func (p *race) left() int {
	n := 0
	for i := range p.cfgs {
		if p.drop[i] == Kept {
			n += p.spec.Replicates - len(p.runs[i])
		}
	}
	return n
}

// grow brings the configurations idx to k replicates each.
func (p *race) grow(idx []int, k int) error {
	var jobs []replicate.Job
	var owner []int
	for _, i := range idx {
		for r := len(p.runs[i]); r < k; r++ {
			jobs = append(jobs, replicate.Job{Config: &p.cfgs[i], Replicate: r})
			owner = append(owner, i)
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	sums, err := p.runner.RunJobs(jobs)
	if err != nil {
		return err
	}
	for j, s := range sums {
		p.runs[owner[j]] = append(p.runs[owner[j]], s)
	}
	for _, i := range idx {
		if p.sums[i], err = replicate.Summarize(p.runs[i], p.cfgs[i].Scenario.Seed); err != nil {
			return err
		}
	}
	return nil
}

// checkPaths checks the figures the spec names against the runs so far.
func (p *race) checkPaths() error {
	var paths []string
	seen := map[string]bool{}
	for i := range p.sums {
		for _, st := range p.sums[i].Stats {
			if !seen[st.Path] {
				seen[st.Path] = true
				paths = append(paths, st.Path)
			}
		}
	}
	names := []string{p.spec.Minimize}
	for _, r := range p.spec.Requires {
		names = append(names, r.Path)
	}
	for i, name := range names {
		if strings.HasPrefix(name, "neverPlacedByReason.") {
			continue
		}
		if err := replicate.CheckPath(paths, name); err != nil {
			what := "--minimize"
			if i > 0 {
				what = fmt.Sprintf("requirement %q", p.spec.Requires[i-1])
			}
			return fmt.Errorf("plan: %s: %w", what, err)
		}
	}
	return nil
}

// race runs the rounds: every configuration still in the race gets one
// more replicate (two in the first round), then the drops; at N, the
// configurations dropped as unable to win that the answer no longer
// excludes come back.
func (p *race) race() error {
	n := p.spec.Replicates
	target := min(2, n)
	if p.spec.Exhaustive {
		target = n
	}
	for {
		var alive []int
		for i := range p.cfgs {
			if p.drop[i] == Kept {
				alive = append(alive, i)
			}
		}
		if err := p.grow(alive, target); err != nil {
			return err
		}
		if target < n {
			p.dropRound(alive)
			target++
			continue
		}
		best := p.ranking()
		back := false
		for i := range p.cfgs {
			if p.drop[i] != CannotWin {
				continue
			}
			if len(best) == 0 || p.minimized(i).Low <= p.minimized(best[0]).High {
				p.drop[i], p.beatenBy[i] = Kept, 0
				back = true
			}
		}
		if !back {
			return nil
		}
	}
}

// dropRound drops, of the configurations alive, those that cannot meet a
// requirement and then those that cannot win.
func (p *race) dropRound(alive []int) {
	bound, by := 0.0, -1
	for _, i := range alive {
		if r := p.firstBroken(i, Requirement.CannotHold); r >= 0 {
			p.drop[i] = CannotMeet
			continue
		}
		if p.firstBroken(i, func(r Requirement, iv replicate.Interval) bool { return !r.Holds(iv) }) < 0 {
			if h := p.minimized(i).High; by < 0 || h < bound {
				bound, by = h, i
			}
		}
	}
	if by < 0 {
		return
	}
	for _, i := range alive {
		if p.drop[i] == Kept && p.minimized(i).Low > bound {
			p.drop[i], p.beatenBy[i] = CannotWin, by+1
		}
	}
}

// firstBroken returns the index of the first requirement broken says i
// breaks, or -1.
func (p *race) firstBroken(i int, broken func(Requirement, replicate.Interval) bool) int {
	for k, r := range p.spec.Requires {
		iv, _ := p.sums[i].Figure(r.Path)
		if broken(r, iv) {
			return k
		}
	}
	return -1
}

func (p *race) minimized(i int) replicate.Interval {
	iv, _ := p.sums[i].Figure(p.spec.Minimize)
	return iv
}

// ranking returns the configurations that ran every replicate and meet
// every requirement, lowest mean first.
func (p *race) ranking() []int {
	var out []int
	for i := range p.cfgs {
		if p.drop[i] == Kept && len(p.runs[i]) == p.spec.Replicates &&
			p.firstBroken(i, func(r Requirement, iv replicate.Interval) bool { return !r.Holds(iv) }) < 0 {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(p.minimized(a).Mean, p.minimized(b).Mean) })
	return out
}

func (p *race) result(sc *scenario.Scenario) *Result {
	method := "racing"
	if p.spec.Exhaustive {
		method = "exhaustive"
	}
	r := &Result{Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration), Minimize: p.spec.Minimize,
		Requires: p.spec.Requires, Replicates: p.spec.Replicates, Method: method, Closest: -1,
		Runs: p.done, GridRuns: len(p.cfgs) * p.spec.Replicates}
	for _, sp := range p.spec.Params {
		r.Params = append(r.Params, sp.Path)
	}
	notHeld := func(q Requirement, iv replicate.Interval) bool { return !q.Holds(iv) }
	ranking := p.ranking()
	for i, c := range p.cfgs {
		cand := Candidate{Number: i + 1, Values: c.Values, Summary: p.sums[i], Drop: p.drop[i], BeatenBy: p.beatenBy[i],
			Broken: p.firstBroken(i, notHeld)}
		cand.Meets = slices.Contains(ranking, i)
		r.Candidates = append(r.Candidates, cand)
	}
	r.Ranking = ranking[:min(len(ranking), 1+p.spec.RunnersUp)]
	if len(ranking) == 0 {
		best := -1.0
		for i := range p.cfgs {
			v := 0.0
			for _, q := range p.spec.Requires {
				iv, _ := p.sums[i].Figure(q.Path)
				v += q.violation(q.Pessimistic(iv))
			}
			if r.Closest < 0 || v < best {
				r.Closest, best = i, v
			}
		}
	}
	return r
}

// Sweep returns the plan's configurations as a sweep, each with the
// replicates it ran: the rows of sweep.csv and sweep.json.
func (r *Result) Sweep() *replicate.SweepResult {
	out := &replicate.SweepResult{Scenario: r.Scenario, Seed: r.Seed, Duration: r.Duration, Params: r.Params, Replicates: r.Replicates}
	for _, c := range r.Candidates {
		out.Rows = append(out.Rows, replicate.Row{Values: c.Values, Summary: c.Summary})
	}
	return out
}
