package sim

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
	"pgregory.net/rapid"
)

// genPlannerScenario draws a small scenario: a fleet pool or a capacity
// provider (maybe Spot), a few services (maybe a daemon, maybe with
// target tracking and a usage curve), a workload, and fleet events.
func genPlannerScenario(t *rapid.T) *scenario.Scenario {
	ptr := func(n int) *int { return &n }
	sc := &scenario.Scenario{
		Name:     "prop",
		Seed:     rapid.Uint64().Draw(t, "seed"),
		Duration: scenario.Duration(time.Duration(rapid.IntRange(30, 180).Draw(t, "minutes")) * time.Minute),
		Fleet: scenario.Fleet{InstanceTypes: []scenario.InstanceType{
			{Name: "small", CPU: 2048, MemoryMiB: 4096, PricePerHour: 0.1},
			{Name: "large", CPU: 8192, MemoryMiB: 16384, PricePerHour: 0.4},
		}},
	}
	typ := rapid.SampledFrom([]string{"small", "large"}).Draw(t, "type")
	elastic := rapid.Bool().Draw(t, "provider")
	var strategy []scenario.StrategyItemSpec
	if elastic {
		spot := rapid.Bool().Draw(t, "spot")
		cp := scenario.CapacityProviderSpec{Name: "asg", InstanceTypes: []string{typ}, Zones: []string{"a", "b"},
			MinSize: rapid.IntRange(0, 2).Draw(t, "minSize"), MaxSize: rapid.IntRange(2, 12).Draw(t, "maxSize"),
			ManagedScaling: scenario.ManagedScalingSpec{TargetCapacity: rapid.IntRange(50, 100).Draw(t, "targetCapacity"), InstanceWarmupPeriod: scenario.Duration(time.Minute)},
			Spot:           spot}
		if spot {
			cp.InterruptionsPerHour = rapid.Float64Range(0, 2).Draw(t, "interruptions")
		}
		sc.CapacityProviders = []scenario.CapacityProviderSpec{cp}
		strategy = []scenario.StrategyItemSpec{{CapacityProvider: "asg", Weight: 1}}
	} else {
		sc.Fleet.Pools = []scenario.Pool{{Type: typ, Zones: map[string]int{"a": rapid.IntRange(1, 4).Draw(t, "a"), "b": rapid.IntRange(0, 3).Draw(t, "b")}}}
		for i := range rapid.IntRange(0, 3).Draw(t, "fleetEvents") {
			kind := rapid.SampledFrom([]string{"add", "fail", "drain", "interrupt"}).Draw(t, fmt.Sprint("kind", i))
			e := scenario.FleetEvent{At: scenario.Duration(time.Duration(rapid.IntRange(1, 30).Draw(t, fmt.Sprint("at", i))) * time.Minute), Kind: kind, Count: 1}
			if kind == "add" {
				e.Type, e.Zone = typ, "a"
			}
			sc.Fleet.Events = append(sc.Fleet.Events, e)
		}
	}
	if rapid.Bool().Draw(t, "daemon") {
		sc.Services = append(sc.Services, scenario.ServiceSpec{Name: "daemon", SchedulingStrategy: "DAEMON",
			TaskDefinition: scenario.TaskDefSpec{Family: "daemon", CPU: 128, MemoryMiB: 128}})
	}
	for i := range rapid.IntRange(1, 3).Draw(t, "services") {
		sp := scenario.ServiceSpec{
			Name:                     fmt.Sprint("svc", i),
			TaskDefinition:           scenario.TaskDefSpec{Family: fmt.Sprint("svc", i), CPU: int64(rapid.IntRange(1, 8).Draw(t, "cpu") * 256), MemoryMiB: int64(rapid.IntRange(1, 8).Draw(t, "mem") * 256)},
			DesiredCount:             ptr(rapid.IntRange(0, 8).Draw(t, "desired")),
			CapacityProviderStrategy: strategy,
		}
		if rapid.Bool().Draw(t, "scaled") {
			lo := rapid.IntRange(0, 3).Draw(t, "min")
			sp.Scaling = &scenario.ScalingSpec{MinCapacity: lo, MaxCapacity: lo + rapid.IntRange(0, 8).Draw(t, "span"),
				TargetTracking: []scenario.TargetTrackingSpec{{Metric: "ECSServiceAverageCPUUtilization", TargetValue: rapid.Float64Range(20, 90).Draw(t, "target")}}}
			sp.Usage = &scenario.UsageSpec{CPU: rapid.Float64Range(0, 8000).Draw(t, "use"), DailyCycle: 0.9, PeakHour: rapid.Float64Range(0, 3).Draw(t, "peak")}
		}
		sc.Services = append(sc.Services, sp)
	}
	if rapid.Bool().Draw(t, "workload") {
		sc.Workload.Generator = &scenario.Generator{RatePerHour: rapid.Float64Range(1, 60).Draw(t, "rate"), Mix: []scenario.Mix{{
			Name: "job", Weight: 1, CPU: int64(rapid.IntRange(1, 40).Draw(t, "jobCPU") * 256), MemoryMiB: 512,
			Duration: scenario.Distribution{Kind: "exponential", Median: scenario.Duration(20 * time.Minute)}}}}
		sc.Workload.CapacityProviderStrategy = strategy
	}
	return sc
}

// runChecked runs the scenario one event at a time and checks after each
// that no instance holds more than it registered, that every running task
// is on a live instance, and that every scalable target stays in bounds.
func runChecked(t *rapid.T, sc *scenario.Scenario) (*Result, string) {
	var log bytes.Buffer
	s := stepRun(t, sc, &log, func(s *simulator) {
		// Events due at the same time settle together (an instance's
		// loss and its tasks' exits): check once the time moves on.
		if next, ok := s.eng.q.Peek(); !ok || time.Duration(next.At) > s.eng.Now() {
			checkInvariants(t, s)
		}
	})
	s.eng.now = time.Duration(sc.Duration)
	r := s.finish(scenario.Variant{})
	s.finishPlanner(r)
	return r, log.String()
}

// stepRun simulates sc one event at a time, logging to log, and calls
// after once each event is handled; it fails t if the run fails.
func stepRun(t *rapid.T, sc *scenario.Scenario, log *bytes.Buffer, after func(*simulator)) *simulator {
	s, err := newSimulator(sc, scenario.Variant{}, Options{Log: log})
	if err != nil {
		t.Fatalf("newSimulator: %v", err)
	}
	t.Cleanup(func() { s.exec.Close() })
	if err := s.start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	until := time.Duration(sc.Duration)
	for {
		it, ok := s.eng.q.Peek()
		if !ok || time.Duration(it.At) > until || s.err != nil {
			break
		}
		s.eng.Step()
		after(s)
	}
	if s.err != nil {
		t.Fatalf("run: %v", s.err)
	}
	return s
}

func checkInvariants(t *rapid.T, s *simulator) {
	for _, in := range s.fleet.cluster.Instances() {
		if in.Remaining.CPU < 0 || in.Remaining.MemoryMiB < 0 || in.Remaining.CPU > in.Registered.CPU || in.Remaining.MemoryMiB > in.Registered.MemoryMiB {
			t.Fatalf("at %v instance %s: remaining %d CPU %d MiB of %d/%d registered", s.eng.Now(), in.ARN,
				in.Remaining.CPU, in.Remaining.MemoryMiB, in.Registered.CPU, in.Registered.MemoryMiB)
		}
	}
	for id, tk := range s.tasks.running {
		if tk.inst.Status == placement.StatusInactive {
			t.Fatalf("at %v task %s runs on inactive instance %s", s.eng.Now(), id, tk.inst.ARN)
		}
	}
	for _, st := range s.services.svcs {
		if st.scaler == nil {
			continue
		}
		if n := *st.base.DesiredCount; n < st.sst.MinCapacity || n > st.sst.MaxCapacity {
			t.Fatalf("at %v service %s desired %d outside [%d, %d]", s.eng.Now(), st.spec.Name, n, st.sst.MinCapacity, st.sst.MaxCapacity)
		}
	}
}

func TestPlannerProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := genPlannerScenario(t)
		if err := sc.Validate(); err != nil {
			t.Fatalf("generated an invalid scenario: %v", err)
		}
		r, log := runChecked(t, sc)
		sum := r.Summary
		if got := sum.Finished + sum.Failed + sum.Lost + sum.Running + sum.NeverPlaced; got != sum.Submitted {
			t.Fatalf("%d submitted, but finished %d + failed %d + lost %d + running %d + never placed %d = %d",
				sum.Submitted, sum.Finished, sum.Failed, sum.Lost, sum.Running, sum.NeverPlaced, got)
		}
		for reason, n := range sum.ByReason {
			if reason == "" || n <= 0 {
				t.Fatalf("never placed by reason %v: a reason is empty", sum.ByReason)
			}
		}
		for _, a := range r.Scaling {
			if a.Kind == "provider" && a.To > sc.CapacityProviders[0].MaxSize {
				t.Fatalf("provider scaled to %d above maxSize %d", a.To, sc.CapacityProviders[0].MaxSize)
			}
		}
		r2, log2 := runChecked(t, sc)
		if log != log2 || r2.Summary.Cost != r.Summary.Cost || len(r2.ServiceEvents) != len(r.ServiceEvents) {
			t.Fatalf("the same scenario and seed gave different runs")
		}
	})
}
