package trace_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/berthsched/berth/sim/trace"
)

func ExampleNewOpenBPods() {
	const pods = `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061
openb-pod-0017,88000,327680,8,1000,V100M16|V100M32|V100M32,LS,Running,9437497,10772654,9437497
`
	r := trace.NewOpenBPods(strings.NewReader(pods), "pods.csv")
	for {
		t, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s at %v for %v: %d millicores, %d MiB, %d GPU x %d milli, models %q\n",
			t.ID, t.Submit, t.Duration, t.CPU, t.MemoryMiB, t.GPUs, t.GPUMilli, t.GPUModels)
	}
	// Output:
	// openb-pod-0001 at 118h37m41s for 3465h31m39s: 6000 millicores, 12288 MiB, 1 GPU x 460 milli, models []
	// openb-pod-0017 at 2621h31m37s for 370h52m37s: 88000 millicores, 327680 MiB, 8 GPU x 1000 milli, models ["V100M16" "V100M32"]
}

func ExampleNewSWF() {
	const swf = `; MaxProcs: 128
    1        0     -1   1451  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1
   57    25574     -1     10    1     -1    -1   -1     -1    -1  0   4   1   2 -1 -1 -1 -1
`
	r := trace.NewSWF(strings.NewReader(swf), "nasa.swf")
	for {
		t, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("job %s at %v for %v: %d CPU units, exit %d\n", t.ID, t.Submit, t.Duration, t.CPU, t.ExitCode)
	}
	fmt.Println("MaxProcs:", r.MaxProcs())
	// Output:
	// job 1 at 0s for 24m11s: 131072 CPU units, exit 0
	// job 57 at 7h6m14s for 10s: 1024 CPU units, exit 1
	// MaxProcs: 128
}

func ExampleWriteEvent() {
	task := trace.Task{ID: "train-7", Submit: 30e9, Duration: 5400e9, HasTimes: true,
		CPU: 4096, MemoryMiB: 16384, GPUs: 1, GPUMilli: 1000, GPUModels: []string{"A10G", "T4"}}
	events := []trace.Event{
		trace.NodeEvent(trace.Node{Name: "i-0a1", CPU: 8192, MemoryMiB: 32768, GPUs: 1, GPUModel: "A10G"}),
		trace.TaskEvent(task),
		{Time: 30, Kind: trace.KindPlace, TaskID: "train-7", InstanceID: "i-0a1"},
	}
	for i := range events {
		if err := trace.WriteEvent(os.Stdout, &events[i]); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// {"time":0,"kind":"instance-add","instance":"i-0a1","cpu":8192,"memory":32768,"gpus":1,"gpuModel":"A10G"}
	// {"time":30,"kind":"submit","task":"train-7","cpu":4096,"memory":16384,"gpus":1,"gpuModels":["A10G","T4"],"duration":5400}
	// {"time":30,"kind":"place","task":"train-7","instance":"i-0a1"}
}

func ExampleNewNative() {
	const log = `{"time":0,"kind":"submit","task":"web-1","cpu":1024,"memory":2048,"duration":3600}
{"time":0,"kind":"place","task":"web-1","instance":"i-0b2"}
{"time":5,"kind":"submit","task":"web-2","cpu":"1024"}
`
	r := trace.NewNative(strings.NewReader(log), "events.jsonl")
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		if e.Kind != trace.KindSubmit {
			continue // an output event: a replay ignores it
		}
		t, err := e.Task()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s at %v for %v\n", t.ID, t.Submit, t.Duration)
	}
	// Output:
	// web-1 at 0s for 1h0m0s
	// trace: events.jsonl:3:48: cpu: expected an integer, found "1024"
}
