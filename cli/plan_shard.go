package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/berthsched/berth/shard"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/plan"
	"github.com/berthsched/berth/sim/replicate"
	"github.com/berthsched/berth/sim/scenario"
)

// A plan split over machines runs in rounds. Each round is one array job:
// every shard reads the rounds before it from --out DIR, replays the race
// from their runs up to the first runs it lacks (the same on every shard:
// the race depends only on the runs), runs its share of those, and writes
// them to DIR/round-R/shard-K-of-N.jsonl. berth merge DIR replays the race
// the same way: when it needs no run it lacks, it prints and writes the
// plan's answer, byte for byte the one-machine answer; otherwise it says
// that the plan needs another round (exit 3), and the same array job is
// submitted again. The first round runs what the race's first round
// runs: two replicates of every configuration (or all N with
// --exhaustive).

// planArgsFile holds the plan's arguments in DIR, for berth merge.
const planArgsFile = "plan-args.json"

// exitNeedsRound is berth merge's exit status when a plan needs another
// round.
const exitNeedsRound = 3

// errNeedsRound is berth merge's error when a plan needs another round.
type errNeedsRound struct {
	round, runs int
}

func (e *errNeedsRound) Error() string {
	return fmt.Sprintf("the plan needs round %d (%d runs): submit the same array job again, then merge", e.round, e.runs)
}

// planRun is one run of a round in a shard's records.
type planRun struct {
	Config    int         `json:"config"`
	Replicate int         `json:"replicate"`
	Summary   sim.Summary `json:"summary"`
}

// planRounds is what a plan's output directory holds: the runs of its
// complete rounds, and whether the round after them is under way.
type planRounds struct {
	runs     map[[2]int]sim.Summary
	complete int  // rounds 1..complete are complete
	partial  bool // round complete+1 has some shards' results
	input    string
}

// readPlanRounds reads DIR/round-1, round-2, ...: every round must be
// complete but the last, which may be under way (partial) unless strict.
func readPlanRounds(dir string, strict bool) (*planRounds, error) {
	pr := &planRounds{runs: map[[2]int]sim.Summary{}}
	for r := 1; ; r++ {
		rd := filepath.Join(dir, "round-"+strconv.Itoa(r))
		if _, err := os.Stat(rd); errors.Is(err, fs.ErrNotExist) {
			return pr, nil
		}
		if files, _ := filepath.Glob(filepath.Join(rd, "shard-*-of-*.jsonl")); len(files) == 0 && !strict {
			// A round whose first shard is still running.
			pr.partial = true
			return pr, nil
		}
		set, err := shard.Read([]string{rd})
		var miss *shard.MissingError
		if errors.As(err, &miss) && !strict {
			if _, err := os.Stat(filepath.Join(dir, "round-"+strconv.Itoa(r+1))); err == nil {
				return nil, fmt.Errorf("%s: round %d: %v", dir, r, err)
			}
			pr.partial = true
			return pr, nil
		}
		if err != nil {
			return nil, fmt.Errorf("round %d: %w", r, err)
		}
		if set.Kind != "plan" {
			return nil, fmt.Errorf("%s: a %s run's results; expected a plan's rounds", rd, set.Kind)
		}
		if pr.input != "" && set.Input != pr.input {
			return nil, fmt.Errorf("%s: results of another plan than round 1's (other scenario or flags); expected one plan's rounds", rd)
		}
		pr.input = set.Input
		for _, rec := range set.Records {
			var x planRun
			if err := json.Unmarshal(rec.Result, &x); err != nil {
				return nil, fmt.Errorf("%s: task %d (shard %s): result: %v", rd, rec.Task, rec.Shard, err)
			}
			pr.runs[[2]int{x.Config, x.Replicate}] = x.Summary
		}
		pr.complete = r
	}
}

// planHash hashes the plan's arguments: shards of one plan agree on it.
func planHash(a planQuestion) (string, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return "", err
	}
	h := newInputHash("plan")
	h.add(string(b))
	return h.sum(), nil
}

// replay runs the plan from the runs in pr. It returns the result when
// the plan needs no other run, else the runs it needs next, in
// configuration and replicate order.
func replayPlan(sc *scenario.Scenario, spec plan.Spec, cfgs []replicate.Config, pr *planRounds) (*plan.Result, [][2]int, error) {
	index := map[string]int{}
	for i := range cfgs {
		index[configKey(&cfgs[i])] = i
	}
	var mu sync.Mutex
	need := map[[2]int]bool{}
	errNeed := errors.New("run not done yet")
	spec.Runner = &replicate.Runner{Replay: func(j replicate.Job) (sim.Summary, error) {
		i, ok := index[configKey(j.Config)]
		if !ok {
			return sim.Summary{}, fmt.Errorf("plan: configuration %q is not among the plan's", j.Config.Values)
		}
		k := [2]int{i, j.Replicate}
		if s, ok := pr.runs[k]; ok {
			return s, nil
		}
		mu.Lock()
		need[k] = true
		mu.Unlock()
		return sim.Summary{}, errNeed
	}}
	res, err := plan.Plan(sc, spec)
	if errors.Is(err, errNeed) {
		var out [][2]int
		for k := range need {
			out = append(out, k)
		}
		slices.SortFunc(out, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
		return nil, out, nil
	}
	return res, nil, err
}

// configKey names a configuration by its values and variant.
func configKey(c *replicate.Config) string {
	b, _ := json.Marshal(struct {
		V []string
		P scenario.Variant
	}{c.Values, c.Variant})
	return string(b)
}

// runPlanShard runs shard --shard of the plan's current round.
func runPlanShard(e *env, sf shardFlags, a planQuestion, out string) error {
	if out == "" {
		return usagef("--shard needs --out DIR: the directory the plan's rounds go to")
	}
	s, err := sf.resolve(e)
	if err != nil {
		return err
	}
	if a.ScenarioPath != "" && a.ScenarioPath != "-" {
		b, err := os.ReadFile(a.ScenarioPath)
		if err != nil {
			return fmt.Errorf("--scenario: %w", err)
		}
		a.Scenario = string(b)
		if abs, err := filepath.Abs(a.ScenarioPath); err == nil {
			a.ScenarioPath = abs
		}
	} else if a.ScenarioPath == "-" {
		return usagef("--shard needs the scenario in a file, not on stdin: every shard reads it")
	}
	sc, open, spec, err := a.setup(e)
	if err != nil {
		return err
	}
	cfgs, err := replicate.Configs(sc, spec.Params, spec.Variants)
	if err != nil {
		return planError(err)
	}
	if len(cfgs)*spec.Replicates > scenario.MaxSweepRuns {
		return usagef("%d configurations times %d replicates, more than %d runs", len(cfgs), spec.Replicates, scenario.MaxSweepRuns)
	}
	input, err := planHash(a)
	if err != nil {
		return err
	}
	pr, err := readPlanRounds(out, false)
	if err != nil {
		return err
	}
	if pr.input != "" && pr.input != input {
		return fmt.Errorf("--out %q: holds the rounds of another plan (other scenario or flags); expected this plan's rounds or an empty directory", out)
	}
	round := pr.complete + 1
	var need [][2]int
	if pr.complete == 0 {
		first := min(2, spec.Replicates)
		if spec.Exhaustive {
			first = spec.Replicates
		}
		for i := range cfgs {
			for k := range first {
				need = append(need, [2]int{i, k})
			}
		}
	} else {
		res, n, err := replayPlan(sc, spec, cfgs, pr)
		if err != nil {
			return planError(err)
		}
		if res != nil {
			fmt.Fprintf(e.stderr, "berth plan: shard %s: the plan is complete after %d rounds: nothing to run; berth merge %s prints it\n", s, pr.complete, out)
			return nil
		}
		need = n
	}
	if err := writePlanArgs(out, a); err != nil {
		return err
	}
	mine := shard.Mine(make([]shard.Task, len(need)), s)
	jobs := make([]replicate.Job, len(mine))
	for i, t := range mine {
		jobs[i] = replicate.Job{Config: &cfgs[need[t][0]], Replicate: need[t][1]}
	}
	runner, progress := progressRunner(e, sc, open, len(jobs))
	sums, err := runner.RunJobs(jobs)
	progress.clear()
	if err != nil {
		return err
	}
	version := versionLine()
	recs := make([]shard.Record, len(mine))
	for i, t := range mine {
		b, err := json.Marshal(planRun{Config: need[t][0], Replicate: need[t][1], Summary: sums[i]})
		if err != nil {
			return err
		}
		recs[i] = shard.Record{Kind: "plan", Version: version, Input: input, Shard: s.String(), Task: t, Tasks: len(need),
			Params: map[string]string{"round": strconv.Itoa(round), "config": strconv.Itoa(need[t][0] + 1), "replicate": strconv.Itoa(need[t][1])},
			Result: b}
	}
	return writeShard(e, filepath.Join(out, "round-"+strconv.Itoa(round)), s, recs)
}

// writePlanArgs writes the plan's arguments into dir once (every shard
// writes the same bytes; the rename makes it whole).
func writePlanArgs(dir string, a planQuestion) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	if err := shard.WriteAtomic(filepath.Join(dir, planArgsFile), append(b, '\n')); err != nil {
		return fmt.Errorf("--out %q: %w", dir, unwrapPath(err))
	}
	return nil
}

// isPlanDir reports whether dir holds a plan's rounds.
func isPlanDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, planArgsFile))
	return err == nil
}

// mergePlan replays a plan split over machines from the rounds in dir and
// writes its answer as berth plan would, or says that it needs another
// round.
func mergePlan(e *env, dir string, out *outputItem) (*plan.Result, error) {
	b, err := os.ReadFile(filepath.Join(dir, planArgsFile))
	if err != nil {
		return nil, err
	}
	var a planQuestion
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%s: %v; expected the plan arguments berth plan --shard writes", filepath.Join(dir, planArgsFile), err)
	}
	input, err := planHash(a)
	if err != nil {
		return nil, err
	}
	pr, err := readPlanRounds(dir, true)
	if err != nil {
		return nil, err
	}
	if pr.complete == 0 {
		return nil, fmt.Errorf("%s: no complete round; expected the --out directory of berth plan --shard", dir)
	}
	if pr.input != input {
		return nil, fmt.Errorf("%s: the rounds are of another plan than %s describes", dir, planArgsFile)
	}
	sc, _, spec, err := a.setup(e)
	if err != nil {
		return nil, err
	}
	cfgs, err := replicate.Configs(sc, spec.Params, spec.Variants)
	if err != nil {
		return nil, planError(err)
	}
	res, need, err := replayPlan(sc, spec, cfgs, pr)
	if err != nil {
		return nil, planError(err)
	}
	if res == nil {
		return nil, &errNeedsRound{round: pr.complete + 1, runs: len(need)}
	}
	return res, writePlanOutputs(e, out, res, reportNotes(sc))
}
