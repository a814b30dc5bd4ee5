package scenario

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/internal/printable"
	"github.com/berthsched/berth/placement"
)

// Validate reports the first thing wrong with the scenario, naming the
// JSON path of the field, its value and what was expected. It also fills
// in documented defaults.
func (sc *Scenario) Validate() error {
	if sc.Duration <= 0 {
		return fmt.Errorf("sim: duration: %v, expected a positive duration such as \"24h\"", time.Duration(sc.Duration))
	}
	if sc.SampleEvery == 0 {
		sc.SampleEvery = Duration(5 * time.Minute)
	}
	if sc.SampleEvery < 0 {
		return fmt.Errorf("sim: sampleEvery: %v, expected a positive duration", time.Duration(sc.SampleEvery))
	}
	if n := sc.Duration / sc.SampleEvery; n > MaxSamples {
		return fmt.Errorf("sim: sampleEvery: %v over duration %v is %d samples, expected at most %d", time.Duration(sc.SampleEvery), time.Duration(sc.Duration), n, MaxSamples)
	}
	if err := printable.Check(sc.Name); err != nil {
		return fmt.Errorf("sim: name: %q %v", sc.Name, err)
	}
	for i, v := range sc.Compare {
		if err := printable.Check(v.Name); err != nil {
			return fmt.Errorf("sim: compare[%d].name: %q %v", i, v.Name, err)
		}
	}
	switch sc.Retry {
	case "":
		sc.Retry = "fifo"
	case "fifo", "strict-fifo":
	default:
		return fmt.Errorf("sim: retry: %q, expected fifo or strict-fifo", sc.Retry)
	}
	nativeTrace := sc.Workload.Trace != nil && sc.Workload.Trace.Format == "native"
	// Runs of a comparison validate one scenario at once: write only
	// what changes.
	if elastic := len(sc.CapacityProviders) > 0 || sc.UsesFargate(); elastic != sc.Fleet.elastic {
		sc.Fleet.elastic = elastic
	}
	if err := sc.Fleet.validate(nativeTrace); err != nil {
		return err
	}
	if err := sc.Workload.validate(sc); err != nil {
		return err
	}
	if err := sc.validatePlanner(); err != nil {
		return err
	}
	if err := sc.validateInstanceCount(); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, v := range sc.Compare {
		if _, _, err := v.Compile(fmt.Sprintf("compare[%d]", i), nil); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		if names[v.String()] {
			return fmt.Errorf("sim: compare[%d]: %q is compared twice", i, v.String())
		}
		names[v.String()] = true
	}
	return nil
}

// validate checks the fleet; a native trace may bring its own instances,
// so its fleet may be empty.
func (f *Fleet) validate(nativeTrace bool) error {
	types := map[string]bool{}
	for i, t := range f.InstanceTypes {
		p := fmt.Sprintf("fleet.instanceTypes[%d]", i)
		switch {
		case t.Name == "":
			return fmt.Errorf("sim: %s.name: missing", p)
		case types[t.Name]:
			return fmt.Errorf("sim: %s.name: %q is defined twice", p, t.Name)
		case printable.Check(t.Name) != nil:
			return fmt.Errorf("sim: %s.name: %q %v", p, t.Name, printable.Check(t.Name))
		case printable.Check(t.GPUModel) != nil:
			return fmt.Errorf("sim: %s.gpuModel: %q %v", p, t.GPUModel, printable.Check(t.GPUModel))
		case t.CPU <= 0:
			return fmt.Errorf("sim: %s.cpu: %d, expected CPU units above 0", p, t.CPU)
		case t.MemoryMiB <= 0:
			return fmt.Errorf("sim: %s.memory: %d, expected MiB above 0", p, t.MemoryMiB)
		case t.GPUs < 0 || t.GPUs > 64:
			return fmt.Errorf("sim: %s.gpus: %d, expected 0..64", p, t.GPUs)
		case t.GPUs > 0 && t.GPUModel == "":
			return fmt.Errorf("sim: %s.gpuModel: missing for a type with GPUs", p)
		case t.PricePerHour < 0:
			return fmt.Errorf("sim: %s.pricePerHour: %g is negative", p, t.PricePerHour)
		case t.PricePerHour > MaxPricePerHour:
			return fmt.Errorf("sim: %s.pricePerHour: %g, expected at most %g", p, t.PricePerHour, float64(MaxPricePerHour))
		case t.AgentVersion != "" && !validVersion(t.AgentVersion):
			return fmt.Errorf("sim: %s.agentVersion: %q, expected an ECS agent release such as \"1.90.0\"", p, jsondoc.Shorten(t.AgentVersion, 40))
		case t.ENIs != nil && *t.ENIs < 0:
			return fmt.Errorf("sim: %s.enis: %d is negative", p, *t.ENIs)
		}
		for _, name := range sortedKeys(t.Scalars) {
			if err := printable.Check(name); err != nil {
				return fmt.Errorf("sim: %s.scalars: key %q %v", p, name, err)
			}
			if t.Scalars[name] < 0 {
				return fmt.Errorf("sim: %s.scalars.%s: %g is negative", p, name, t.Scalars[name])
			}
		}
		types[t.Name] = true
	}
	for _, sn := range sortedKeys(f.Subnets) {
		if err := printable.Check(sn); err != nil {
			return fmt.Errorf("sim: fleet.subnets: key %q %v", sn, err)
		}
		if z := f.Subnets[sn]; z == "" || printable.Check(z) != nil {
			return fmt.Errorf("sim: fleet.subnets.%s: %q, expected an availability zone", sn, z)
		}
	}
	if f.Nodes == nil && len(f.Pools) == 0 && !nativeTrace && !f.elastic {
		return fmt.Errorf("sim: fleet: no pools and no nodes: give fleet.pools or fleet.nodes")
	}
	if f.Nodes != nil {
		if err := f.Nodes.validate("fleet.nodes", "openb", "pai"); err != nil {
			return err
		}
	}
	for i, pl := range f.Pools {
		p := fmt.Sprintf("fleet.pools[%d]", i)
		if !types[pl.Type] {
			return fmt.Errorf("sim: %s.type: %q is not one of fleet.instanceTypes", p, pl.Type)
		}
		if len(pl.Zones) == 0 {
			return fmt.Errorf("sim: %s.zones: missing: give a count per availability zone", p)
		}
		if err := f.Pools[i].validateSpot(p); err != nil {
			return err
		}
		if pl.AgentVersion != "" && !validVersion(pl.AgentVersion) {
			return fmt.Errorf("sim: %s.agentVersion: %q, expected an ECS agent release such as \"1.90.0\"", p, jsondoc.Shorten(pl.AgentVersion, 40))
		}
		for _, z := range sortedKeys(pl.Zones) {
			if err := printable.Check(z); err != nil {
				return fmt.Errorf("sim: %s.zones: key %q %v", p, z, err)
			}
			if pl.Zones[z] < 0 {
				return fmt.Errorf("sim: %s.zones.%s: %d is negative", p, z, pl.Zones[z])
			}
		}
	}
	if f.RegistrationDelay < 0 {
		return fmt.Errorf("sim: fleet.registrationDelay: %v is negative", time.Duration(f.RegistrationDelay))
	}
	for i, e := range f.Events {
		p := fmt.Sprintf("fleet.events[%d]", i)
		switch e.Kind {
		case "add":
			if !types[e.Type] {
				return fmt.Errorf("sim: %s.type: %q is not one of fleet.instanceTypes", p, e.Type)
			}
			if e.Zone == "" {
				return fmt.Errorf("sim: %s.zone: missing for add", p)
			}
			if err := printable.Check(e.Zone); err != nil {
				return fmt.Errorf("sim: %s.zone: %q %v", p, e.Zone, err)
			}
		case "fail", "drain", "deregister", "interrupt":
		default:
			return fmt.Errorf("sim: %s.kind: %q, expected add, fail, drain, deregister or interrupt", p, e.Kind)
		}
		if e.Count <= 0 {
			return fmt.Errorf("sim: %s.count: %d, expected at least 1", p, e.Count)
		}
		if e.At < 0 {
			return fmt.Errorf("sim: %s.at: %v is negative", p, time.Duration(e.At))
		}
	}
	return nil
}

func (t *TraceFile) validate(path string, formats ...string) error {
	ok := false
	for _, f := range formats {
		ok = ok || t.Format == f
	}
	if !ok {
		return fmt.Errorf("sim: %s.format: %q, expected one of %v", path, t.Format, formats)
	}
	if t.Path == "" {
		return fmt.Errorf("sim: %s.path: missing", path)
	}
	if t.Limit < 0 {
		return fmt.Errorf("sim: %s.limit: %d is negative", path, t.Limit)
	}
	for _, pr := range []struct {
		field string
		v     float64
	}{{"pricePerHour", t.PricePerHour}, {"pricePerGpuHour", t.PricePerGPUHour}} {
		if pr.v < 0 || pr.v > MaxPricePerHour {
			return fmt.Errorf("sim: %s.%s: %g, expected 0 to %g", path, pr.field, pr.v, float64(MaxPricePerHour))
		}
	}
	return nil
}

// validateInstanceCount checks that the pools, the add events and the
// capacity providers' maxSize together stay within MaxInstances, naming
// the field that crosses it.
func (sc *Scenario) validateInstanceCount() error {
	total := 0
	add := func(path string, n int) error {
		if n > MaxInstances {
			return fmt.Errorf("sim: %s: %d instances, expected at most %d in a run", path, n, MaxInstances)
		}
		if total += n; total > MaxInstances {
			return fmt.Errorf("sim: %s: %d brings the run to %d instances, expected at most %d (pools, add events and capacity providers' maxSize together)", path, n, total, MaxInstances)
		}
		return nil
	}
	for i, pl := range sc.Fleet.Pools {
		for _, z := range sortedKeys(pl.Zones) {
			if err := add(fmt.Sprintf("fleet.pools[%d].zones.%s", i, z), pl.Zones[z]); err != nil {
				return err
			}
		}
	}
	for i, e := range sc.Fleet.Events {
		if e.Kind == "add" {
			if err := add(fmt.Sprintf("fleet.events[%d].count", i), e.Count); err != nil {
				return err
			}
		}
	}
	for i, p := range sc.CapacityProviders {
		if err := add(fmt.Sprintf("capacityProviders[%d].maxSize", i), p.MaxSize); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workload) validate(sc *Scenario) error {
	if w.Generator != nil && w.Trace != nil {
		return fmt.Errorf("sim: workload: give exactly one of workload.generator and workload.trace")
	}
	if w.Generator == nil && w.Trace == nil {
		if len(sc.Services) == 0 && len(sc.ScheduledTasks) == 0 {
			return fmt.Errorf("sim: workload: give exactly one of workload.generator and workload.trace (or services or scheduledTasks)")
		}
		_, _, err := w.Placement.Compile("workload.placement", nil)
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		return nil
	}
	if _, _, err := w.Placement.Compile("workload.placement", nil); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if w.Trace != nil {
		return w.Trace.validate("workload.trace", "native", "openb", "swf", "dlrm")
	}
	g := w.Generator
	switch {
	case g.RatePerHour <= 0:
		return fmt.Errorf("sim: workload.generator.ratePerHour: %g, expected above 0", g.RatePerHour)
	case g.DailyCycle < 0 || g.DailyCycle >= 1:
		return fmt.Errorf("sim: workload.generator.dailyCycle: %g, expected 0 <= x < 1", g.DailyCycle)
	case len(g.Mix) == 0:
		return fmt.Errorf("sim: workload.generator.mix: missing: give at least one kind of task")
	}
	if g.Until == 0 {
		g.Until = sc.Duration
	}
	if n := g.RatePerHour * (1 + g.DailyCycle) * time.Duration(g.Until).Hours(); n > MaxGeneratedTasks {
		return fmt.Errorf("sim: workload.generator.ratePerHour: %g until %v submits about %.3g tasks, expected at most %d", g.RatePerHour, time.Duration(g.Until), n, MaxGeneratedTasks)
	}
	for i := range g.Mix {
		m := &g.Mix[i]
		p := fmt.Sprintf("workload.generator.mix[%d]", i)
		switch {
		case m.Name == "":
			return fmt.Errorf("sim: %s.name: missing", p)
		case printable.Check(m.Name) != nil:
			return fmt.Errorf("sim: %s.name: %q %v", p, m.Name, printable.Check(m.Name))
		case m.Weight <= 0:
			return fmt.Errorf("sim: %s.weight: %g, expected above 0", p, m.Weight)
		case m.CPU < 0 || m.MemoryMiB < 0 || m.GPUs < 0:
			return fmt.Errorf("sim: %s: cpu, memory and gpus must not be negative", p)
		case m.FailRate < 0 || m.FailRate > 1:
			return fmt.Errorf("sim: %s.failRate: %g, expected 0..1", p, m.FailRate)
		}
		if _, err := CompileConstraints(m.Constraints, p+".constraints"); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		if err := validateAttributes(m.RequiresAttributes, p+".requiresAttributes"); err != nil {
			return err
		}
		if err := m.validateNetwork(p, &sc.Fleet); err != nil {
			return err
		}
		if err := m.validateContainers(p); err != nil {
			return err
		}
		if err := m.Duration.validate(p + ".duration"); err != nil {
			return err
		}
	}
	return nil
}

// validateNetwork checks a mix's networkMode and subnets, and that every
// instance type has a known count of task ENIs when the mix is awsvpc.
func (m *Mix) validateNetwork(p string, f *Fleet) error {
	switch m.NetworkMode {
	case "", string(placement.NetworkBridge), string(placement.NetworkAwsvpc):
	default:
		return fmt.Errorf("sim: %s.networkMode: %q, expected bridge or awsvpc", p, m.NetworkMode)
	}
	if len(m.Subnets) > 0 && !m.AWSVPC() {
		return fmt.Errorf("sim: %s.subnets: given for networkMode %q, expected awsvpc", p, m.NetworkMode)
	}
	for i, sn := range m.Subnets {
		if _, ok := f.Subnets[sn]; !ok {
			return fmt.Errorf("sim: %s.subnets[%d]: %q is not one of fleet.subnets", p, i, sn)
		}
	}
	if !m.AWSVPC() {
		return nil
	}
	return f.knownENIs(p)
}

// validateContainers checks a mix's containers by ECS's rules for a
// bridge-mode task definition without task-level cpu and memory; the
// mix's own cpu, memory and hostPorts must then be absent.
func (m *Mix) validateContainers(p string) error {
	if len(m.Containers) == 0 {
		return nil
	}
	switch {
	case m.CPU != 0:
		return fmt.Errorf("sim: %s.cpu: %d, expected none when containers are given (the containers' cpu is summed)", p, m.CPU)
	case m.MemoryMiB != 0:
		return fmt.Errorf("sim: %s.memory: %d, expected none when containers are given (the containers' memory is summed)", p, m.MemoryMiB)
	case len(m.HostPorts) > 0:
		return fmt.Errorf("sim: %s.hostPorts: %v, expected none when containers are given (use their portMappings)", p, m.HostPorts)
	}
	for i, c := range m.Containers {
		if c.LogConfiguration != nil && c.LogConfiguration.LogDriver == "" {
			return fmt.Errorf("sim: %s.containers[%d].logConfiguration.logDriver: missing", p, i)
		}
		if c.FirelensConfiguration != nil && c.FirelensConfiguration.Type == "" {
			return fmt.Errorf("sim: %s.containers[%d].firelensConfiguration.type: missing", p, i)
		}
	}
	td := m.TaskDefinition()
	td.Family = "mix" // the name is checked on its own
	if err := td.Validate(); err != nil {
		msg := strings.TrimPrefix(err.Error(), "placement: ")
		msg = strings.Replace(msg, "containerDefinitions", p+".containers", 1)
		return fmt.Errorf("sim: %s", msg)
	}
	return nil
}

// validateAttributes checks a scenario's requiresAttributes at path.
func validateAttributes(attrs []AttributeSpec, path string) error {
	for i, a := range attrs {
		switch {
		case a.Name == "":
			return fmt.Errorf("sim: %s[%d].name: missing", path, i)
		case printable.Check(a.Name) != nil:
			return fmt.Errorf("sim: %s[%d].name: %q %v", path, i, a.Name, printable.Check(a.Name))
		case printable.Check(a.Value) != nil:
			return fmt.Errorf("sim: %s[%d].value: %q %v", path, i, a.Value, printable.Check(a.Value))
		}
	}
	return nil
}

func (d *Distribution) validate(path string) error {
	switch d.Kind {
	case "constant", "exponential", "lognormal":
	default:
		return fmt.Errorf("sim: %s.kind: %q, expected constant, exponential or lognormal", path, d.Kind)
	}
	if d.Median <= 0 {
		return fmt.Errorf("sim: %s.median: %v, expected a positive duration", path, time.Duration(d.Median))
	}
	if d.Sigma == 0 {
		d.Sigma = 1
	}
	if d.Sigma < 0 || d.Max < 0 {
		return fmt.Errorf("sim: %s: sigma and max must not be negative", path)
	}
	if d.Sigma > maxSigma {
		return fmt.Errorf("sim: %s.sigma: %g, expected at most %d", path, d.Sigma, maxSigma)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validateSpot checks a pool's Spot fields and sets the default price
// factor, as CapacityProviderSpec.validate does for a group.
func (pl *Pool) validateSpot(path string) error {
	if pl.Spot && pl.SpotPriceFactor == 0 {
		pl.SpotPriceFactor = 0.35
	}
	switch {
	case pl.InterruptionsPerHour < 0 || pl.SpotPriceFactor < 0:
		return fmt.Errorf("sim: %s: interruptionsPerHour and spotPriceFactor must not be negative", path)
	case pl.SpotPriceFactor > maxSpotPriceFactor:
		return fmt.Errorf("sim: %s.spotPriceFactor: %g, expected at most %d (a factor of the on-demand price)", path, pl.SpotPriceFactor, maxSpotPriceFactor)
	}
	return nil
}
