package docker

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/dockertest"
	"github.com/berthsched/berth/sim"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// A crashed run's containers (its process gone) are removed when the next
// run starts, and again when it closes: a create the crashed run had sent
// can complete on the engine after the first sweep (CI saw one). A live
// run's are left alone.
func TestDockerLeftoversRemovedAtStart(t *testing.T) {
	cli := engineClient(t)
	ctx := context.Background()
	img, err := ensureImage(ctx, cli, "")
	if err != nil {
		t.Fatal(err)
	}
	// A pid that no longer exists: a process that has exited.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	mk := func(run string, pid int) string {
		res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Config: &container.Config{Image: img, Labels: map[string]string{
				LabelRun: run, LabelClient: host, LabelPID: strconv.Itoa(pid)}},
			HostConfig: &container.HostConfig{NetworkMode: "none"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.ContainerRemove(ctx, res.ID, client.ContainerRemoveOptions{Force: true}) })
		return res.ID
	}
	crashed := mk("crashed-"+strconv.Itoa(os.Getpid()), cmd.Process.Pid)
	live := mk("live-"+strconv.Itoa(os.Getpid()), os.Getpid())
	if _, err := cli.ContainerStart(ctx, crashed, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}

	eng := sim.NewEngine(func(sim.Event) {})
	ex := newTestExecutor(t, eng, Config{Scale: 1})
	if _, err := cli.ContainerInspect(ctx, crashed, client.ContainerInspectOptions{}); !notFound(err) {
		t.Errorf("the crashed run's container is still there (inspect: %v)", err)
	}
	if _, err := cli.ContainerInspect(ctx, live, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("the live run's container was removed: %v", err)
	}

	late := mk("crashed-"+strconv.Itoa(os.Getpid()), cmd.Process.Pid)
	if err := ex.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := cli.ContainerInspect(ctx, late, client.ContainerInspectOptions{}); !notFound(err) {
		t.Errorf("the crashed run's container made after the run began is still there after Close (inspect: %v)", err)
	}
	if _, err := cli.ContainerInspect(ctx, live, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("the live run's container was removed at Close: %v", err)
	}
}

// An engine that does not answer is a one-line error naming it.
func TestDockerUnreachableEngine(t *testing.T) {
	sock := "unix://" + t.TempDir() + "/nobody.sock"
	_, err := New(t.Context(), sim.NewEngine(func(sim.Event) {}), Config{Scale: 1, Host: sock})
	if err == nil {
		t.Fatal("New with no engine succeeded")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "docker: no Docker engine answers at "+sock) || strings.Contains(msg, "\n") {
		t.Errorf("New error = %q, want one line starting %q", msg, "docker: no Docker engine answers at "+sock)
	}
	if err := Ping(t.Context(), Config{Hosts: []HostRule{{Pattern: "x-*", URL: sock}}}); err == nil || !strings.Contains(err.Error(), sock) {
		t.Errorf("Ping = %v, want an error naming %s", err, sock)
	}
}

// Cancelling the run's context fails the executor and stops the engine;
// Close then removes every container.
func TestDockerCancelStopsTheRun(t *testing.T) {
	cli := engineClient(t)
	ctx, cancel := context.WithCancel(t.Context())
	var ex *Executor
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		if _, ok := ex.Handle(ev); !ok {
			t.Errorf("unexpected event %T", ev)
		}
	})
	ex, err := New(ctx, eng, Config{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x", "y"} {
		if err := ex.Start(&sim.Run{ID: id, Instance: "a", CPU: 16, MemoryMiB: 16}); err != nil {
			t.Fatal(err)
		}
	}
	time.AfterFunc(2*time.Second, cancel)
	done := make(chan error, 1)
	go func() { done <- eng.RunPaced(t.Context(), time.Hour, 1, time.Now) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunPaced: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the engine did not stop after the cancel")
	}
	if err := ex.Err(); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Err() = %v, want the cancel", err)
	}
	if err := ex.Start(&sim.Run{ID: "z", Instance: "a"}); err == nil {
		t.Errorf("Start after the cancel succeeded")
	}
	if err := ex.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if left := runContainers(t, cli, ex.RunID()); len(left) > 0 {
		t.Errorf("run %s left %d containers", ex.RunID(), len(left))
	}
}

// Two instances on one engine bind the same static host port, each on
// its own loopback address, and the workload listens on it.
func TestDockerStaticPortsPerInstance(t *testing.T) {
	engineClient(t)
	var ex *Executor
	var exits []*sim.Exit
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		switch ev := ev.(type) {
		case func():
			ev()
		default:
			if e, ok := ex.Handle(ev); ok && e != nil {
				exits = append(exits, e)
			}
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1})
	port := freePort(t, "127.1.0.1", "127.1.0.2")
	for _, inst := range []string{"i-1", "i-2"} {
		if err := ex.Start(&sim.Run{ID: inst, Instance: inst, CPU: 16, MemoryMiB: 16, Ports: []uint16{port}}); err != nil {
			t.Fatal(err)
		}
	}
	addrs := []string{"127.1.0.1", "127.1.0.2"}
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		for {
			c, err := net.DialTimeout("tcp", net.JoinHostPort(a, strconv.Itoa(int(port))), time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("nothing listens on %s:%d: %v (exits so far: %v)", a, port, err, exits)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	eng.Step() // the injected exits, if any
	if len(exits) > 0 {
		t.Errorf("tasks exited: %+v", exits[0])
	}
}

// The workload image is a scratch image with the workload as entrypoint,
// imported once: asking again finds it.
func TestDockerImageBuiltOnceAndReused(t *testing.T) {
	cli := engineClient(t)
	ctx := context.Background()
	ref, err := ensureImage(ctx, cli, "")
	if err != nil {
		t.Fatal(err)
	}
	img, err := cli.ImageInspect(ctx, ref)
	if err != nil {
		t.Fatalf("ImageInspect(%s): %v", ref, err)
	}
	if ep := img.Config.Entrypoint; len(ep) != 1 || ep[0] != "/workload" {
		t.Errorf("entrypoint = %v, want [/workload]", ep)
	}
	again, err := ensureImage(ctx, cli, "")
	if err != nil || again != ref {
		t.Fatalf("ensureImage again = %q, %v; want %q", again, err, ref)
	}
	img2, err := cli.ImageInspect(ctx, ref)
	if err != nil || img2.ID != img.ID {
		t.Errorf("the image changed: %s, then %s (%v)", img.ID, img2.ID, err)
	}
}

// Invalid runs are errors of Start, naming the task and the field.
func TestDockerStartRejectsInvalidRuns(t *testing.T) {
	engineClient(t)
	ex := newTestExecutor(t, sim.NewEngine(func(sim.Event) {}), Config{Scale: 1})
	tests := []struct {
		name string
		run  sim.Run
		err  string
	}{
		{"exit code", sim.Run{ID: "t", ExitCode: 300}, "docker: task t: exit code 300, expected 0 to 255"},
		{"memory", sim.Run{ID: "t", MemoryMiB: 4}, "docker: task t: memory 4 MiB, expected 0 (no limit) or at least 6"},
		{"oom without limit", sim.Run{ID: "t", OOM: true}, "docker: task t: OOM asked without a memory limit"},
		{"no id", sim.Run{}, "docker: task id is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.run
			if err := ex.Start(&r); err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Start(%+v) = %v, want %q...", tt.run, err, tt.err)
			}
		})
	}
}

// Instances go to the endpoint of the first rule matching their id, the
// others to the default one; every endpoint is connected by New.
func TestDockerHostsRouteInstances(t *testing.T) {
	cli := engineClient(t)
	var ex *Executor
	var eng *sim.Engine
	exited := map[string]int{}
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok && e != nil {
			exited[e.Run.ID] = e.ExitCode
			if len(exited) == 2 {
				eng.Stop()
			}
		}
	})
	url := cli.DaemonHost()
	ex = newTestExecutor(t, eng, Config{Scale: 1, Hosts: []HostRule{{Pattern: "gpu-*", URL: url}}})
	if len(ex.eps) != 2 || ex.eps[""] == nil || ex.eps[url] == nil {
		t.Fatalf("endpoints = %v, want the default and %s", ex.eps, url)
	}
	for _, inst := range []string{"gpu-00001", "cpu-00002"} {
		if err := ex.Start(&sim.Run{ID: inst, Instance: "arn:aws:ecs:sim:000000000000:container-instance/x/" + inst, CPU: 16, MemoryMiB: 16, Duration: time.Millisecond, ExitCode: 4}); err != nil {
			t.Fatal(err)
		}
	}
	if got := ex.running["gpu-00001"].ep; got != ex.eps[url] {
		t.Errorf("gpu-00001 went to %q, want %q", got.url, url)
	}
	if got := ex.running["cpu-00002"].ep; got != ex.eps[""] {
		t.Errorf("cpu-00002 went to %q, want the default", got.url)
	}
	if err := eng.RunPaced(t.Context(), time.Minute, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"gpu-00001": 4, "cpu-00002": 4}, exited); diff != "" {
		t.Errorf("exits (-want +got):\n%s", diff)
	}
}

// A create still on its way to the engine when the run is cancelled is
// not lost: Close waits for it and removes the container. It used to be
// cut short on the client's side only, so the engine made the container
// after Close had looked, and it stayed in "created" state.
func TestDockerCancelDuringCreateLeavesNothing(t *testing.T) {
	cli := engineClient(t)
	held := make(chan struct{}, 16)
	proxy := dockertest.NewProxy(t, func(r *http.Request) time.Duration {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/containers/create") {
			held <- struct{}{}
			return 1500 * time.Millisecond
		}
		return 0
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	eng := sim.NewEngine(func(sim.Event) {})
	ex, err := New(ctx, eng, Config{Scale: 1, Host: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x", "y", "z"} {
		if err := ex.Start(&sim.Run{ID: id, Instance: "a", CPU: 16, MemoryMiB: 16}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("no create reached the engine")
	}
	cancel()
	if err := ex.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	proxy.Wait() // every create the engine was asked for is done
	if left := runContainers(t, cli, ex.RunID()); len(left) > 0 {
		t.Errorf("run %s left %d containers after Close", ex.RunID(), len(left))
		RemoveRun(context.Background(), cli, ex.RunID())
	}
}

// An engine that goes away mid-run fails the run within seconds, and Close
// names, in one line, every container the run left on it. They used to go
// unmentioned.
func TestDockerLostEngineNamesItsContainers(t *testing.T) {
	cli := engineClient(t)
	proxy := dockertest.NewProxy(t, nil)
	var ex *Executor
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) { ex.Handle(ev) })
	ex, err := New(t.Context(), eng, Config{Scale: 1, Host: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		RemoveRun(context.Background(), cli, ex.RunID())
		// Its cgroups stay with the containers on the lost engine, for the
		// next run of another process; this process removes its own.
		for _, ep := range ex.eps {
			if ep.cg != nil {
				if err := ep.cg.remove(ep.cg.run); err != nil {
					t.Errorf("removing the run's cgroups: %v", err)
				}
			}
		}
	})
	for _, id := range []string{"x", "y", "z"} {
		if err := ex.Start(&sim.Run{ID: id, Instance: "a", CPU: 16, MemoryMiB: 16}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- eng.RunPaced(t.Context(), time.Hour, 1, time.Now) }()
	var want []string
	for deadline := time.Now().Add(time.Minute); len(want) < 3; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the three containers did not start: %v", want)
		}
		want = runContainerNames(t, cli, ex.RunID(), "running")
	}

	proxy.Cut()
	lost := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not stop after its engine went away")
	}
	t.Logf("the run stopped %v after the engine went away", time.Since(lost).Round(time.Millisecond))
	if err := ex.Err(); err == nil || !strings.HasPrefix(err.Error(), "docker: "+proxy.URL+": event stream: ") {
		t.Errorf("Err() = %v, want the event stream's failure at %s", err, proxy.URL)
	}
	err = ex.Close()
	prefix := "docker: run " + ex.RunID() + ": removing its containers: "
	if err == nil || !strings.HasPrefix(err.Error(), prefix) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Close() = %v, want one line starting %q", err, prefix)
	}
	var left *LeftError
	if !errors.As(err, &left) {
		t.Fatalf("Close() = %v, want a *LeftError naming the containers left", err)
	}
	if diff := cmp.Diff(want, left.Names); diff != "" {
		t.Errorf("containers named by Close (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(err.Error(), "; "+left.Left()) || !strings.Contains(err.Error(), " for the next run to remove: "+strings.Join(want, " ")) {
		t.Errorf("Close() = %q, want it to end with the containers left", err)
	}
}

// runContainerNames lists the names of the run's containers, sorted; with
// a status ("running"), only those in it.
func runContainerNames(t testing.TB, cli *client.Client, runID, status string) []string {
	t.Helper()
	f := make(client.Filters).Add("label", LabelRun+"="+runID)
	if status != "" {
		f = f.Add("status", status)
	}
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatalf("ContainerList: %v", err)
	}
	var names []string
	for _, c := range list.Items {
		names = append(names, strings.TrimPrefix(firstOr(c.Names, c.ID), "/"))
	}
	sort.Strings(names)
	return names
}
