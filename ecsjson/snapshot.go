package ecsjson

import (
	"time"

	"github.com/berthsched/berth/cql"
)

// Snapshot is a cluster as ECS describes it: its container instances and,
// optionally, the tasks they host. ReadSnapshot builds one; the zero value
// is an empty cluster.
type Snapshot struct {
	// ContainerInstances are in document order; their ARNs are unique.
	ContainerInstances []ContainerInstance
	// Tasks are in document order; their ARNs are unique, and each task
	// with a ContainerInstanceARN names an instance of ContainerInstances.
	Tasks []Task
}

// ContainerInstance is one element of describe-container-instances'
// containerInstances. Fields whose natural names are taken by the methods
// of cql.Subject carry the JSON name in their comment.
//
// *ContainerInstance implements cql.Subject. The task groups it reports
// are computed by ReadSnapshot from the snapshot's tasks; an instance built
// by hand reports none. The methods are read-only and safe for concurrent
// use as long as nobody modifies the instance.
type ContainerInstance struct {
	// ARN is containerInstanceArn; never empty.
	ARN string
	// InstanceID is ec2InstanceId, such as "i-0abc1234" (or "mi-..." for
	// an ECS Anywhere instance); "" when absent.
	InstanceID string
	// Status is one of REGISTERING, REGISTRATION_FAILED, ACTIVE, INACTIVE,
	// DEREGISTERING, DRAINING; ACTIVE when the document omits it.
	Status string
	// Connected is agentConnected; true when the document omits it.
	Connected bool
	// RunningCount is runningTasksCount when present, else the number of
	// the snapshot's tasks on the instance whose desiredStatus is RUNNING.
	RunningCount int
	// PendingCount is pendingTasksCount when present, else the number of
	// the snapshot's tasks on the instance whose lastStatus is PENDING.
	PendingCount int
	// Registered is registeredAt; the zero time when absent.
	Registered time.Time
	// VersionInfo is versionInfo; its fields are "" when absent.
	VersionInfo VersionInfo
	// Attributes are in document order, with unique names.
	Attributes []Attribute
	// RegisteredResources is what the instance registered with.
	RegisteredResources Resources
	// RemainingResources is what is left for new tasks; it is
	// authoritative (tasks are not subtracted from RegisteredResources).
	RemainingResources Resources

	// groups are the distinct groups of the instance's tasks whose
	// lastStatus is PENDING, ACTIVATING or RUNNING, in task order.
	groups []string
}

// VersionInfo is a container instance's versionInfo.
type VersionInfo struct {
	// AgentVersion is the container agent's version, such as "1.82.1".
	AgentVersion string
	// AgentHash is the agent's git commit, such as "f0d4b7c1".
	AgentHash string
	// DockerVersion is as the agent reports it: "DockerVersion: 20.10.25".
	DockerVersion string
}

// Attribute is one attribute of a container instance: built-in (ecs.*),
// optional or custom. Value is meaningful only when HasValue is true;
// capability attributes such as ecs.capability.secrets.asm have no value.
type Attribute struct {
	Name     string // such as "ecs.availability-zone" or "stack"
	Value    string // such as "us-east-1a"; "" when HasValue is false
	HasValue bool   // whether the document gave a value
}

// Resources is a registeredResources or remainingResources list in typed
// form. A resource the list omits is zero (or empty).
type Resources struct {
	// CPU is in CPU units (1024 = 1 vCPU).
	CPU int
	// MemoryMiB is MEMORY, in MiB.
	MemoryMiB int
	// Ports and PortsUDP are PORTS and PORTS_UDP: the host ports already
	// taken (the agent's reserved ports plus those in use), sorted, without
	// duplicates; nil when empty.
	Ports, PortsUDP []uint16
	// GPUs is GPU: device ids in document order (in remainingResources,
	// the ids still free); nil when empty.
	GPUs []string
	// Other holds every other named resource, in document order.
	Other []Resource
}

// Resource is a named resource other than CPU, MEMORY, PORTS, PORTS_UDP and
// GPU. Type says which value field holds its value.
type Resource struct {
	// Name is the resource's name, such as "disk" or "ENI".
	Name string
	// Type is INTEGER, LONG, DOUBLE or STRINGSET.
	Type string
	// Integer holds an INTEGER or LONG value.
	Integer int64
	// Double holds a DOUBLE value.
	Double float64
	// StringSet holds a STRINGSET value in document order; nil when empty.
	StringSet []string
}

// Task is one element of describe-tasks' tasks.
type Task struct {
	// ARN is taskArn; never empty.
	ARN string
	// ContainerInstanceARN is containerInstanceArn; "" for a task that has
	// no instance (PROVISIONING, or Fargate).
	ContainerInstanceARN string
	// Group is group, such as "service:web" or "family:batch"; when absent,
	// "family:<family>" from TaskDefinitionARN (ECS's default), else "".
	Group string
	// LastStatus is one of PROVISIONING, PENDING, ACTIVATING, RUNNING,
	// DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED, DELETED; RUNNING
	// when absent.
	LastStatus string
	// DesiredStatus is one of PENDING, RUNNING, STOPPED; RUNNING when
	// absent.
	DesiredStatus string
	// TaskDefinitionARN is taskDefinitionArn; "" when absent.
	TaskDefinitionARN string
	// CPU is the task-level cpu in CPU units; 0 when absent.
	CPU int
	// MemoryMiB is the task-level memory in MiB; 0 when absent.
	MemoryMiB int
	// Containers are in document order.
	Containers []Container
	// ENI says the task has an attachment of type ElasticNetworkInterface:
	// it runs in awsvpc network mode and holds one task ENI of its
	// instance.
	ENI bool
}

// Container is one element of a task's containers: what it reserves and
// which host ports and GPUs it holds.
type Container struct {
	// Name is the container's name in its task definition.
	Name string
	// CPU, MemoryMiB and MemoryReservationMiB are the container's cpu,
	// memory (hard limit) and memoryReservation (soft limit); 0 when
	// absent.
	CPU, MemoryMiB, MemoryReservationMiB int
	// NetworkBindings are in document order.
	NetworkBindings []NetworkBinding
	// GPUIDs is gpuIds; nil when empty.
	GPUIDs []string
}

// NetworkBinding is one of a container's networkBindings.
type NetworkBinding struct {
	// HostPort is the port taken on the instance (for a dynamic mapping,
	// the one the agent chose); ContainerPort is the container's.
	HostPort, ContainerPort uint16
	// Protocol is "tcp" or "udp"; "tcp" when absent.
	Protocol string
}

var _ cql.Subject = (*ContainerInstance)(nil)

// Attribute returns the value of the named attribute and whether the
// instance has it; an attribute without a value gives ("", true).
func (c *ContainerInstance) Attribute(name string) (string, bool) {
	for i := range c.Attributes {
		if a := &c.Attributes[i]; a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// TaskGroups returns the distinct groups of the snapshot's tasks on the
// instance whose lastStatus is PENDING, ACTIVATING or RUNNING, in task
// order. The caller must not modify the slice.
func (c *ContainerInstance) TaskGroups() []string { return c.groups }

// AgentConnected returns agentConnected.
func (c *ContainerInstance) AgentConnected() bool { return c.Connected }

// AgentVersion returns versionInfo.agentVersion, or "" when absent.
func (c *ContainerInstance) AgentVersion() string { return c.VersionInfo.AgentVersion }

// EC2InstanceID returns ec2InstanceId.
func (c *ContainerInstance) EC2InstanceID() string { return c.InstanceID }

// RegisteredAt returns registeredAt.
func (c *ContainerInstance) RegisteredAt() time.Time { return c.Registered }

// RunningTasksCount returns runningTasksCount (see RunningCount).
func (c *ContainerInstance) RunningTasksCount() int { return c.RunningCount }

// SubnetZones returns the availability zone of every subnet the
// snapshot's container instances are registered in, from their
// ecs.subnet-id and ecs.availability-zone attributes.
func (s *Snapshot) SubnetZones() map[string]string {
	zones := map[string]string{}
	for i := range s.ContainerInstances {
		ci := &s.ContainerInstances[i]
		subnet, ok1 := ci.Attribute("ecs.subnet-id")
		zone, ok2 := ci.Attribute("ecs.availability-zone")
		if ok1 && ok2 && subnet != "" && zone != "" {
			zones[subnet] = zone
		}
	}
	return zones
}

// Zones returns the availability zones of an awsvpc task's subnets, for
// placement.Request.Zones, by SubnetZones. When a subnet's zone is not
// known from the snapshot, it returns nil: berth cannot tell where such a
// task may run, so it does not restrict it (no LOCATION failure).
func (s *Snapshot) Zones(subnets []string) []string {
	known := s.SubnetZones()
	var zones []string
	for _, sn := range subnets {
		z, ok := known[sn]
		if !ok {
			return nil
		}
		if !contains(zones, z) {
			zones = append(zones, z)
		}
	}
	return zones
}
