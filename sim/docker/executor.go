package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/berthsched/berth/sim"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

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
	// CPUQuota also caps a container's CPU at its units (a CFS quota),
	// and a task without a task-level cpu at its CPU; by default CPU units
	// only weigh containers against each other (CPU shares), as ECS does,
	// and only a task-level cpu (sim.Run.TaskCPU) is a hard limit.
	CPUQuota bool
	// ScaleResources scales every instance's CPU and memory and every
	// task's limits and use by a factor in (0, 1], for a fleet larger than
	// the machine (0.25 runs a 4-vCPU instance in one core); 0 means 1.
	ScaleResources float64
	// StopTimeout is how long, in trace time, a container ECS stops has
	// to exit after SIGTERM before SIGKILL, for tasks whose definition
	// gives none (sim.Run.StopTimeout); 0 means ECS's default, 30s.
	StopTimeout time.Duration
	// NoInstanceCgroups runs tasks without instance cgroups: co-placed
	// tasks then share the whole machine (see Boundaries).
	NoInstanceCgroups bool
	// CgroupRoot is where the engine host's cgroup file system is mounted;
	// "" means DefaultCgroupRoot.
	CgroupRoot string
	// WorkRate is the work units a core does per wall second, which sets
	// how much computation a task does per trace second of CPU; 0
	// calibrates it once per engine, in New, on the engine's machine.
	WorkRate float64
	// Workload is the path of a prebuilt workload binary (static,
	// linux, the engine's architecture); "" builds it from the embedded
	// source with the Go toolchain the first time an engine lacks the
	// image.
	Workload string
	// Wall is the wall clock; nil means time.Now.
	Wall func() time.Time

	// termGrace makes every workload exit that long after SIGTERM (tests
	// of the stop timeout).
	termGrace time.Duration
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
	stats       map[string]*TaskStats // by task id, once it ended
	instStats   []InstanceStats       // at Close
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
	// rate is the work units a core of its machine does per second.
	rate float64
	// noInit is set once the engine turned out to lack docker-init.
	noInit atomic.Bool
	// cg are the run's cgroups on the engine's host, nil when instances
	// are not bounded there; boundary says which, for the report.
	cg       *cgroups
	boundary string
	// instances are the instance cgroups made, with their limits (the
	// engine's goroutine only).
	instances map[string]cgroupLimits
}

// task is one run of a task: its containers and how it ends.
type task struct {
	run       *sim.Run
	ep        *endpoint
	startSim  time.Duration
	startWall time.Time
	ctrs      []*ctr        // in the run's order
	cgroup    string        // its task cgroup, "" for none
	stop      time.Duration // wall time from SIGTERM to SIGKILL
	inStart   cgroupStat    // its instance's, when it started

	// Guarded by Executor.mu.
	ended   bool   // its exit is delivered, or about to be
	reason  string // set by Stop or LoseInstance
	signal  string
	counted bool // its TaskStats are recorded
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
	if cfg.ScaleResources == 0 {
		cfg.ScaleResources = 1
	}
	if !(cfg.ScaleResources > 0 && cfg.ScaleResources <= 1) {
		return nil, fmt.Errorf("docker: resource scale %v, expected a factor in (0, 1]", cfg.ScaleResources)
	}
	if cfg.StopTimeout < 0 {
		return nil, fmt.Errorf("docker: stop timeout %v, expected 0 (30s) or more", cfg.StopTimeout)
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = defaultStopTimeout
	}
	if cfg.CgroupRoot == "" {
		cfg.CgroupRoot = DefaultCgroupRoot
	}
	if !(cfg.WorkRate >= 0) || math.IsInf(cfg.WorkRate, 0) {
		return nil, fmt.Errorf("docker: work rate %v, expected 0 (calibrate) or a positive number of units per second", cfg.WorkRate)
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
		stats:       map[string]*TaskStats{},
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
	var err error
	for _, url := range endpointURLs(cfg) {
		if _, err := e.endpoint(url); err != nil {
			e.cancel()
			e.wg.Wait()
			for _, ep := range e.eps {
				if ep.cg != nil {
					_ = ep.cg.remove(ep.cg.run)
				}
				ep.cli.Close()
			}
			return nil, err
		}
	}
	// Each engine's machine measures its own rate, once.
	for _, url := range endpointURLs(cfg) {
		ep := e.eps[url]
		if ep.rate = cfg.WorkRate; ep.rate == 0 {
			if ep.rate, err = e.calibrate(ep); err != nil {
				e.Close()
				return nil, err
			}
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
	ep := &endpoint{url: url, cli: cli, addrs: map[string]netip.Addr{}, instances: map[string]cgroupLimits{}}
	if err := e.removeLeftovers(e.ctx, cli); err != nil {
		cli.Close()
		return nil, fmt.Errorf("docker: %s: removing leftovers: %s", name, oneLine(err))
	}
	if ep.image, err = ensureImage(e.ctx, cli, e.cfg.Workload); err != nil {
		cli.Close()
		return nil, err
	}
	// Cgroups last: nothing after them fails, so none is left behind.
	if err := e.bound(ep, name); err != nil {
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
