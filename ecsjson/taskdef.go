package ecsjson

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/cql"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/placement"
)

// readDocument reads r whole (within jsondoc.DefaultLimits) and returns
// its top-level JSON object.
func readDocument(r io.Reader) (object, error) {
	n, err := jsondoc.ReadDocument(r, "", jsondoc.DefaultLimits)
	if err != nil {
		return object{}, err
	}
	return asObject(n.Any(), "")
}

// ReadTaskDefinition reads a task definition from r: the input document of
// RegisterTaskDefinition (`aws ecs register-task-definition
// --cli-input-json`), or the output of describe-task-definition, whose
// definition is under the key "taskDefinition". It reads what placement
// needs (see the package documentation) and checks the result with
// placement.TaskDefinition.Validate. Every error is a *fielderr.Error naming the
// JSON path, Validate's included.
func ReadTaskDefinition(r io.Reader) (_ *placement.TaskDefinition, err error) {
	defer prefix(&err)
	root, err := readDocument(r)
	if err != nil {
		return nil, err
	}
	registered := false // a describe-task-definition output: ECS derived requiresAttributes
	if o, ok, err := root.object("taskDefinition"); err != nil {
		return nil, err
	} else if ok {
		root, registered = o, true
	}
	td, err := readTaskDefinition(root)
	if err != nil {
		return nil, err
	}
	_, _, arn := root.get("taskDefinitionArn")
	_, _, printed := root.get("requiresAttributes")
	if !registered && !arn && !printed {
		// A RegisterTaskDefinition input: add what ECS adds on registering.
		td.RequiresAttributes = td.DerivedAttributes()
	}
	if err := td.Validate(); err != nil {
		return nil, validationError(root.path, err)
	}
	return td, nil
}

// validationError puts an error of placement's Validate methods, a
// *fielderr.Error with the field's path, under root.
func validationError(root string, err error) error { return fielderr.Wrap(root, err) }

func readTaskDefinition(o object) (*placement.TaskDefinition, error) {
	td := &placement.TaskDefinition{}
	var err error
	if td.Family, err = o.arn("family"); err != nil {
		return nil, err
	}
	if v, p, ok := o.get("revision"); ok {
		n, err := integer(v, p, 1, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		td.Revision = int(n)
	}
	if td.RequiresCompatibilities, err = readLaunchTypes(o, "requiresCompatibilities", "EC2", "EXTERNAL", "FARGATE"); err != nil {
		return nil, err
	}
	if td.Compatibilities, err = readLaunchTypes(o, "compatibilities", "EC2", "EXTERNAL", "FARGATE", "MANAGED_INSTANCES"); err != nil {
		return nil, err
	}
	if td.CPU, err = taskSize(o, "cpu", "vcpu", 1024); err != nil {
		return nil, err
	}
	if td.MemoryMiB, err = taskSize(o, "memory", "gb", 1024); err != nil {
		return nil, err
	}
	mode, err := o.enum("networkMode", "", "bridge", "host", "awsvpc", "none")
	if err != nil {
		return nil, err
	}
	td.NetworkMode = placement.NetworkMode(mode)
	if td.Containers, err = readContainerDefinitions(o); err != nil {
		return nil, err
	}
	if td.PlacementConstraints, err = readConstraints(o, "placementConstraints", false); err != nil {
		return nil, err
	}
	if td.RequiresAttributes, err = readRequiredAttributes(o); err != nil {
		return nil, err
	}
	if err := readUsage(o, &td.Usage); err != nil {
		return nil, err
	}
	return td, nil
}

// readUsage reads the task-level fields from which ECS derives
// requiresAttributes: taskRoleArn, executionRoleArn, pidMode, ipcMode and
// EFS volumes.
func readUsage(o object, u *placement.Usage) error {
	var err error
	if u.TaskRoleARN, _, err = o.string("taskRoleArn"); err != nil {
		return err
	}
	if u.ExecutionRoleARN, _, err = o.string("executionRoleArn"); err != nil {
		return err
	}
	pid, err := o.enum("pidMode", "", "host", "task")
	if err != nil {
		return err
	}
	ipc, err := o.enum("ipcMode", "", "host", "task", "none")
	if err != nil {
		return err
	}
	u.NamespaceSharing = pid != "" || ipc != ""
	elems, p, err := o.array("volumes")
	if err != nil {
		return err
	}
	for i, raw := range elems {
		vo, err := asObject(raw, elem(p, i))
		if err != nil {
			return err
		}
		efs, ok, err := vo.object("efsVolumeConfiguration")
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		transit, err := efs.enum("transitEncryption", "DISABLED", "ENABLED", "DISABLED")
		if err != nil {
			return err
		}
		_, auth, err := efs.object("authorizationConfig")
		if err != nil {
			return err
		}
		u.EFSVolumes = append(u.EFSVolumes, placement.EFSVolume{Auth: auth || transit == "ENABLED"})
	}
	return nil
}

// readContainerUsage reads the container fields from which ECS derives
// requiresAttributes, as the AWS CLI prints them.
func readContainerUsage(o object, u *placement.ContainerUsage) error {
	var err error
	if u.Image, _, err = o.string("image"); err != nil {
		return err
	}
	if lc, ok, err := o.object("logConfiguration"); err != nil {
		return err
	} else if ok {
		if u.LogDriver, err = lc.enum("logDriver", "", "json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens"); err != nil {
			return err
		}
		if u.LogDriver == "" {
			return missing(field(lc.path, "logDriver"))
		}
		if u.LogOptions, err = hasEntries(lc, "options"); err != nil {
			return err
		}
		if u.LogSecrets, err = valuesFrom(lc, "secretOptions"); err != nil {
			return err
		}
	}
	if fc, ok, err := o.object("firelensConfiguration"); err != nil {
		return err
	} else if ok {
		if u.FireLensType, err = fc.enum("type", "", "fluentd", "fluentbit"); err != nil {
			return err
		}
		if u.FireLensType == "" {
			return missing(field(fc.path, "type"))
		}
		if opts, ok, err := fc.object("options"); err != nil {
			return err
		} else if ok {
			if u.FireLensConfigType, err = opts.enum("config-file-type", "", "file", "s3"); err != nil {
				return err
			}
		}
	}
	if u.Secrets, err = valuesFrom(o, "secrets"); err != nil {
		return err
	}
	if _, u.RepositoryCredentials, err = o.object("repositoryCredentials"); err != nil {
		return err
	}
	if _, u.HealthCheck, err = o.object("healthCheck"); err != nil {
		return err
	}
	if u.DockerLabels, err = hasEntries(o, "dockerLabels"); err != nil {
		return err
	}
	if u.Ulimits, err = hasEntries(o, "ulimits"); err != nil {
		return err
	}
	if u.ExtraHosts, err = hasEntries(o, "extraHosts"); err != nil {
		return err
	}
	if u.Privileged, err = o.bool("privileged", false); err != nil {
		return err
	}
	if lp, ok, err := o.object("linuxParameters"); err != nil {
		return err
	} else if ok {
		if u.InitProcessEnabled, err = lp.bool("initProcessEnabled", false); err != nil {
			return err
		}
	}
	return nil
}

// hasEntries reports whether the object or array at key has an entry:
// ECS derives nothing from an empty one, as the console writes
// "ulimits": [].
func hasEntries(o object, key string) (bool, error) {
	v, p, ok := o.get(key)
	if !ok {
		return false, nil
	}
	switch v := v.(type) {
	case map[string]any:
		return len(v) > 0, nil
	case []any:
		return len(v) > 0, nil
	}
	return false, wrongType(p, "an object or an array", v)
}

// valuesFrom returns the valueFrom of each {name, valueFrom} at key.
func valuesFrom(o object, key string) ([]string, error) {
	elems, p, err := o.array(key)
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, raw := range elems {
		so, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		if out[i], err = so.arn("valueFrom"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readLaunchTypes reads a list of launch types at key, each one of
// allowed and given at most once.
func readLaunchTypes(o object, key string, allowed ...string) ([]placement.LaunchType, error) {
	list, err := stringSet(o, key)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	out := make([]placement.LaunchType, len(list))
	for i, c := range list {
		if !slices.Contains(allowed, c) {
			return nil, errorf(elem(field(o.path, key), i), "%q: expected one of %s", c, strings.Join(allowed, ", "))
		}
		if slices.Contains(list[:i], c) {
			return nil, errorf(elem(field(o.path, key), i), "%q given twice", c)
		}
		out[i] = placement.LaunchType(c)
	}
	return out, nil
}

// taskSize reads a task-level cpu (in CPU units) or memory (in MiB): a
// number, a string of digits, or a string with a unit, "1 vCPU" or "1GB"
// (case and the space do not matter; fractions such as "0.5 GB" are
// accepted when they give a whole number). unit is the lowercase unit and
// per how many CPU units or MiB one of it is. 0 when absent.
func taskSize(o object, key, unit string, per int64) (int64, error) {
	v, p, ok := o.get(key)
	if !ok {
		return 0, nil
	}
	switch v := v.(type) {
	case json.Number:
		return parseInteger(string(v), string(v), p, 0, math.MaxInt32)
	case string:
		s := strings.TrimSpace(v)
		if len(s) > len(unit) && strings.EqualFold(s[len(s)-len(unit):], unit) {
			num := strings.TrimSpace(s[:len(s)-len(unit)])
			if n, ok := scaled(num, per); ok {
				return n, nil
			}
			return 0, errorf(p, "%s is not a whole number of units: expected such as \"1 %s\" (%d) or %q", found(v), unitName(unit), per, strconv.FormatInt(per, 10))
		}
		return parseInteger(s, found(v), p, 0, math.MaxInt32)
	}
	return 0, wrongType(p, "a number or a string", v)
}

func unitName(unit string) string {
	if unit == "vcpu" {
		return "vCPU"
	}
	return "GB"
}

// scaled returns the decimal num (digits with at most one '.') times per
// when that is a whole number in 0..MaxInt32. The arithmetic is exact, in
// integers: a decimal with more fraction digits than a uint64 power of ten
// holds is refused.
func scaled(num string, per int64) (int64, bool) {
	if num == "" || len(num) > 20 || per <= 0 {
		return 0, false
	}
	whole, frac, _ := strings.Cut(num, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" && frac == "" && !strings.ContainsAny(num, "0123456789") {
		return 0, false
	}
	w, ok := digits(whole)
	if !ok {
		return 0, false
	}
	f, ok := digits(frac)
	if !ok || len(frac) > 19 {
		return 0, false
	}
	pow := uint64(1)
	for range len(frac) {
		pow *= 10
	}
	// f < pow, so f*per / pow fits and Div64 cannot overflow.
	hi, lo := bits.Mul64(f, uint64(per))
	q, rem := bits.Div64(hi, lo, pow)
	if rem != 0 {
		return 0, false
	}
	hi, total := bits.Mul64(w, uint64(per))
	if hi != 0 || total > math.MaxInt32 || q > math.MaxInt32-total {
		return 0, false
	}
	return int64(total + q), true
}

// digits reads a run of decimal digits ("" is 0) that fits a uint64.
func digits(s string) (uint64, bool) {
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

func readContainerDefinitions(td object) ([]placement.ContainerDefinition, error) {
	elems, p, err := td.array("containerDefinitions")
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, errorf(p, "at least one container is required")
	}
	if len(elems) > placement.MaxContainers {
		return nil, errorf(p, "%d containers, at most %d allowed", len(elems), placement.MaxContainers)
	}
	cds := make([]placement.ContainerDefinition, len(elems))
	for i, raw := range elems {
		o, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		if err := readContainerDefinition(o, &cds[i]); err != nil {
			return nil, err
		}
	}
	return cds, nil
}

func readContainerDefinition(o object, cd *placement.ContainerDefinition) error {
	var err error
	if cd.Name, _, err = o.string("name"); err != nil {
		return err
	}
	var n int
	if n, err = o.integerQuantity("cpu"); err != nil {
		return err
	}
	cd.CPU = int64(n)
	if n, err = o.integerQuantity("memory"); err != nil {
		return err
	}
	cd.Memory = int64(n)
	if n, err = o.integerQuantity("memoryReservation"); err != nil {
		return err
	}
	cd.MemoryReservation = int64(n)
	if cd.Essential, err = o.bool("essential", true); err != nil {
		return err
	}
	if cd.PortMappings, err = readPortMappings(o); err != nil {
		return err
	}
	if err := readContainerUsage(o, &cd.Usage); err != nil {
		return err
	}
	return readResourceRequirements(o, cd)
}

// readPortMappings reads a container's portMappings. A mapping with a
// containerPortRange binds no static host port (its host ports are
// dynamic in bridge mode and on the task's ENI in awsvpc mode), so it is
// left out.
func readPortMappings(cd object) ([]placement.PortMapping, error) {
	elems, p, err := cd.array("portMappings")
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	var pms []placement.PortMapping
	for i, raw := range elems {
		o, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		if _, _, ok := o.get("containerPortRange"); ok {
			if _, _, err := o.string("containerPortRange"); err != nil {
				return nil, err
			}
			continue
		}
		var pm placement.PortMapping
		cp, err := port(o, "containerPort")
		if err != nil {
			return nil, err
		}
		if _, _, ok := o.get("containerPort"); !ok {
			return nil, missing(field(o.path, "containerPort"))
		}
		hp, err := port(o, "hostPort")
		if err != nil {
			return nil, err
		}
		pm.ContainerPort, pm.HostPort = int(cp), int(hp)
		if pm.Protocol, err = o.enum("protocol", "tcp", "tcp", "udp"); err != nil {
			return nil, err
		}
		pms = append(pms, pm)
	}
	return pms, nil
}

// readResourceRequirements reads a container's GPU requirement. The other
// resource types ECS knows (InferenceAccelerator, NeuronDevice) take no
// part in placement on container instances and are ignored.
func readResourceRequirements(cdo object, cd *placement.ContainerDefinition) error {
	elems, p, err := cdo.array("resourceRequirements")
	if err != nil {
		return err
	}
	gpu := ""
	for i, raw := range elems {
		o, err := asObject(raw, elem(p, i))
		if err != nil {
			return err
		}
		typ, err := o.enum("type", "", "GPU", "InferenceAccelerator", "NeuronDevice")
		if err != nil {
			return err
		}
		if typ == "" {
			return missing(field(o.path, "type"))
		}
		value, ok, err := o.string("value")
		if err != nil {
			return err
		}
		if !ok {
			return missing(field(o.path, "value"))
		}
		if typ != "GPU" {
			continue
		}
		if gpu != "" {
			return errorf(field(o.path, "type"), "GPU appears twice (also %s)", gpu)
		}
		gpu = elem(p, i)
		if value == "ALL" {
			cd.AllGPUs = true
			continue
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > placement.MaxGPUsPerInstance {
			return errorf(field(o.path, "value"), "expected a number of GPUs from 1 to %d or \"ALL\", found %q", placement.MaxGPUsPerInstance, shorten(value, 40))
		}
		cd.GPUs = n
	}
	return nil
}

// readConstraints reads placementConstraints: [{type, expression}], at
// most placement.MaxConstraints. A task definition (request false) takes
// memberOf only; a request also takes distinctInstance. Whether
// expression is absent or "" matters: see placement.ParseConstraint.
func readConstraints(o object, key string, request bool) ([]placement.Constraint, error) {
	elems, p, err := o.array(key)
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	if len(elems) > placement.MaxConstraints {
		return nil, errorf(p, "%d constraints, at most %d allowed", len(elems), placement.MaxConstraints)
	}
	cs := make([]placement.Constraint, len(elems))
	for i, raw := range elems {
		co, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		typ, err := co.enum("type", "", "distinctInstance", "memberOf")
		if err != nil {
			return nil, err
		}
		switch {
		case typ == "":
			return nil, missing(field(co.path, "type"))
		case typ == "distinctInstance" && !request:
			return nil, errorf(field(co.path, "type"), "constraint.type 'distinctInstance' is not supported")
		}
		var expr *string
		if s, ok, err := co.string("expression"); err != nil {
			return nil, err
		} else if ok {
			expr = &s
		}
		if typ == "memberOf" && (expr == nil || *expr == "") {
			return nil, errorf(field(co.path, "expression"), "an expression is required")
		}
		if cs[i], err = placement.ParseConstraint(typ, expr); err != nil {
			return nil, constraintError(field(co.path, "expression"), err)
		}
	}
	return cs, nil
}

// constraintError places an error of placement.ParseConstraint at the
// expression's path, keeping a CQL error's line and column.
func constraintError(p string, err error) error {
	var ce *cql.Error
	switch {
	case errors.As(err, &ce):
		return fielderr.Errorf(p, "%w", ce)
	case errors.Is(err, placement.ErrDistinctInstanceExpression):
		return fielderr.Errorf(p, "%w.", placement.ErrDistinctInstanceExpression)
	}
	return fielderr.Wrap(p, err)
}

func readRequiredAttributes(td object) ([]placement.Attribute, error) {
	elems, p, err := td.array("requiresAttributes")
	if err != nil || len(elems) == 0 {
		return nil, err
	}
	attrs := make([]placement.Attribute, len(elems))
	for i, raw := range elems {
		o, err := asObject(raw, elem(p, i))
		if err != nil {
			return nil, err
		}
		if attrs[i].Name, err = o.arn("name"); err != nil {
			return nil, err
		}
		if attrs[i].Value, _, err = o.string("value"); err != nil {
			return nil, err
		}
	}
	return attrs, nil
}
