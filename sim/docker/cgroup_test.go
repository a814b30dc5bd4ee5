package docker

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/internal/golden"
	"github.com/berthsched/berth/sim"
	"github.com/google/go-cmp/cmp"
)

func TestCgroupLimits(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name          string
		run           sim.Run
		scale         float64
		quota         bool
		instance, tsk cgroupLimits
		reason        string
	}{
		{
			name:     "a 2-vCPU 4 GiB instance, task without task-level limits",
			run:      sim.Run{CPU: 512, InstanceCPU: 2048, InstanceMemoryMiB: 4096},
			scale:    1,
			instance: cgroupLimits{Quota: 200 * ms, MemoryBytes: 4096 << 20},
			reason:   "2048 units = 2 cores = 200ms per 100ms period; container cpu is shares only",
		},
		{
			name:     "scaled by 0.25",
			run:      sim.Run{CPU: 512, InstanceCPU: 4096, InstanceMemoryMiB: 16384},
			scale:    0.25,
			instance: cgroupLimits{Quota: 100 * ms, MemoryBytes: 4096 << 20},
			reason:   "4 cores x 0.25 = 1 core; 16 GiB x 0.25 = 4 GiB",
		},
		{
			name:     "task-level cpu and memory are hard",
			run:      sim.Run{CPU: 512, TaskCPU: 512, TaskMemoryMiB: 1024, InstanceCPU: 2048, InstanceMemoryMiB: 4096},
			scale:    0.5,
			instance: cgroupLimits{Quota: 100 * ms, MemoryBytes: 2048 << 20},
			tsk:      cgroupLimits{Quota: 25 * ms, MemoryBytes: 512 << 20},
			reason:   "512 units x 0.5 = 0.25 core = 25ms per period",
		},
		{
			name:     "CPUQuota caps a task at its cpu",
			run:      sim.Run{CPU: 256, InstanceCPU: 1024},
			scale:    1,
			quota:    true,
			instance: cgroupLimits{Quota: 100 * ms},
			tsk:      cgroupLimits{Quota: 25 * ms},
		},
		{
			name:     "never above the instance",
			run:      sim.Run{CPU: 4096, TaskCPU: 4096, InstanceCPU: 1024},
			scale:    1,
			instance: cgroupLimits{Quota: 100 * ms},
			tsk:      cgroupLimits{Quota: 100 * ms},
			reason:   "cgroup v1 refuses a child quota above its parent's",
		},
		{
			name:     "tiny quotas are the kernel's minimum",
			run:      sim.Run{TaskCPU: 2, TaskMemoryMiB: 1, InstanceCPU: 4, InstanceMemoryMiB: 2},
			scale:    0.1,
			instance: cgroupLimits{Quota: ms, MemoryBytes: 6 << 20},
			tsk:      cgroupLimits{Quota: ms, MemoryBytes: 6 << 20},
			reason:   "1ms of CPU and Docker's 6 MiB at least",
		},
		{
			name:   "unknown instance",
			run:    sim.Run{CPU: 512},
			scale:  1,
			reason: "no registered resources: no limits",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := instanceLimits(&tt.run, tt.scale); got != tt.instance {
				t.Errorf("instanceLimits = %+v, want %+v (%s)", got, tt.instance, tt.reason)
			}
			if got := taskLimits(&tt.run, tt.scale, tt.quota); got != tt.tsk {
				t.Errorf("taskLimits = %+v, want %+v (%s)", got, tt.tsk, tt.reason)
			}
		})
	}
}

func TestCgroupNames(t *testing.T) {
	g := &cgroups{root: "/sys/fs/cgroup", run: runCgroup("5c1e0a2b9d44", 4242)}
	r := &sim.Run{ID: "job 7/a", Instance: "arn:aws:ecs:us-east-1:1:container-instance/c/m5-large-1"}
	if got, want := g.task(r), "berth-5c1e0a2b9d44-4242/m5-large-1/task-a"; got != want {
		t.Errorf("task cgroup = %q, want %q", got, want)
	}
	for in, want := range map[string]string{"i-1": "i-1", "a b:c": "a_b_c", "..": "_..", "": "_", "x/": "_"} {
		if got := cgroupName(in); got != want {
			t.Errorf("cgroupName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cgroupParent("berth-r-1/i/task-a"); got != "/berth-r-1/i/task-a" {
		t.Errorf("cgroupParent = %q", got)
	}
	for name, want := range map[string]int{"berth-5c1e0a2b9d44-4242": 4242, "berth-x-0": 0, "berth--": 0, "docker": 0, "berth-abc": 0, "berth-a-b-12": 12} {
		pid, ok := runCgroupPID(name)
		if ok != (want > 0) || pid != want && want > 0 {
			t.Errorf("runCgroupPID(%q) = %d, %v; want %d", name, pid, ok, want)
		}
	}
}

// fakeRoot makes a cgroup root of plain directories: v1's hierarchies,
// or v2's one.
func fakeRoot(t *testing.T, v2 bool) *cgroups {
	root := t.TempDir()
	if !v2 {
		for _, h := range []string{"cpu", "cpuacct", "memory", "blkio"} {
			if err := os.Mkdir(filepath.Join(root, h), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &cgroups{root: root, v2: v2, run: "berth-r-1"}
}

func readFiles(t *testing.T, root string) map[string]string {
	got := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			got[rel] = string(b)
		}
		return nil
	})
	return got
}

func TestCgroupCreate(t *testing.T) {
	l := cgroupLimits{Quota: 150 * time.Millisecond, MemoryBytes: 512 << 20}
	t.Run("v1", func(t *testing.T) {
		g := fakeRoot(t, false)
		if err := g.create(g.run, cgroupLimits{}); err != nil {
			t.Fatal(err)
		}
		if err := g.create(g.instance("i-1"), l); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"cpu/berth-r-1/cpu.cfs_period_us":            "100000",
			"cpu/berth-r-1/cpu.cfs_quota_us":             "-1",
			"cpu/berth-r-1/i-1/cpu.cfs_period_us":        "100000",
			"cpu/berth-r-1/i-1/cpu.cfs_quota_us":         "150000",
			"memory/berth-r-1/i-1/memory.limit_in_bytes": "536870912",
		}
		if diff := cmp.Diff(want, readFiles(t, g.root)); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
	})
	t.Run("v2", func(t *testing.T) {
		g := fakeRoot(t, true)
		if err := g.create(g.run, cgroupLimits{Top: true}); err != nil {
			t.Fatal(err)
		}
		if err := g.create(g.instance("i-1"), l); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"berth-r-1/cpu.weight":             "10000",
			"cgroup.subtree_control":           "+cpu +memory",
			"berth-r-1/cgroup.subtree_control": "+cpu +memory",
			"berth-r-1/cpu.max":                "max 100000",
			"berth-r-1/memory.max":             "max",
			"berth-r-1/i-1/cpu.max":            "150000 100000",
			"berth-r-1/i-1/memory.max":         "536870912",
		}
		if diff := cmp.Diff(want, readFiles(t, g.root)); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
	})
	t.Run("missing parent", func(t *testing.T) {
		g := fakeRoot(t, false)
		err := g.create(g.instance("i-1"), l)
		if err == nil || !strings.HasPrefix(err.Error(), "docker: cgroup berth-r-1/i-1: ") {
			t.Errorf("create without its parent: %v, want an error naming the cgroup", err)
		}
	})
}

// remove takes the run's tree out of every hierarchy, deepest first, and
// leftovers removes only the trees of processes that are gone.
func TestCgroupRemoveAndLeftovers(t *testing.T) {
	g := fakeRoot(t, false)
	live := runCgroup("live", os.Getpid())
	dead := runCgroup("dead", 1<<30) // no such process
	for _, h := range []string{"cpu", "memory", "blkio"} {
		for _, p := range []string{g.run + "/i-1/task-a/ctr", live + "/i-1", dead + "/i-2/task-b", "docker/abc"} {
			if err := os.MkdirAll(filepath.Join(g.root, h, p), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := g.leftovers(); err != nil {
		t.Fatal(err)
	}
	if err := g.remove(g.run); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"cpu", "memory", "blkio"} {
		ents, _ := os.ReadDir(filepath.Join(g.root, h))
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if want := []string{live, "docker"}; !slices.Equal(names, want) {
			t.Errorf("%s holds %v after remove and leftovers, want %v", h, names, want)
		}
	}
}

func TestCgroupStat(t *testing.T) {
	write := func(t *testing.T, files map[string]string) string {
		root := t.TempDir()
		for p, text := range files {
			full := filepath.Join(root, p)
			os.MkdirAll(filepath.Dir(full), 0o755)
			if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	want := cgroupStat{CPUTime: 1500 * time.Millisecond, Periods: 30, ThrottledPeriods: 12,
		Throttled: 700 * time.Millisecond, PeakMemory: 300 << 20, OOMKills: 1}
	t.Run("v1", func(t *testing.T) {
		root := write(t, map[string]string{
			"cpuacct/x/cpuacct.usage":            "1500000000\n",
			"cpu/x/cpu.stat":                     "nr_periods 30\nnr_throttled 12\nthrottled_time 700000000\nnr_bursts 0\n",
			"memory/x/memory.max_usage_in_bytes": "314572800\n",
			"memory/x/memory.oom_control":        "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
		})
		got, err := (&cgroups{root: root}).stat("x")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("stat = %+v, want %+v", got, want)
		}
	})
	t.Run("v2", func(t *testing.T) {
		root := write(t, map[string]string{
			"x/cpu.stat":      "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 30\nnr_throttled 12\nthrottled_usec 700000\n",
			"x/memory.peak":   "314572800\n",
			"x/memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n",
		})
		got, err := (&cgroups{root: root, v2: true}).stat("x")
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("stat = %+v, want %+v", got, want)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		root := write(t, map[string]string{"cpuacct/x/cpuacct.usage": "lots\n"})
		_, err := (&cgroups{root: root}).stat("x")
		if err == nil || err.Error() != `docker: cgroup file cpuacct.usage: "lots", expected a non-negative integer` {
			t.Errorf("stat of a malformed file: %v", err)
		}
	})
}

func TestBoundaryProblem(t *testing.T) {
	tests := []struct {
		endpoint, engine, local, driver, version, want string
	}{
		{"unix:///var/run/docker.sock", "vm", "vm", "cgroupfs", "1", ""},
		{"unix:///var/run/docker.sock", "vm", "vm", "cgroupfs", "2", ""},
		{"tcp://10.0.0.5:2376", "gpu", "vm", "cgroupfs", "1", "the engine is remote, its host's cgroups out of reach"},
		{"unix:///tmp/fwd.sock", "gpu", "vm", "cgroupfs", "1", `the engine runs on host "gpu", not on this one ("vm")`},
		{"unix:///var/run/docker.sock", "vm", "vm", "systemd", "2", `cgroup driver "systemd", instance cgroups need cgroupfs`},
	}
	for _, tt := range tests {
		if got := boundaryProblem(tt.endpoint, tt.engine, tt.local, tt.driver, tt.version); got != tt.want {
			t.Errorf("boundaryProblem(%q, %q, %q, %q, %q) = %q, want %q", tt.endpoint, tt.engine, tt.local, tt.driver, tt.version, got, tt.want)
		}
	}
}

func TestStopWallAndWork(t *testing.T) {
	if got := stopWall(&sim.Run{}, 30*time.Second, 2); got != 15*time.Second {
		t.Errorf("stopWall(default 30s, scale 2) = %v, want 15s", got)
	}
	if got := stopWall(&sim.Run{StopTimeout: 10 * time.Second}, 30*time.Second, 1); got != 10*time.Second {
		t.Errorf("stopWall(run's 10s, scale 1) = %v, want 10s", got)
	}
	// 2048 units (2 cores) x 0.5 for 60 trace seconds at scale 2: 30 wall
	// seconds of one core, at 1000 units per core-second.
	if got := workUnits(2048, time.Minute, 1000, 0.5, 2); got != 30000 {
		t.Errorf("workUnits = %v, want 30000", got)
	}
}

// A container's limits and workload arguments as the ECS agent would set
// them, with the fleet scaled by half.
func TestContainerConfigLimits(t *testing.T) {
	e := &Executor{cfg: Config{Scale: 2, ScaleResources: 0.5, CPUQuota: true}, runID: "r"}
	r := &sim.Run{ID: "x", Instance: "i-1", CPU: 512, CPUUse: 1024, MemoryMiB: 256, Duration: time.Minute, InstanceCPU: 2048, InstanceMemoryMiB: 4096}
	tk := &task{run: r, ep: &endpoint{image: "img", rate: 1000}, startWall: time.Unix(100, 0), cgroup: "berth-r-1/i-1/task-x"}
	specs := containerSpecs(r)
	cc, hc := e.containerConfig(tk, &specs[0])
	got := []any{cc.Cmd, hc.CgroupParent, hc.CPUShares, hc.NanoCPUs, hc.Memory, hc.MemorySwap, hc.MemoryReservation}
	want := []any{
		// until: 60 trace s at scale 2 = 30 wall s; cpu: its use, 1 core x
		// 0.5; work: 0.5 core for 30 s at 1000 units/s; memory 128 MiB
		// less 32 of headroom.
		[]string{"-until=130000000000", "-cpu=500", "-work=15000", "-rate=1000", "-mem=96"},
		// The quota is the task cgroup's (taskLimits), not the container's.
		"/berth-r-1/i-1/task-x", int64(512), int64(0), int64(128 << 20), int64(128 << 20), int64(0),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("container config (-want +got):\n%s", diff)
	}
	// Without a task cgroup (instances not bounded), the container
	// carries the quota: 512 units x 0.5 = a quarter core.
	tk.cgroup = ""
	if _, hc := e.containerConfig(tk, &specs[0]); hc.NanoCPUs != 250_000_000 || hc.CgroupParent != "" {
		t.Errorf("without a task cgroup: NanoCPUs %d, CgroupParent %q; want 250000000 and none", hc.NanoCPUs, hc.CgroupParent)
	}
}

// The comparison's report: one instance overcommitted 2x, its tasks
// stretched and named with why; one task alone on another instance on
// time.
func TestContentionReport(t *testing.T) {
	simLog := `{"time":0,"kind":"place","task":"a","instance":"i-1"}
{"time":0,"kind":"place","task":"b","instance":"i-1"}
{"time":0,"kind":"place","task":"c","instance":"i-2"}
{"time":20,"kind":"finish","task":"a","instance":"i-1"}
{"time":20,"kind":"finish","task":"b","instance":"i-1"}
{"time":20,"kind":"finish","task":"c","instance":"i-2"}
`
	dockerLog := `{"time":0,"kind":"place","task":"a","instance":"i-1"}
{"time":0,"kind":"place","task":"b","instance":"i-1"}
{"time":0,"kind":"place","task":"c","instance":"i-2"}
{"time":21,"kind":"finish","task":"c","instance":"i-2"}
{"time":39.5,"kind":"finish","task":"a","instance":"i-1"}
{"time":41,"kind":"finish","task":"b","instance":"i-1"}
`
	s := time.Second
	stats := &Stats{ScaleResources: 0.5, TimeScale: 2, Boundaries: []string{"unix:///var/run/docker.sock: instances bounded by cgroups (v1, /sys/fs/cgroup/berth-r-1)"},
		Tasks: []TaskStats{
			{Task: "a", Instance: "arn/i-1", Cores: 0.5, CPUTime: 4900 * time.Millisecond, InstanceThrottled: 9 * s, InstancePeriods: 197, InstanceThrottledPeriods: 185, PeakMemoryMiB: 40},
			{Task: "b", Instance: "arn/i-1", Cores: 0.5, Ran: 20400 * time.Millisecond, CPUTime: 5100 * time.Millisecond, InstanceThrottled: 9500 * time.Millisecond, InstancePeriods: 204, InstanceThrottledPeriods: 190, PeakMemoryMiB: 41},
			{Task: "c", Instance: "arn/i-2", Cores: 0.5, CPUTime: 5 * s, PeakMemoryMiB: 40},
		},
		Instances: []InstanceStats{
			{Instance: "arn/i-1", CPU: 0.5, MemoryMiB: 512, CPUTime: 10 * s, Periods: 205, ThrottledPeriods: 190, Throttled: 9500 * time.Millisecond, PeakMemoryMiB: 90},
			{Instance: "arn/i-2", CPU: 0.5, MemoryMiB: 512, CPUTime: 5 * s, Periods: 105, PeakMemoryMiB: 45},
		}}
	c, err := CompareContention(strings.NewReader(simLog), strings.NewReader(dockerLog), stats, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "contention.txt", b.String())
	// Hand-computed: a ran 39.5s of a simulated 20s (from the log); b's
	// container ran 20.4 wall seconds, 40.8s at time scale 2.
	if got := c.Tasks[1].Real; got != 40800*time.Millisecond {
		t.Errorf("task b real = %v, want 40.8s", got)
	}
	if got := c.Tasks[0]; got.Stretch != 1.975 || !got.Stretched(0.2) || !slices.Equal(got.CoPlaced, []string{"b"}) {
		t.Errorf("task a = %+v, want stretch 1.975, stretched, co-placed with b", got)
	}
	if got := c.Tasks[2]; got.Stretch != 1.05 || got.Stretched(0.2) || len(got.CoPlaced) != 0 {
		t.Errorf("task c = %+v, want stretch 1.05, not stretched, alone", got)
	}
}
