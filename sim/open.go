package sim

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/trace"
)

// taskReader is what every trace reader of package trace is for tasks:
// the next task, and the line it came from.
type taskReader interface {
	Next() (trace.Task, error)
	Line() int
}

// traceSource adapts a task reader, stopping after limit tasks (0: all).
type traceSource struct {
	r     taskReader
	file  string
	limit int
	n     int
}

func (s *traceSource) Next() (item, error) {
	if s.limit > 0 && s.n == s.limit {
		return item{}, io.EOF
	}
	t, err := s.r.Next()
	if err != nil {
		return item{}, err
	}
	s.n++
	return item{Task: t, where: s.file + ":" + strconv.Itoa(s.r.Line())}, nil
}

// sortedSource serves tasks read in full and sorted by submission time,
// for traces whose rows are not in time order (Alibaba's DLRM file): the
// items in chunks of chunk, and their indexes in order.
type sortedSource struct {
	chunks [][]item
	order  []int32
}

// readSorted reads every item of src and serves them stably sorted by
// submission time. It reads into fixed chunks and sorts the items'
// indexes: a growing slice, and a sort of the items themselves, would
// move their hundreds of bytes over and over.
func readSorted(src taskSource) (*sortedSource, error) {
	var chunks [][]item
	n := 0
	for ; ; n++ {
		it, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if n%chunk == 0 {
			chunks = append(chunks, make([]item, 0, chunk))
		}
		chunks[n/chunk] = append(chunks[n/chunk], it)
	}
	s := &sortedSource{chunks: chunks, order: make([]int32, n)}
	for i := range s.order {
		s.order[i] = int32(i)
	}
	slices.SortStableFunc(s.order, func(a, b int32) int { return int(s.at(a).Submit - s.at(b).Submit) })
	return s, nil
}

// chunk is how many items sortedSource holds per chunk.
const chunk = 1024

func (s *sortedSource) at(i int32) *item { return &s.chunks[i/chunk][i%chunk] }

func (s *sortedSource) Next() (item, error) {
	if len(s.order) == 0 {
		return item{}, io.EOF
	}
	it := s.at(s.order[0])
	s.order = s.order[1:]
	return *it, nil
}

// nativeSource reads berth's JSON Lines: submit lines are tasks; instance
// lines change the fleet at their time; the simulator's output kinds
// (place, finish...) are skipped, so that a run's event log replays.
type nativeSource struct {
	r     *trace.NativeReader
	file  string
	limit int
	n     int
}

func (s *nativeSource) Next() (item, error) {
	for {
		if s.limit > 0 && s.n == s.limit {
			return item{}, io.EOF
		}
		e, err := s.r.Next()
		if err != nil {
			return item{}, err
		}
		switch e.Kind {
		case trace.KindSubmit:
			t, err := e.Task()
			if err != nil {
				return item{}, err
			}
			s.n++
			return item{Task: t, where: s.file + ":" + strconv.Itoa(s.r.Line())}, nil
		case trace.KindInstanceAdd, trace.KindInstanceFail, trace.KindInstanceDrain, trace.KindInstanceDeregister:
			ev := e
			where := s.file + ":" + strconv.Itoa(s.r.Line())
			return item{Task: trace.Task{Submit: e.At(), HasTimes: true}, fleet: &ev, where: where}, nil
		}
	}
}

// openWorkload returns the scenario's task source.
func (c *core) openWorkload() (taskSource, error) {
	w := c.sc.Workload
	if w.Generator == nil && w.Trace == nil {
		return &sortedSource{}, nil // services and scheduled tasks only
	}
	if w.Generator != nil {
		return newGenerator(w.Generator, c.sc.Fleet.Subnets, rand.New(rand.NewPCG(c.sc.Seed, 2)))
	}
	f := w.Trace
	r, name, err := c.open(f.Path)
	if err != nil {
		return nil, err
	}
	switch f.Format {
	case "native":
		return &nativeSource{r: trace.NewNative(r, name), file: name, limit: f.Limit}, nil
	case "openb":
		return &traceSource{r: trace.NewOpenBPods(r, name), file: name, limit: f.Limit}, nil
	case "swf":
		return &traceSource{r: trace.NewSWF(r, name), file: name, limit: f.Limit}, nil
	case "dlrm":
		return readSorted(&traceSource{r: trace.NewDLRM(r, name), file: name, limit: f.Limit})
	}
	return nil, fmt.Errorf("sim: workload.trace.format: %q is not a trace format", f.Format)
}

// traceFleetEvent applies an instance line of a native trace; where is
// its file:line.
func (s *simulator) traceFleetEvent(e *trace.Event, where string) {
	if e.Kind == trace.KindInstanceAdd {
		n, err := e.Node()
		if err != nil {
			s.fail(fmt.Errorf("sim: %w", err))
			return
		}
		if _, dup := s.fleet.byID[n.Name]; dup {
			s.fail(fmt.Errorf("sim: %s: instance-add: instance %q is already in the fleet, expected each instance added once", where, n.Name))
			return
		}
		if n.PricePerHour > scenario.MaxPricePerHour {
			s.fail(fmt.Errorf("sim: %s: instance-add: pricePerHour %g, expected at most %g", where, n.PricePerHour, float64(scenario.MaxPricePerHour)))
			return
		}
		zone := n.Zone
		if zone == "" {
			zone = "zone-a"
		}
		if _, err := s.fleet.add(nodeType(n), zone, nodeAttrs(n), placement.StatusActive, n.Name, ""); err != nil {
			s.fail(err)
			return
		}
		s.tasks.retry()
		return
	}
	in, ok := s.fleet.byID[e.InstanceID]
	if !ok {
		s.fail(fmt.Errorf("sim: %s: %s: instance %q is not in the fleet, expected one added before this line", where, e.Kind, e.InstanceID))
		return
	}
	s.instanceEvent(in, strings.TrimPrefix(string(e.Kind), "instance-"))
}

// WorkloadTasks reads every task of the scenario's workload, in
// submission order: the trace's, or the generator's for the scenario's
// seed. Strategies that learn from the whole workload (FGD's typical pods)
// use it.
func WorkloadTasks(sc *scenario.Scenario, open func(path string) (io.ReadCloser, error)) ([]trace.Task, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	c := &core{sc: sc, opts: Options{Open: open}}
	defer func() {
		for _, rc := range c.closers {
			rc.Close()
		}
	}()
	src, err := c.openWorkload()
	if err != nil {
		return nil, err
	}
	var tasks []trace.Task
	for {
		it, err := src.Next()
		if errors.Is(err, io.EOF) {
			return tasks, nil
		}
		if err != nil {
			return nil, err
		}
		if it.fleet == nil {
			tasks = append(tasks, it.Task)
		}
	}
}
