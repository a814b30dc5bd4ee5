package benchmarks

import (
	"fmt"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// plannerDay is the capacity planner's day: one capacity provider of
// 1,000 instances (managed scaling at 100%, so it holds them while the
// services need them), 200 services with target tracking on CPU following
// daily curves with different peaks, 24 simulated hours.
func plannerDay() *scenario.Scenario {
	sc := &scenario.Scenario{
		Name:     "planner-day",
		Seed:     1,
		Duration: scenario.Duration(24 * time.Hour),
		Fleet: scenario.Fleet{InstanceTypes: []scenario.InstanceType{
			{Name: "m5.2xlarge", CPU: 8192, MemoryMiB: 31000, PricePerHour: 0.384},
		}},
	}
	desired := 1000
	sc.CapacityProviders = []scenario.CapacityProviderSpec{{
		Name: "asg", InstanceTypes: []string{"m5.2xlarge"}, Zones: []string{"a", "b", "c"},
		MinSize: 0, MaxSize: 1200, DesiredCapacity: &desired,
		ManagedScaling: scenario.ManagedScalingSpec{TargetCapacity: 100},
	}}
	for i := range 200 {
		n := 10 + i%20
		cpu := int64(512 * (1 + i%4))
		sc.Services = append(sc.Services, scenario.ServiceSpec{
			Name:                     fmt.Sprintf("svc-%03d", i),
			TaskDefinition:           scenario.TaskDefSpec{Family: fmt.Sprintf("svc-%03d", i), CPU: cpu, MemoryMiB: 2 * cpu},
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

// BenchmarkPlannerDay simulates plannerDay once per operation: services
// reconciled by the scheduler, Application Auto Scaling every minute,
// managed scaling of the provider. The acceptance threshold is under 2 s
// per simulated day on the 2-core CI machine.
func BenchmarkPlannerDay(b *testing.B) {
	sc := plannerDay()
	if err := sc.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var res *sim.Result
	var err error
	start := time.Now()
	for b.Loop() {
		if res, err = sim.Simulate(sc, scenario.Variant{}, sim.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start).Seconds() / float64(b.N)
	scaled := 0
	for _, a := range res.Scaling {
		if a.Kind == "service" {
			scaled++
		}
	}
	if len(res.Summary.Services) != 200 || scaled < 200 {
		b.Fatalf("%d services, %d scaling activities: the day did not exercise autoscaling", len(res.Summary.Services), scaled)
	}
	b.ReportMetric(elapsed, "s/day")
	b.ReportMetric(float64(res.Events)/elapsed, "events/s")
	b.ReportMetric(float64(scaled), "scalings/day")
}
