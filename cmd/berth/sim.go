package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim"
)

func init() {
	register(&command{
		name:    "sim",
		summary: "simulate a fleet and compare placement strategies",
		usage: `Simulate a fleet of container instances replaying a workload through ECS
placement, once per placement strategy, and compare the runs side by side.

Usage:
  berth sim [--scenario FILE] [--seed N] [--strategy LIST ...] [--out DIR]

With no --scenario, berth runs its embedded default: 399 instances of five
types over three availability zones and a day of mixed work (about 10,000
tasks), compared under five strategies. --print-scenario prints that
scenario's JSON, a starting point for your own (see docs/scenario.md).

stdout is the summary table, byte-identical for the same scenario and
seed. --out DIR also writes summary.json, timeseries.csv, one event log per
strategy (events-A.jsonl, ...: berth's native JSON Lines format) and
plot.png. Progress goes to stderr when it is a terminal.

A strategy LIST is ECS's placementStrategy written inline, first to last:
  spread(attribute:ecs.availability-zone),binpack(memory)
  binpack(cpu)   spread(instanceId)   random
The FGD paper's GPU-sharing policies are strategies too: fgd, bestfit,
gpupacking, gpuclustering, dotprod (on the "gpu-model" attribute; FGD
learns its typical pods from the scenario's workload). Each --strategy is
one variant; they replace the scenario's compare list.

Examples:
  berth sim
  berth sim --seed 7 --out results/
  berth sim --strategy 'binpack(memory)' --strategy 'spread(instanceId)'
  berth sim --scenario examples/openb-replay.json --strategy fgd --strategy 'binpack(memory)'
  berth sim --print-scenario > my.json && berth sim --scenario my.json
`,
		flags: func(fs *flag.FlagSet) func(*env, []string) error {
			scenario := fs.String("scenario", "", "scenario `FILE` (JSON); default: the embedded scenario")
			seed := fs.String("seed", "", "override the scenario's seed (`N`)")
			out := fs.String("out", "", "write summary.json, timeseries.csv, event logs and plot.png to `DIR`")
			var strategies stringList
			fs.Var(&strategies, "strategy", "compare this strategy `LIST` (repeatable)")
			printScenario := fs.Bool("print-scenario", false, "print the embedded default scenario and exit")
			return func(e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *printScenario {
					_, err := e.stdout.Write(sim.DefaultScenarioJSON())
					return err
				}
				return runSim(e, *scenario, *seed, strategies, *out)
			}
		},
	})
}

func runSim(e *env, scenarioPath, seed string, strategies []string, out string) error {
	sc, dir, err := loadScenario(e, scenarioPath)
	if err != nil {
		return err
	}
	if seed != "" {
		n, err := strconv.ParseUint(seed, 10, 64)
		if err != nil {
			return usagef("--seed %q: expected a non-negative integer", seed)
		}
		sc.Seed = n
	}
	open := func(path string) (io.ReadCloser, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		return os.Open(path)
	}
	opts := sim.CompareOptions{Open: open, NewStrategy: gpushareStrategies(sc, open)}
	for _, s := range strategies {
		v, err := sim.ParseStrategies(s)
		if err != nil {
			return usagef("--strategy: %v", err)
		}
		opts.Variants = append(opts.Variants, v)
	}
	var logs []*bytes.Buffer
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		n := len(opts.Variants)
		if n == 0 {
			n = len(sc.Variants())
		}
		logs = make([]*bytes.Buffer, n)
		opts.Log = func(i int, _ sim.Variant) io.Writer {
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
	if err := cmp.WriteTable(e.stdout); err != nil {
		return err
	}
	if out != "" {
		if err := writeSimOutputs(out, cmp, logs); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "berth sim: wrote %s in %.1fs\n", out, time.Since(start).Seconds())
	}
	return nil
}

// loadScenario reads the scenario file (or the default) and returns the
// directory its relative paths are resolved against.
func loadScenario(e *env, path string) (*sim.Scenario, string, error) {
	if path == "" {
		return sim.DefaultScenario(), ".", nil
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
	sc, err := sim.ReadScenario(r, name)
	if err != nil {
		return nil, "", err
	}
	return sc, filepath.Dir(path), nil
}

func writeSimOutputs(dir string, cmp *sim.Comparison, logs []*bytes.Buffer) error {
	write := func(name string, fill func(io.Writer) error) error {
		var b bytes.Buffer
		if err := fill(&b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
	}
	if err := write("summary.json", func(w io.Writer) error {
		b, err := cmp.MarshalJSON()
		if err == nil {
			_, err = w.Write(append(b, '\n'))
		}
		return err
	}); err != nil {
		return err
	}
	if err := write("timeseries.csv", cmp.WriteSeriesCSV); err != nil {
		return err
	}
	for i, l := range logs {
		if l == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("events-%c.jsonl", 'A'+i)), l.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return write("plot.png", cmp.WritePlot)
}

// gpushareStrategies makes the FGD paper's policies available to berth sim
// by name (fgd, bestfit, gpupacking, gpuclustering, dotprod, or the paper's
// 06-FGD...). FGD learns its typical pods from the scenario's whole
// workload, read once.
func gpushareStrategies(sc *sim.Scenario, open func(string) (io.ReadCloser, error)) sim.StrategyFactory {
	var once sync.Once
	var typical []gpushare.TypicalPod
	var typErr error
	return func(spec sim.StrategySpec) (placement.Strategy, error) {
		name := strings.ToLower(spec.Type)
		if i := strings.IndexByte(name, '-'); i == 2 {
			name = name[3:] // 06-fgd
		}
		switch name {
		case "dotprod", "gpuclustering", "gpupacking", "bestfit":
		case "fgd":
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
			if typErr != nil {
				return nil, fmt.Errorf("fgd: reading the workload for its typical pods: %w", typErr)
			}
		default:
			return nil, sim.ErrUnknownStrategy
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
