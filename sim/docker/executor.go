package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
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

// launchers is how many containers of a run are created and started at
// once: engines serialize much of a start, and a few at a time keep the
// launches close to first come, first started.
const launchers = 4

// ReasonCannotStart prefixes the stopped reason of a task whose container
// could not be created or started (ECS's CannotStartContainerError); its
// exit code is -1, since no process ran.
const ReasonCannotStart = "CannotStartContainerError: "

// Config sets up an Executor. The zero value of each field but Scale is
// its default.
type Config struct {
	// Scale is the time scale: trace seconds per wall second (60 replays a
	// trace hour in a wall minute). Required, > 0; it must equal the scale
	// the engine is paced with.
	Scale float64
	// Host is the default Docker endpoint; "" means DOCKER_HOST, or the
	// local engine's socket.
	Host string
	// Hosts route instances to other endpoints: the first rule whose
	// pattern matches the instance id wins; the others go to Host.
	Hosts []HostRule
	// RunID labels the run's containers; "" makes a random one.
	RunID string
	// CPUQuota also caps a container's CPU at its task's units (a CFS
	// quota); by default CPU units only weigh containers against each
	// other (CPU shares), as ECS does.
	CPUQuota bool
	// Workload is the path of a prebuilt workload binary (static,
	// linux, the engine's architecture); "" builds it from the embedded
	// source with the Go toolchain the first time an engine lacks the
	// image.
	Workload string
	// Wall is the wall clock; nil means time.Now.
	Wall func() time.Time
}

// Executor runs each task as Docker containers (one per container
// definition) and reports its exit back to the engine. It implements
// sim.Executor and sim.EventHandler: its exits are events of its own,
// handed back by the simulator.
//
// Start, Stop, LoseInstance, Close and Handle are for the engine's
// goroutine only, as sim.Executor requires; Err and RunID are safe for
// concurrent use.
type Executor struct {
	cfg      Config
	eng      *sim.Engine
	runID    string
	wall     func() time.Time
	ctx      context.Context
	cancel   context.CancelFunc
	stopCtx  func() bool
	hostname string
	sem      chan struct{} // bounds concurrent container launches

	// The engine's goroutine only.
	running map[string]*task
	eps     map[string]*endpoint
	closed  bool
	closeEr error
	n       int

	wg sync.WaitGroup // launches, kills, watchers, finishers

	mu          sync.Mutex
	byContainer map[string]*ctr
	// onEngine holds the names of the containers that may be on an engine:
	// asked for, and neither known to be removed nor known never made.
	// When an engine is gone, Close names them (the next run removes them).
	onEngine map[string]*endpoint
	closing  bool
	err      error
}

// endpoint is one Docker engine the run uses.
type endpoint struct {
	url   string
	cli   *client.Client
	image string
	addrs map[string]netip.Addr // instance -> loopback address its ports bind to
	// noInit is set once the engine turned out to lack docker-init.
	noInit atomic.Bool
}

// task is one run of a task: its containers and how it ends.
type task struct {
	run       *sim.Run
	ep        *endpoint
	startSim  time.Duration
	startWall time.Time
	ctrs      []*ctr // in the run's order

	// Guarded by Executor.mu.
	ended  bool   // its exit is delivered, or about to be
	reason string // set by Stop or LoseInstance
	signal string
}

// ctr is one container of a task.
type ctr struct {
	t         *task
	name      string // the container's name on the engine
	essential bool
	cc        *container.Config
	hc        *container.HostConfig

	// Guarded by Executor.mu.
	cid     string
	started bool
	died    bool
}

// exitEvent is a task's end, injected into the engine at its simulated
// time.
type exitEvent struct {
	t      *task
	code   int
	reason string
}

// failEvent stops the engine after the executor failed (see Err).
type failEvent struct{}

// New returns an executor for eng, connected to the default endpoint: it
// checks that the engine answers, removes the leftovers of crashed runs,
// makes sure the workload image is there, and watches the engine's events.
// It does the same for every endpoint of Config.Hosts. When ctx is done
// the executor fails (Err) and stops the engine.
func New(ctx context.Context, eng *sim.Engine, cfg Config) (*Executor, error) {
	if !(cfg.Scale > 0) || cfg.Scale > 1e9 {
		return nil, fmt.Errorf("docker: time scale %v, expected a positive number of trace seconds per wall second", cfg.Scale)
	}
	for _, r := range cfg.Hosts {
		if _, err := ParseHostRule(r.String()); err != nil {
			return nil, err
		}
	}
	e := &Executor{
		cfg:         cfg,
		eng:         eng,
		runID:       cfg.RunID,
		wall:        cfg.Wall,
		sem:         make(chan struct{}, launchers),
		running:     map[string]*task{},
		eps:         map[string]*endpoint{},
		byContainer: map[string]*ctr{},
		onEngine:    map[string]*endpoint{},
	}
	if e.wall == nil {
		e.wall = time.Now
	}
	if e.runID == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		e.runID = hex.EncodeToString(b[:])
	}
	e.hostname, _ = os.Hostname()
	e.ctx, e.cancel = context.WithCancel(ctx)
	// Every endpoint now, so that none blocks the engine mid-run.
	for _, url := range endpointURLs(cfg) {
		if _, err := e.endpoint(url); err != nil {
			e.cancel()
			e.wg.Wait()
			for _, ep := range e.eps {
				ep.cli.Close()
			}
			return nil, err
		}
	}
	e.stopCtx = context.AfterFunc(ctx, func() { e.fail(fmt.Errorf("docker: run %s: %w", e.runID, context.Cause(ctx))) })
	return e, nil
}

// Ping checks that every endpoint cfg names answers, and returns a
// one-line error naming the first that does not.
func Ping(ctx context.Context, cfg Config) error {
	for _, u := range endpointURLs(cfg) {
		cli, _, err := dial(ctx, u)
		if err != nil {
			return err
		}
		cli.Close()
	}
	return nil
}

// endpointURLs lists the endpoints cfg names, the default first, each
// once.
func endpointURLs(cfg Config) []string {
	urls := []string{cfg.Host}
	for _, r := range cfg.Hosts {
		if !slices.Contains(urls, r.URL) {
			urls = append(urls, r.URL)
		}
	}
	return urls
}

// dial connects to the endpoint at url ("" for the default) and checks
// that it answers.
func dial(ctx context.Context, url string) (*client.Client, string, error) {
	opts := []client.Opt{client.FromEnv}
	if url != "" {
		opts = append(opts, client.WithHost(url))
	}
	cli, err := client.New(opts...)
	if err != nil {
		// Name the endpoint the user gave: the URL, else DOCKER_HOST's.
		name := url
		if name == "" {
			name = defaultHost()
		}
		return nil, name, fmt.Errorf("docker: endpoint %s: %s", name, oneLine(err))
	}
	name := cli.DaemonHost()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx, client.PingOptions{}); err != nil {
		cli.Close()
		return nil, name, fmt.Errorf("docker: no Docker engine answers at %s: %s", name, oneLine(err))
	}
	return cli, name, nil
}

// defaultHost is the endpoint "" stands for: DOCKER_HOST, or the local
// engine's socket.
func defaultHost() string {
	if h := os.Getenv(client.EnvOverrideHost); h != "" {
		return h
	}
	return client.DefaultDockerHost
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// RunID returns the id that labels the run's containers (LabelRun).
func (e *Executor) RunID() string { return e.runID }

// Err returns why the executor failed (its context was done, or an
// engine stopped answering), or nil. After a failure the engine is stopped
// and Start returns the error.
func (e *Executor) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

func (e *Executor) fail(err error) {
	e.mu.Lock()
	first := e.err == nil
	if first {
		e.err = err
	}
	e.mu.Unlock()
	if first {
		e.eng.Inject(0, failEvent{})
	}
}

// endpoint returns the connected endpoint at url, connecting it the first
// time.
func (e *Executor) endpoint(url string) (*endpoint, error) {
	if ep, ok := e.eps[url]; ok {
		return ep, nil
	}
	cli, name, err := dial(e.ctx, url)
	if err != nil {
		return nil, err
	}
	ep := &endpoint{url: url, cli: cli, addrs: map[string]netip.Addr{}}
	if err := e.removeLeftovers(cli); err != nil {
		cli.Close()
		return nil, fmt.Errorf("docker: %s: removing leftovers: %s", name, oneLine(err))
	}
	if ep.image, err = ensureImage(e.ctx, cli, e.cfg.Workload); err != nil {
		cli.Close()
		return nil, err
	}
	// Subscribe before any container starts, so that no exit is missed.
	since := strconv.FormatInt(e.wall().Add(-10*time.Minute).Unix(), 10)
	sub := e.subscribe(ep, since)
	e.eps[url] = ep
	e.wg.Add(1)
	go e.watch(ep, sub, since)
	return ep, nil
}

// removeLeftovers removes the containers of earlier runs of this client
// machine whose process is gone: a crashed or killed berth's.
func (e *Executor) removeLeftovers(cli *client.Client) error {
	list, err := cli.ContainerList(e.ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun)})
	if err != nil {
		return err
	}
	for _, c := range list.Items {
		if c.Labels[LabelRun] == e.runID || c.Labels[LabelClient] != e.hostname {
			continue
		}
		if pid, err := strconv.Atoi(c.Labels[LabelPID]); err == nil && alive(pid) {
			continue
		}
		// Another run starting at the same time may be removing it too.
		if _, err := cli.ContainerRemove(e.ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !notFound(err) && !inProgress(err) {
			return err
		}
	}
	return nil
}

// alive reports whether process pid exists on this machine.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

func notFound(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "no such container")
}

func (e *Executor) subscribe(ep *endpoint, since string) client.EventsResult {
	return ep.cli.Events(e.ctx, client.EventsListOptions{Since: since, Filters: make(client.Filters).
		Add("type", "container").Add("event", "die").Add("label", LabelRun+"="+e.runID)})
}

// watch reads the endpoint's die events until the run ends. A broken
// stream is reopened from the last event seen, and the run's exited
// containers are checked for exits the gap may have hidden; an engine that
// stays away fails the run.
func (e *Executor) watch(ep *endpoint, sub client.EventsResult, since string) {
	defer e.wg.Done()
	failures := 0
	for {
		select {
		case m := <-sub.Messages:
			failures = 0
			since = fmt.Sprintf("%d.%09d", m.TimeNano/1e9, m.TimeNano%1e9)
			code, _ := strconv.Atoi(m.Actor.Attributes["exitCode"])
			e.died(ep, m.Actor.ID, code, e.wall())
		case err := <-sub.Err:
			if e.ctx.Err() != nil {
				return
			}
			failures++
			if failures > 5 {
				e.fail(fmt.Errorf("docker: %s: event stream: %s", ep.cli.DaemonHost(), oneLine(err)))
				return
			}
			select {
			case <-e.ctx.Done():
				return
			case <-time.After(time.Duration(failures) * 200 * time.Millisecond):
			}
			sub = e.subscribe(ep, since)
			e.reconcile(ep)
		}
	}
}

// reconcile reports the run's containers that exited while the event
// stream was down.
func (e *Executor) reconcile(ep *endpoint) {
	list, err := ep.cli.ContainerList(e.ctx, client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelRun+"="+e.runID).Add("status", "exited")})
	if err != nil {
		return // the next failure of the stream reports it
	}
	for _, c := range list.Items {
		e.died(ep, c.ID, -1, e.wall())
	}
}

// died handles the death of container cid, seen at wall time seen. The
// death of an essential container ends its task, and the task's other
// containers are stopped; a non-essential one is only removed.
func (e *Executor) died(ep *endpoint, cid string, code int, seen time.Time) {
	e.mu.Lock()
	c := e.byContainer[cid]
	if c == nil || c.died {
		e.mu.Unlock()
		return
	}
	c.died = true
	delete(e.byContainer, cid)
	t := c.t
	ends := c.essential && !t.ended
	if ends {
		t.ended = true
	}
	reason := t.reason
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if ends {
			oom := false
			if res, err := ep.cli.ContainerInspect(e.ctx, cid, client.ContainerInspectOptions{}); err == nil && res.Container.State != nil {
				code, oom = res.Container.State.ExitCode, res.Container.State.OOMKilled
			}
			switch {
			case reason != "":
			case oom:
				reason = sim.ReasonOutOfMemory
			default:
				reason = sim.ReasonEssentialExited
			}
			e.deliver(t, code, reason, seen)
			e.stopOthers(t)
		}
		e.remove(ep, cid, c.name)
	}()
}

// stopOthers removes (killing them first) the containers of t that are
// still there, once t has ended. A container created later sees t.ended
// and removes itself.
func (e *Executor) stopOthers(t *task) {
	e.mu.Lock()
	var stop []*ctr
	var ids []string
	for _, c := range t.ctrs {
		if c.cid != "" && !c.died {
			c.died = true
			delete(e.byContainer, c.cid)
			stop, ids = append(stop, c), append(ids, c.cid)
		}
	}
	e.mu.Unlock()
	for i, c := range stop {
		e.remove(t.ep, ids[i], c.name)
	}
}

// deliver injects the task's exit at the simulated time that corresponds
// to wall time seen: its start plus the scaled wall time since.
func (e *Executor) deliver(t *task, code int, reason string, seen time.Time) {
	at := t.startSim + time.Duration(float64(seen.Sub(t.startWall))*e.cfg.Scale)
	if at <= 0 {
		at = 1 // 0 would mean "now by the wall clock" to Inject
	}
	e.eng.Inject(at, exitEvent{t: t, code: code, reason: reason})
}

// Start implements sim.Executor: it validates the run and launches its
// containers in the background, in the run's order; a container that
// cannot be created or started ends the task with ReasonCannotStart.
func (e *Executor) Start(r *sim.Run) error {
	if err := e.Err(); err != nil {
		return err
	}
	if e.closed {
		return fmt.Errorf("docker: start task %s: the executor is closed", r.ID)
	}
	if err := validRun(r); err != nil {
		return err
	}
	if _, dup := e.running[r.ID]; dup {
		return fmt.Errorf("docker: task %s is already running", r.ID)
	}
	ep, err := e.endpoint(endpointFor(e.cfg.Hosts, r.Instance, e.cfg.Host))
	if err != nil {
		return err
	}
	t := &task{run: r, ep: ep, startSim: e.eng.Now(), startWall: e.wall()}
	e.running[r.ID] = t
	e.n++
	specs := containerSpecs(r)
	for i := range specs {
		c := &ctr{t: t, essential: specs[i].essential, name: fmt.Sprintf("berth-%s-%d", e.runID, e.n)}
		if len(r.Containers) > 0 {
			c.name += "-" + strconv.Itoa(i)
		}
		c.cc, c.hc = e.containerConfig(t, &specs[i])
		t.ctrs = append(t.ctrs, c)
	}
	e.wg.Add(1)
	go e.launch(t)
	return nil
}

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
		cs := containerSpec{cpu: r.CPU, hard: r.MemoryMiB, soft: r.MemoryMiB, essential: true,
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
		cs := containerSpec{def: c.Name, cpu: c.CPU, hard: c.MemoryMiB, soft: c.MemoryReservationMiB,
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
	if m := cs.cpu * 1000 / 1024; m > 0 {
		args = append(args, "-cpu="+strconv.FormatInt(m, 10))
	}
	mem := cs.hard
	if mem == 0 {
		mem = cs.soft
	}
	if use := workloadMiB(mem); use > 0 {
		args = append(args, "-mem="+strconv.FormatInt(use, 10))
	}
	if cs.oom {
		args = append(args, "-oom")
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
	hc.CPUShares = max(cs.cpu, 2)
	if e.cfg.CPUQuota && cs.cpu > 0 {
		hc.NanoCPUs = cs.cpu * 1e9 / 1024
	}
	if cs.hard > 0 {
		hc.Memory = cs.hard << 20
		hc.MemorySwap = hc.Memory // no swap: over the limit is over
	}
	if cs.soft > 0 {
		hc.MemoryReservation = cs.soft << 20
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

// workloadMiB is the memory the workload touches for a task that reserves
// mib: the reservation less headroom for the Go runtime, so that a task
// within its memory stays within its hard limit.
func workloadMiB(mib int64) int64 {
	return max(0, mib-max(8, mib/4))
}

// launch creates and starts t's containers, one after the other; when one
// fails, the task ends and the others are removed.
func (e *Executor) launch(t *task) {
	defer e.wg.Done()
	select {
	case e.sem <- struct{}{}:
		defer func() { <-e.sem }()
	case <-e.ctx.Done():
		return
	}
	for _, c := range t.ctrs {
		if !e.launchOne(c) {
			e.stopOthers(t)
			return
		}
	}
}

// launchOne creates and starts container c; it reports whether it runs.
func (e *Executor) launchOne(c *ctr) bool {
	t := c.t
	for retried := false; ; retried = true {
		if t.ep.noInit.Load() {
			c.hc.Init = nil
		}
		id, ok := e.create(c)
		if !ok {
			return false
		}
		if e.ctx.Err() != nil {
			return false // the run is ending: Close removes it
		}
		err := e.start(c, id)
		if err == nil {
			return true
		}
		e.mu.Lock()
		delete(e.byContainer, id)
		c.cid = ""
		ended := t.ended
		e.mu.Unlock()
		e.remove(t.ep, id, c.name)
		if !retried && !ended && c.hc.Init != nil && strings.Contains(err.Error(), "docker-init") {
			// An engine without its init binary: run the workload as PID 1.
			t.ep.noInit.Store(true)
			continue
		}
		e.mu.Lock()
		ended = t.ended
		t.ended = true
		e.mu.Unlock()
		if !ended {
			e.cannotStart(t, err)
		}
		return false
	}
}

// create creates container c and registers it; ok is false when the task
// ended instead (creation failed, the run is closing, the task ended
// already, or it was stopped before it started: it never runs, as a
// PENDING task stopped in ECS).
//
// The create is not cut short when the run is cancelled: a create cancelled
// on the client's side can still complete on the engine, after Close looked
// for the run's containers, and leave one behind. Close waits for it
// instead, and removes it.
func (e *Executor) create(c *ctr) (string, bool) {
	t := c.t
	cli := t.ep.cli
	e.mu.Lock()
	e.onEngine[c.name] = t.ep
	e.mu.Unlock()
	ctx, cancel := e.engineCtx()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: c.cc, HostConfig: c.hc, Name: c.name})
	cancel()
	if err != nil {
		if !uncertain(err) {
			e.mu.Lock()
			delete(e.onEngine, c.name) // the engine refused it: nothing was made
			e.mu.Unlock()
		}
		e.mu.Lock()
		ended := t.ended
		t.ended = true
		e.mu.Unlock()
		if !ended {
			e.cannotStart(t, err)
		}
		return "", false
	}
	e.mu.Lock()
	if e.closing {
		e.mu.Unlock()
		return "", false // Close removes it with the run's others
	}
	if t.ended {
		e.mu.Unlock()
		e.remove(t.ep, res.ID, c.name)
		return "", false
	}
	c.cid = res.ID
	e.byContainer[res.ID] = c
	sig := t.signal
	if sig != "" {
		delete(e.byContainer, res.ID)
		c.died = true
		t.ended = true
	}
	e.mu.Unlock()
	if sig != "" {
		e.deliver(t, signalCode(sig), t.reason, e.wall())
		e.remove(t.ep, res.ID, c.name)
		return "", false
	}
	return res.ID, true
}

// start starts container id of c, and sends it the signal a Stop or
// LoseInstance asked for meanwhile.
func (e *Executor) start(c *ctr, id string) error {
	ctx, cancel := e.engineCtx()
	_, err := c.t.ep.cli.ContainerStart(ctx, id, client.ContainerStartOptions{})
	cancel()
	if err != nil {
		return err
	}
	e.mu.Lock()
	c.started = true
	sig := c.t.signal
	e.mu.Unlock()
	if sig != "" {
		e.kill(c, id, sig)
	}
	return nil
}

// cannotStart ends a task whose container did not start.
func (e *Executor) cannotStart(t *task, err error) {
	if e.ctx.Err() != nil {
		return // the run is ending; nothing more is reported
	}
	e.mu.Lock()
	reason := t.reason
	e.mu.Unlock()
	if reason == "" {
		reason = ReasonCannotStart + oneLine(err)
	}
	e.deliver(t, -1, reason, e.wall())
}

// remove removes container cid (named name) of ep, whose task has ended;
// it finishes even when the run is being closed (Close waits for it).
func (e *Executor) remove(ep *endpoint, cid, name string) {
	ctx, cancel := e.engineCtx()
	defer cancel()
	_, err := ep.cli.ContainerRemove(ctx, cid, client.ContainerRemoveOptions{Force: true})
	if err == nil || notFound(err) {
		e.mu.Lock()
		delete(e.onEngine, name)
		e.mu.Unlock()
	}
}

// engineTimeout bounds an engine call that the run's cancellation does not
// cut short (a create, a start, a removal): long enough for an engine on a
// loaded machine, short enough that a hung one does not hold the run.
const engineTimeout = time.Minute

// engineCtx returns the context of an engine call that must complete even
// when the run is cancelled, so that its outcome is known.
func (e *Executor) engineCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(e.ctx), engineTimeout)
}

// uncertain reports whether a failed call may still have done its work on
// the engine: the request or its answer was lost, rather than refused or
// never sent.
func uncertain(err error) bool {
	return unreachable(err) && !notSent(err)
}

// unreachable reports whether a call failed for want of an answer from the
// engine, rather than with the engine's refusal.
func unreachable(err error) bool {
	return client.IsErrConnectionFailed(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// notSent reports whether a call failed before its request reached the
// engine: no connection could be made. (The client keeps the cause of a
// refused connection only in its message.)
func notSent(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) ||
		strings.Contains(err.Error(), "Cannot connect to the Docker daemon")
}

// signalCode is the exit code of a process ended by sig: 128 + its number.
func signalCode(sig string) int {
	if sig == "SIGTERM" {
		return 143
	}
	return 137
}

// stopTimeout is how long a task has to exit after SIGTERM before it gets
// SIGKILL, ECS's default (ECS_CONTAINER_STOP_TIMEOUT).
const stopTimeout = 30 * time.Second

// kill sends sig to container cid of c until it dies. The signal is
// repeated: a process that has not installed its handlers yet, as PID 1
// of its container, ignores SIGTERM. SIGTERM turns to SIGKILL after
// stopTimeout.
func (e *Executor) kill(c *ctr, cid, sig string) {
	deadline := time.Now().Add(stopTimeout)
	for {
		_, _ = c.t.ep.cli.ContainerKill(e.ctx, cid, client.ContainerKillOptions{Signal: sig})
		select {
		case <-e.ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		e.mu.Lock()
		died := c.died
		e.mu.Unlock()
		if died {
			return
		}
		if sig == "SIGTERM" && time.Now().After(deadline) {
			sig = "SIGKILL"
		}
	}
}

// signal asks t's containers to end with sig; reason becomes its stopped
// reason. A container still starting gets the signal once started.
func (e *Executor) signal(t *task, reason, sig string) bool {
	e.mu.Lock()
	if t.reason != "" {
		e.mu.Unlock()
		return false
	}
	t.reason, t.signal = reason, sig
	var kill []*ctr
	var cids []string
	for _, c := range t.ctrs {
		if c.started && !c.died && c.cid != "" {
			kill, cids = append(kill, c), append(cids, c.cid)
		}
	}
	e.mu.Unlock()
	for i, c := range kill {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.kill(c, cids[i], sig)
		}()
	}
	return true
}

// Stop implements sim.Executor: the container gets SIGTERM (the workload
// exits with 143) and the task's exit carries reason.
func (e *Executor) Stop(r *sim.Run, reason string) error {
	t, ok := e.running[r.ID]
	if !ok {
		return fmt.Errorf("docker: stop: task %s is not running", r.ID)
	}
	if reason == "" {
		reason = sim.ReasonStoppedByUser
	}
	if !e.signal(t, reason, "SIGTERM") {
		return fmt.Errorf("docker: stop: task %s is already stopping", r.ID)
	}
	return nil
}

// LoseInstance implements sim.Executor: every container of the instance is
// killed (SIGKILL, exit 137), as when its host goes away.
func (e *Executor) LoseInstance(instance string) error {
	var lost []*task
	for _, t := range e.running {
		if t.run.Instance == instance {
			lost = append(lost, t)
		}
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i].run.ID < lost[j].run.ID })
	reason := fmt.Sprintf(sim.ReasonInstanceLost, instance)
	for _, t := range lost {
		e.signal(t, reason, "SIGKILL")
	}
	return nil
}

// Handle implements sim.EventHandler: it turns the executor's exit events
// into Exits, and stops the engine after a failure.
func (e *Executor) Handle(ev sim.Event) (*sim.Exit, bool) {
	switch ev := ev.(type) {
	case exitEvent:
		if e.closed || e.running[ev.t.run.ID] != ev.t {
			return nil, true
		}
		delete(e.running, ev.t.run.ID)
		return &sim.Exit{Run: ev.t.run, ExitCode: ev.code, Reason: ev.reason}, true
	case failEvent:
		e.eng.Stop()
		return nil, true
	}
	return nil, false
}

// Close implements sim.Executor: it removes every container of the run on
// every endpoint (running or not), waits for its goroutines and closes the
// connections. It is safe to call more than once.
//
// When an engine is gone, its containers cannot be removed: the error
// names those the run may have left there (one line), and the next run on
// this machine removes them (New).
func (e *Executor) Close() error {
	if e.closed {
		return e.closeEr
	}
	e.closed = true
	if e.stopCtx != nil {
		e.stopCtx()
	}
	e.mu.Lock()
	e.closing = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait() // no create or start is in flight after this
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	urls := make([]string, 0, len(e.eps))
	for u := range e.eps {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		ep := e.eps[u]
		var names []string
		e.mu.Lock()
		for name, on := range e.onEngine {
			if on == ep {
				names = append(names, name)
			}
		}
		e.mu.Unlock()
		sort.Strings(names)
		if err := removeRun(ctx, ep.cli, e.runID, names); err != nil && e.closeEr == nil {
			e.closeEr = err
		}
		ep.cli.Close()
	}
	return e.closeEr
}

// RemoveRun removes every container labelled with the run id on the
// engine cli talks to, and waits until none is left.
func RemoveRun(ctx context.Context, cli *client.Client, runID string) error {
	return removeRun(ctx, cli, runID, nil)
}

// removeRun removes the run's containers, and those named (the ones the
// run asked for, which may not carry its label yet), until none is left.
// When the engine does not answer, the error names the containers left
// there.
func removeRun(ctx context.Context, cli *client.Client, runID string, names []string) error {
	var ids []string
	gone := func(err error) error {
		left := names
		if len(left) == 0 {
			left = ids
		}
		if len(left) == 0 {
			return fmt.Errorf("docker: run %s: removing its containers: %s", runID, oneLine(err))
		}
		return &LeftError{RunID: runID, Host: cli.DaemonHost(), Names: slices.Clone(left), Err: err}
	}
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun+"="+runID)})
		if err != nil {
			return gone(err)
		}
		ids = ids[:0]
		for _, c := range list.Items {
			ids = append(ids, strings.TrimPrefix(firstOr(c.Names, c.ID), "/"))
		}
		// Every round removes whatever is there: a container made after
		// the last listing is removed in the next.
		refs := append(ids[:len(ids):len(ids)], names...)
		if err := removeAll(ctx, cli, refs); err != nil {
			if unreachable(err) {
				return gone(err)
			}
			return fmt.Errorf("docker: run %s: %s", runID, oneLine(err))
		}
		names = nil // removed, or never made
		if len(list.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("docker: run %s: %d containers still there after removal: %s", runID, len(ids), strings.Join(ids, " "))
		case <-time.After(delay):
		}
	}
}

// LeftError is the error of Close (and RemoveRun) when an engine stopped
// answering before the run's containers were removed: it names those the
// run may have left there, which the next run on this machine removes
// (New removes the containers of berth processes that no longer exist).
type LeftError struct {
	RunID string
	Host  string   // the engine's endpoint
	Names []string // the containers, by name or id, sorted
	Err   error    // why they could not be removed
}

// Error is one line: the run, the cause, and the containers left.
func (e *LeftError) Error() string {
	return fmt.Sprintf("docker: run %s: removing its containers: %s; %s", e.RunID, oneLine(e.Err), e.Left())
}

// Left says which containers are left, without the cause: "N containers
// left on HOST for the next run to remove: NAME NAME...".
func (e *LeftError) Left() string {
	return fmt.Sprintf("%d containers left on %s for the next run to remove: %s", len(e.Names), e.Host, strings.Join(e.Names, " "))
}

// Unwrap returns the cause.
func (e *LeftError) Unwrap() error { return e.Err }

// removeAll force-removes the containers refs (ids or names), a few at
// once; one that is gone or being removed already is no error.
func removeAll(ctx context.Context, cli *client.Client, refs []string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(refs))
	sem := make(chan struct{}, 8)
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := cli.ContainerRemove(ctx, ref, client.ContainerRemoveOptions{Force: true}); err != nil && !notFound(err) && !inProgress(err) {
				errs[i] = fmt.Errorf("removing container %s: %w", ref, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func firstOr(names []string, id string) string {
	if len(names) > 0 {
		return names[0]
	}
	return id
}

func inProgress(err error) bool { return strings.Contains(err.Error(), "already in progress") }
