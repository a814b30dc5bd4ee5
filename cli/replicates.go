package cli

import (
	"bytes"
	"io"

	"github.com/berthsched/berth/sim/replicate"
	"github.com/berthsched/berth/sim/report"
	"github.com/berthsched/berth/sim/scenario"
)

// sweepRuns runs a sweep's configurations with their replicates, with a
// progress line on a terminal.
func sweepRuns(e *env, sc *scenario.Scenario, open func(string) (io.ReadCloser, error), params []scenario.SweepParam, variants []scenario.Variant, replicates int) (*replicate.SweepResult, error) {
	total := 0
	if cfgs, err := replicate.Configs(sc, params, variants); err == nil {
		total = len(cfgs) * replicates
	}
	run, progress := progressRunner(e, sc, open, total)
	defer progress.clear()
	return replicate.Sweep(sc, params, variants, replicates, run)
}

// progressRunner returns a runner of sc's runs that updates a progress
// line (on a terminal) as each of total runs ends; clear the line when
// done.
func progressRunner(e *env, sc *scenario.Scenario, open func(string) (io.ReadCloser, error), total int) (*replicate.Runner, *runProgress) {
	progress := newRunProgress(e, "runs")
	done := 0
	return &replicate.Runner{Open: open, NewStrategy: runStrategies(e.strategies, sc, open), Progress: func() {
		done++
		progress.update(done, total)
	}}, progress
}

// runReplicated runs berth sim --replicates N: every variant N times, a
// table of each figure's mean and interval per variant, and with --out
// summary.json with those intervals, sweep.csv and sweep.json.
func runReplicated(e *env, scenarioPath, seed string, strategies []string, out string, replicates int) error {
	sc, open, err := scenarioForRun(e, scenarioPath, seed)
	if err != nil {
		return err
	}
	variants, err := parseStrategyFlags(e.strategies, strategies)
	if err != nil {
		return err
	}
	var outs outputs
	defer outs.abort()
	var outDir *outputItem
	if out != "" {
		if outDir, err = outs.dir("--out", out); err != nil {
			return err
		}
		defer outs.abortOnInterrupt(e, "sim")()
	}
	res, err := sweepRuns(e, sc, open, nil, variants, replicates)
	if err != nil {
		return err
	}
	if err := writeReplicatedOutputs(e, outDir, res); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	return outs.commit()
}

// writeReplicatedOutputs prints the table of berth sim --replicates and,
// when dir is not nil, writes summary.json, sweep.csv and sweep.json
// into it.
func writeReplicatedOutputs(e *env, dir *outputItem, res *replicate.SweepResult) error {
	var b bytes.Buffer
	if err := report.WriteReplicatedTable(&b, res); err != nil {
		return err
	}
	if _, err := e.stdout.Write(b.Bytes()); err != nil {
		return err
	}
	if dir == nil {
		return nil
	}
	if err := writeOutput(dir, "summary.json", func(w io.Writer) error { return report.WriteReplicatedSummary(w, res) }); err != nil {
		return err
	}
	return writeSweepData(dir, res)
}
