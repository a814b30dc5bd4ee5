package docker

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/dockertest"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/simtest"
	"github.com/moby/moby/client"
)

// engineClient returns a client of the local engine, or skips the test
// under -short or BERTH_SKIP_DOCKER (see internal/dockertest), or when no
// engine answers.
func engineClient(t testing.TB) *client.Client {
	t.Helper()
	dockertest.Skip(t)
	cli, name, err := dial(context.Background(), "")
	if err != nil {
		t.Skipf("no Docker engine answers (%s), skipping: %v", name, err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// runContainers lists the containers labelled with the run id.
func runContainers(t testing.TB, cli *client.Client, runID string) []string {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun+"="+runID)})
	if err != nil {
		t.Fatalf("ContainerList: %v", err)
	}
	var ids []string
	for _, c := range list.Items {
		ids = append(ids, c.ID)
	}
	return ids
}

// newTestExecutor builds an executor on eng and checks, once the test is
// over (after Close), that none of the run's containers remains.
func newTestExecutor(t *testing.T, eng *sim.Engine, cfg Config) *Executor {
	t.Helper()
	cli := engineClient(t)
	ex, err := New(t.Context(), eng, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := ex.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if left := runContainers(t, cli, ex.RunID()); len(left) > 0 {
			t.Errorf("run %s left %d containers", ex.RunID(), len(left))
		}
	})
	return ex
}

// startLatency measures the wall time from Start to the Exit of a task
// that exits at once: what a container start costs on this engine now.
func startLatency(t *testing.T) time.Duration {
	t.Helper()
	var ex *Executor
	var eng *sim.Engine
	eng = sim.NewEngine(func(ev sim.Event) {
		if e, ok := ex.Handle(ev); ok && e != nil {
			eng.Stop()
		}
	})
	ex = newTestExecutor(t, eng, Config{Scale: 1})
	begin := time.Now()
	if err := ex.Start(&sim.Run{ID: "probe", Instance: "a", CPU: 16, MemoryMiB: 16, Duration: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := eng.RunPaced(t.Context(), time.Minute, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	return time.Since(begin)
}

// The conformance suite's tasks last a few seconds, so its time scale
// follows the engine's container start latency, measured first: about
// 0.6s of trace time per start (scale 2 on an idle machine, where a
// start takes 0.3s; 0.5 at least, on a loaded one where starts take
// seconds). A task cannot exit before its container has started, so the
// timing tolerance is two start latencies in trace time, 2s at least.
func TestDockerConformance(t *testing.T) {
	engineClient(t)
	// The worst of three samples: a single one taken in a quiet moment
	// made the suite too tight when the machine got busy later.
	lat := max(startLatency(t), startLatency(t), startLatency(t))
	scale := min(2, max(0.5, 0.6/lat.Seconds()))
	tol := max(2*time.Second, time.Duration(2*float64(lat)*scale)).Round(100 * time.Millisecond)
	t.Logf("container start latency %v: time scale %.2f, timing tolerance %v", lat.Round(time.Millisecond), scale, tol)
	simtest.Executor(t, simtest.Options{Scale: scale, Tolerance: tol, Instances: [2]string{"instance-a", "instance-b"}},
		func(t *testing.T, eng *sim.Engine) sim.Executor {
			return newTestExecutor(t, eng, Config{Scale: scale})
		})
}

// Under -short, a test that needs the engine skips (with a message) even
// when one answers: the Docker tests are heavy. They used to run whenever
// an engine answered, which made `go test -short ./...` take minutes.
func TestEngineClientSkipsUnderShort(t *testing.T) {
	if !testing.Short() {
		t.Skip("checks the -short behaviour: run with -short")
	}
	ran, skipped := false, false
	t.Run("probe", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		engineClient(t)
		ran = true
	})
	if ran || !skipped {
		t.Errorf("under -short, engineClient let the test run (ran %v, skipped %v), want it skipped", ran, skipped)
	}
}

// freePort returns a TCP port that is free on every one of addrs now. A
// test that binds static host ports takes one of these rather than a
// fixed number: two runs of the tests at once on one engine (two
// checkouts, or CI beside a developer) collided on a fixed port, and the
// container of one of them could not start.
func freePort(t *testing.T, addrs ...string) uint16 {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", net.JoinHostPort(addrs[0], "0"))
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		free := true
		for _, a := range addrs[1:] {
			l, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(port)))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		ln.Close()
		if free {
			return uint16(port)
		}
	}
	t.Fatalf("no port free on all of %v", addrs)
	return 0
}
