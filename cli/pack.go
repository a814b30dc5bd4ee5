package cli

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/berthsched/berth/benchmarks/capfill"
	"github.com/berthsched/berth/gpushare"
	"github.com/berthsched/berth/placement"

	flag "github.com/spf13/pflag"
)

func packCommand() *command {
	return &command{
		name:       "pack",
		summary:    "reproduce the FGD paper's bin-packing experiment on openb traces",
		strategies: true,
		usage: `Usage:
  berth pack --nodes FILE --pods FILE[,FILE...] [--policy NAME[,NAME...]|all]
             [--seeds 42-51] [--tune 1.3] [--metric alloc|frag|frag-ratio]
             [--out FILE] [--compare FILE] [--plot FILE.png]
  berth pack ... --shard K/N|auto [--shards N] --out DIR

Runs the capacity-fill experiment of Weng et al., "Beware of Fragmentation"
(USENIX ATC'23): each pod list is shuffled and tuned to --tune times the
fleet's GPU capacity, then every pod is placed once, in order, by the policy;
the GPU allocation (or fragmentation) is recorded against the arrived
workload, 0..130 % of capacity. One CSV row per pod list, policy and seed,
laid out as the paper's published files (analysis_allo_discrete.csv for
alloc, analysis_frag_discrete.csv for frag). The five deterministic policies
reproduce the published rows exactly; Random matches them by median.

Policies: 01-Random, 02-DotProd, 03-GpuClustering, 04-GpuPacking, 05-BestFit,
06-FGD (or random, dotprod, gpuclustering, gpupacking, bestfit, fgd); "all"
is these six. Beyond the paper: 07-BalancedFit (balancedfit), berth's own:
near fits first, then a device's expected dead space and the node's CPU-GPU
balance (see docs/research-bench.md); and its ablations, one part changed
each: 07-BalancedFit-nobalance, -nodeadspace, -nonearfit, -nobuckets, and
-withfrag (FGD's fragmentation change added).
Amazon ECS's strategies, for comparison: ecs-binpack-cpu, ecs-binpack-memory,
ecs-spread (spread(instanceId) over the workload's one task group) and
ecs-random, run by berth's placement package; the ties they leave go to the
same node ranks as the paper's. The strategies a program
built on berth's cli package registers (listed below when there are any)
run the same way, by their names. Runs go in parallel over the
machine's cores; the output does not depend on their number.

--compare FILE reads a published results CSV of the same metric and prints,
per pod list and policy, ours against theirs (median over the seeds at 100 %
arrived, largest cell difference); to stdout when --out is given, else to
stderr. It exits 1 if a deterministic policy differs in a cell by more than
0.01, or Random's median at 100 % by more than 0.5.

--plot FILE.png draws the unallocated GPU % (median over seeds) against the
arrived workload, one line per policy: the paper's Fig. 9(a).

--out and --plot are checked before the run starts, written to temporary
files beside them and renamed into place together once both are complete,
so that a failed run leaves the earlier files as they were.

--shard K/N runs only shard K (from 0) of N of the workload x policy x
seed jobs, balanced by their expected cost (pods times the policy's
measured cost per pod), and writes their results into the directory
--out names as shard-K-of-N.jsonl (shards may share it); berth merge
then prints and writes what one machine would have. --shard auto
takes K and N from the environment of a Slurm job array
(SLURM_ARRAY_TASK_ID...), a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
with --shards N or BERTH_SHARDS) or an AWS Batch array job
(AWS_BATCH_JOB_ARRAY_INDEX); see docs/distributed.md.

Exit status: 0 when the rows are printed; 1 on invalid input, an output
that could not be written or a --compare mismatch; 2 on a usage error.

Examples:
  # The paper's Fig. 9(a) on the default trace, compared with the published rows
  # (T: the traces beside the repository, see docs/traces.md)
  T=../shared/traces
  berth pack --nodes $T/openb/openb_node_list_gpu_node.csv \
    --pods $T/openb/openb_pod_list_default.csv --policy all --seeds 42-51 \
    --out default.csv --compare $T/fgd-atc23-results/analysis_allo_discrete.csv \
    --plot fig9a.png

  # Fragmentation of FGD and BestFit for one seed
  berth pack --nodes $T/openb/openb_node_list_gpu_node.csv \
    --pods $T/openb/openb_pod_list_gpuspec10.csv --policy fgd,bestfit --seeds 42 --metric frag

  # The bench's 60 runs as shard 3 of 8, then merged with the other seven
  berth pack --nodes $T/openb/openb_node_list_gpu_node.csv \
    --pods $T/openb/openb_pod_list_default.csv --policy all --seeds 42-51 \
    --shard 3/8 --out shards/
  berth merge --out merged/ shards/

  # ECS's strategies next to the paper's
  berth pack --nodes $T/openb/openb_node_list_gpu_node.csv \
    --pods $T/openb/openb_pod_list_default.csv --policy all,ecs-binpack-memory,ecs-spread --seeds 42
`,
		flags: packFlags,
	}
}

// packStrategies lists the policies berth pack knows: the paper's six,
// BalancedFit and its ablations, then ECS's four. To add a strategy,
// append a capfill.Strategy named as its sc_policy column: a
// gpushare.Policy (New) or a placement strategy chain (Placement). "all"
// stays the paper's six.
func packStrategies() []capfill.Strategy {
	s := append(capfill.Paper(), capfill.Beyond()...)
	s = append(s, capfill.Ablations()...)
	return append(s, capfill.ECS()...)
}

// lookupPolicies resolves a comma-separated --policy value. A name matches
// a strategy's sc_policy name or that name without its "NN-" prefix,
// case-insensitively. A registered strategy comes back as a
// capfill.Strategy with its name only: runPackJobs builds it per run.
func lookupPolicies(reg registry, spec string) ([]capfill.Strategy, error) {
	known := packStrategies()
	for _, name := range reg.names {
		known = append(known, capfill.Strategy{Name: name})
	}
	var out []capfill.Strategy
	seen := map[string]bool{}
	add := func(s capfill.Strategy) {
		if !seen[s.Name] {
			seen[s.Name] = true
			out = append(out, s)
		}
	}
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if strings.EqualFold(name, "all") {
			for _, s := range capfill.Paper() {
				add(s)
			}
			continue
		}
		found := false
		for _, s := range known {
			short := s.Name
			if i := strings.IndexByte(short, '-'); i == 2 && short[0] >= '0' && short[0] <= '9' {
				short = short[3:]
			}
			if strings.EqualFold(name, s.Name) || strings.EqualFold(name, short) {
				add(s)
				found = true
				break
			}
		}
		if !found {
			names := make([]string, len(known))
			for i, s := range known {
				names[i] = s.Name
			}
			return nil, usagef("--policy: unknown policy %q; expected all or one of %s", name, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// maxSeeds bounds the seeds of one run, over all the ranges of --seeds:
// each is a run of every policy on every pod list.
const maxSeeds = 100000

// parseSeeds parses "42-51", "42" or "42,45,50-51".
func parseSeeds(spec string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseInt(lo, 10, 64)
		if err != nil {
			return nil, usagef("--seeds: %q is not a seed; expected N, N-M or a comma-separated list of them", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil || b < a {
				return nil, usagef("--seeds: %q is not a range; expected N-M with N <= M", part)
			}
		}
		if b-a >= maxSeeds-int64(len(out)) {
			if len(out) == 0 {
				return nil, usagef("--seeds: %q has %d seeds; expected at most %d", part, uint64(b-a)+1, maxSeeds)
			}
			return nil, usagef("--seeds: %q brings the seeds to %d; expected at most %d in total", part, uint64(len(out))+uint64(b-a)+1, maxSeeds)
		}
		for s := a; s <= b; s++ {
			out = append(out, s)
		}
	}
	return out, nil
}

type packJob struct {
	w    *capfill.Workload
	s    capfill.Strategy
	seed int64
	res  *capfill.Result
	err  error
}

func packFlags(fs *flag.FlagSet) func(e *env, args []string) error {
	nodesPath := fs.String("nodes", "", "node list CSV `FILE` (sn,cpu_milli,memory_mib,gpu,model)")
	podsPaths := fs.String("pods", "", "pod list CSV `FILE[,FILE...]`; the file name without .csv is the workload")
	policySpec := fs.String("policy", "all", "policies `NAME[,NAME...]`, or all")
	seedSpec := fs.String("seeds", "42-51", "`SEEDS`: N, N-M, or a comma-separated list of them")
	tune := fs.Float64("tune", 1.3, "tune the workload to `N` times the fleet's GPU capacity")
	metricName := fs.String("metric", "alloc", "`METRIC` of the rows: alloc, frag or frag-ratio")
	outPath := fs.String("out", "", "write the rows to `FILE` instead of stdout")
	comparePath := fs.String("compare", "", "compare with a published results CSV `FILE`")
	plotPath := fs.String("plot", "", "draw unallocated GPU % vs arrived workload to `FILE.png`")
	sf := addShardFlags(fs)
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return usagef("unexpected argument %q", args[0])
		}
		if *nodesPath == "" || *podsPaths == "" {
			return usagef("--nodes and --pods are required")
		}
		if !(*tune > 0) || math.IsInf(*tune, 0) {
			return usagef("--tune: %v; expected a positive number", *tune)
		}
		if *tune > capfill.MaxTune {
			return usagef("--tune: %v; expected at most %d (the fleet's GPU capacity ten times over)", *tune, capfill.MaxTune)
		}
		metric, err := capfill.ParseMetric(*metricName)
		if err != nil {
			return usagef("--metric: %q; expected alloc, frag or frag-ratio", *metricName)
		}
		strategies, err := lookupPolicies(e.strategies, *policySpec)
		if err != nil {
			return err
		}
		seeds, err := parseSeeds(*seedSpec)
		if err != nil {
			return err
		}
		if sf.given() {
			switch {
			case *outPath == "":
				return usagef("--shard needs --out DIR: the directory the shard's results go to")
			case *plotPath != "" || *comparePath != "":
				return usagef("--plot and --compare are for the whole run: give them to berth merge, not to a shard")
			}
			s, err := sf.resolve(e)
			if err != nil {
				return err
			}
			return runPackShard(e, s, *outPath, *nodesPath, *podsPaths, strategies, seeds, *tune, metric)
		}
		// Every output path is checked, and a temporary file made beside
		// it, before any work; they are renamed into place together once
		// written.
		var outs outputs
		defer outs.abort()
		var outFile, plotFile *outputItem
		if *outPath != "" {
			if outFile, err = outs.file("--out", *outPath); err != nil {
				return err
			}
		}
		if *plotPath != "" {
			if err := checkPlotFormat(*plotPath); err != nil {
				return err
			}
			if plotFile, err = outs.file("--plot", *plotPath); err != nil {
				return err
			}
		}
		if outFile != nil || plotFile != nil {
			defer outs.abortOnInterrupt(e, "pack")()
		}
		var published []capfill.Row
		if *comparePath != "" {
			rows, hasTotal, err := capfill.LoadRows(*comparePath)
			if err != nil {
				return err
			}
			if hasTotal != (metric == capfill.Alloc) {
				return fmt.Errorf("--compare: %s has the layout of another metric than --metric %s", *comparePath, metric)
			}
			published = rows
		}
		workloads, err := loadPackWorkloads(*nodesPath, *podsPaths)
		if err != nil {
			return err
		}
		progress := newRunProgress(e, "experiments")
		jobs := runPackJobs(e.strategies, workloads, strategies, seeds, *tune, progress)
		progress.clear()
		for _, j := range jobs {
			if j.err != nil {
				return j.err
			}
		}
		rows := packRows(jobs, metric)
		if err := writePackRows(e.stdout, outFile, metric, rows); err != nil {
			return err
		}
		if plotFile != nil {
			if err := plotPack(plotFile, rows, len(workloads) > 1); err != nil {
				return err
			}
		}
		if err := outs.commit(); err != nil {
			return err
		}
		if published != nil {
			report := e.stderr
			if *outPath != "" {
				report = e.stdout
			}
			return comparePack(report, rows, published, *tune)
		}
		return nil
	}
}

// loadPackWorkloads reads the node list and each pod list.
func loadPackWorkloads(nodesPath, podsPaths string) ([]*capfill.Workload, error) {
	nodes, err := capfill.LoadNodes(nodesPath)
	if err != nil {
		return nil, err
	}
	var workloads []*capfill.Workload
	for _, path := range strings.Split(podsPaths, ",") {
		pods, err := capfill.LoadPods(path)
		if err != nil {
			return nil, err
		}
		w, err := capfill.NewWorkload(strings.TrimSuffix(filepath.Base(path), ".csv"), nodes, pods)
		if err != nil {
			return nil, err
		}
		workloads = append(workloads, w)
	}
	return workloads, nil
}

// runPackJobs runs every workload x strategy x seed over the machine's
// cores; the jobs come back in that order whatever the scheduling. Each
// one done updates progress (nil: none).
func runPackJobs(reg registry, workloads []*capfill.Workload, strategies []capfill.Strategy, seeds []int64, tune float64, progress *runProgress) []*packJob {
	jobs := packJobList(workloads, strategies, seeds)
	runPackJobList(reg, jobs, tune, progress)
	return jobs
}

// packJobList lists every workload x strategy x seed, in that order.
func packJobList(workloads []*capfill.Workload, strategies []capfill.Strategy, seeds []int64) []*packJob {
	var jobs []*packJob
	for _, w := range workloads {
		for _, s := range strategies {
			for _, seed := range seeds {
				jobs = append(jobs, &packJob{w: w, s: s, seed: seed})
			}
		}
	}
	return jobs
}

// runPackJobList runs jobs over the machine's cores, updating progress
// (nil: none) as each ends.
func runPackJobList(reg registry, jobs []*packJob, tune float64, progress *runProgress) {
	next := make(chan *packJob)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j.run(reg, tune)
				mu.Lock()
				done++
				progress.update(done, len(jobs))
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
}

// run runs the job, building its strategy first when it is a registered
// one: a new strategy per run, since it may keep state about its cluster.
func (j *packJob) run(reg registry, tune float64) {
	s := j.s
	if f := reg.lookup(s.Name); f != nil {
		typical := func() ([]gpushare.TypicalPod, error) { return j.w.Typical, nil }
		st, err := f(StrategyEnv{TypicalPods: typical})
		if err == nil && st == nil {
			err = errors.New("the registered factory made no strategy")
		}
		if err != nil {
			j.err = fmt.Errorf("--policy %s: %w", s.Name, err)
			return
		}
		s.Placement = func(capfill.Env) []placement.Strategy { return []placement.Strategy{st} }
	}
	j.res, j.err = j.w.Run(s, j.seed, tune)
}

// writePackRows writes the rows to the reserved --out file, or to stdout
// when there is none.
func writePackRows(stdout io.Writer, outFile *outputItem, metric capfill.Metric, rows []packRow) error {
	var b bytes.Buffer
	if err := writePackCSV(&b, metric, rows); err != nil {
		return err
	}
	if outFile != nil {
		return outFile.write("", b.Bytes())
	}
	_, err := stdout.Write(b.Bytes())
	return err
}

func writePackCSV(out io.Writer, metric capfill.Metric, rows []packRow) error {
	cw := csv.NewWriter(out)
	if err := cw.Write(capfill.Header(metric)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r.Record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// packGroup is the runs of one workload and strategy.
type packGroup struct {
	workload string
	policy   string
	random   bool
	rows     []packRow
}

func groupPackRows(rows []packRow) []*packGroup {
	var groups []*packGroup
	for _, r := range rows {
		if n := len(groups); n > 0 && groups[n-1].workload == r.Workload && groups[n-1].policy == r.Policy {
			groups[n-1].rows = append(groups[n-1].rows, r)
			continue
		}
		groups = append(groups, &packGroup{workload: r.Workload, policy: r.Policy, random: r.Random, rows: []packRow{r}})
	}
	return groups
}

// Tolerances of --compare: the published rows' rounding artefacts (see
// docs/research-bench.md, "What each pod records, and the published
// columns") for deterministic policies, and Random's sampling spread.
const (
	packCellTolerance   = 0.01 + 1e-9
	packMedianTolerance = 0.5 + 1e-9
)

func comparePack(w io.Writer, rows []packRow, published []capfill.Row, tune float64) error {
	type key struct {
		workload, policy string
		seed             int64
	}
	theirs := map[key]*capfill.Row{}
	for i := range published {
		r := &published[i]
		if math.Abs(r.Tune-tune) < 1e-9 {
			theirs[key{r.Workload, r.Policy, r.Seed}] = r
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "workload\tpolicy\tseeds\tours@100\ttheirs@100\tmax|diff|\tverdict\n")
	bad, pairs := 0, 0
	for _, g := range groupPackRows(rows) {
		var ours100, theirs100 []float64
		maxDiff := 0.0
		for _, r := range g.rows {
			t := theirs[key{g.workload, g.policy, r.Seed}]
			if t == nil {
				continue
			}
			ours100 = append(ours100, r.Values[100])
			theirs100 = append(theirs100, t.Values[100])
			for x := range r.Values {
				a, b := r.Values[x], t.Values[x]
				switch {
				case math.IsNaN(a) && math.IsNaN(b):
				case math.IsNaN(a) || math.IsNaN(b):
					maxDiff = math.Inf(1)
				default:
					maxDiff = max(maxDiff, math.Abs(a-b))
				}
			}
		}
		if len(ours100) == 0 {
			// Nothing to compare with (an ECS strategy, another tune):
			// still show where ours ends.
			for _, r := range g.rows {
				ours100 = append(ours100, r.Values[100])
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t-\t-\tno published rows\n", g.workload, g.policy, len(ours100), fmtCell(capfill.Median(ours100)))
			continue
		}
		pairs++
		mo, mt := capfill.Median(ours100), capfill.Median(theirs100)
		verdict := "ok"
		if g.random {
			if !(math.Abs(mo-mt) <= packMedianTolerance) {
				verdict = "MISMATCH (median)"
			} else {
				verdict = "ok (median within 0.5)"
			}
		} else if !(maxDiff <= packCellTolerance) {
			verdict = "MISMATCH"
		}
		if strings.HasPrefix(verdict, "MISMATCH") {
			bad++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.2f\t%s\n", g.workload, g.policy, len(ours100),
			fmtCell(mo), fmtCell(mt), maxDiff, verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("--compare: %d of %d workload and policy pairs differ from the published rows beyond tolerance", bad, pairs)
	}
	return nil
}

func fmtCell(v float64) string {
	if math.IsNaN(v) {
		return "empty"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// plotFormats are the file name extensions --plot can draw, as gonum/plot
// names its formats.
var plotFormats = []string{"eps", "jpg", "jpeg", "pdf", "png", "svg", "tex", "tif", "tiff"}

// checkPlotFormat checks, before any work, that --plot names a format
// gonum/plot draws.
func checkPlotFormat(path string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if !slices.Contains(plotFormats, ext) {
		return fmt.Errorf("--plot %q: unknown image format %q; expected a file name ending in .%s", path, ext, strings.Join(plotFormats, ", ."))
	}
	return nil
}

// plotPack draws 100 - median allocation over seeds against the column
// into the reserved --plot file, in the format its name ends with.
func plotPack(file *outputItem, rows []packRow, labelWorkload bool) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(file.final), "."))
	b, err := packPlot(rows, labelWorkload, ext)
	if err != nil {
		return err
	}
	return file.write("", b)
}

// plotPackNamed draws the plot into the file name of the output
// directory dir, in the format the name ends with.
func plotPackNamed(dir *outputItem, name string, rows []packRow, labelWorkload bool) error {
	b, err := packPlot(rows, labelWorkload, strings.TrimPrefix(filepath.Ext(name), "."))
	if err != nil {
		return err
	}
	return dir.write(name, b)
}

// packPlot draws the plot in the format ext.
func packPlot(rows []packRow, labelWorkload bool, ext string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Unallocated GPU vs arrived workload"
	p.X.Label.Text = "arrived workload (% of GPU capacity)"
	p.Y.Label.Text = "unallocated GPU (%)"
	p.Legend.Top = true
	var lines []any
	for _, g := range groupPackRows(rows) {
		var xys plotter.XYs
		col := make([]float64, len(g.rows))
		for x := range capfill.Columns {
			for i := range g.rows {
				col[i] = g.rows[i].Alloc[x]
			}
			if m := capfill.Median(col); !math.IsNaN(m) {
				xys = append(xys, plotter.XY{X: float64(x), Y: 100 - m})
			}
		}
		name := g.policy
		if labelWorkload {
			name += " " + g.workload
		}
		lines = append(lines, name, xys)
	}
	if err := plotutil.AddLines(p, lines...); err != nil {
		return nil, fmt.Errorf("--plot: %w", err)
	}
	wt, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, ext)
	if err != nil {
		return nil, fmt.Errorf("--plot: %w", err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("--plot: %w", err)
	}
	return b.Bytes(), nil
}
