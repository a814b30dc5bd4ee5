package docker

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// Labels on every container of a run. LabelRun finds a run's containers;
// LabelClient and LabelPID say which process owns them, so that the next
// run can tell the leftovers of a crashed one from a live run's.
const (
	LabelRun      = "berth.run"
	LabelInstance = "berth.instance"
	LabelTask     = "berth.task"
	LabelGroup    = "berth.group"
	LabelFamily   = "berth.family"
	LabelClient   = "berth.client"
	LabelPID      = "berth.pid"
	// LabelContainer is the container definition's name, on the
	// containers of a run that lists them (sim.Run.Containers).
	LabelContainer = "berth.container"
)

func validRun(r *sim.Run) error {
	switch {
	case r.ID == "":
		return fmt.Errorf("docker: task id is empty, expected one")
	case r.ExitCode < 0 || r.ExitCode > 255:
		return fmt.Errorf("docker: task %s: exit code %d, expected 0 to 255", r.ID, r.ExitCode)
	case r.MemoryMiB != 0 && r.MemoryMiB < 6 && len(r.Containers) == 0:
		return fmt.Errorf("docker: task %s: memory %d MiB, expected 0 (no limit) or at least 6 (Docker's minimum)", r.ID, r.MemoryMiB)
	case r.OOM && len(r.Containers) == 0 && r.MemoryMiB == 0:
		return fmt.Errorf("docker: task %s: OOM asked without a memory limit, expected memory > 0", r.ID)
	case r.CPU < 0 || r.Duration < 0:
		return fmt.Errorf("docker: task %s: negative cpu %d or duration %v", r.ID, r.CPU, r.Duration)
	case r.CPUUse < 0 || r.TaskCPU < 0 || r.TaskMemoryMiB < 0 || r.InstanceCPU < 0 || r.InstanceMemoryMiB < 0:
		return fmt.Errorf("docker: task %s: negative cpuUse %d, task cpu %d, task memory %d, instance cpu %d or instance memory %d",
			r.ID, r.CPUUse, r.TaskCPU, r.TaskMemoryMiB, r.InstanceCPU, r.InstanceMemoryMiB)
	case r.StopTimeout < 0:
		return fmt.Errorf("docker: task %s: stop timeout %v, expected 0 (the default) or more", r.ID, r.StopTimeout)
	case len(r.Containers) > 10:
		return fmt.Errorf("docker: task %s: %d containers, expected at most 10", r.ID, len(r.Containers))
	}
	if len(r.Containers) == 0 {
		return nil
	}
	names := map[string]bool{}
	essential := -1
	for i := range r.Containers {
		c := &r.Containers[i]
		f := fmt.Sprintf("docker: task %s: containers[%d]", r.ID, i)
		switch {
		case c.Name == "" || names[c.Name]:
			return fmt.Errorf("%s.name: %q, expected a name unique in the task", f, c.Name)
		case c.CPU < 0:
			return fmt.Errorf("%s.cpu: %d, expected 0 or more", f, c.CPU)
		case c.MemoryMiB != 0 && c.MemoryMiB < 6:
			return fmt.Errorf("%s.memory: %d MiB, expected 0 (no limit) or at least 6 (Docker's minimum)", f, c.MemoryMiB)
		case c.MemoryReservationMiB != 0 && c.MemoryReservationMiB < 6:
			return fmt.Errorf("%s.memoryReservation: %d MiB, expected 0 (none) or at least 6 (Docker's minimum)", f, c.MemoryReservationMiB)
		case c.MemoryMiB != 0 && c.MemoryReservationMiB >= c.MemoryMiB:
			return fmt.Errorf("%s.memoryReservation: %d MiB, expected less than memory %d MiB", f, c.MemoryReservationMiB, c.MemoryMiB)
		case c.Duration < 0:
			return fmt.Errorf("%s.duration: %v, expected 0 or more", f, c.Duration)
		case c.Essential && (c.Duration != 0 || c.ExitCode != 0):
			return fmt.Errorf("%s: duration %v and exit code %d, expected none on an essential container (it follows the task's)", f, c.Duration, c.ExitCode)
		case c.ExitCode < 0 || c.ExitCode > 255:
			return fmt.Errorf("%s.exitCode: %d, expected 0 to 255", f, c.ExitCode)
		}
		names[c.Name] = true
		if c.Essential && essential < 0 {
			essential = i
		}
		for j, pm := range c.Ports {
			switch {
			case pm.ContainerPort == 0:
				return fmt.Errorf("%s.ports[%d].containerPort: 0, expected 1 to 65535", f, j)
			case pm.Protocol != "" && pm.Protocol != "tcp" && pm.Protocol != "udp":
				return fmt.Errorf("%s.ports[%d].protocol: %q, expected tcp or udp", f, j, pm.Protocol)
			}
		}
	}
	switch {
	case essential < 0:
		return fmt.Errorf("docker: task %s: containers: none is essential, expected at least one", r.ID)
	case r.OOM && r.Containers[essential].MemoryMiB == 0:
		return fmt.Errorf("docker: task %s: OOM asked without a memory limit on containers[%d], the first essential one, expected memory > 0", r.ID, essential)
	}
	return nil
}

// containerSpec is what one container runs and is limited to.
type containerSpec struct {
	def        string // container definition name; "" for a run without Containers
	cpu        int64
	demand     int64 // CPU units it burns: cpu, or the run's CPUUse
	hard, soft int64 // MiB, 0 for none
	essential  bool
	ports      []sim.PortMapping
	duration   time.Duration // 0: until stopped
	exit       int
	oom        bool
}

// containerSpecs lists r's containers. A run without Containers is one
// essential container whose memory is both limits and whose static ports
// are bound to the same container ports. In a run with Containers, the
// essential ones follow the task's duration and exit code (the first one
// also its OOM); a non-essential one runs for its own Duration, or until
// the task stops.
func containerSpecs(r *sim.Run) []containerSpec {
	if len(r.Containers) == 0 {
		cs := containerSpec{cpu: r.CPU, demand: r.Demand(), hard: r.MemoryMiB, soft: r.MemoryMiB, essential: true,
			duration: r.Duration, exit: r.ExitCode, oom: r.OOM}
		for _, p := range r.Ports {
			cs.ports = append(cs.ports, sim.PortMapping{ContainerPort: p, HostPort: p, Protocol: "tcp"})
		}
		return []containerSpec{cs}
	}
	specs := make([]containerSpec, len(r.Containers))
	oom := r.OOM
	for i := range r.Containers {
		c := &r.Containers[i]
		cs := containerSpec{def: c.Name, cpu: c.CPU, demand: c.CPU, hard: c.MemoryMiB, soft: c.MemoryReservationMiB,
			essential: c.Essential, ports: c.Ports}
		if c.Essential {
			cs.duration, cs.exit, cs.oom = r.Duration, r.ExitCode, oom
			oom = false
		} else {
			cs.duration, cs.exit = c.Duration, c.ExitCode
		}
		specs[i] = cs
	}
	return specs
}

// containerConfig turns one container of the run into its configuration.
func (e *Executor) containerConfig(t *task, cs *containerSpec) (*container.Config, *container.HostConfig) {
	r := t.run
	var args []string
	if cs.duration > 0 {
		until := t.startWall.Add(time.Duration(float64(cs.duration) / e.cfg.Scale))
		args = append(args, "-until="+strconv.FormatInt(until.UnixNano(), 10))
	}
	if cs.exit != 0 {
		args = append(args, "-exit="+strconv.Itoa(cs.exit))
	}
	res := e.cfg.ScaleResources
	if m := int64(math.Round(float64(cs.demand) * 1000 / 1024 * res)); m > 0 {
		args = append(args, "-cpu="+strconv.FormatInt(m, 10))
		if cs.duration > 0 {
			// A fixed amount of computation per trace second of CPU: CPU
			// contention stretches the run.
			w := workUnits(cs.demand, cs.duration, t.ep.rate, res, e.cfg.Scale)
			args = append(args, "-work="+strconv.FormatFloat(w, 'f', 0, 64), "-rate="+strconv.FormatFloat(t.ep.rate, 'f', 0, 64))
		}
	}
	hard, soft := scaledMiB(cs.hard, res), scaledMiB(cs.soft, res)
	mem := hard
	if mem == 0 {
		mem = soft
	}
	if use := workloadMiB(mem); use > 0 {
		args = append(args, "-mem="+strconv.FormatInt(use, 10))
	}
	if cs.oom {
		args = append(args, "-oom")
	}
	if g := e.cfg.termGrace; g > 0 {
		args = append(args, "-grace="+g.String())
	}
	cc := &container.Config{
		Image: t.ep.image,
		Cmd:   args,
		Labels: map[string]string{
			LabelRun:      e.runID,
			LabelInstance: r.Instance,
			LabelTask:     r.ID,
			LabelGroup:    r.Group,
			LabelFamily:   r.Family,
			LabelClient:   e.hostname,
			LabelPID:      strconv.Itoa(os.Getpid()),
		},
	}
	if cs.def != "" {
		cc.Labels[LabelContainer] = cs.def
	}
	// A container without port mappings needs no network: "none" spares
	// the engine a network namespace and a veth pair, the slowest part of
	// a start. Its output is not kept either.
	// An init process (docker-init) as PID 1 gives the workload a signal's
	// default action: SIGTERM before its handlers are installed still
	// ends it with 143, where as PID 1 it would ignore it. An engine
	// without docker-init runs the workload as PID 1 (launch); Stop then
	// repeats SIGTERM until it is heard.
	init := true
	hc := &container.HostConfig{NetworkMode: "none", LogConfig: container.LogConfig{Type: "none"}, Init: &init}
	hc.CgroupParent = cgroupParent(t.cgroup)
	hc.CPUShares = max(cs.cpu, 2)
	// A single-container task's quota is its task cgroup's, where there is
	// one, so that its throttling is counted there.
	if e.cfg.CPUQuota && cs.cpu > 0 && (t.cgroup == "" || cs.def != "") {
		hc.NanoCPUs = cpuQuota(cs.cpu, res).Nanoseconds() * int64(time.Second/cfsPeriod)
	}
	if hard > 0 {
		hc.Memory = hard << 20
		hc.MemorySwap = hc.Memory // no swap: over the limit is over
	}
	if soft > 0 && (hard == 0 || soft < hard) {
		hc.MemoryReservation = soft << 20
	}
	if len(cs.ports) > 0 {
		addr := t.ep.addrs[r.Instance]
		if !addr.IsValid() {
			n := len(t.ep.addrs)
			addr = netip.AddrFrom4([4]byte{127, 1, byte(n / 250), byte(n%250 + 1)})
			t.ep.addrs[r.Instance] = addr
		}
		hc.NetworkMode = ""
		cc.ExposedPorts = network.PortSet{}
		hc.PortBindings = network.PortMap{}
		var list []string
		for _, pm := range cs.ports {
			proto := network.TCP
			if pm.Protocol == "udp" {
				proto = network.UDP
			}
			port, _ := network.PortFrom(pm.ContainerPort, proto)
			cc.ExposedPorts[port] = struct{}{}
			host := "" // dynamic: the engine picks it from its ephemeral range
			if pm.HostPort != 0 {
				host = strconv.Itoa(int(pm.HostPort))
			}
			hc.PortBindings[port] = append(hc.PortBindings[port], network.PortBinding{HostIP: addr, HostPort: host})
			if proto == network.TCP && !slices.Contains(list, strconv.Itoa(int(pm.ContainerPort))) {
				list = append(list, strconv.Itoa(int(pm.ContainerPort)))
			}
		}
		if len(list) > 0 {
			cc.Cmd = append(cc.Cmd, "-listen="+strings.Join(list, ","))
		}
	}
	return cc, hc
}

// cgroupParent is the CgroupParent of a container in task cgroup p ("" for
// none): an absolute path, as the cgroupfs driver takes it.
func cgroupParent(p string) string {
	if p == "" {
		return ""
	}
	return "/" + p
}

// workloadMiB is the memory the workload touches for a task that reserves
// mib: the reservation less headroom for the Go runtime, so that a task
// within its memory stays within its hard limit.
func workloadMiB(mib int64) int64 {
	return max(0, mib-max(8, mib/4))
}
