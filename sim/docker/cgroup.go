package docker

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/berthsched/berth/sim"
)

// cfsPeriod is the CFS period of every quota the executor sets: the
// kernel's default.
const cfsPeriod = 100 * time.Millisecond

// minQuota is the smallest CFS quota the kernel takes (1ms).
const minQuota = time.Millisecond

// DefaultCgroupRoot is where the cgroup file system is mounted on an
// engine's host.
const DefaultCgroupRoot = "/sys/fs/cgroup"

// cgroups are a run's cgroups on the host of one engine: a cgroup of the
// run, "berth-<run id>-<pid>" at the root of the hierarchy, with one
// cgroup per instance in it and one per task in its instance's. The
// containers of a task run in its task cgroup (CgroupParent), so that its
// instance's limits bound the tasks co-placed on it, and its task's limits
// (task-level cpu and memory) bound its containers.
type cgroups struct {
	root string // the cgroup file system: v1 has a hierarchy per controller below it
	v2   bool
	run  string // the run's cgroup, relative to the root
}

// cgroupLimits are what one cgroup is limited to; 0 means no limit.
type cgroupLimits struct {
	Quota       time.Duration // CPU time per cfsPeriod
	MemoryBytes int64
	// Top gives the cgroup the kernel's highest CPU weight against its
	// siblings (the run's cgroup against the machine's other processes).
	Top bool
}

// The kernel's highest CPU weights: cgroup v1's cpu.shares, v2's
// cpu.weight.
const (
	topShares = 262144
	topWeight = 10000
)

// cpuQuota is the CFS quota, per cfsPeriod, of units CPU units (1024 a
// core) scaled by scale; 0 for 0 units. It is at least minQuota.
func cpuQuota(units int64, scale float64) time.Duration {
	if units <= 0 {
		return 0
	}
	q := time.Duration(math.Round(float64(units) * scale * float64(cfsPeriod) / 1024))
	return max(q, minQuota)
}

// scaledMiB is mib scaled by scale, rounded, and at least Docker's minimum
// of 6 MiB; 0 stays 0 (no limit).
func scaledMiB(mib int64, scale float64) int64 {
	if mib <= 0 {
		return 0
	}
	return max(6, int64(math.Round(float64(mib)*scale)))
}

// instanceLimits are the limits of r's instance: its registered CPU and
// memory, scaled.
func instanceLimits(r *sim.Run, scale float64) cgroupLimits {
	return cgroupLimits{Quota: cpuQuota(r.InstanceCPU, scale), MemoryBytes: scaledMiB(r.InstanceMemoryMiB, scale) << 20}
}

// taskLimits are the limits of r's task cgroup: its task-level cpu and
// memory, as the ECS agent sets them (a CPU quota and a hard memory limit
// for the whole task), never above its instance's. With quota (Config.CPUQuota),
// a task without a task-level cpu is capped at its CPU too.
func taskLimits(r *sim.Run, scale float64, quota bool) cgroupLimits {
	cpu := r.TaskCPU
	if cpu == 0 && quota {
		cpu = r.CPU
	}
	l := cgroupLimits{Quota: cpuQuota(cpu, scale), MemoryBytes: scaledMiB(r.TaskMemoryMiB, scale) << 20}
	// cgroup v1 refuses a child's quota above its parent's.
	if in := cpuQuota(r.InstanceCPU, scale); in > 0 && l.Quota > in {
		l.Quota = in
	}
	return l
}

// cgroupName makes an instance or task id a cgroup directory name: the
// last part of an ARN, with every byte but letters, digits, '.', '_' and
// '-' turned into '_'.
func cgroupName(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	b := []byte(id)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "" && s != "." && s != ".." {
		return s
	}
	return "_" + string(b)
}

// runCgroup names the cgroup of run runID of process pid.
func runCgroup(runID string, pid int) string {
	return "berth-" + runID + "-" + strconv.Itoa(pid)
}

// runCgroupPID returns the pid of the process that made the run cgroup
// name, or false when name is not one.
func runCgroupPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "berth-")
	i := strings.LastIndexByte(rest, '-')
	if !ok || i < 1 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[i+1:])
	return pid, err == nil && pid > 0
}

func (g *cgroups) instance(instance string) string { return g.run + "/" + cgroupName(instance) }

func (g *cgroups) task(r *sim.Run) string {
	return g.instance(r.Instance) + "/task-" + cgroupName(r.ID)
}

// dirs lists the directories of cgroup p that hold the CPU, CPU
// accounting and memory files.
func (g *cgroups) dirs(p string) (cpu, cpuacct, mem string) {
	if g.v2 {
		d := filepath.Join(g.root, p)
		return d, d, d
	}
	return filepath.Join(g.root, "cpu", p), filepath.Join(g.root, "cpuacct", p), filepath.Join(g.root, "memory", p)
}

// create makes cgroup p (its parents must exist) and sets its limits.
func (g *cgroups) create(p string, l cgroupLimits) error {
	cpu, acct, mem := g.dirs(p)
	for _, d := range []string{cpu, acct, mem} {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("docker: cgroup %s: %w", p, err)
		}
	}
	var files [][2]string
	if g.v2 {
		// The parent hands its controllers down (the root's must have
		// them: the engine's containers need them too).
		files = append(files, [2]string{filepath.Join(filepath.Dir(cpu), "cgroup.subtree_control"), "+cpu +memory"})
		quota, memory := "max", "max"
		if l.Quota > 0 {
			quota = strconv.FormatInt(l.Quota.Microseconds(), 10)
		}
		if l.MemoryBytes > 0 {
			memory = strconv.FormatInt(l.MemoryBytes, 10)
		}
		files = append(files, [2]string{filepath.Join(cpu, "cpu.max"), quota + " " + strconv.FormatInt(cfsPeriod.Microseconds(), 10)},
			[2]string{filepath.Join(mem, "memory.max"), memory})
		if l.Top {
			files = append(files, [2]string{filepath.Join(cpu, "cpu.weight"), strconv.Itoa(topWeight)})
		}
	} else {
		quota := "-1"
		if l.Quota > 0 {
			quota = strconv.FormatInt(l.Quota.Microseconds(), 10)
		}
		files = append(files, [2]string{filepath.Join(cpu, "cpu.cfs_period_us"), strconv.FormatInt(cfsPeriod.Microseconds(), 10)},
			[2]string{filepath.Join(cpu, "cpu.cfs_quota_us"), quota})
		if l.MemoryBytes > 0 {
			files = append(files, [2]string{filepath.Join(mem, "memory.limit_in_bytes"), strconv.FormatInt(l.MemoryBytes, 10)})
		}
		if l.Top {
			files = append(files, [2]string{filepath.Join(cpu, "cpu.shares"), strconv.Itoa(topShares)})
		}
	}
	for _, f := range files {
		if err := os.WriteFile(f[0], []byte(f[1]), 0o644); err != nil {
			return fmt.Errorf("docker: cgroup %s: writing %q to %s: %w", p, f[1], filepath.Base(f[0]), err)
		}
	}
	return nil
}

// remove removes cgroup p and every cgroup below it, in every hierarchy
// (the engine makes the run's cgroups in all of them: blkio, pids...).
// A cgroup that still holds a process cannot be removed: the error names
// it.
func (g *cgroups) remove(p string) error {
	if g.v2 {
		return rmTree(filepath.Join(g.root, p))
	}
	ents, err := os.ReadDir(g.root)
	if err != nil {
		return fmt.Errorf("docker: cgroups: %w", err)
	}
	var first error
	for _, e := range ents {
		if err := rmTree(filepath.Join(g.root, e.Name(), p)); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// rmTree removes the cgroup directory d and those below it, deepest
// first. The engine may still be removing a container's cgroup: a busy
// one is tried again for a while.
func rmTree(d string) error {
	ents, err := os.ReadDir(d)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("docker: removing cgroup %s: %w", d, err)
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := rmTree(filepath.Join(d, e.Name())); err != nil {
				return err
			}
		}
	}
	for delay := 10 * time.Millisecond; ; delay *= 2 {
		err := syscall.Rmdir(d)
		switch {
		case err == nil || errors.Is(err, syscall.ENOENT):
			return nil
		case errors.Is(err, syscall.EBUSY) && delay < 2*time.Second:
			time.Sleep(delay)
		default:
			return fmt.Errorf("docker: removing cgroup %s: %w", d, err)
		}
	}
}

// leftovers removes the run cgroups of berth processes of this host that
// no longer exist (crashed or killed runs), whose containers are gone. One
// that still holds processes (its engine was away when its run ended) is
// left for a later run.
func (g *cgroups) leftovers() error {
	dir := g.root
	if !g.v2 {
		dir = filepath.Join(g.root, "cpu")
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("docker: cgroups: %w", err)
	}
	for _, e := range ents {
		if pid, ok := runCgroupPID(e.Name()); ok && e.IsDir() && e.Name() != g.run && !alive(pid) {
			_ = g.remove(e.Name())
		}
	}
	return nil
}

// cgroupStat is what a cgroup used. CPU time and throttling count from
// its creation; PeakMemory is the most it held at once.
type cgroupStat struct {
	CPUTime          time.Duration
	Periods          int64
	ThrottledPeriods int64
	Throttled        time.Duration
	PeakMemory       int64
	OOMKills         int64
}

// stat reads what cgroup p used. A file that is absent (an older kernel's)
// leaves its figures 0; one that cannot be parsed is an error.
func (g *cgroups) stat(p string) (cgroupStat, error) {
	cpu, acct, mem := g.dirs(p)
	if g.v2 {
		return statV2(cpu)
	}
	return statV1(cpu, acct, mem)
}

// readCgroupFile reads file name of cgroup directory dir; "" when absent.
func readCgroupFile(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// readKeyed reads a flat keyed file of dir ("" when absent).
func readKeyed(dir, name string) (map[string]int64, error) {
	text, err := readCgroupFile(dir, name)
	if err != nil {
		return nil, err
	}
	return parseFlatKeyed(text, name)
}

// readCount reads the first of the named one-integer files of dir that
// exists (0 when none does).
func readCount(dir string, names ...string) (int64, error) {
	for _, name := range names {
		text, err := readCgroupFile(dir, name)
		if err != nil {
			return 0, err
		}
		if text != "" {
			return parseCount(text, name)
		}
	}
	return 0, nil
}

func statV1(cpu, acct, mem string) (cgroupStat, error) {
	var s cgroupStat
	usage, err := readCount(acct, "cpuacct.usage")
	if err != nil {
		return s, err
	}
	kv, err := readKeyed(cpu, "cpu.stat")
	if err != nil {
		return s, err
	}
	s.CPUTime = time.Duration(usage)
	s.Periods, s.ThrottledPeriods, s.Throttled = kv["nr_periods"], kv["nr_throttled"], time.Duration(kv["throttled_time"])
	if s.PeakMemory, err = readCount(mem, "memory.max_usage_in_bytes"); err != nil {
		return s, err
	}
	if kv, err = readKeyed(mem, "memory.oom_control"); err != nil {
		return s, err
	}
	s.OOMKills = kv["oom_kill"]
	return s, nil
}

func statV2(dir string) (cgroupStat, error) {
	var s cgroupStat
	kv, err := readKeyed(dir, "cpu.stat")
	if err != nil {
		return s, err
	}
	s.CPUTime = time.Duration(kv["usage_usec"]) * time.Microsecond
	s.Periods, s.ThrottledPeriods = kv["nr_periods"], kv["nr_throttled"]
	s.Throttled = time.Duration(kv["throttled_usec"]) * time.Microsecond
	// memory.peak is new (Linux 5.19); before it, the current use.
	if s.PeakMemory, err = readCount(dir, "memory.peak", "memory.current"); err != nil {
		return s, err
	}
	if kv, err = readKeyed(dir, "memory.events"); err != nil {
		return s, err
	}
	s.OOMKills = kv["oom_kill"]
	return s, nil
}

// parseCount reads a cgroup file of one non-negative integer ("" is 0).
func parseCount(text, file string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("docker: cgroup file %s: %q, expected a non-negative integer", file, trunc(text))
	}
	return n, nil
}

// parseFlatKeyed reads a cgroup file of "key value" lines (cpu.stat,
// memory.events, memory.oom_control).
func parseFlatKeyed(text, file string) (map[string]int64, error) {
	kv := map[string]int64{}
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if !ok || err != nil || n < 0 || k == "" {
			return nil, fmt.Errorf("docker: cgroup file %s: line %d: %q, expected a name and a non-negative integer", file, i+1, trunc(line))
		}
		kv[k] = n
	}
	return kv, nil
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
