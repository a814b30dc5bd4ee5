package docker

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/client"
)

// inspected is what the test reads of a container through the engine.
type inspected struct {
	CPUShares, Memory, MemoryReservation int64
	Running                              bool
	Ports                                map[string]string // container port -> host port
}

// inspectByName inspects the run's containers that are there now, keyed
// by their container definition name (LabelContainer).
func inspectByName(t *testing.T, cli *client.Client, runID string) map[string]inspected {
	t.Helper()
	out := map[string]inspected{}
	for _, id := range runContainers(t, cli, runID) {
		res, err := cli.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
		if err != nil {
			continue // removed meanwhile
		}
		c := res.Container
		in := inspected{CPUShares: c.HostConfig.CPUShares, Memory: c.HostConfig.Memory,
			MemoryReservation: c.HostConfig.MemoryReservation, Running: c.State != nil && c.State.Running, Ports: map[string]string{}}
		if c.NetworkSettings != nil {
			for p, bs := range c.NetworkSettings.Ports {
				for _, b := range bs {
					in.Ports[p.String()] = b.HostPort
				}
			}
		}
		out[c.Config.Labels[LabelContainer]] = in
	}
	return out
}

// A task of two containers: the essential one with a static port, the
// other non-essential with a dynamic port and only a soft memory limit,
// exiting early. Each container gets its own limits and ports; the
// sidecar's exit leaves the task running, and the essential one's ends it
// with its code.
func TestDockerTwoContainerTask(t *testing.T) {
	cli := engineClient(t)
	// The sidecar must outlive the start of both containers, and the task
	// the sidecar: both follow the engine's start latency now (a few
	// seconds on an idle machine). The two containers start one after the
	// other, about two latencies after Start; the sidecar runs until six,
	// so that a latency that doubles after it was measured (a loaded
	// machine) still leaves a moment when both run.
	lat := startLatency(t)
	sideFor := max(4*time.Second, 6*lat).Round(time.Second)
	duration := sideFor + max(4*time.Second, 2*lat).Round(time.Second)
	t.Logf("container start latency %v: sidecar %v, task %v", lat.Round(time.Millisecond), sideFor, duration)
	var ex *Executor
	var exit atomic.Pointer[sim.Exit]
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok && e != nil {
			exit.Store(e)
			eng.Stop()
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1})
	port := freePort(t, "127.1.0.1")
	run := &sim.Run{ID: "pair", Instance: "i-a", Group: "family:web", Family: "web", Duration: duration, ExitCode: 7,
		Containers: []sim.Container{
			{Name: "app", CPU: 256, MemoryMiB: 64, Essential: true, Ports: []sim.PortMapping{{ContainerPort: 8080, HostPort: port}}},
			{Name: "side", CPU: 128, MemoryReservationMiB: 16, Duration: sideFor, ExitCode: 3,
				Ports: []sim.PortMapping{{ContainerPort: 9000, Protocol: "tcp"}}},
		}}
	if err := ex.Start(run); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- eng.RunPaced(t.Context(), time.Minute, 1, time.Now) }()

	// Both running: their limits and ports as the engine has them.
	var both map[string]inspected
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		both = inspectByName(t, cli, ex.RunID())
		if both["app"].Running && both["side"].Running || time.Now().After(deadline) || exit.Load() != nil {
			break
		}
	}
	if !both["app"].Running || !both["side"].Running {
		if e := exit.Load(); e != nil {
			t.Fatalf("the task ended before its two containers were seen running together: %d %q", e.ExitCode, e.Reason)
		}
		t.Fatalf("the two containers were not seen running together (the engine is slow to start them?): %+v", both)
	}
	dyn := both["side"].Ports["9000/tcp"]
	if n, err := strconv.Atoi(dyn); err != nil || n == 0 {
		t.Errorf("side: port 9000/tcp published on host port %q, want one the engine picked", dyn)
	}
	want := map[string]inspected{
		"app":  {CPUShares: 256, Memory: 64 << 20, Running: true, Ports: map[string]string{"8080/tcp": strconv.Itoa(int(port))}},
		"side": {CPUShares: 128, MemoryReservation: 16 << 20, Running: true, Ports: map[string]string{"9000/tcp": dyn}},
	}
	if diff := cmp.Diff(want, both); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}

	// The sidecar exits (and is removed); the task goes on.
	sideGone := time.Time{}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, ok := inspectByName(t, cli, ex.RunID())["side"]; !ok {
			sideGone = time.Now()
			break
		}
	}
	if sideGone.IsZero() {
		t.Fatal("the non-essential container did not exit")
	}
	if e := exit.Load(); e != nil {
		t.Fatalf("the task ended with the non-essential container: %+v", *e)
	}
	if got := inspectByName(t, cli, ex.RunID()); !got["app"].Running {
		t.Errorf("after the sidecar's exit, the essential container is not running: %+v", got)
	}

	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the task did not end")
	}
	e := exit.Load()
	if e == nil {
		t.Fatal("no exit")
	}
	if e.ExitCode != 7 || e.Reason != sim.ReasonEssentialExited || e.Run != run {
		t.Errorf("exit = %d %q, want 7 %q", e.ExitCode, e.Reason, sim.ReasonEssentialExited)
	}
	if at := eng.Now(); at < duration-time.Second {
		t.Errorf("the task ended at %v, want about its duration %v", at, duration)
	}
}

// When the essential container exits, the non-essential ones still
// running are stopped and removed, and the task ends with the essential
// container's code.
func TestDockerEssentialExitStopsOthers(t *testing.T) {
	cli := engineClient(t)
	var ex *Executor
	var exit atomic.Pointer[sim.Exit]
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok && e != nil {
			exit.Store(e)
			eng.Stop()
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1})
	run := &sim.Run{ID: "main", Instance: "i-a", Duration: time.Second, ExitCode: 4,
		Containers: []sim.Container{
			{Name: "side", CPU: 16, MemoryMiB: 16}, // until the task stops
			{Name: "app", CPU: 16, MemoryMiB: 16, Essential: true},
		}}
	if err := ex.Start(run); err != nil {
		t.Fatal(err)
	}
	if err := eng.RunPaced(t.Context(), time.Minute, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	e := exit.Load()
	if e == nil || e.ExitCode != 4 || e.Reason != sim.ReasonEssentialExited {
		t.Fatalf("exit = %+v, want 4 %q", e, sim.ReasonEssentialExited)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := runContainers(t, cli, ex.RunID())
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d containers remain after the essential one exited", len(left))
		}
	}
}

// A run without containers keeps its single container's configuration:
// memory as both limits, static ports bound to the same container port,
// no container label.
func TestContainerSpecsSingle(t *testing.T) {
	r := &sim.Run{ID: "x", CPU: 512, MemoryMiB: 128, Ports: []uint16{80}, Duration: time.Minute, ExitCode: 2, OOM: true}
	got := containerSpecs(r)
	want := []containerSpec{{cpu: 512, demand: 512, hard: 128, soft: 128, essential: true, duration: time.Minute, exit: 2, oom: true,
		ports: []sim.PortMapping{{ContainerPort: 80, HostPort: 80, Protocol: "tcp"}}}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(containerSpec{})); diff != "" {
		t.Errorf("containerSpecs (-want +got):\n%s", diff)
	}
}

// Invalid containers are errors of Start, naming the field.
func TestValidRunContainers(t *testing.T) {
	base := func(cs ...sim.Container) *sim.Run { return &sim.Run{ID: "t", Containers: cs} }
	tests := []struct {
		name string
		run  *sim.Run
		want string
	}{
		{"ok", base(sim.Container{Name: "a", Essential: true, MemoryMiB: 64, MemoryReservationMiB: 32}), ""},
		{"none essential", base(sim.Container{Name: "a"}), "docker: task t: containers: none is essential, expected at least one"},
		{"duplicate name", base(sim.Container{Name: "a", Essential: true}, sim.Container{Name: "a"}), `docker: task t: containers[1].name: "a", expected a name unique in the task`},
		{"tiny memory", base(sim.Container{Name: "a", Essential: true, MemoryMiB: 2}), "docker: task t: containers[0].memory: 2 MiB, expected 0 (no limit) or at least 6 (Docker's minimum)"},
		{"soft above hard", base(sim.Container{Name: "a", Essential: true, MemoryMiB: 16, MemoryReservationMiB: 16}), "docker: task t: containers[0].memoryReservation: 16 MiB, expected less than memory 16 MiB"},
		{"essential duration", base(sim.Container{Name: "a", Essential: true, Duration: time.Second}), "docker: task t: containers[0]: duration 1s and exit code 0, expected none on an essential container (it follows the task's)"},
		{"protocol", base(sim.Container{Name: "a", Essential: true, Ports: []sim.PortMapping{{ContainerPort: 1, Protocol: "sctp"}}}), `docker: task t: containers[0].ports[0].protocol: "sctp", expected tcp or udp`},
		{"oom without limit", &sim.Run{ID: "t", OOM: true, Containers: []sim.Container{{Name: "a", Essential: true, MemoryReservationMiB: 16}}},
			"docker: task t: OOM asked without a memory limit on containers[0], the first essential one, expected memory > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validRun(tt.run)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("validRun = %q, want %q", got, tt.want)
			}
		})
	}
}
