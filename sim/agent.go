package sim

import (
	"strconv"
	"strings"

	"github.com/berthsched/berth/placement"
)

// agentCapability is a capability attribute the ECS agent of an
// ECS-optimized Amazon Linux AMI registers, and the first agent release
// that registers it (amazon-ecs-agent: agent/app/agent_capability.go for
// the names and the AMI's default configuration; CHANGELOG.md for the
// release that added each feature). "" means every release berth models.
type agentCapability struct {
	name, since string
}

// agentCapabilities are in the order the agent appends them. Docker
// Remote API versions: a recent agent reports 1.17 to 1.25, 1.28 to 1.30
// and 1.32, leaving out 1.26, 1.27, 1.31 and 1.33 on (its
// excludedDockerAPIVersions), to stay within the number of attributes an
// instance may register. Logging drivers: the AMI's
// ECS_AVAILABLE_LOGGING_DRIVERS, json-file, syslog, awslogs and none.
var agentCapabilities = []agentCapability{
	{"ecs.capability.private-registry-authentication.secretsmanager", "1.19.0"},
	{"ecs.capability.secrets.ssm.environment-variables", "1.22.0"},
	{"ecs.capability.secrets.ssm.bootstrap.log-driver", "1.27.0"},
	{"ecs.capability.ecr-endpoint", ""},
	{"ecs.capability.secrets.asm.environment-variables", "1.23.0"},
	{"ecs.capability.secrets.asm.bootstrap.log-driver", "1.27.0"},
	{"ecs.capability.container-ordering", "1.26.0"},
	{"ecs.capability.env-files.s3", "1.39.0"},
	{"ecs.capability.network.container-port-range", "1.67.0"},
	{"com.amazonaws.ecs.capability.privileged-container", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.17", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.18", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.19", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.20", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.21", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.22", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.23", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.24", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.25", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.28", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.29", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.30", ""},
	{"com.amazonaws.ecs.capability.docker-remote-api.1.32", ""},
	{"com.amazonaws.ecs.capability.logging-driver.json-file", ""},
	{"com.amazonaws.ecs.capability.logging-driver.syslog", ""},
	{"com.amazonaws.ecs.capability.logging-driver.awslogs", ""},
	{"com.amazonaws.ecs.capability.logging-driver.none", ""},
	{"com.amazonaws.ecs.capability.task-iam-role", ""},
	{"com.amazonaws.ecs.capability.task-iam-role-network-host", ""},
	{"ecs.capability.task-cpu-mem-limit", ""},
	{"ecs.capability.task-eni", ""},
	{"com.amazonaws.ecs.capability.ecr-auth", ""},
	{"ecs.capability.execution-role-ecr-pull", ""},
	{"ecs.capability.container-health-check", "1.17.0"},
	{"ecs.capability.execution-role-awslogs", ""},
	{"ecs.capability.docker-plugin.local", ""},
	{"ecs.capability.pid-ipc-namespace-sharing", "1.22.0"},
	{"ecs.capability.aws-appmesh", "1.26.0"},
	{"ecs.capability.firelens.fluentd", "1.30.0"},
	{"ecs.capability.firelens.fluentbit", "1.30.0"},
	{"com.amazonaws.ecs.capability.logging-driver.awsfirelens", "1.30.0"},
	{"ecs.capability.logging-driver.awsfirelens.log-driver-buffer-limit", "1.55.0"},
	{"ecs.capability.firelens.options.config.file", "1.31.0"},
	{"ecs.capability.firelens.options.config.s3", "1.31.0"},
	{"ecs.capability.efs", "1.35.0"},
	{"ecs.capability.efsAuth", "1.38.0"},
	{"ecs.capability.service-connect-v1", "1.64.0"},
}

// agentAttributes returns the capability attributes an agent of version v
// registers (v is valid: see validVersion).
func agentAttributes(v string) []placement.Attribute {
	out := make([]placement.Attribute, 0, len(agentCapabilities))
	for _, c := range agentCapabilities {
		if c.since == "" || compareVersions(v, c.since) >= 0 {
			out = append(out, placement.Attribute{Name: c.name})
		}
	}
	return out
}

// compareVersions compares two valid versions component by component.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range as {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
