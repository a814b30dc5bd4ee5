package ecsjson

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"pgregory.net/rapid"
)

// Generators of snapshots, and a test-only encoder that writes them in the
// AWS CLI's shapes, with the variations the reader must accept.

var (
	genName   = rapid.StringMatching(`[a-z][a-z0-9.:/_-]{0,12}`)
	genID     = rapid.StringMatching(`[a-zA-Z0-9 _:./@\\-]{0,10}`)
	genStatus = rapid.SampledFrom(instanceStatuses)
)

func genTime(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+"Zero") {
		return time.Time{}
	}
	sec := rapid.Int64Range(0, 4102444800).Draw(t, label+"Sec") // 1970-2100
	nsec := rapid.Int64Range(0, 999999999).Draw(t, label+"Nsec")
	return time.Unix(sec, nsec).UTC()
}

func genPorts(t *rapid.T, label string) []uint16 {
	ports := rapid.SliceOfNDistinct(rapid.Uint16(), 0, 6, rapid.ID[uint16]).Draw(t, label)
	if len(ports) == 0 {
		return nil
	}
	slices.Sort(ports)
	return ports
}

func genStrings(t *rapid.T, label string) []string {
	s := rapid.SliceOfN(genID, 0, 4).Draw(t, label)
	if len(s) == 0 {
		return nil
	}
	return s
}

func genResources(t *rapid.T, label string) Resources {
	r := Resources{
		CPU:       rapid.IntRange(0, 1<<20).Draw(t, label+"CPU"),
		MemoryMiB: rapid.IntRange(0, 1<<24).Draw(t, label+"Memory"),
		Ports:     genPorts(t, label+"Ports"),
		PortsUDP:  genPorts(t, label+"PortsUDP"),
		GPUs:      genStrings(t, label+"GPUs"),
	}
	names := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-z][a-z_]{0,8}`), 0, 3, rapid.ID[string]).Draw(t, label+"Other")
	for i, name := range names {
		o := Resource{Name: name, Type: rapid.SampledFrom(resourceTypes).Draw(t, fmt.Sprintf("%sType%d", label, i))}
		switch o.Type {
		case "INTEGER":
			o.Integer = int64(rapid.Int32().Draw(t, label+"Int"))
		case "LONG":
			o.Integer = rapid.Int64().Draw(t, label+"Long")
		case "DOUBLE":
			o.Double = rapid.Float64Range(-1e12, 1e12).Draw(t, label+"Double")
		case "STRINGSET":
			o.StringSet = genStrings(t, label+"Set")
		}
		r.Other = append(r.Other, o)
	}
	return r
}

func genInstance(t *rapid.T, arn string) ContainerInstance {
	c := ContainerInstance{
		ARN:          arn,
		InstanceID:   genID.Draw(t, "ec2InstanceId"),
		Status:       genStatus.Draw(t, "status"),
		Connected:    rapid.Bool().Draw(t, "agentConnected"),
		RunningCount: rapid.IntRange(0, 100).Draw(t, "runningTasksCount"),
		PendingCount: rapid.IntRange(0, 100).Draw(t, "pendingTasksCount"),
		Registered:   genTime(t, "registeredAt"),
		VersionInfo: VersionInfo{
			AgentVersion: rapid.StringMatching(`[0-9]{1,2}\.[0-9]{1,3}\.[0-9]`).Draw(t, "agentVersion"),
			AgentHash:    genID.Draw(t, "agentHash"),
		},
		RegisteredResources: genResources(t, "registered"),
		RemainingResources:  genResources(t, "remaining"),
	}
	names := rapid.SliceOfNDistinct(genName, 0, 5, rapid.ID[string]).Draw(t, "attributeNames")
	for _, name := range names {
		a := Attribute{Name: name, HasValue: rapid.Bool().Draw(t, "hasValue")}
		if a.HasValue {
			a.Value = genID.Draw(t, "value")
		}
		c.Attributes = append(c.Attributes, a)
	}
	return c
}

func genTask(t *rapid.T, arn string, instances []ContainerInstance) Task {
	task := Task{
		ARN:               arn,
		Group:             rapid.SampledFrom([]string{"service:web", "service:api", "family:batch", "database", ""}).Draw(t, "group"),
		LastStatus:        rapid.SampledFrom(lastStatuses).Draw(t, "lastStatus"),
		DesiredStatus:     rapid.SampledFrom(desiredStatuses).Draw(t, "desiredStatus"),
		TaskDefinitionARN: rapid.SampledFrom([]string{"", "arn:aws:ecs:us-east-1:1:task-definition/web:3"}).Draw(t, "taskDefinitionArn"),
		CPU:               rapid.IntRange(0, 10240).Draw(t, "cpu"),
		MemoryMiB:         rapid.IntRange(0, 1<<20).Draw(t, "memory"),
	}
	if len(instances) > 0 && rapid.IntRange(0, 9).Draw(t, "placed") > 0 {
		task.ContainerInstanceARN = instances[rapid.IntRange(0, len(instances)-1).Draw(t, "instance")].ARN
	}
	for range rapid.IntRange(0, 2).Draw(t, "containers") {
		c := Container{
			Name:                 genName.Draw(t, "name"),
			CPU:                  rapid.IntRange(0, 4096).Draw(t, "containerCPU"),
			MemoryMiB:            rapid.IntRange(0, 4096).Draw(t, "containerMemory"),
			MemoryReservationMiB: rapid.IntRange(0, 4096).Draw(t, "containerMemoryReservation"),
			GPUIDs:               genStrings(t, "gpuIds"),
		}
		for range rapid.IntRange(0, 2).Draw(t, "bindings") {
			c.NetworkBindings = append(c.NetworkBindings, NetworkBinding{
				HostPort:      rapid.Uint16().Draw(t, "hostPort"),
				ContainerPort: rapid.Uint16().Draw(t, "containerPort"),
				Protocol:      rapid.SampledFrom([]string{"tcp", "udp"}).Draw(t, "protocol"),
			})
		}
		task.Containers = append(task.Containers, c)
	}
	return task
}

func genSnapshot(t *rapid.T) *Snapshot {
	s := &Snapshot{}
	for i := range rapid.IntRange(0, 5).Draw(t, "instances") {
		s.ContainerInstances = append(s.ContainerInstances, genInstance(t, "arn:aws:ecs:us-east-1:1:container-instance/c/"+strconv.Itoa(i)))
	}
	for i := range rapid.IntRange(0, 8).Draw(t, "tasks") {
		s.Tasks = append(s.Tasks, genTask(t, "arn:aws:ecs:us-east-1:1:task/c/"+strconv.Itoa(i), s.ContainerInstances))
	}
	return s
}

// encoding is how the encoder writes the fields that have several forms.
type encoding struct {
	epoch      bool // registeredAt as epoch seconds instead of ISO-8601
	omitCounts bool // leave runningTasksCount and pendingTasksCount out
	numbers    bool // task cpu and memory as numbers instead of strings
}

type obj = map[string]any

// encode writes s as a snapshot document the AWS CLI could have printed.
// A task with an empty Group and a task definition ARN cannot be written
// (the reader would derive a group), so the caller avoids that case.
func encode(s *Snapshot, enc encoding) []byte {
	instances := []any{}
	for _, c := range s.ContainerInstances {
		o := obj{
			"containerInstanceArn": c.ARN,
			"ec2InstanceId":        c.InstanceID,
			"status":               c.Status,
			"agentConnected":       c.Connected,
			"versionInfo":          obj{"agentVersion": c.VersionInfo.AgentVersion, "agentHash": c.VersionInfo.AgentHash, "dockerVersion": c.VersionInfo.DockerVersion},
			"registeredResources":  encodeResources(c.RegisteredResources),
			"remainingResources":   encodeResources(c.RemainingResources),
			"attachments":          []any{},
		}
		if !enc.omitCounts {
			o["runningTasksCount"], o["pendingTasksCount"] = c.RunningCount, c.PendingCount
		}
		if !c.Registered.IsZero() {
			if enc.epoch {
				o["registeredAt"] = json.Number(fmt.Sprintf("%d.%09d", c.Registered.Unix(), c.Registered.Nanosecond()))
			} else {
				o["registeredAt"] = c.Registered.Format("2006-01-02T15:04:05.999999999-07:00")
			}
		}
		var attrs []any
		for _, a := range c.Attributes {
			if a.HasValue {
				attrs = append(attrs, obj{"name": a.Name, "value": a.Value})
			} else {
				attrs = append(attrs, obj{"name": a.Name})
			}
		}
		o["attributes"] = attrs
		instances = append(instances, o)
	}
	var tasks []any
	for _, t := range s.Tasks {
		o := obj{
			"taskArn":       t.ARN,
			"lastStatus":    t.LastStatus,
			"desiredStatus": t.DesiredStatus,
			"launchType":    "EC2",
		}
		if t.Group != "" {
			o["group"] = t.Group
		}
		if t.ContainerInstanceARN != "" {
			o["containerInstanceArn"] = t.ContainerInstanceARN
		}
		if t.TaskDefinitionARN != "" {
			o["taskDefinitionArn"] = t.TaskDefinitionARN
		}
		o["cpu"], o["memory"] = quantity(t.CPU, enc), quantity(t.MemoryMiB, enc)
		var containers []any
		for _, c := range t.Containers {
			co := obj{"name": c.Name, "cpu": quantity(c.CPU, enc), "memory": quantity(c.MemoryMiB, enc), "memoryReservation": quantity(c.MemoryReservationMiB, enc)}
			var bindings []any
			for _, b := range c.NetworkBindings {
				bindings = append(bindings, obj{"bindIP": "0.0.0.0", "hostPort": b.HostPort, "containerPort": b.ContainerPort, "protocol": b.Protocol})
			}
			co["networkBindings"] = bindings
			if c.GPUIDs != nil {
				co["gpuIds"] = c.GPUIDs
			}
			containers = append(containers, co)
		}
		o["containers"] = containers
		tasks = append(tasks, o)
	}
	out, err := json.MarshalIndent(obj{"containerInstances": instances, "tasks": tasks, "failures": []any{}}, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

func quantity(n int, enc encoding) any {
	if enc.numbers {
		return n
	}
	return strconv.Itoa(n)
}

// encodeResources writes resources as the CLI prints them: every value
// field present, zeros in those the type does not use; ports in reverse
// order with the first repeated, to exercise sorting and deduplication.
func encodeResources(r Resources) []any {
	res := func(name, typ string) obj {
		return obj{"name": name, "type": typ, "doubleValue": 0.0, "longValue": 0, "integerValue": 0}
	}
	portSet := func(ports []uint16) []string {
		s := []string{}
		for i := len(ports) - 1; i >= 0; i-- {
			s = append(s, strconv.Itoa(int(ports[i])))
		}
		if len(s) > 0 {
			s = append(s, s[0])
		}
		return s
	}
	cpu, mem := res("CPU", "INTEGER"), res("MEMORY", "INTEGER")
	cpu["integerValue"], mem["integerValue"] = r.CPU, r.MemoryMiB
	ports, udp := res("PORTS", "STRINGSET"), res("PORTS_UDP", "STRINGSET")
	ports["stringSetValue"], udp["stringSetValue"] = portSet(r.Ports), portSet(r.PortsUDP)
	out := []any{cpu, mem, ports, udp}
	if r.GPUs != nil {
		gpu := res("GPU", "STRINGSET")
		gpu["stringSetValue"] = r.GPUs
		out = append(out, gpu)
	}
	for _, o := range r.Other {
		e := res(o.Name, o.Type)
		switch o.Type {
		case "INTEGER":
			e["integerValue"] = o.Integer
		case "LONG":
			e["longValue"] = o.Integer
		case "DOUBLE":
			e["doubleValue"] = o.Double
		case "STRINGSET":
			e["stringSetValue"] = o.StringSet
		}
		out = append(out, e)
	}
	return out
}
