package sim

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Contended is the simulated executor with a CPU contention model: the
// tasks of an instance whose CPU demand exceeds its registered CPU slow
// down in proportion. A task's demand is its Run.CPUUse, or its CPU when
// that is 0; an instance whose running tasks demand D > C, its
// Run.InstanceCPU, runs every one of them at rate C/D, so that a task of
// duration d placed alone on it ends after d, and two tasks that each
// demand the whole instance end after 2d. Rates change whenever a task of
// the instance starts or ends, and each task's remaining work is carried
// over (processor sharing). CPU shares do not weigh the split (every task
// slows by the same factor), and memory, I/O and the machine under the
// instances are not modelled.
//
// An instance of unknown CPU (InstanceCPU 0) or a task of no demand never
// slows. Stops, lost instances and OOM kills end tasks as the Simulated
// executor does. Like it, a Contended executor is deterministic and is
// for the engine's goroutine only.
type Contended struct {
	eng        *Engine
	running    map[string]*cRun
	onInstance map[string][]*cRun // in start order
}

// cRun is a run of a Contended executor: its work left at full speed.
type cRun struct {
	run  *Run
	left float64       // nanoseconds of work at rate 1 left, as of at
	at   time.Duration // simulated time left was last brought up to date
	rate float64
	gen  int // the generation of its pending exit event
	done bool
}

// contendedExit ends a run at the end of its work, unless a rate change
// since (a newer gen) moved its end.
type contendedExit struct {
	r   *cRun
	gen int
	oom bool
}

// NewContended returns the contended executor for eng.
func NewContended(eng *Engine) *Contended {
	return &Contended{eng: eng, running: map[string]*cRun{}, onInstance: map[string][]*cRun{}}
}

// Demand is the CPU a run burns when it can: CPUUse, or CPU.
func (r *Run) Demand() int64 {
	if r.CPUUse > 0 {
		return r.CPUUse
	}
	return r.CPU
}

// ContentionRate is the speed, from 0 to 1, of every task on an instance
// of capacity CPU units whose running tasks demand demand units: 1 when
// the instance has room (or its capacity is unknown, 0), capacity/demand
// when it is overcommitted.
func ContentionRate(capacity, demand int64) float64 {
	if capacity <= 0 || demand <= capacity {
		return 1
	}
	return float64(capacity) / float64(demand)
}

// Start implements Executor.
func (c *Contended) Start(r *Run) error {
	if _, dup := c.running[r.ID]; dup {
		return fmt.Errorf("sim: task %s is already running", r.ID)
	}
	cr := &cRun{run: r, at: c.eng.Now(), rate: 1}
	c.running[r.ID] = cr
	if r.OOM {
		// As the simulated executor: killed within a second, whatever the
		// instance's load.
		d := time.Second
		if r.Duration > 0 && r.Duration < d {
			d = r.Duration
		}
		c.eng.After(d, contendedExit{r: cr, oom: true})
		return nil
	}
	cr.left = float64(r.Duration)
	if r.Duration == 0 {
		cr.left = math.Inf(1) // until stopped; it still takes its share
	}
	c.settle(r.Instance)
	c.onInstance[r.Instance] = append(c.onInstance[r.Instance], cr)
	c.reschedule(r.Instance)
	return nil
}

// settle brings the work left of the instance's runs up to now, at the
// rates they ran at.
func (c *Contended) settle(instance string) {
	now := c.eng.Now()
	for _, cr := range c.onInstance[instance] {
		cr.left = max(0, cr.left-float64(now-cr.at)*cr.rate)
		cr.at = now
	}
}

// reschedule sets the instance's rates from its demand and moves the exit
// of every run whose rate changed (or that has none yet).
func (c *Contended) reschedule(instance string) {
	runs := c.onInstance[instance]
	var demand, capacity int64
	for _, cr := range runs {
		demand += cr.run.Demand()
		capacity = cr.run.InstanceCPU
	}
	rate := ContentionRate(capacity, demand)
	for _, cr := range runs {
		if cr.gen > 0 && cr.rate == rate {
			continue
		}
		cr.rate = rate
		cr.gen++
		if math.IsInf(cr.left, 1) {
			continue
		}
		c.eng.After(time.Duration(math.Ceil(cr.left/rate)), contendedExit{r: cr, gen: cr.gen})
	}
}

// Handle implements EventHandler.
func (c *Contended) Handle(ev Event) (*Exit, bool) {
	ce, ok := ev.(contendedExit)
	if !ok {
		return nil, false
	}
	if ce.r.done || ce.gen != ce.r.gen {
		return nil, true // stopped, or its end moved
	}
	if ce.oom {
		return c.finish(ce.r, 137, ReasonOutOfMemory), true
	}
	return c.finish(ce.r, ce.r.run.ExitCode, ReasonEssentialExited), true
}

// finish ends cr and gives its share of the instance to the others.
func (c *Contended) finish(cr *cRun, code int, reason string) *Exit {
	cr.done = true
	delete(c.running, cr.run.ID)
	in := cr.run.Instance
	if i := slices.Index(c.onInstance[in], cr); i >= 0 {
		c.settle(in)
		c.onInstance[in] = slices.Delete(c.onInstance[in], i, i+1)
		if len(c.onInstance[in]) == 0 {
			delete(c.onInstance, in)
		} else {
			c.reschedule(in)
		}
	}
	return &Exit{Run: cr.run, ExitCode: code, Reason: reason}
}

// Stop implements Executor: the Exit is scheduled now.
func (c *Contended) Stop(r *Run, reason string) error {
	cr, ok := c.running[r.ID]
	if !ok {
		return fmt.Errorf("sim: stop: task %s is not running", r.ID)
	}
	if reason == "" {
		reason = ReasonStoppedByUser
	}
	c.eng.After(0, c.finish(cr, 143, reason))
	return nil
}

// LoseInstance implements Executor.
func (c *Contended) LoseInstance(instance string) error {
	var lost []*simRun
	for _, cr := range c.running {
		if cr.run.Instance == instance {
			lost = append(lost, &simRun{run: cr.run})
		}
	}
	sortRuns(lost) // as the simulated executor: by start, then id
	for _, sr := range lost {
		c.eng.After(0, c.finish(c.running[sr.run.ID], 137, fmt.Sprintf(ReasonInstanceLost, instance)))
	}
	return nil
}

// Close implements Executor.
func (c *Contended) Close() error {
	clear(c.running)
	clear(c.onInstance)
	return nil
}
