package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/placement"

	flag "github.com/spf13/pflag"
)

const placeUsage = `
Usage:
  berth place --cluster FILE --task-definition FILE --request FILE [--seed N]

Places the tasks of a RunTask request on a cluster as Amazon ECS would,
and prints the RunTask response.

--cluster is a cluster snapshot: the JSON printed by
"aws ecs describe-container-instances", with the "tasks" of
"aws ecs describe-tasks" (see "berth cql --help"). Its remainingResources
are taken as they are; its PENDING and RUNNING tasks count for their groups
(distinctInstance, spread, task:group). An instance's task ENIs, for awsvpc
tasks, come from its ecs.instance-type (with ENI trunking when it has
ecs.awsvpc-trunk-id) or an "ENI" INTEGER resource, less its tasks with an
ElasticNetworkInterface attachment.

--task-definition is a RegisterTaskDefinition input document or the output
of "aws ecs describe-task-definition" ({"taskDefinition": {...}}). Its
containers' cpu, memory, memoryReservation, portMappings and GPU
resourceRequirements, its task-level cpu and memory ("1 vCPU" and "1 GB"
forms too), networkMode, placementConstraints (memberOf only),
requiresAttributes and requiresCompatibilities are read. A
RegisterTaskDefinition input also requires the attributes ECS adds on
registering it, derived from its log drivers, FireLens, task and
execution roles, secrets, repositoryCredentials, ECR images, EFS volumes,
awsvpc, health checks, initProcessEnabled and memoryReservation; a
describe output's requiresAttributes are taken as printed.

--request is a RunTask input document ("aws ecs run-task
--generate-cli-skeleton" shows its shape): taskDefinition, count (1..10,
default 1), group (default family:<family>), placementConstraints (at most
10 with the task definition's), placementStrategy (at most 5; none means
random), cluster, launchType, and the subnets of
networkConfiguration.awsvpcConfiguration (required for an awsvpc task
definition, as ECS requires it; their zones come from the instances'
ecs.subnet-id and ecs.availability-zone, and a subnet no instance is in
restricts nothing). taskDefinition must name the task definition given: the
same family and, when both have one, the same revision ("web" alone means
the latest ACTIVE revision, which is the file). overrides are not applied.

launchType is EC2 when absent (a snapshot carries no cluster default
capacity provider strategy). EC2 tasks go only to EC2 instances and
EXTERNAL tasks only to ECS Anywhere instances (attribute
ecs.capability.external); instances of the other launch type are left out,
failures[] included. The task definition must support the launch type:
its requiresCompatibilities, or EC2 and EXTERNAL when it has none. FARGATE
tasks run on AWS's capacity, not on the snapshot's instances: the response
lists them PROVISIONING, without a containerInstanceArn, and a FARGATE
request with placementConstraints or placementStrategy is refused, as ECS
refuses it.

One of the three may be "-", read from stdin.

The tasks are placed one at a time, each seeing the ones before it. stdout
is a RunTask response: tasks[] in placement order, with a taskArn made from
the seeded random source, and one failures[] entry per task that could not
be placed: arn is the container instance that came closest, reason is
ECS's (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS, RESOURCE:GPU,
RESOURCE:ENI, LOCATION, AGENT, ATTRIBUTE, "DistinctInstance placement
constraint unsatisfied.", "MemberOf placement constraint unsatisfied.", or
berth's STATUS for instances that are not ACTIVE), and detail counts the container instances each filter
removed. The same inputs and --seed print the same bytes. Region and
account come from the ARNs of the request or the snapshot (us-east-1 and
123456789012 when neither has them).

Exit status: 0 when the response is printed, even if every task failed;
1 on invalid input (one line naming the file and the field); 2 on a usage
error.

Examples:
  berth place --cluster examples/cluster.json \
    --task-definition examples/taskdef-web.json --request examples/runtask-web.json
  berth place --cluster examples/cluster.json \
    --task-definition examples/taskdef-web.json --request examples/runtask-web.json --seed 7
  # A task definition from your account, on a snapshot of your cluster
  aws ecs describe-task-definition --task-definition web |
    berth place --cluster my-cluster.json --task-definition - --request examples/runtask-web.json
`

// placeDefaultSeed seeds placement's tie-breaks and the task ids.
const placeDefaultSeed = 1

func placeCommand() *command {
	return &command{
		name:    "place",
		summary: "place a RunTask request's tasks on a cluster snapshot as ECS would",
		usage:   placeUsage,
		flags: func(fs *flag.FlagSet) func(e *env, args []string) error {
			var o placeOptions
			fs.StringVar(&o.cluster, "cluster", "", "cluster snapshot `FILE` (\"-\" reads stdin)")
			fs.StringVar(&o.taskDef, "task-definition", "", "task definition `FILE` (\"-\" reads stdin)")
			fs.StringVar(&o.request, "request", "", "RunTask request `FILE` (\"-\" reads stdin)")
			fs.Uint64Var(&o.seed, "seed", placeDefaultSeed, "seed `N` of the random source that breaks ties and makes task ids")
			return func(e *env, args []string) error { return runPlace(e, args, &o) }
		},
	}
}

type placeOptions struct {
	cluster, taskDef, request string
	seed                      uint64
}

func (o *placeOptions) check(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	stdin := 0
	for _, f := range []struct{ name, value string }{{"cluster", o.cluster}, {"task-definition", o.taskDef}, {"request", o.request}} {
		if f.value == "" {
			return usagef("--%s is required", f.name)
		}
		if f.value == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usagef("only one of --cluster, --task-definition and --request may read stdin (\"-\")")
	}
	return nil
}

func runPlace(e *env, args []string, o *placeOptions) error {
	if err := o.check(args); err != nil {
		return err
	}
	var snap *ecsjson.Snapshot
	var td *placement.TaskDefinition
	var rt *ecsjson.RunTaskRequest
	err := placeRead(e, o.cluster, func(r io.Reader) (err error) { snap, err = ecsjson.ReadSnapshot(r); return err })
	if err == nil {
		err = placeRead(e, o.taskDef, func(r io.Reader) (err error) { td, err = ecsjson.ReadTaskDefinition(r); return err })
	}
	if err == nil {
		err = placeRead(e, o.request, func(r io.Reader) (err error) { rt, err = ecsjson.ReadRunTaskRequest(r); return err })
	}
	if err != nil {
		return err
	}
	req, err := rt.Request(td)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(o.request), err)
	}
	if req.Task.AWSVPC {
		req.Zones = snap.Zones(rt.Subnets) // LOCATION
	}
	fargate := req.LaunchType == placement.LaunchTypeFargate
	if len(snap.ContainerInstances) == 0 && !fargate {
		return fmt.Errorf("%s: no container instances were found in your cluster", displayName(o.cluster))
	}
	ids, err := placeIdentity(snap, rt, td)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(o.request), err)
	}
	cluster, _, err := snap.Cluster()
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(o.cluster), err)
	}
	if !fargate && !hasLaunchType(cluster, req.LaunchType) {
		return fmt.Errorf("%s: no container instances of launch type %s were found in your cluster", displayName(o.cluster), launchTypeName(req.LaunchType))
	}
	var res placement.Result
	if fargate {
		// AWS runs Fargate tasks on capacity of its own: RunTask answers
		// every task PROVISIONING, without a container instance.
		res.Placed = make([]placement.Placement, req.Count)
	} else if err := cluster.Place(req, rand.New(rand.NewPCG(o.seed, 0)), &res); err != nil {
		return fmt.Errorf("%s: %w", displayName(o.request), err)
	}
	resp := placeResponseOf(&res, cluster, req, td, rt, ids, rand.New(rand.NewPCG(o.seed, 1)))
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	return enc.Encode(resp)
}

func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}

// placeRead opens name (stdin for "-") and reads it with read, prefixing
// errors with the file's name.
func placeRead(e *env, name string, read func(io.Reader) error) error {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	if err := read(r); err != nil {
		return fmt.Errorf("%s: %w", displayName(name), err)
	}
	return nil
}

// placeIDs is what the response's ARNs are made of.
type placeIDs struct {
	partition, region, account, cluster string
	taskDefinitionARN                   string
}

// arnParts splits "arn:<partition>:<service>:<region>:<account>:<resource>".
func arnParts(arn string) (partition, region, account, resource string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[3] == "" || parts[4] == "" {
		return "", "", "", "", false
	}
	return parts[1], parts[3], parts[4], parts[5], true
}

// placeIdentity derives the partition, region, account and cluster name
// of the response's ARNs from the request's cluster and the snapshot's
// instance ARNs (new-style ARNs name the cluster), and checks that they
// agree.
func placeIdentity(snap *ecsjson.Snapshot, rt *ecsjson.RunTaskRequest, td *placement.TaskDefinition) (placeIDs, error) {
	ids := placeIDs{partition: "aws", region: "us-east-1", account: "123456789012", cluster: "default"}
	snapCluster := ""
	for i := range snap.ContainerInstances {
		p, r, a, res, ok := arnParts(snap.ContainerInstances[i].ARN)
		if !ok {
			continue
		}
		ids.partition, ids.region, ids.account = p, r, a
		if parts := strings.Split(res, "/"); len(parts) == 3 && parts[0] == "container-instance" {
			snapCluster = parts[1]
			ids.cluster = snapCluster
		}
		break
	}
	if rt.Cluster != "" {
		name := rt.Cluster
		if p, r, a, res, ok := arnParts(rt.Cluster); ok {
			ids.partition, ids.region, ids.account = p, r, a
			name = strings.TrimPrefix(res, "cluster/")
		}
		if snapCluster != "" && name != snapCluster {
			return ids, fmt.Errorf("ecsjson: cluster: %q, but the snapshot's container instances are in cluster %q", rt.Cluster, snapCluster)
		}
		ids.cluster = name
	}
	switch {
	case rt.Revision != 0 && strings.HasPrefix(rt.TaskDefinition, "arn:"):
		ids.taskDefinitionARN = rt.TaskDefinition
	default:
		rev := td.Revision
		if rev == 0 {
			rev = max(rt.Revision, 1)
		}
		ids.taskDefinitionARN = "arn:" + ids.partition + ":ecs:" + ids.region + ":" + ids.account +
			":task-definition/" + td.Family + ":" + strconv.Itoa(rev)
	}
	return ids, nil
}

// The RunTask response, in the AWS CLI's field names and order.
type (
	placeResponse struct {
		Tasks    []placeTask    `json:"tasks"`
		Failures []placeFailure `json:"failures"`
	}
	placeTask struct {
		TaskArn              string           `json:"taskArn"`
		ClusterArn           string           `json:"clusterArn"`
		TaskDefinitionArn    string           `json:"taskDefinitionArn"`
		ContainerInstanceArn string           `json:"containerInstanceArn,omitempty"` // none for FARGATE
		Group                string           `json:"group"`
		LastStatus           string           `json:"lastStatus"`
		DesiredStatus        string           `json:"desiredStatus"`
		LaunchType           string           `json:"launchType"`
		StartedBy            string           `json:"startedBy,omitempty"`
		Containers           []placeContainer `json:"containers"`
	}
	placeContainer struct {
		Name       string   `json:"name"`
		LastStatus string   `json:"lastStatus"`
		GPUIDs     []string `json:"gpuIds,omitempty"`
	}
	placeFailure struct {
		Arn    string `json:"arn,omitempty"`
		Reason string `json:"reason"`
		Detail string `json:"detail"`
	}
)

func placeResponseOf(res *placement.Result, c *placement.Cluster, req *placement.Request, td *placement.TaskDefinition,
	rt *ecsjson.RunTaskRequest, ids placeIDs, idRng *rand.Rand) *placeResponse {
	resp := &placeResponse{Tasks: []placeTask{}, Failures: []placeFailure{}}
	prefix := "arn:" + ids.partition + ":ecs:" + ids.region + ":" + ids.account + ":"
	launchType := rt.LaunchType
	if launchType == "" {
		launchType = "EC2"
	}
	for _, p := range res.Placed {
		t := placeTask{
			TaskArn:           prefix + "task/" + ids.cluster + "/" + fmt.Sprintf("%016x%016x", idRng.Uint64(), idRng.Uint64()),
			ClusterArn:        prefix + "cluster/" + ids.cluster,
			TaskDefinitionArn: ids.taskDefinitionARN,
			Group:             req.Group,
			LastStatus:        "PENDING",
			DesiredStatus:     "RUNNING",
			LaunchType:        launchType,
			StartedBy:         rt.StartedBy,
			Containers:        placeContainers(td, p),
		}
		if p.Instance != nil {
			t.ContainerInstanceArn = p.Instance.ARN
		} else {
			t.LastStatus = "PROVISIONING" // FARGATE
		}
		resp.Tasks = append(resp.Tasks, t)
	}
	for i := range res.Unplaced {
		u := &res.Unplaced[i]
		f := placeFailure{Reason: u.ReasonString(), Detail: placeDetail(u, candidates(u))}
		if u.Closest != nil {
			f.Arn = u.Closest.ARN
		}
		resp.Failures = append(resp.Failures, f)
	}
	return resp
}

// hasLaunchType reports whether the cluster has an instance of launch
// type l ("" is EC2).
func hasLaunchType(c *placement.Cluster, l placement.LaunchType) bool {
	for _, in := range c.Instances() {
		if in.LaunchType() == launchTypeName(l) {
			return true
		}
	}
	return false
}

func launchTypeName(l placement.LaunchType) placement.LaunchType {
	if l == "" {
		return placement.LaunchTypeEC2
	}
	return l
}

// candidates counts the instances the placement considered: those of
// the request's launch type, each counted once in Removed.
func candidates(u *placement.Unplaced) int {
	n := 0
	for _, k := range u.Removed {
		n += k
	}
	return n
}

func gpusOf(in *placement.Instance) []placement.GPU {
	if in == nil {
		return nil
	}
	return in.Remaining.GPUs
}

// placeContainers hands the task's GPU devices to its containers in
// order: a container asking for n takes the next n, one asking for ALL
// takes every device.
func placeContainers(td *placement.TaskDefinition, p placement.Placement) []placeContainer {
	var devs []string
	for k, g := range gpusOf(p.Instance) {
		if p.GPUs.Has(k) {
			devs = append(devs, g.ID)
		}
	}
	out := make([]placeContainer, len(td.Containers))
	next := 0
	for i, cd := range td.Containers {
		out[i] = placeContainer{Name: cd.Name, LastStatus: "PENDING"}
		switch {
		case cd.AllGPUs:
			out[i].GPUIDs = devs
		case cd.GPUs > 0 && next+cd.GPUs <= len(devs):
			out[i].GPUIDs = devs[next : next+cd.GPUs]
			next += cd.GPUs
		}
	}
	return out
}

// placeReasonNames are the filters' short names in failure details.
var placeReasonNames = [placement.NumReasons]string{
	placement.ReasonStatus:           "STATUS",
	placement.ReasonAgent:            "AGENT",
	placement.ReasonAttribute:        "ATTRIBUTE",
	placement.ReasonCPU:              "RESOURCE:CPU",
	placement.ReasonMemory:           "RESOURCE:MEMORY",
	placement.ReasonGPU:              "RESOURCE:GPU",
	placement.ReasonPorts:            "RESOURCE:PORTS",
	placement.ReasonENI:              "RESOURCE:ENI",
	placement.ReasonScalar:           "RESOURCE",
	placement.ReasonLocation:         "LOCATION",
	placement.ReasonDistinctInstance: "distinctInstance",
	placement.ReasonMemberOf:         "memberOf",
}

// placeDetail says how many container instances each filter removed, in
// filter order: "8 container instances: STATUS 1, AGENT 1, memberOf 6".
func placeDetail(u *placement.Unplaced, n int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	if n == 1 {
		b.WriteString(" container instance")
	} else {
		b.WriteString(" container instances")
	}
	sep := ": "
	for r, k := range u.Removed {
		if k == 0 || placement.Reason(r) == placement.ReasonNone {
			continue
		}
		name := placeReasonNames[r]
		if placement.Reason(r) == placement.ReasonScalar && u.Reason == placement.ReasonScalar {
			name = u.ReasonString()
		}
		b.WriteString(sep + name + " " + strconv.Itoa(k))
		sep = ", "
	}
	return b.String()
}
