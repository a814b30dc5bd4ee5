package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/berthsched/berth/benchmarks/capfill"
	"github.com/berthsched/berth/shard"
)

// packShardResult is a pack task's result in a shard's records.
type packShardResult struct {
	Metric string `json:"metric"`
	packRow
}

// runPackShard runs shard s of berth pack's workload x policy x seed
// jobs and writes their rows into dir for berth merge. Jobs are balanced
// across shards by their expected cost: the pod count after tuning (a run
// places each pod once) times the policy's cost per pod.
func runPackShard(e *env, s shard.Shard, dir, nodesPath, podsPaths string, strategies []capfill.Strategy, seeds []int64, tune float64, metric capfill.Metric) error {
	h := newInputHash("pack")
	if err := h.addFile("--nodes", nodesPath); err != nil {
		return err
	}
	for _, p := range strings.Split(podsPaths, ",") {
		if err := h.addFile("--pods", p); err != nil {
			return err
		}
	}
	for _, st := range strategies {
		h.add("policy", st.Name)
	}
	for _, seed := range seeds {
		h.add("seed", strconv.FormatInt(seed, 10))
	}
	h.add("tune", strconv.FormatFloat(tune, 'g', -1, 64), "metric", metric.String())

	workloads, err := loadPackWorkloads(nodesPath, podsPaths)
	if err != nil {
		return err
	}
	jobs := packJobList(workloads, strategies, seeds)
	mine := shard.Mine(packTasks(jobs, tune), s)
	run := make([]*packJob, len(mine))
	for i, k := range mine {
		run[i] = jobs[k]
	}
	progress := newRunProgress(e, "experiments")
	runPackJobList(e.strategies, run, tune, progress)
	progress.clear()
	for _, j := range run {
		if j.err != nil {
			return j.err
		}
	}
	rows := packRows(run, metric)
	version, input := versionLine(), h.sum()
	recs := make([]shard.Record, len(run))
	for i, k := range mine {
		b, err := json.Marshal(packShardResult{Metric: metric.String(), packRow: rows[i]})
		if err != nil {
			return err
		}
		recs[i] = shard.Record{
			Kind: "pack", Version: version, Input: input, Shard: s.String(),
			Task: k, Tasks: len(jobs),
			Params: map[string]string{"workload": rows[i].Workload, "policy": rows[i].Policy, "seed": strconv.FormatInt(rows[i].Seed, 10)},
			Result: b,
		}
	}
	return writeShard(e, dir, s, recs)
}

// mergePack writes what berth pack writes from the rows of a merged run:
// the CSV on stdout, and with --out, pack.csv and pack.png.
// packTasks returns the jobs' expected costs: a run places each of its
// pods once, at its policy's cost per pod.
func packTasks(jobs []*packJob, tune float64) []shard.Task {
	tasks := make([]shard.Task, len(jobs))
	for i, j := range jobs {
		tasks[i] = shard.Task{Cost: float64(len(j.w.Pods)) * tune * j.s.PodCost()}
	}
	return tasks
}

func mergePack(e *env, set *shard.Set, out *outputItem) error {
	rows := make([]packRow, len(set.Records))
	var metric capfill.Metric
	workloads := map[string]bool{}
	for i, r := range set.Records {
		var res packShardResult
		if err := json.Unmarshal(r.Result, &res); err != nil {
			return fmt.Errorf("task %d (shard %s): result: %v", r.Task, r.Shard, err)
		}
		m, err := capfill.ParseMetric(res.Metric)
		if err != nil {
			return fmt.Errorf("task %d (shard %s): metric %q; expected alloc, frag or frag-ratio", r.Task, r.Shard, res.Metric)
		}
		if i == 0 {
			metric = m
		} else if m != metric {
			return fmt.Errorf("task %d (shard %s): metric %s, but task 0 has %s; expected one metric", r.Task, r.Shard, m, metric)
		}
		if err := res.packRow.decode(m); err != nil {
			return fmt.Errorf("task %d (shard %s): %v", r.Task, r.Shard, err)
		}
		rows[i] = res.packRow
		workloads[res.Workload] = true
	}
	var csv strings.Builder
	if err := writePackCSV(&csv, metric, rows); err != nil {
		return err
	}
	if _, err := e.stdout.Write([]byte(csv.String())); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := out.write("pack.csv", []byte(csv.String())); err != nil {
		return err
	}
	return plotPackNamed(out, "pack.png", rows, len(workloads) > 1)
}
