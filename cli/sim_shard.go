package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/shard"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/replicate"
	"github.com/berthsched/berth/sim/report"
	"github.com/berthsched/berth/sim/scenario"
)

// simShardResult is one run of a sharded berth sim (a configuration of a
// sweep and one replicate) in a shard's records: the run's summary and
// what berth merge needs to lay the runs out as one machine would.
type simShardResult struct {
	// Sweep is true for a --sweep run, false for --replicates alone.
	Sweep      bool          `json:"sweep"`
	Scenario   string        `json:"scenario"`
	Seed       uint64        `json:"seed"`
	Duration   time.Duration `json:"duration"`
	Params     []string      `json:"params"`
	Replicates int           `json:"replicates"`
	Configs    int           `json:"configs"`
	// Config is the configuration's index, Values its parameter values,
	// FirstSeed the seed of its replicate 0 and Replicate this run's.
	Config    int         `json:"config"`
	Values    []string    `json:"values"`
	FirstSeed uint64      `json:"firstSeed"`
	Replicate int         `json:"replicate"`
	Summary   sim.Summary `json:"summary"`
	// Notes are the scenario's not-modelled and assumed lists, for
	// report.html.
	Notes report.Notes `json:"notes"`
}

// runSimShard runs shard --shard of a sweep's (or --replicates')
// configuration x replicate runs and writes their summaries into out for
// berth merge. The runs' costs are not known ahead, so they are dealt
// round robin in configuration order.
func runSimShard(e *env, sf shardFlags, scenarioPath, seed string, strategies, sweeps []string, out string, replicates int) error {
	if out == "" {
		return usagef("--shard needs --out DIR: the directory the shard's results go to")
	}
	if len(sweeps) == 0 && replicates < 2 {
		return usagef("--shard splits the runs of a --sweep or of --replicates N; a single run is one task")
	}
	s, err := sf.resolve(e)
	if err != nil {
		return err
	}
	sc, open, err := scenarioForRun(e, scenarioPath, seed)
	if err != nil {
		return err
	}
	params, err := parseSweepFlags("--sweep", sweeps)
	if err != nil {
		return err
	}
	variants, err := parseStrategyFlags(e.strategies, strategies)
	if err != nil {
		return err
	}
	h := newInputHash("sim")
	if scenarioPath == "" {
		h.add("default", string(scenario.DefaultScenarioJSON()))
	} else if err := h.addFile("--scenario", scenarioPath); err != nil {
		return err
	}
	h.add("seed", strconv.FormatUint(sc.Seed, 10), "replicates", strconv.Itoa(replicates))
	for _, p := range sweeps {
		h.add("sweep", p)
	}
	for _, st := range strategies {
		h.add("strategy", st)
	}
	cfgs, err := replicate.Configs(sc, params, variants)
	if errors.Is(err, sim.ErrTooManyRuns) {
		return usagef("--sweep: %v", fielderr.Inner(err))
	}
	if err != nil {
		return err
	}
	if len(cfgs)*replicates > scenario.MaxSweepRuns {
		return usagef("--replicates: %d configurations times %d replicates, more than %d runs", len(cfgs), replicates, scenario.MaxSweepRuns)
	}
	var jobs []replicate.Job
	for i := range cfgs {
		for k := range replicates {
			jobs = append(jobs, replicate.Job{Config: &cfgs[i], Replicate: k})
		}
	}
	mine := shard.Mine(make([]shard.Task, len(jobs)), s)
	run := make([]replicate.Job, len(mine))
	for i, k := range mine {
		run[i] = jobs[k]
	}
	runner, progress := progressRunner(e, sc, open, len(run))
	sums, err := runner.RunJobs(run)
	progress.clear()
	if err != nil {
		return err
	}
	var paramNames []string
	for _, p := range params {
		paramNames = append(paramNames, p.Path)
	}
	version, input := versionLine(), h.sum()
	recs := make([]shard.Record, len(mine))
	for i, k := range mine {
		ci := k / replicates
		res := simShardResult{
			Sweep: len(sweeps) > 0, Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration),
			Params: paramNames, Replicates: replicates, Configs: len(cfgs),
			Config: ci, Values: cfgs[ci].Values, FirstSeed: cfgs[ci].Scenario.Seed, Replicate: k % replicates, Summary: sums[i],
			Notes: reportNotes(sc),
		}
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		recs[i] = shard.Record{Kind: "sim", Version: version, Input: input, Shard: s.String(), Task: k, Tasks: len(jobs),
			Params: map[string]string{"config": strconv.Itoa(ci + 1), "seed": strconv.FormatUint(cfgs[ci].Scenario.Seed+uint64(k%replicates), 10)},
			Result: b}
	}
	return writeShard(e, out, s, recs)
}

// mergeSim lays a sharded berth sim's runs out as one machine's sweep or
// replicated run and writes what that run writes.
func mergeSim(e *env, set *shard.Set, out *outputItem) error {
	var first simShardResult
	var res *replicate.SweepResult
	var runs [][]sim.Summary
	var firstSeed []uint64
	var values [][]string
	for i, r := range set.Records {
		var x simShardResult
		if err := json.Unmarshal(r.Result, &x); err != nil {
			return fmt.Errorf("task %d (shard %s): result: %v", r.Task, r.Shard, err)
		}
		if i == 0 {
			first = x
			if x.Replicates < 1 || x.Configs < 1 || x.Configs*x.Replicates != len(set.Records) {
				return fmt.Errorf("task 0 (shard %s): %d configurations times %d replicates, but the run has %d tasks", r.Shard, x.Configs, x.Replicates, len(set.Records))
			}
			res = &replicate.SweepResult{Scenario: x.Scenario, Seed: x.Seed, Duration: x.Duration, Params: x.Params, Replicates: x.Replicates}
			runs = make([][]sim.Summary, x.Configs)
			firstSeed = make([]uint64, x.Configs)
			values = make([][]string, x.Configs)
		}
		if x.Config != r.Task/first.Replicates || x.Replicate != r.Task%first.Replicates {
			return fmt.Errorf("task %d (shard %s): configuration %d replicate %d; expected configuration %d replicate %d", r.Task, r.Shard, x.Config, x.Replicate, r.Task/first.Replicates, r.Task%first.Replicates)
		}
		runs[x.Config] = append(runs[x.Config], x.Summary)
		firstSeed[x.Config], values[x.Config] = x.FirstSeed, x.Values
	}
	for i := range runs {
		s, err := replicate.Summarize(runs[i], firstSeed[i])
		if err != nil {
			return err
		}
		res.Rows = append(res.Rows, replicate.Row{Values: values[i], Summary: s})
	}
	if first.Sweep {
		return writeSweepOutputs(e, out, res, first.Notes)
	}
	return writeReplicatedOutputs(e, out, res)
}
