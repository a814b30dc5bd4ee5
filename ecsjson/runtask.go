package ecsjson

import (
	"io"
	"strconv"
	"strings"

	"github.com/berthsched/berth/placement"
)

// MaxRunTaskCount is the most tasks one RunTask call starts (ECS's quota
// "Tasks launched (count) per run-task", not adjustable).
const MaxRunTaskCount = 10

// MaxStartedByLength is the longest startedBy RunTask accepts.
const MaxStartedByLength = 128

// RunTaskRequest is a RunTask input document (`aws ecs run-task
// --cli-input-json`), the part of it placement reads. ReadRunTaskRequest
// fills it in and checks ECS's request-level rules; Request turns it into
// a placement request for a task definition.
type RunTaskRequest struct {
	// Cluster is cluster, a name or an ARN; "" when absent (ECS's
	// "default" cluster).
	Cluster string
	// TaskDefinition is taskDefinition as written: "family",
	// "family:revision" or a task definition ARN.
	TaskDefinition string
	// Family and Revision are TaskDefinition's parts; Revision is 0 when
	// it names none (the latest ACTIVE revision).
	Family   string
	Revision int
	// Count is count, 1..MaxRunTaskCount; 1 when absent.
	Count int
	// Group is group; "" when absent or empty (the default,
	// "family:<family>").
	Group string
	// StartedBy is startedBy; "" when absent.
	StartedBy string
	// LaunchType is launchType: EC2, EXTERNAL or FARGATE; "" when absent
	// (EC2: berth's snapshots carry no cluster default capacity provider
	// strategy).
	LaunchType string
	// PlacementConstraints are the request's own (at most
	// placement.MaxConstraints).
	PlacementConstraints []placement.Constraint
	// PlacementStrategy is the strategy chain (at most
	// placement.MaxStrategies); empty means random, RunTask's default.
	PlacementStrategy []placement.Strategy
	// NetworkConfiguration says networkConfiguration is present; an
	// awsvpc task definition requires it.
	NetworkConfiguration bool
	// Subnets are networkConfiguration.awsvpcConfiguration.subnets, in
	// document order (at most MaxSubnets).
	Subnets []string
}

// MaxSubnets is the most subnets one awsvpcConfiguration may name.
const MaxSubnets = 16

// errAWSVPCNeedsNetwork is RunTask's InvalidParameterException for an
// awsvpc task definition run without networkConfiguration.
const errAWSVPCNeedsNetwork = "missing, expected for networkMode awsvpc (ECS: InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified.)"

// ReadRunTaskRequest reads a RunTask input document from r and checks the
// rules ECS applies to the request alone: taskDefinition required and well
// formed, count 1..10, group at most 255 characters, startedBy at most 128
// letters, digits, -, / and _, at most 10 placement constraints (with a
// valid expression; none for distinctInstance) and 5 strategies of known
// types and fields, and a launch type that takes placement (Fargate takes
// none). Of networkConfiguration, only awsvpcConfiguration.subnets is
// read (at most MaxSubnets). Fields placement does not read (overrides,
// tags...) are ignored; overrides are not applied. Every error is an
// *fielderr.Error naming the JSON path.
func ReadRunTaskRequest(r io.Reader) (_ *RunTaskRequest, err error) {
	defer prefix(&err)
	o, err := readDocument(r)
	if err != nil {
		return nil, err
	}
	req := &RunTaskRequest{}
	if req.Cluster, _, err = o.string("cluster"); err != nil {
		return nil, err
	}
	if err := req.readTaskDefinition(o); err != nil {
		return nil, err
	}
	req.Count = 1
	if v, p, ok := o.get("count"); ok {
		n, err := integer(v, p, 1, MaxRunTaskCount)
		if err != nil {
			return nil, err
		}
		req.Count = int(n)
	}
	if req.Group, _, err = o.string("group"); err != nil {
		return nil, err
	}
	if n := len(req.Group); n > placement.MaxGroupLength {
		return nil, errorf(field(o.path, "group"), "%d characters, at most %d allowed", n, placement.MaxGroupLength)
	}
	if err := req.readStartedBy(o); err != nil {
		return nil, err
	}
	if req.LaunchType, err = o.enum("launchType", "", "EC2", "EXTERNAL", "FARGATE"); err != nil {
		return nil, err
	}
	if err := checkCapacityProviderStrategy(o, req.LaunchType); err != nil {
		return nil, err
	}
	if req.PlacementConstraints, err = readConstraints(o, "placementConstraints", true); err != nil {
		return nil, err
	}
	if req.PlacementStrategy, err = readStrategies(o); err != nil {
		return nil, err
	}
	if err := req.readNetworkConfiguration(o); err != nil {
		return nil, err
	}
	return req, nil
}

// checkCapacityProviderStrategy rejects a capacityProviderStrategy. With a
// launchType it is ECS's own error (the two are mutually exclusive); alone,
// it names capacity providers, which a snapshot does not describe, so
// berth cannot tell which instances it allows and says so rather than
// place the tasks as if it were absent.
func checkCapacityProviderStrategy(o object, launchType string) error {
	items, p, err := o.array("capacityProviderStrategy")
	if err != nil || len(items) == 0 {
		return err
	}
	if launchType != "" {
		return errorf(p, "given with launchType %s: Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again. (ECS's InvalidParameterException)", launchType)
	}
	return errorf(p, "%d items: berth does not model capacity providers for a snapshot; give a launchType (EC2, EXTERNAL or FARGATE) instead", len(items))
}

// readNetworkConfiguration reads networkConfiguration's
// awsvpcConfiguration.subnets, the part placement needs (their zones).
func (req *RunTaskRequest) readNetworkConfiguration(o object) error {
	nc, ok, err := o.object("networkConfiguration")
	if !ok || err != nil {
		return err
	}
	req.NetworkConfiguration = true
	vpc, ok, err := nc.object("awsvpcConfiguration")
	if !ok || err != nil {
		return err
	}
	elems, p, err := vpc.array("subnets")
	if err != nil {
		return err
	}
	if len(elems) > MaxSubnets {
		return errorf(p, "%d subnets, at most %d allowed", len(elems), MaxSubnets)
	}
	for i, raw := range elems {
		s, err := asString(raw, elem(p, i))
		if err != nil {
			return err
		}
		req.Subnets = append(req.Subnets, s)
	}
	return nil
}

func (req *RunTaskRequest) readTaskDefinition(o object) error {
	s, err := o.arn("taskDefinition")
	if err != nil {
		return err
	}
	p := field(o.path, "taskDefinition")
	req.TaskDefinition = s
	ref := s
	if strings.HasPrefix(s, "arn:") {
		_, rest, ok := strings.Cut(s, ":task-definition/")
		if !ok || strings.Count(s[:len(s)-len(rest)], ":") != 5 {
			return errorf(p, "%q is not a task definition ARN: expected arn:<partition>:ecs:<region>:<account>:task-definition/<family>[:<revision>]", shorten(s, 80))
		}
		ref = rest
	}
	family, rev, hasRev := strings.Cut(ref, ":")
	if family == "" {
		return errorf(p, "%q names no family: expected family, family:revision or an ARN", shorten(s, 80))
	}
	if len(family) > 255 {
		return errorf(p, "family of %d characters, at most 255 allowed", len(family))
	}
	for _, r := range family {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return errorf(p, "family %q has %q, expected letters, digits, _ and -", shorten(family, 40), r)
		}
	}
	req.Family = family
	if hasRev {
		n, err := strconv.Atoi(rev)
		if err != nil || n < 1 || strings.HasPrefix(rev, "+") {
			return errorf(p, "revision %q in %q: expected a positive integer", shorten(rev, 40), shorten(s, 80))
		}
		req.Revision = n
	}
	return nil
}

func (req *RunTaskRequest) readStartedBy(o object) error {
	s, _, err := o.string("startedBy")
	if err != nil {
		return err
	}
	p := field(o.path, "startedBy")
	if len(s) > MaxStartedByLength {
		return errorf(p, "%d characters, at most %d allowed", len(s), MaxStartedByLength)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '/' || r == '_') {
			return errorf(p, "%q has %q, expected letters, digits, -, / and _", shorten(s, 40), r)
		}
	}
	req.StartedBy = s
	return nil
}

func readStrategies(o object) ([]placement.Strategy, error) {
	elems, p, err := o.array("placementStrategy")
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	if len(elems) > placement.MaxStrategies {
		return nil, errorf(p, "%d strategies, at most %d allowed", len(elems), placement.MaxStrategies)
	}
	ss := make([]placement.Strategy, len(elems))
	for i, raw := range elems {
		so, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		typ, err := so.enum("type", "", "binpack", "random", "spread")
		if err != nil {
			return nil, err
		}
		if typ == "" {
			return nil, missing(field(so.path, "type"))
		}
		f, _, err := so.string("field")
		if err != nil {
			return nil, err
		}
		if ss[i], err = placement.ParseStrategy(typ, f); err != nil {
			return nil, strategyError(field(so.path, "field"), typ, f)
		}
	}
	return ss, nil
}

// strategyError says what field a strategy type takes.
func strategyError(p, typ, f string) error {
	switch typ {
	case "binpack":
		return errorf(p, "expected cpu or memory for binpack, found %q", shorten(f, 40))
	case "random":
		return errorf(p, "random takes no field, found %q", shorten(f, 40))
	}
	if len(f) > 255 {
		return errorf(p, "%d characters, at most 255 allowed", len(f))
	}
	return errorf(p, "expected instanceId, host or attribute:<name> for spread, found %q", shorten(f, 40))
}

// Request returns the placement request that runs req's tasks of td: the
// default group when req names none, td's memberOf constraints joined by
// req's (at most placement.MaxConstraints together), req's strategies.
// An awsvpc td needs req's networkConfiguration, as ECS's RunTask does;
// the caller resolves req.Subnets to the request's Zones (see
// Snapshot.Zones).
//
// req.TaskDefinition must name td: the same family and, when both give
// one, the same revision. A family alone names the latest ACTIVE revision,
// which td is taken to be. Errors hold a *fielderr.Error naming the request's
// field.
func (req *RunTaskRequest) Request(td *placement.TaskDefinition) (_ *placement.Request, err error) {
	defer prefix(&err)
	switch {
	case req.Family != td.Family:
		return nil, errorf("taskDefinition", "%q names family %q, but the task definition's family is %q", shorten(req.TaskDefinition, 80), req.Family, td.Family)
	case req.Revision != 0 && td.Revision != 0 && req.Revision != td.Revision:
		return nil, errorf("taskDefinition", "%q names revision %d, but the task definition is %s:%d", shorten(req.TaskDefinition, 80), req.Revision, td.Family, td.Revision)
	}
	if td.NetworkMode == placement.NetworkAwsvpc && !req.NetworkConfiguration {
		return nil, errorf("networkConfiguration", errAWSVPCNeedsNetwork)
	}
	if n, m := len(td.PlacementConstraints), len(req.PlacementConstraints); n+m > placement.MaxConstraints {
		return nil, errorf("placementConstraints", "%d constraints and the task definition's %d make %d, at most %d allowed", m, n, n+m, placement.MaxConstraints)
	}
	lt := placement.LaunchType(req.LaunchType)
	if err := td.Supports(lt); err != nil {
		return nil, validationError("", err) // launchType: ..., wrapping placement.ErrIncompatibleLaunchType
	}
	if lt == placement.LaunchTypeFargate {
		// ECS rejects placement constraints and strategies for Fargate
		// tasks, which AWS places across zones itself.
		switch {
		case len(req.PlacementConstraints) > 0:
			return nil, errorf("placementConstraints", "%d constraints: FARGATE tasks take none", len(req.PlacementConstraints))
		case len(td.PlacementConstraints) > 0:
			return nil, errorf("placementConstraints", "the task definition's %d memberOf constraints: FARGATE tasks take none", len(td.PlacementConstraints))
		case len(req.PlacementStrategy) > 0:
			return nil, errorf("placementStrategy", "%d strategies: FARGATE tasks take none", len(req.PlacementStrategy))
		}
	}
	pr := td.Request(req.Count, req.Group, req.PlacementConstraints, req.PlacementStrategy)
	if err := pr.Validate(); err != nil {
		return nil, validationError("", err)
	}
	pr.LaunchType = lt // after Validate: a FARGATE request is not placed, but answered
	return pr, nil
}
