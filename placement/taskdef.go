package placement

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
)

// MaxContainers is the most containers a task definition may have.
const MaxContainers = 10

// NetworkMode is a task definition's network mode.
type NetworkMode string

// Network modes. The zero value means bridge, ECS's default on Linux EC2.
const (
	NetworkBridge NetworkMode = "bridge"
	NetworkHost   NetworkMode = "host"
	NetworkAwsvpc NetworkMode = "awsvpc"
	NetworkNone   NetworkMode = "none"
)

// PortMapping maps a container port to a host port.
type PortMapping struct {
	ContainerPort int
	// HostPort 0 means dynamic in bridge mode and "the container port" in
	// host and awsvpc modes.
	HostPort int
	// Protocol is "tcp" (the default when empty) or "udp".
	Protocol string
}

// ContainerDefinition is the part of an ECS container definition that
// placement reads. Zero values mean "not set".
type ContainerDefinition struct {
	Name string
	// CPU in CPU units; 0 counts as 0 for placement.
	CPU int64
	// Memory is the hard limit in MiB, MemoryReservation the soft one.
	Memory, MemoryReservation int64
	PortMappings              []PortMapping
	// GPUs is the container's GPU resourceRequirement; AllGPUs is the
	// value "ALL".
	GPUs    int
	AllGPUs bool
	// Essential: a task stops when an essential container stops. Readers
	// of ECS JSON set it to true when the document leaves it out.
	Essential bool
	// Usage is what the container uses from which ECS derives
	// requiresAttributes (see TaskDefinition.DerivedAttributes).
	Usage ContainerUsage
}

// TaskDefinition is the part of an ECS task definition that placement
// reads. Check it with Validate; Requirements says what a task of it
// reserves.
type TaskDefinition struct {
	Family   string
	Revision int
	// CPU and MemoryMiB are the task-level values; 0 means unset.
	CPU, MemoryMiB int64
	NetworkMode    NetworkMode
	Containers     []ContainerDefinition
	// PlacementConstraints are memberOf constraints only.
	PlacementConstraints []Constraint
	RequiresAttributes   []Attribute
	// Usage is what the task definition uses from which ECS derives
	// requiresAttributes (see DerivedAttributes).
	Usage Usage
	// RequiresCompatibilities are the launch types the definition was
	// registered for (EC2, EXTERNAL, FARGATE). See Supports.
	RequiresCompatibilities []LaunchType
	// Compatibilities are the launch types ECS validated the definition
	// against on registering it, as describe-task-definition prints them;
	// empty for a RegisterTaskDefinition input, whose compatibilities
	// Supports derives. See Supports.
	Compatibilities []LaunchType
}

// ErrIncompatibleLaunchType is ECS's InvalidParameterException for a task
// definition run or deployed with a launch type it does not support
// ("Task definition does not support launch_type FARGATE.").
var ErrIncompatibleLaunchType = errors.New("task definition does not support launch_type")

// Supports reports, as an error wrapping ErrIncompatibleLaunchType with
// ECS's wording, whether tasks of td may run with launch type l (the zero
// value is EC2). ECS checks a launch type against the definition's
// compatibilities, the launch types it validated the definition against
// on registering it; see LaunchTypes.
func (td *TaskDefinition) Supports(l LaunchType) error {
	if l == "" {
		l = LaunchTypeEC2
	}
	if td.supports(l) {
		return nil
	}
	return fieldErrorf("launchType", "%w %s (%s:%d compatibilities: %s)",
		ErrIncompatibleLaunchType, l, td.Family, td.Revision, td.compatibilities())
}

// LaunchTypes returns the launch types td is compatible with: its
// Compatibilities when known (a describe output's), else those ECS
// derives on registering it, as its published describe outputs show
// them (docs/ecs-behaviour.md 2.12):
//
//   - EC2, always: a definition registered for FARGATE alone describes
//     as compatible with EC2 and FARGATE;
//   - EXTERNAL, unless the definition uses what ECS Anywhere does not
//     support (the Developer Guide's "Amazon ECS Anywhere"
//     considerations): networkMode awsvpc or an EFS volume. A 2026
//     output of a host-mode definition registered for EC2 lists
//     EXTERNAL and EC2; an awsvpc one lists EC2 alone;
//   - FARGATE when requiresCompatibilities names it.
//
// Outputs since 2025 also list MANAGED_INSTANCES for definitions
// registered for FARGATE; berth places no task on managed instances and
// leaves it out. The result is in the order EC2, EXTERNAL, FARGATE.
func (td *TaskDefinition) LaunchTypes() []LaunchType {
	if len(td.Compatibilities) > 0 {
		return td.Compatibilities
	}
	out := []LaunchType{LaunchTypeEC2}
	if td.externalReason() == "" {
		out = append(out, LaunchTypeExternal)
	}
	if slices.Contains(td.RequiresCompatibilities, LaunchTypeFargate) {
		out = append(out, LaunchTypeFargate)
	}
	return out
}

// supports is Supports without the error and without building the list:
// it runs for every placement request.
func (td *TaskDefinition) supports(l LaunchType) bool {
	if len(td.Compatibilities) > 0 {
		return slices.Contains(td.Compatibilities, l)
	}
	switch l {
	case LaunchTypeEC2:
		return true
	case LaunchTypeExternal:
		return td.externalReason() == ""
	case LaunchTypeFargate:
		return slices.Contains(td.RequiresCompatibilities, LaunchTypeFargate)
	}
	return false
}

// externalReason returns the field that makes td incompatible with
// EXTERNAL, or "" when it is compatible: ECS Anywhere runs tasks in
// bridge, host or none network mode only and mounts no EFS volume.
func (td *TaskDefinition) externalReason() string {
	switch {
	case td.NetworkMode == NetworkAwsvpc:
		return "networkMode awsvpc"
	case len(td.Usage.EFSVolumes) > 0:
		return "an EFS volume"
	}
	return ""
}

func (td *TaskDefinition) compatibilities() string {
	var b strings.Builder
	for i, l := range td.LaunchTypes() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(l))
	}
	return b.String()
}

// Validate reports the first rule the task definition breaks, naming the
// field and the value (ECS's RegisterTaskDefinition rules for EC2).
func (td *TaskDefinition) Validate() error {
	if err := validFamily(td.Family); err != nil {
		return err
	}
	switch td.NetworkMode {
	case "", NetworkBridge, NetworkHost, NetworkAwsvpc, NetworkNone:
	default:
		return fieldErrorf("networkMode", "%q, expected bridge, host, awsvpc or none", td.NetworkMode)
	}
	if td.CPU != 0 && (td.CPU < 128 || td.CPU > 196608) {
		return fieldErrorf("cpu", "%d units, expected 128..196608", td.CPU)
	}
	if td.MemoryMiB < 0 {
		return fieldErrorf("memory", "%d MiB is negative", td.MemoryMiB)
	}
	switch n := len(td.Containers); {
	case n == 0:
		return fieldErrorf("containerDefinitions", "at least one container is required")
	case n > MaxContainers:
		return fieldErrorf("containerDefinitions", "%d containers, at most %d allowed", n, MaxContainers)
	}
	essential := false
	tcp, udp := map[int]bool{}, map[int]bool{}
	names := map[string]bool{}
	for i := range td.Containers {
		cd := &td.Containers[i]
		essential = essential || cd.Essential
		if err := td.validateContainer(i, cd, names, tcp, udp); err != nil {
			return err
		}
	}
	if !essential {
		return fieldErrorf("containerDefinitions", "at least one container must be essential")
	}
	if len(td.PlacementConstraints) > MaxConstraints {
		return fieldErrorf("placementConstraints", "%d constraints, at most %d allowed", len(td.PlacementConstraints), MaxConstraints)
	}
	for i, c := range td.PlacementConstraints {
		if c.Type != MemberOf || c.Expr == nil {
			return fieldErrorf(fielderr.Index("placementConstraints", i)+".type", "constraint.type '%v' is not supported (task definitions take memberOf only)", c.Type)
		}
	}
	for i, l := range td.RequiresCompatibilities {
		switch l {
		case LaunchTypeEC2, LaunchTypeFargate:
		case LaunchTypeExternal:
			if why := td.externalReason(); why != "" {
				return fieldErrorf(fielderr.Index("requiresCompatibilities", i), "EXTERNAL, but the definition has %s, which ECS Anywhere does not support", why)
			}
		default:
			return fieldErrorf(fielderr.Index("requiresCompatibilities", i), "%q, expected EC2, EXTERNAL or FARGATE", string(l))
		}
	}
	for i, l := range td.Compatibilities {
		switch l {
		case LaunchTypeEC2, LaunchTypeExternal, LaunchTypeFargate, LaunchTypeManagedInstances:
		default:
			return fieldErrorf(fielderr.Index("compatibilities", i), "%q, expected EC2, EXTERNAL, FARGATE or MANAGED_INSTANCES", string(l))
		}
	}
	for i, a := range td.RequiresAttributes {
		if a.Name == "" {
			return fieldErrorf(fielderr.Index("requiresAttributes", i)+".name", "missing")
		}
		if err := printable.Check(a.Name); err != nil {
			return fieldErrorf(fielderr.Index("requiresAttributes", i)+".name", "%q %v", a.Name, err)
		}
	}
	return nil
}

func validFamily(f string) error {
	if f == "" {
		return fieldErrorf("family", "missing")
	}
	if len(f) > 255 {
		return fieldErrorf("family", "%d characters, at most 255 allowed", len(f))
	}
	for _, r := range f {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fieldErrorf("family", "%q has %q, expected letters, digits, _ and -", f, r)
		}
	}
	return nil
}

func (td *TaskDefinition) validateContainer(i int, cd *ContainerDefinition, names map[string]bool, tcp, udp map[int]bool) error {
	field := func(name string) string { return "containerDefinitions[" + strconv.Itoa(i) + "]." + name }
	switch {
	case cd.Name == "":
		return fieldErrorf(field("name"), "missing")
	case names[cd.Name]:
		return fieldErrorf(field("name"), "%q is used by two containers", cd.Name)
	case printable.Check(cd.Name) != nil:
		return fieldErrorf(field("name"), "%q %v", cd.Name, printable.Check(cd.Name))
	case cd.CPU < 0:
		return fieldErrorf(field("cpu"), "%d is negative", cd.CPU)
	case cd.Memory < 0:
		return fieldErrorf(field("memory"), "%d is negative", cd.Memory)
	case cd.MemoryReservation < 0:
		return fieldErrorf(field("memoryReservation"), "%d is negative", cd.MemoryReservation)
	case cd.Memory > 0 && cd.MemoryReservation > 0 && cd.Memory <= cd.MemoryReservation:
		return fieldErrorf(field("memory"), "%d MiB must be greater than memoryReservation %d MiB", cd.Memory, cd.MemoryReservation)
	case td.MemoryMiB == 0 && cd.Memory == 0 && cd.MemoryReservation == 0:
		return fieldErrorf(field("memory"), "memory or memoryReservation is required when the task sets no memory")
	case cd.GPUs < 0:
		return fieldErrorf(field("resourceRequirements"), "GPU value %d is negative", cd.GPUs)
	}
	names[cd.Name] = true
	if err := cd.Usage.validate(field); err != nil {
		return err
	}
	if td.NetworkMode == NetworkNone && len(cd.PortMappings) > 0 {
		return fieldErrorf(field("portMappings"), "not allowed with networkMode none")
	}
	containerProto := map[int]string{}
	for j, pm := range cd.PortMappings {
		pf := field("portMappings[" + strconv.Itoa(j) + "]")
		proto := pm.Protocol
		if proto == "" {
			proto = "tcp"
		}
		switch {
		case proto != "tcp" && proto != "udp":
			return fieldErrorf(pf+".protocol", "%q, expected tcp or udp", pm.Protocol)
		case pm.ContainerPort < 1 || pm.ContainerPort > 65535:
			return fieldErrorf(pf+".containerPort", "%d, expected 1..65535", pm.ContainerPort)
		case pm.HostPort < 0 || pm.HostPort > 65535:
			return fieldErrorf(pf+".hostPort", "%d, expected 0..65535", pm.HostPort)
		case (td.NetworkMode == NetworkHost || td.NetworkMode == NetworkAwsvpc) && pm.HostPort != 0 && pm.HostPort != pm.ContainerPort:
			return fieldErrorf(pf+".hostPort", "%d must be blank or equal to containerPort %d in %s mode", pm.HostPort, pm.ContainerPort, td.NetworkMode)
		}
		if p, seen := containerProto[pm.ContainerPort]; seen && p != proto {
			return fieldErrorf(pf+".containerPort", "%d is already exposed for %s", pm.ContainerPort, p)
		}
		containerProto[pm.ContainerPort] = proto
		if hp := td.hostPort(pm); hp != 0 {
			set := tcp
			if proto == "udp" {
				set = udp
			}
			if set[hp] {
				return fieldErrorf(pf+".hostPort", "%s port %d is bound twice in the task", proto, hp)
			}
			set[hp] = true
		}
	}
	return nil
}

// hostPort returns the static host port a mapping reserves, or 0.
func (td *TaskDefinition) hostPort(pm PortMapping) int {
	switch td.NetworkMode {
	case NetworkHost:
		if pm.HostPort != 0 {
			return pm.HostPort
		}
		return pm.ContainerPort
	case NetworkAwsvpc, NetworkNone:
		return 0 // on the task's ENI, or none
	}
	return pm.HostPort // bridge: 0 is dynamic
}

// Requirements returns what one task of td reserves, by the ECS agent's
// rule: task-level cpu and memory when set, else the sum over containers
// (memoryReservation before memory); static host ports by network mode
// (none in awsvpc mode, where the task takes an ENI instead); GPUs summed
// over containers.
func (td *TaskDefinition) Requirements() Requirements {
	var r Requirements
	for i := range td.Containers {
		cd := &td.Containers[i]
		r.CPU += cd.CPU
		if cd.MemoryReservation > 0 {
			r.MemoryMiB += cd.MemoryReservation
		} else {
			r.MemoryMiB += cd.Memory
		}
		r.GPUs += cd.GPUs
		r.AllGPUs = r.AllGPUs || cd.AllGPUs
		for _, pm := range cd.PortMappings {
			hp := td.hostPort(pm)
			switch {
			case hp != 0 && pm.Protocol == "udp":
				r.PortsUDP = append(r.PortsUDP, uint16(hp))
			case hp != 0:
				r.PortsTCP = append(r.PortsTCP, uint16(hp))
			case td.NetworkMode == "" || td.NetworkMode == NetworkBridge:
				r.DynamicPorts++
			}
		}
	}
	if td.CPU > 0 {
		r.CPU = td.CPU
	}
	if td.MemoryMiB > 0 {
		r.MemoryMiB = td.MemoryMiB
	}
	if r.AllGPUs {
		r.GPUs = 0
	}
	r.AWSVPC = td.NetworkMode == NetworkAwsvpc
	return r
}

// DefaultGroup is the group of a standalone task of the family:
// "family:<family>".
func (td *TaskDefinition) DefaultGroup() string { return "family:" + td.Family }

// Request builds the request to place count tasks of td: group "" means
// the default group; constraints and strategies are the request's own,
// which the task definition's constraints join.
func (td *TaskDefinition) Request(count int, group string, constraints []Constraint, strategies []Strategy) *Request {
	if group == "" {
		group = td.DefaultGroup()
	}
	all := make([]Constraint, 0, len(td.PlacementConstraints)+len(constraints))
	all = append(all, td.PlacementConstraints...)
	all = append(all, constraints...)
	return &Request{
		Count:              count,
		Group:              group,
		Task:               td.Requirements(),
		RequiredAttributes: td.RequiresAttributes,
		Constraints:        all,
		Strategies:         strategies,
	}
}
