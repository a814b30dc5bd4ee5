package scenario

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/placement"
)

// ECS's own fields of the documents a scenario accepts, as the AWS CLI
// prints them: true where berth models the field, false where it accepts
// and lists it as not modelled. A key in none of these tables, nor one of
// berth's own, is an unknown field.
var (
	// RegisterTaskDefinition's input and describe-task-definition's
	// taskDefinition. ecsjson reads the modelled ones.
	ecsTaskDefFields = map[string]bool{
		"family": true, "revision": true, "taskDefinitionArn": true, "cpu": true, "memory": true,
		"networkMode": true, "containerDefinitions": true, "volumes": true, "placementConstraints": true,
		"requiresCompatibilities": true, "compatibilities": true, "requiresAttributes": true,
		"taskRoleArn": true, "executionRoleArn": true, "pidMode": true, "ipcMode": true,
		"tags": false, "proxyConfiguration": false, "inferenceAccelerators": false, "ephemeralStorage": false,
		"runtimePlatform": false, "enableFaultInjection": false, "status": false, "registeredAt": false,
		"deregisteredAt": false, "registeredBy": false,
	}
	// A containerDefinitions element. ecsjson reads the modelled ones
	// (stopTimeout becomes the task's stopTimeout).
	ecsContainerFields = map[string]bool{
		"name": true, "image": true, "repositoryCredentials": true, "cpu": true, "memory": true,
		"memoryReservation": true, "portMappings": true, "essential": true, "linuxParameters": true,
		"secrets": true, "stopTimeout": true, "privileged": true, "extraHosts": true, "dockerLabels": true,
		"ulimits": true, "logConfiguration": true, "healthCheck": true, "resourceRequirements": true,
		"firelensConfiguration": true,
		"links":                 false, "restartPolicy": false, "entryPoint": false, "command": false, "environment": false,
		"environmentFiles": false, "mountPoints": false, "volumesFrom": false, "dependsOn": false,
		"startTimeout": false, "versionConsistency": false, "hostname": false, "user": false,
		"workingDirectory": false, "disableNetworking": false, "readonlyRootFilesystem": false,
		"dnsServers": false, "dnsSearchDomains": false, "dockerSecurityOptions": false, "interactive": false,
		"pseudoTerminal": false, "systemControls": false, "credentialSpecs": false,
	}
	// CreateService's input and a describe-services element. The modelled
	// ones map to ServiceSpec's keys (see ecsReader.service).
	ecsServiceFields = map[string]bool{
		"serviceName": true, "taskDefinition": true, "desiredCount": true, "launchType": true,
		"capacityProviderStrategy": true, "placementConstraints": true, "placementStrategy": true,
		"deploymentConfiguration": true, "schedulingStrategy": true, "loadBalancers": true,
		"healthCheckGracePeriodSeconds": true, "networkConfiguration": true, "availabilityZoneRebalancing": true,
		"cluster": false, "clusterArn": false, "serviceArn": false, "clientToken": false, "serviceRegistries": false,
		"platformVersion": false, "platformFamily": false, "role": false, "roleArn": false,
		"deploymentController": false, "tags": false, "enableECSManagedTags": false, "propagateTags": false,
		"enableExecuteCommand": false, "serviceConnectConfiguration": false, "volumeConfigurations": false,
		"vpcLatticeConfigurations": false, "status": false, "runningCount": false, "pendingCount": false,
		"taskSets": false, "deployments": false, "events": false, "createdAt": false, "createdBy": false,
		"currentServiceDeployment": false, "currentServiceRevisions": false, "resourceManagementType": false,
	}
	ecsDeploymentFields = map[string]bool{
		"maximumPercent": true, "minimumHealthyPercent": true, "deploymentCircuitBreaker": true,
		"alarms": false, "strategy": false, "bakeTimeInMinutes": false, "lifecycleHooks": false,
		"linearConfiguration": false, "canaryConfiguration": false,
	}
	ecsLoadBalancerFields = map[string]bool{
		"targetGroupArn": true, "containerName": true, "containerPort": true,
		"loadBalancerName": false, "advancedConfiguration": false,
	}
	// A mix entry's containers: ContainerSpec's keys.
	mixContainerFields = func() map[string]bool {
		m := map[string]bool{}
		for k := range ecsContainerFields {
			m[k] = false
		}
		for _, k := range []string{"name", "cpu", "memory", "memoryReservation", "essential", "portMappings",
			"image", "logConfiguration", "firelensConfiguration", "healthCheck", "linuxParameters"} {
			m[k] = true
		}
		return m
	}()
	ecsAwsvpcFields = map[string]bool{"subnets": true, "securityGroups": false, "assignPublicIp": false}

	// berth's keys beside ECS's: how a task behaves in the simulation,
	// and a service's usage and scaling, which no ECS document holds.
	berthTaskDefKeys = []string{"startDelay", "crash", "failsTargetHealthChecks", "duration"}
	berthServiceKeys = []string{"usage", "scaling", "tasks"}
)

// ecsReader rewrites the ECS documents of a scenario's JSON tree into
// berth's spec form before the strict decoding, records the ECS fields
// it does not model, and keeps each task definition ecsjson read, to be
// attached to its TaskDefSpec once decoded. A tree without ECS documents
// comes back unchanged. rewrite changes the tree it is given (ReadScenario
// owns it).
type ecsReader struct {
	file  string
	notes []string
	defs  map[string]*placement.TaskDefinition // by the path of the TaskDefSpec

	named map[string]int // "family:revision", "family" (latest) and ARN -> taskDefinitions index
	nodes []jsondoc.Node // taskDefinitions in berth's form
	tds   []*placement.TaskDefinition
}

func (r *ecsReader) note(path string) { r.notes = append(r.notes, path) }

func (r *ecsReader) unknown(path string, m *jsondoc.Member, expected string) error {
	q := fielderr.Quote(m.Key)
	return &fielderr.Error{File: r.file, Line: m.KeyPos.Line, Column: m.KeyPos.Col, Path: path,
		Msg: "unknown field " + q + ", expected " + expected, Value: q, Err: fielderr.ErrUnknown}
}

// rewrite returns root with its ECS documents in berth's form.
func (r *ecsReader) rewrite(root *jsondoc.Node) (*jsondoc.Node, error) {
	if root.Kind != jsondoc.Object {
		return root, nil
	}
	out := *root
	out.Members = append([]jsondoc.Member(nil), root.Members...)
	// taskDefinitions first: services name them, wherever they appear.
	if i := memberIndex(&out, "taskDefinitions"); i >= 0 && out.Members[i].Value.Kind == jsondoc.Array {
		v := &out.Members[i].Value
		v.Elems = append([]jsondoc.Node(nil), v.Elems...)
		r.named = map[string]int{}
		for j := range v.Elems {
			p := fielderr.Index("taskDefinitions", j)
			if err := r.taskDef(&v.Elems[j], p); err != nil {
				return nil, err
			}
			td := r.defs[p]
			if td == nil {
				return nil, &fielderr.Error{File: r.file, Line: v.Elems[j].Pos.Line, Column: v.Elems[j].Pos.Col, Path: p,
					Msg: "expected a task definition as ECS prints it (with containerDefinitions)"}
			}
			r.nodes, r.tds = append(r.nodes, v.Elems[j]), append(r.tds, td)
			rev := max(td.Revision, 1)
			key := td.Family + ":" + strconv.Itoa(rev)
			r.named[key] = j
			if k, ok := r.named[td.Family]; !ok || max(r.tds[k].Revision, 1) < rev {
				r.named[td.Family] = j
			}
		}
	}
	for i := range out.Members {
		m := &out.Members[i]
		if m.Value.Kind != jsondoc.Array {
			continue
		}
		if m.Key != "services" && m.Key != "scheduledTasks" && m.Key != "serviceEvents" {
			continue
		}
		m.Value.Elems = append([]jsondoc.Node(nil), m.Value.Elems...)
		for j := range m.Value.Elems {
			e := &m.Value.Elems[j]
			if e.Kind != jsondoc.Object {
				continue
			}
			p := fielderr.Index(m.Key, j)
			if m.Key == "services" && e.Get("serviceName") != nil {
				if err := r.service(e, p); err != nil {
					return nil, err
				}
			}
			if err := r.taskDefRef(e, p); err != nil {
				return nil, err
			}
		}
	}
	if i := memberIndex(&out, "workload"); i >= 0 {
		if err := r.mix(&out.Members[i].Value); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

func memberIndex(n *jsondoc.Node, key string) int {
	for i := range n.Members {
		if n.Members[i].Key == key {
			return i
		}
	}
	return -1
}

// taskDefRef rewrites the taskDefinition of obj (a service, scheduled
// task or service event at path): a reference to taskDefinitions or an
// ECS task definition.
func (r *ecsReader) taskDefRef(obj *jsondoc.Node, path string) error {
	i := memberIndex(obj, "taskDefinition")
	if i < 0 {
		return nil
	}
	obj.Members = append([]jsondoc.Member(nil), obj.Members...)
	v := &obj.Members[i].Value
	p := path + ".taskDefinition"
	switch v.Kind {
	case jsondoc.String:
		j, ok := r.named[taskDefName(v.Text)]
		if !ok {
			// The whole ARN, as describe-services prints it (an ARN is at
			// most 2048 characters by ECS's limits).
			q := strconv.Quote(fielderr.Shorten(v.Text, 2048))
			return &fielderr.Error{File: r.file, Line: v.Pos.Line, Column: v.Pos.Col, Path: p, Value: q,
				Msg: q + ": no such task definition, expected the family:revision or ARN of one in taskDefinitions"}
		}
		*v = r.nodes[j]
		r.defs[p] = r.tds[j]
	case jsondoc.Object:
		return r.taskDef(v, p)
	}
	return nil
}

// taskDefName is "family:revision" or "family" of an ARN or a name.
func taskDefName(s string) string {
	if i := strings.LastIndex(s, ":task-definition/"); i >= 0 && strings.HasPrefix(s, "arn:") {
		return s[i+len(":task-definition/"):]
	}
	return s
}

// taskDef rewrites n, at path, when it is an ECS task definition (it has
// containerDefinitions, or is describe-task-definition's output): ecsjson
// reads ECS's fields, and n becomes berth's form (family, revision, cpu,
// memory, networkMode, stopTimeout and berth's own keys).
func (r *ecsReader) taskDef(n *jsondoc.Node, path string) error {
	inner, innerPath := n, path
	var berth []jsondoc.Member
	if d := n.Get("taskDefinition"); d != nil && d.Kind == jsondoc.Object {
		// The whole describe-task-definition output.
		for i := range n.Members {
			m := &n.Members[i]
			switch {
			case m.Key == "taskDefinition":
				inner, innerPath = &m.Value, path+".taskDefinition"
			case m.Key == "tags":
				r.note(fielderr.Key(path, m.Key))
			case isBerthKey(m.Key, berthTaskDefKeys):
				berth = append(berth, *m)
			default:
				return r.unknown(path, m, "taskDefinition, tags or berth's "+strings.Join(berthTaskDefKeys, ", "))
			}
		}
	} else if n.Get("containerDefinitions") == nil {
		return nil // berth's own form
	}
	ecs := jsondoc.Node{Kind: jsondoc.Object, Pos: inner.Pos}
	for i := range inner.Members {
		m := &inner.Members[i]
		modelled, known := ecsTaskDefFields[m.Key]
		switch {
		case isBerthKey(m.Key, berthTaskDefKeys):
			berth = append(berth, *m)
		case !known:
			return r.unknown(innerPath, m, "a field of an ECS task definition or berth's "+strings.Join(berthTaskDefKeys, ", "))
		case !modelled:
			r.note(fielderr.Key(innerPath, m.Key))
		case m.Key == "containerDefinitions":
			cm, err := r.containers(m, fielderr.Key(innerPath, m.Key))
			if err != nil {
				return err
			}
			ecs.Members = append(ecs.Members, cm)
		default:
			ecs.Members = append(ecs.Members, *m)
		}
	}
	td, err := ecsjson.ReadTaskDefinition(bytes.NewReader(ecs.AppendJSON(nil)))
	if err != nil {
		return r.ecsError(err, innerPath, inner.Pos)
	}
	if r.defs == nil {
		r.defs = map[string]*placement.TaskDefinition{}
	}
	r.defs[path] = td
	*n = berthTaskDef(td, inner, berth)
	return nil
}

// containers checks a containerDefinitions member: every element's keys
// are ECS's, and the ones berth does not model are listed and dropped.
func (r *ecsReader) containers(m *jsondoc.Member, path string) (jsondoc.Member, error) {
	out := *m
	if m.Value.Kind != jsondoc.Array {
		return out, nil // ecsjson names the wrong type
	}
	out.Value.Elems = make([]jsondoc.Node, len(m.Value.Elems))
	for i, e := range m.Value.Elems {
		out.Value.Elems[i] = e
		if e.Kind != jsondoc.Object {
			continue
		}
		c := &out.Value.Elems[i]
		c.Members = nil
		for j := range e.Members {
			cm := &e.Members[j]
			modelled, known := ecsContainerFields[cm.Key]
			switch {
			case !known:
				return out, r.unknown(fielderr.Index(path, i), cm, "a field of an ECS container definition")
			case !modelled:
				r.note(fielderr.Key(fielderr.Index(path, i), cm.Key))
			default:
				c.Members = append(c.Members, *cm)
			}
		}
	}
	return out, nil
}

// ecsError puts an error of ecsjson under path, in the scenario's file.
func (r *ecsReader) ecsError(err error, path string, at jsondoc.Pos) error {
	var fe *fielderr.Error
	if !errors.As(err, &fe) {
		fe = fielderr.Errorf("", "%v", err)
	}
	return fe.Under(path).WithFile(r.file).At(at.Line, at.Col)
}

func isBerthKey(key string, keys []string) bool {
	for _, k := range keys {
		if k == key {
			return true
		}
	}
	return false
}

// berthTaskDef is the berth form of td, read from the ECS document at
// inner, with berth's own members.
func berthTaskDef(td *placement.TaskDefinition, inner *jsondoc.Node, berth []jsondoc.Member) jsondoc.Node {
	at := inner.Pos
	str := func(key, s string) jsondoc.Member {
		return jsondoc.Member{Key: key, KeyPos: at, Value: jsondoc.Node{Kind: jsondoc.String, Pos: at, Text: s}}
	}
	num := func(key string, v int64) jsondoc.Member {
		return jsondoc.Member{Key: key, KeyPos: at, Value: jsondoc.Node{Kind: jsondoc.Number, Pos: at, Text: strconv.FormatInt(v, 10)}}
	}
	mem := td.MemoryMiB
	if mem == 0 {
		mem = td.Requirements().MemoryMiB
	}
	n := jsondoc.Node{Kind: jsondoc.Object, Pos: at}
	n.Members = append(n.Members, str("family", td.Family), num("revision", int64(max(td.Revision, 1))),
		num("cpu", td.CPU), num("memory", mem))
	if td.NetworkMode != "" {
		n.Members = append(n.Members, str("networkMode", string(td.NetworkMode)))
	}
	if s := stopTimeoutSeconds(inner); s > 0 {
		n.Members = append(n.Members, num("stopTimeout", s))
	}
	n.Members = append(n.Members, berth...)
	return n
}

// stopTimeoutSeconds is the longest stopTimeout of the containers, the
// time ECS waits before it kills the task.
func stopTimeoutSeconds(td *jsondoc.Node) int64 {
	var out int64
	cds := td.Get("containerDefinitions")
	if cds == nil {
		return 0
	}
	for i := range cds.Elems {
		if v := cds.Elems[i].Get("stopTimeout"); v != nil && v.Kind == jsondoc.Number {
			if s, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
				out = max(out, s)
			}
		}
	}
	return out
}

// service rewrites a CreateService input or describe-services element at
// path into ServiceSpec's keys: serviceName is name, launchType FARGATE a
// capacityProviderStrategy of FARGATE (EC2: any instance of the fleet),
// networkConfiguration.awsvpcConfiguration.subnets is subnets; the keys
// ECS and berth spell alike stay.
func (r *ecsReader) service(n *jsondoc.Node, path string) error {
	members := n.Members
	n.Members = nil
	var launch *jsondoc.Member
	for i := range members {
		m := members[i]
		modelled, known := ecsServiceFields[m.Key]
		switch {
		case isBerthKey(m.Key, berthServiceKeys):
		case !known:
			return r.unknown(path, &m, "a field of an ECS service or berth's "+strings.Join(berthServiceKeys, ", "))
		case !modelled:
			r.note(fielderr.Key(path, m.Key))
			continue
		case m.Key == "serviceName":
			m.Key = "name"
		case m.Key == "launchType":
			launch = &members[i]
			continue
		case m.Key == "networkConfiguration":
			sub, err := r.subnets(&m, fielderr.Key(path, m.Key))
			if err != nil || sub == nil {
				if err != nil {
					return err
				}
				continue
			}
			m = *sub
		case m.Key == "deploymentConfiguration":
			m.Value = r.keep(m.Value, fielderr.Key(path, m.Key), ecsDeploymentFields)
		case m.Key == "loadBalancers" && m.Value.Kind == jsondoc.Array:
			elems := make([]jsondoc.Node, len(m.Value.Elems))
			for j, e := range m.Value.Elems {
				elems[j] = r.keep(e, fielderr.Index(fielderr.Key(path, m.Key), j), ecsLoadBalancerFields)
			}
			m.Value.Elems = elems
		}
		n.Members = append(n.Members, m)
	}
	if launch != nil {
		v := launch.Value
		switch {
		case v.Kind != jsondoc.String || v.Text != "EC2" && v.Text != ProviderFargate:
			return &fielderr.Error{File: r.file, Line: v.Pos.Line, Column: v.Pos.Col, Path: fielderr.Key(path, "launchType"),
				Value: jsondoc.Found(&v), Msg: jsondoc.Found(&v) + ", expected EC2 or FARGATE (berth does not model EXTERNAL)"}
		case n.Get("capacityProviderStrategy") != nil:
			return &fielderr.Error{File: r.file, Line: v.Pos.Line, Column: v.Pos.Col, Path: fielderr.Key(path, "launchType"),
				Msg: "launchType and capacityProviderStrategy both given, expected one (as CreateService)"}
		case v.Text == ProviderFargate:
			item := jsondoc.Node{Kind: jsondoc.Object, Pos: v.Pos, Members: []jsondoc.Member{
				{Key: "capacityProvider", KeyPos: v.Pos, Value: jsondoc.Node{Kind: jsondoc.String, Pos: v.Pos, Text: ProviderFargate}},
				{Key: "weight", KeyPos: v.Pos, Value: jsondoc.Node{Kind: jsondoc.Number, Pos: v.Pos, Text: "1"}},
			}}
			n.Members = append(n.Members, jsondoc.Member{Key: "capacityProviderStrategy", KeyPos: launch.KeyPos,
				Value: jsondoc.Node{Kind: jsondoc.Array, Pos: v.Pos, Elems: []jsondoc.Node{item}}})
		}
	}
	return nil
}

// keep returns the object n without the keys fields marks not modelled
// (listed under path); other keys stay for the strict decoding to judge.
func (r *ecsReader) keep(n jsondoc.Node, path string, fields map[string]bool) jsondoc.Node {
	if n.Kind != jsondoc.Object {
		return n
	}
	members := n.Members
	n.Members = nil
	for _, m := range members {
		if modelled, known := fields[m.Key]; known && !modelled {
			r.note(fielderr.Key(path, m.Key))
			continue
		}
		n.Members = append(n.Members, m)
	}
	return n
}

// subnets turns networkConfiguration into berth's subnets member (nil
// when it names none).
func (r *ecsReader) subnets(m *jsondoc.Member, path string) (*jsondoc.Member, error) {
	if m.Value.Kind != jsondoc.Object {
		return nil, &fielderr.Error{File: r.file, Line: m.Value.Pos.Line, Column: m.Value.Pos.Col, Path: path,
			Msg: "expected an object, found " + jsondoc.Found(&m.Value)}
	}
	var out *jsondoc.Member
	for i := range m.Value.Members {
		vm := &m.Value.Members[i]
		if vm.Key != "awsvpcConfiguration" {
			return nil, r.unknown(path, vm, "awsvpcConfiguration")
		}
		p := fielderr.Key(path, vm.Key)
		if vm.Value.Kind != jsondoc.Object {
			return nil, &fielderr.Error{File: r.file, Line: vm.Value.Pos.Line, Column: vm.Value.Pos.Col, Path: p,
				Msg: "expected an object, found " + jsondoc.Found(&vm.Value)}
		}
		for j := range vm.Value.Members {
			am := &vm.Value.Members[j]
			modelled, known := ecsAwsvpcFields[am.Key]
			switch {
			case !known:
				return nil, r.unknown(p, am, "subnets, securityGroups or assignPublicIp")
			case !modelled:
				r.note(fielderr.Key(p, am.Key))
			default:
				out = &jsondoc.Member{Key: "subnets", KeyPos: am.KeyPos, Value: am.Value}
			}
		}
	}
	return out, nil
}

// mix drops, from the containers of workload.generator.mix, the ECS
// container fields a mix does not model (listed); the rest is decoded
// strictly as ContainerSpec. A mix entry is no ECS document, so ECS's
// fields that a task definition's containers model (secrets,
// resourceRequirements...) are listed too: the mix reads ContainerSpec.
func (r *ecsReader) mix(workload *jsondoc.Node) error {
	gen := workload.Get("generator")
	if gen == nil {
		return nil
	}
	mix := gen.Get("mix")
	if mix == nil || mix.Kind != jsondoc.Array {
		return nil
	}
	for i := range mix.Elems {
		e := &mix.Elems[i]
		cs := e.Get("containers")
		if cs == nil || cs.Kind != jsondoc.Array {
			continue
		}
		for j := range cs.Elems {
			p := fielderr.Index(fielderr.Index("workload.generator.mix", i)+".containers", j)
			cs.Elems[j] = r.keep(cs.Elems[j], p, mixContainerFields)
		}
	}
	return nil
}

// attach gives each decoded TaskDefSpec the definition ecsjson read for
// it, with its containers as ContainerSpecs for the simulator's executor.
func (r *ecsReader) attach(sc *Scenario) {
	set := func(td *TaskDefSpec, path string) {
		if d := r.defs[path]; d != nil {
			td.ecs = d
			td.Containers = containerSpecs(d.Containers)
		}
	}
	if len(r.defs) == 0 {
		return
	}
	for i := range sc.TaskDefinitions {
		set(&sc.TaskDefinitions[i], fielderr.Index("taskDefinitions", i))
	}
	for i := range sc.Services {
		set(&sc.Services[i].TaskDefinition, fielderr.Index("services", i)+".taskDefinition")
	}
	for i := range sc.ScheduledTasks {
		set(&sc.ScheduledTasks[i].TaskDefinition, fielderr.Index("scheduledTasks", i)+".taskDefinition")
	}
	for i := range sc.ServiceEvents {
		if td := sc.ServiceEvents[i].TaskDefinition; td != nil {
			set(td, fielderr.Index("serviceEvents", i)+".taskDefinition")
		}
	}
}

// containerSpecs is the ContainerSpec view of containers read by ecsjson.
func containerSpecs(cds []placement.ContainerDefinition) []ContainerSpec {
	out := make([]ContainerSpec, len(cds))
	for i, cd := range cds {
		essential := cd.Essential
		c := ContainerSpec{Name: cd.Name, CPU: cd.CPU, MemoryMiB: cd.Memory, MemoryReservationMiB: cd.MemoryReservation,
			Essential: &essential, Image: cd.Usage.Image}
		for _, pm := range cd.PortMappings {
			c.PortMappings = append(c.PortMappings, PortMappingSpec{ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: string(pm.Protocol)})
		}
		out[i] = c
	}
	return out
}
