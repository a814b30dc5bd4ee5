package ecsjson

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/golden"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// inst returns a minimal valid instance document with ARN "arn:i<n>" and
// extra fields appended.
func inst(n, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return `{"containerInstanceArn": "arn:i` + n + `"` + extra + `}`
}

// doc wraps instances (and tasks, unless empty) in a snapshot document.
func doc(tasks string, instances ...string) string {
	s := `{"containerInstances": [` + strings.Join(instances, ", ") + `]`
	if tasks != "" {
		s += `, "tasks": ` + tasks
	}
	return s + "}"
}

func res(list string) string { return inst("0", `"remainingResources": [`+list+`]`) }

func TestReadSnapshotErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		// The document.
		{name: "empty input", doc: ``, want: `ecsjson: empty document`},
		{name: "truncated", doc: "{\"containerInstances\": [\n  {\"containerInstanceArn\": \"arn:i0\"", want: `ecsjson: 2:36: containerInstances[0]: unexpected end of the document, expected ',' or '}' after an object member`},
		{name: "missing comma", doc: "{\"containerInstances\": [{\"containerInstanceArn\": \"a\", \"attributes\": [{\"name\": \"x\"} {\"name\": \"y\"}]}]}", want: `ecsjson: 1:84: containerInstances[0].attributes: expected ',' or ']' after an array element, found '{'`},
		{name: "missing colon", doc: "{\"containerInstances\": [{\"containerInstanceArn\" \"a\"}]}", want: `ecsjson: 1:49: containerInstances[0]: expected ':' after a key, found '"'`},
		{name: "open array", doc: `{"containerInstances": [`, want: `ecsjson: 1:25: containerInstances[0]: unexpected end of the document, expected a value`},
		{name: "bad element", doc: `{"containerInstances": [{"containerInstanceArn": "a"}, tru]}`, want: `ecsjson: 1:56: containerInstances[1]: expected a value, found "tru"`},
		{name: "odd key", doc: "{\"containerInstances\": [{\"a\\nb\": x}]}", want: `ecsjson: 1:34: containerInstances[0]["a\nb"]: expected a value, found 'x'`},
		{name: "trailing comma", doc: `{"containerInstances": [{"containerInstanceArn": "a"},]}`, want: `ecsjson: 1:55: containerInstances[1]: expected a value, found ']'`},
		{name: "trailing data", doc: `{"containerInstances": []} x`, want: `ecsjson: 1:28: found 'x' after the document, expected its end`},
		{name: "two documents", doc: `{"containerInstances": []} {}`, want: `ecsjson: 1:28: found '{' after the document, expected its end`},
		{name: "document is an array", doc: `[]`, want: `ecsjson: expected an object, found an array`},
		{name: "document is null", doc: `null`, want: `ecsjson: expected an object, found null`},
		{name: "no containerInstances", doc: `{"failures": []}`, want: `ecsjson: containerInstances: missing`},
		{name: "null containerInstances", doc: `{"containerInstances": null}`, want: `ecsjson: containerInstances: missing`},
		{name: "keys match exactly", doc: `{"ContainerInstances": []}`, want: `ecsjson: containerInstances: missing`},
		{name: "containerInstances is an object", doc: `{"containerInstances": {}}`, want: `ecsjson: containerInstances: expected an array, found an object`},

		// Container instances.
		{name: "instance is a number", doc: doc("", inst("0", ""), `1`), want: `ecsjson: containerInstances[1]: expected an object, found 1`},
		{name: "missing ARN", doc: doc("", `{"ec2InstanceId": "i-1"}`), want: `ecsjson: containerInstances[0].containerInstanceArn: missing`},
		{name: "ARN with other case", doc: doc("", `{"containerInstanceARN": "a"}`), want: `ecsjson: containerInstances[0].containerInstanceArn: missing`},
		{name: "empty ARN", doc: doc("", `{"containerInstanceArn": ""}`), want: `ecsjson: containerInstances[0].containerInstanceArn: empty`},
		{name: "ARN is a number", doc: doc("", `{"containerInstanceArn": 5}`), want: `ecsjson: containerInstances[0].containerInstanceArn: expected a string, found 5`},
		{name: "duplicate ARN", doc: doc("", inst("0", ""), inst("1", ""), inst("0", "")), want: `ecsjson: containerInstances[2].containerInstanceArn: duplicate "arn:i0" (also containerInstances[0])`},
		{name: "ec2InstanceId is an array", doc: doc("", inst("0", `"ec2InstanceId": ["i-1"]`)), want: `ecsjson: containerInstances[0].ec2InstanceId: expected a string, found an array`},
		{name: "unknown status", doc: doc("", inst("0", `"status": "RUNNING"`)), want: `ecsjson: containerInstances[0].status: expected one of REGISTERING, REGISTRATION_FAILED, ACTIVE, INACTIVE, DEREGISTERING, DRAINING, found "RUNNING"`},
		{name: "lowercase status", doc: doc("", inst("0", `"status": "active"`)), want: `ecsjson: containerInstances[0].status: expected one of REGISTERING, REGISTRATION_FAILED, ACTIVE, INACTIVE, DEREGISTERING, DRAINING, found "active"`},
		{name: "agentConnected is a string", doc: doc("", inst("0", `"agentConnected": "yes"`)), want: `ecsjson: containerInstances[0].agentConnected: expected true or false, found "yes"`},
		{name: "negative runningTasksCount", doc: doc("", inst("0", `"runningTasksCount": -1`)), want: `ecsjson: containerInstances[0].runningTasksCount: expected an integer from 0 to 2147483647, found -1`},
		{name: "fractional runningTasksCount", doc: doc("", inst("0", `"runningTasksCount": 1.5`)), want: `ecsjson: containerInstances[0].runningTasksCount: expected an integer from 0 to 2147483647, found 1.5`},
		{name: "runningTasksCount is a string", doc: doc("", inst("0", `"runningTasksCount": "3"`)), want: `ecsjson: containerInstances[0].runningTasksCount: expected a number, found "3"`},
		{name: "huge pendingTasksCount", doc: doc("", inst("0", `"pendingTasksCount": 99999999999999999999`)), want: `ecsjson: containerInstances[0].pendingTasksCount: expected an integer from 0 to 2147483647, found 99999999999999999999`},
		{name: "registeredAt in words", doc: doc("", inst("0", `"registeredAt": "yesterday"`)), want: `ecsjson: containerInstances[0].registeredAt: "yesterday" is not an ISO-8601 time or epoch seconds`},
		{name: "registeredAt date alone", doc: doc("", inst("0", `"registeredAt": "2024-03-01"`)), want: `ecsjson: containerInstances[0].registeredAt: "2024-03-01" is not an ISO-8601 time or epoch seconds`},
		{name: "registeredAt bad month", doc: doc("", inst("0", `"registeredAt": "2024-13-01T00:00:00Z"`)), want: `ecsjson: containerInstances[0].registeredAt: "2024-13-01T00:00:00Z" is not an ISO-8601 time or epoch seconds`},
		{name: "registeredAt is a boolean", doc: doc("", inst("0", `"registeredAt": true`)), want: `ecsjson: containerInstances[0].registeredAt: true is not an ISO-8601 time or epoch seconds`},
		{name: "registeredAt out of range", doc: doc("", inst("0", `"registeredAt": 1e30`)), want: `ecsjson: containerInstances[0].registeredAt: 1e30 is not an ISO-8601 time or epoch seconds`},
		{name: "registeredAt absurd exponent", doc: doc("", inst("0", `"registeredAt": 1e-99999`)), want: `ecsjson: containerInstances[0].registeredAt: 1e-99999 is not an ISO-8601 time or epoch seconds`},
		{name: "versionInfo is a string", doc: doc("", inst("0", `"versionInfo": "1.82.1"`)), want: `ecsjson: containerInstances[0].versionInfo: expected an object, found "1.82.1"`},
		{name: "agentVersion is a number", doc: doc("", inst("0", `"versionInfo": {"agentVersion": 1.8}`)), want: `ecsjson: containerInstances[0].versionInfo.agentVersion: expected a string, found 1.8`},
		{name: "agentHash is a number", doc: doc("", inst("0", `"versionInfo": {"agentHash": 1}`)), want: `ecsjson: containerInstances[0].versionInfo.agentHash: expected a string, found 1`},
		{name: "dockerVersion is a number", doc: doc("", inst("0", `"versionInfo": {"dockerVersion": 1}`)), want: `ecsjson: containerInstances[0].versionInfo.dockerVersion: expected a string, found 1`},

		// Attributes.
		{name: "attributes is an object", doc: doc("", inst("0", `"attributes": {}`)), want: `ecsjson: containerInstances[0].attributes: expected an array, found an object`},
		{name: "attribute is a string", doc: doc("", inst("0", `"attributes": ["stack=prod"]`)), want: `ecsjson: containerInstances[0].attributes[0]: expected an object, found "stack=prod"`},
		{name: "attribute name missing", doc: doc("", inst("0", ""), inst("1", ""), inst("2", ""), inst("3", `"attributes": [{"name": "a"}, {"value": "prod"}]`)), want: `ecsjson: containerInstances[3].attributes[1].name: missing`},
		{name: "attribute name empty", doc: doc("", inst("0", `"attributes": [{"name": ""}]`)), want: `ecsjson: containerInstances[0].attributes[0].name: empty`},
		{name: "attribute value is a number", doc: doc("", inst("0", `"attributes": [{"name": "rack", "value": 7}]`)), want: `ecsjson: containerInstances[0].attributes[0].value: expected a string, found 7`},
		{name: "duplicate attribute", doc: doc("", inst("0", `"attributes": [{"name": "stack", "value": "a"}, {"name": "x"}, {"name": "stack", "value": "b"}]`)), want: `ecsjson: containerInstances[0].attributes[2].name: duplicate "stack" (also containerInstances[0].attributes[0])`},
		{name: "long value is shortened", doc: doc("", inst("0", `"attributes": [{"name": "x", "value": 1234567890123456789012345678901234567890123456789}]`)), want: `ecsjson: containerInstances[0].attributes[0].value: expected a string, found 1234567890123456789012345678901234567890...`},

		// Resources.
		{name: "resources is a string", doc: doc("", inst("0", `"registeredResources": "CPU"`)), want: `ecsjson: containerInstances[0].registeredResources: expected an array, found "CPU"`},
		{name: "resource is an array", doc: doc("", res(`[]`)), want: `ecsjson: containerInstances[0].remainingResources[0]: expected an object, found an array`},
		{name: "resource name missing", doc: doc("", res(`{"type": "INTEGER", "integerValue": 1}`)), want: `ecsjson: containerInstances[0].remainingResources[0].name: missing`},
		{name: "unknown resource type", doc: doc("", res(`{"name": "CPU", "type": "FLOAT", "doubleValue": 1}`)), want: `ecsjson: containerInstances[0].remainingResources[0].type: expected one of INTEGER, LONG, DOUBLE, STRINGSET, found "FLOAT"`},
		{name: "no type and no value", doc: doc("", res(`{"name": "CPU"}`)), want: `ecsjson: containerInstances[0].remainingResources[0].type: missing`},
		{name: "integerValue missing", doc: doc("", res(`{"name": "CPU", "type": "INTEGER", "longValue": 2048}`)), want: `ecsjson: containerInstances[0].remainingResources[0].integerValue: missing`},
		{name: "integerValue fractional", doc: doc("", res(`{"name": "CPU", "type": "INTEGER", "integerValue": 1.5}`)), want: `ecsjson: containerInstances[0].remainingResources[0].integerValue: expected an integer from -2147483648 to 2147483647, found 1.5`},
		{name: "integerValue is a string", doc: doc("", res(`{"name": "CPU", "type": "INTEGER", "integerValue": "2048"}`)), want: `ecsjson: containerInstances[0].remainingResources[0].integerValue: expected a number, found "2048"`},
		{name: "integerValue beyond int32", doc: doc("", res(`{"name": "CPU", "type": "INTEGER", "integerValue": 3000000000}`)), want: `ecsjson: containerInstances[0].remainingResources[0].integerValue: expected an integer from -2147483648 to 2147483647, found 3000000000`},
		{name: "longValue missing", doc: doc("", res(`{"name": "disk", "type": "LONG", "integerValue": 1}`)), want: `ecsjson: containerInstances[0].remainingResources[0].longValue: missing`},
		{name: "longValue beyond int64", doc: doc("", res(`{"name": "disk", "type": "LONG", "longValue": 9223372036854775808}`)), want: `ecsjson: containerInstances[0].remainingResources[0].longValue: expected an integer from -9223372036854775808 to 9223372036854775807, found 9223372036854775808`},
		{name: "doubleValue missing", doc: doc("", res(`{"name": "rdma", "type": "DOUBLE", "integerValue": 0}`)), want: `ecsjson: containerInstances[0].remainingResources[0].doubleValue: missing`},
		{name: "resource name is a number", doc: doc("", res(`{"name": 1, "type": "INTEGER", "integerValue": 0}`)), want: `ecsjson: containerInstances[0].remainingResources[0].name: expected a string, found 1`},
		{name: "taskArn is null", doc: doc(`[{"taskArn": null}]`, inst("0", "")), want: `ecsjson: tasks[0].taskArn: missing`},
		{name: "doubleValue is a string", doc: doc("", res(`{"name": "rdma", "type": "DOUBLE", "doubleValue": "x"}`)), want: `ecsjson: containerInstances[0].remainingResources[0].doubleValue: expected a number, found "x"`},
		{name: "doubleValue out of range", doc: doc("", res(`{"name": "rdma", "type": "DOUBLE", "doubleValue": 1e400}`)), want: `ecsjson: containerInstances[0].remainingResources[0].doubleValue: 1e400 is out of range`},
		{name: "stringSetValue is a string", doc: doc("", res(`{"name": "PORTS", "type": "STRINGSET", "stringSetValue": "22"}`)), want: `ecsjson: containerInstances[0].remainingResources[0].stringSetValue: expected an array, found "22"`},
		{name: "stringSetValue holds a number", doc: doc("", res(`{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", 80]}`)), want: `ecsjson: containerInstances[0].remainingResources[0].stringSetValue[1]: expected a string, found 80`},
		{name: "CPU is a string set", doc: doc("", res(`{"name": "CPU", "type": "STRINGSET", "stringSetValue": ["1"]}`)), want: `ecsjson: containerInstances[0].remainingResources[0].type: expected INTEGER for CPU, found "STRINGSET"`},
		{name: "MEMORY is a double", doc: doc("", res(`{"name": "MEMORY", "type": "DOUBLE", "doubleValue": 1.5}`)), want: `ecsjson: containerInstances[0].remainingResources[0].type: expected INTEGER for MEMORY, found "DOUBLE"`},
		{name: "negative MEMORY", doc: doc("", res(`{"name": "MEMORY", "type": "INTEGER", "integerValue": -6}`)), want: `ecsjson: containerInstances[0].remainingResources[0].integerValue: expected an integer from 0 to 2147483647, found -6`},
		{name: "CPU beyond int32 as LONG", doc: doc("", res(`{"name": "CPU", "type": "LONG", "longValue": 3000000000}`)), want: `ecsjson: containerInstances[0].remainingResources[0].longValue: expected an integer from 0 to 2147483647, found 3000000000`},
		{name: "PORTS is an integer", doc: doc("", res(`{"name": "PORTS", "type": "INTEGER", "integerValue": 22}`)), want: `ecsjson: containerInstances[0].remainingResources[0].type: expected STRINGSET for PORTS, found "INTEGER"`},
		{name: "port is a word", doc: doc("", res(`{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "http"]}`)), want: `ecsjson: containerInstances[0].remainingResources[0].stringSetValue[1]: "http" is not a port number 0-65535`},
		{name: "port too large", doc: doc("", res(`{"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": ["65536"]}`)), want: `ecsjson: containerInstances[0].remainingResources[0].stringSetValue[0]: "65536" is not a port number 0-65535`},
		{name: "negative port", doc: doc("", res(`{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["-1"]}`)), want: `ecsjson: containerInstances[0].remainingResources[0].stringSetValue[0]: "-1" is not a port number 0-65535`},
		{name: "port with spaces", doc: doc("", res(`{"name": "PORTS", "type": "STRINGSET", "stringSetValue": [" 22"]}`)), want: `ecsjson: containerInstances[0].remainingResources[0].stringSetValue[0]: " 22" is not a port number 0-65535`},
		{name: "GPU is an integer", doc: doc("", res(`{"name": "GPU", "type": "INTEGER", "integerValue": 4}`)), want: `ecsjson: containerInstances[0].remainingResources[0].type: expected STRINGSET for GPU, found "INTEGER"`},
		{name: "duplicate resource", doc: doc("", res(`{"name": "CPU", "integerValue": 1}, {"name": "MEMORY", "integerValue": 1}, {"name": "CPU", "integerValue": 2}`)), want: `ecsjson: containerInstances[0].remainingResources[2].name: duplicate "CPU" (also containerInstances[0].remainingResources[0])`},

		// Tasks.
		{name: "tasks is an object", doc: doc(`{}`, inst("0", "")), want: `ecsjson: tasks: expected an array, found an object`},
		{name: "task is a string", doc: doc(`["arn:t0"]`, inst("0", "")), want: `ecsjson: tasks[0]: expected an object, found "arn:t0"`},
		{name: "taskArn missing", doc: doc(`[{"containerInstanceArn": "arn:i0"}]`, inst("0", "")), want: `ecsjson: tasks[0].taskArn: missing`},
		{name: "duplicate taskArn", doc: doc(`[{"taskArn": "t"}, {"taskArn": "t"}]`, inst("0", "")), want: `ecsjson: tasks[1].taskArn: duplicate "t" (also tasks[0])`},
		{name: "task on an unknown instance", doc: doc(`[{"taskArn": "t0", "containerInstanceArn": "arn:i0"}, {"taskArn": "t1", "containerInstanceArn": "arn:i9"}]`, inst("0", "")), want: `ecsjson: tasks[1].containerInstanceArn: "arn:i9" names no instance of containerInstances`},
		{name: "containerInstanceArn is a number", doc: doc(`[{"taskArn": "t", "containerInstanceArn": 0}]`, inst("0", "")), want: `ecsjson: tasks[0].containerInstanceArn: expected a string, found 0`},
		{name: "taskDefinitionArn is an object", doc: doc(`[{"taskArn": "t", "taskDefinitionArn": {}}]`, inst("0", "")), want: `ecsjson: tasks[0].taskDefinitionArn: expected a string, found an object`},
		{name: "group is a boolean", doc: doc(`[{"taskArn": "t", "group": false}]`, inst("0", "")), want: `ecsjson: tasks[0].group: expected a string, found false`},
		{name: "unknown lastStatus", doc: doc(`[{"taskArn": "t", "lastStatus": "DONE"}]`, inst("0", "")), want: `ecsjson: tasks[0].lastStatus: expected one of PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED, DELETED, found "DONE"`},
		{name: "unknown desiredStatus", doc: doc(`[{"taskArn": "t", "desiredStatus": "ACTIVATING"}]`, inst("0", "")), want: `ecsjson: tasks[0].desiredStatus: expected one of PENDING, RUNNING, STOPPED, found "ACTIVATING"`},
		{name: "cpu in vCPU", doc: doc(`[{"taskArn": "t", "cpu": "1 vCPU"}]`, inst("0", "")), want: `ecsjson: tasks[0].cpu: expected an integer from 0 to 2147483647, found "1 vCPU"`},
		{name: "negative cpu", doc: doc(`[{"taskArn": "t", "cpu": -256}]`, inst("0", "")), want: `ecsjson: tasks[0].cpu: expected an integer from 0 to 2147483647, found -256`},
		{name: "memory is a boolean", doc: doc(`[{"taskArn": "t", "memory": true}]`, inst("0", "")), want: `ecsjson: tasks[0].memory: expected a number or a string of digits, found true`},
		{name: "containers is an object", doc: doc(`[{"taskArn": "t", "containers": {}}]`, inst("0", "")), want: `ecsjson: tasks[0].containers: expected an array, found an object`},
		{name: "container is a number", doc: doc(`[{"taskArn": "t", "containers": [{}, 3]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[1]: expected an object, found 3`},
		{name: "container name is a number", doc: doc(`[{"taskArn": "t", "containers": [{"name": 1}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].name: expected a string, found 1`},
		{name: "container cpu is a word", doc: doc(`[{"taskArn": "t", "containers": [{"cpu": "half"}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].cpu: expected an integer from 0 to 2147483647, found "half"`},
		{name: "container memory fractional", doc: doc(`[{"taskArn": "t", "containers": [{"memory": "0.5"}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].memory: expected an integer from 0 to 2147483647, found "0.5"`},
		{name: "memoryReservation is an array", doc: doc(`[{"taskArn": "t", "containers": [{"memoryReservation": []}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].memoryReservation: expected a number or a string of digits, found an array`},
		{name: "gpuIds is a string", doc: doc(`[{"taskArn": "t", "containers": [{"gpuIds": "GPU-1"}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].gpuIds: expected an array, found "GPU-1"`},
		{name: "gpuId is a number", doc: doc(`[{"taskArn": "t", "containers": [{"gpuIds": ["GPU-1", 2]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].gpuIds[1]: expected a string, found 2`},
		{name: "networkBindings is an object", doc: doc(`[{"taskArn": "t", "containers": [{"networkBindings": {}}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].networkBindings: expected an array, found an object`},
		{name: "networkBinding is a number", doc: doc(`[{"taskArn": "t", "containers": [{"networkBindings": [80]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].networkBindings[0]: expected an object, found 80`},
		{name: "hostPort too large", doc: doc(`[{"taskArn": "t", "containers": [{}, {"networkBindings": [{"hostPort": 80}, {"hostPort": 70000}]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[1].networkBindings[1].hostPort: 70000 is not a port number 0-65535`},
		{name: "hostPort is a string", doc: doc(`[{"taskArn": "t", "containers": [{"networkBindings": [{"hostPort": "80"}]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].networkBindings[0].hostPort: expected a port number, found "80"`},
		{name: "negative containerPort", doc: doc(`[{"taskArn": "t", "containers": [{"networkBindings": [{"containerPort": -1}]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].networkBindings[0].containerPort: -1 is not a port number 0-65535`},
		{name: "fractional containerPort", doc: doc(`[{"taskArn": "t", "containers": [{"networkBindings": [{"containerPort": 80.5}]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].networkBindings[0].containerPort: 80.5 is not a port number 0-65535`},
		{name: "unknown protocol", doc: doc(`[{"taskArn": "t", "containers": [{"networkBindings": [{"protocol": "sctp"}]}]}]`, inst("0", "")), want: `ecsjson: tasks[0].containers[0].networkBindings[0].protocol: expected one of tcp, udp, found "sctp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSnapshot(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ReadSnapshot(%s) = %+v, want error %q", tt.doc, s, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ReadSnapshot(%s) error:\n got %s\nwant %s", tt.doc, err, tt.want)
			}
			var e *fielderr.Error
			if !errors.As(err, &e) {
				t.Errorf("ReadSnapshot(%s) error is %T, want *fielderr.Error", tt.doc, err)
			}
		})
	}
}

func TestReadError(t *testing.T) {
	cause := errors.New("disk on fire")
	_, err := ReadSnapshot(iotest.ErrReader(cause))
	if !errors.Is(err, cause) || err.Error() != "ecsjson: read: disk on fire" {
		t.Errorf("ReadSnapshot(failing reader) error = %v, want ecsjson: read: disk on fire wrapping the cause", err)
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	_, err := ReadSnapshot(strings.NewReader("{\"containerInstances\": [\n}"))
	var e *fielderr.Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 1 {
		t.Errorf("ReadSnapshot(invalid JSON) error %v, want a *fielderr.Error at line 2, column 1", err)
	}
}

// Every reader is strict about keys and reads within limits.
func TestReadStrict(t *testing.T) {
	readers := map[string]func(io.Reader) error{
		"snapshot": func(r io.Reader) error { _, err := ReadSnapshot(r); return err },
		"taskdef":  func(r io.Reader) error { _, err := ReadTaskDefinition(r); return err },
		"runtask":  func(r io.Reader) error { _, err := ReadRunTaskRequest(r); return err },
	}
	tests := []struct {
		name, reader, doc, want string
	}{
		{"duplicate top-level key", "snapshot", "{\"containerInstances\": [],\n \"containerInstances\": []}", `ecsjson: 2:2: duplicate key "containerInstances" (first at line 1, column 2)`},
		{"duplicate key in an instance", "snapshot", `{"containerInstances": [{"containerInstanceArn": "a", "containerInstanceArn": "b"}]}`, `ecsjson: 1:55: containerInstances[0]: duplicate key "containerInstanceArn" (first at line 1, column 26)`},
		{"key case", "snapshot", `{"ContainerInstances": []}`, `ecsjson: containerInstances: missing`},
		{"empty", "snapshot", " \n", `ecsjson: empty document`},
		{"byte order mark", "snapshot", "\uFEFF{\"containerInstances\": []}", ""},
		{"nesting", "snapshot", `{"x": ` + strings.Repeat("[", 200), `ecsjson: 1:106: x` + strings.Repeat("[0]", 99) + `: nested deeper than the limit of 100 levels`},
		{"duplicate key in a task definition", "taskdef", `{"family": "a", "family": "b"}`, `ecsjson: 1:17: duplicate key "family" (first at line 1, column 2)`},
		{"empty task definition", "taskdef", ``, `ecsjson: empty document`},
		{"container memory as a string", "taskdef", `{"family": "a", "containerDefinitions": [{"name": "c", "memory": "512"}]}`, `ecsjson: containerDefinitions[0].memory: expected an integer, found "512"`},
		{"container cpu as a string", "taskdef", `{"family": "a", "containerDefinitions": [{"name": "c", "cpu": "256", "memory": 512}]}`, `ecsjson: containerDefinitions[0].cpu: expected an integer, found "256"`},
		{"duplicate key in a request", "runtask", `{"taskDefinition": "a", "count": 1, "count": 2}`, `ecsjson: 1:37: duplicate key "count" (first at line 1, column 25)`},
		{"empty request", "runtask", "\uFEFF", `ecsjson: empty document`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := readers[tc.reader](strings.NewReader(tc.doc))
			if tc.want == "" {
				if err != nil {
					t.Errorf("read %s %q: %v", tc.reader, tc.doc, err)
				}
				return
			}
			var e *fielderr.Error
			if err == nil || err.Error() != tc.want || !errors.As(err, &e) {
				t.Errorf("read %s %q error = %v, want *fielderr.Error %s", tc.reader, tc.doc, err, tc.want)
			}
		})
	}
}

// ignoreGroups compares instances without their precomputed groups.
var ignoreGroups = cmpopts.IgnoreUnexported(ContainerInstance{})

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadSnapshotValues(t *testing.T) {
	tests := []struct {
		name       string
		doc        string
		want       *Snapshot
		wantGroups [][]string // TaskGroups() per instance
	}{
		{
			name: "defaults of a hand-written snapshot",
			doc:  doc("", inst("0", "")),
			want: &Snapshot{ContainerInstances: []ContainerInstance{{ARN: "arn:i0", Status: "ACTIVE", Connected: true}}},
		},
		{
			name: "empty cluster",
			doc:  `{"containerInstances": [], "failures": []}`,
			want: &Snapshot{ContainerInstances: []ContainerInstance{}},
		},
		{
			name: "nulls count as absent",
			doc:  doc(`null`, inst("0", `"status": null, "agentConnected": null, "registeredAt": null, "versionInfo": null, "attributes": null, "remainingResources": null`)),
			want: &Snapshot{ContainerInstances: []ContainerInstance{{ARN: "arn:i0", Status: "ACTIVE", Connected: true}}},
		},
		{
			name: "instance fields",
			doc: doc("", inst("0", `"ec2InstanceId": "i-0abc", "status": "DRAINING", "agentConnected": false,
				"runningTasksCount": 3, "pendingTasksCount": 1, "registeredAt": "2024-03-01T12:34:56.789000+00:00",
				"versionInfo": {"agentVersion": "1.82.1", "agentHash": "f0d4", "dockerVersion": "DockerVersion: 20.10.25"},
				"attributes": [{"name": "ecs.instance-type", "value": "m5.large"}, {"name": "ecs.capability.task-eni"}, {"name": "empty", "value": ""}],
				"unknownField": {"nested": [1, 2, 3]}, "version": 7`)),
			want: &Snapshot{ContainerInstances: []ContainerInstance{{
				ARN: "arn:i0", InstanceID: "i-0abc", Status: "DRAINING", Connected: false,
				RunningCount: 3, PendingCount: 1, Registered: date("2024-03-01T12:34:56.789Z"),
				VersionInfo: VersionInfo{AgentVersion: "1.82.1", AgentHash: "f0d4", DockerVersion: "DockerVersion: 20.10.25"},
				Attributes: []Attribute{
					{Name: "ecs.instance-type", Value: "m5.large", HasValue: true},
					{Name: "ecs.capability.task-eni"},
					{Name: "empty", Value: "", HasValue: true},
				},
			}}},
		},
		{
			name: "resources as the CLI prints them",
			doc: doc("", inst("0", `
				"registeredResources": [
					{"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 4096},
					{"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 15696},
					{"name": "PORTS", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": ["22", "2376", "2375", "51678", "51679"]},
					{"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": []},
					{"name": "GPU", "type": "STRINGSET", "stringSetValue": ["GPU-b", "GPU-a"]},
					{"name": "disk", "type": "LONG", "longValue": 107374182400, "integerValue": 0},
					{"name": "rdma", "type": "DOUBLE", "doubleValue": 0.5},
					{"name": "fpga", "type": "STRINGSET", "stringSetValue": ["f0"]},
					{"name": "enis", "type": "INTEGER", "integerValue": -3}
				],
				"remainingResources": [
					{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["80", "22", "80", "65535", "0"]},
					{"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": ["53"]},
					{"name": "CPU", "type": "LONG", "longValue": 1536},
					{"name": "GPU", "type": "STRINGSET"}
				]`)),
			want: &Snapshot{ContainerInstances: []ContainerInstance{{
				ARN: "arn:i0", Status: "ACTIVE", Connected: true,
				RegisteredResources: Resources{
					CPU: 4096, MemoryMiB: 15696, Ports: []uint16{22, 2375, 2376, 51678, 51679},
					GPUs: []string{"GPU-b", "GPU-a"},
					Other: []Resource{
						{Name: "disk", Type: "LONG", Integer: 107374182400},
						{Name: "rdma", Type: "DOUBLE", Double: 0.5},
						{Name: "fpga", Type: "STRINGSET", StringSet: []string{"f0"}},
						{Name: "enis", Type: "INTEGER", Integer: -3},
					},
				},
				RemainingResources: Resources{CPU: 1536, Ports: []uint16{0, 22, 80, 65535}, PortsUDP: []uint16{53}},
			}}},
		},
		{
			name: "resource types inferred from the value",
			doc: doc("", res(`{"name": "CPU", "integerValue": 1}, {"name": "MEMORY", "longValue": 2},
				{"name": "PORTS", "stringSetValue": ["1"], "integerValue": 0}, {"name": "w", "doubleValue": 3}`)),
			want: &Snapshot{ContainerInstances: []ContainerInstance{{
				ARN: "arn:i0", Status: "ACTIVE", Connected: true,
				RemainingResources: Resources{CPU: 1, MemoryMiB: 2, Ports: []uint16{1}, Other: []Resource{{Name: "w", Type: "DOUBLE", Double: 3}}},
			}}},
		},
		{
			name: "tasks",
			doc: doc(`[
				{"taskArn": "t0", "containerInstanceArn": "arn:i0", "group": "service:web", "lastStatus": "RUNNING", "desiredStatus": "RUNNING",
				 "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:14", "cpu": "512", "memory": 1024, "launchType": "EC2",
				 "containers": [
					{"name": "web", "cpu": "0", "memory": "2048", "memoryReservation": "1024", "image": "nginx",
					 "networkBindings": [{"bindIP": "0.0.0.0", "hostPort": 80, "containerPort": 8080, "protocol": "tcp"}, {"hostPort": 53, "containerPort": 53, "protocol": "udp"}, {"hostPort": 49153}]},
					{"name": "gpu", "gpuIds": ["GPU-a", "GPU-b"]}
				 ]},
				{"taskArn": "t1", "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/batch:3", "lastStatus": "PROVISIONING", "desiredStatus": "RUNNING"},
				{"taskArn": "t2", "containerInstanceArn": "arn:i0"}
			]`, inst("0", "")),
			want: &Snapshot{
				ContainerInstances: []ContainerInstance{{ARN: "arn:i0", Status: "ACTIVE", Connected: true, RunningCount: 2}},
				Tasks: []Task{
					{
						ARN: "t0", ContainerInstanceARN: "arn:i0", Group: "service:web", LastStatus: "RUNNING", DesiredStatus: "RUNNING",
						TaskDefinitionARN: "arn:aws:ecs:us-east-1:1:task-definition/web:14", CPU: 512, MemoryMiB: 1024,
						Containers: []Container{
							{Name: "web", MemoryMiB: 2048, MemoryReservationMiB: 1024, NetworkBindings: []NetworkBinding{
								{HostPort: 80, ContainerPort: 8080, Protocol: "tcp"},
								{HostPort: 53, ContainerPort: 53, Protocol: "udp"},
								{HostPort: 49153, Protocol: "tcp"},
							}},
							{Name: "gpu", GPUIDs: []string{"GPU-a", "GPU-b"}},
						},
					},
					{ARN: "t1", Group: "family:batch", LastStatus: "PROVISIONING", DesiredStatus: "RUNNING", TaskDefinitionARN: "arn:aws:ecs:us-east-1:1:task-definition/batch:3"},
					{ARN: "t2", ContainerInstanceARN: "arn:i0", LastStatus: "RUNNING", DesiredStatus: "RUNNING"},
				},
			},
			wantGroups: [][]string{{"service:web"}},
		},
		{
			name: "groups count PENDING, ACTIVATING and RUNNING tasks once each",
			doc: doc(`[
				{"taskArn": "t0", "containerInstanceArn": "arn:i0", "group": "a", "lastStatus": "PROVISIONING"},
				{"taskArn": "t1", "containerInstanceArn": "arn:i0", "group": "b", "lastStatus": "PENDING"},
				{"taskArn": "t2", "containerInstanceArn": "arn:i0", "group": "c", "lastStatus": "ACTIVATING"},
				{"taskArn": "t3", "containerInstanceArn": "arn:i0", "group": "d", "lastStatus": "RUNNING"},
				{"taskArn": "t4", "containerInstanceArn": "arn:i0", "group": "e", "lastStatus": "DEACTIVATING"},
				{"taskArn": "t5", "containerInstanceArn": "arn:i0", "group": "f", "lastStatus": "STOPPING"},
				{"taskArn": "t6", "containerInstanceArn": "arn:i0", "group": "g", "lastStatus": "DEPROVISIONING"},
				{"taskArn": "t7", "containerInstanceArn": "arn:i0", "group": "h", "lastStatus": "STOPPED"},
				{"taskArn": "t8", "containerInstanceArn": "arn:i0", "group": "i", "lastStatus": "DELETED"},
				{"taskArn": "t9", "containerInstanceArn": "arn:i1", "group": "d", "lastStatus": "RUNNING"},
				{"taskArn": "t10", "containerInstanceArn": "arn:i0", "group": "b", "lastStatus": "RUNNING"},
				{"taskArn": "t11", "containerInstanceArn": "arn:i0", "lastStatus": "RUNNING"}
			]`, inst("0", ""), inst("1", ""), inst("2", "")),
			wantGroups: [][]string{{"b", "c", "d"}, {"d"}, nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSnapshot(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatalf("ReadSnapshot(%s): %v", tt.doc, err)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, got, ignoreGroups); diff != "" {
					t.Errorf("ReadSnapshot(%s) mismatch (-want +got):\n%s", tt.doc, diff)
				}
			}
			if tt.wantGroups != nil {
				var groups [][]string
				for i := range got.ContainerInstances {
					groups = append(groups, got.ContainerInstances[i].TaskGroups())
				}
				if diff := cmp.Diff(tt.wantGroups, groups); diff != "" {
					t.Errorf("TaskGroups per instance mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestTaskCounts checks that runningTasksCount is the field
// when present, else counted from the tasks whose desiredStatus is
// RUNNING (pendingTasksCount likewise from lastStatus PENDING).
func TestTaskCounts(t *testing.T) {
	tasks := `[
		{"taskArn": "t0", "containerInstanceArn": "arn:i0", "lastStatus": "RUNNING", "desiredStatus": "RUNNING"},
		{"taskArn": "t1", "containerInstanceArn": "arn:i0", "lastStatus": "PENDING", "desiredStatus": "RUNNING"},
		{"taskArn": "t2", "containerInstanceArn": "arn:i0", "lastStatus": "RUNNING", "desiredStatus": "STOPPED"},
		{"taskArn": "t3", "containerInstanceArn": "arn:i0", "lastStatus": "STOPPED", "desiredStatus": "STOPPED"},
		{"taskArn": "t4", "containerInstanceArn": "arn:i1", "lastStatus": "PENDING", "desiredStatus": "RUNNING"},
		{"taskArn": "t5", "lastStatus": "PROVISIONING", "desiredStatus": "RUNNING"}
	]`
	tests := []struct {
		name                     string
		instance                 string
		wantRunning, wantPending int
	}{
		{name: "counted from the tasks", instance: inst("0", ""), wantRunning: 2, wantPending: 1},
		{name: "reported by ECS", instance: inst("0", `"runningTasksCount": 7, "pendingTasksCount": 0`), wantRunning: 7, wantPending: 0},
		{name: "running reported, pending counted", instance: inst("0", `"runningTasksCount": 0`), wantRunning: 0, wantPending: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSnapshot(strings.NewReader(doc(tasks, tt.instance, inst("1", ""))))
			if err != nil {
				t.Fatal(err)
			}
			c := &s.ContainerInstances[0]
			if c.RunningTasksCount() != tt.wantRunning || c.PendingCount != tt.wantPending {
				t.Errorf("running, pending = %d, %d; want %d, %d", c.RunningTasksCount(), c.PendingCount, tt.wantRunning, tt.wantPending)
			}
		})
	}
}

func TestRegisteredAt(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string // RFC 3339 in UTC
	}{
		{name: "CLI ISO-8601", json: `"2024-03-01T12:34:56.789000+00:00"`, want: "2024-03-01T12:34:56.789Z"},
		{name: "Z", json: `"2018-06-18T22:28:28Z"`, want: "2018-06-18T22:28:28Z"},
		{name: "other zone", json: `"2018-06-18T22:28:28-05:00"`, want: "2018-06-19T03:28:28Z"},
		{name: "no zone is UTC", json: `"2018-06-18T22:28:28"`, want: "2018-06-18T22:28:28Z"},
		{name: "no zone with fraction", json: `"2018-06-18T22:28:28.5"`, want: "2018-06-18T22:28:28.5Z"},
		{name: "nanoseconds", json: `"2018-06-18T22:28:28.123456789Z"`, want: "2018-06-18T22:28:28.123456789Z"},
		{name: "epoch seconds", json: `1529360908`, want: "2018-06-18T22:28:28Z"},
		{name: "fractional epoch seconds", json: `1557853298.589`, want: "2019-05-14T17:01:38.589Z"},
		{name: "epoch with nanoseconds exactly", json: `1557853298.123456789`, want: "2019-05-14T17:01:38.123456789Z"},
		{name: "epoch beyond nanoseconds truncated", json: `1557853298.1234567899`, want: "2019-05-14T17:01:38.123456789Z"},
		{name: "epoch exponent", json: `1.557853298589e9`, want: "2019-05-14T17:01:38.589Z"},
		{name: "epoch exponent with plus", json: `1.5E+9`, want: "2017-07-14T02:40:00Z"},
		{name: "epoch zero", json: `0`, want: "1970-01-01T00:00:00Z"},
		{name: "epoch zero fraction", json: `0.000`, want: "1970-01-01T00:00:00Z"},
		{name: "epoch tiny", json: `1e-9`, want: "1970-01-01T00:00:00.000000001Z"},
		{name: "epoch below a nanosecond", json: `1e-10`, want: "1970-01-01T00:00:00Z"},
		{name: "negative epoch", json: `-1.5`, want: "1969-12-31T23:59:58.5Z"},
		{name: "largest epoch", json: `99999999999`, want: "5138-11-16T09:46:39Z"},
		{name: "leading zeros in fraction", json: `10.05`, want: "1970-01-01T00:00:10.05Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSnapshot(strings.NewReader(doc("", inst("0", `"registeredAt": `+tt.json))))
			if err != nil {
				t.Fatalf("registeredAt %s: %v", tt.json, err)
			}
			got := s.ContainerInstances[0].RegisteredAt()
			if got.Format(time.RFC3339Nano) != tt.want || got.Location() != time.UTC {
				t.Errorf("registeredAt %s = %v, want %s (UTC)", tt.json, got, tt.want)
			}
		})
	}
}

func TestRegisteredAtOutOfRange(t *testing.T) {
	for _, lit := range []string{`100000000000`, `1e11`, `-1e11`, `1e1001`, `1e99999999999999999999`} {
		_, err := ReadSnapshot(strings.NewReader(doc("", inst("0", `"registeredAt": `+lit))))
		if err == nil {
			t.Errorf("registeredAt %s accepted, want an error", lit)
		}
	}
}

func TestSubject(t *testing.T) {
	s, err := ReadSnapshot(strings.NewReader(doc(`[{"taskArn": "t", "containerInstanceArn": "arn:i0", "group": "service:web"}]`,
		inst("0", `"ec2InstanceId": "i-1", "agentConnected": false, "versionInfo": {"agentVersion": "1.14.5"},
			"registeredAt": 1529360908, "attributes": [{"name": "stack", "value": "prod"}, {"name": "flag"}]`))))
	if err != nil {
		t.Fatal(err)
	}
	c := &s.ContainerInstances[0]
	type attr struct {
		Value string
		OK    bool
	}
	got := []any{c.EC2InstanceID(), c.AgentConnected(), c.AgentVersion(), c.RegisteredAt().Unix(), c.RunningTasksCount(), c.TaskGroups()}
	want := []any{"i-1", false, "1.14.5", int64(1529360908), 1, []string{"service:web"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Subject methods mismatch (-want +got):\n%s", diff)
	}
	for name, w := range map[string]attr{"stack": {"prod", true}, "flag": {"", true}, "absent": {"", false}, "Stack": {"", false}} {
		v, ok := c.Attribute(name)
		if (attr{v, ok}) != w {
			t.Errorf("Attribute(%q) = %q, %v; want %q, %v", name, v, ok, w.Value, w.OK)
		}
	}
}

func TestSubjectDoesNotAllocate(t *testing.T) {
	s := readCluster(t)
	c := &s.ContainerInstances[2]
	allocs := testing.AllocsPerRun(100, func() {
		c.Attribute("stack")
		c.Attribute("absent")
		c.TaskGroups()
		c.AgentConnected()
		c.AgentVersion()
		c.EC2InstanceID()
		c.RegisteredAt()
		c.RunningTasksCount()
	})
	if allocs != 0 {
		t.Errorf("Subject methods allocate %v times per run, want 0", allocs)
	}
}

func readCluster(t testing.TB) *Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "examples", "cluster.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadSnapshot(f)
	if err != nil {
		t.Fatalf("ReadSnapshot(examples/cluster.json): %v", err)
	}
	return s
}

// clusterView is the golden view of a snapshot: its fields plus what each
// instance reports as a cql.Subject.
type clusterView struct {
	Instances []instanceView
	Tasks     []Task
}

type instanceView struct {
	ContainerInstance
	TaskGroups []string
}

func TestExampleClusterGolden(t *testing.T) {
	s := readCluster(t)
	var v clusterView
	for i := range s.ContainerInstances {
		v.Instances = append(v.Instances, instanceView{s.ContainerInstances[i], s.ContainerInstances[i].TaskGroups()})
	}
	v.Tasks = s.Tasks
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "cluster.golden.json", string(got)+"\n")

	// What the README's tour relies on.
	if n := len(s.ContainerInstances); n != 8 {
		t.Errorf("examples/cluster.json has %d instances, want 8", n)
	}
	azs := map[string]bool{}
	for i := range s.ContainerInstances {
		az, _ := s.ContainerInstances[i].Attribute("ecs.availability-zone")
		azs[az] = true
	}
	if len(azs) != 3 {
		t.Errorf("examples/cluster.json spans availability zones %v, want 3", azs)
	}
}
