package ecsjson

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchmarkReadSnapshotPeak reads a 200 MB snapshot from a file and
// converts it to a placement.Cluster, as berth place does (berth cql stops
// after reading), and reports the peak heap over the file's size
// (peak-bytes/file-bytes), which must stay under 4.
func BenchmarkReadSnapshotPeak(b *testing.B) {
	if testing.Short() {
		b.Skip("writes and reads a 200 MB snapshot")
	}
	path := filepath.Join(b.TempDir(), "snapshot.json")
	size := writeBigSnapshot(b, path, 200<<20)
	b.ReportAllocs()
	b.SetBytes(size)
	var worst float64
	for b.Loop() {
		peak := measurePeak(func() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			s, err := ReadSnapshot(bufio.NewReader(f))
			if err != nil || len(s.ContainerInstances) == 0 {
				b.Fatalf("ReadSnapshot: %d instances, %v", len(s.ContainerInstances), err)
			}
			c, _, err := s.Cluster()
			if err != nil {
				b.Fatal(err)
			}
			runtime.KeepAlive(s)
			runtime.KeepAlive(c)
		})
		worst = max(worst, float64(peak)/float64(size))
	}
	b.ReportMetric(worst, "peak-bytes/file-bytes")
	if worst >= 4 {
		b.Errorf("peak heap %.2fx the file size, want under 4x", worst)
	}
}

// measurePeak runs f and returns the largest heap while it ran (live and
// dead objects not yet swept, and the free space between them, but not
// memory returned to the system), above what was there before, sampled
// every millisecond and at the end.
func measurePeak(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() + sample[1].Value.Uint64() }
	base := read()
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				v := read()
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	peak = max(peak, read())
	if peak < base {
		return 0
	}
	return peak - base
}

// writeBigSnapshot writes a snapshot of about size bytes in the AWS CLI's
// pretty-printed shape: instances with the attributes and resources ECS
// registers, and two tasks per instance.
func writeBigSnapshot(b *testing.B, path string, size int64) int64 {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "{\n    \"containerInstances\": [\n")
	var n int64
	var tasks []string
	for i := 0; n < size*8/10; i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		arn := fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/prod/%032x", i)
		k, _ := fmt.Fprintf(w, instanceTemplate, arn, i, 'a'+byte(i%3), i)
		n += int64(k)
		tasks = append(tasks, arn)
	}
	fmt.Fprint(w, "\n    ],\n    \"tasks\": [\n")
	for i := 0; n < size; i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		k, _ := fmt.Fprintf(w, taskTemplate, i, tasks[i%len(tasks)], i%50)
		n += int64(k)
	}
	fmt.Fprint(w, "\n    ],\n    \"failures\": []\n}\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

const instanceTemplate = `        {
            "containerInstanceArn": "%s",
            "ec2InstanceId": "i-%017x",
            "version": 42,
            "versionInfo": {"agentVersion": "1.82.0", "agentHash": "a1b2c3d4", "dockerVersion": "DockerVersion: 20.10.25"},
            "remainingResources": [
                {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 1024},
                {"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 3000},
                {"name": "PORTS", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": ["22", "2375", "2376", "51678", "51679"]},
                {"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": []}
            ],
            "registeredResources": [
                {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 2048},
                {"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 7680},
                {"name": "PORTS", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": ["22", "2375", "2376", "51678", "51679"]},
                {"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": []}
            ],
            "status": "ACTIVE",
            "agentConnected": true,
            "runningTasksCount": 2,
            "pendingTasksCount": 0,
            "attributes": [
                {"name": "ecs.capability.secrets.asm.environment-variables"},
                {"name": "ecs.capability.execution-role-awslogs"},
                {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.40"},
                {"name": "ecs.capability.task-eni"},
                {"name": "ecs.ami-id", "value": "ami-0123456789abcdef0"},
                {"name": "ecs.availability-zone", "value": "us-east-1%c"},
                {"name": "ecs.instance-type", "value": "m5.large"},
                {"name": "ecs.os-type", "value": "linux"},
                {"name": "ecs.cpu-architecture", "value": "x86_64"},
                {"name": "team", "value": "t%d"}
            ],
            "registeredAt": "2024-03-01T12:34:56.789000+00:00",
            "tags": []
        }`

const taskTemplate = `        {
            "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/%032x",
            "containerInstanceArn": "%s",
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
            "group": "service:web-%d",
            "lastStatus": "RUNNING",
            "desiredStatus": "RUNNING",
            "cpu": "512",
            "memory": "1024",
            "containers": [
                {"name": "web", "cpu": "512", "memory": "1024", "networkBindings": [{"hostPort": 0, "containerPort": 80, "protocol": "tcp"}]}
            ]
        }`
