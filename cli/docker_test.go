package cli

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/dockertest"
	"github.com/berthsched/berth/sim/docker"
	"github.com/berthsched/berth/sim/trace"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/client"
)

// The tests below run berth as a process of its own, as a user does, so
// that signals, a lost engine and a crash reach it for real. They need a
// Docker engine; see internal/dockertest for when they skip.

// dockerEngine returns a client of the local engine, or skips t.
func dockerEngine(t *testing.T) *client.Client {
	t.Helper()
	dockertest.Skip(t)
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Skipf("no Docker client (%v), skipping", err)
	}
	t.Cleanup(func() { cli.Close() })
	if err := docker.Ping(t.Context(), docker.Config{Scale: 1}); err != nil {
		t.Skipf("no Docker engine answers, skipping: %v", err)
	}
	return cli
}

// berthBinary builds berth for the test (once per test: the build cache
// makes the builds after the first one a link).
func berthBinary(t *testing.T) string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	path := filepath.Join(t.TempDir(), "berth")
	if out, err := exec.Command(gobin, "build", "-o", path, "../cmd/berth").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	return path
}

// dockerScenario writes a scenario of 40 tasks of 30 s arriving two per
// second over 20 s on four instances, lasting the given trace time, and
// returns its path.
func dockerScenario(t *testing.T, duration string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for i := range 40 {
		e := trace.Event{Time: float64(i) / 2, Kind: trace.KindSubmit, TaskID: fmt.Sprintf("t-%02d", i), App: "a", CPU: 16, MemoryMiB: 24, Duration: 30}
		if err := trace.WriteEvent(&b, &e); err != nil {
			t.Fatal(err)
		}
	}
	js := `{"name": "interrupt", "seed": 1, "duration": "` + duration + `",
  "fleet": {"instanceTypes": [{"name": "m5.4xlarge", "cpu": 16384, "memory": 61000}],
            "pools": [{"type": "m5.4xlarge", "zones": {"zone-a": 4}}]},
  "workload": {"trace": {"format": "native", "path": "tasks.jsonl"},
               "placement": {"strategies": [{"type": "spread", "field": "instanceId"}]}}}`
	if err := os.WriteFile(filepath.Join(dir, "tasks.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// berthProc is berth sim --executor docker running as a process.
type berthProc struct {
	cmd      *exec.Cmd
	replay   chan struct{} // closed when the replay on Docker begins
	done     chan struct{} // closed when the process has exited
	mu       sync.Mutex
	stderr   []string
	exitedAt time.Time
}

func startBerth(t *testing.T, bin string, args ...string) *berthProc {
	t.Helper()
	p := &berthProc{cmd: exec.Command(bin, args...), replay: make(chan struct{}), done: make(chan struct{})}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		once := sync.Once{}
		for sc.Scan() {
			p.mu.Lock()
			p.stderr = append(p.stderr, sc.Text())
			p.mu.Unlock()
			if strings.HasPrefix(sc.Text(), "berth sim: replaying ") {
				once.Do(func() { close(p.replay) })
			}
		}
		p.cmd.Wait()
		p.mu.Lock()
		p.exitedAt = time.Now()
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits at most limit for the process to exit, and returns its exit
// code and the lines it wrote on stderr.
func (p *berthProc) wait(t *testing.T, limit time.Duration) (int, []string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("berth did not exit within %v; stderr: %q", limit, p.lines())
	}
	return p.cmd.ProcessState.ExitCode(), p.lines()
}

func (p *berthProc) lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.stderr)
}

// containersOf lists the names of the containers made by berth process
// pid of this machine, sorted; with a status ("running"), only those in it.
func containersOf(t *testing.T, cli *client.Client, pid int, status string) []string {
	t.Helper()
	host, _ := os.Hostname()
	f := make(client.Filters).Add("label", docker.LabelPID+"="+strconv.Itoa(pid)).Add("label", docker.LabelClient+"="+host)
	if status != "" {
		f = f.Add("status", status)
	}
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatalf("ContainerList: %v", err)
	}
	var names []string
	for _, c := range list.Items {
		name := c.ID
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// waitRunning waits until berth process pid has at least n containers
// running.
func waitRunning(t *testing.T, cli *client.Client, p *berthProc, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		got := containersOf(t, cli, p.cmd.Process.Pid, "running")
		if len(got) >= n {
			return got
		}
		select {
		case <-p.done:
			t.Fatalf("berth exited before %d containers ran: %q", n, p.lines())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("berth did not run %d containers within a minute (%d running)", n, len(got))
		}
	}
}

// load keeps the machine busy while the test runs: n processes spinning,
// ended (by their pid) when the test ends.
func load(t *testing.T, n int) {
	t.Helper()
	for range n {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// Done-when of the Docker executor's cleanup: SIGINT (and SIGTERM) at
// seeded random points of a run, 20 times, on a loaded machine; each
// interrupted run exits 1 within seconds with one line, and leaves no
// container or network behind. Interrupts land while containers are being
// created: a create in flight used to be lost by the cleanup, and the run
// then waited a minute and left it in "created" state.
func TestDockerInterruptLeavesNoContainer(t *testing.T) {
	cli := dockerEngine(t)
	scenario := dockerScenario(t, "10m")
	bin := berthBinary(t)
	load(t, 4)
	rng := rand.New(rand.NewPCG(13, 7))
	const runs = 20
	var slowest time.Duration
	for i := range runs {
		sig, name := os.Interrupt, "SIGINT"
		if i%4 == 3 {
			sig, name = syscall.SIGTERM, "SIGTERM"
		}
		delay := time.Duration(rng.Int64N(int64(5 * time.Second)))
		p := startBerth(t, bin, "sim", "--scenario", scenario, "--executor", "docker", "--time-scale", "1")
		select {
		case <-p.replay:
		case <-p.done:
			t.Fatalf("run %d: berth exited before the replay: %q", i, p.lines())
		case <-time.After(2 * time.Minute):
			t.Fatalf("run %d: the replay did not begin: %q", i, p.lines())
		}
		time.Sleep(delay)
		sent := time.Now()
		if err := p.cmd.Process.Signal(sig); err != nil {
			t.Fatalf("run %d: %s: %v", i, name, err)
		}
		code, lines := p.wait(t, 45*time.Second)
		took := p.exitedAt.Sub(sent)
		slowest = max(slowest, took)
		if left := cgroupsOf(p.cmd.Process.Pid); len(left) > 0 {
			t.Errorf("run %d (%s after %v): cgroups left: %v", i, name, delay.Round(time.Millisecond), left)
		}
		if left := containersOf(t, cli, p.cmd.Process.Pid, ""); len(left) > 0 {
			t.Errorf("run %d (%s after %v): %d containers left: %v", i, name, delay.Round(time.Millisecond), len(left), left)
			for _, c := range left {
				cli.ContainerRemove(context.Background(), c, client.ContainerRemoveOptions{Force: true})
			}
		}
		// The replay's one line of progress, then the error's one line.
		if want := "berth sim: interrupted; the run's containers are removed"; code != 1 || len(lines) != 2 || lines[1] != want {
			t.Errorf("run %d (%s after %v): exit %d, stderr %q; want exit 1 and the replay's line, then %q", i, name, delay.Round(time.Millisecond), code, lines, want)
		}
		if took > 30*time.Second {
			t.Errorf("run %d (%s after %v): berth took %v to exit", i, name, delay.Round(time.Millisecond), took.Round(time.Millisecond))
		}
	}
	nets, err := cli.NetworkList(context.Background(), client.NetworkListOptions{Filters: make(client.Filters).Add("label", docker.LabelRun)})
	if err != nil {
		t.Fatal(err)
	}
	if len(nets.Items) > 0 {
		t.Errorf("%d networks labelled %s remain", len(nets.Items), docker.LabelRun)
	}
	t.Logf("%d interrupted runs; slowest exit %v after the signal; load average %s", runs, slowest.Round(time.Millisecond), loadAverage())
}

// cgroupsOf lists the run cgroups berth process pid made on this machine
// (berth-<run>-<pid>, in any hierarchy of /sys/fs/cgroup).
func cgroupsOf(pid int) []string {
	left, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/*/berth-*-%d", pid))
	more, _ := filepath.Glob(fmt.Sprintf("/sys/fs/cgroup/berth-*-%d", pid))
	return append(left, more...)
}

// nextRunRemoves runs berth once more on the engine and checks that the
// containers left by process pid are gone afterwards.
func nextRunRemoves(t *testing.T, cli *client.Client, bin string, pid int) {
	t.Helper()
	p := startBerth(t, bin, "sim", "--scenario", dockerScenario(t, "1s"), "--executor", "docker", "--time-scale", "10")
	if code, lines := p.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("the next run: exit %d: %q", code, lines)
	}
	if left := containersOf(t, cli, pid, ""); len(left) > 0 {
		t.Errorf("after the next run, %d containers of the gone run remain: %v", len(left), left)
	}
	if left := cgroupsOf(pid); len(left) > 0 {
		t.Errorf("after the next run, cgroups of the gone run remain: %v", left)
	}
}

// When the engine goes away mid-run, berth exits 1 within seconds with one
// line naming every container it left there; the next run removes them.
// They used to go unmentioned.
func TestDockerLostEngineNamedThenRemovedByTheNextRun(t *testing.T) {
	cli := dockerEngine(t)
	bin := berthBinary(t)
	load(t, 4)
	proxy := dockertest.NewProxy(t, nil)
	p := startBerth(t, bin, "sim", "--scenario", dockerScenario(t, "10m"), "--executor", "docker", "--time-scale", "1", "--docker-host", proxy.URL)
	waitRunning(t, cli, p, 3)
	proxy.Cut()
	lost := time.Now()
	code, lines := p.wait(t, 45*time.Second)
	t.Logf("berth exited %v after the engine went away: %s", p.exitedAt.Sub(lost).Round(time.Millisecond), lines[len(lines)-1])
	want := containersOf(t, cli, p.cmd.Process.Pid, "")
	last := lines[len(lines)-1]
	prefix := "berth sim: docker: " + proxy.URL + ": event stream: "
	if code != 1 || !strings.HasPrefix(last, prefix) {
		t.Fatalf("exit %d, last line %q; want exit 1 and a line starting %q (stderr %q)", code, last, prefix, lines)
	}
	_, names, ok := strings.Cut(last, " for the next run to remove: ")
	if !ok {
		t.Fatalf("the error names no container left: %q", last)
	}
	// Every container left is named. A create on its way when the engine
	// went away may be named without having been made (berth cannot know):
	// at most one per launch slot (4).
	got := strings.Fields(names)
	sort.Strings(got)
	named := map[string]bool{}
	for _, n := range got {
		named[n] = true
	}
	var unnamed []string
	for _, n := range want {
		if !named[n] {
			unnamed = append(unnamed, n)
		}
	}
	if len(unnamed) > 0 || len(got) > len(want)+4 {
		t.Errorf("containers named on stderr (-left on the engine +named):\n%s", cmp.Diff(want, got))
	}
	nextRunRemoves(t, cli, bin, p.cmd.Process.Pid)
}

// When berth itself dies (SIGKILL: no cleanup at all), the next run on
// the machine removes what it left.
func TestDockerCrashedRunRemovedByTheNextRun(t *testing.T) {
	cli := dockerEngine(t)
	bin := berthBinary(t)
	load(t, 4)
	p := startBerth(t, bin, "sim", "--scenario", dockerScenario(t, "10m"), "--executor", "docker", "--time-scale", "1")
	waitRunning(t, cli, p, 3)
	p.cmd.Process.Kill()
	<-p.done
	if left := containersOf(t, cli, p.cmd.Process.Pid, ""); len(left) == 0 {
		t.Fatal("the killed run left no container: the test shows nothing")
	}
	nextRunRemoves(t, cli, bin, p.cmd.Process.Pid)
}
