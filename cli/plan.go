package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/plan"
	"github.com/berthsched/berth/sim/replicate"
	"github.com/berthsched/berth/sim/report"
	"github.com/berthsched/berth/sim/scenario"

	flag "github.com/spf13/pflag"
)

func planCommand() *command {
	return &command{
		name:       "plan",
		summary:    "find the cheapest configuration that meets your requirements",
		strategies: true,
		usage: `Find the configuration of a scenario with the lowest figure (cost) whose
requirements (time to start, tasks lost...) hold, judged over replicates.

Usage:
  berth plan --scenario FILE --vary PARAM=v1,v2,... [--vary ...]
             --minimize FIGURE [--require 'FIGURE <= VALUE' ...]
             [--replicates N] [--seed N] [--strategy LIST ...]
             [--exhaustive] [--out DIR]

--vary is --sweep's PARAM=v1,v2,... of berth sim: a path into the
scenario's JSON and its values; every combination is a configuration, once
per placement variant (--strategy, or the scenario's compare list).

FIGURE is a path into one run's summary.json (berth sim --out), the JSON
keys joined with dots, in which services, capacity providers and instance
types are addressed by name: cost, neverPlaced, peakInstances,
timeToPlaceSeconds.p99, services.web.timeToStartSeconds.p99,
services.web.belowDesiredPercent, providers.spot.peakInstances,
instanceTypes.m5.xlarge.cost. An unknown FIGURE is an error that lists the
closest names. --require takes <=, <, >= or >; repeat it for several.

Each configuration runs with --replicates seeds, seed, seed+1, ... (default
5). A requirement holds when it holds at the pessimistic end of the
figure's 95% confidence interval (Student's t over the replicates: the
upper end for <=, the lower for >=). The recommendation is the
configuration whose requirements all hold with the lowest mean FIGURE; the
runners-up follow (the next ones still in the race at its end), then every
other configuration with the requirement it broke or why it cannot win.

The configurations race rather than all running N times: every one runs
two replicates, then each round gives one more replicate to those still in
the race; a configuration leaves it as soon as its intervals show that it
cannot meet a requirement (even the optimistic end breaks it) or cannot
win (its FIGURE interval lies above the upper end of one that meets every
requirement). Once the race ends, any configuration dropped as unable to
win that the final answer's interval no longer excludes is run to N and
judged again. This is racing (Maron and Moore's Hoeffding races with
Student's t intervals), not successive halving: nothing is dropped on rank
alone. --exhaustive runs the whole grid instead, to check an answer. The
last line of the header says how many runs it took. Progress goes to
stderr when it is a terminal.

--shard K/N|auto with --out DIR splits the plan over an array job's tasks
in rounds: each round's shards run their share of the runs the race needs
next (the first round: two replicates of every configuration) into
DIR/round-R/, and berth merge DIR prints and writes the answer berth plan
gives on one machine, or exits 3 when the race needs another round: then
submit the same array job again. See berth merge --help and
docs/distributed.md.

--out DIR writes sweep.csv and sweep.json (every figure of every
configuration, as berth sim --sweep --out writes them, with the replicates
each ran), plan.json (the question, the answer and each configuration's
verdict) and report.html (the same on one self-contained page, with the
minimized figure plotted against each required one), all or nothing as
berth sim --out does.

Exit status: 0 when a configuration meets the requirements; 1 when none
does (the output names the closest), on invalid input or an output that
could not be written; 2 on a usage error.

Examples:
  berth plan --scenario examples/planner-web.json \
    --vary 'capacityProviders[1].maxSize=0,5' \
    --vary 'services[1].scaling.targetTracking[0].targetValue=2000,4000,8000' \
    --minimize cost --require 'services.web.timeToStartSeconds.p99 <= 200'
  berth plan --scenario examples/planner-web.json \
    --vary 'capacityProviders[0].managedScaling.targetCapacity=70,90' \
    --minimize cost --require 'services.web.belowDesiredPercent <= 1' \
    --require 'neverPlaced <= 0' --replicates 8 --seed 3 --out plan/
  berth plan --scenario examples/planner-web.json --vary 'capacityProviders[1].maxSize=0,5' \
    --strategy 'binpack(memory)' --strategy 'spread(instanceId)' --minimize cost --exhaustive
`,
		flags: func(fs *flag.FlagSet) func(*env, []string) error {
			scenarioFile := fs.String("scenario", "", "scenario `FILE` (JSON); default: the embedded scenario")
			seed := fs.String("seed", "", "the first replicate's seed (`N`); default: the scenario's")
			var varies, requires, strategies stringList
			fs.Var(&varies, "vary", "vary `PARAM=v1,v2,...` (repeatable: every combination is a configuration)")
			minimize := fs.String("minimize", "", "the `FIGURE` to make lowest, a path into summary.json (cost)")
			fs.Var(&requires, "require", "a requirement `'FIGURE <= VALUE'` (or <, >=, >; repeatable)")
			replicates := fs.Int("replicates", 5, "runs of each configuration, seeds seed..seed+`N`-1")
			fs.Var(&strategies, "strategy", "plan over this placement strategy `LIST` (repeatable)")
			exhaustive := fs.Bool("exhaustive", false, "run every configuration N times instead of racing")
			out := fs.String("out", "", "write sweep.csv, sweep.json and plan.json to `DIR`")
			sf := addShardFlags(fs)
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *minimize == "" {
					return usagef("--minimize: expected the FIGURE to make lowest, such as cost")
				}
				if *replicates < 1 || *replicates > scenario.MaxSweepRuns {
					return usagef("--replicates %d: expected 1 to %d", *replicates, scenario.MaxSweepRuns)
				}
				a := planQuestion{ScenarioPath: *scenarioFile, Seed: *seed, Vary: varies, Strategies: strategies,
					Minimize: *minimize, Require: requires, Replicates: *replicates, Exhaustive: *exhaustive}
				for _, s := range requires {
					if _, err := plan.ParseRequirement(s); err != nil {
						return usagef("--require: %v", err)
					}
				}
				if sf.given() {
					return runPlanShard(e, sf, a, *out)
				}
				return runPlan(e, a, *out)
			}
		},
	}
}

// planQuestion is what berth plan was asked: enough to run the plan again,
// as berth merge does for a plan split over machines.
type planQuestion struct {
	// Scenario is the scenario file's text, read by setup when
	// ScenarioPath is not ""; "" and "" is the embedded default.
	Scenario     string   `json:"scenario,omitempty"`
	ScenarioPath string   `json:"scenarioPath,omitempty"`
	Seed         string   `json:"seed,omitempty"`
	Vary         []string `json:"vary"`
	Strategies   []string `json:"strategies,omitempty"`
	Minimize     string   `json:"minimize"`
	Require      []string `json:"require,omitempty"`
	Replicates   int      `json:"replicates"`
	Exhaustive   bool     `json:"exhaustive,omitempty"`
}

// setup reads the scenario (from a.Scenario when it holds the text) and
// builds the plan's spec; the Runner is left to the caller.
func (a *planQuestion) setup(e *env) (*scenario.Scenario, func(string) (io.ReadCloser, error), plan.Spec, error) {
	var sc *scenario.Scenario
	var open func(string) (io.ReadCloser, error)
	var err error
	if a.Scenario != "" {
		if sc, err = scenario.ParseScenario([]byte(a.Scenario), a.ScenarioPath); err != nil {
			return nil, nil, plan.Spec{}, err
		}
		sc, open, err = forRun(sc, filepath.Dir(a.ScenarioPath), a.Seed)
	} else {
		sc, open, err = scenarioForRun(e, a.ScenarioPath, a.Seed)
	}
	if err != nil {
		return nil, nil, plan.Spec{}, err
	}
	spec := plan.Spec{Minimize: a.Minimize, Replicates: a.Replicates, Exhaustive: a.Exhaustive}
	for _, s := range a.Require {
		q, err := plan.ParseRequirement(s)
		if err != nil {
			return nil, nil, plan.Spec{}, usagef("--require: %v", err)
		}
		spec.Requires = append(spec.Requires, q)
	}
	if spec.Params, err = parseSweepFlags("--vary", a.Vary); err != nil {
		return nil, nil, plan.Spec{}, err
	}
	if spec.Variants, err = parseStrategyFlags(e.strategies, a.Strategies); err != nil {
		return nil, nil, plan.Spec{}, err
	}
	return sc, open, spec, nil
}

// runPlan runs berth plan: exit 1 (errNoneMeets) when no configuration
// meets the requirements, after the answer is printed and written.
func runPlan(e *env, a planQuestion, out string) error {
	sc, open, spec, err := a.setup(e)
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
		defer outs.abortOnInterrupt(e, "plan")()
	}
	progress := newRunProgress(e, "runs")
	spec.Runner = &replicate.Runner{Open: open, NewStrategy: runStrategies(e.strategies, sc, open)}
	spec.Progress = progress.update
	start := time.Now()
	res, err := plan.Plan(sc, spec)
	progress.clear()
	if err := planError(err); err != nil {
		return err
	}
	if err := writePlanOutputs(e, outDir, res, reportNotes(sc)); err != nil {
		return err
	}
	if out != "" {
		if err := outs.commit(); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "berth plan: wrote %s in %.1fs\n", out, time.Since(start).Seconds())
	}
	if res.Best() == nil {
		return errNoneMeets
	}
	return nil
}

// planError turns plan.Plan's errors about the question into usage
// errors.
func planError(err error) error {
	switch {
	case errors.Is(err, sim.ErrTooManyRuns), errors.Is(err, replicate.ErrUnknownFigure):
		return usagef("%v", fielderr.Inner(err))
	}
	return err
}

// writePlanOutputs prints the plan's answer and, when dir is not nil,
// writes sweep.csv, sweep.json, plan.json and report.html into it.
func writePlanOutputs(e *env, dir *outputItem, res *plan.Result, notes report.Notes) error {
	var b bytes.Buffer
	if err := report.WritePlan(&b, res); err != nil {
		return err
	}
	if _, err := e.stdout.Write(b.Bytes()); err != nil {
		return err
	}
	if dir == nil {
		return nil
	}
	if err := writeSweepData(dir, res.Sweep()); err != nil {
		return err
	}
	if err := writeOutput(dir, "plan.json", func(w io.Writer) error { return report.WritePlanJSON(w, res) }); err != nil {
		return err
	}
	return writeOutput(dir, "report.html", func(w io.Writer) error { return report.WriteHTML(w, report.PlanPage(res, notes)) })
}

// errNoneMeets is berth plan's exit 1 when no configuration meets the
// requirements; the output already says so.
var errNoneMeets = errors.New("no configuration meets the requirements")

// parseSweepFlags reads --sweep or --vary values: PARAM=v1,v2,..., each
// PARAM once.
func parseSweepFlags(flagName string, values []string) ([]scenario.SweepParam, error) {
	var params []scenario.SweepParam
	for _, s := range values {
		p, err := scenario.ParseSweep(s)
		if err != nil {
			return nil, usagef("%s: %v", flagName, fielderr.Inner(err))
		}
		for _, q := range params {
			if q.Path == p.Path {
				return nil, usagef("%s: parameter %q given twice; expected each PARAM once, with all its values (PARAM=v1,v2,...)", flagName, p.Path)
			}
		}
		params = append(params, p)
	}
	return params, nil
}

// writeOutput fills one file of a reserved --out directory.
func writeOutput(dir *outputItem, name string, fill func(io.Writer) error) error {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return dir.write(name, b.Bytes())
}

// writeSweepData writes sweep.csv and sweep.json.
func writeSweepData(dir *outputItem, r *replicate.SweepResult) error {
	if err := writeOutput(dir, "sweep.csv", func(w io.Writer) error { return report.WriteSweepCSV(w, r) }); err != nil {
		return err
	}
	return writeOutput(dir, "sweep.json", func(w io.Writer) error { return report.WriteSweepJSON(w, r) })
}

// replicatesFlag checks berth sim's --replicates: 0 (not given) means one
// run per configuration and today's outputs.
func replicatesFlag(n int) (int, error) {
	if n < 0 || n > scenario.MaxSweepRuns {
		return 0, usagef("--replicates %d: expected 1 to %d", n, scenario.MaxSweepRuns)
	}
	return max(n, 1), nil
}
