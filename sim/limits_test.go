package sim

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim/scenario"
)

// limitScenario is a valid scenario with one part changed: top holds
// extra top-level fields; duration, types, pools, workload replace the
// defaults when not empty; rest is appended at the top level.
type limitScenario struct {
	top, duration, types, pools, events, dist, workload, rest string
}

func (l limitScenario) String() string {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	return `{` + l.top + `"duration": "` + or(l.duration, "24h") + `",
"fleet": {"instanceTypes": [` + or(l.types, `{"name": "m", "cpu": 1024, "memory": 1024, "pricePerHour": 0.1}`) + `],
  "pools": [` + or(l.pools, `{"type": "m", "zones": {"a": 10}}`) + `]` + l.events + `},
"workload": ` + or(l.workload, `{"generator": {"ratePerHour": 100, "mix": [{"name": "x", "weight": 1, "cpu": 1, "memory": 1,
  "duration": {"kind": "lognormal", "median": "1h"`+l.dist+`}}]}}`) + l.rest + `}`
}

// TestScenarioLimits checks that each value that used to exhaust memory
// or run without end is an error naming its field, its value and the
// limit, and that values at the limit are accepted.
func TestScenarioLimits(t *testing.T) {
	const svc = `"services": [{"name": "web", "taskDefinition": {"family": "web", "cpu": 1, "memory": 1}, "desiredCount": %d%s}]`
	service := func(count int, extra string) string {
		return `, ` + strings.Replace(strings.Replace(svc, "%d", strconv.Itoa(count), 1), "%s", extra, 1)
	}
	tests := []struct {
		name string
		sc   limitScenario
		want string // "" for valid
	}{
		{name: "sampleEvery of 1ns", sc: limitScenario{top: `"sampleEvery": "1ns",`},
			want: "sim: s.json: sampleEvery: 1ns over duration 24h0m0s is 86400000000000 samples, expected at most 1000000"},
		{name: "a year of one-minute samples", sc: limitScenario{top: `"sampleEvery": "1m",`, duration: "8760h"}, want: ""},
		{name: "pool of 10 M instances", sc: limitScenario{pools: `{"type": "m", "zones": {"a": 10000000}}`},
			want: "sim: s.json: fleet.pools[0].zones.a: 10000000 instances, expected at most 1000000 in a run"},
		{name: "add event of 10 M", sc: limitScenario{events: `, "events": [{"at": "1h", "kind": "add", "type": "m", "zone": "a", "count": 10000000}]`},
			want: "sim: s.json: fleet.events[0].count: 10000000 instances, expected at most 1000000 in a run"},
		{name: "adds that cross the limit together", sc: limitScenario{events: `, "events": [{"at": "1h", "kind": "add", "type": "m", "zone": "a", "count": 600000},
			{"at": "2h", "kind": "add", "type": "m", "zone": "a", "count": 600000}]`},
			want: "sim: s.json: fleet.events[1].count: 600000 brings the run to 1200010 instances, expected at most 1000000 (pools, add events and capacity providers' maxSize together)"},
		{name: "a million instances", sc: limitScenario{pools: `{"type": "m", "zones": {"a": 500000, "b": 500000}}`}, want: ""},
		{name: "provider maxSize of 1e18", sc: limitScenario{rest: `, "capacityProviders": [{"name": "asg", "instanceTypes": ["m"], "maxSize": 1000000000000000000}]`},
			want: "sim: s.json: capacityProviders[0].maxSize: 1000000000000000000 instances, expected at most 1000000 in a run"},
		{name: "generator rate of 1e12 per hour", sc: limitScenario{workload: `{"generator": {"ratePerHour": 1e12, "mix": [{"name": "x", "weight": 1, "cpu": 1, "memory": 1, "duration": {"kind": "constant", "median": "1h"}}]}}`},
			want: "sim: s.json: workload.generator.ratePerHour: 1e+12 until 24h0m0s submits about 2.4e+13 tasks, expected at most 10000000"},
		{name: "lognormal sigma 700", sc: limitScenario{dist: `, "sigma": 700`},
			want: "sim: s.json: workload.generator.mix[0].duration.sigma: 700, expected at most 10"},
		{name: "desired count of 10 M", sc: limitScenario{rest: service(10000000, "")},
			want: "sim: s.json: services[0].desiredCount: 10000000, expected at most 100000"},
		{name: "scaling maximum of 1e18", sc: limitScenario{rest: service(1, `, "scaling": {"minCapacity": 1, "maxCapacity": 1000000000000000000}`)},
			want: "sim: s.json: services[0].scaling.maxCapacity: 1000000000000000000, expected at most 100000"},
		{name: "scheduled maximum of 1e18", sc: limitScenario{rest: service(1, `, "scaling": {"minCapacity": 1, "maxCapacity": 2, "scheduledActions": [{"name": "s", "schedule": "rate(1 hour)", "maxCapacity": 1000000000000000000}]}`)},
			want: "sim: s.json: services[0].scaling.scheduledActions[0].maxCapacity: 1000000000000000000, expected at most 100000"},
		{name: "service event of 10 M", sc: limitScenario{rest: service(1, "") + `, "serviceEvents": [{"at": "1h", "service": "web", "desiredCount": 10000000}]`},
			want: "sim: s.json: serviceEvents[0].desiredCount: 10000000, expected at most 100000"},
		{name: "services that cross the limit together", sc: limitScenario{rest: `, "services": [{"name": "s0", "taskDefinition": {"family": "w", "cpu": 1, "memory": 1}, "desiredCount": 100000}` +
			manyServices(1, 11) + `]`},
			want: "sim: s.json: services[10]: 100000 tasks bring the services to 1100000, expected at most 1000000 together (counting desiredCount, scaling.maxCapacity and serviceEvents)"},
		{name: "reconcileEvery of 1ns", sc: limitScenario{top: `"reconcileEvery": "1ns",`, rest: service(1, "")},
			want: "sim: s.json: reconcileEvery: 1ns, expected at least 1s"},
		{name: "reconcileEvery of 1s over 200 days", sc: limitScenario{top: `"reconcileEvery": "1s",`, duration: "4800h", rest: service(1, "")},
			want: "sim: s.json: reconcileEvery: 1s over duration 4800h0m0s is 17280000 reconciliations, expected at most 10000000"},
		{name: "huge price", sc: limitScenario{types: `{"name": "m", "cpu": 1024, "memory": 1024, "pricePerHour": 1e300}`},
			want: "sim: s.json: fleet.instanceTypes[0].pricePerHour: 1e+300, expected at most 1e+06"},
		{name: "huge Spot price factor", sc: limitScenario{rest: `, "capacityProviders": [{"name": "asg", "instanceTypes": ["m"], "maxSize": 1, "spotPriceFactor": 1e300}]`},
			want: "sim: s.json: capacityProviders[0].spotPriceFactor: 1e+300, expected at most 10 (a factor of the on-demand price)"},
		{name: "huge Fargate price", sc: limitScenario{rest: `, "fargate": {"pricePerVcpuHour": 1e300}`},
			want: "sim: s.json: fargate.pricePerVcpuHour: 1e+300, expected at most 62500"},
		{name: "alarm of 1e9 evaluation periods", sc: limitScenario{rest: service(1, `, "usage": {"cpu": 50}, "scaling": {"minCapacity": 1, "maxCapacity": 2,
			"stepScaling": [{"adjustmentType": "ChangeInCapacity", "steps": [{"lower": 0, "adjustment": 1}],
			"alarm": {"metric": "CPUUtilization", "threshold": 50, "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1000000000}}]}`)},
			want: "sim: s.json: services[0].scaling: policy \"step-0\": Alarm.EvaluationPeriods: 1000000000 periods of 1m0s, expected at most 1440 (EvaluationPeriods x Period at most 24h0m0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenario.ReadScenario(strings.NewReader(tt.sc.String()), "s.json")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("ReadScenario error\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// manyServices returns services s<from>..s<to-1>, each of 100,000 tasks,
// each preceded by a comma.
func manyServices(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(`, {"name": "s` + strconv.Itoa(i) + `", "taskDefinition": {"family": "w", "cpu": 1, "memory": 1}, "desiredCount": 100000}`)
	}
	return b.String()
}

// TestSweepLimit checks that a sweep of 10^7 combinations is refused
// before any run (it used to build every combination and run out of
// memory).
func TestSweepLimit(t *testing.T) {
	values := make([]string, 10)
	for i := range values {
		values[i] = strconv.Itoa(i + 1)
	}
	var params []scenario.SweepParam
	for range 7 {
		params = append(params, scenario.SweepParam{Path: "seed", Values: values})
	}
	sc := scenario.DefaultScenario()
	_, err := Sweep(sc, params, CompareOptions{})
	want := "sim: sweep seed: too many runs: more than 10000 runs (every combination of the swept values, times 5 placement variants)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrTooManyRuns) {
		t.Errorf("Sweep of 10^7 combinations: error %v, want %q wrapping ErrTooManyRuns", err, want)
	}
}

// TestTraceFleetErrors checks that a trace's duplicate instance or node
// and a reference to an instance the fleet does not have name the file
// and line.
func TestTraceFleetErrors(t *testing.T) {
	tests := []struct {
		name, format, content, want string
	}{
		{"instance added twice", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 5, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n",
			`sim: t.jsonl:2: instance-add: instance "i-1" is already in the fleet, expected each instance added once`},
		{"unknown instance", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 5, "kind": "instance-fail", "instance": "i-2"}` + "\n",
			`sim: t.jsonl:2: instance-fail: instance "i-2" is not in the fleet, expected one added before this line`},
		{"instance priced past the limit", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024, "pricePerHour": 1e300}` + "\n",
			`sim: t.jsonl:1: instance-add: pricePerHour 1e+300, expected at most 1e+06`},
		{"node listed twice", "openb", "sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1024,0,\nn1,1000,1024,0,\nn0,1000,1024,0,\n",
			`sim: t.jsonl:4: node "n0" is listed twice, expected each node once`},
		// Before, the second task failed its start with "task a is already
		// running", naming no line; a task still waiting went unnoticed.
		{"task id while the first runs", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 1, "kind": "submit", "task": "a", "cpu": 256, "memory": 256, "duration": 100}` + "\n" +
				`{"time": 2, "kind": "submit", "task": "a", "cpu": 256, "memory": 256, "duration": 100}` + "\n",
			`sim: t.jsonl:3: task "a" is submitted again while the one from t.jsonl:2 has not finished, expected each task id once`},
		{"task id while the first waits", "native",
			`{"time": 0, "kind": "instance-add", "instance": "i-1", "cpu": 1024, "memory": 1024}` + "\n" +
				`{"time": 1, "kind": "submit", "task": "big", "cpu": 4096, "memory": 256, "duration": 100}` + "\n" +
				`{"time": 2, "kind": "submit", "task": "small", "cpu": 256, "memory": 256, "duration": 100}` + "\n" +
				`{"time": 3, "kind": "submit", "task": "big", "cpu": 256, "memory": 256, "duration": 100}` + "\n",
			`sim: t.jsonl:4: task "big" is submitted again while the one from t.jsonl:2 has not finished, expected each task id once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &scenario.Scenario{Duration: scenario.Duration(time.Hour),
				Workload: scenario.Workload{Trace: &scenario.TraceFile{Format: "native", Path: "t.jsonl"}}}
			if tt.format == "openb" {
				sc.Fleet.Nodes = &scenario.TraceFile{Format: "openb", Path: "t.jsonl"}
				sc.Workload = scenario.Workload{Generator: &scenario.Generator{RatePerHour: 1, Mix: []scenario.Mix{{Name: "x", Weight: 1, CPU: 1, MemoryMiB: 1,
					Duration: scenario.Distribution{Kind: "constant", Median: scenario.Duration(time.Minute)}}}}}
			}
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			_, err := Simulate(sc, sc.Workload.Placement, Options{Open: func(string) (io.ReadCloser, error) {
				return io.NopCloser(strings.NewReader(tt.content)), nil
			}})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Simulate error %v, want %q", err, tt.want)
			}
		})
	}
}
