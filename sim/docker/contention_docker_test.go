package docker

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
	"github.com/moby/moby/client"
)

// overcommitScenario is two instances of 1 vCPU: a and b reserve half of
// one each (binpack puts them together) but burn all of it, so that
// instance is overcommitted 2x; c reserves half of the other and burns
// that half. Every task lasts 20s.
func overcommitScenario(t *testing.T, contention bool) (*scenario.Scenario, func(string) (io.ReadCloser, error)) {
	var lines bytes.Buffer
	for _, e := range []trace.Event{
		{Kind: trace.KindSubmit, TaskID: "a", CPU: 512, CPUUse: 1024, MemoryMiB: 64, Duration: 20},
		{Kind: trace.KindSubmit, TaskID: "b", CPU: 512, CPUUse: 1024, MemoryMiB: 64, Duration: 20},
		{Kind: trace.KindSubmit, TaskID: "c", CPU: 512, MemoryMiB: 64, Duration: 20},
	} {
		if err := trace.WriteEvent(&lines, &e); err != nil {
			t.Fatal(err)
		}
	}
	js := `{
  "name": "overcommit", "seed": 1, "duration": "5m", "contention": ` + map[bool]string{true: "true", false: "false"}[contention] + `,
  "fleet": {"instanceTypes": [{"name": "c5.small", "cpu": 1024, "memory": 1024}], "pools": [{"type": "c5.small", "zones": {"zone-a": 2}}]},
  "workload": {"trace": {"format": "native", "path": "t.jsonl"}, "placement": {"strategies": [{"type": "binpack", "field": "cpu"}]}}
}`
	sc, err := scenario.ReadScenario(strings.NewReader(js), "overcommit.json")
	if err != nil {
		t.Fatal(err)
	}
	tr := lines.Bytes()
	return sc, func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tr)), nil }
}

// stopAfter stops a paced run once n tasks exited, so that the test waits
// no longer than the containers take.
type stopAfter struct {
	*Executor
	eng   *sim.Engine
	n     int
	exits int
}

func (s *stopAfter) Handle(ev sim.Event) (*sim.Exit, bool) {
	e, ok := s.Executor.Handle(ev)
	if e != nil {
		if s.exits++; s.exits == s.n {
			s.eng.Stop()
		}
	}
	return e, ok
}

// On an instance overcommitted 2x, the co-placed CPU-bound tasks run at
// least 1.5x longer than simulated and the comparison names them, with
// their instance's throttling; the contention model predicts their real
// run times within 20%.
func TestDockerOvercommitStretchesCoPlacedTasks(t *testing.T) {
	cli := engineClient(t)
	const scale, resources = 1, 0.5 // each instance is half a core
	simLog := func(contention bool) []byte {
		sc, open := overcommitScenario(t, contention)
		var log bytes.Buffer
		if _, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{Log: &log, Open: open}); err != nil {
			t.Fatal(err)
		}
		return log.Bytes()
	}
	plain, modelled := simLog(false), simLog(true)

	sc, open := overcommitScenario(t, false)
	var dockerLog bytes.Buffer
	var ex *Executor
	start := time.Now()
	_, err := sim.Simulate(sc, scenario.Variant{}, sim.Options{Log: &dockerLog, Open: open,
		Paced: &sim.Pacing{Scale: scale, Wall: time.Now},
		Executor: func(eng *sim.Engine) sim.Executor {
			var err error
			if ex, err = New(t.Context(), eng, Config{Scale: scale, ScaleResources: resources}); err != nil {
				t.Fatalf("New: %v", err)
			}
			return &stopAfter{Executor: ex, eng: eng, n: 3}
		}})
	if err != nil {
		t.Fatalf("docker run: %v", err)
	}
	if err := ex.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("docker run: %.1fs wall", time.Since(start).Seconds())
	if left := runContainers(t, cli, ex.RunID()); len(left) > 0 {
		t.Errorf("run %s left %d containers", ex.RunID(), len(left))
	}
	stats := ex.Stats()
	if !strings.Contains(strings.Join(stats.Boundaries, " "), "instances bounded by cgroups") {
		t.Fatalf("instances not bounded: %v", stats.Boundaries)
	}

	c, err := CompareContention(bytes.NewReader(plain), bytes.NewReader(dockerLog.Bytes()), stats, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	c.Write(&report)
	t.Logf("without the contention model:\n%s", report.String())
	if len(c.Tasks) != 3 {
		t.Fatalf("%d tasks compared, want 3", len(c.Tasks))
	}
	for _, tc := range c.Tasks[:2] { // a and b
		if tc.Stretch < 1.5 {
			t.Errorf("task %s ran %v, %.2fx its simulated %v: want at least 1.5x on an instance overcommitted 2x", tc.Task, tc.Real, tc.Stretch, tc.Simulated)
		}
		other := map[string]string{"a": "b", "b": "a"}[tc.Task]
		want := "    " + tc.Task + " ran "
		line := ""
		for l := range strings.SplitSeq(report.String(), "\n") {
			if strings.HasPrefix(l, want) {
				line = l
			}
		}
		if !strings.Contains(line, "throttled on instance "+tc.Instance) || !strings.Contains(line, "co-placed with "+other) {
			t.Errorf("the summary line of %s is %q: want it named, throttled on instance %s, co-placed with %s", tc.Task, line, tc.Instance, other)
		}
		if tc.Stats.InstanceThrottled == 0 {
			t.Errorf("task %s: its instance was never throttled while it ran", tc.Task)
		}
	}
	if tc := c.Tasks[2]; tc.Stretched(0.5) {
		t.Logf("note: task c, alone within its instance, ran %.2fx its simulated time (machine load?)", tc.Stretch)
	}

	// With the model, the simulation expects the stretch.
	m, err := CompareContention(bytes.NewReader(modelled), bytes.NewReader(dockerLog.Bytes()), stats, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	report.Reset()
	m.Write(&report)
	t.Logf("with the contention model:\n%s", report.String())
	for _, tc := range m.Tasks {
		if d := tc.Real - tc.Simulated; d > tc.Real/5 || -d > tc.Real/5 {
			t.Errorf("with the contention model, task %s simulated %v, real %v: want within 20%%", tc.Task, tc.Simulated, tc.Real)
		}
	}
	if want := 40 * time.Second; m.Tasks[0].Simulated != want || m.Tasks[1].Simulated != want {
		t.Errorf("contention model: a and b simulated %v and %v, want %v (2x overcommitted)", m.Tasks[0].Simulated, m.Tasks[1].Simulated, want)
	}
}

// On an instance under memory pressure, a task over its hard limit is
// killed with ECS's reason and 137, and a task under its soft limit goes
// on to its end.
func TestDockerMemoryLimits(t *testing.T) {
	engineClient(t)
	var ex *Executor
	var eng *sim.Engine
	var mu sync.Mutex
	exits := map[string]*sim.Exit{}
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok && e != nil {
			mu.Lock()
			exits[e.Run.ID] = e
			n := len(exits)
			mu.Unlock()
			if n == 3 {
				eng.Stop()
			}
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1})
	const in, inMiB = "mem-1", 256
	runs := []*sim.Run{
		// hog holds 168 MiB of its 224 within the instance's 256: with
		// soft, the instance is above 3/4 of its memory.
		{ID: "hog", Instance: in, CPU: 16, MemoryMiB: 224, Duration: 8 * time.Second, InstanceCPU: 1024, InstanceMemoryMiB: inMiB},
		// soft holds 24 MiB, under its 32 MiB reservation, without a hard
		// limit.
		{ID: "soft", Instance: in, CPU: 16, MemoryMiB: 32, Duration: 8 * time.Second, InstanceCPU: 1024, InstanceMemoryMiB: inMiB,
			Containers: []sim.Container{{Name: "app", CPU: 16, MemoryReservationMiB: 32, Essential: true}}},
		// over grows past its hard limit of 24 MiB (the three stay within
		// the instance's limit).
		{ID: "over", Instance: in, CPU: 16, MemoryMiB: 24, Duration: 8 * time.Second, OOM: true, InstanceCPU: 1024, InstanceMemoryMiB: inMiB},
	}
	for _, r := range runs {
		if err := ex.Start(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.RunPaced(t.Context(), time.Minute, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, want := range map[string]struct {
		code   int
		reason string
	}{
		"over": {137, sim.ReasonOutOfMemory},
		"soft": {0, sim.ReasonEssentialExited},
		"hog":  {0, sim.ReasonEssentialExited},
	} {
		if e := exits[id]; e == nil || e.ExitCode != want.code || e.Reason != want.reason {
			t.Errorf("task %s exit = %+v, want %d %q", id, e, want.code, want.reason)
		}
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	s := ex.Stats()
	if len(s.Instances) != 1 || s.Instances[0].MemoryMiB != inMiB {
		t.Fatalf("instance stats %+v, want one instance of %d MiB", s.Instances, inMiB)
	}
	// Pressure: the instance held most of its memory at its peak.
	if peak := s.Instances[0].PeakMemoryMiB; peak < inMiB*3/4 {
		t.Errorf("instance peak memory %d MiB of %d: the test did not pressure it", peak, inMiB)
	}
	for _, ts := range s.Tasks {
		if ts.OOMKilled != (ts.Task == "over") {
			t.Errorf("task %s OOMKilled = %v", ts.Task, ts.OOMKilled)
		}
	}
	t.Logf("instance: %+v; tasks: %+v", s.Instances[0], s.Tasks)
}

// A stopped task whose containers do not exit on SIGTERM gets SIGKILL
// after its stop timeout (137), the non-essential container too: the task
// ends and its containers are gone within the timeout and a few seconds,
// not after the workload's 30s of grace.
func TestDockerStopTimeout(t *testing.T) {
	cli := engineClient(t)
	var ex *Executor
	var eng *sim.Engine
	var exit *sim.Exit
	var run *sim.Run
	eng = sim.NewEngine(func(ev sim.Event) {
		if _, ok := ev.(stopEvent); ok {
			if err := ex.Stop(run, ""); err != nil {
				t.Error(err)
			}
			return
		}
		if e, ok := ex.Handle(ev); ok && e != nil {
			exit = e
			eng.Stop()
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1, termGrace: 30 * time.Second})
	run = &sim.Run{ID: "slow", Instance: "i-a", StopTimeout: 2 * time.Second,
		Containers: []sim.Container{
			{Name: "app", CPU: 16, MemoryMiB: 16, Essential: true},
			{Name: "side", CPU: 16, MemoryMiB: 16},
		}}
	if err := ex.Start(run); err != nil {
		t.Fatal(err)
	}
	// Stop once both containers run.
	for deadline := time.Now().Add(time.Minute); len(runningOf(t, cli, ex.RunID())) < 2; time.Sleep(100 * time.Millisecond) {
		eng.Step() // none is due: it hands the engine the launches' events
		if time.Now().After(deadline) {
			t.Fatal("the task's containers did not start within a minute")
		}
	}
	stopped := time.Now()
	eng.Schedule(0, stopEvent{})
	if err := eng.RunPaced(t.Context(), 2*time.Minute, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	took := time.Since(stopped)
	if exit == nil || exit.ExitCode != 137 || exit.Reason != sim.ReasonStoppedByUser {
		t.Fatalf("exit = %+v, want 137 %q (SIGKILL after the stop timeout)", exit, sim.ReasonStoppedByUser)
	}
	for ; len(runContainers(t, cli, ex.RunID())) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Since(stopped) > 20*time.Second {
			t.Fatalf("containers remain %v after the stop", time.Since(stopped))
		}
	}
	if took < 2*time.Second || took > 15*time.Second {
		t.Errorf("the stopped task ended %v after the stop, want after its 2s stop timeout and well before the 30s grace", took)
	}
	t.Logf("stopped task ended %v after the stop", took.Round(time.Millisecond))
}

type stopEvent struct{}

// runningOf lists the running containers labelled with the run id.
func runningOf(t testing.TB, cli *client.Client, runID string) []string {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{Filters: make(client.Filters).Add("label", LabelRun+"="+runID).Add("status", "running")})
	if err != nil {
		t.Fatalf("ContainerList: %v", err)
	}
	var ids []string
	for _, c := range list.Items {
		ids = append(ids, c.ID)
	}
	return ids
}

// A task capped at a quarter core (--cpu-quota, its cpu 256) that burns a
// whole one runs about 4x its time, held back by its own limit, not its
// instance's; the summary says so.
func TestDockerTaskCPULimit(t *testing.T) {
	engineClient(t)
	var ex *Executor
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok && e != nil {
			eng.Stop()
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1, CPUQuota: true})
	r := &sim.Run{ID: "capped", Instance: "i-a", CPU: 256, CPUUse: 1024, MemoryMiB: 32, Duration: 2 * time.Second,
		InstanceCPU: 2048, InstanceMemoryMiB: 1024}
	if err := ex.Start(r); err != nil {
		t.Fatal(err)
	}
	if err := eng.RunPaced(t.Context(), time.Minute, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	s := ex.Stats()
	if len(s.Tasks) != 1 {
		t.Fatalf("stats of %d tasks, want 1", len(s.Tasks))
	}
	ts := s.Tasks[0]
	t.Logf("%+v", ts)
	if ts.Ran < 6*time.Second || ts.Throttled == 0 || ts.InstanceThrottled != 0 {
		t.Errorf("capped task ran %v, throttled %v by its own limit and %v by its instance's; want about 8s (1 core of work at a quarter), throttled by its own limit only",
			ts.Ran, ts.Throttled, ts.InstanceThrottled)
	}
	c := &Contention{Tolerance: 0.2, TimeScale: 1, ScaleResources: 1,
		Tasks: []TaskContention{{Task: "capped", Instance: "i-a", Simulated: 2 * time.Second, Real: ts.Ran, Stats: ts}}}
	if why := c.why(&c.Tasks[0]); !strings.HasPrefix(why, "held back by its own CPU limit") {
		t.Errorf("why = %q, want its own CPU limit named", why)
	}
}
