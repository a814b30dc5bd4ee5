package ecsimport_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/berthsched/berth/ecsimport"
	"github.com/berthsched/berth/internal/golden"
)

// dumpFS is the committed dump in memory, changed by edit.
func dumpFS(t testing.TB, edit func(fstest.MapFS)) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := os.ReadDir("testdata/dump")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("testdata/dump/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	if edit != nil {
		edit(m)
	}
	return m
}

func replace(t testing.TB, m fstest.MapFS, file, old, new string) {
	t.Helper()
	s := string(m[file].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s lacks %q", file, old)
	}
	m[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
}

// TestImportErrors: each bad dump is refused with one line naming the
// file (and where known the line, column and path), the value and what
// was expected. The messages are a golden file.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		want string // a part of the message
	}{
		{"no known document", func(m fstest.MapFS) { m["notes.json"] = &fstest.MapFile{Data: []byte("{\"Reservations\": []}\n")} }, "dump/notes.json:1:1"},
		{"not an object", func(m fstest.MapFS) { m["list.json"] = &fstest.MapFile{Data: []byte("[1, 2]\n")} }, "dump/list.json:1:1"},
		{"two documents in one file", func(m fstest.MapFS) {
			m["both.json"] = &fstest.MapFile{Data: []byte("{\"services\": [], \"ScalableTargets\": []}\n")}
		}, "dump/both.json"},
		{"an unknown top-level key", func(m fstest.MapFS) {
			m["extra.json"] = &fstest.MapFile{Data: []byte("{\"services\": [],\n \"nextPage\": 1}\n")}
		}, "dump/extra.json:2:2"},
		{"malformed JSON", func(m fstest.MapFS) {
			m["describe-tasks-2.json"] = &fstest.MapFile{Data: []byte("{\n  \"tasks\": [\n    }\n")}
		}, "dump/describe-tasks-2.json:3:5"},
		{"a service's task definition not in the dump", func(m fstest.MapFS) { delete(m, "taskdef-web.json") }, "task-definition/web:14"},
		{"a metric of an unknown service", func(m fstest.MapFS) {
			replace(t, m, "ecs-metric-queries.json", `"Value": "cache"`, `"Value": "ghost"`)
		}, `ServiceName "ghost"`},
		{"a target group of no service", func(m fstest.MapFS) {
			replace(t, m, "alb-metric-queries.json", `targetgroup/web-tg/`, `targetgroup/old-tg/`)
		}, "old-tg"},
		{"a result without its query", func(m fstest.MapFS) { delete(m, "alb-metric-queries.json") }, `"req_per_target_web"`},
		{"two clusters", func(m fstest.MapFS) {
			m["staging.json"] = &fstest.MapFile{Data: []byte(`{"services": [{"serviceName": "other", "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/staging"}]}`)}
		}, `cluster "staging"`},
		{"a task on an instance the dump lacks", func(m fstest.MapFS) { delete(m, "describe-container-instances.json") }, "containerInstanceArn"},
		{"an instance listed twice", func(m fstest.MapFS) { m["again.json"] = m["describe-container-instances.json"] }, "expected each instance once"},
		{"a capacity provider not described", func(m fstest.MapFS) { delete(m, "describe-capacity-providers.json") }, `"cp-memory"`},
		{"an Auto Scaling group not described", func(m fstest.MapFS) { delete(m, "describe-auto-scaling-groups.json") }, "asg-general"},
		{"a value of the wrong type", func(m fstest.MapFS) {
			replace(t, m, "describe-scalable-targets.json", `"MaxCapacity": 30`, `"MaxCapacity": "30"`)
		}, "ScalableTargets[0].MaxCapacity"},
		{"a bad time", func(m fstest.MapFS) {
			replace(t, m, "ecs-metric-queries.json", `"StartTime": "2025-03-10T00:00:00Z"`, `"StartTime": "yesterday"`)
		}, `"yesterday"`},
		{"no files", func(m fstest.MapFS) {
			for k := range m {
				delete(m, k)
			}
		}, "no .json files"},
	}
	var lines []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ecsimport.Read(dumpFS(t, tt.edit), ecsimport.Options{Dir: "dump"})
			if err == nil {
				t.Fatal("Read succeeded, want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "ecsimport: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("Read: %q, want one line starting ecsimport: and containing %q", msg, tt.want)
			}
			lines = append(lines, tt.name+": "+msg)
		})
	}
	golden.Check(t, "errors.golden", strings.Join(lines, "\n")+"\n")
}

// TestImportNotes: what is read but not used, assumed or not modelled is
// listed, never dropped silently.
func TestImportNotes(t *testing.T) {
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		want string
	}{
		{"weighted capacity", func(m fstest.MapFS) {
			s := string(m["describe-auto-scaling-groups.json"].Data)
			i := strings.Index(s, `"Overrides"`)
			s = s[:i] + strings.Replace(s[i:], `"InstanceType": "c5.large"`, `"InstanceType": "c5.large", "WeightedCapacity": "2"`, 1)
			m["describe-auto-scaling-groups.json"] = &fstest.MapFile{Data: []byte(s)}
		}, "not modelled: dump/describe-auto-scaling-groups.json: AutoScalingGroups[0].MixedInstancesPolicy.LaunchTemplate.Overrides[1].WeightedCapacity: 2: ECS capacity providers do not support instance weighting"},
		{"a service without metrics", func(m fstest.MapFS) {
			delete(m, "ecs-metric-queries.json")
			delete(m, "ecs-metrics.json")
		}, "assumed: dump/describe-services.json: services[1]: service cache has no metrics in the dump: it uses nothing in the run"},
		{"an old revision", nil, "not modelled: dump/taskdef-web-13.json: web:13: read, used by no service"},
		{"no prices", nil, "assumed: m5.large: no price (--prices): its cost is unknown (counted as 0); read its instance-hours"},
		{"a standalone task", func(m fstest.MapFS) {
			replace(t, m, "describe-tasks-2.json", `"group": "service:web"`, `"group": "family:web"`)
		}, "a standalone task (group family:web): not replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ecsimport.Read(dumpFS(t, tt.edit), ecsimport.Options{Dir: "dump"})
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Join(res.Lines(), "\n")
			if !strings.Contains(lines, tt.want) {
				t.Errorf("Read: the lines lack %q:\n%s", tt.want, lines)
			}
		})
	}
}

// TestLoadFactor: --load-factor is the factor of the usage step at 0
// (1 by default), and changes nothing else.
func TestLoadFactor(t *testing.T) {
	one, err := ecsimport.Read(dumpFS(t, nil), ecsimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	two, err := ecsimport.Read(dumpFS(t, nil), ecsimport.Options{LoadFactor: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(string(two.Scenario), `"factor": 2`), 6; got != want {
		t.Errorf("with load factor 2: %d usage steps of factor 2, want %d (one per service)", got, want)
	}
	if strings.ReplaceAll(string(two.Scenario), `"factor": 2`, `"factor": 1`) != string(one.Scenario) {
		t.Errorf("with load factor 2: the scenario differs from load factor 1's beyond the usage steps")
	}
}

// TestDeterministic: the same dump gives byte-identical scenarios,
// whatever the order the files are listed in.
func TestDeterministic(t *testing.T) {
	a, err := ecsimport.Read(dumpFS(t, nil), ecsimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ecsimport.Read(dumpFS(t, nil), ecsimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Scenario) != string(b.Scenario) {
		t.Error("two imports of one dump differ")
	}
}
