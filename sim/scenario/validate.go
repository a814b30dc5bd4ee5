package scenario

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
	"github.com/berthsched/berth/placement"
)

// Validate reports the first thing wrong with the scenario, naming the
// JSON path of the field, its value and what was expected. It also fills
// in documented defaults. The error is "sim: " around a *fielderr.Error
// (errors.As) that names the file the scenario was read from, if any.
func (sc *Scenario) Validate() error {
	err := sc.validate()
	if err == nil {
		return nil
	}
	var fe *fielderr.Error
	if errors.As(err, &fe) && sc.source != "" {
		err = fe.WithFile(sc.source)
	}
	return fmt.Errorf("sim: %w", err)
}

func (sc *Scenario) validate() error {
	if sc.Duration <= 0 {
		return fielderr.Errorf("duration", "%v, expected a positive duration such as \"24h\"", time.Duration(sc.Duration))
	}
	if sc.SampleEvery == 0 {
		sc.SampleEvery = Duration(5 * time.Minute)
	}
	if sc.SampleEvery < 0 {
		return fielderr.Errorf("sampleEvery", "%v, expected a positive duration", time.Duration(sc.SampleEvery))
	}
	if n := sc.Duration / sc.SampleEvery; n > MaxSamples {
		return fielderr.Errorf("sampleEvery", "%v over duration %v is %d samples, expected at most %d", time.Duration(sc.SampleEvery), time.Duration(sc.Duration), n, MaxSamples)
	}
	if err := printable.Check(sc.Name); err != nil {
		return fielderr.Errorf("name", "%q %v", sc.Name, err)
	}
	for i, v := range sc.Compare {
		if err := printable.Check(v.Name); err != nil {
			return fielderr.Errorf(fmt.Sprintf("compare[%d].name", i), "%q %v", v.Name, err)
		}
	}
	switch sc.Retry {
	case "":
		sc.Retry = "fifo"
	case "fifo", "strict-fifo":
	default:
		return fielderr.Errorf("retry", "%q, expected fifo or strict-fifo", sc.Retry)
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
	if err := sc.Quotas.validate(); err != nil {
		return err
	}
	if err := sc.validateInstanceCount(); err != nil {
		return err
	}
	instances, err := sc.validateInstances()
	if err != nil {
		return err
	}
	if err := sc.validateInitialTasks(instances); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, v := range sc.Compare {
		if _, _, err := v.Compile(fmt.Sprintf("compare[%d]", i), nil); err != nil {
			return err
		}
		if names[v.String()] {
			return fielderr.Errorf(fmt.Sprintf("compare[%d]", i), "%q is compared twice", v.String())
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
			return fielderr.Errorf(p+".name", "missing")
		case types[t.Name]:
			return fielderr.Errorf(p+".name", "%q is defined twice", t.Name)
		case printable.Check(t.Name) != nil:
			return fielderr.Errorf(p+".name", "%q %v", t.Name, printable.Check(t.Name))
		case printable.Check(t.GPUModel) != nil:
			return fielderr.Errorf(p+".gpuModel", "%q %v", t.GPUModel, printable.Check(t.GPUModel))
		case t.CPU <= 0:
			return fielderr.Errorf(p+".cpu", "%d, expected CPU units above 0", t.CPU)
		case t.MemoryMiB <= 0:
			return fielderr.Errorf(p+".memory", "%d, expected MiB above 0", t.MemoryMiB)
		case t.GPUs < 0 || t.GPUs > 64:
			return fielderr.Errorf(p+".gpus", "%d, expected 0..64", t.GPUs)
		case t.GPUs > 0 && t.GPUModel == "":
			return fielderr.Errorf(p+".gpuModel", "missing for a type with GPUs")
		case t.PricePerHour < 0:
			return fielderr.Errorf(p+".pricePerHour", "%g is negative", t.PricePerHour)
		case t.PricePerHour > MaxPricePerHour:
			return fielderr.Errorf(p+".pricePerHour", "%g, expected at most %g", t.PricePerHour, float64(MaxPricePerHour))
		case t.AgentVersion != "" && !validVersion(t.AgentVersion):
			return fielderr.Errorf(p+".agentVersion", "%q, expected an ECS agent release such as \"1.90.0\"", fielderr.Shorten(t.AgentVersion, 40))
		case t.ENIs != nil && *t.ENIs < 0:
			return fielderr.Errorf(p+".enis", "%d is negative", *t.ENIs)
		}
		for _, name := range sortedKeys(t.Scalars) {
			if err := printable.Check(name); err != nil {
				return fielderr.Errorf(p+".scalars", "key %q %v", name, err)
			}
			if t.Scalars[name] < 0 {
				return fielderr.Errorf(fmt.Sprintf("%s.scalars.%s", p, name), "%g is negative", t.Scalars[name])
			}
		}
		types[t.Name] = true
	}
	for _, sn := range sortedKeys(f.Subnets) {
		if err := printable.Check(sn); err != nil {
			return fielderr.Errorf("fleet.subnets", "key %q %v", sn, err)
		}
		if z := f.Subnets[sn]; z == "" || printable.Check(z) != nil {
			return fielderr.Errorf(fmt.Sprintf("fleet.subnets.%s", sn), "%q, expected an availability zone", z)
		}
	}
	if f.Nodes == nil && len(f.Pools) == 0 && len(f.Instances) == 0 && !nativeTrace && !f.elastic {
		return fielderr.Errorf("fleet", "no pools and no nodes: give fleet.pools or fleet.nodes")
	}
	if f.Nodes != nil {
		if err := f.Nodes.validate("fleet.nodes", "openb", "pai"); err != nil {
			return err
		}
	}
	for i, pl := range f.Pools {
		p := fmt.Sprintf("fleet.pools[%d]", i)
		if !types[pl.Type] {
			return fielderr.Errorf(p+".type", "%q is not one of fleet.instanceTypes", pl.Type)
		}
		if len(pl.Zones) == 0 {
			return fielderr.Errorf(p+".zones", "missing: give a count per availability zone")
		}
		if err := f.Pools[i].validateSpot(p); err != nil {
			return err
		}
		if pl.AgentVersion != "" && !validVersion(pl.AgentVersion) {
			return fielderr.Errorf(p+".agentVersion", "%q, expected an ECS agent release such as \"1.90.0\"", fielderr.Shorten(pl.AgentVersion, 40))
		}
		for _, z := range sortedKeys(pl.Zones) {
			if err := printable.Check(z); err != nil {
				return fielderr.Errorf(p+".zones", "key %q %v", z, err)
			}
			if pl.Zones[z] < 0 {
				return fielderr.Errorf(fmt.Sprintf("%s.zones.%s", p, z), "%d is negative", pl.Zones[z])
			}
		}
	}
	if f.RegistrationDelay < 0 {
		return fielderr.Errorf("fleet.registrationDelay", "%v is negative", time.Duration(f.RegistrationDelay))
	}
	for i, e := range f.Events {
		p := fmt.Sprintf("fleet.events[%d]", i)
		switch e.Kind {
		case "add":
			if !types[e.Type] {
				return fielderr.Errorf(p+".type", "%q is not one of fleet.instanceTypes", e.Type)
			}
			if e.Zone == "" {
				return fielderr.Errorf(p+".zone", "missing for add")
			}
			if err := printable.Check(e.Zone); err != nil {
				return fielderr.Errorf(p+".zone", "%q %v", e.Zone, err)
			}
		case "fail", "drain", "deregister", "interrupt":
		default:
			return fielderr.Errorf(p+".kind", "%q, expected add, fail, drain, deregister or interrupt", e.Kind)
		}
		if e.Count <= 0 {
			return fielderr.Errorf(p+".count", "%d, expected at least 1", e.Count)
		}
		if e.At < 0 {
			return fielderr.Errorf(p+".at", "%v is negative", time.Duration(e.At))
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
		return fielderr.Errorf(path+".format", "%q, expected one of %v", t.Format, formats)
	}
	if t.Path == "" {
		return fielderr.Errorf(path+".path", "missing")
	}
	if t.Limit < 0 {
		return fielderr.Errorf(path+".limit", "%d is negative", t.Limit)
	}
	for _, pr := range []struct {
		field string
		v     float64
	}{{"pricePerHour", t.PricePerHour}, {"pricePerGpuHour", t.PricePerGPUHour}} {
		if pr.v < 0 || pr.v > MaxPricePerHour {
			return fielderr.Errorf(fmt.Sprintf("%s.%s", path, pr.field), "%g, expected 0 to %g", pr.v, float64(MaxPricePerHour))
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
			return fielderr.Errorf(path, "%d instances, expected at most %d in a run", n, MaxInstances)
		}
		if total += n; total > MaxInstances {
			return fielderr.Errorf(path, "%d brings the run to %d instances, expected at most %d (pools, add events and capacity providers' maxSize together)", n, total, MaxInstances)
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
	if n := len(sc.Fleet.Instances); n > 0 {
		if err := add("fleet.instances", n); err != nil {
			return err
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
		return fielderr.Errorf("workload", "give exactly one of workload.generator and workload.trace")
	}
	if w.Generator == nil && w.Trace == nil {
		if len(sc.Services) == 0 && len(sc.ScheduledTasks) == 0 {
			return fielderr.Errorf("workload", "give exactly one of workload.generator and workload.trace (or services or scheduledTasks)")
		}
		_, _, err := w.Placement.Compile("workload.placement", nil)
		if err != nil {
			return err
		}
		return nil
	}
	if _, _, err := w.Placement.Compile("workload.placement", nil); err != nil {
		return err
	}
	if w.Trace != nil {
		return w.Trace.validate("workload.trace", "native", "openb", "swf", "dlrm")
	}
	g := w.Generator
	switch {
	case g.RatePerHour <= 0:
		return fielderr.Errorf("workload.generator.ratePerHour", "%g, expected above 0", g.RatePerHour)
	case g.DailyCycle < 0 || g.DailyCycle >= 1:
		return fielderr.Errorf("workload.generator.dailyCycle", "%g, expected 0 <= x < 1", g.DailyCycle)
	case len(g.Mix) == 0:
		return fielderr.Errorf("workload.generator.mix", "missing: give at least one kind of task")
	}
	if g.Until == 0 {
		g.Until = sc.Duration
	}
	if n := g.RatePerHour * (1 + g.DailyCycle) * time.Duration(g.Until).Hours(); n > MaxGeneratedTasks {
		return fielderr.Errorf("workload.generator.ratePerHour", "%g until %v submits about %.3g tasks, expected at most %d", g.RatePerHour, time.Duration(g.Until), n, MaxGeneratedTasks)
	}
	for i := range g.Mix {
		m := &g.Mix[i]
		p := fmt.Sprintf("workload.generator.mix[%d]", i)
		switch {
		case m.Name == "":
			return fielderr.Errorf(p+".name", "missing")
		case printable.Check(m.Name) != nil:
			return fielderr.Errorf(p+".name", "%q %v", m.Name, printable.Check(m.Name))
		case m.Weight <= 0:
			return fielderr.Errorf(p+".weight", "%g, expected above 0", m.Weight)
		case m.CPU < 0 || m.MemoryMiB < 0 || m.GPUs < 0:
			return fielderr.Errorf(p, "cpu, memory and gpus must not be negative")
		case m.FailRate < 0 || m.FailRate > 1:
			return fielderr.Errorf(p+".failRate", "%g, expected 0..1", m.FailRate)
		}
		if _, err := CompileConstraints(m.Constraints, p+".constraints"); err != nil {
			return err
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
		return fielderr.Errorf(p+".networkMode", "%q, expected bridge or awsvpc", m.NetworkMode)
	}
	if len(m.Subnets) > 0 && !m.AWSVPC() {
		return fielderr.Errorf(p+".subnets", "given for networkMode %q, expected awsvpc", m.NetworkMode)
	}
	for i, sn := range m.Subnets {
		if _, ok := f.Subnets[sn]; !ok {
			return fielderr.Errorf(fmt.Sprintf("%s.subnets[%d]", p, i), "%q is not one of fleet.subnets", sn)
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
		return fielderr.Errorf(p+".cpu", "%d, expected none when containers are given (the containers' cpu is summed)", m.CPU)
	case m.MemoryMiB != 0:
		return fielderr.Errorf(p+".memory", "%d, expected none when containers are given (the containers' memory is summed)", m.MemoryMiB)
	case len(m.HostPorts) > 0:
		return fielderr.Errorf(p+".hostPorts", "%v, expected none when containers are given (use their portMappings)", m.HostPorts)
	}
	if err := validateContainerSpecs(m.Containers, p); err != nil {
		return err
	}
	td := m.TaskDefinition()
	td.Family = "mix" // the name is checked on its own
	return containersError(td.Validate(), p)
}

// validateContainerSpecs checks what placement's Validate cannot see of
// the containers at p: a logConfiguration or firelensConfiguration
// without its driver or type.
func validateContainerSpecs(cs []ContainerSpec, p string) error {
	for i, c := range cs {
		if c.LogConfiguration != nil && c.LogConfiguration.LogDriver == "" {
			return fielderr.Errorf(fmt.Sprintf("%s.containers[%d].logConfiguration.logDriver", p, i), "missing")
		}
		if c.FirelensConfiguration != nil && c.FirelensConfiguration.Type == "" {
			return fielderr.Errorf(fmt.Sprintf("%s.containers[%d].firelensConfiguration.type", p, i), "missing")
		}
	}
	return nil
}

// containersError puts an error of placement's Validate under p: placement
// names the containers containerDefinitions, a scenario calls them
// containers.
func containersError(err error, p string) error {
	if err == nil {
		return nil
	}
	var fe *fielderr.Error
	if !errors.As(err, &fe) {
		return fielderr.Nest(p, err)
	}
	c := *fe
	if strings.HasPrefix(c.Path, "containerDefinitions") {
		c.Path = strings.Replace(c.Path, "containerDefinitions", p+".containers", 1)
		return &c
	}
	return fielderr.Nest(p, err)
}

// validateAttributes checks a scenario's requiresAttributes at path.
func validateAttributes(attrs []AttributeSpec, path string) error {
	for i, a := range attrs {
		switch {
		case a.Name == "":
			return fielderr.Errorf(fmt.Sprintf("%s[%d].name", path, i), "missing")
		case printable.Check(a.Name) != nil:
			return fielderr.Errorf(fmt.Sprintf("%s[%d].name", path, i), "%q %v", a.Name, printable.Check(a.Name))
		case printable.Check(a.Value) != nil:
			return fielderr.Errorf(fmt.Sprintf("%s[%d].value", path, i), "%q %v", a.Value, printable.Check(a.Value))
		}
	}
	return nil
}

func (d *Distribution) validate(path string) error {
	switch d.Kind {
	case "constant", "exponential", "lognormal":
	default:
		return fielderr.Errorf(path+".kind", "%q, expected constant, exponential or lognormal", d.Kind)
	}
	if d.Median <= 0 {
		return fielderr.Errorf(path+".median", "%v, expected a positive duration", time.Duration(d.Median))
	}
	if d.Sigma == 0 {
		d.Sigma = 1
	}
	if d.Sigma < 0 || d.Max < 0 {
		return fielderr.Errorf(path, "sigma and max must not be negative")
	}
	if d.Sigma > maxSigma {
		return fielderr.Errorf(path+".sigma", "%g, expected at most %d", d.Sigma, maxSigma)
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
		return fielderr.Errorf(path, "interruptionsPerHour and spotPriceFactor must not be negative")
	case pl.SpotPriceFactor > maxSpotPriceFactor:
		return fielderr.Errorf(path+".spotPriceFactor", "%g, expected at most %d (a factor of the on-demand price)", pl.SpotPriceFactor, maxSpotPriceFactor)
	}
	return nil
}
