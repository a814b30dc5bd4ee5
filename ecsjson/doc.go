// Package ecsjson reads cluster snapshots in the JSON shapes the AWS CLI
// prints, so that a real ECS cluster can be piped into berth.
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
//     instance's tasks whose desiredStatus is RUNNING (DESIGN decision 5);
//     pendingTasksCount likewise, counting lastStatus PENDING.
//   - Task cpu and memory are strings in the CLI's output ("256"); numbers
//     are accepted too.
//   - Defaults for fields a hand-written snapshot may omit: status ACTIVE,
//     agentConnected true, lastStatus and desiredStatus RUNNING, protocol
//     tcp, group "family:<family>" from taskDefinitionArn (ECS's default
//     for standalone tasks). A null value counts as absent. A task without
//     containerInstanceArn has no instance.
//   - Unknown fields are ignored. Keys match exactly (encoding/json's
//     case-insensitive matching is not used).
//
// *ContainerInstance implements cql.Subject, so a CQL expression can be
// matched against a snapshot's instances directly.
//
// # Errors
//
// Every error in a document is an *Error, one line, naming the JSON path
// of the offending value:
//
//	ecsjson: containerInstances[3].attributes[1].name: missing
//	ecsjson: containerInstances[0].registeredAt: "yesterday" is not an ISO-8601 time or epoch seconds
//
// Errors are: invalid JSON (with line and column), a wrong JSON type, a
// bad value (an integer that is not one, an unknown status, a port outside
// 0-65535), a missing or empty ARN or name, a duplicate containerInstanceArn,
// taskArn, attribute name or resource name, and a task whose
// containerInstanceArn names no instance of the snapshot.
//
// # Concurrency
//
// ReadSnapshot may be called concurrently. A Snapshot is plain data: it
// may be read concurrently, and the cql.Subject methods only read.
//
// # Non-goals
//
// ecsjson does not call AWS, write snapshots, or check that the document is
// consistent beyond the ARNs (for example, that remainingResources equals
// registeredResources less the tasks). Converting a snapshot into
// placement's model is placement's business.
package ecsjson
