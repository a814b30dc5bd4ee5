package placement

import (
	"errors"
	"fmt"
	"slices"

	"github.com/berthsched/berth/cql"
	"github.com/berthsched/berth/fielderr"
)

// MaxConstraints is the most placement constraints one task may have,
// counting its task definition's and the request's together.
const MaxConstraints = 10

// MaxGroupLength is the longest task group name ECS accepts.
const MaxGroupLength = 255

// ConstraintType is distinctInstance or memberOf.
type ConstraintType uint8

// Constraint types.
const (
	DistinctInstance ConstraintType = iota + 1
	MemberOf
)

func (t ConstraintType) String() string {
	switch t {
	case DistinctInstance:
		return "distinctInstance"
	case MemberOf:
		return "memberOf"
	}
	return fmt.Sprintf("ConstraintType(%d)", uint8(t))
}

// Constraint is a placement constraint. Build memberOf constraints with
// NewMemberOf or ParseConstraint, so that the expression is compiled once.
type Constraint struct {
	Type ConstraintType
	// Expr is the memberOf expression; nil for distinctInstance.
	Expr *cql.Expr
}

// NewMemberOf compiles a memberOf constraint.
func NewMemberOf(expression string) (Constraint, error) {
	e, err := cql.Parse(expression)
	if err != nil {
		return Constraint{}, fieldErrorf("", "memberOf expression: %w", err)
	}
	return Constraint{Type: MemberOf, Expr: e}, nil
}

// ErrDistinctInstanceExpression is ECS's rejection of a distinctInstance
// constraint that carries an expression, even an empty one.
var ErrDistinctInstanceExpression = errors.New("distinctInstance expression should not be specified")

// ParseConstraint builds a constraint from ECS's PlacementConstraint
// fields. expression is nil when the field is absent: distinctInstance
// rejects any expression, even "", and memberOf requires one.
func ParseConstraint(typ string, expression *string) (Constraint, error) {
	switch typ {
	case "distinctInstance":
		if expression != nil {
			return Constraint{}, fieldErrorf("", "%w", ErrDistinctInstanceExpression)
		}
		return Constraint{Type: DistinctInstance}, nil
	case "memberOf":
		if expression == nil || *expression == "" {
			return Constraint{}, fieldErrorf("", "memberOf: an expression is required")
		}
		return NewMemberOf(*expression)
	}
	return Constraint{}, fieldErrorf("", "constraint type %q: expected distinctInstance or memberOf", typ)
}

func (c Constraint) String() string {
	if c.Type == MemberOf && c.Expr != nil {
		return "memberOf(" + c.Expr.String() + ")"
	}
	return c.Type.String()
}

// LaunchType is ECS's launch type: where a task runs.
type LaunchType string

// Launch types. The zero LaunchType means EC2.
const (
	LaunchTypeEC2      LaunchType = "EC2"
	LaunchTypeExternal LaunchType = "EXTERNAL" // ECS Anywhere instances
	LaunchTypeFargate  LaunchType = "FARGATE"
	// LaunchTypeManagedInstances appears in the compatibilities ECS
	// reports; berth places no task with it.
	LaunchTypeManagedInstances LaunchType = "MANAGED_INSTANCES"
)

// ExternalAttribute is the attribute ECS Anywhere instances carry; an
// instance without it is an EC2 instance.
const ExternalAttribute = "ecs.capability.external"

// external reports whether l is EXTERNAL (else it is EC2, the zero value
// included).
func (l LaunchType) external() bool { return l == LaunchTypeExternal }

// Request asks for Count tasks of one kind to be placed. Validate reports
// what is wrong with it; Place validates it too.
type Request struct {
	// Count is how many tasks to place, one at a time, each seeing the ones
	// placed before it. It must be at least 1. (RunTask's limit of 10 is
	// the caller's to enforce; services place more.)
	Count int
	// Group is the tasks' group; required.
	Group string
	// Task is what each task reserves.
	Task Requirements
	// RequiredAttributes are the task definition's requiresAttributes:
	// each must be present on the instance, with the given value when
	// Value is not "".
	RequiredAttributes []Attribute
	// Constraints are the task definition's and the request's together,
	// all of which must hold (at most MaxConstraints).
	Constraints []Constraint
	// Strategies rank the instances that pass the filters, in order (at
	// most MaxStrategies). With none, every passing instance ties and the
	// seeded random choice decides, which is RunTask's default.
	Strategies []Strategy
	// LaunchType is EC2 (the zero value, ECS's choice when a request names
	// neither a launch type nor a capacity provider strategy) or EXTERNAL.
	// Only instances of that launch type are candidates (see
	// Instance.LaunchType); the others are not considered at all, as if
	// they were in another cluster. FARGATE tasks are not placed on
	// container instances: Validate rejects it.
	LaunchType LaunchType
	// Zones are the availability zones of an awsvpc task's subnets (its
	// networkConfiguration), as the caller resolved them. When not empty,
	// an instance whose ecs.availability-zone attribute is none of them
	// (or which lacks the attribute) fails with LOCATION. Only an awsvpc
	// task (Task.AWSVPC) may have zones.
	Zones []string
	// MaxPerInstance, when positive, caps the group's PENDING and RUNNING
	// tasks on one instance: a generalisation of distinctInstance (which is
	// a cap of 1) that ECS lacks, for traces such as Alibaba's DLRM with
	// its max_instance_per_node. Zero means no cap.
	MaxPerInstance int
}

// Validate reports the first thing wrong with the request, naming the
// field, the value and the rule.
func (r *Request) Validate() error {
	switch {
	case r.Count < 1:
		return fieldErrorf("count", "%d, expected at least 1", r.Count)
	case r.Group == "":
		return fieldErrorf("group", "missing")
	case len(r.Group) > MaxGroupLength:
		return fieldErrorf("group", "%d characters, at most %d allowed", len(r.Group), MaxGroupLength)
	case len(r.Constraints) > MaxConstraints:
		return fieldErrorf("placementConstraints", "%d constraints, at most %d allowed (task definition and request together)", len(r.Constraints), MaxConstraints)
	case len(r.Strategies) > MaxStrategies:
		return fieldErrorf("placementStrategy", "%d strategies, at most %d allowed", len(r.Strategies), MaxStrategies)
	case r.MaxPerInstance < 0:
		return fieldErrorf("maxPerInstance", "%d is negative", r.MaxPerInstance)
	case r.LaunchType == LaunchTypeFargate:
		return fieldErrorf("launchType", "FARGATE tasks are not placed on container instances, expected EC2 or EXTERNAL")
	case r.LaunchType != "" && r.LaunchType != LaunchTypeEC2 && r.LaunchType != LaunchTypeExternal:
		return fieldErrorf("launchType", "%q, expected EC2 or EXTERNAL", string(r.LaunchType))
	}
	if err := r.Task.validate(); err != nil {
		return err
	}
	for i, c := range r.Constraints {
		switch {
		case c.Type == MemberOf && c.Expr == nil:
			return fieldErrorf(fielderr.Index("placementConstraints", i), "memberOf without an expression")
		case c.Type == DistinctInstance && c.Expr != nil:
			return fieldErrorf(fielderr.Index("placementConstraints", i), "%w", ErrDistinctInstanceExpression)
		case c.Type != MemberOf && c.Type != DistinctInstance:
			return fieldErrorf(fielderr.Index("placementConstraints", i)+".type", "%v, expected distinctInstance or memberOf", c.Type)
		}
	}
	for i, s := range r.Strategies {
		var err error
		switch s := s.(type) {
		case nil:
			err = fieldErrorf(fielderr.Index("placementStrategy", i), "nil")
		case Binpack:
			if s.Field != CPU && s.Field != Memory {
				err = fieldErrorf(fielderr.Index("placementStrategy", i)+".field", "%v, expected cpu or memory", s.Field)
			}
		case Spread:
			err = validSpreadField(s.Field)
		}
		if err != nil {
			return err
		}
	}
	if len(r.Zones) > 0 && !r.Task.AWSVPC {
		return fieldErrorf("zones", "%d zones for a task that is not awsvpc, expected none", len(r.Zones))
	}
	for i, a := range r.RequiredAttributes {
		if a.Name == "" {
			return fieldErrorf(fielderr.Index("requiresAttributes", i)+".name", "missing")
		}
	}
	return nil
}

// Reason says why an instance could not take a task. The order of the
// constants is the order of the filters: an instance is charged with the
// first filter it fails, and the instance that got furthest is the closest
// match.
type Reason uint8

// Reasons, in filter order.
const (
	ReasonNone       Reason = iota
	ReasonLaunchType        // the instance is of another launch type: not a candidate
	ReasonStatus            // the instance is not ACTIVE (DRAINING, INACTIVE...)
	ReasonAgent             // AGENT: the agent is disconnected
	ReasonAttribute
	ReasonCPU
	ReasonMemory
	ReasonGPU
	ReasonPorts
	ReasonENI    // RESOURCE:ENI: no free task ENI for an awsvpc task
	ReasonScalar // RESOURCE:<name> of a named resource
	// ReasonLocation (LOCATION): the instance is in none of the zones of
	// an awsvpc task's subnets.
	ReasonLocation
	ReasonDistinctInstance
	ReasonMaxPerInstance // berth's per-instance cap (Request.MaxPerInstance)
	ReasonMemberOf
	// NumReasons is the number of reasons, for arrays indexed by Reason.
	NumReasons
)

var reasonText = [NumReasons]string{
	ReasonNone:             "",
	ReasonLaunchType:       "LAUNCH_TYPE",
	ReasonStatus:           "STATUS",
	ReasonAgent:            "AGENT",
	ReasonAttribute:        "ATTRIBUTE",
	ReasonCPU:              "RESOURCE:CPU",
	ReasonMemory:           "RESOURCE:MEMORY",
	ReasonGPU:              "RESOURCE:GPU",
	ReasonPorts:            "RESOURCE:PORTS",
	ReasonENI:              "RESOURCE:ENI",
	ReasonScalar:           "RESOURCE",
	ReasonLocation:         "LOCATION",
	ReasonDistinctInstance: "DistinctInstance placement constraint unsatisfied.",
	ReasonMaxPerInstance:   "MaxPerInstance placement constraint unsatisfied.",
	ReasonMemberOf:         "MemberOf placement constraint unsatisfied.",
}

// String returns the reason as ECS writes it in RunTask's failures. A
// named resource reads "RESOURCE"; Unplaced.ReasonString adds its name.
func (r Reason) String() string {
	if r < NumReasons {
		return reasonText[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Placement is one placed task.
type Placement struct {
	// Task identifies the task in the cluster (for Release).
	Task TaskID
	// Instance is where it runs.
	Instance *Instance
	// GPUs are the devices it got.
	GPUs DeviceSet
}

// Unplaced explains a task that could not be placed. Instances of another
// launch type than the request's are not candidates and appear nowhere in
// it: not in Removed, never as Closest.
type Unplaced struct {
	// Reason is the filter that stopped the closest instance (ReasonNone
	// when the cluster has no instance of the request's launch type).
	Reason Reason
	// Scalar names the resource when Reason is ReasonScalar.
	Scalar string
	// Closest is the instance that passed the most filters (the first such
	// instance in cluster order), nil in an empty cluster.
	Closest *Instance
	// Removed counts, per filter, how many instances it removed.
	Removed [NumReasons]int
}

// ReasonString returns the reason as ECS writes it, with the resource name
// for named resources ("RESOURCE:DISK").
func (u *Unplaced) ReasonString() string {
	if u.Reason == ReasonScalar {
		return "RESOURCE:" + u.Scalar
	}
	return u.Reason.String()
}

// Result is the outcome of one Place call: the tasks placed, in placement
// order, and one Unplaced for each task that was not.
type Result struct {
	Placed   []Placement
	Unplaced []Unplaced
}

// unplaced appends n copies of u.
func (r *Result) unplaced(u Unplaced, n int) {
	r.Unplaced = slices.Grow(r.Unplaced, n)
	for range n {
		r.Unplaced = append(r.Unplaced, u)
	}
}

func (r *Result) reset() {
	r.Placed = r.Placed[:0]
	r.Unplaced = r.Unplaced[:0]
}

// fieldErrorf returns the error, with the package's prefix, of the field
// at path of what the caller gave (a request, a task definition, a
// constraint or strategy); "" is the value itself. A caller that reads
// these from a document puts them under the document's path with
// fielderr.Wrap.
func fieldErrorf(path, format string, args ...any) error {
	return fmt.Errorf("placement: %w", fielderr.Errorf(path, format, args...))
}
