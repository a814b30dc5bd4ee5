package placement

import (
	"regexp"
	"slices"
	"strings"
)

// Capability attribute prefixes as the ECS agent registers them
// (amazon-ecs-agent, agent/app/agent_capability.go: capabilityPrefix is
// the older namespace, attributePrefix the one new capabilities use).
const (
	capabilityPrefix = "com.amazonaws.ecs.capability."
	attributePrefix  = "ecs.capability."
	// remoteAPI prefixes a Docker Remote API version the agent's Docker
	// supports (docker-remote-api.1.17 to 1.32 as agents advertise them).
	remoteAPI = capabilityPrefix + "docker-remote-api."
)

// Usage is what a task definition uses beyond the resources it reserves:
// the parts of a RegisterTaskDefinition input from which ECS derives
// requiresAttributes. Readers of ECS JSON fill it; the zero value uses
// nothing.
type Usage struct {
	// TaskRoleARN and ExecutionRoleARN are the task definition's
	// taskRoleArn and executionRoleArn ("" when absent).
	TaskRoleARN, ExecutionRoleARN string
	// EFSVolumes are the volumes with an efsVolumeConfiguration.
	EFSVolumes []EFSVolume
	// NamespaceSharing is true when the definition sets pidMode or
	// ipcMode.
	NamespaceSharing bool
}

// EFSVolume is a task definition volume backed by Amazon EFS.
type EFSVolume struct {
	// Auth is true when the volume uses transit encryption or an
	// authorizationConfig (an access point or IAM authorization): the
	// agent mounts it with its efsAuth volume plugin.
	Auth bool
}

// ContainerUsage is what a container definition uses beyond the resources
// it reserves (see Usage). The zero value uses nothing.
type ContainerUsage struct {
	// Image is the container's image reference.
	Image string
	// LogDriver is logConfiguration.logDriver ("" when absent).
	LogDriver string
	// LogOptions is true when logConfiguration.options has an entry.
	LogOptions bool
	// LogSecrets are the valueFrom of logConfiguration.secretOptions.
	LogSecrets []string
	// FireLensType is firelensConfiguration.type (fluentd or fluentbit);
	// FireLensConfigType its options' config-file-type (file or s3).
	FireLensType, FireLensConfigType string
	// Secrets are the valueFrom of the container's secrets.
	Secrets []string
	// RepositoryCredentials is true when the container pulls from a
	// private registry with repositoryCredentials.
	RepositoryCredentials bool
	// HealthCheck is true when the container has a healthCheck.
	HealthCheck bool
	// InitProcessEnabled is linuxParameters.initProcessEnabled.
	InitProcessEnabled bool
	// Privileged is the container's privileged.
	Privileged bool
	// Ulimits, DockerLabels and ExtraHosts are true when the container's
	// ulimits, dockerLabels and extraHosts have an entry.
	Ulimits, DockerLabels, ExtraHosts bool
}

// ecrImage matches an image in a private Amazon ECR registry
// (<account>.dkr.ecr.<region>.amazonaws.com[.cn]/...). Images in the ECR
// Public Gallery (public.ecr.aws) are pulled anonymously.
var ecrImage = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`)

// DerivedAttributes returns the task definition's requiresAttributes as
// RegisterTaskDefinition leaves them: those td already has, joined by the
// capability attributes ECS derives from what td uses, without duplicates,
// sorted by name. Task-level cpu and memory add nothing. Rules that need
// Usage or ContainerUsage see only what a reader filled in.
//
// The attribute names are those the ECS agent registers
// (agent/app/agent_capability.go); which task definition parameter needs
// which is the Amazon ECS Developer Guide's ("Task definition
// parameters", where a parameter "requires version 1.xx of the Docker
// Remote API", and "Amazon ECS container instance attributes") and what
// published describe-task-definition outputs carry.
func (td *TaskDefinition) DerivedAttributes() []Attribute {
	set := map[string]string{}
	for _, a := range td.RequiresAttributes {
		set[a.Name] = a.Value
	}
	add := func(name string) {
		if _, ok := set[name]; !ok {
			set[name] = ""
		}
	}
	td.deriveTask(add)
	for i := range td.Containers {
		td.deriveContainer(&td.Containers[i], add)
	}
	if len(set) == 0 {
		return nil
	}
	out := make([]Attribute, 0, len(set))
	for name, value := range set {
		out = append(out, Attribute{Name: name, Value: value})
	}
	slices.SortFunc(out, func(a, b Attribute) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (td *TaskDefinition) deriveTask(add func(string)) {
	if td.Usage.TaskRoleARN != "" {
		// IAM roles for tasks: agent capability task-iam-role; in host
		// mode the agent must also serve credentials on the host network
		// (task-iam-role-network-host).
		add(capabilityPrefix + "task-iam-role")
		if td.NetworkMode == NetworkHost {
			add(capabilityPrefix + "task-iam-role-network-host")
		}
	}
	if td.NetworkMode == NetworkAwsvpc {
		// Task networking: the agent's task-eni capability, and Docker
		// Remote API 1.18 and 1.29 (every published awsvpc output
		// carries 1.18; those registered since 2019 carry 1.29 too; see
		// "docker-remote-api" in the package documentation).
		add(attributePrefix + "task-eni")
		add(remoteAPI + "1.18")
		add(remoteAPI + "1.29")
	}
	if td.Usage.NamespaceSharing {
		// pidMode or ipcMode: the agent's pid-ipc-namespace-sharing, and
		// Docker Remote API 1.17 and 1.18, as both published outputs
		// that set them carry (2019 and 2026).
		add(attributePrefix + "pid-ipc-namespace-sharing")
		add(remoteAPI + "1.17")
		add(remoteAPI + "1.18")
	}
	for _, v := range td.Usage.EFSVolumes {
		// EFS volumes: capabilities efs, and efsAuth for transit
		// encryption or an authorizationConfig (agent capabilityEFS,
		// capabilityEFSAuth).
		add(attributePrefix + "efs")
		if v.Auth {
			add(attributePrefix + "efsAuth")
		}
	}
}

func (td *TaskDefinition) deriveContainer(cd *ContainerDefinition, add func(string)) {
	u := &cd.Usage
	if u.Privileged {
		// privileged: the agent's privileged-container capability.
		add(capabilityPrefix + "privileged-container")
	}
	if cd.MemoryReservation > 0 {
		// memoryReservation (a soft limit): Docker Remote API 1.21, as
		// every published output with one carries it.
		add(remoteAPI + "1.21")
	}
	if u.LogDriver != "" {
		// logConfiguration: logging-driver.<driver> (the agent registers
		// one per driver it runs). The guide says logDriver needs Docker
		// Remote API 1.18, but published outputs of bridge definitions
		// with a log driver carry no 1.18 (2016 and 2024): berth follows
		// the outputs. logConfiguration.options needs 1.19 (guide and
		// outputs agree).
		add(capabilityPrefix + "logging-driver." + u.LogDriver)
		if u.LogDriver == "awslogs" && td.Usage.ExecutionRoleARN != "" {
			// awslogs with the task execution role's credentials.
			add(attributePrefix + "execution-role-awslogs")
		}
	}
	if u.LogOptions {
		add(remoteAPI + "1.19")
	}
	if u.Ulimits || u.DockerLabels {
		// ulimits and dockerLabels need Docker Remote API 1.18 (guide).
		add(remoteAPI + "1.18")
	}
	if u.ExtraHosts && td.NetworkMode == NetworkHost {
		// extraHosts in host mode needs Docker Remote API 1.24 (ECS's
		// inference since 2018, amazon-ecs-agent issue 620).
		add(remoteAPI + "1.24")
	}
	for _, s := range u.LogSecrets {
		// secretOptions of a log driver: secrets.<ssm|asm>.bootstrap.log-driver.
		add(attributePrefix + "secrets." + secretSource(s) + ".bootstrap.log-driver")
	}
	if u.FireLensType != "" {
		// firelensConfiguration: firelens.fluentd or firelens.fluentbit,
		// and firelens.options.config.<file|s3> for an external config.
		add(attributePrefix + "firelens." + u.FireLensType)
		// A published FireLens output (2024, bridge mode) carries Docker
		// Remote API 1.29.
		add(remoteAPI + "1.29")
		if u.FireLensConfigType != "" {
			add(attributePrefix + "firelens.options.config." + u.FireLensConfigType)
		}
	}
	for _, s := range u.Secrets {
		// secrets: secrets.ssm.environment-variables for Systems Manager
		// parameters, secrets.asm.environment-variables for Secrets
		// Manager secrets.
		add(attributePrefix + "secrets." + secretSource(s) + ".environment-variables")
	}
	if u.RepositoryCredentials {
		// Private registry authentication through Secrets Manager.
		add(attributePrefix + "private-registry-authentication.secretsmanager")
	}
	if ecrImage.MatchString(u.Image) {
		// An Amazon ECR image: ecr-auth, and execution-role-ecr-pull when
		// the execution role pulls it.
		add(capabilityPrefix + "ecr-auth")
		if td.Usage.ExecutionRoleARN != "" {
			add(attributePrefix + "execution-role-ecr-pull")
		}
	}
	if u.HealthCheck {
		// healthCheck: the agent's container-health-check (Docker health
		// checks, Remote API 1.24).
		add(attributePrefix + "container-health-check")
	}
	if u.InitProcessEnabled {
		// linuxParameters.initProcessEnabled needs Docker Remote API 1.25.
		add(remoteAPI + "1.25")
	}
}

// secretSource is "asm" for a Secrets Manager secret's ARN and "ssm"
// otherwise: a Systems Manager parameter's ARN or name.
func secretSource(valueFrom string) string {
	if strings.HasPrefix(valueFrom, "arn:") && strings.Contains(valueFrom, ":secretsmanager:") {
		return "asm"
	}
	return "ssm"
}

// ECS's enumerations of the values that name capability attributes.
var (
	logDrivers         = []string{"json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens"}
	fireLensTypes      = []string{"fluentd", "fluentbit"}
	fireLensConfigKind = []string{"file", "s3"}
)

// validate checks the values that name capability attributes against
// ECS's enumerations: a log driver, a FireLens type, its config-file-type.
// It runs for every task definition a reconciliation validates, so it
// allocates nothing unless it fails.
func (u *ContainerUsage) validate(field func(string) string) error {
	check := func(name, value string, allowed []string) error {
		if value == "" || slices.Contains(allowed, value) {
			return nil
		}
		return fieldErrorf(field(name), "%q, expected one of %s", value, strings.Join(allowed, ", "))
	}
	if err := check("logConfiguration.logDriver", u.LogDriver, logDrivers); err != nil {
		return err
	}
	if err := check("firelensConfiguration.type", u.FireLensType, fireLensTypes); err != nil {
		return err
	}
	return check("firelensConfiguration.options.config-file-type", u.FireLensConfigType, fireLensConfigKind)
}
