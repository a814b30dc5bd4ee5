package scenario

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/cql"
	"github.com/berthsched/berth/fielderr"
)

func TestReadScenarioErrors(t *testing.T) {
	valid := string(DefaultScenarioJSON())
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "sim: s.json: empty document"},
		{"only space", " \n\t", "sim: s.json: empty document"},
		{"syntax", "{\n  \"name\": \"x\",,\n}", "sim: s.json:2:15: expected a string key, found ','"},
		{"unknown field", `{"nmae": "x"}`, `sim: s.json:1:2: unknown field "nmae"`},
		// docs/md cites this one: keys match case and all.
		{"key case", strings.Replace(valid, `"ratePerHour"`, `"ratePerhour"`, 1), `sim: s.json:37:7: workload.generator: unknown field "ratePerhour"`},
		{"upper-case key", `{"DURATION": "1h"}`, `sim: s.json:1:2: unknown field "DURATION"`},
		{"duplicate key", "{\"duration\": \"1h\",\n \"duration\": \"2h\"}", `sim: s.json:2:2: duplicate key "duration" (first at line 1, column 2)`},
		{"wrong type", `{"seed": "one"}`, `sim: s.json:1:2: seed: expected an integer of 0 or more, found "one"`},
		{"wrong type in a list", strings.Replace(valid, `"cpu": 4096, "memory": 7448`, `"cpu": "4096", "memory": 7448`, 1), `sim: s.json:10:31: fleet.instanceTypes[2].cpu: expected an integer, found "4096"`},
		{"not an object", `[]`, `sim: s.json:1:1: expected an object, found an array`},
		{"byte order mark", "\uFEFF" + `{"nmae": "x"}`, `sim: s.json:1:2: unknown field "nmae"`},
		{"endless nesting", strings.Repeat("[", 1000), "nested deeper than the limit of 100 levels"},
		{"bad duration", `{"duration": "a day"}`, `"a day" is not a duration`},
		{"no duration", `{"fleet": {}}`, `sim: s.json: duration: 0s, expected a positive duration`},
		{"no pools", `{"duration": "1h", "fleet": {}}`, "fleet: no pools and no nodes"},
		{"unknown type", strings.Replace(valid, `"instanceTypes": ["r5.large"]`, `"instanceTypes": ["r9.large"]`, 1), `capacityProviders[3].instanceTypes[0]: "r9.large" is not one of fleet.instanceTypes`},
		{"bad strategy", strings.Replace(valid, `"binpack", "field": "cpu"`, `"binpack", "field": "disk"`, 1), `compare[2].strategies[0]: binpack field "disk": expected cpu or memory`},
		{"bad expression", strings.Replace(valid, `attribute:gpu-model == T4`, `attribute:gpu-model === T4`, 1), "workload.generator.mix[5].constraints[0]: memberOf expression: cql: 1:23"},
		{"mix provider", strings.Replace(valid, `{"capacityProvider": "r5-large", "weight": 1}]}`, `{"capacityProvider": "nope", "weight": 1}]}`, 1),
			`sim: s.json: workload.generator.mix[4].capacityProviderStrategy[1].capacityProvider: "nope" is not one of capacityProviders, FARGATE or FARGATE_SPOT`},
		{"mix on Fargate", strings.Replace(valid, `{"capacityProvider": "r5-large", "weight": 1}]}`, `{"capacityProvider": "FARGATE", "weight": 1}]}`, 1),
			`workload.generator.mix[4].capacityProviderStrategy`},
		{"bad retry", strings.Replace(valid, `"sampleEvery": "5m",`, `"sampleEvery": "5m", "retry": "lifo",`, 1), `retry: "lifo", expected fifo or strict-fifo`},
		{"trailing data", valid + "{}", "found '{' after the document, expected its end"},
		{"both workloads", strings.Replace(valid, `"generator": {`, `"trace": {"format": "swf", "path": "x"}, "generator": {`, 1), "give exactly one of workload.generator and workload.trace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadScenario(strings.NewReader(tt.src), "s.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadScenario error = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestParseStrategies(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"spread(attribute:ecs.availability-zone),binpack(memory)", "spread(attribute:ecs.availability-zone),binpack(memory)", ""},
		{"random", "random", ""},
		{" binpack(cpu) , spread(host) ", "binpack(cpu),spread(host)", ""},
		{"binpack(disk)", "", `binpack field "disk"`},
		{"spread(instanceId", "", "expected type(field)"},
	}
	for _, tt := range tests {
		v, err := ParseStrategies(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseStrategies(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || v.String() != tt.want {
			t.Errorf("ParseStrategies(%q) = %q, %v; want %q", tt.in, v.String(), err, tt.want)
		}
	}
}

func TestSweepApplyErrors(t *testing.T) {
	sc, err := ReadScenario(strings.NewReader(string(DefaultScenarioJSON())), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, param, value, want string
	}{
		{"negative index", "fleet.pools[-1].count", "1", `sim: sweep "fleet.pools[-1].count": "[-1]", expected [index] with an index of 0 or more, or [*]`},
		{"key case in a value", "capacityProviders[0]", `{"Name": "m5-large"}`, `unknown field "Name"`},
		{"cut object value", "fleet.pools[0]", `{"type": `, `sim: sweep fleet.pools[0]={"type":: 1:9: type: unexpected end of the document, expected a value`},
		{"string for an integer", "fleet.instanceTypes[2].cpu", `"4096"`, `sim: sweep fleet.instanceTypes[2].cpu="4096": fleet.instanceTypes[2].cpu: expected an integer, found "4096"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseSweep(tc.param + "=" + tc.value)
			if err == nil {
				_, err = p.Apply(sc, p.Values[0])
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("sweep %s=%s: error = %v, want it to contain %s", tc.param, tc.value, err, tc.want)
			}
		})
	}
}

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
			_, err := ReadScenario(strings.NewReader(tt.sc.String()), "s.json")
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

// TestReadScenarioLocates checks that a document error is a
// *fielderr.Error with the file, the position and the path, under the
// single "sim: " prefix.
func TestReadScenarioLocates(t *testing.T) {
	valid := string(DefaultScenarioJSON())
	tests := []struct {
		name, src string
		want      fielderr.Error // Msg and Err not compared
	}{
		{"syntax", "{\n  \"name\": \"x\",,\n}", fielderr.Error{File: "s.json", Line: 2, Column: 15}},
		{"wrong type in a list", strings.Replace(valid, `"cpu": 4096, "memory": 7448`, `"cpu": "4096", "memory": 7448`, 1),
			fielderr.Error{File: "s.json", Line: 10, Column: 31, Path: "fleet.instanceTypes[2].cpu"}},
		{"validation", strings.Replace(valid, `"instanceTypes": ["r5.large"]`, `"instanceTypes": ["r9.large"]`, 1),
			fielderr.Error{File: "s.json", Path: "capacityProviders[3].instanceTypes[0]"}},
	}
	for _, tt := range tests {
		_, err := ReadScenario(strings.NewReader(tt.src), "s.json")
		var fe *fielderr.Error
		if !errors.As(err, &fe) {
			t.Errorf("%s: ReadScenario error %v (%T) holds no *fielderr.Error", tt.name, err, err)
			continue
		}
		got := fielderr.Error{File: fe.File, Line: fe.Line, Column: fe.Column, Path: fe.Path}
		if got != tt.want {
			t.Errorf("%s: ReadScenario error at %+v, want %+v", tt.name, got, tt.want)
		}
		if want := "sim: " + fe.Error(); err.Error() != want {
			t.Errorf("%s: ReadScenario error %q, want %q (one prefix)", tt.name, err, want)
		}
	}
}

// TestReadScenarioCQLError: a malformed memberOf expression keeps its
// *cql.Error through placement and the scenario, for a caller to show
// the caret.
func TestReadScenarioCQLError(t *testing.T) {
	src := strings.Replace(string(DefaultScenarioJSON()), `attribute:gpu-model == T4`, `attribute:gpu-model === T4`, 1)
	_, err := ReadScenario(strings.NewReader(src), "s.json")
	var ce *cql.Error
	if !errors.As(err, &ce) {
		t.Fatalf("ReadScenario error %v (%T) holds no *cql.Error", err, err)
	}
	if ce.Src != "attribute:gpu-model === T4" || ce.Offset != 22 {
		t.Errorf("cql.Error = {Src: %q, Offset: %d}, want the expression at offset 22", ce.Src, ce.Offset)
	}
	var fe *fielderr.Error
	if !errors.As(err, &fe) || fe.File != "s.json" || fe.Path != "workload.generator.mix[5].constraints[0]" {
		t.Errorf("ReadScenario error %v, want a *fielderr.Error in s.json at workload.generator.mix[5].constraints[0]", err)
	}
	want := `sim: s.json: workload.generator.mix[5].constraints[0]: memberOf expression: cql: 1:23: `
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("ReadScenario error %q, want it to start with %q", err, want)
	}
}
