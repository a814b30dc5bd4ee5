package sim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/simtest"
	"github.com/berthsched/berth/sim/trace"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// Without instance capacities the contended executor is the simulated
// one: it passes the same conformance suite.
func TestContendedConformance(t *testing.T) {
	simtest.Executor(t, simtest.Options{Scale: 0, Instances: [2]string{"a", "b"}},
		func(t *testing.T, eng *sim.Engine) sim.Executor { return sim.NewContended(eng) })
}

// action is something a contention test does at a simulated time.
type action struct {
	at   time.Duration
	run  *sim.Run // started, unless stop
	stop bool
}

type actionEvent struct{ a action }

// contendedExits runs the actions on a Contended executor and returns
// each task's exit time.
func contendedExits(t interface{ Fatal(...any) }, actions []action) map[string]time.Duration {
	got := map[string]time.Duration{}
	var ex *sim.Contended
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok {
			if e != nil {
				got[e.Run.ID] = eng.Now()
			}
			return
		}
		if e, ok := ev.(*sim.Exit); ok { // a stop's, scheduled as is
			got[e.Run.ID] = eng.Now()
			return
		}
		a := ev.(actionEvent).a
		var err error
		if a.stop {
			err = ex.Stop(a.run, "")
		} else {
			err = ex.Start(a.run)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	ex = sim.NewContended(eng)
	for _, a := range actions {
		eng.Schedule(a.at, actionEvent{a})
	}
	// The properties draw up to 8 tasks of 100 s burning 4096 units each
	// on 256: 128 times slower, 12,800 s, started by 50 s.
	eng.Run(24 * time.Hour)
	return got
}

func TestContendedTimes(t *testing.T) {
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	// task: duration d, reserving cpu and burning use on instance in of
	// capacity 1024 (or capacity when given).
	task := func(id, in string, d float64, cpu, use, capacity int64) *sim.Run {
		return &sim.Run{ID: id, Instance: in, Duration: s(d), CPU: cpu, CPUUse: use, InstanceCPU: capacity}
	}
	tests := []struct {
		name    string
		actions []action
		want    map[string]time.Duration
		reason  string
	}{
		{
			name: "two tasks each burning the whole instance",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 1024, 1024)},
				{at: 0, run: task("b", "i", 10, 512, 1024, 1024)},
			},
			want:   map[string]time.Duration{"a": s(20), "b": s(20)},
			reason: "2048 asked of 1024: both at half speed",
		},
		{
			name: "the second arrives halfway",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 1024, 1024)},
				{at: s(5), run: task("b", "i", 10, 512, 1024, 1024)},
			},
			want:   map[string]time.Duration{"a": s(15), "b": s(20)},
			reason: "a: 5s alone, its 5s left at half speed take 10s; b: 5s done by 15, 5s alone",
		},
		{
			name: "within capacity",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 0, 1024)},
				{at: 0, run: task("b", "i", 10, 512, 512, 1024)},
			},
			want: map[string]time.Duration{"a": s(10), "b": s(10)},
		},
		{
			name: "demand is the use, else the reservation",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 2048, 1024)},
				{at: 0, run: task("b", "i", 10, 512, 0, 1024)},
			},
			want:   map[string]time.Duration{"a": s(25), "b": s(25)},
			reason: "2560 asked of 1024: rate 0.4",
		},
		{
			name: "a stop gives its share back",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 1024, 1024)},
				{at: 0, run: task("b", "i", 10, 512, 1024, 1024)},
				{at: s(4), run: &sim.Run{ID: "b", Instance: "i"}, stop: true},
			},
			want:   map[string]time.Duration{"a": s(12), "b": s(4)},
			reason: "a: 2s done by 4, 8s alone",
		},
		{
			name: "instances do not share",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 1024, 1024)},
				{at: 0, run: task("b", "j", 10, 512, 1024, 1024)},
			},
			want: map[string]time.Duration{"a": s(10), "b": s(10)},
		},
		{
			name: "unknown capacity",
			actions: []action{
				{at: 0, run: task("a", "i", 10, 512, 4096, 0)},
				{at: 0, run: task("b", "i", 10, 512, 4096, 0)},
			},
			want: map[string]time.Duration{"a": s(10), "b": s(10)},
		},
		{
			name: "a task until stopped keeps its share",
			actions: []action{
				{at: 0, run: task("a", "i", 0, 512, 1024, 1024)},
				{at: 0, run: task("b", "i", 10, 512, 1024, 1024)},
				{at: s(30), run: &sim.Run{ID: "a", Instance: "i"}, stop: true},
			},
			want: map[string]time.Duration{"a": s(30), "b": s(20)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := contendedExits(t, tt.actions)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("exit times (-want +got) (%s):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestContentionRate(t *testing.T) {
	tests := []struct {
		capacity, demand int64
		want             float64
	}{
		{1024, 0, 1}, {1024, 1024, 1}, {1024, 2048, 0.5}, {1024, 4096, 0.25}, {0, 4096, 1}, {3072, 4096, 0.75},
	}
	for _, tt := range tests {
		if got := sim.ContentionRate(tt.capacity, tt.demand); got != tt.want {
			t.Errorf("ContentionRate(%d, %d) = %v, want %v", tt.capacity, tt.demand, got, tt.want)
		}
	}
}

// Properties of the contention model on random tasks of one instance: no
// task ends before its duration; none ends later than its duration
// stretched by the worst overcommit; and an instance never overcommitted
// ends every task at its duration, as the simulated executor.
func TestContendedProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		capacity := rapid.Int64Range(256, 4096).Draw(t, "capacity")
		n := rapid.IntRange(1, 8).Draw(t, "tasks")
		var actions []action
		var total int64
		durs := map[string]time.Duration{}
		for i := range n {
			id := string(rune('a' + i))
			use := rapid.Int64Range(0, 4096).Draw(t, "use")
			cpu := rapid.Int64Range(1, 1024).Draw(t, "cpu")
			d := time.Duration(rapid.IntRange(1, 100).Draw(t, "seconds")) * time.Second
			r := &sim.Run{ID: id, Instance: "i", CPU: cpu, CPUUse: use, Duration: d, InstanceCPU: capacity}
			total += r.Demand()
			durs[id] = d
			at := time.Duration(rapid.IntRange(0, 50).Draw(t, "at")) * time.Second
			actions = append(actions, action{at: at, run: r})
		}
		got := contendedExits(t, actions)
		worst := max(1, float64(total)/float64(capacity))
		for i, a := range actions {
			id := a.run.ID
			end, ok := got[id]
			if !ok {
				t.Fatalf("task %s never exited", id)
			}
			took := end - actions[i].at
			if took < durs[id] {
				t.Fatalf("task %s took %v, less than its duration %v", id, took, durs[id])
			}
			if limit := time.Duration(float64(durs[id])*worst) + time.Millisecond; took > limit {
				t.Fatalf("task %s took %v, more than %v (duration x %v)", id, took, limit, worst)
			}
			if total <= capacity && took != durs[id] {
				t.Fatalf("task %s took %v on an instance never overcommitted, want its duration %v", id, took, durs[id])
			}
		}
	})
}

// The docs' contention example, simulated: without the model every task
// runs its 30s; with it, the two tasks burning 1024 units each on one
// 1024-unit instance run at half speed (60s), and the one alone on the
// other instance is not slowed.
func TestContentionExample(t *testing.T) {
	for _, contention := range []bool{false, true} {
		f, err := os.Open("../examples/docker-contention.json")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.ReadScenario(f, "docker-contention.json")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sc.Contention = contention
		var log bytes.Buffer
		open := func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join("../examples", name)) }
		if _, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{Log: &log, Open: open}); err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for line := range strings.SplitSeq(strings.TrimSpace(log.String()), "\n") {
			var e trace.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatal(err)
			}
			if e.Kind == trace.KindFinish {
				got[e.TaskID] = e.Time
			}
		}
		want := map[string]float64{"etl-1": 30, "etl-2": 30, "web-1": 30}
		if contention {
			want["etl-1"], want["etl-2"] = 60, 60
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("contention %v: finish times (-want +got):\n%s", contention, diff)
		}
	}
}
