package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
	"github.com/berthsched/berth/sim/trace"
)

// fleet is the run's container instances: the placement cluster, what the
// simulator knows of each instance beyond placement, and the instance
// types. Other components read the cluster and add instances through it;
// only the fleet registers them.
type fleet struct {
	*core
	cluster  *placement.Cluster
	info     []*instanceInfo // per cluster index
	types    map[string]*scenario.InstanceType
	byID     map[string]*placement.Instance      // instances by id, for traces that name them
	ami      map[[2]string][]placement.Attribute // amiAttributes by agent release and zone
	cons     map[string]placement.Constraint     // compiled memberOf, by expression
	nextInst int
	// recount lists the services whose tasks waiting on the capacity
	// providers changed (a provider's shortfall, or the task definition)
	// since managed scaling last counted them (svcState.recount).
	recount []*svcState
	// attrs is where new instances' attribute lists are cut from (see
	// attributeList).
	attrs []placement.Attribute
	// lists holds the attribute list last registered by instances of a
	// type, zone and agent release, which the next instance with the
	// same attributes shares (see sharedAttributes); scratch is where
	// add builds a list to compare.
	lists   map[attrKey][]placement.Attribute
	scratch []placement.Attribute
}

// attrKey names the instances whose attribute lists are likely equal:
// what the list is built from, apart from a pool's or provider's
// attributes, which sharedAttributes compares.
type attrKey struct {
	typ         *scenario.InstanceType
	zone, agent string
}

// sharedAttributes returns a list equal to list, the one the last
// instance with key registered when it is equal, otherwise a copy that
// becomes the key's. A fleet of one provider registers the same 50 or
// so attributes for every instance of a zone; sharing them saves about
// 1.7 kB an instance. Nothing changes an instance's attributes in place
// (a change replaces the list), and a shared list's capacity is its
// length, so an append moves it.
func (f *fleet) sharedAttributes(key attrKey, list []placement.Attribute) []placement.Attribute {
	if old, ok := f.lists[key]; ok && slices.Equal(old, list) {
		return old
	}
	own := append(f.attributeList(len(list)), list...)
	if f.lists == nil {
		f.lists = map[attrKey][]placement.Attribute{}
	}
	f.lists[key] = own
	return own
}

// attributeList returns an empty attribute list with room for n, cut
// from a block shared by many instances (one allocation instead of one
// per instance); its capacity is its own, so an append beyond it moves
// the list rather than writing into another instance's.
func (f *fleet) attributeList(n int) []placement.Attribute {
	if cap(f.attrs)-len(f.attrs) < n {
		f.attrs = make([]placement.Attribute, 0, 64*n)
	}
	start := len(f.attrs)
	f.attrs = f.attrs[:start+n]
	return f.attrs[start : start : start+n]
}

func newFleet(c *core) *fleet {
	f := &fleet{core: c, cluster: placement.NewCluster(), types: map[string]*scenario.InstanceType{}, byID: map[string]*placement.Instance{}}
	for i := range c.sc.Fleet.InstanceTypes {
		t := &c.sc.Fleet.InstanceTypes[i]
		f.types[t.Name] = t
	}
	return f
}

// instanceInfo is what the simulator knows of an instance beyond placement.
type instanceInfo struct {
	id    string // the instance's id in logs and traces
	attrs map[string]string
	// provider is attrs[scenario.ProviderAttribute]: the instance's
	// capacity provider, "" for none.
	provider string
	typ      *scenario.InstanceType
	zone     string
	price    float64
	added    time.Duration
	removed  time.Duration // -1 while alive
	// spot marks a Spot instance of a capacity provider's group; spotRate
	// is a Spot instance's interruptions per hour; noSpotDrain
	// is ECS_ENABLE_SPOT_INSTANCE_DRAINING=false on it; interrupted is
	// set at its interruption notice.
	spot        bool
	spotRate    float64
	noSpotDrain bool
	interrupted bool
}

func (f *fleet) build() error {
	if f.sc.Fleet.Nodes != nil {
		return f.fromNodes(f.sc.Fleet.Nodes)
	}
	for _, pl := range f.sc.Fleet.Pools {
		for _, zone := range slices.Sorted(maps.Keys(pl.Zones)) {
			for range pl.Zones[zone] {
				in, err := f.add(f.types[pl.Type], zone, pl.Attributes, placement.StatusActive, "", pl.AgentVersion)
				if err != nil {
					return err
				}
				if pl.Spot {
					inf := f.info[in.Index()]
					inf.price *= pl.SpotPriceFactor
					inf.spotRate, inf.noSpotDrain = pl.InterruptionsPerHour, !scenario.SpotDraining(pl.SpotInstanceDraining)
				}
			}
		}
	}
	return nil
}

// addInstance registers an instance of typ in zone (status ACTIVE, or
// REGISTERING until a registered event). id names it; "" makes one up.
// agent is its ECS agent release; "" means typ's, or DefaultAgentVersion.
func (f *fleet) add(typ *scenario.InstanceType, zone string, attrs map[string]string, status placement.Status, id, agent string) (*placement.Instance, error) {
	if f.nextInst >= scenario.MaxInstances {
		return nil, fmt.Errorf("sim: instance %d: the run has registered %d instances, expected at most %d", f.nextInst+1, f.nextInst, scenario.MaxInstances)
	}
	if typ.GPUs > trace.MaxNodeGPUs {
		return nil, fmt.Errorf("sim: instance type %q: %d GPUs, expected at most %d", typ.Name, typ.GPUs, trace.MaxNodeGPUs)
	}
	n := f.nextInst
	f.nextInst++
	if agent == "" {
		agent = typ.AgentVersion
	}
	if agent == "" {
		agent = scenario.DefaultAgentVersion
	}
	if id == "" {
		id = fmt.Sprintf("%s-%05d", strings.ReplaceAll(typ.Name, ".", "-"), n)
	}
	if _, dup := f.byID[id]; dup {
		return nil, fmt.Errorf("sim: instance %q is added twice", id)
	}
	arn := id
	if !strings.HasPrefix(id, "arn:") {
		arn = "arn:aws:ecs:sim:000000000000:container-instance/" + f.clusterName() + "/" + id
	}
	ami := f.amiAttributes(agent, zone)
	in := &placement.Instance{
		ARN:            arn,
		EC2InstanceID:  "i-" + fmt.Sprintf("%017x", n),
		Status:         status,
		AgentConnected: true,
		AgentVersion:   agent,
		Attributes: append(f.scratch[:0],
			placement.Attribute{Name: "ecs.availability-zone", Value: zone},
			placement.Attribute{Name: "ecs.instance-type", Value: typ.Name},
			placement.Attribute{Name: "ecs.os-type", Value: "linux"},
			placement.Attribute{Name: "ecs.os-family", Value: "LINUX"},
			placement.Attribute{Name: "ecs.cpu-architecture", Value: "x86_64"},
		),
	}
	if typ.GPUModel != "" {
		in.Attributes = append(in.Attributes, placement.Attribute{Name: "gpu-model", Value: typ.GPUModel})
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		in.Attributes = append(in.Attributes, placement.Attribute{Name: k, Value: attrs[k]})
	}
	if len(attrs) == 0 {
		in.Attributes = append(in.Attributes, ami...) // the usual case: one copy
	} else {
		for _, a := range ami {
			if _, set := attrs[a.Name]; !set {
				in.Attributes = append(in.Attributes, a)
			}
		}
	}
	f.scratch = in.Attributes
	in.Attributes = f.sharedAttributes(attrKey{typ, zone, agent}, in.Attributes)
	in.Registered = placement.Capacity{CPU: typ.CPU, MemoryMiB: typ.MemoryMiB, PortsTCP: placement.DefaultReservedPortsTCP}
	for g := range typ.GPUs {
		in.Registered.GPUs = append(in.Registered.GPUs, placement.GPU{ID: "GPU-" + strconv.Itoa(g), FreeMilli: placement.GPUMilliPerDevice})
	}
	for _, k := range slices.Sorted(maps.Keys(typ.Scalars)) {
		in.Registered.Scalars = append(in.Registered.Scalars, placement.Scalar{Name: k, Value: typ.Scalars[k]})
	}
	in.Registered.ENIs = f.sc.Fleet.TaskENIs(typ)
	in.Remaining = in.Registered.Clone()
	if err := f.cluster.AddInstance(in); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	inf := &instanceInfo{id: id, attrs: attrs, provider: attrs[scenario.ProviderAttribute], typ: typ, zone: zone, price: typ.PricePerHour, added: f.eng.Now(), removed: -1}
	f.info = append(f.info, inf)
	f.byID[id] = in
	if status == placement.StatusActive {
		f.log.instance(f.eng.Now(), trace.KindInstanceAdd, in, inf, "")
	}
	return in, nil
}

func (f *fleet) clusterName() string {
	if f.sc.Name == "" {
		return "sim"
	}
	return f.sc.Name
}

// hexID returns a made-up EC2 resource id with prefix: 17 hex digits
// from key, the same for the same key in every run.
func hexID(prefix, key string) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return fmt.Sprintf("%s-%017x", prefix, h.Sum64())
}

// amiAttributes returns what an instance of an ECS-optimized AMI with
// agent release agent registers in zone besides berth's built-in
// attributes: ecs.ami-id, ecs.vpc-id and ecs.subnet-id (made up, one
// subnet per zone; a pool's attributes may set them instead), then the
// agent's capabilities. addInstance puts them after the attributes
// instances had before, so that looking those up costs what it did. The
// slice is shared: callers copy it.
func (f *fleet) amiAttributes(agent, zone string) []placement.Attribute {
	key := [2]string{agent, zone}
	if a, ok := f.ami[key]; ok {
		return a
	}
	a := append([]placement.Attribute{
		{Name: "ecs.ami-id", Value: hexID("ami", "amzn2-ami-ecs-hvm/"+agent)},
		{Name: "ecs.vpc-id", Value: hexID("vpc", "berth")},
		{Name: "ecs.subnet-id", Value: hexID("subnet", zone)},
	}, agentAttributes(agent)...)
	if f.ami == nil {
		f.ami = map[[2]string][]placement.Attribute{}
	}
	f.ami[key] = a
	return a
}

// fromNodes builds the fleet from a trace's node list: one instance per
// node, in file order, spread over the zones round robin.
func (f *fleet) fromNodes(tf *scenario.TraceFile) error {
	r, name, err := f.open(tf.Path)
	if err != nil {
		return err
	}
	var next func() (trace.Node, error)
	var line func() int
	switch tf.Format {
	case "openb":
		nr := trace.NewOpenBNodes(r, name)
		next, line = nr.Next, nr.Line
	case "pai":
		nr := trace.NewPAIMachines(r, name)
		next, line = nr.Next, nr.Line
	default:
		return fmt.Errorf("sim: fleet.nodes.format: %q, expected openb or pai", tf.Format)
	}
	zones := tf.Zones
	if len(zones) == 0 {
		zones = []string{"zone-a"}
	}
	for k := 0; tf.Limit == 0 || k < tf.Limit; k++ {
		n, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, dup := f.byID[n.Name]; dup {
			return fmt.Errorf("sim: %s:%d: node %q is listed twice, expected each node once", name, line(), n.Name)
		}
		if k == scenario.MaxInstances {
			return fmt.Errorf("sim: %s: more than %d nodes, expected at most %d instances in a run (fleet.nodes.limit reads fewer)", name, scenario.MaxInstances, scenario.MaxInstances)
		}
		typ := nodeType(n)
		typ.PricePerHour = tf.PricePerHour + tf.PricePerGPUHour*float64(n.GPUs)
		zone := n.Zone
		if zone == "" {
			zone = zones[k%len(zones)]
		}
		if _, err := f.add(typ, zone, nodeAttrs(n), placement.StatusActive, n.Name, ""); err != nil {
			return err
		}
	}
	return nil
}

// nodeType is the instance type of a trace node.
func nodeType(n trace.Node) *scenario.InstanceType {
	name := n.Type
	if name == "" {
		name = "node"
		if n.GPUModel != "" {
			name = "node-" + n.GPUModel
		}
	}
	return &scenario.InstanceType{Name: name, CPU: n.CPU, MemoryMiB: n.MemoryMiB, GPUs: n.GPUs, GPUModel: n.GPUModel, PricePerHour: n.PricePerHour}
}

func nodeAttrs(n trace.Node) map[string]string {
	if len(n.Attributes) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, a := range n.Attributes {
		m[a.Name] = a.Value
	}
	return m
}

// instanceEvent drains, fails or deregisters one instance.
func (f *fleet) instanceEvent(in *placement.Instance, kind string) {
	inf := f.info[in.Index()]
	switch kind {
	case "drain":
		// Standalone tasks keep running on a draining instance.
		f.cluster.SetStatus(in, placement.StatusDraining)
		f.log.instance(f.eng.Now(), trace.KindInstanceDrain, in, inf, "")
	case "fail", "deregister":
		if in.Status == placement.StatusInactive {
			return
		}
		f.cluster.SetStatus(in, placement.StatusInactive)
		inf.removed = f.eng.Now()
		f.log.instance(f.eng.Now(), trace.Kind("instance-"+kind), in, inf, "")
		if err := f.exec.LoseInstance(in.ARN); err != nil {
			f.fail(fmt.Errorf("sim: lose instance %s: %w", in.ARN, err))
		}
	}
}
