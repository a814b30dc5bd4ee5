package sim

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestMain runs every test of the package with each skipped
// reconciliation checked: it runs anyway, and the run fails unless it
// changed nothing.
func TestMain(m *testing.M) {
	selfCheck = true
	os.Exit(m.Run())
}

// simulateBoth runs sc with reconciliations skipped when quiet and with
// every one run, and returns both event logs and results.
func simulateBoth(t interface {
	Helper()
	Fatalf(string, ...any)
}, sc *scenario.Scenario) (skipped, full *Result, skippedLog, fullLog []byte) {
	t.Helper()
	run := func(off bool) (*Result, []byte) {
		quietOff = off
		defer func() { quietOff = false }()
		var log bytes.Buffer
		res, err := Simulate(sc, scenario.Variant{}, Options{Log: &log})
		if err != nil {
			t.Fatalf("Simulate (quietOff %v): %v", off, err)
		}
		return res, log.Bytes()
	}
	skipped, skippedLog = run(false)
	full, fullLog = run(true)
	return skipped, full, skippedLog, fullLog
}

// TestQuietSkipChangesNothing: skipping the reconciliations of steady
// services whose inputs did not change gives the same event log and
// result as running every one.
func TestQuietSkipChangesNothing(t *testing.T) {
	checked := quietChecked.Load()
	defer func() {
		if quietChecked.Load() == checked {
			t.Error("no reconciliation skipped in any scenario")
		}
		t.Logf("%d reconciliations skipped", quietChecked.Load()-checked)
	}()
	rapid.Check(t, func(t *rapid.T) {
		sc := genPlannerScenario(t)
		if err := sc.Validate(); err != nil {
			t.Skip(err)
		}
		skipped, full, skippedLog, fullLog := simulateBoth(t, sc)
		if !bytes.Equal(skippedLog, fullLog) {
			t.Fatalf("event logs differ:\n%s", cmp.Diff(string(fullLog), string(skippedLog)))
		}
		if d := cmp.Diff(full, skipped); d != "" {
			t.Fatalf("results differ (-full +skipped):\n%s", d)
		}
	})
}

// TestQuietSkipFleet is TestQuietSkipChangesNothing on a scaled-down
// planner fleet, where most reconciliations are of steady services after
// the capacity provider's instances register.
func TestQuietSkipFleet(t *testing.T) {
	sc := quietFleet(t, 48)
	checked, settled := quietChecked.Load(), settledChecked.Load()
	skipped := checkBoth(t, sc)
	if quietChecked.Load() == checked {
		t.Fatal("no reconciliation skipped")
	}
	// After a scaling, the reconciliation that raises the steady state
	// event leaves the service settled: the next is skipped.
	if settledChecked.Load() == settled {
		t.Fatal("no reconciliation skipped after a settled plan that changed something")
	}
	t.Logf("%d reconciliations skipped, %d after a settled plan that changed something", quietChecked.Load()-checked, settledChecked.Load()-settled)
	if len(skipped.Scaling) == 0 {
		t.Fatal("no scaling activity: the fleet test scales nothing")
	}
}

// TestQuietSkipOverloaded is TestQuietSkipFleet on a fleet too small for
// its services: most reconciliations are of services that lack tasks the
// fleet cannot hold, skipped while placing them would fail the same way,
// most of the periodic ones by idleTick.
func TestQuietSkipOverloaded(t *testing.T) {
	sc := quietFleet(t, 6)
	checked, ticks, rebalancing := idleChecked.Load(), idleTicks.Load(), rebalanceChecked.Load()
	skipped := checkBoth(t, sc)
	if idleChecked.Load() == checked {
		t.Fatal("no idle reconciliation skipped")
	}
	// Services whose zone rebalancing cannot start its task in the light
	// zone are skipped too while that placement would fail the same way.
	if rebalanceChecked.Load() == rebalancing {
		t.Fatal("no reconciliation skipped during a zone rebalancing")
	}
	// The self-check runs each periodic reconciliation idleTick skips,
	// and fails the run unless quiet skips it too.
	if idleTicks.Load() == ticks {
		t.Fatal("no periodic reconciliation skipped by idleTick")
	}
	t.Logf("%d idle reconciliations skipped, %d of them by idleTick; %d during a zone rebalancing", idleChecked.Load()-checked, idleTicks.Load()-ticks, rebalanceChecked.Load()-rebalancing)
	if skipped.Summary.NeverPlaced == 0 && len(skipped.ServiceEvents) == 0 {
		t.Fatal("nothing left unplaced: the fleet is not overloaded")
	}
}

// checkBoth fails the test unless sc's run with reconciliations skipped
// gives the same event log and result as with every one run.
func checkBoth(t *testing.T, sc *scenario.Scenario) *Result {
	t.Helper()
	skipped, full, skippedLog, fullLog := simulateBoth(t, sc)
	if !bytes.Equal(skippedLog, fullLog) {
		t.Fatalf("event logs differ:\n%s", cmp.Diff(string(fullLog), string(skippedLog)))
	}
	if d := cmp.Diff(full, skipped); d != "" {
		t.Fatalf("results differ (-full +skipped):\n%s", d)
	}
	return skipped
}

// quietFleet is a scaled-down planner fleet of 20 services on a capacity
// provider of at most maxSize m5.2xlarge instances.
func quietFleet(t *testing.T, maxSize int) *scenario.Scenario {
	sc := &scenario.Scenario{Name: "fleet", Seed: 3, Duration: scenario.Duration(6 * time.Hour),
		Fleet: scenario.Fleet{InstanceTypes: []scenario.InstanceType{{Name: "m5.2xlarge", CPU: 8192, MemoryMiB: 31000, PricePerHour: 0.384}}}}
	desired := maxSize * 5 / 6
	sc.CapacityProviders = []scenario.CapacityProviderSpec{{Name: "asg", InstanceTypes: []string{"m5.2xlarge"}, Zones: []string{"a", "b", "c"},
		MaxSize: maxSize, DesiredCapacity: &desired, ManagedScaling: scenario.ManagedScalingSpec{TargetCapacity: 100}}}
	for i := range 20 {
		n, cpu := 4+i%6, int64(512*(1+i%4))
		sc.Services = append(sc.Services, scenario.ServiceSpec{Name: fmt.Sprintf("svc-%02d", i),
			TaskDefinition:           scenario.TaskDefSpec{Family: fmt.Sprintf("svc-%02d", i), CPU: cpu, MemoryMiB: 2 * cpu},
			DesiredCount:             &n,
			CapacityProviderStrategy: []scenario.StrategyItemSpec{{CapacityProvider: "asg", Weight: 1}},
			Usage:                    &scenario.UsageSpec{CPU: float64(n) * float64(cpu) * 0.5, DailyCycle: 0.6, PeakHour: float64(i % 24)},
			Scaling: &scenario.ScalingSpec{MinCapacity: 2, MaxCapacity: 3 * n, TargetTracking: []scenario.TargetTrackingSpec{
				{Metric: "ECSServiceAverageCPUUtilization", TargetValue: 60}}}})
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestWaitingFollowsTaskDefinition: managed scaling's count of waiting
// tasks by size, kept as shortfalls change, follows a waiting service
// that deploys a task definition of another size with the same
// shortfall (the self-check fails the run when the count differs from
// the plain listing).
func TestWaitingFollowsTaskDefinition(t *testing.T) {
	sc := quietFleet(t, 6)
	for i := range 20 {
		cpu := int64(512 * (1 + (i+1)%4))
		sc.ServiceEvents = append(sc.ServiceEvents, scenario.ServiceEvent{At: scenario.Duration(2 * time.Hour),
			Service:        fmt.Sprintf("svc-%02d", i),
			TaskDefinition: &scenario.TaskDefSpec{Family: fmt.Sprintf("svc-%02d", i), Revision: 2, CPU: cpu, MemoryMiB: 2 * cpu}})
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	checkBoth(t, sc)
}
