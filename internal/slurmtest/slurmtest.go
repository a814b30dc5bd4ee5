// Package slurmtest starts a one-node Slurm cluster on this machine for
// berth's tests of array jobs (berth sim, plan and pack with --shard auto,
// merged by berth merge), and stops it again.
//
// The Slurm tests are heavy: `go test -short` skips them, and so does a
// run with BERTH_SKIP_SLURM=1 (CI runs them in a step of their own, after
// installing Debian's slurm-wlm and munge, and sets it for its full pass).
// They skip with a message where Slurm's programs are not installed or
// the test does not run as root (slurmd and munged need it).
package slurmtest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EnvSkip names the environment variable that, set to a non-empty value
// other than "0", skips the Slurm tests.
const EnvSkip = "BERTH_SKIP_SLURM"

// programs are what a one-node cluster needs.
var programs = []string{"munged", "slurmctld", "slurmd", "sbatch", "sinfo", "scontrol"}

// SkipReason returns why the Slurm tests do not run, or "": short is
// testing.Short(), getenv the environment, lookPath exec.LookPath and uid
// the effective user id.
func SkipReason(short bool, getenv func(string) string, lookPath func(string) (string, error), uid int) string {
	switch v := getenv(EnvSkip); {
	case short:
		return "a Slurm test is heavy: skipped under -short (run it without -short)"
	case v != "" && v != "0":
		return "Slurm tests skipped: " + EnvSkip + "=" + v
	}
	for _, p := range programs {
		if _, err := lookPath(p); err != nil {
			return fmt.Sprintf("Slurm is not installed (no %s on PATH): apt-get install slurm-wlm munge", p)
		}
	}
	if uid != 0 {
		return "a one-node Slurm cluster needs root (slurmd and munged run as root here)"
	}
	return ""
}

// Cluster is a running one-node Slurm cluster.
type Cluster struct {
	// Dir holds its configuration, state and logs.
	Dir string
	// Env is the environment that Slurm's commands need (SLURM_CONF).
	Env []string
	// CPUs is the node's CPU count.
	CPUs int

	pids []string // the pid files of the daemons it started
}

// Start starts a cluster in a temporary directory of t, and stops it when
// t ends. It skips t when SkipReason gives a reason, and fails t when the
// node does not come up idle within a minute.
func Start(t testing.TB) *Cluster {
	t.Helper()
	if why := SkipReason(testing.Short(), os.Getenv, exec.LookPath, os.Geteuid()); why != "" {
		t.Skip(why)
	}
	for _, d := range []string{"slurmctld", "slurmd"} {
		if out, err := exec.Command("pgrep", "-x", d).Output(); err == nil {
			t.Skipf("a %s is already running here (pid %s): the test starts its own cluster", d, strings.TrimSpace(string(out)))
		}
	}
	dir := t.TempDir()
	// slurmd runs jobs as the submitting user: the directory must be
	// reachable by it (root here) and by SlurmUser.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: dir, CPUs: runtime.NumCPU()}
	t.Cleanup(func() { c.stop(t) })
	startMunge(t)
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".")
	mem := memoryMiB() * 9 / 10
	for _, sub := range []string{"ctld", "spool", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "slurm.conf")
	// MinJobAge bounds sbatch --wait's polling: it sleeps 2 s, then 4x
	// longer each time while the sleep is under MinJobAge/2 in whole
	// seconds (up to 32 s with the default of 300), which would add half a
	// minute to every array job here; at 4 it polls every 2 s (at 6 it
	// would sleep 2 s, then 8 s). batch_sched_delay=0 starts a batch job as soon as
	// it can run (the default waits up to 3 s to batch them), and
	// OverSubscribe=FORCE:4 lets four one-CPU tasks share a core, so an
	// 8-task array starts at once on the 2 cores rather than in four
	// waves, each shard's work interleaved by the kernel as one process's
	// goroutines would be.
	text := fmt.Sprintf(`ClusterName=berthtest
SlurmctldHost=%[1]s
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=%[2]s/ctld
SlurmdSpoolDir=%[2]s/spool
SlurmctldPidFile=%[2]s/slurmctld.pid
SlurmdPidFile=%[2]s/slurmd.pid
SlurmctldLogFile=%[2]s/log/slurmctld.log
SlurmdLogFile=%[2]s/log/slurmd.log
SlurmctldPort=%[5]d
SlurmdPort=%[6]d
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
MinJobAge=4
SchedulerParameters=batch_sched_delay=0
NodeName=%[1]s CPUs=%[3]d RealMemory=%[4]d State=UNKNOWN
PartitionName=debug Nodes=%[1]s Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
`, host, dir, c.CPUs, mem, 26817, 26818)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Env = append(os.Environ(), "SLURM_CONF="+conf)
	for _, d := range []string{"slurmctld", "slurmd"} {
		cmd := exec.Command(d, "-f", conf)
		cmd.Env = c.Env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", d, err, out)
		}
		c.pids = append(c.pids, filepath.Join(dir, d+".pid"))
	}
	deadline := time.Now().Add(time.Minute)
	for {
		out, _ := c.Command("sinfo", "-h", "-o", "%T").Output()
		if strings.TrimSpace(string(out)) == "idle" {
			return c
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log", "slurmctld.log"))
			t.Fatalf("the Slurm node is %q after a minute, not idle; slurmctld.log:\n%s", out, tail(log, 20))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Command returns a Slurm command (sbatch, sinfo...) run against the
// cluster.
func (c *Cluster) Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.Env
	return cmd
}

// Logs returns the daemons' logs, for a failing test's message.
func (c *Cluster) Logs() string {
	var b strings.Builder
	for _, f := range []string{"slurmctld.log", "slurmd.log"} {
		log, _ := os.ReadFile(filepath.Join(c.Dir, "log", f))
		fmt.Fprintf(&b, "--- %s\n%s", f, tail(log, 30))
	}
	return b.String()
}

// stop stops the daemons it started and waits for them to exit.
func (c *Cluster) stop(t testing.TB) {
	for _, pf := range c.pids {
		b, err := os.ReadFile(pf)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 1 {
			continue
		}
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			continue
		}
		for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Logf("%s: pid %d did not stop on SIGTERM; killed", filepath.Base(pf), pid)
		}
	}
}

// startMunge makes a munge key if there is none and starts munged if it
// is not running; a munged it starts is left running (it is the machine's
// authentication service, shared, and harmless).
func startMunge(t testing.TB) {
	t.Helper()
	key := "/etc/munge/munge.key"
	if st, err := os.Stat(key); err != nil || st.Size() == 0 {
		b := make([]byte, 1024)
		rand.Read(b)
		if err := os.MkdirAll("/etc/munge", 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(key, b, 0o400); err != nil {
			t.Fatal(err)
		}
		exec.Command("chown", "munge:munge", key).Run()
	}
	if exec.Command("pgrep", "-x", "munged").Run() == nil {
		return
	}
	for _, d := range []string{"/run/munge", "/var/log/munge", "/var/lib/munge"} {
		os.MkdirAll(d, 0o755)
		exec.Command("chown", "-R", "munge:munge", d).Run()
	}
	cmd := exec.Command("runuser", "-u", "munge", "--", "munged")
	if out, err := cmd.CombinedOutput(); err != nil {
		// Some images lack the munge user: run it as root.
		if out2, err2 := exec.Command("munged", "--force").CombinedOutput(); err2 != nil {
			t.Fatalf("munged: %v: %s; as root: %v: %s", err, out, err2, out2)
		}
	}
}

func memoryMiB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 1024
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return 1024
}

func tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n"))) + "\n"
}
