package sim_test

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/report"
	"github.com/berthsched/berth/sim/scenario"
)

// figuresScenario is a run small enough to work out by hand: two
// instances for one hour, five tasks from a native trace, sampled every
// ten minutes.
//
//	instance  type         cpu   memory  gpus  price/h
//	S         m5.large     2048   8192    -    $0.20
//	G         g4dn.xlarge  4096  16384    1    $0.50
//
//	task    submit  cpu   memory  gpu         runs   exit
//	train    2m     1024   4096   1 device    25m    0
//	web      2m     1024   2048   -           (to the end)
//	infer    5m     1024   2048   half of 1   (to the end)
//	batch    5m      512   1024   -           17m    1
//	huge    15m     8192   1024   -           -
//
// Placement is binpack(cpu): the instance with the least CPU left that
// fits. S fails at 45m. No event falls on a sample time (0, 10m ... 60m),
// so every sample sees a settled cluster.
//
// What happens:
//   - 2m: train needs the GPU: G (G has 3072 CPU left). web fits both;
//     S has less CPU left (2048 < 3072): S.
//   - 5m: infer needs half a GPU; train holds the whole device: it
//     waits (RESOURCE:GPU). batch: S has 1024 left, G 3072: S.
//   - 15m: huge asks for 8192 CPU, more than either instance registers:
//     it waits with RESOURCE:CPU to the end.
//   - 22m: batch exits 1 (5m + 17m): failed. S keeps web.
//   - 27m: train exits 0 (2m + 25m): finished. The retry places infer on
//     G, after waiting 27m - 5m = 22m = 1320 s.
//   - 45m: S fails; web, still running on it, is lost.
//   - 60m: the run ends with infer running.
const figuresScenario = `{
  "name": "figures", "duration": "1h", "sampleEvery": "10m",
  "fleet": {
    "instanceTypes": [
      {"name": "m5.large", "cpu": 2048, "memory": 8192, "pricePerHour": 0.20},
      {"name": "g4dn.xlarge", "cpu": 4096, "memory": 16384, "gpus": 1, "gpuModel": "T4", "pricePerHour": 0.50}
    ],
    "pools": [
      {"type": "m5.large", "zones": {"zone-a": 1}},
      {"type": "g4dn.xlarge", "zones": {"zone-a": 1}}
    ],
    "events": [{"at": "45m", "kind": "fail", "type": "m5.large", "count": 1}]
  },
  "workload": {
    "trace": {"format": "native", "path": "figures.jsonl"},
    "placement": {"strategies": [{"type": "binpack", "field": "cpu"}]}
  }
}`

const figuresTrace = `{"time":120,"kind":"submit","task":"train","cpu":1024,"memory":4096,"gpus":1,"duration":1500}
{"time":120,"kind":"submit","task":"web","cpu":1024,"memory":2048}
{"time":300,"kind":"submit","task":"infer","cpu":1024,"memory":2048,"gpus":1,"gpuMilli":500}
{"time":300,"kind":"submit","task":"batch","cpu":512,"memory":1024,"duration":1020,"exitCode":1}
{"time":900,"kind":"submit","task":"huge","cpu":8192,"memory":1024}
`

func runFigures(t *testing.T) *sim.Result {
	t.Helper()
	sc, err := scenario.ReadScenario(strings.NewReader(figuresScenario), "figures.json")
	if err != nil {
		t.Fatal(err)
	}
	open := func(path string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(figuresTrace)), nil
	}
	r, err := sim.Simulate(sc, sc.Workload.Placement, sim.Options{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFiguresSeries checks each sample of the time series against the
// cluster worked out by hand. A sample is taken every sampleEvery from 0
// to the end of the run inclusive (0, 10m ... 60m: seven samples) and
// counts live instances only (ACTIVE or DRAINING; S is gone from 50m):
//
//   - cpu, memory: registered less remaining, over registered, percent.
//   - gpu: allocated thousandths of every device, over 1000 per device.
//   - instances in use: live instances hosting at least one task.
//   - stranded cpu, memory: what is free on ACTIVE instances that none
//     of the waiting tasks fits (the first eight waiting tasks of
//     distinct shapes are tried), over registered; 0 when nothing waits.
//     With the default fifo retry a waiting task fits no instance (it
//     would have been placed), so here everything free is stranded
//     whenever a task waits.
//
// Registered: cpu 2048 + 4096 = 6144, memory 8192 + 16384 = 24576 while
// S lives; 4096 and 16384 after.
func TestFiguresSeries(t *testing.T) {
	r := runFigures(t)
	const min = time.Minute
	want := []sim.Sample{
		// 0: nothing has arrived yet.
		{Time: 0, InstancesActive: 2},
		// 10m: S runs web and batch (cpu 1024+512 = 1536, memory
		// 2048+1024 = 3072); G runs train (1024, 4096, the whole GPU).
		// cpu 2560/6144 = 41.67%; memory 7168/24576 = 29.17%; gpu
		// 1000/1000 = 100%. infer waits: it fits neither S (no GPU) nor
		// G (GPU taken), so free cpu 512+3072 = 3584/6144 = 58.33% and
		// memory 5120+12288 = 17408/24576 = 70.83% are stranded.
		{Time: 10 * min, CPU: 41.67, Memory: 29.17, GPU: 100, InstancesActive: 2, InstancesInUse: 2, Waiting: 1, StrandedCPU: 58.33, StrandedMemory: 70.83},
		// 20m: as at 10m, and huge waits too (it fits nowhere either).
		{Time: 20 * min, CPU: 41.67, Memory: 29.17, GPU: 100, InstancesActive: 2, InstancesInUse: 2, Waiting: 2, StrandedCPU: 58.33, StrandedMemory: 70.83},
		// 30m: S runs web (1024, 2048); G runs infer (1024, 2048, half
		// the GPU). cpu 2048/6144 = 33.33%; memory 4096/24576 = 16.67%;
		// gpu 500/1000 = 50%. huge waits: free cpu 4096/6144 = 66.67%,
		// memory 20480/24576 = 83.33% stranded.
		{Time: 30 * min, CPU: 33.33, Memory: 16.67, GPU: 50, InstancesActive: 2, InstancesInUse: 2, Waiting: 1, StrandedCPU: 66.67, StrandedMemory: 83.33},
		// 40m: as at 30m.
		{Time: 40 * min, CPU: 33.33, Memory: 16.67, GPU: 50, InstancesActive: 2, InstancesInUse: 2, Waiting: 1, StrandedCPU: 66.67, StrandedMemory: 83.33},
		// 50m: S has failed; G alone runs infer. cpu 1024/4096 = 25%;
		// memory 2048/16384 = 12.5%; gpu 50%. Stranded: cpu 3072/4096
		// = 75%, memory 14336/16384 = 87.5%.
		{Time: 50 * min, CPU: 25, Memory: 12.5, GPU: 50, InstancesActive: 1, InstancesInUse: 1, Waiting: 1, StrandedCPU: 75, StrandedMemory: 87.5},
		// 60m, the end of the run: as at 50m.
		{Time: 60 * min, CPU: 25, Memory: 12.5, GPU: 50, InstancesActive: 1, InstancesInUse: 1, Waiting: 1, StrandedCPU: 75, StrandedMemory: 87.5},
	}
	// The series keeps full precision; compare to the hundredth.
	got := make([]sim.Sample, len(r.Series))
	for i, s := range r.Series {
		s.CPU, s.Memory, s.GPU = round2(s.CPU), round2(s.Memory), round2(s.GPU)
		s.StrandedCPU, s.StrandedMemory = round2(s.StrandedCPU), round2(s.StrandedMemory)
		got[i] = s
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Simulate(figures).Series mismatch (-want +got):\n%s", diff)
	}
}

// round2 rounds to the hundredth, as sim rounds its summary figures.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// TestFigures checks every figure of the summary (the rows of the table
// and the fields of summary.json) against its value worked out by hand
// from the series above. Levels (utilization) are the mean of the seven
// samples and their 95th percentile; percentiles are gonum's Empirical
// quantile of the sorted values: the smallest value with at least the
// fraction p of the values at or below it, that is the ceil(p x n)-th
// smallest. Figures are rounded to the hundredth.
func TestFigures(t *testing.T) {
	s := runFigures(t).Summary
	tests := []struct {
		figure    string
		got, want float64
	}{
		// Five submit lines.
		{"submitted", float64(s.Submitted), 5},
		// train, web, batch, infer were placed at some point.
		{"tasks placed", float64(s.Placed), 4},
		// huge still waits at the end, its last attempt failing on CPU.
		{"never placed", float64(s.NeverPlaced), 1},
		{"never placed RESOURCE:CPU", float64(s.ByReason["RESOURCE:CPU"]), 1},
		{"never placed, reasons", float64(len(s.ByReason)), 1},
		// train exited 0; batch exited 1; web's instance failed; infer
		// runs at the end.
		{"finished", float64(s.Finished), 1},
		{"failed", float64(s.Failed), 1},
		{"lost", float64(s.Lost), 1},
		{"running at the end", float64(s.Running), 1},
		// Time to place, seconds, over the 4 placed tasks: sorted
		// [0 (train), 0 (web), 0 (batch), 1320 (infer)].
		// p50: ceil(0.50 x 4) = 2nd = 0; p95: ceil(3.8) = 4th = 1320;
		// p99: ceil(3.96) = 4th = 1320.
		{"time to place p50", s.TimeToPlace.P50, 0},
		{"time to place p95", s.TimeToPlace.P95, 1320},
		{"time to place p99", s.TimeToPlace.P99, 1320},
		// cpu samples 0, 41.67, 41.67, 33.33, 33.33, 25, 25 (exactly
		// 0, 2560, 2560, 2048, 2048 of 6144, 1024, 1024 of 4096):
		// mean (0 + 2 x 41.667 + 2 x 33.333 + 2 x 25)/7 = 200/7 = 28.57;
		// p95: ceil(0.95 x 7) = 7th smallest = 41.67.
		{"cpu utilization mean", s.CPU.Mean, 28.57},
		{"cpu utilization p95", s.CPU.P95, 41.67},
		// memory samples 0, 29.17, 29.17, 16.67, 16.67, 12.5, 12.5:
		// mean (2 x 29.167 + 2 x 16.667 + 2 x 12.5)/7 = 116.667/7 = 16.67;
		// p95 = 7th smallest = 29.17.
		{"memory utilization mean", s.Memory.Mean, 16.67},
		{"memory utilization p95", s.Memory.P95, 29.17},
		// gpu samples 0, 100, 100, 50, 50, 50, 50: mean 400/7 = 57.14;
		// p95 = 7th smallest = 100.
		{"gpu utilization mean", s.GPU.Mean, 57.14},
		{"gpu utilization p95", s.GPU.P95, 100},
		// Unallocated GPU is 100 less the mean gpu utilization:
		// 100 - 57.14 = 42.86.
		{"unallocated gpu %", s.UnallocatedGPU, 42.86},
		// Stranded cpu samples 0, 58.33, 58.33, 66.67, 66.67, 75, 75:
		// mean (116.667 + 133.333 + 150)/7 = 400/7 = 57.14.
		{"stranded cpu %", s.StrandedCPU, 57.14},
		// Stranded memory samples 0, 70.83, 70.83, 83.33, 83.33, 87.5,
		// 87.5: mean (141.667 + 166.667 + 175)/7 = 483.333/7 = 69.05.
		{"stranded memory %", s.StrandedMemory, 69.05},
		// Instances in use 0, 2, 2, 2, 2, 1, 1: mean 10/7 = 1.43.
		{"instances in use (mean)", s.InstancesInUse, 1.43},
		// Every instance counts from its registration (0) until it leaves
		// or the run ends, used or not: S 0 to 45m = 0.75 h, G 0 to 60m
		// = 1 h; 0.75 + 1 = 1.75.
		{"instance-hours", s.InstanceHours, 1.75},
		// Cost: 0.75 h x $0.20 + 1 h x $0.50 = 0.15 + 0.50 = 0.65.
		{"cost", s.Cost, 0.65},
		// Both instances are registered from 0 until S leaves at 45m.
		{"peak instances", float64(s.PeakInstances), 2},
		// Tasks that waited at all: infer (placed after 1320 s) and huge
		// (never placed), 2 of the 5 submitted = 40%.
		{"tasks that waited %", s.WaitedPercent, 40},
		// By type: m5.large (S) 0.75 h, $0.15, peak 1; g4dn.xlarge (G)
		// 1 h, $0.50, peak 1.
		{"m5.large instance-hours", s.InstanceTypes["m5.large"].InstanceHours, 0.75},
		{"m5.large cost", s.InstanceTypes["m5.large"].Cost, 0.15},
		{"m5.large peak", float64(s.InstanceTypes["m5.large"].PeakInstances), 1},
		{"g4dn.xlarge instance-hours", s.InstanceTypes["g4dn.xlarge"].InstanceHours, 1},
		{"g4dn.xlarge cost", s.InstanceTypes["g4dn.xlarge"].Cost, 0.5},
		{"g4dn.xlarge peak", float64(s.InstanceTypes["g4dn.xlarge"].PeakInstances), 1},
		{"instance types", float64(len(s.InstanceTypes)), 2},
		// Providers are split only in runs with services or providers.
		{"providers", float64(len(s.Providers)), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Simulate(figures): %s = %v, want %v", tt.figure, tt.got, tt.want)
		}
	}
	if s.Variant != "binpack(cpu)" {
		t.Errorf("Simulate(figures): variant %q, want %q", s.Variant, "binpack(cpu)")
	}
}

// TestFiguresTable checks that the table prints the summary's figures,
// rounded to one decimal (cost to two) from their rounded hundredths:
// instance-hours 1.75 prints as 1.8, stranded memory 69.05 (the float
// just below) as 69.0.
func TestFiguresTable(t *testing.T) {
	r := runFigures(t)
	c := &sim.Comparison{Scenario: "figures", Duration: time.Hour, Results: []*sim.Result{r}}
	var b bytes.Buffer
	if err := report.WriteTable(&b, c); err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{
		"tasks placed":                    "4",
		"never placed":                    "1",
		"  RESOURCE:CPU":                  "1",
		"finished / failed / lost":        "1 / 1 / 1",
		"running at the end":              "1",
		"time to place p50 (s)":           "0.0",
		"time to place p95 (s)":           "1320.0",
		"time to place p99 (s)":           "1320.0",
		"cpu utilization mean / p95 %":    "28.6 / 41.7",
		"memory utilization mean / p95 %": "16.7 / 29.2",
		"gpu utilization mean / p95 %":    "57.1 / 100.0",
		"unallocated gpu %":               "42.9",
		"stranded cpu / memory %":         "57.1 / 69.0",
		"instances in use (mean)":         "1.4",
		"instance-hours":                  "1.8",
		"cost ($)":                        "0.65",
		"tasks that waited %":             "40.0",
		"peak instances":                  "2",
		"  g4dn.xlarge":                   "1.0 / 1 / 0.50",
		"  m5.large":                      "0.8 / 1 / 0.15",
	}
	got := map[string]string{}
	for _, line := range strings.Split(b.String(), "\n") {
		// Each row is two spaces, the name padded to 32, then the cells.
		line = strings.TrimPrefix(line, "  ")
		if len(line) < 32 {
			continue
		}
		name, cell := strings.TrimRight(line[:32], " "), strings.TrimSpace(line[32:])
		if _, ok := rows[name]; ok {
			got[name] = cell
		}
	}
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("WriteTable(figures) rows mismatch (-want +got):\n%s\ntable:\n%s", diff, b.String())
	}
}

// TestFiguresService checks the planner's figures of a service against a
// run worked out by hand: service web asks for 3 tasks of 1024 CPU on one
// m5.large (2048 CPU, $0.10 an hour), which holds 2; a second m5.large
// registers at 30m and takes the third.
func TestFiguresService(t *testing.T) {
	sc, err := scenario.ReadScenario(strings.NewReader(`{"name": "figures-service", "duration": "1h", "sampleEvery": "10m",
  "fleet": {"instanceTypes": [{"name": "m5.large", "cpu": 2048, "memory": 8192, "pricePerHour": 0.10}],
            "pools": [{"type": "m5.large", "zones": {"zone-a": 1}}],
            "events": [{"at": "30m", "kind": "add", "type": "m5.large", "zone": "zone-a", "count": 1}]},
  "services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 1024, "memory": 1024}, "desiredCount": 3}]}`), "figures-service.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	want := sim.ServiceSummary{
		Name: "web",
		// desiredCount 3, all RUNNING at the end.
		Desired: 3, Running: 3,
		// Two tasks start at 0; the third when the new instance
		// registers; none stops.
		Started: 3,
		// Time to start is over the tasks that were missing (PROVISIONING
		// with a capacity provider): a task the reconciliation that asked
		// for it could not start, from that moment to its start, seconds.
		// Unlike time to place, tasks started at once are left out, not
		// counted as 0: here only the third, 0 to 30m: [1800], so p50 =
		// p95 = p99 = 1800 (over [0, 0, 1800] p50 would be 0).
		TimeToStart: sim.Percentiles{P50: 1800, P95: 1800, P99: 1800},
		// The only deployment reached its desired count.
		Rollout: "COMPLETED",
		// Sampled at the minute ticks, 1m to 60m (60 ticks): fewer than 3
		// tasks run at 1m..30m. The 30m tick still sees 2: the instance
		// added at 30m is reconciled after the tick queued at 29m, and
		// the third task runs 10 s later (the default start delay). 30 of
		// 60 ticks = 50%.
		BelowDesiredPercent: 50,
	}
	if len(s.Services) != 1 {
		t.Fatalf("Simulate(figures-service): %d service summaries, want 1", len(s.Services))
	}
	if diff := cmp.Diff(want, s.Services[0]); diff != "" {
		t.Errorf("Simulate(figures-service) service summary mismatch (-want +got):\n%s", diff)
	}
	// Instance-hours: the first instance 0 to 60m = 1 h, the second 30m
	// to 60m = 0.5 h: 1.5. Cost 1.5 h x $0.10 = 0.15, all of it the
	// fleet's own instances (no capacity providers).
	if s.InstanceHours != 1.5 || s.Cost != 0.15 {
		t.Errorf("Simulate(figures-service): instance-hours %v, cost %v, want 1.5 and 0.15", s.InstanceHours, s.Cost)
	}
	if diff := cmp.Diff(map[string]float64{"fleet": 0.15}, s.CostByProvider); diff != "" {
		t.Errorf("Simulate(figures-service) cost by provider mismatch (-want +got):\n%s", diff)
	}
	// Peak: both instances from 30m. By provider, all of it the fleet's:
	// 1.5 h, $0.15, peak 2.
	if s.PeakInstances != 2 {
		t.Errorf("Simulate(figures-service): peak instances %d, want 2", s.PeakInstances)
	}
	if diff := cmp.Diff(map[string]sim.CapacityUse{"fleet": {InstanceHours: 1.5, Cost: 0.15, PeakInstances: 2}}, s.Providers); diff != "" {
		t.Errorf("Simulate(figures-service) providers mismatch (-want +got):\n%s", diff)
	}
	// Service tasks are not the workload's: the task figures count none.
	if s.Submitted != 0 || s.Placed != 0 {
		t.Errorf("Simulate(figures-service): submitted %d, placed %d, want 0 and 0", s.Submitted, s.Placed)
	}
	// cpu utilization, sampled at 0, 10m ... 60m: 2048/2048 = 100% to
	// 20m; 3072/4096 = 75% from 40m. At 30m events of one time run in the
	// order they were queued: the add (queued when the run began), the
	// sample (queued at 20m), then the reconciliation the add asks for
	// (queued at 30m). So the sample sees the new instance empty:
	// 2048/4096 = 50%. Samples 100, 100, 100, 50, 75, 75, 75: mean
	// 575/7 = 82.14; p95 = ceil(6.65) = 7th smallest = 100.
	if s.CPU.Mean != 82.14 || s.CPU.P95 != 100 {
		t.Errorf("Simulate(figures-service): cpu utilization %+v, want mean 82.14, p95 100", s.CPU)
	}
}
