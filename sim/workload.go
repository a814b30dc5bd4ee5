package sim

import (
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/berthsched/berth/sim/scenario"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/trace"
)

// taskSource yields a workload's tasks in submission order; io.EOF ends it.
type taskSource interface {
	Next() (item, error)
}

// item is one task of a workload with what a scenario adds to a trace's
// record: static host ports and placement constraints.
type item struct {
	trace.Task
	ports []uint16
	cons  []placement.Constraint
	fleet *trace.Event // an instance line of a native trace, instead of a task
	where string       // the trace line's file:line, for errors; "" for generated tasks
	// From a mix's containers: static UDP host ports, dynamic host ports
	// and the containers the executor runs.
	udp        []uint16
	dynamic    int
	containers []Container
	// attrs are the attributes the task requires (a mix's
	// requiresAttributes and those derived from its containers).
	attrs []placement.Attribute
	// awsvpc: the task takes a task ENI; zones are its subnets' zones.
	awsvpc bool
	zones  []string
	// mix is 1 + the index of the generator's mix entry that made the
	// task (for its capacity provider strategy); 0 for any other task.
	mix int
}

// generator is the synthetic workload: a Poisson process (thinned to
// follow the daily cycle) drawing each task from the mix.
type generator struct {
	g       *scenario.Generator
	cons    [][]placement.Constraint // per mix entry
	defs    []mixDef                 // per mix entry
	rng     *rand.Rand
	t       time.Duration
	n       int
	weights []float64 // cumulative
}

func newGenerator(g *scenario.Generator, subnets map[string]string, rng *rand.Rand) (*generator, error) {
	gen := &generator{g: g, rng: rng}
	total := 0.0
	for i, m := range g.Mix {
		total += m.Weight
		gen.weights = append(gen.weights, total)
		cons, err := scenario.CompileConstraints(m.Constraints, fmt.Sprintf("workload.generator.mix[%d].constraints", i))
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		gen.cons = append(gen.cons, cons)
		gen.defs = append(gen.defs, newMixDef(&g.Mix[i], subnets))
	}
	return gen, nil
}

// mixDef is what a mix entry with containers reserves and runs, and the
// attributes a task of any mix entry requires, and the zones of an awsvpc
// entry's subnets.
type mixDef struct {
	req        placement.Requirements
	containers []Container
	attrs      []placement.Attribute
	zones      []string
}

func newMixDef(m *scenario.Mix, subnets map[string]string) mixDef {
	td := m.TaskDefinition()
	d := mixDef{attrs: td.DerivedAttributes()}
	for _, sn := range m.Subnets {
		if z := subnets[sn]; !slices.Contains(d.zones, z) {
			d.zones = append(d.zones, z)
		}
	}
	if len(m.Containers) > 0 {
		d.req, d.containers = td.Requirements(), runContainers(m.Containers)
	}
	return d
}

// runContainers is a task definition's containers as an executor runs
// them; the specs are valid.
func runContainers(specs []scenario.ContainerSpec) []Container {
	out := make([]Container, 0, len(specs))
	for _, c := range specs {
		rc := Container{
			Name:                 c.Name,
			CPU:                  c.CPU,
			MemoryMiB:            c.MemoryMiB,
			MemoryReservationMiB: c.MemoryReservationMiB,
			Essential:            c.Essential == nil || *c.Essential,
		}
		for _, pm := range c.PortMappings {
			proto := pm.Protocol
			if proto == "" {
				proto = "tcp"
			}
			rc.Ports = append(rc.Ports, PortMapping{ContainerPort: uint16(pm.ContainerPort), HostPort: uint16(pm.HostPort), Protocol: proto})
		}
		out = append(out, rc)
	}
	return out
}

// rate returns the arrival rate per second at t.
func (gen *generator) rate(t time.Duration) float64 {
	base := gen.g.RatePerHour / 3600
	if gen.g.DailyCycle == 0 {
		return base
	}
	hours := t.Hours() - gen.g.PeakHour
	return base * (1 + gen.g.DailyCycle*math.Cos(2*math.Pi*hours/24))
}

func (gen *generator) Next() (item, error) {
	peak := gen.g.RatePerHour / 3600 * (1 + gen.g.DailyCycle)
	for {
		// Thinning: candidate arrivals at the peak rate, each kept with
		// probability rate(t)/peak.
		gen.t += time.Duration(gen.rng.ExpFloat64() / peak * float64(time.Second))
		if gen.t >= time.Duration(gen.g.Until) {
			return item{}, io.EOF
		}
		if gen.rng.Float64()*peak <= gen.rate(gen.t) {
			break
		}
	}
	x := gen.rng.Float64() * gen.weights[len(gen.weights)-1]
	k := 0
	for k < len(gen.weights)-1 && x >= gen.weights[k] {
		k++
	}
	m := &gen.g.Mix[k]
	gen.n++
	t := trace.Task{
		ID:        m.Name + "-" + strconv.Itoa(gen.n),
		Submit:    gen.t,
		Duration:  m.Duration.Draw(gen.rng),
		HasTimes:  true,
		CPU:       m.CPU,
		MemoryMiB: m.MemoryMiB,
		GPUs:      m.GPUs,
		Group:     m.Group,
		App:       m.Name,
	}
	if m.GPUs > 0 {
		t.GPUMilli = 1000
	}
	if m.FailRate > 0 && gen.rng.Float64() < m.FailRate {
		t.ExitCode = 1
	}
	for _, name := range slices.Sorted(maps.Keys(m.Scalars)) {
		t.Scalars = append(t.Scalars, trace.Scalar{Name: name, Value: m.Scalars[name]})
	}
	it := item{Task: t, ports: m.HostPorts, cons: gen.cons[k], attrs: gen.defs[k].attrs, awsvpc: m.AWSVPC(), zones: gen.defs[k].zones, mix: k + 1}
	if d := &gen.defs[k]; len(d.containers) > 0 {
		it.Task.CPU, it.Task.MemoryMiB = d.req.CPU, d.req.MemoryMiB
		it.ports, it.udp, it.dynamic, it.containers = d.req.PortsTCP, d.req.PortsUDP, d.req.DynamicPorts, d.containers
	}
	return it, nil
}
