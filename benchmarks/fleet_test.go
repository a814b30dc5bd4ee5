package benchmarks

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/tracedir"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
)

// benchFull runs BenchmarkFleet's rows at the sizes of the speed table
// (minutes each) instead of the small ones CI runs.
var benchFull = flag.Bool("bench-full", false, "run BenchmarkFleet's rows at their full sizes")

// benchOutputs keeps every output of BenchmarkFleet's runs, as berth sim
// --out does; without it the runs keep only their summary, as berth sim
// --scenario FILE does (sim.Options.SummaryOnly).
var benchOutputs = flag.Bool("bench-outputs", false, "keep the timelines, service events and scaling activities of BenchmarkFleet's runs, as berth sim --out does")

// plannerFleet is plannerDay scaled: one capacity provider holding
// instances m5.2xlarge (maximum 1.2x), services of plannerDay's shapes,
// usage curves and target tracking, for days simulated days.
func plannerFleet(instances, services, days int) *scenario.Scenario {
	sc := &scenario.Scenario{
		Name:     "planner-fleet",
		Seed:     1,
		Duration: scenario.Duration(time.Duration(days) * 24 * time.Hour),
		Fleet: scenario.Fleet{InstanceTypes: []scenario.InstanceType{
			{Name: "m5.2xlarge", CPU: 8192, MemoryMiB: 31000, PricePerHour: 0.384},
		}},
	}
	desired := instances
	sc.CapacityProviders = []scenario.CapacityProviderSpec{{
		Name: "asg", InstanceTypes: []string{"m5.2xlarge"}, Zones: []string{"a", "b", "c"},
		MinSize: 0, MaxSize: instances * 6 / 5, DesiredCapacity: &desired,
		ManagedScaling: scenario.ManagedScalingSpec{TargetCapacity: 100},
	}}
	for i := range services {
		n := 10 + i%20
		cpu := int64(512 * (1 + i%4))
		sc.Services = append(sc.Services, scenario.ServiceSpec{
			Name:                     fmt.Sprintf("svc-%04d", i),
			TaskDefinition:           scenario.TaskDefSpec{Family: fmt.Sprintf("svc-%04d", i), CPU: cpu, MemoryMiB: 2 * cpu},
			DesiredCount:             &n,
			CapacityProviderStrategy: []scenario.StrategyItemSpec{{CapacityProvider: "asg", Weight: 1}},
			Usage:                    &scenario.UsageSpec{CPU: float64(n) * float64(cpu) * 0.5, DailyCycle: 0.6, PeakHour: float64(i % 24)},
			Scaling: &scenario.ScalingSpec{MinCapacity: 2, MaxCapacity: 3 * n, TargetTracking: []scenario.TargetTrackingSpec{
				{Metric: "ECSServiceAverageCPUUtilization", TargetValue: 60},
			}},
		})
	}
	return sc
}

// nativeFleet is a fleet of instances identical m5.2xlarge (8192 CPU
// units, 32768 MiB) over three zones, placing with binpack(cpu) a native
// trace of tasks submitted evenly over the first hour: four in nine
// long-running (2048/8192, running to the end), the rest ten-minute tasks
// of 1024/2048. The run lasts two hours.
func nativeFleet(instances, tasks int) (*scenario.Scenario, []byte) {
	var buf bytes.Buffer
	for i := range tasks {
		e := trace.Event{Time: float64(i) * 3600 / float64(tasks), Kind: trace.KindSubmit, TaskID: fmt.Sprintf("t-%06d", i),
			CPU: 1024, MemoryMiB: 2048, Duration: 600}
		if i%9 < 4 {
			e.CPU, e.MemoryMiB, e.Duration = 2048, 8192, 0
		}
		if err := trace.WriteEvent(&buf, &e); err != nil {
			panic(err)
		}
	}
	third := instances / 3
	sc := &scenario.Scenario{
		Name:     "native-fleet",
		Seed:     1,
		Duration: scenario.Duration(2 * time.Hour),
		Fleet: scenario.Fleet{
			InstanceTypes: []scenario.InstanceType{{Name: "m5.2xlarge", CPU: 8192, MemoryMiB: 32768, PricePerHour: 0.384}},
			Pools: []scenario.Pool{{Type: "m5.2xlarge", Zones: map[string]int{
				"a": instances - 2*third, "b": third, "c": third}}},
		},
		Workload: scenario.Workload{
			Trace:     &scenario.TraceFile{Format: "native", Path: "fleet.jsonl"},
			Placement: scenario.Variant{Strategies: []scenario.StrategySpec{{Type: "binpack", Field: "cpu"}}},
		},
	}
	return sc, buf.Bytes()
}

// fleetRow is one row of the speed table: a scenario and how to open its
// files.
type fleetRow struct {
	name string
	sc   *scenario.Scenario
	open func(string) (io.ReadCloser, error)
	// check fails the row when the run did not do what the row measures.
	check func(*sim.Result) error
}

// BenchmarkFleet runs the speed table's rows (issue 18), one simulation
// per operation, at small sizes unless -bench-full is given:
//
//	go test -run '^$' -bench 'Fleet/planner-day' ./benchmarks
//	go test -run '^$' -bench 'Fleet/planner-week' -benchtime 1x ./benchmarks -bench-full
//
// Each row reports cpu-s/run and cpu-s/simday (user and system CPU time of the whole
// process, the figure to quote on a shared machine), s/simday (wall),
// B/simday and allocs/simday (bytes and objects allocated), and
// live-MiB, the largest live heap seen at the end of a garbage collection
// during the last run (a run's memory, apart from what it allocates and
// frees). The runs keep only their summary, as berth sim --scenario FILE
// does without --out; -bench-outputs keeps every output, as --out does.
// The placement row of the table is BenchmarkPlaceFleet in package
// placement.
func BenchmarkFleet(b *testing.B) {
	week, over, native := plannerFleet(1000, 200, 2), plannerFleet(50, 100, 1), "instances=2000,tasks=9000"
	weekName, overName := "instances=1000,services=200,days=2", "instances=50,services=100,days=1"
	nsc, ndata := nativeFleet(2000, 9000)
	if *benchFull {
		week, weekName = plannerFleet(10000, 2000, 7), "instances=10000,services=2000,days=7"
		over, overName = plannerFleet(1000, 2000, 1), "instances=1000,services=2000,days=1"
		nsc, ndata = nativeFleet(20000, 90000)
		native = "instances=20000,tasks=90000"
	}
	// scaled checks that at least min services scaled out: each started
	// more tasks than its initial desired count (10 + i%20).
	scaled := func(min int) func(*sim.Result) error {
		return func(res *sim.Result) error {
			n := 0
			for i, ss := range res.Summary.Services {
				if ss.Started > 10+i%20 {
					n++
				}
			}
			if n < min {
				return fmt.Errorf("%d services scaled out, want at least %d", n, min)
			}
			return nil
		}
	}
	rows := []fleetRow{
		{name: "planner-day/instances=1000,services=200,days=1", sc: plannerFleet(1000, 200, 1), check: scaled(200)},
		{name: "planner-week/" + weekName, sc: week, check: scaled(len(week.Services))},
		{name: "overloaded/" + overName, sc: over, check: func(res *sim.Result) error {
			for _, ss := range res.Summary.Services {
				if ss.Running < ss.Desired {
					return nil
				}
			}
			return fmt.Errorf("every service runs its desired count: the fleet is not overloaded")
		}},
		{name: "native-trace/" + native, sc: nsc,
			open: func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(ndata)), nil },
			check: func(res *sim.Result) error {
				if res.Summary.Placed != res.Summary.Submitted || res.Summary.Submitted == 0 {
					return fmt.Errorf("placed %d of %d tasks, want all", res.Summary.Placed, res.Summary.Submitted)
				}
				return nil
			}},
	}
	for _, r := range rows {
		b.Run(r.name, func(b *testing.B) { runFleetRow(b, r) })
	}
	b.Run("dlrm-planning/hours=72", func(b *testing.B) {
		dir := tracedir.Require(b)
		f, err := os.Open(filepath.Join("..", "examples", "dlrm-planning", "scenario.json"))
		if err != nil {
			b.Fatal(err)
		}
		sc, err := scenario.ReadScenario(f, "scenario.json")
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		data := map[string][]byte{}
		open := func(p string) (io.ReadCloser, error) {
			rest, ok := tracedir.Trim(p)
			if !ok {
				return nil, fmt.Errorf("%s is not under shared/traces", p)
			}
			if data[rest] == nil {
				if data[rest], err = os.ReadFile(filepath.Join(dir, rest)); err != nil {
					return nil, err
				}
			}
			return io.NopCloser(bytes.NewReader(data[rest])), nil
		}
		runFleetRow(b, fleetRow{sc: sc, open: open, check: func(res *sim.Result) error {
			if res.Summary.Placed == 0 {
				return fmt.Errorf("no task placed")
			}
			return nil
		}})
	})
}

// runFleetRow simulates r.sc once per operation and reports the row's
// figures per simulated day.
func runFleetRow(b *testing.B, r fleetRow) {
	if err := r.sc.Validate(); err != nil {
		b.Fatal(err)
	}
	days := time.Duration(r.sc.Duration).Hours() / 24
	var live uint64
	sampleLive := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	opts := sim.Options{Open: r.open, SummaryOnly: !*benchOutputs, Progress: func(time.Duration, time.Duration) {
		metrics.Read(sampleLive)
		live = max(live, sampleLive[0].Value.Uint64())
	}}
	var res *sim.Result
	var err error
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	start := time.Now()
	for b.Loop() {
		live = 0
		if res, err = sim.Simulate(r.sc, scenario.Variant{}, opts); err != nil {
			b.Fatal(err)
		}
	}
	wall := time.Since(start).Seconds()
	cpu = cpuTime() - cpu
	runtime.ReadMemStats(&after)
	if err := r.check(res); err != nil {
		b.Fatal(err)
	}
	per := float64(b.N) * days
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/run")
	b.ReportMetric(cpu.Seconds()/per, "cpu-s/simday")
	b.ReportMetric(wall/per, "s/simday")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/simday")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/simday")
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
}
