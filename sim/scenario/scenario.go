package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/eni"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/placement"
)

// Scenario is what a simulation runs: a fleet, a workload, how tasks are
// placed, for how long, from which seed, and which placement variants to
// compare. It is read from JSON (see ReadScenario and docs/scenario.md);
// zero values take the defaults documented on each field.
type Scenario struct {
	// Name labels the scenario in reports.
	Name string `json:"name"`
	// Seed seeds every random choice of the run: the same scenario and seed
	// give byte-identical output.
	Seed uint64 `json:"seed"`
	// Start is the wall-clock time of simulated time 0 (RFC 3339, such as
	// "2025-03-10T00:00:00Z"): cron schedules and the scheduler's
	// timestamps read it. Absent means Epoch.
	Start *Timestamp `json:"start,omitempty"`
	// Duration is how much simulated time runs. Required.
	Duration Duration `json:"duration"`
	// SampleEvery is the period of the time series (default 5m).
	SampleEvery Duration `json:"sampleEvery"`
	// Retry is how waiting tasks are retried when capacity frees: "fifo"
	// (default: every waiting task in arrival order, each placed if it
	// fits; new tasks are placed at once when they fit, as RunTask would)
	// or "strict-fifo" (the first waiting task that does not fit blocks
	// the ones behind it, and new tasks queue behind waiting ones).
	Retry string `json:"retry"`
	// Contention turns on the simulation's CPU contention model (see
	// sim.Contended): tasks on an instance whose tasks' CPU use (a trace's
	// cpuUse) exceeds its CPU slow down in proportion. Off by default:
	// every task runs for its duration.
	Contention bool     `json:"contention"`
	Fleet      Fleet    `json:"fleet"`
	Workload   Workload `json:"workload"`
	// Compare lists the placement variants to run side by side. Empty
	// means one run with the placement of each task (RunTask's default,
	// random, where a task names none).
	Compare []Variant `json:"compare"`

	// Services are ECS services reconciled by package scheduler as the
	// run proceeds (see docs/planner.md).
	Services []ServiceSpec `json:"services"`
	// ServiceEvents update services at given times (UpdateService).
	ServiceEvents []ServiceEvent `json:"serviceEvents"`
	// TargetGroups are the ELB target groups services' loadBalancers name.
	TargetGroups []TargetGroupSpec `json:"targetGroups"`
	// CapacityProviders are Auto Scaling group capacity providers.
	CapacityProviders []CapacityProviderSpec `json:"capacityProviders"`
	// Fargate prices FARGATE and FARGATE_SPOT tasks.
	Fargate *FargateSpec `json:"fargate"`
	// ScheduledTasks run RunTask on a schedule (EventBridge rules).
	ScheduledTasks []ScheduledTaskSpec `json:"scheduledTasks"`
	// ReconcileEvery is the period of the service scheduler's
	// reconciliation while a service is not steady (default 15s); it also
	// runs whenever a task stops or the fleet or a service changes.
	ReconcileEvery Duration `json:"reconcileEvery"`
	// Quotas are ECS's launch throughput quotas; nil or a zero field
	// means ECS's default.
	Quotas *Quotas `json:"quotas,omitempty"`

	// TaskDefinitions are ECS task definitions (RegisterTaskDefinition
	// inputs or describe-task-definition outputs) that services,
	// scheduled tasks and service events name by ARN or family:revision.
	TaskDefinitions []TaskDefSpec `json:"taskDefinitions,omitempty"`

	// Import records what berth import ecs read and assumed; the run
	// ignores it.
	Import *ImportRecord `json:"import,omitempty"`

	// notModelled lists the paths of the ECS fields read but not modelled.
	notModelled []string

	// source names the file the scenario was read from, for errors found
	// when it runs.
	source string
	// raw is the document it was read from, which a sweep changes: ECS's
	// documents stay as the file gave them (the spec holds them in
	// berth's form only).
	raw []byte
}

// Duration is a time.Duration read from JSON as a Go duration string
// ("90s", "24h") or a number of seconds.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as \"90s\" or \"24h\"", s)
		}
		*d = Duration(v)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e9 {
		v := string(b)
		if len(v) > 40 || strings.ContainsAny(v, "\n\r") {
			v = strconv.Quote(v[:min(len(v), 40)])
		}
		return fmt.Errorf("%s is not a duration: give seconds or a string such as \"24h\"", v)
	}
	*d = Duration(f * float64(time.Second))
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Fleet is the scenario's container instances.
type Fleet struct {
	InstanceTypes []InstanceType `json:"instanceTypes"`
	Pools         []Pool         `json:"pools"`
	// Instances are instances named one by one (see InstanceSpec), beside
	// or instead of pools.
	Instances []InstanceSpec `json:"instances,omitempty"`
	// RegistrationDelay is how long an instance added during the run takes
	// to register (default 0). The initial fleet is registered at the start.
	RegistrationDelay Duration     `json:"registrationDelay"`
	Events            []FleetEvent `json:"events"`
	// Nodes reads the fleet from a trace's node list instead of pools.
	Nodes *TraceFile `json:"nodes"`
	// AWSVPCTrunking is ECS's awsvpcTrunking account setting: instances
	// host as many awsvpc tasks as their type has branch ENIs.
	AWSVPCTrunking bool `json:"awsvpcTrunking,omitempty"`
	// Subnets maps a subnet id to its availability zone, for the subnets
	// of awsvpc tasks (Mix.Subnets).
	Subnets map[string]string `json:"subnets,omitempty"`

	elastic bool // capacity providers or Fargate bring instances: pools may be empty
}

// InstanceType is an EC2 instance type as ECS registers it.
type InstanceType struct {
	Name string `json:"name"`
	// CPU in CPU units (1024 per vCPU), as the agent registers it.
	CPU int64 `json:"cpu"`
	// MemoryMiB as the agent registers it (less than the type's memory).
	MemoryMiB int64 `json:"memory"`
	GPUs      int   `json:"gpus"`
	// GPUModel becomes the attribute "gpu-model".
	GPUModel     string  `json:"gpuModel"`
	PricePerHour float64 `json:"pricePerHour"`
	// Scalars are named resources per instance (disk GiB...).
	Scalars map[string]float64 `json:"scalars"`
	// AgentVersion is the ECS agent release of the type's ECS-optimized
	// AMI, such as "1.68.2" (default DefaultAgentVersion): its instances
	// register the capability attributes that release does.
	AgentVersion string `json:"agentVersion"`
	// ENIs are the instance's task ENIs: how many awsvpc tasks it hosts at
	// once. When absent, they come from the type's name by berth's table
	// of EC2 instance types (the ENI limit less the primary ENI, or with
	// fleet.awsvpcTrunking the branch ENIs).
	ENIs *int `json:"enis,omitempty"`
}

// Pool is a number of instances of one type per availability zone.
type Pool struct {
	Type string `json:"type"`
	// Zones maps an availability zone to its instance count.
	Zones map[string]int `json:"zones"`
	// Attributes are custom attributes of every instance of the pool.
	// They may also set ecs.ami-id, ecs.vpc-id and ecs.subnet-id, which
	// otherwise get made-up values (one subnet per zone).
	Attributes map[string]string `json:"attributes"`
	// AgentVersion overrides the instance type's AgentVersion for the
	// pool's instances.
	AgentVersion string `json:"agentVersion"`
	// Spot makes the pool's instances Spot, as a capacity provider's
	// spot does: priced at SpotPriceFactor (default 0.35) x the type's
	// price and interrupted at InterruptionsPerHour per instance.
	Spot                 bool    `json:"spot"`
	SpotPriceFactor      float64 `json:"spotPriceFactor"`
	InterruptionsPerHour float64 `json:"interruptionsPerHour"`
	// SpotInstanceDraining is the agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING
	// on the pool's instances; nil means true (see SpotDraining).
	SpotInstanceDraining *bool `json:"spotInstanceDraining"`
}

// SpotDraining reports whether an instance with the setting drains at a
// Spot interruption notice. An unset setting drains, as berth always
// has, although the ECS agent's own default is off
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/spot-instance-draining-linux-container.html):
// a scenario states false to model instances launched without it.
func SpotDraining(setting *bool) bool { return setting == nil || *setting }

// FleetEvent changes the fleet during the run.
type FleetEvent struct {
	At Duration `json:"at"`
	// Kind is add, fail, drain, deregister or interrupt (a Spot
	// interruption: the instance drains at once and fails two minutes
	// later).
	Kind string `json:"kind"`
	// Type and Zone select instances (fail, drain, deregister: the first
	// Count ACTIVE or DRAINING instances that match, in fleet order) or
	// describe them (add: Count new instances).
	Type  string `json:"type"`
	Zone  string `json:"zone"`
	Count int    `json:"count"`
}

// Workload is where tasks come from: a generator or a trace.
type Workload struct {
	Generator *Generator `json:"generator"`
	Trace     *TraceFile `json:"trace"`
	// Placement is the placement of every task of the workload, unless a
	// compared variant overrides it.
	Placement Variant `json:"placement"`
	// CapacityProviderStrategy runs the workload's tasks on capacity
	// providers: each task goes to one (Split's order) and waits in
	// PROVISIONING, counted by managed scaling, until it is placed.
	CapacityProviderStrategy []StrategyItemSpec `json:"capacityProviderStrategy"`
	// GPUCapacityProviderStrategy, when given, is the strategy of the
	// tasks that need GPUs, as a caller would pass one strategy to
	// RunTask for its GPU tasks and another for the rest.
	GPUCapacityProviderStrategy []StrategyItemSpec `json:"gpuCapacityProviderStrategy"`
}

// TraceFile names a trace file and its format.
type TraceFile struct {
	// Format is native, openb, swf or dlrm for tasks; openb or pai for nodes.
	Format string `json:"format"`
	// Path is relative to the scenario file.
	Path string `json:"path"`
	// Zones spreads trace nodes over these zones (round robin); default
	// one zone, "zone-a".
	Zones []string `json:"zones"`
	// PricePerGPUHour and PricePerHour price trace nodes (cost = per
	// instance + per GPU).
	PricePerHour    float64 `json:"pricePerHour"`
	PricePerGPUHour float64 `json:"pricePerGpuHour"`
	// Limit stops after this many tasks (0: all).
	Limit int `json:"limit"`
}

// Generator makes a synthetic workload: tasks arrive as a Poisson process,
// optionally following a daily cycle, each drawn from a mix of task
// definitions.
type Generator struct {
	// RatePerHour is the mean arrival rate.
	RatePerHour float64 `json:"ratePerHour"`
	// DailyCycle in [0, 1) modulates the rate as 1 + DailyCycle x
	// cos(2 pi (t - PeakHour)/24h).
	DailyCycle float64 `json:"dailyCycle"`
	PeakHour   float64 `json:"peakHour"`
	// Until stops arrivals (default: the scenario's duration).
	Until Duration `json:"until"`
	Mix   []Mix    `json:"mix"`
}

// Mix is one kind of task in a generated workload.
type Mix struct {
	// Name is the task definition family; the task group is
	// "family:<name>" unless Group says otherwise.
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
	Group  string  `json:"group"`
	CPU    int64   `json:"cpu"`
	// MemoryMiB is the memory reserved.
	MemoryMiB int64 `json:"memory"`
	GPUs      int   `json:"gpus"`
	// HostPorts are static TCP host ports.
	HostPorts   []uint16           `json:"hostPorts"`
	Scalars     map[string]float64 `json:"scalars"`
	Constraints []ConstraintSpec   `json:"constraints"`
	Duration    Distribution       `json:"duration"`
	// FailRate is the fraction of tasks that exit with code 1.
	FailRate float64 `json:"failRate"`
	// NetworkMode is bridge (the default) or awsvpc. An awsvpc task takes
	// one task ENI of its instance and its ports live on that ENI.
	NetworkMode string `json:"networkMode,omitempty"`
	// Subnets are an awsvpc task's subnets (of fleet.subnets): the task
	// runs only in their zones (LOCATION otherwise). None: any zone.
	Subnets []string `json:"subnets,omitempty"`
	// Containers are the task definition's containers (in NetworkMode).
	// When given, the task reserves what the ECS agent computes from them
	// (CPU and memoryReservation, else memory, summed; static host ports)
	// and CPU, MemoryMiB and HostPorts must be absent; it requires the
	// attributes ECS derives from them.
	Containers []ContainerSpec `json:"containers"`
	// RequiresAttributes are instance attributes every task requires,
	// besides those derived from Containers: an instance without them
	// fails the task with ATTRIBUTE.
	RequiresAttributes []AttributeSpec `json:"requiresAttributes"`
	// CapacityProviderStrategy is the strategy of this kind's tasks, as a
	// caller passes one to each RunTask: it replaces the workload's (and
	// its GPU strategy) for them. Empty: the workload's.
	CapacityProviderStrategy []StrategyItemSpec `json:"capacityProviderStrategy,omitempty"`
}

// ContainerSpec is a container definition of a Mix, as ECS's JSON names
// its fields.
type ContainerSpec struct {
	Name string `json:"name"`
	// CPU in CPU units.
	CPU int64 `json:"cpu"`
	// MemoryMiB is the hard limit, MemoryReservationMiB the soft one (MiB);
	// one of them is required.
	MemoryMiB            int64 `json:"memory"`
	MemoryReservationMiB int64 `json:"memoryReservation"`
	// Essential defaults to true, as in ECS.
	Essential    *bool             `json:"essential"`
	PortMappings []PortMappingSpec `json:"portMappings"`
	// Image, LogConfiguration, FirelensConfiguration, HealthCheck and
	// LinuxParameters are ECS's: the task requires the capability
	// attributes ECS derives from them on RegisterTaskDefinition (an
	// Amazon ECR image, a log driver, FireLens, a health check, the init
	// process), and is placed only on instances whose agent has them.
	Image                 string                     `json:"image"`
	LogConfiguration      *LogConfigurationSpec      `json:"logConfiguration"`
	FirelensConfiguration *FirelensConfigurationSpec `json:"firelensConfiguration"`
	HealthCheck           *HealthCheckSpec           `json:"healthCheck"`
	LinuxParameters       *LinuxParametersSpec       `json:"linuxParameters"`
}

// LogConfigurationSpec is ECS's LogConfiguration.
type LogConfigurationSpec struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// FirelensConfigurationSpec is ECS's FirelensConfiguration: Type is
// fluentd or fluentbit.
type FirelensConfigurationSpec struct {
	Type    string            `json:"type"`
	Options map[string]string `json:"options"`
}

// HealthCheckSpec is ECS's HealthCheck; the simulator does not run it.
type HealthCheckSpec struct {
	Command []string `json:"command"`
}

// LinuxParametersSpec is the part of ECS's LinuxParameters the simulator
// reads.
type LinuxParametersSpec struct {
	InitProcessEnabled bool `json:"initProcessEnabled"`
}

// AttributeSpec is a required attribute, as ECS's requiresAttributes
// writes one: Value "" requires only the name.
type AttributeSpec struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PortMappingSpec is ECS's PortMapping: hostPort 0 (or absent) is dynamic.
type PortMappingSpec struct {
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	Protocol      string `json:"protocol"`
}

// Distribution is a distribution of durations.
type Distribution struct {
	// Kind is constant, exponential or lognormal.
	Kind string `json:"kind"`
	// Median for lognormal, mean for exponential, the value for constant.
	Median Duration `json:"median"`
	// Sigma is the lognormal shape (default 1).
	Sigma float64 `json:"sigma"`
	// Max caps a draw (default none).
	Max Duration `json:"max"`
}

// Variant is a placement: strategies and constraints, as ECS's JSON names
// them.
type Variant struct {
	Name        string           `json:"name"`
	Strategies  []StrategySpec   `json:"strategies"`
	Constraints []ConstraintSpec `json:"constraints"`
}

// StrategySpec is ECS's PlacementStrategy.
type StrategySpec struct {
	Type  string `json:"type"`
	Field string `json:"field"`
}

// ConstraintSpec is ECS's PlacementConstraint.
type ConstraintSpec struct {
	Type       string  `json:"type"`
	Expression *string `json:"expression"`
}

// String prints the variant's strategies, e.g.
// "spread(attribute:ecs.availability-zone),binpack(memory)".
func (v Variant) String() string {
	if v.Name != "" {
		return v.Name
	}
	if len(v.Strategies) == 0 {
		return "random"
	}
	var parts []string
	for _, s := range v.Strategies {
		if s.Field == "" {
			parts = append(parts, s.Type)
		} else {
			parts = append(parts, s.Type+"("+s.Field+")")
		}
	}
	return strings.Join(parts, ",")
}

// StrategyFactory builds a strategy that placement does not know (not
// binpack, spread or random), such as the gpushare policies, for one run:
// a strategy may keep state per cluster, so each run gets its own. It
// returns ErrUnknownStrategy for a type it does not make.
type StrategyFactory func(spec StrategySpec) (placement.Strategy, error)

// ErrUnknownStrategy is a StrategyFactory's answer for a type it does not
// make.
var ErrUnknownStrategy = errors.New("unknown strategy type")

// builtinStrategy reports whether placement itself makes strategies of typ.
func builtinStrategy(typ string) bool { return typ == "binpack" || typ == "spread" || typ == "random" }

// compile turns the variant into placement values; path names it in
// errors. Strategy types placement does not know go to newStrategy; with
// none (validation), they are left for the run to build.
func (v Variant) Compile(path string, newStrategy StrategyFactory) ([]placement.Strategy, []placement.Constraint, error) {
	var ss []placement.Strategy
	for i, s := range v.Strategies {
		if !builtinStrategy(s.Type) {
			if s.Type == "" {
				return nil, nil, fielderr.Errorf(fmt.Sprintf("%s.strategies[%d].type", path, i), "missing")
			}
			if newStrategy == nil {
				continue
			}
			st, err := newStrategy(s)
			if errors.Is(err, ErrUnknownStrategy) {
				return nil, nil, fielderr.Errorf(fmt.Sprintf("%s.strategies[%d].type", path, i), "%q, expected binpack, spread, random or a strategy this run was given", s.Type)
			}
			if err != nil {
				return nil, nil, fielderr.Errorf(fmt.Sprintf("%s.strategies[%d]", path, i), "%w", err)
			}
			ss = append(ss, st)
			continue
		}
		st, err := placement.ParseStrategy(s.Type, s.Field)
		if err != nil {
			return nil, nil, fielderr.Nest(fmt.Sprintf("%s.strategies[%d]", path, i), err)
		}
		ss = append(ss, st)
	}
	if len(v.Strategies) > placement.MaxStrategies {
		return nil, nil, fielderr.Errorf(path+".strategies", "%d strategies, at most %d allowed", len(v.Strategies), placement.MaxStrategies)
	}
	cs, err := CompileConstraints(v.Constraints, path+".constraints")
	return ss, cs, err
}

func CompileConstraints(specs []ConstraintSpec, path string) ([]placement.Constraint, error) {
	var cs []placement.Constraint
	for i, c := range specs {
		con, err := placement.ParseConstraint(c.Type, c.Expression)
		if err != nil {
			return nil, fielderr.Nest(fielderr.Index(path, i), err)
		}
		cs = append(cs, con)
	}
	return cs, nil
}

// ParseStrategies reads a command-line list of strategies such as
// "spread(attribute:ecs.availability-zone),binpack(memory)" or "random".
// Types other than binpack, spread and random are left for the run's
// StrategyFactory (berth sim knows the gpushare policies: fgd, bestfit...).
func ParseStrategies(s string) (Variant, error) {
	v := Variant{}
	for _, part := range splitTopLevel(s) {
		part = strings.TrimSpace(part)
		typ, field := part, ""
		if i := strings.IndexByte(part, '('); i >= 0 {
			if !strings.HasSuffix(part, ")") {
				return Variant{}, fmt.Errorf("strategy %q: expected type(field)", part)
			}
			typ, field = part[:i], part[i+1:len(part)-1]
		}
		if typ == "" {
			return Variant{}, fmt.Errorf("strategy %q: expected a type such as binpack(memory)", part)
		}
		if builtinStrategy(typ) {
			if _, err := placement.ParseStrategy(typ, field); err != nil {
				return Variant{}, fielderr.Nest(fmt.Sprintf("strategy %q", part), err)
			}
		}
		if typ == "random" && len(v.Strategies) == 0 && field == "" && len(splitTopLevel(s)) == 1 {
			v.Strategies = append(v.Strategies, StrategySpec{Type: "random"})
			continue
		}
		v.Strategies = append(v.Strategies, StrategySpec{Type: typ, Field: field})
	}
	if n := len(v.Strategies); n > placement.MaxStrategies {
		return Variant{}, fmt.Errorf("strategies %q: %d strategies, expected at most %d in a chain (as in ECS)", s, n, placement.MaxStrategies)
	}
	return v, nil
}

// splitTopLevel splits on commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// ReadScenario reads a scenario from JSON, strictly: ECS's own documents
// are accepted where one belongs (see NotModelled and docs/scenario.md,
// "ECS documents"), and otherwise an unknown field
// (keys match exactly, case included), a key given twice, a value of the
// wrong type or a malformed duration is an error naming the file, the line
// and column of the offending key, and the field's path. A document may be
// up to 64 MiB (see internal/jsondoc for the limits). The scenario is then
// validated (Validate).
func ReadScenario(r io.Reader, name string) (*Scenario, error) {
	var raw bytes.Buffer
	n, err := jsondoc.ReadDocument(io.TeeReader(r, &raw), name, jsondoc.DefaultLimits)
	return readScenario(n, err, raw.Bytes(), name)
}

// ParseScenario is ReadScenario of a document in memory, read in place:
// for a program that has just written one (berth import checks its
// output so). The scenario may keep data (to rewrite it for a sweep): data
// must not change while the scenario is in use.
func ParseScenario(data []byte, name string) (*Scenario, error) {
	n, err := jsondoc.Parse(data, name, jsondoc.DefaultLimits)
	return readScenario(n, err, data, name)
}

// readScenario decodes n (read from raw, with err) as ReadScenario says.
func readScenario(n *jsondoc.Node, err error, raw []byte, name string) (*Scenario, error) {
	var sc Scenario
	ecs := &ecsReader{file: name}
	if err == nil {
		n, err = ecs.rewrite(n)
	}
	if err == nil {
		err = jsondoc.Decode(n, name, &sc)
	}
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	ecs.attach(&sc)
	sc.source, sc.notModelled = name, ecs.notes
	if len(ecs.defs) > 0 {
		sc.raw = raw
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// taskENIs returns the task ENIs of an instance of typ: its enis, else
// its type's by package eni (branch ENIs with awsvpcTrunking), else 0.
func (f *Fleet) TaskENIs(typ *InstanceType) int {
	if typ.ENIs != nil {
		return *typ.ENIs
	}
	l, _ := eni.Lookup(typ.Name)
	return l.TaskENIs(f.AWSVPCTrunking)
}

// Variants returns the placement variants a comparison of sc runs: its
// compare list, or its workload's own placement.
func (sc *Scenario) Variants() []Variant {
	if len(sc.Compare) > 0 {
		return sc.Compare
	}
	return []Variant{sc.Workload.Placement}
}

// NotModelled lists, in document order, the paths of the ECS fields the
// scenario's ECS documents gave that berth accepts but does not model,
// such as "services[0].taskDefinition.containerDefinitions[0].environment".
// It is empty for a scenario without them and for one built in Go.
func (sc *Scenario) NotModelled() []string { return sc.notModelled }

// Source names the file the scenario was read from ("" for one built in
// Go), for messages about it.
func (sc *Scenario) Source() string { return sc.source }
