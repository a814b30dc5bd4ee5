package ecsjson

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berthsched/berth/fielderr"
)

func FuzzReadSnapshot(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "examples", "cluster.json")); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		``,
		`{}`,
		`{"containerInstances": []}`,
		doc("", inst("0", `"registeredAt": 1557853298.589, "attributes": [{"name": "a"}]`)),
		doc("", res(`{"name": "PORTS", "stringSetValue": ["22"]}, {"name": "CPU", "type": "INTEGER", "integerValue": 1}`)),
		doc(`[{"taskArn": "t", "containerInstanceArn": "arn:i0", "containers": [{"networkBindings": [{"hostPort": 80}], "gpuIds": ["g"]}]}]`, inst("0", "")),
		`{"containerInstances": [{"containerInstanceArn": "a", "registeredAt": "2024-03-01T12:34:56.789000+00:00"}], "tasks": null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSnapshot(bytes.NewReader(data))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "ecsjson: ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error %q is not one line starting with \"ecsjson: \"", msg)
			}
			var e *fielderr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *fielderr.Error", err, err)
			}
			return
		}
		arns := map[string]bool{}
		for i := range s.ContainerInstances {
			c := &s.ContainerInstances[i]
			if c.ARN == "" || arns[c.ARN] {
				t.Fatalf("instance %d has an empty or duplicate ARN %q", i, c.ARN)
			}
			arns[c.ARN] = true
			for _, ports := range [][]uint16{c.RegisteredResources.Ports, c.RemainingResources.Ports, c.RegisteredResources.PortsUDP, c.RemainingResources.PortsUDP} {
				if !slices.IsSorted(ports) || len(slices.Compact(slices.Clone(ports))) != len(ports) {
					t.Fatalf("instance %d: ports %v not sorted and distinct", i, ports)
				}
			}
		}
		for i, task := range s.Tasks {
			if task.ARN == "" || (task.ContainerInstanceARN != "" && !arns[task.ContainerInstanceARN]) {
				t.Fatalf("task %d: empty ARN or unknown instance %q", i, task.ContainerInstanceARN)
			}
		}
		checkGroups(t, s)
	})
}
