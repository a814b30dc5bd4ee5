package ecsjson

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/internal/jsondoc"
)

// The values ECS documents for the status fields.
var (
	instanceStatuses = []string{"REGISTERING", "REGISTRATION_FAILED", "ACTIVE", "INACTIVE", "DEREGISTERING", "DRAINING"}
	lastStatuses     = []string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED", "DELETED"}
	desiredStatuses  = []string{"PENDING", "RUNNING", "STOPPED"}
	resourceTypes    = []string{"INTEGER", "LONG", "DOUBLE", "STRINGSET"}
)

// Limits of a snapshot, far beyond any real cluster: the document may be
// up to 4 GiB, and is read one instance or task at a time, so that memory
// stays proportional to the snapshot read rather than to its text.
const (
	maxSnapshotBytes = 4 << 30
	maxInstances     = 1 << 20
	maxTasks         = 1 << 22
)

var snapshotLimits = jsondoc.Limits{MaxBytes: maxSnapshotBytes, MaxValues: 1 << 20}

// ReadSnapshot reads a snapshot document (see the package documentation)
// from r. Any error in the document is a *fielderr.Error naming the JSON path; an
// error reading r is one too, wrapping it.
func ReadSnapshot(r io.Reader) (_ *Snapshot, err error) {
	defer prefix(&err)
	d := jsondoc.NewReader(r, "", snapshotLimits)
	if err := d.Begin(); err != nil {
		return nil, err
	}
	if kind, err := d.Peek(); err != nil {
		return nil, err
	} else if kind != jsondoc.Object {
		n, err := d.Value()
		if err != nil {
			return nil, err
		}
		return nil, wrongType("", "an object", n.Any())
	}
	s := &Snapshot{}
	var reports []reported
	var hasInstances bool
	derr := d.Object(func(key string, _ jsondoc.Pos) error {
		switch key {
		case "containerInstances":
			hasInstances = true
			reports, err = s.readInstances(d)
		case "tasks":
			err = s.readTasks(d)
		default:
			return d.Skip()
		}
		if err != nil {
			return errStop
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if derr == nil {
		derr = d.End()
	}
	if derr != nil {
		return nil, derr
	}
	if !hasInstances {
		return nil, missing("containerInstances")
	}
	if err := s.checkTasks(); err != nil {
		return nil, err
	}
	s.link(reports)
	return s, nil
}

// errStop stops a jsondoc walk whose callback kept its own error.
var errStop = errors.New("stop")

// readArray reads the array at d, at most max elements, each as a tree
// passed to read with its path.
func readArray(d *jsondoc.Reader, p string, max int, read func(raw any, p string) error) error {
	var err error
	derr := d.Array(func(i int) error {
		if i >= max {
			err = errorf(p, "more than the limit of %d elements", max)
			return errStop
		}
		n, derr := d.Value()
		if derr != nil {
			return derr
		}
		if err = read(n.Any(), elem(p, i)); err != nil {
			return errStop
		}
		return nil
	})
	if err != nil {
		return err
	}
	return derr
}

// reported records which task counts an instance's document gave.
type reported struct{ running, pending bool }

func (s *Snapshot) readInstances(d *jsondoc.Reader) ([]reported, error) {
	const p = "containerInstances"
	if err := nullOrArray(d, p); err == errNull {
		return nil, missing(p)
	} else if err != nil {
		return nil, err
	}
	seen := make(map[string]int)
	s.ContainerInstances = []ContainerInstance{}
	var reports []reported
	err := readArray(d, p, maxInstances, func(raw any, ep string) error {
		var c ContainerInstance
		rep, err := c.read(raw, ep)
		if err != nil {
			return err
		}
		if j, dup := seen[c.ARN]; dup {
			return errorf(ep+".containerInstanceArn", "duplicate %q (also %s)", c.ARN, elem(p, j))
		}
		seen[c.ARN] = len(s.ContainerInstances)
		s.ContainerInstances = append(s.ContainerInstances, c)
		reports = append(reports, rep)
		return nil
	})
	return reports, err
}

// nullOrArray checks that the value at d is an array (or null, which
// counts as absent and is read here), with the error of asArray.
func nullOrArray(d *jsondoc.Reader, p string) error {
	kind, err := d.Peek()
	if err != nil {
		return err
	}
	if kind == jsondoc.Array {
		return nil
	}
	n, err := d.Value()
	if err != nil {
		return err
	}
	if kind == jsondoc.Null {
		return errNull
	}
	return wrongType(p, "an array", n.Any())
}

// errNull reports a null array: absent.
var errNull = errors.New("null")

func (c *ContainerInstance) read(raw any, p string) (rep reported, err error) {
	o, err := asObject(raw, p)
	if err != nil {
		return rep, err
	}
	return rep, c.readFields(o, &rep)
}

func (c *ContainerInstance) readFields(o object, rep *reported) error {
	var err error
	if c.ARN, err = o.arn("containerInstanceArn"); err != nil {
		return err
	}
	if c.InstanceID, _, err = o.string("ec2InstanceId"); err != nil {
		return err
	}
	if c.Status, err = o.enum("status", "ACTIVE", instanceStatuses...); err != nil {
		return err
	}
	if c.Connected, err = o.bool("agentConnected", true); err != nil {
		return err
	}
	// Counts the document omits are filled in by link, from the tasks.
	if c.RunningCount, rep.running, err = o.count("runningTasksCount"); err != nil {
		return err
	}
	if c.PendingCount, rep.pending, err = o.count("pendingTasksCount"); err != nil {
		return err
	}
	if v, p, ok := o.get("registeredAt"); ok {
		if c.Registered, err = parseTime(v, p); err != nil {
			return err
		}
	}
	if err := c.VersionInfo.read(o); err != nil {
		return err
	}
	if c.Attributes, err = readAttributes(o); err != nil {
		return err
	}
	if c.RegisteredResources, err = readResources(o, "registeredResources"); err != nil {
		return err
	}
	c.RemainingResources, err = readResources(o, "remainingResources")
	return err
}

func (v *VersionInfo) read(instance object) error {
	o, ok, err := instance.object("versionInfo")
	if err != nil || !ok {
		return err
	}
	if v.AgentVersion, _, err = o.string("agentVersion"); err != nil {
		return err
	}
	if v.AgentHash, _, err = o.string("agentHash"); err != nil {
		return err
	}
	v.DockerVersion, _, err = o.string("dockerVersion")
	return err
}

func readAttributes(instance object) ([]Attribute, error) {
	elems, p, err := instance.array("attributes")
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	attrs := make([]Attribute, len(elems))
	seen := make(map[string]int, len(elems))
	for i, raw := range elems {
		o, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		a := &attrs[i]
		if a.Name, err = o.arn("name"); err != nil {
			return nil, err
		}
		if j, dup := seen[a.Name]; dup {
			return nil, errorf(o.path+".name", "duplicate %q (also %s)", a.Name, elem(p, j))
		}
		seen[a.Name] = i
		if a.Value, a.HasValue, err = o.string("value"); err != nil {
			return nil, err
		}
	}
	return attrs, nil
}

// parseTime parses registeredAt: an ISO-8601 string as the AWS CLI prints
// it ("2024-03-01T12:34:56.789000+00:00"; without a zone it is UTC) or
// epoch seconds, maybe fractional, as the API and older CLIs give it.
func parseTime(v any, p string) (time.Time, error) {
	switch v := v.(type) {
	case string:
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC(), nil
			}
		}
	case json.Number:
		if t, ok := parseEpoch(string(v)); ok {
			return t, nil
		}
	}
	return time.Time{}, errorf(p, "%s is not an ISO-8601 time or epoch seconds", found(v))
}

// parseEpoch converts a JSON number literal of epoch seconds to a time,
// exactly to the nanosecond (digits beyond are truncated). It refuses
// values of 1e11 seconds (year 5138) or more, and absurd exponents.
func parseEpoch(lit string) (time.Time, bool) {
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	mant, exp := lit, 0
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		e, err := strconv.Atoi(lit[i+1:])
		if err != nil || e < -1000 || e > 1000 {
			return time.Time{}, false
		}
		mant, exp = lit[:i], e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return time.Unix(0, 0).UTC(), true
	}
	// The value is digits x 10^(exp - len(frac)); n is the number of its
	// integer digits (negative when it starts with zeros after the point).
	n := len(digits) + exp - len(frac)
	var secs, fracs string
	switch {
	case n > 11:
		return time.Time{}, false
	case n < -9:
		// Below a nanosecond.
	case n <= 0:
		fracs = strings.Repeat("0", -n) + digits
	case n >= len(digits):
		secs = digits + strings.Repeat("0", n-len(digits))
	default:
		secs, fracs = digits[:n], digits[n:]
	}
	sec, _ := strconv.ParseInt("0"+secs, 10, 64)
	nsec, _ := strconv.ParseInt((fracs + "000000000")[:9], 10, 64)
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

// readResources reads a registeredResources or remainingResources list.
func readResources(instance object, key string) (Resources, error) {
	var rs Resources
	elems, p, err := instance.array(key)
	if err != nil {
		return rs, err
	}
	seen := make(map[string]int, len(elems))
	for i, raw := range elems {
		ep := elem(p, i)
		r, err := readResource(raw, ep)
		if err != nil {
			return rs, err
		}
		if j, dup := seen[r.Name]; dup {
			return rs, errorf(ep+".name", "duplicate %q (also %s)", r.Name, elem(p, j))
		}
		seen[r.Name] = i
		if err := rs.set(r, ep); err != nil {
			return rs, err
		}
	}
	return rs, nil
}

// readResource reads one {name, type, integerValue|longValue|doubleValue|
// stringSetValue}. The value is read from the field its type names; the
// CLI prints the others as zeros, and they are ignored. Without a type,
// the type is that of the value field present.
func readResource(raw any, p string) (Resource, error) {
	var r Resource
	o, err := asObject(raw, p)
	if err != nil {
		return r, err
	}
	if r.Name, err = o.arn("name"); err != nil {
		return r, err
	}
	if r.Type, err = o.enum("type", "", resourceTypes...); err != nil {
		return r, err
	}
	if r.Type == "" {
		for _, t := range []string{"STRINGSET", "INTEGER", "LONG", "DOUBLE"} {
			if _, _, ok := o.get(valueKey(t)); ok {
				r.Type = t
				break
			}
		}
		if r.Type == "" {
			return r, missing(field(p, "type"))
		}
	}
	key := valueKey(r.Type)
	v, vp, ok := o.get(key)
	if !ok && r.Type != "STRINGSET" {
		return r, missing(vp)
	}
	switch r.Type {
	case "INTEGER":
		r.Integer, err = integer(v, vp, math.MinInt32, math.MaxInt32)
	case "LONG":
		r.Integer, err = integer(v, vp, math.MinInt64, math.MaxInt64)
	case "DOUBLE":
		r.Double, err = double(v, vp)
	case "STRINGSET":
		r.StringSet, err = stringSet(o, key)
	}
	return r, err
}

// valueKey returns the field that holds a value of resource type t.
func valueKey(t string) string {
	switch t {
	case "INTEGER":
		return "integerValue"
	case "LONG":
		return "longValue"
	case "DOUBLE":
		return "doubleValue"
	}
	return "stringSetValue"
}

func double(v any, p string) (float64, error) {
	lit, err := number(v, p, "a number")
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return 0, errorf(p, "%s is out of range", shorten(lit, 40))
	}
	return f, nil
}

// stringSet reads an array of strings; nil when absent or empty.
func stringSet(o object, key string) ([]string, error) {
	elems, p, err := o.array(key)
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	set := make([]string, len(elems))
	for i, raw := range elems {
		if set[i], err = asString(raw, elem(p, i)); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// set stores r, read at path p, in the field its name selects.
func (rs *Resources) set(r Resource, p string) error {
	var err error
	switch r.Name {
	case "CPU":
		rs.CPU, err = amount(r, p)
	case "MEMORY":
		rs.MemoryMiB, err = amount(r, p)
	case "PORTS":
		rs.Ports, err = ports(r, p)
	case "PORTS_UDP":
		rs.PortsUDP, err = ports(r, p)
	case "GPU":
		if r.Type != "STRINGSET" {
			return errorf(field(p, "type"), "expected STRINGSET for GPU, found %q", r.Type)
		}
		rs.GPUs = r.StringSet
	default:
		rs.Other = append(rs.Other, r)
	}
	return err
}

// amount checks that a CPU or MEMORY resource is a non-negative integer.
func amount(r Resource, p string) (int, error) {
	if r.Type != "INTEGER" && r.Type != "LONG" {
		return 0, errorf(field(p, "type"), "expected INTEGER for %s, found %q", r.Name, r.Type)
	}
	if r.Integer < 0 || r.Integer > math.MaxInt32 {
		return 0, errorf(field(p, valueKey(r.Type)),
			"expected an integer from 0 to %d, found %d", math.MaxInt32, r.Integer)
	}
	return int(r.Integer), nil
}

// ports converts a PORTS or PORTS_UDP string set to sorted, distinct port
// numbers.
func ports(r Resource, p string) ([]uint16, error) {
	if r.Type != "STRINGSET" {
		return nil, errorf(field(p, "type"), "expected STRINGSET for %s, found %q", r.Name, r.Type)
	}
	if len(r.StringSet) == 0 {
		return nil, nil
	}
	out := make([]uint16, 0, len(r.StringSet))
	for i, s := range r.StringSet {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return nil, errorf(elem(field(p, "stringSetValue"), i), "%q is not a port number 0-65535", shorten(s, 40))
		}
		out = append(out, uint16(n))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	n := 1
	for _, v := range out[1:] {
		if v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n], nil
}

func (s *Snapshot) readTasks(d *jsondoc.Reader) error {
	const p = "tasks"
	if err := nullOrArray(d, p); err != nil {
		if err == errNull {
			return nil
		}
		return err
	}
	s.Tasks = s.Tasks[:0]
	return readArray(d, p, maxTasks, func(raw any, tp string) error {
		var t Task
		if err := t.read(raw, tp); err != nil {
			return err
		}
		s.Tasks = append(s.Tasks, t)
		return nil
	})
}

// checkTasks checks what needs the whole snapshot: distinct task ARNs and
// instances that exist.
func (s *Snapshot) checkTasks() error {
	const p = "tasks"
	instances := make(map[string]bool, len(s.ContainerInstances))
	for i := range s.ContainerInstances {
		instances[s.ContainerInstances[i].ARN] = true
	}
	seen := make(map[string]int, len(s.Tasks))
	for i := range s.Tasks {
		t := &s.Tasks[i]
		tp := elem(p, i)
		if j, dup := seen[t.ARN]; dup {
			return errorf(tp+".taskArn", "duplicate %q (also %s)", t.ARN, elem(p, j))
		}
		seen[t.ARN] = i
		if t.ContainerInstanceARN != "" && !instances[t.ContainerInstanceARN] {
			return errorf(tp+".containerInstanceArn", "%q names no instance of containerInstances", t.ContainerInstanceARN)
		}
	}
	return nil
}

func (t *Task) read(raw any, p string) error {
	o, err := asObject(raw, p)
	if err != nil {
		return err
	}
	if t.ARN, err = o.arn("taskArn"); err != nil {
		return err
	}
	if t.ContainerInstanceARN, _, err = o.string("containerInstanceArn"); err != nil {
		return err
	}
	if t.TaskDefinitionARN, _, err = o.string("taskDefinitionArn"); err != nil {
		return err
	}
	var hasGroup bool
	if t.Group, hasGroup, err = o.string("group"); err != nil {
		return err
	}
	if !hasGroup {
		t.Group = defaultGroup(t.TaskDefinitionARN)
	}
	if t.LastStatus, err = o.enum("lastStatus", "RUNNING", lastStatuses...); err != nil {
		return err
	}
	if t.DesiredStatus, err = o.enum("desiredStatus", "RUNNING", desiredStatuses...); err != nil {
		return err
	}
	if t.CPU, err = o.quantity("cpu"); err != nil {
		return err
	}
	if t.MemoryMiB, err = o.quantity("memory"); err != nil {
		return err
	}
	if t.ENI, err = hasENIAttachment(o); err != nil {
		return err
	}
	elems, cp, err := o.array("containers")
	if err != nil || len(elems) == 0 {
		return err
	}
	t.Containers = make([]Container, len(elems))
	for i, raw := range elems {
		if err := t.Containers[i].read(raw, elem(cp, i)); err != nil {
			return err
		}
	}
	return nil
}

// hasENIAttachment reports whether a task's attachments hold one of type
// ElasticNetworkInterface, which describe-tasks lists for an awsvpc task.
func hasENIAttachment(task object) (bool, error) {
	elems, p, err := task.array("attachments")
	if err != nil {
		return false, err
	}
	found := false
	for i, raw := range elems {
		a, err := asObject(raw, elem(p, i))
		if err != nil {
			return false, err
		}
		typ, _, err := a.string("type")
		if err != nil {
			return false, err
		}
		found = found || typ == "ElasticNetworkInterface"
	}
	return found, nil
}

// defaultGroup is ECS's group for a standalone task: "family:<family>",
// the family taken from a task definition ARN such as
// "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7".
func defaultGroup(taskDefinitionARN string) string {
	_, rest, ok := strings.Cut(taskDefinitionARN, "task-definition/")
	if !ok {
		return ""
	}
	family, _, _ := strings.Cut(rest, ":")
	if family == "" {
		return ""
	}
	return "family:" + family
}

func (c *Container) read(raw any, p string) error {
	o, err := asObject(raw, p)
	if err != nil {
		return err
	}
	if c.Name, _, err = o.string("name"); err != nil {
		return err
	}
	if c.CPU, err = o.quantity("cpu"); err != nil {
		return err
	}
	if c.MemoryMiB, err = o.quantity("memory"); err != nil {
		return err
	}
	if c.MemoryReservationMiB, err = o.quantity("memoryReservation"); err != nil {
		return err
	}
	if c.GPUIDs, err = stringSet(o, "gpuIds"); err != nil {
		return err
	}
	elems, bp, err := o.array("networkBindings")
	if err != nil || len(elems) == 0 {
		return err
	}
	c.NetworkBindings = make([]NetworkBinding, len(elems))
	for i, raw := range elems {
		if err := c.NetworkBindings[i].read(raw, elem(bp, i)); err != nil {
			return err
		}
	}
	return nil
}

func (b *NetworkBinding) read(raw any, p string) error {
	o, err := asObject(raw, p)
	if err != nil {
		return err
	}
	if b.HostPort, err = port(o, "hostPort"); err != nil {
		return err
	}
	if b.ContainerPort, err = port(o, "containerPort"); err != nil {
		return err
	}
	b.Protocol, err = o.enum("protocol", "tcp", "tcp", "udp")
	return err
}

func port(o object, key string) (uint16, error) {
	v, p, ok := o.get(key)
	if !ok {
		return 0, nil
	}
	lit, err := number(v, p, "a port number")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(lit, 10, 16)
	if err != nil {
		return 0, errorf(p, "%s is not a port number 0-65535", shorten(lit, 40))
	}
	return uint16(n), nil
}

// link derives from the tasks what each instance reports about them: the
// groups that count for task:group, and the task counts the document
// omits (runningTasksCount from the tasks whose desiredStatus is
// RUNNING, pendingTasksCount from those whose lastStatus is PENDING).
func (s *Snapshot) link(reports []reported) {
	index := make(map[string]int, len(s.ContainerInstances))
	for i := range s.ContainerInstances {
		index[s.ContainerInstances[i].ARN] = i
	}
	running := make([]int, len(s.ContainerInstances))
	pending := make([]int, len(s.ContainerInstances))
	for i := range s.Tasks {
		t := &s.Tasks[i]
		j, ok := index[t.ContainerInstanceARN]
		if !ok {
			continue
		}
		c := &s.ContainerInstances[j]
		if t.DesiredStatus == "RUNNING" {
			running[j]++
		}
		if t.LastStatus == "PENDING" {
			pending[j]++
		}
		if countsForGroup(t.LastStatus) && t.Group != "" && !contains(c.groups, t.Group) {
			c.groups = append(c.groups, t.Group)
		}
	}
	for i, rep := range reports {
		c := &s.ContainerInstances[i]
		if !rep.running {
			c.RunningCount = running[i]
		}
		if !rep.pending {
			c.PendingCount = pending[i]
		}
	}
}

// countsForGroup reports whether a task in this lastStatus counts for
// task:group: it holds (or is about to hold) a place on its instance.
func countsForGroup(lastStatus string) bool {
	return lastStatus == "PENDING" || lastStatus == "ACTIVATING" || lastStatus == "RUNNING"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
