// Package ecsjson reads cluster snapshots, task definitions and RunTask
// requests in the JSON shapes the AWS CLI prints and accepts, so that a
// real ECS cluster can be piped into berth, and converts them into the
// placement package's model.
//
// # The snapshot document
//
// A snapshot is one JSON object with two keys:
//
//   - containerInstances (required): the array printed by
//     `aws ecs describe-container-instances`. Its output is therefore a
//     snapshot as it is; its other keys, such as failures, are ignored.
//   - tasks (optional): the array printed by `aws ecs describe-tasks`.
//
// One way to build one:
//
//	aws ecs describe-container-instances --cluster prod \
//	    --container-instances $(aws ecs list-container-instances --cluster prod \
//	        --query containerInstanceArns --output text) > instances.json
//	aws ecs describe-tasks --cluster prod \
//	    --tasks $(aws ecs list-tasks --cluster prod --query taskArns --output text) > tasks.json
//	jq -s '.[0] + {tasks: .[1].tasks}' instances.json tasks.json > snapshot.json
//
// A small snapshot, with the fields ReadSnapshot reads:
//
//	{
//	  "containerInstances": [{
//	    "containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/1f2e",
//	    "ec2InstanceId": "i-0abc1234",
//	    "status": "ACTIVE",
//	    "agentConnected": true,
//	    "runningTasksCount": 1,
//	    "pendingTasksCount": 0,
//	    "registeredAt": "2024-03-01T12:34:56.789000+00:00",
//	    "versionInfo": {"agentVersion": "1.82.1"},
//	    "attributes": [
//	      {"name": "ecs.instance-type", "value": "m5.large"},
//	      {"name": "ecs.capability.task-eni"}
//	    ],
//	    "registeredResources": [
//	      {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
//	      {"name": "MEMORY", "type": "INTEGER", "integerValue": 7680},
//	      {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679"]}
//	    ],
//	    "remainingResources": [
//	      {"name": "CPU", "type": "INTEGER", "integerValue": 1536},
//	      {"name": "MEMORY", "type": "INTEGER", "integerValue": 6656},
//	      {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679", "80"]}
//	    ]
//	  }],
//	  "tasks": [{
//	    "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/9d8c",
//	    "containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/1f2e",
//	    "group": "service:web",
//	    "lastStatus": "RUNNING",
//	    "desiredStatus": "RUNNING",
//	    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:14",
//	    "cpu": "512",
//	    "memory": "1024",
//	    "containers": [{"name": "web", "networkBindings": [{"hostPort": 80, "containerPort": 80, "protocol": "tcp"}]}]
//	  }]
//	}
//
// # Conventions
//
//   - registeredAt is the CLI's ISO-8601 string (a time without a zone is
//     UTC) or epoch seconds, maybe fractional, as the API and older CLIs
//     give it. Times are returned in UTC.
//   - Resources are {name, type, integerValue|longValue|doubleValue|
//     stringSetValue}; the value is read from the field the type names
//     (the CLI prints the others as zeros). CPU (CPU units, 1024 = 1 vCPU)
//     and MEMORY (MiB) are INTEGER; PORTS and PORTS_UDP are the host ports
//     already taken, reserved plus in use; GPU is the set of device ids (in
//     remainingResources, those still free). Every other named resource is
//     kept, typed, in Resources.Other.
//   - remainingResources is authoritative: ReadSnapshot never subtracts the
//     tasks from registeredResources. Tasks supply the groups an instance
//     hosts, and tell what each task would free when it stops.
//   - Task groups: a task counts for task:group on its instance when its
//     lastStatus is PENDING, ACTIVATING or RUNNING, the states in which it
//     holds a place there (PROVISIONING tasks have no instance yet).
//   - runningTasksCount is the field when present, else the number of the
//     instance's tasks whose desiredStatus is RUNNING;
//     pendingTasksCount likewise, counting lastStatus PENDING.
//   - Task cpu and memory are strings in the CLI's output ("256"); numbers
//     are accepted too.
//   - Defaults for fields a hand-written snapshot may omit: status ACTIVE,
//     agentConnected true, lastStatus and desiredStatus RUNNING, protocol
//     tcp, group "family:<family>" from taskDefinitionArn (ECS's default
//     for standalone tasks). A null value counts as absent. A task without
//     containerInstanceArn has no instance.
//   - Unknown fields are ignored. Keys match exactly (encoding/json's
//     case-insensitive matching is not used), and a key given twice in
//     one object is an error at the second one.
//
// *ContainerInstance implements cql.Subject, so a CQL expression can be
// matched against a snapshot's instances directly. Snapshot.Cluster
// converts a snapshot into a placement.Cluster, remainingResources as they
// are, and adopts each PENDING, ACTIVATING or RUNNING task with its group.
//
// # Task definitions
//
// ReadTaskDefinition reads a RegisterTaskDefinition input document or the
// output of describe-task-definition ({"taskDefinition": {...}}) into a
// placement.TaskDefinition, and validates it. It reads family, revision
// (0 when absent, as in an input document), cpu and memory (numbers,
// strings of digits, or "1 vCPU"/"1 vcpu" = 1024 units and "1GB"/"1 GB" =
// 1024 MiB; fractions that give whole units, such as "0.25 vCPU", too),
// networkMode, requiresCompatibilities (EC2, EXTERNAL or FARGATE; see
// placement.TaskDefinition.Supports), containerDefinitions (name, cpu, memory and memoryReservation,
// JSON integers as in ECS's API, never strings,
// essential, defaulting to true, portMappings and GPU
// resourceRequirements, "n" or "ALL"), placementConstraints (memberOf
// only: distinctInstance is refused with ECS's "constraint.type
// 'distinctInstance' is not supported") and requiresAttributes. A port
// mapping with a containerPortRange binds no static host port and is left
// out; InferenceAccelerator and NeuronDevice requirements are ignored.
//
// A RegisterTaskDefinition input (no "taskDefinition" wrapper, no
// taskDefinitionArn and no requiresAttributes) gets the requiresAttributes
// ECS adds on registering it (see placement.TaskDefinition.DerivedAttributes):
// the reader takes what they need from taskRoleArn, executionRoleArn,
// pidMode, ipcMode, volumes[].efsVolumeConfiguration (transitEncryption,
// authorizationConfig), and per container image, logConfiguration
// (logDriver, options, secretOptions), firelensConfiguration (type,
// options' config-file-type), secrets, repositoryCredentials,
// healthCheck, privileged, ulimits, dockerLabels, extraHosts and
// linuxParameters.initProcessEnabled. Its compatibilities are derived
// too (placement.TaskDefinition.LaunchTypes). A describe-task-definition output
// carries what ECS derived and is read as printed.
//
// # RunTask requests
//
// ReadRunTaskRequest reads a RunTask input document and applies ECS's
// request rules: taskDefinition ("family", "family:revision" or an ARN)
// required, count 1..10 (default 1), group at most 255 characters ("" is
// the default group, as the CLI skeleton writes it), startedBy, at most 10
// placementConstraints (a distinctInstance with any expression, even "",
// is refused; memberOf needs one) and 5 placementStrategy entries with
// fields their type takes, and launchType (EC2, EXTERNAL or FARGATE; none
// means EC2, since a snapshot carries no cluster default capacity provider
// strategy). overrides are not applied. A FARGATE request takes no
// placement constraints or strategies (neither its own nor the task
// definition's), as ECS rejects them. RunTaskRequest.Request joins a
// task definition, which must support the launch type: the request must
// name its family (and its revision, when both give one; a family
// alone means the latest ACTIVE revision, which the definition given is
// taken to be), and the two sets of constraints make at most 10.
//
// # Errors
//
// Every error in a document holds a *fielderr.Error (errors.As), one
// line after the package's prefix, naming the JSON path of the offending
// value (placement's validation errors are put under the document's path
// too, with fielderr.Wrap):
//
//	ecsjson: containerInstances[3].attributes[1].name: missing
//	ecsjson: containerInstances[0].registeredAt: "yesterday" is not an ISO-8601 time or epoch seconds
//
// Errors in the document's syntax or keys give the line and column:
//
//	ecsjson: 2:2: duplicate key "containerInstances" (first at line 1, column 2)
//
// A malformed memberOf expression keeps the *cql.Error as the cause, so
// that a caller can show its caret (errors.As(err, &cqlErr)).
//
// Errors are: invalid JSON, a duplicate key, an empty document, a
// document beyond a limit (see below), a wrong JSON type, a
// bad value (an integer that is not one, an unknown status, a port outside
// 0-65535), a missing or empty ARN or name, a duplicate containerInstanceArn,
// taskArn, attribute name or resource name, and a task whose
// containerInstanceArn names no instance of the snapshot.
//
// # Limits
//
// The readers never hold more than the document asks for, and stop with
// an error at a limit no real document reaches: a snapshot of at most
// 4 GiB, 1,048,576 container instances and 4,194,304 tasks, read one
// instance or task at a time (so that memory stays proportional to the
// snapshot read, not to its text); a task definition or RunTask request
// of at most 64 MiB; in any document, strings and numbers of at most
// 1 MiB and nesting at most 100 levels deep. A leading UTF-8 byte order
// mark is skipped. Errors are reported in document order, so an error in
// an early instance is reported before invalid JSON further on.
//
// # Concurrency
//
// The readers may be called concurrently. A Snapshot is plain data: it
// may be read concurrently, and the cql.Subject methods only read.
//
// # References
//
// The ECS behaviour reproduced here is catalogued, with the AWS page each
// rule comes from, in the repository's docs/ecs-behaviour.md, sections 2 and 5.1 and the edge cases they list.
// Comments cite its sections ("docs/ecs-behaviour.md 4.1") and numbered
// edge cases ("case 63"); a test named after a case checks that case.
//
// # Non-goals
//
// ecsjson does not call AWS, write snapshots, or check that the document is
// consistent beyond the ARNs (for example, that remainingResources equals
// registeredResources less the tasks). It does not apply RunTask
// overrides, model Fargate, or enforce account quotas.
package ecsjson
