package docker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
)

// faults wraps an executor: it marks the runs that exceed their memory,
// and, for a paced run, stops the engine once every task has exited so
// that the test waits no longer than the containers take.
type faults struct {
	sim.Executor
	eng   *sim.Engine
	oom   map[string]bool
	total int // exits after which the engine stops; 0: never
	exits int
}

func (f *faults) Start(r *sim.Run) error {
	r.OOM = f.oom[r.ID]
	return f.Executor.Start(r)
}

func (f *faults) Handle(ev sim.Event) (*sim.Exit, bool) {
	h, ok := f.Executor.(sim.EventHandler)
	if !ok {
		return nil, false
	}
	e, ok := h.Handle(ev)
	if e != nil {
		f.exits++
		if f.total > 0 && f.exits == f.total {
			f.eng.Stop()
		}
	}
	return e, ok
}

// e2eScenario is 50 tasks on 5 instances: wave a at 0s (15 short tasks,
// some exiting non-zero) on the 4 initial instances; a fifth instance,
// of another type, added at 5s; wave b at 10s (15 tasks of 40s) on all
// five; the fifth lost at 20s with the b tasks it runs; wave c at 22s
// (20 short tasks, one over its memory) on the 4 left.
//
// Placements cannot depend on exits: each wave is its own task group,
// placed by spread(instanceId) on instances far larger than the tasks, so
// a task's instance depends only on the tasks of its wave placed before
// it (the wave arrives at once) and on which instances are alive, never
// on when or in which order tasks exited. Outcomes cannot depend on
// container start latency either: only wave b runs on the lost instance,
// and its tasks outlive the loss by far.
func e2eScenario(t *testing.T) (*scenario.Scenario, []byte, map[string]bool) {
	var lines bytes.Buffer
	add := func(at float64, id, app string, dur float64, code int, mem int64) {
		e := trace.Event{Time: at, Kind: trace.KindSubmit, TaskID: id, App: app, CPU: 16, MemoryMiB: mem, Duration: dur, ExitCode: code}
		if err := trace.WriteEvent(&lines, &e); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 15 {
		code := 0
		switch {
		case i%5 == 3:
			code = 1
		case i == 7:
			code = 3
		}
		add(0, fmt.Sprintf("a-%02d", i), "a", float64(2+i%4), code, 24)
	}
	for i := range 15 {
		code := 0
		if i%4 == 1 {
			code = 2
		}
		add(10, fmt.Sprintf("b-%02d", i), "b", 40, code, 24)
	}
	for i := range 20 {
		code := 0
		if i%6 == 2 {
			code = 1
		}
		add(22, fmt.Sprintf("c-%02d", i), "c", float64(2+i%3), code, 24)
	}
	const js = `{
  "name": "docker-e2e", "seed": 7, "duration": "10m",
  "fleet": {
    "instanceTypes": [{"name": "m5.4xlarge", "cpu": 16384, "memory": 61000}, {"name": "m5.2xlarge", "cpu": 8192, "memory": 30000}],
    "pools": [{"type": "m5.4xlarge", "zones": {"zone-a": 4}}],
    "events": [
      {"at": "5s", "kind": "add", "type": "m5.2xlarge", "zone": "zone-a", "count": 1},
      {"at": "20s", "kind": "fail", "type": "m5.2xlarge", "count": 1}
    ]
  },
  "workload": {
    "trace": {"format": "native", "path": "e2e.jsonl"},
    "placement": {"strategies": [{"type": "spread", "field": "instanceId"}]}
  }
}`
	sc, err := scenario.ReadScenario(strings.NewReader(js), "e2e.json")
	if err != nil {
		t.Fatal(err)
	}
	return sc, lines.Bytes(), map[string]bool{"c-05": true}
}

func TestDockerEndToEnd(t *testing.T) {
	cli := engineClient(t)
	sc, tr, oom := e2eScenario(t)
	open := func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tr)), nil }
	const tasks = 50

	var simLog bytes.Buffer
	simRes, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{Log: &simLog, Open: open,
		Executor: func(eng *sim.Engine) sim.Executor {
			return &faults{Executor: sim.NewSimulated(eng), eng: eng, oom: oom}
		}})
	if err != nil {
		t.Fatalf("simulated run: %v", err)
	}

	const scale = 2
	var dockerLog bytes.Buffer
	var ex *Executor
	start := time.Now()
	dockerRes, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{Log: &dockerLog, Open: open,
		Paced: &sim.Pacing{Scale: scale, Wall: time.Now},
		Executor: func(eng *sim.Engine) sim.Executor {
			var err error
			if ex, err = New(t.Context(), eng, Config{Scale: scale}); err != nil {
				t.Fatalf("New: %v", err)
			}
			return &faults{Executor: ex, eng: eng, oom: oom, total: tasks}
		}})
	if err != nil {
		t.Fatalf("docker run: %v", err)
	}
	if err := ex.Err(); err != nil {
		t.Fatalf("docker run: %v", err)
	}
	t.Logf("docker run: %.1fs wall at time scale %d", time.Since(start).Seconds(), scale)
	if left := runContainers(t, cli, ex.RunID()); len(left) > 0 {
		t.Errorf("run %s left %d containers", ex.RunID(), len(left))
	}

	// Every task accounted for, with the reason and code it should have.
	for name, res := range map[string]*sim.Result{"simulated": simRes, "docker": dockerRes} {
		s := res.Summary
		if s.Submitted != tasks || s.Placed != tasks || s.Running != 0 || s.Finished+s.Failed+s.Lost != tasks {
			t.Errorf("%s run: submitted %d placed %d finished %d failed %d lost %d running %d, want all %d tasks placed and ended",
				name, s.Submitted, s.Placed, s.Finished, s.Failed, s.Lost, s.Running, tasks)
		}
	}
	want := outcomes(t, simLog.Bytes())
	lost := fmt.Sprintf(sim.ReasonInstanceLost, "")
	var nLost, nFailed int
	for id, o := range want {
		switch {
		case strings.HasPrefix(o.reason, lost[:strings.Index(lost, "(")]):
			nLost++
			if o.code != 137 {
				t.Errorf("simulated: lost task %s exited %d, want 137", id, o.code)
			}
		case oom[id]:
			if o.code != 137 || o.reason != sim.ReasonOutOfMemory {
				t.Errorf("simulated: task %s = %+v, want 137 and %q", id, o, sim.ReasonOutOfMemory)
			}
		case o.code != 0:
			nFailed++
		}
	}
	if nLost == 0 || nFailed == 0 {
		t.Errorf("the scenario lost %d tasks and failed %d: it should exercise both", nLost, nFailed)
	}
	got := outcomes(t, dockerLog.Bytes())
	for id, w := range want {
		if g, ok := got[id]; !ok {
			t.Errorf("docker: task %s never finished", id)
		} else if g.code != w.code || g.reason != w.reason {
			t.Errorf("docker: task %s exited (%d, %q), want (%d, %q)", id, g.code, g.reason, w.code, w.reason)
		}
	}

	a, err := CompareLogs(bytes.NewReader(simLog.Bytes()), bytes.NewReader(dockerLog.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !a.PlacementsEqual() || a.Tasks != tasks {
		t.Errorf("placements differ from the simulated run's: %s", a.describe())
	}
	if a.SameOutcome != tasks {
		t.Errorf("outcomes differ: %s", a.describe())
	}
	// Timing depends on the machine: reported, not asserted.
	t.Logf("docker vs simulated: %s", a)
}

type outcome struct {
	code   int
	reason string
}

// outcomes reads the finish lines of an event log, checking that no task
// finished twice.
func outcomes(t *testing.T, log []byte) map[string]outcome {
	t.Helper()
	out := map[string]outcome{}
	dec := json.NewDecoder(bytes.NewReader(log))
	for dec.More() {
		var e trace.Event
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		if e.Kind != trace.KindFinish {
			continue
		}
		if _, dup := out[e.TaskID]; dup {
			t.Errorf("task %s finished twice", e.TaskID)
		}
		out[e.TaskID] = outcome{e.ExitCode, e.Reason}
	}
	return out
}
