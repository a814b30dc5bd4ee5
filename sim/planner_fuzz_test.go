package sim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/berthsched/berth/sim/scenario"
)

// FuzzReadPlannerScenario reads scenarios with the planner's parts. The
// seeds are small: the fuzzer minimizes what it finds interesting, which
// takes long on kilobyte inputs such as the examples.
func FuzzReadPlannerScenario(f *testing.F) {
	f.Add([]byte(`{"duration": "2h", "fleet": {"instanceTypes": [{"name": "m", "cpu": 2048, "memory": 4096}]},
  "capacityProviders": [{"name": "asg", "instanceTypes": ["m"], "maxSize": 4, "spot": true, "interruptionsPerHour": 1,
  "managedScaling": {"targetCapacity": 80}}], "workload": {"capacityProviderStrategy": [{"capacityProvider": "asg", "weight": 1}]},
  "services": [{"name": "d", "schedulingStrategy": "DAEMON", "taskDefinition": {"family": "d", "cpu": 128, "memory": 128}},
  {"name": "w", "taskDefinition": {"family": "w", "cpu": 512, "memory": 512, "crash": true}, "desiredCount": 2,
  "capacityProviderStrategy": [{"capacityProvider": "asg", "base": 1, "weight": 1}], "usage": {"cpu": 100, "steps": [{"at": "1h", "factor": 2}]},
  "scaling": {"minCapacity": 1, "maxCapacity": 3, "targetTracking": [{"metric": "ECSServiceAverageCPUUtilization", "targetValue": 50}]}}],
  "serviceEvents": [{"at": "1h", "service": "w", "desiredCount": 3}],
  "scheduledTasks": [{"name": "s", "schedule": "rate(5 minutes)", "taskDefinition": {"family": "s", "cpu": 256, "memory": 256}}]}`))
	f.Add([]byte(`{"duration": "1h", "services": [{"name": "a", "taskDefinition": {"family": "a", "cpu": 256, "memory": 512}, "desiredCount": 1,
  "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}], "scaling": {"minCapacity": 1, "maxCapacity": 2,
  "scheduledActions": [{"name": "x", "schedule": "cron(0 1 * * ? *)", "maxCapacity": 1}]}}]}`))
	f.Add([]byte(`{"duration": "1h", "fleet": {"instanceTypes": [{"name": "c5.large", "cpu": 2048, "memory": 3800}],
  "pools": [{"type": "c5.large", "zones": {"a": 1}}], "subnets": {"s-a": "a"}}, "fargate": {"spotInterruptionsPerHour": 2},
  "services": [{"name": "v", "taskDefinition": {"family": "v", "cpu": 256, "memory": 512, "hostPorts": [80], "networkMode": "awsvpc"},
  "desiredCount": 3, "subnets": ["s-a"]}, {"name": "f", "taskDefinition": {"family": "f", "cpu": 256, "memory": 512, "stopTimeout": "45s"},
  "desiredCount": 2, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenario.ReadScenario(bytes.NewReader(data), "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sim: f.json") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error without its prefix or on several lines: %q", err)
			}
			return
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("a read scenario fails Validate again: %v", err)
		}
	})
}

func FuzzParseSweep(f *testing.F) {
	for _, s := range []string{"seed=1,2", "capacityProviders[*].spot=false,true", "services[1].desiredCount=3", "a[0][1].b=x", "=1", "a[=1", "a[*]"} {
		f.Add(s)
	}
	sc, err := scenario.ReadScenario(strings.NewReader(`{"duration": "1h", "seed": 1, "fleet": {"instanceTypes": [{"name": "m", "cpu": 1024, "memory": 1024}],
  "pools": [{"type": "m", "zones": {"a": 1}}]}, "services": [{"name": "a",
  "taskDefinition": {"family": "a", "cpu": 256, "memory": 512}, "desiredCount": 1}]}`), "s.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := scenario.ParseSweep(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sim: sweep ") {
				t.Fatalf("ParseSweep(%q) error without its prefix: %v", s, err)
			}
			return
		}
		if len(p.Values) == 0 || p.Path == "" {
			t.Fatalf("ParseSweep(%q) = %+v without a path or values", s, p)
		}
		got, err := p.Apply(sc, p.Values[0])
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sim: sweep ") {
				t.Fatalf("Apply error without its prefix: %v", err)
			}
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("Apply returned an invalid scenario: %v", err)
		}
	})
}

func FuzzReadLoadTrace(f *testing.F) {
	f.Add("time_s,factor\n0,1\n3600,2.5\n", "")
	f.Add("0,1\n60,\n", "")
	f.Add("time_s,web,api\n0,1,2\n60,3,4\n", "api")
	f.Fuzz(func(t *testing.T, s, column string) {
		rows, err := readLoadTrace(strings.NewReader(s), "load.csv", column)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "load.csv") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].at < rows[i-1].at || rows[i].factor < 0 {
				t.Fatalf("rows not sorted or negative: %v", rows)
			}
		}
	})
}
