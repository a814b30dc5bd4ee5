package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/docker"
	"github.com/berthsched/berth/sim/replicate"
	"github.com/berthsched/berth/sim/report"
	"github.com/berthsched/berth/sim/scenario"

	flag "github.com/spf13/pflag"
)

func simCommand() *command {
	return &command{
		name:       "sim",
		summary:    "simulate a fleet and compare placement strategies",
		strategies: true,
		usage: `Simulate a fleet of container instances replaying a workload through ECS
placement, once per placement strategy, and compare the runs side by side.

Usage:
  berth sim [--scenario FILE] [--seed N] [--strategy LIST ...] [--out DIR]
  berth sim --executor docker [--docker-host [PATTERN=]URL ...] [--time-scale N]
            [--scale-resources F] [--cpu-quota] [--stop-timeout D] [--contention] [...]

With no --scenario, berth runs its embedded default: five instance types
over three availability zones, each a capacity provider with managed
scaling (399 instances at the start), and a day of mixed work (about
10,000 tasks), compared under five strategies. --print-scenario prints that
scenario's JSON, a starting point for your own (see docs/scenario.md).

stdout is the summary table, byte-identical for the same scenario and
seed. --out DIR also writes summary.json, timeseries.csv, one event log per
strategy (events-A.jsonl, ...: berth's native JSON Lines format), plot.png
and report.html (the table and the time series on one self-contained
page). Progress goes to stderr when it is a terminal.

A strategy LIST is ECS's placementStrategy written inline, first to last:
  spread(attribute:ecs.availability-zone),binpack(memory)
  binpack(cpu)   spread(instanceId)   random
The FGD paper's GPU-sharing policies are strategies too: fgd, bestfit,
gpupacking, gpuclustering, dotprod, and berth's balancedfit (on the
"gpu-model" attribute; fgd and balancedfit learn their typical pods from
the scenario's workload). So are the
strategies a program built on berth's cli package registers (listed
below when there are any), in --strategy and in the scenario's variants.
Each --strategy is one variant; they replace the scenario's compare list.

--sweep PARAM=v1,v2,... runs the scenario once per value (repeat it to
sweep several parameters: every combination runs) and prints one table,
one row per run, instead of the comparison. PARAM is a path into the
scenario's JSON: seed, capacityProviders[0].managedScaling.targetCapacity,
services[1].desiredCount, fleet.pools[0].zones.us-east-1a... The runs go in
parallel on the machine's cores; the table is the same whatever their
order. With --out, the table is also written to DIR/sweep.txt, a plot
of cost against time to place p99 to DIR/sweep.png, both to
DIR/report.html, and every figure of summary.json per run, the
parameters' values as columns, to DIR/sweep.csv and DIR/sweep.json. Progress (runs done, rate, time left) goes to stderr
when it is a terminal.

--replicates N runs every configuration (each variant, each sweep point)
with N seeds: seed, seed+1, ..., seed+N-1. Every figure is then a mean
with its 95% confidence interval (Student's t): the table prints mean ±
half-width, summary.json, sweep.csv and sweep.json give each figure F as
F (or mean), F.ci95Low and F.ci95High. A sweep's table is then sorted by
cost and names, for each row, the rows whose cost intervals overlap: the
replicates cannot tell them apart. Without a sweep, --out with
--replicates writes summary.json, sweep.csv and sweep.json only (for a
run's event log, series and plots, run its seed without --replicates).
Without --replicates every output is as described above. To find the
cheapest configuration that meets a requirement, see berth plan.

--shard K/N runs only shard K (from 0) of N of a sweep's or of
--replicates' runs (configuration x seed, dealt round robin) and writes
their summaries into the directory --out names as shard-K-of-N.jsonl
(shards may share it); berth merge prints and writes what the same run
on one machine would have, byte for byte. --shard auto takes K and N from
a Slurm job array, a Kubernetes Indexed Job (with --shards N or
BERTH_SHARDS) or an AWS Batch array job; see docs/distributed.md.

A compared variant (--strategy, or the scenario's compare list) is the
placement strategy of the workload's tasks and of every REPLICA service
on EC2 capacity that gives no placementStrategy of its own (a DAEMON or a
Fargate service takes none); a variant that applies to nothing in the
scenario is an error.

Scenarios with services, capacity providers, Fargate or scheduled tasks
(docs/planner.md) add rows per service and cost per provider to the table,
and --out writes per variant service-events-A.jsonl (ECS's service event
messages), scaling-A.csv (scaling activities and their causes),
services-A.csv and providers-A.csv (timelines) and planner-A.png.

--executor docker replays the scenario on a Docker engine instead of the
virtual clock: every task runs as a container of berth's workload image
(built locally, no registry), in wall-clock time scaled by --time-scale
(trace seconds per wall second, default 60), and real exits, OOM kills and
instance losses come back to the simulator. The summary and --out files
are the docker run's; a comparison with the simulated run of the same
scenario and seed follows the table: placements equal or not, completion
order, per-task timing error. --docker-host URL sets the engine (default
DOCKER_HOST or the local socket); PATTERN=URL sends the instances whose id
matches PATTERN (m5-large-*) to another engine, one per pool for a real
fleet. Ctrl-C or SIGTERM removes the run's containers and exits 1; if an
engine goes away, berth exits 1 naming the containers left on it, and the
next run removes them. See docs/docker.md.

On a local engine with the cgroupfs driver each instance is a cgroup whose
CPU quota and memory limit are its registered CPU and memory, times
--scale-resources (0.25 runs a 4-vCPU instance in one core), and its tasks
run in it, so co-placed tasks compete as on a real host; a task's work is
a fixed amount of computation per trace second of CPU, so contention
stretches it. A contention table follows the comparison: per task the
simulated and real run time, the CPU it got, throttling and OOM kills; per
instance its CPU and memory pressure; and the tasks whose real run
exceeded the simulated one by more than --stretch-tolerance, with why.
--cpu-quota also caps each container at its cpu units; --stop-timeout is
how long a stopped container has after SIGTERM before SIGKILL (trace
time). --contention turns on the simulation's contention model (tasks on
an instance whose cpuUse exceeds its CPU slow down in proportion), for the
simulated runs with or without --executor docker.

Output files are written all or nothing: --out is checked before the run
and filled in a temporary directory beside it, which replaces DIR only once
complete. An existing DIR is replaced only if it is empty or was written by
berth (it lists its files in DIR/.berth-outputs); a DIR holding any other
file is an error, and nothing in it is deleted.

Exit status: 0 when the table is printed, even if tasks failed or were
never placed; 1 on invalid input, a failed or interrupted run, or an output
that could not be written; 2 on a usage error.

Examples:
  berth sim
  berth sim --seed 7 --out results/
  berth sim --strategy 'binpack(memory)' --strategy 'spread(instanceId)'
  berth sim --scenario examples/openb-replay.json --strategy fgd --strategy 'binpack(memory)'
  berth sim --print-scenario > my.json && berth sim --scenario my.json
  berth sim --scenario examples/docker-small.json --executor docker --time-scale 30
  berth sim --scenario examples/docker-small.json --executor docker --docker-host 'g4dn-*=tcp://gpu-host:2376'
  berth sim --scenario examples/docker-contention.json --executor docker --time-scale 1 --scale-resources 0.5 --contention
  berth sim --scenario examples/planner-web.json --out results/
  berth sim --scenario examples/dlrm-planning/scenario.json --sweep 'capacityProviders[0].managedScaling.targetCapacity=80,100'
  berth sim --scenario examples/planner-web.json --replicates 5 --strategy 'binpack(memory)' --strategy 'spread(instanceId)'
  berth sim --scenario examples/planner-web.json --sweep 'capacityProviders[1].maxSize=0,5' --replicates 5 --out sweep/
`,
		flags: func(fs *flag.FlagSet) func(*env, []string) error {
			scenarioFile := fs.String("scenario", "", "scenario `FILE` (JSON); default: the embedded scenario")
			seed := fs.String("seed", "", "override the scenario's seed (`N`)")
			out := fs.String("out", "", "write summary.json, timeseries.csv, event logs, plot.png and report.html to `DIR`")
			var strategies stringList
			var sweeps stringList
			fs.Var(&sweeps, "sweep", "run the scenario for each value of `PARAM=v1,v2,...` (repeatable: every combination) and print one table")
			fs.Var(&strategies, "strategy", "compare this strategy `LIST` (repeatable)")
			printScenario := fs.Bool("print-scenario", false, "print the embedded default scenario and exit")
			executor := fs.String("executor", "sim", "run tasks on `EXEC`: sim (the virtual clock) or docker (real containers)")
			var dockerHosts stringList
			fs.Var(&dockerHosts, "docker-host", "Docker endpoint `[PATTERN=]URL` for all instances, or those whose id matches PATTERN (repeatable)")
			timeScale := fs.Float64("time-scale", 60, "with --executor docker: trace seconds per wall second (`N`)")
			replicatesN := fs.Int("replicates", 0, "run each configuration with `N` seeds, seed..seed+N-1, and report means with 95% intervals")
			sf := addShardFlags(fs)
			contention := fs.Bool("contention", false, "simulate CPU contention: tasks on an instance whose cpuUse exceeds its CPU slow down in proportion")
			var dflags dockerFlags
			fs.Float64Var(&dflags.scaleResources, "scale-resources", 1, "with --executor docker: scale every instance's and task's CPU and memory by `F` in (0, 1]")
			fs.BoolVar(&dflags.cpuQuota, "cpu-quota", false, "with --executor docker: also cap each container's CPU at its cpu units (a CFS quota)")
			fs.DurationVar(&dflags.stopTimeout, "stop-timeout", 30*time.Second, "with --executor docker: time a stopped container has after SIGTERM before SIGKILL, in trace time (`D`), where its task definition gives none")
			fs.BoolVar(&dflags.cgroups, "instance-cgroups", true, "with --executor docker: bound each instance by a cgroup of its registered CPU and memory")
			fs.Float64Var(&dflags.tolerance, "stretch-tolerance", 0.2, "with --executor docker: name the tasks whose real run exceeds the simulated one by more than this fraction (`F`)")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *printScenario {
					_, err := e.stdout.Write(scenario.DefaultScenarioJSON())
					return err
				}
				switch {
				case *executor == "docker":
					if len(sweeps) > 0 {
						return usagef("--sweep runs on the virtual clock only, not with --executor docker")
					}
					if *replicatesN != 0 {
						return usagef("--replicates runs on the virtual clock only, not with --executor docker")
					}
					if sf.given() {
						return usagef("--shard splits sweeps and replicates on the virtual clock, not --executor docker")
					}
					dflags.hosts, dflags.scale, dflags.contention = dockerHosts, *timeScale, *contention
					return runSimDocker(e, *scenarioFile, *seed, strategies, *out, &dflags)
				case *executor != "sim":
					return usagef("--executor %q: expected sim or docker", *executor)
				case len(dockerHosts) > 0:
					return usagef("--docker-host needs --executor docker")
				}
				for _, name := range []string{"scale-resources", "cpu-quota", "stop-timeout", "instance-cgroups", "stretch-tolerance"} {
					if flagSet(fs, name) {
						return usagef("--%s needs --executor docker", name)
					}
				}
				replicates, err := replicatesFlag(*replicatesN)
				if err != nil {
					return err
				}
				if *contention && (len(sweeps) > 0 || replicates > 1 || sf.given()) {
					return usagef(`--contention with --sweep, --replicates or --shard: set "contention": true in the scenario instead`)
				}
				if sf.given() {
					return runSimShard(e, sf, *scenarioFile, *seed, strategies, sweeps, *out, replicates)
				}
				if len(sweeps) > 0 {
					return runSweep(e, *scenarioFile, *seed, strategies, sweeps, *out, replicates)
				}
				if replicates > 1 {
					return runReplicated(e, *scenarioFile, *seed, strategies, *out, replicates)
				}
				return runSim(e, *scenarioFile, *seed, strategies, *out, *contention)
			}
		},
	}
}

func runSim(e *env, scenarioPath, seed string, strategies []string, out string, contention bool) error {
	sc, open, err := scenarioForRun(e, scenarioPath, seed)
	if err != nil {
		return err
	}
	sc.Contention = sc.Contention || contention
	// Without --out only the table is printed: the runs keep no timeline.
	opts := sim.CompareOptions{Open: open, NewStrategy: runStrategies(e.strategies, sc, open), SummaryOnly: out == ""}
	if opts.Variants, err = parseStrategyFlags(e.strategies, strategies); err != nil {
		return err
	}
	var outs outputs
	defer outs.abort()
	var outDir *outputItem
	var logs []*bytes.Buffer
	if out != "" {
		if outDir, err = outs.dir("--out", out); err != nil {
			return err
		}
		defer outs.abortOnInterrupt(e, "sim")()
		n := len(opts.Variants)
		if n == 0 {
			n = len(sc.Variants())
		}
		logs = make([]*bytes.Buffer, n)
		opts.Log = func(i int, _ scenario.Variant) io.Writer {
			logs[i] = &bytes.Buffer{}
			return logs[i]
		}
	}
	start := time.Now()
	if e.stderrIsTerminal {
		opts.Progress = progressReporter(e.stderr, start)
	}
	cmp, err := sim.Compare(sc, opts)
	if err != nil {
		return err
	}
	if e.stderrIsTerminal {
		fmt.Fprintf(e.stderr, "\r%-60s\r", "")
	}
	if err := report.WriteTable(e.stdout, cmp); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	return commitSimOutputs(e, &outs, outDir, out, cmp, logs, reportNotes(sc), start)
}

// scenarioForRun loads the scenario (or the default), applies --seed, and
// returns an opener for the files it names, relative to the scenario file.
func scenarioForRun(e *env, path, seed string) (*scenario.Scenario, func(string) (io.ReadCloser, error), error) {
	sc, dir, err := loadScenario(e, path)
	if err != nil {
		return nil, nil, err
	}
	return forRun(sc, dir, seed)
}

// forRun applies --seed to sc and returns it with the opener of the files
// it names, relative paths resolved against dir.
func forRun(sc *scenario.Scenario, dir, seed string) (*scenario.Scenario, func(string) (io.ReadCloser, error), error) {
	if seed != "" {
		n, err := strconv.ParseUint(seed, 10, 64)
		if err != nil {
			return nil, nil, usagef("--seed %q: expected a non-negative integer", seed)
		}
		sc.Seed = n
	}
	open := func(name string) (io.ReadCloser, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return os.Open(name)
	}
	return sc, open, nil
}

// loadScenario reads the scenario file (or the default) and returns the
// directory its relative paths are resolved against. It prints the ECS
// fields the scenario gave that berth does not model to stderr, one line
// each.
func loadScenario(e *env, path string) (*scenario.Scenario, string, error) {
	if path == "" {
		return scenario.DefaultScenario(), ".", nil
	}
	var r io.Reader
	name := path
	if path == "-" {
		r, name = e.stdin, "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", err
		}
		defer f.Close()
		r = f
	}
	sc, err := scenario.ReadScenario(r, name)
	if err != nil {
		return nil, "", err
	}
	// The ECS fields the scenario's ECS documents gave but berth ignores:
	// the run would differ from the real service only in them.
	for _, p := range sc.NotModelled() {
		fmt.Fprintf(e.stderr, "berth sim: not modelled: %s\n", p)
	}
	return sc, filepath.Dir(path), nil
}

// commitSimOutputs writes a run's --out directory, puts it in place and
// says so on stderr.
func commitSimOutputs(e *env, outs *outputs, dir *outputItem, out string, cmp *sim.Comparison, logs []*bytes.Buffer, notes report.Notes, start time.Time) error {
	if err := writeSimOutputs(dir, cmp, logs, notes); err != nil {
		return err
	}
	if err := outs.commit(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "berth sim: wrote %s in %.1fs\n", out, time.Since(start).Seconds())
	return nil
}

// writeSimOutputs fills the reserved --out directory; the caller commits
// it.
func writeSimOutputs(dir *outputItem, cmp *sim.Comparison, logs []*bytes.Buffer, notes report.Notes) error {
	write := func(name string, fill func(io.Writer) error) error {
		var b bytes.Buffer
		if err := fill(&b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return dir.write(name, b.Bytes())
	}
	if err := write("summary.json", func(w io.Writer) error { return report.WriteSummary(w, cmp) }); err != nil {
		return err
	}
	if err := write("timeseries.csv", func(w io.Writer) error { return report.WriteSeriesCSV(w, cmp) }); err != nil {
		return err
	}
	for i, l := range logs {
		if l == nil {
			continue
		}
		if err := dir.write(fmt.Sprintf("events-%c.jsonl", 'A'+i), l.Bytes()); err != nil {
			return err
		}
	}
	for i, r := range cmp.Results {
		if !r.HasPlanner() {
			continue
		}
		for _, f := range []struct {
			name string
			fill func(io.Writer) error
		}{
			{"service-events-%c.jsonl", func(w io.Writer) error { return report.WriteServiceEvents(w, r) }},
			{"scaling-%c.csv", func(w io.Writer) error { return report.WriteScalingCSV(w, r) }},
			{"services-%c.csv", func(w io.Writer) error { return report.WriteServicesCSV(w, r) }},
			{"providers-%c.csv", func(w io.Writer) error { return report.WriteProvidersCSV(w, r) }},
			{"planner-%c.png", func(w io.Writer) error { return report.WritePlannerPlot(w, r) }},
		} {
			if err := write(fmt.Sprintf(f.name, 'A'+i), f.fill); err != nil {
				return err
			}
		}
	}
	if err := write("report.html", func(w io.Writer) error { return report.WriteHTML(w, report.SimPage(cmp, notes)) }); err != nil {
		return err
	}
	return write("plot.png", func(w io.Writer) error { return report.WritePlot(w, cmp) })
}

// reportNotes are the lists report.html ends with: the ECS fields the
// scenario gave that berth does not model and, for an imported cluster,
// what the import read but does not model and what it assumed.
func reportNotes(sc *scenario.Scenario) report.Notes {
	n := report.Notes{NotModelled: sc.NotModelled()}
	if sc.Import != nil {
		// What berth import ecs read but does not model (fields of the
		// describe outputs), after the scenario's own ECS documents'.
		for _, p := range sc.Import.NotModelled {
			if !slices.Contains(n.NotModelled, p) {
				n.NotModelled = append(n.NotModelled, p)
			}
		}
		n.Assumed = sc.Import.Assumed
	}
	return n
}

// parseStrategyFlags reads the --strategy values, one variant each.
func parseStrategyFlags(reg registry, flags []string) ([]scenario.Variant, error) {
	var vs []scenario.Variant
	for _, s := range flags {
		v, err := parseStrategyFlag(reg, s)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// parseStrategyFlag reads one --strategy value: a usage error names the
// flag for a list ParseStrategies rejects or a type that neither placement,
// the FGD paper's policies nor the registered strategies know.
func parseStrategyFlag(reg registry, s string) (scenario.Variant, error) {
	v, err := scenario.ParseStrategies(s)
	if err != nil {
		return scenario.Variant{}, usagef("--strategy: %v", err)
	}
	for _, st := range v.Strategies {
		switch _, paper := gpushareName(st.Type); {
		case st.Type == "binpack", st.Type == "spread", st.Type == "random", paper, reg.lookup(st.Type) != nil:
		default:
			registered := ""
			if len(reg.names) > 0 {
				registered = " or a registered strategy (" + strings.Join(reg.names, ", ") + ")"
			}
			return scenario.Variant{}, usagef("--strategy %q: type %q, expected binpack, spread, random or one of the GPU-sharing policies (fgd, bestfit, gpupacking, gpuclustering, dotprod, balancedfit)%s", s, st.Type, registered)
		}
	}
	return v, nil
}

// gpushareName returns the gpushare policy a strategy type names (fgd,
// bestfit, gpupacking, gpuclustering, dotprod, balancedfit, in any case,
// with or without the number: 06-FGD, 07-BalancedFit), and whether it
// names one.
func gpushareName(typ string) (string, bool) {
	name := strings.ToLower(typ)
	if i := strings.IndexByte(name, '-'); i == 2 {
		name = name[3:] // 06-fgd
	}
	switch name {
	case "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd", "balancedfit":
		return name, true
	}
	return name, false
}

// runStrategies is the StrategyFactory of a berth sim run: the registered
// strategies, then the FGD paper's policies. They share the workload's
// typical pods, read once.
func runStrategies(reg registry, sc *scenario.Scenario, open func(string) (io.ReadCloser, error)) scenario.StrategyFactory {
	typical := typicalPods(sc, open)
	paper := gpushareStrategies(typical)
	return func(spec scenario.StrategySpec) (placement.Strategy, error) {
		f := reg.lookup(spec.Type)
		if f == nil {
			return paper(spec)
		}
		st, err := f(StrategyEnv{Field: spec.Field, TypicalPods: typical})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.Type, err)
		}
		if st == nil {
			return nil, fmt.Errorf("%s: the registered factory made no strategy", spec.Type)
		}
		return st, nil
	}
}

// typicalPods returns the function that reads the scenario's whole
// workload, once, for its typical GPU pods.
func typicalPods(sc *scenario.Scenario, open func(string) (io.ReadCloser, error)) func() ([]gpushare.TypicalPod, error) {
	var once sync.Once
	var typical []gpushare.TypicalPod
	var typErr error
	return func() ([]gpushare.TypicalPod, error) {
		once.Do(func() {
			tasks, err := sim.WorkloadTasks(sc, open)
			if err != nil {
				typErr = err
				return
			}
			pods := make([]gpushare.Pod, len(tasks))
			for i, t := range tasks {
				pods[i] = gpushare.Pod{CPUMilli: t.CPU, MemoryMiB: t.MemoryMiB, GPUMilli: int64(t.GPUMilli), GPUCount: t.GPUs, GPUSpec: t.GPUSpec}
			}
			typical = gpushare.Typical(pods)
		})
		return typical, typErr
	}
}

// gpushareStrategies makes the FGD paper's policies and BalancedFit
// available to berth sim by name (fgd, bestfit, gpupacking, gpuclustering,
// dotprod, balancedfit, or the numbered 06-FGD...). FGD and BalancedFit
// learn their typical pods from the scenario's whole workload.
func gpushareStrategies(typicalPods func() ([]gpushare.TypicalPod, error)) scenario.StrategyFactory {
	return func(spec scenario.StrategySpec) (placement.Strategy, error) {
		name, _ := gpushareName(spec.Type)
		var typical []gpushare.TypicalPod
		switch name {
		case "dotprod", "gpuclustering", "gpupacking", "bestfit":
		case "fgd", "balancedfit":
			var err error
			if typical, err = typicalPods(); err != nil {
				return nil, fmt.Errorf("%s: reading the workload for its typical pods: %w", name, err)
			}
		default:
			return nil, scenario.ErrUnknownStrategy
		}
		if spec.Field != "" {
			return nil, fmt.Errorf("%s takes no field", spec.Type)
		}
		return gpushare.NewStrategy(name, typical, gpushare.StrategyOptions{})
	}
}

// progressReporter prints one line of progress on a terminal, once the
// run has taken more than a couple of seconds.
func progressReporter(w io.Writer, start time.Time) func(i int, now, total time.Duration) {
	var mu sync.Mutex
	last := time.Time{}
	return func(i int, now, total time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(start) < 2*time.Second || time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "\rsimulating %c: %s of %s", 'A'+i, now.Truncate(time.Minute), total)
	}
}

// dockerFlags are berth sim's flags for --executor docker.
type dockerFlags struct {
	hosts                 []string
	scale, scaleResources float64
	cpuQuota, cgroups     bool
	stopTimeout           time.Duration
	tolerance             float64
	contention            bool // the simulated runs'
}

// flagSet reports whether the flag name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runSimDocker runs berth sim --executor docker: each variant replayed on
// Docker (one after the other, in scaled wall-clock time), the table of
// those runs, and how they compare with the simulated runs of the same
// scenario and seed.
func runSimDocker(e *env, scenarioPath, seed string, strategies []string, out string, df *dockerFlags) error {
	scale := df.scale
	if !(scale > 0) || scale > 1e9 {
		return usagef("--time-scale %v: expected a positive number of trace seconds per wall second", scale)
	}
	if !(df.scaleResources > 0 && df.scaleResources <= 1) {
		return usagef("--scale-resources %v: expected a factor in (0, 1]", df.scaleResources)
	}
	if df.stopTimeout <= 0 {
		return usagef("--stop-timeout %v: expected a positive duration", df.stopTimeout)
	}
	if !(df.tolerance >= 0) {
		return usagef("--stretch-tolerance %v: expected 0 or more", df.tolerance)
	}
	cfg := docker.Config{Scale: scale, ScaleResources: df.scaleResources, CPUQuota: df.cpuQuota,
		StopTimeout: df.stopTimeout, NoInstanceCgroups: !df.cgroups}
	for _, h := range df.hosts {
		r, err := docker.ParseHostRule(h)
		if err != nil {
			return usagef("--docker-host: %v", fielderr.Inner(err))
		}
		if r.Pattern == "" {
			cfg.Host = r.URL
		} else {
			cfg.Hosts = append(cfg.Hosts, r)
		}
	}
	sc, open, err := scenarioForRun(e, scenarioPath, seed)
	if err != nil {
		return err
	}
	sc.Contention = sc.Contention || df.contention // the simulated runs'; the Docker runs are real
	variants, err := parseStrategyFlags(e.strategies, strategies)
	if err != nil {
		return err
	}
	// The scenario's own variants are left for Compare to take, so that
	// its errors name them as the file does (compare[0]).
	given := variants
	if len(variants) == 0 {
		variants = sc.Variants()
	}
	var outs outputs
	defer outs.abort()
	var outDir *outputItem
	if out != "" {
		if outDir, err = outs.dir("--out", out); err != nil {
			return err
		}
	}
	ctx, stop := e.interruptible()
	defer stop()
	if err := docker.Ping(ctx, cfg); err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	simLogs := make([]*bytes.Buffer, len(variants))
	if _, err := sim.Compare(sc, sim.CompareOptions{Variants: given, Open: open, NewStrategy: runStrategies(e.strategies, sc, open),
		Log: func(i int, _ scenario.Variant) io.Writer { simLogs[i] = &bytes.Buffer{}; return simLogs[i] }}); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return errInterrupted // before any container
	}
	start := time.Now()
	logs := make([]*bytes.Buffer, len(variants))
	stats := make([]*docker.Stats, len(variants))
	cmp := &sim.Comparison{Scenario: sc.Name, Seed: sc.Seed, Duration: time.Duration(sc.Duration)}
	for i, v := range variants {
		logs[i] = &bytes.Buffer{}
		fmt.Fprintf(e.stderr, "berth sim: replaying %c (%s) on Docker, %s of trace time at time scale %g\n",
			'A'+i, v, time.Duration(sc.Duration), scale)
		var ex *docker.Executor
		var newErr error
		res, err := sim.Simulate(sc, v, sim.Options{Open: open, NewStrategy: runStrategies(e.strategies, sc, open), Log: logs[i], Compared: len(given) > 0 || len(sc.Compare) > 0,
			Paced: &sim.Pacing{Scale: scale, Wall: time.Now},
			Executor: func(eng *sim.Engine) sim.Executor {
				if ex, newErr = docker.New(ctx, eng, cfg); newErr != nil {
					return brokenExecutor{newErr}
				}
				return ex
			}})
		if newErr != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return newErr
		}
		if ex == nil { // the run failed before it made its executor
			if err == nil {
				err = fmt.Errorf("docker: variant %c made no executor", 'A'+i)
			}
			return err
		}
		// Simulate closed the executor; Close again returns how that went:
		// nil when every container of the run is removed, else an error
		// naming those left on an engine that is gone.
		closeErr := ex.Close()
		if runErr := ex.Err(); runErr != nil {
			err = runErr
		}
		switch {
		case ctx.Err() != nil && closeErr != nil:
			return fmt.Errorf("interrupted; %w", closeErr)
		case ctx.Err() != nil:
			return errInterrupted
		case err != nil && closeErr != nil:
			// The run's error says why; the containers left say what.
			tail := closeErr.Error()
			var left *docker.LeftError
			if errors.As(closeErr, &left) {
				tail = left.Left()
			}
			return fmt.Errorf("%w; %s", err, tail)
		case err != nil:
			return err
		case closeErr != nil:
			return closeErr
		}
		cmp.Results = append(cmp.Results, res)
		stats[i] = ex.Stats()
	}
	if err := report.WriteTable(e.stdout, cmp); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nDocker vs simulated (time scale %g; timing in trace time):\n", scale)
	for i, v := range variants {
		a, err := docker.CompareLogs(bytes.NewReader(simLogs[i].Bytes()), bytes.NewReader(logs[i].Bytes()))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  %c %s: %s\n", 'A'+i, v, a)
	}
	model := "off"
	if sc.Contention {
		model = "on"
	}
	for i, v := range variants {
		c, err := docker.CompareContention(bytes.NewReader(simLogs[i].Bytes()), bytes.NewReader(logs[i].Bytes()), stats[i], df.tolerance)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n%c %s, simulated with the contention model %s. ", 'A'+i, v, model)
		if err := c.Write(e.stdout); err != nil {
			return err
		}
	}
	if out == "" {
		return nil
	}
	return commitSimOutputs(e, &outs, outDir, out, cmp, logs, reportNotes(sc), start)
}

// errInterrupted is a Docker run stopped by SIGINT or SIGTERM, once every
// container it made is removed (exit 1).
var errInterrupted = errors.New("interrupted; the run's containers are removed")

// brokenExecutor stands in for a Docker executor that could not be made:
// the first start reports why.
type brokenExecutor struct{ err error }

func (b brokenExecutor) Start(*sim.Run) error        { return b.err }
func (b brokenExecutor) Stop(*sim.Run, string) error { return b.err }
func (b brokenExecutor) LoseInstance(string) error   { return b.err }
func (b brokenExecutor) Close() error                { return nil }

// runSweep runs berth sim --sweep: every combination of the swept values,
// each with its replicates, one table.
func runSweep(e *env, scenarioPath, seed string, strategies, sweeps []string, out string, replicates int) error {
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
	var outs outputs
	defer outs.abort()
	var outDir *outputItem
	if out != "" {
		if outDir, err = outs.dir("--out", out); err != nil {
			return err
		}
		defer outs.abortOnInterrupt(e, "sim")()
	}
	res, err := sweepRuns(e, sc, open, params, variants, replicates)
	if errors.Is(err, sim.ErrTooManyRuns) {
		return usagef("--sweep: %v", fielderr.Inner(err))
	}
	if err != nil {
		return err
	}
	if err := writeSweepOutputs(e, outDir, res, reportNotes(sc)); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	return outs.commit()
}

// writeSweepOutputs prints a sweep's table and, when dir is not nil,
// writes sweep.txt, sweep.csv, sweep.json, sweep.png and report.html into
// it.
func writeSweepOutputs(e *env, dir *outputItem, res *replicate.SweepResult, notes report.Notes) error {
	var b bytes.Buffer
	var err error
	if res.Replicates > 1 {
		err = report.WriteReplicatedSweepTable(&b, res)
	} else {
		err = report.WriteSweepTable(&b, res.Single())
	}
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(b.Bytes()); err != nil {
		return err
	}
	if dir == nil {
		return nil
	}
	if err := dir.write("sweep.txt", b.Bytes()); err != nil {
		return err
	}
	if err := writeSweepData(dir, res); err != nil {
		return err
	}
	if err := writeOutput(dir, "sweep.png", func(w io.Writer) error { return report.WriteSweepPlot(w, res.Single()) }); err != nil {
		return err
	}
	return writeOutput(dir, "report.html", func(w io.Writer) error { return report.WriteHTML(w, report.SweepPage(res.Single(), notes)) })
}
