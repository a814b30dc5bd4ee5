// Package gendump writes deterministic dumps of an ECS cluster in the
// shapes the AWS CLI prints (--output json): the committed test dump
// (Realistic) and large dumps for benchmarks (Large). The same arguments
// give the same bytes.
package gendump

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"
)

// Files maps a file name to its content.
type Files map[string][]byte

const (
	region  = "us-east-1"
	account = "123456789012"
	cluster = "prod"
	agent   = "1.87.1"
)

var zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// Start is when the realistic dump's metrics begin: Monday 10 March 2025,
// 00:00 UTC; the dump is taken then.
var Start = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)

type obj = map[string]any

func hexOf(key string, n int) string {
	h := fnv.New128a()
	h.Write([]byte(key))
	s := fmt.Sprintf("%x", h.Sum(nil))
	for len(s) < n {
		s += s
	}
	return s[:n]
}

func arn(kind, rest string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s/%s", region, account, kind, rest)
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-07:00") }

func resource(name string, v int) obj {
	return obj{"name": name, "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": v}
}

func ports(name string, p []string) obj {
	return obj{"name": name, "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": p}
}

var reservedPorts = []string{"22", "2376", "2375", "51678", "51679"}

// capabilities are what an ECS-optimized Amazon Linux 2023 AMI's agent
// registers (a subset of the long list, with the ones task definitions
// require).
var capabilities = []string{
	"com.amazonaws.ecs.capability.docker-remote-api.1.17", "com.amazonaws.ecs.capability.docker-remote-api.1.18",
	"com.amazonaws.ecs.capability.docker-remote-api.1.19", "com.amazonaws.ecs.capability.docker-remote-api.1.21",
	"com.amazonaws.ecs.capability.docker-remote-api.1.22", "com.amazonaws.ecs.capability.docker-remote-api.1.23",
	"com.amazonaws.ecs.capability.docker-remote-api.1.24", "com.amazonaws.ecs.capability.docker-remote-api.1.25",
	"com.amazonaws.ecs.capability.docker-remote-api.1.28", "com.amazonaws.ecs.capability.docker-remote-api.1.29",
	"com.amazonaws.ecs.capability.docker-remote-api.1.30", "com.amazonaws.ecs.capability.docker-remote-api.1.32",
	"com.amazonaws.ecs.capability.ecr-auth", "com.amazonaws.ecs.capability.logging-driver.awslogs",
	"com.amazonaws.ecs.capability.logging-driver.json-file", "com.amazonaws.ecs.capability.logging-driver.none",
	"com.amazonaws.ecs.capability.logging-driver.syslog", "com.amazonaws.ecs.capability.task-iam-role",
	"com.amazonaws.ecs.capability.task-iam-role-network-host", "ecs.capability.container-health-check",
	"ecs.capability.execution-role-awslogs", "ecs.capability.execution-role-ecr-pull",
	"ecs.capability.secrets.asm.environment-variables", "ecs.capability.secrets.ssm.environment-variables",
	"ecs.capability.task-eni", "ecs.capability.container-ordering", "ecs.capability.full-sync",
}

// instanceType is what an EC2 type registers.
type instanceType struct {
	name     string
	cpu, mem int
}

var (
	m5large = instanceType{"m5.large", 2048, 7680}
	c5large = instanceType{"c5.large", 2048, 3704}
	r5large = instanceType{"r5.large", 2048, 15576}
)

// taskDef is a task definition revision the generator writes and places.
type taskDef struct {
	family   string
	revision int
	cpu, mem int
	port     int  // container port; 0: none
	fargate  bool // awsvpc, FARGATE
	image    string
}

func (td taskDef) arn() string {
	return arn("task-definition", fmt.Sprintf("%s:%d", td.family, td.revision))
}

func (td taskDef) doc() obj {
	c := obj{"name": td.family, "image": td.image, "cpu": td.cpu, "memory": td.mem, "essential": true,
		"portMappings": []obj{}, "environment": []obj{{"name": "STAGE", "value": "prod"}}, "mountPoints": []obj{}, "volumesFrom": []obj{},
		"logConfiguration": obj{"logDriver": "awslogs", "options": obj{"awslogs-group": "/ecs/" + td.family, "awslogs-region": region, "awslogs-stream-prefix": td.family}},
		"systemControls":   []obj{}}
	mode := "bridge"
	compat := []string{"EXTERNAL", "EC2"}
	req := []string{"EC2"}
	if td.fargate {
		mode, compat, req = "awsvpc", []string{"EC2", "FARGATE"}, []string{"FARGATE"}
	}
	if td.port > 0 {
		pm := obj{"containerPort": td.port, "protocol": "tcp"}
		if td.fargate {
			pm["hostPort"] = td.port
		} else {
			pm["hostPort"] = 0
		}
		c["portMappings"] = []obj{pm}
	}
	reqAttrs := []obj{{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}, {"name": "ecs.capability.execution-role-awslogs"},
		{"name": "com.amazonaws.ecs.capability.ecr-auth"}, {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.19"},
		{"name": "ecs.capability.execution-role-ecr-pull"}}
	if td.fargate {
		reqAttrs = append(reqAttrs, obj{"name": "ecs.capability.task-eni"})
	}
	def := obj{"taskDefinitionArn": td.arn(), "containerDefinitions": []obj{c}, "family": td.family,
		"taskRoleArn": fmt.Sprintf("arn:aws:iam::%s:role/%s-task", account, td.family), "executionRoleArn": fmt.Sprintf("arn:aws:iam::%s:role/ecsTaskExecutionRole", account),
		"networkMode": mode, "revision": td.revision, "volumes": []obj{}, "status": "ACTIVE", "requiresAttributes": reqAttrs,
		"placementConstraints": []obj{}, "compatibilities": compat, "requiresCompatibilities": req,
		"cpu": fmt.Sprint(td.cpu), "memory": fmt.Sprint(td.mem),
		"registeredAt": ts(Start.Add(-time.Duration(40-td.revision) * 24 * time.Hour)), "registeredBy": fmt.Sprintf("arn:aws:iam::%s:role/deploy", account)}
	return obj{"taskDefinition": def, "tags": []obj{}}
}

// instance is a container instance being generated, with what its tasks
// take.
type instance struct {
	arn, ec2, zone, provider string
	typ                      instanceType
	usedCPU, usedMem         int
	tasks                    int
	registered               time.Time
}

func (in *instance) fits(td taskDef) bool {
	return in.typ.cpu-in.usedCPU >= td.cpu && in.typ.mem-in.usedMem >= td.mem
}

func (in *instance) doc() obj {
	attrs := []obj{
		{"name": "ecs.availability-zone", "value": in.zone}, {"name": "ecs.instance-type", "value": in.typ.name},
		{"name": "ecs.os-type", "value": "linux"}, {"name": "ecs.os-family", "value": "LINUX"}, {"name": "ecs.cpu-architecture", "value": "x86_64"},
		{"name": "ecs.ami-id", "value": "ami-0" + hexOf("ami", 16)}, {"name": "ecs.vpc-id", "value": "vpc-0" + hexOf("vpc", 16)},
		{"name": "ecs.subnet-id", "value": "subnet-0" + hexOf(in.zone, 16)},
	}
	for _, c := range capabilities {
		attrs = append(attrs, obj{"name": c})
	}
	return obj{
		"containerInstanceArn": in.arn, "ec2InstanceId": in.ec2, "capacityProviderName": in.provider, "version": 40 + in.tasks,
		"versionInfo": obj{"agentVersion": agent, "agentHash": "4a0c3a4a", "dockerVersion": "DockerVersion: 25.0.6"},
		"remainingResources": []obj{resource("CPU", in.typ.cpu-in.usedCPU), resource("MEMORY", in.typ.mem-in.usedMem),
			ports("PORTS", reservedPorts), ports("PORTS_UDP", []string{})},
		"registeredResources": []obj{resource("CPU", in.typ.cpu), resource("MEMORY", in.typ.mem),
			ports("PORTS", reservedPorts), ports("PORTS_UDP", []string{})},
		"status": "ACTIVE", "agentConnected": true, "runningTasksCount": in.tasks, "pendingTasksCount": 0,
		"attributes": attrs, "registeredAt": ts(in.registered), "attachments": []obj{}, "tags": []obj{},
	}
}

// task is a generated task.
type task struct {
	id      string
	service string
	td      taskDef
	in      *instance // nil on Fargate
	zone    string
	spot    bool
	started time.Time
}

func (t task) doc() obj {
	taskArn := arn("task", cluster+"/"+t.id)
	c := obj{"containerArn": arn("container", cluster+"/"+t.id+"/"+hexOf(t.id+"c", 8)+"-"+hexOf(t.id+"d", 4)), "taskArn": taskArn,
		"name": t.td.family, "image": t.td.image, "runtimeId": hexOf(t.id+"r", 64), "lastStatus": "RUNNING",
		"networkInterfaces": []obj{}, "healthStatus": "UNKNOWN", "cpu": fmt.Sprint(t.td.cpu), "memory": fmt.Sprint(t.td.mem)}
	if t.td.port > 0 && !t.td.fargate {
		c["networkBindings"] = []obj{{"bindIP": "0.0.0.0", "containerPort": t.td.port, "hostPort": 32768 + int(hexOf(t.id, 2)[0]%64), "protocol": "tcp"}}
	} else {
		c["networkBindings"] = []obj{}
	}
	d := obj{"attachments": []obj{}, "attributes": []obj{{"name": "ecs.cpu-architecture", "value": "x86_64"}},
		"availabilityZone": t.zone, "clusterArn": arn("cluster", cluster), "connectivity": "CONNECTED", "connectivityAt": ts(t.started.Add(-20 * time.Second)),
		"containers": []obj{c}, "cpu": fmt.Sprint(t.td.cpu), "createdAt": ts(t.started.Add(-25 * time.Second)), "desiredStatus": "RUNNING",
		"enableExecuteCommand": false, "group": "service:" + t.service, "healthStatus": "UNKNOWN", "lastStatus": "RUNNING",
		"memory": fmt.Sprint(t.td.mem), "overrides": obj{"containerOverrides": []obj{{"name": t.td.family}}, "inferenceAcceleratorOverrides": []obj{}},
		"pullStartedAt": ts(t.started.Add(-15 * time.Second)), "pullStoppedAt": ts(t.started.Add(-5 * time.Second)),
		"startedAt": ts(t.started), "startedBy": "ecs-svc/" + deploymentID(t.service), "tags": []obj{}, "taskArn": taskArn,
		"taskDefinitionArn": t.td.arn(), "version": 3}
	if t.in != nil {
		d["containerInstanceArn"] = t.in.arn
		d["launchType"] = "EC2"
		if t.in.provider != "" {
			d["capacityProviderName"] = t.in.provider
		}
	} else {
		d["launchType"] = "FARGATE"
		d["capacityProviderName"] = "FARGATE"
		if t.spot {
			d["capacityProviderName"] = "FARGATE_SPOT"
		}
		d["platformVersion"], d["platformFamily"] = "1.4.0", "Linux"
		d["ephemeralStorage"] = obj{"sizeInGiB": 20}
		d["attachments"] = []obj{{"id": hexOf(t.id+"eni", 8) + "-" + hexOf(t.id+"e2", 4), "type": "ElasticNetworkInterface", "status": "ATTACHED",
			"details": []obj{{"name": "subnetId", "value": "subnet-0" + hexOf(t.zone, 16)}, {"name": "networkInterfaceId", "value": "eni-0" + hexOf(t.id, 16)},
				{"name": "macAddress", "value": "0e:" + hexOf(t.id+"m", 2) + ":42:1a:7b:9c"}, {"name": "privateIPv4Address", "value": "10.0.12.34"}}}}
	}
	return d
}

func deploymentID(service string) string {
	h := fnv.New64a()
	h.Write([]byte(service))
	return fmt.Sprint(1e18 + h.Sum64()%8e18)
}

// service is a generated service.
type service struct {
	name     string
	td       taskDef
	desired  int
	daemon   bool
	provider string // capacity provider; "FARGATE_SPOT" for Fargate Spot; "" with launchType EC2
	lb       string // target group name
	spread   bool
	distinct bool
}

func (s *service) targetGroupArn() string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", region, account, s.lb, hexOf(s.lb, 16))
}

func (s *service) doc(running int) obj {
	dep := obj{"deploymentCircuitBreaker": obj{"enable": true, "rollback": true}, "maximumPercent": 200, "minimumHealthyPercent": 100,
		"alarms": obj{"alarmNames": []string{}, "enable": false, "rollback": false}}
	d := obj{"serviceArn": arn("service", cluster+"/"+s.name), "serviceName": s.name, "clusterArn": arn("cluster", cluster),
		"loadBalancers": []obj{}, "serviceRegistries": []obj{}, "status": "ACTIVE", "desiredCount": s.desired, "runningCount": running,
		"pendingCount": 0, "taskDefinition": s.td.arn(), "deploymentConfiguration": dep,
		"deployments": []obj{{"id": "ecs-svc/" + deploymentID(s.name), "status": "PRIMARY", "taskDefinition": s.td.arn(), "desiredCount": s.desired,
			"pendingCount": 0, "runningCount": running, "failedTasks": 0, "createdAt": ts(Start.Add(-72 * time.Hour)), "updatedAt": ts(Start.Add(-71 * time.Hour)),
			"rolloutState": "COMPLETED", "rolloutStateReason": "ECS deployment ecs-svc/" + deploymentID(s.name) + " completed."}},
		"events": []obj{{"id": hexOf(s.name+"ev", 8) + "-" + hexOf(s.name+"ev2", 4), "createdAt": ts(Start.Add(-6 * time.Hour)),
			"message": "(service " + s.name + ") has reached a steady state."}},
		"createdAt": ts(Start.Add(-90 * 24 * time.Hour)), "placementConstraints": []obj{}, "placementStrategy": []obj{},
		"schedulingStrategy": "REPLICA", "deploymentController": obj{"type": "ECS"}, "createdBy": fmt.Sprintf("arn:aws:iam::%s:role/deploy", account),
		"enableECSManagedTags": true, "propagateTags": "NONE", "enableExecuteCommand": false, "availabilityZoneRebalancing": "ENABLED"}
	switch {
	case s.daemon:
		d["schedulingStrategy"], d["launchType"] = "DAEMON", "EC2"
		dep["maximumPercent"], dep["minimumHealthyPercent"] = 100, 0
		d["availabilityZoneRebalancing"] = "DISABLED"
	case s.provider == "FARGATE_SPOT":
		d["capacityProviderStrategy"] = []obj{{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}}
		d["platformVersion"], d["platformFamily"] = "LATEST", "Linux"
		d["networkConfiguration"] = obj{"awsvpcConfiguration": obj{"subnets": []string{"subnet-0" + hexOf(zones[0], 16), "subnet-0" + hexOf(zones[1], 16)},
			"securityGroups": []string{"sg-0" + hexOf("sg", 16)}, "assignPublicIp": "DISABLED"}}
	case s.provider != "":
		d["capacityProviderStrategy"] = []obj{{"capacityProvider": s.provider, "weight": 1, "base": 0}}
	default:
		d["launchType"] = "EC2"
	}
	if s.lb != "" {
		d["loadBalancers"] = []obj{{"targetGroupArn": s.targetGroupArn(), "containerName": s.td.family, "containerPort": s.td.port}}
		d["healthCheckGracePeriodSeconds"] = 60
		d["roleArn"] = fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", account)
	}
	if s.spread {
		d["placementStrategy"] = []obj{{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "spread", "field": "instanceId"}}
	}
	if s.distinct {
		d["placementConstraints"] = []obj{{"type": "distinctInstance"}}
	}
	return d
}

// encode prints v as the AWS CLI does with --output json: indented by
// four spaces.
func encode(v any) []byte {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		panic(err) // generated values always encode
	}
	return append(b, '\n')
}

// place puts n tasks of td on the instances of provider (any with ""),
// spread over the instances in order, each where it fits.
func place(insts []*instance, provider string, s *service, n int, next *int, out *[]task) error {
	for k := 0; k < n; k++ {
		placed := false
		for j := 0; j < len(insts); j++ {
			in := insts[(*next+j)%len(insts)]
			if provider != "" && in.provider != provider || !in.fits(s.td) || s.distinct && hosts(*out, in, s.name) {
				continue
			}
			in.usedCPU += s.td.cpu
			in.usedMem += s.td.mem
			in.tasks++
			*out = append(*out, task{id: hexOf(fmt.Sprintf("%s-%d", s.name, k), 32), service: s.name, td: s.td, in: in, zone: in.zone,
				started: Start.Add(-time.Duration(3+k%20) * time.Hour)})
			*next = (*next + j + 1) % len(insts)
			placed = true
			break
		}
		if !placed {
			return fmt.Errorf("gendump: task %d of %s fits no instance", k, s.name)
		}
	}
	return nil
}

func hosts(ts []task, in *instance, svc string) bool {
	for _, t := range ts {
		if t.in == in && t.service == svc {
			return true
		}
	}
	return false
}

// noise is a deterministic small perturbation in [-0.3, 0.3].
func noise(r *rand.Rand) float64 { return math.Round((r.Float64()*0.6-0.3)*100) / 100 }

// chunk splits items into pieces of at most n, as the AWS CLI's describe
// calls take at most n ids.
func chunk[T any](items []T, n int) [][]T {
	var out [][]T
	for len(items) > n {
		out = append(out, items[:n])
		items = items[n:]
	}
	return append(out, items)
}
