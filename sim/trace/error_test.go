package trace

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/berthsched/berth/fielderr"
	"github.com/google/go-cmp/cmp"
)

// readErr reads input with the reader named by format and returns the
// first error other than io.EOF, or nil.
func readErr(format, name, input string) error {
	r := strings.NewReader(input)
	var err error
	switch format {
	case "openb-nodes":
		_, err = readAll(NewOpenBNodes(r, name).Next)
	case "openb-pods":
		_, err = readAll(NewOpenBPods(r, name).Next)
	case "swf":
		_, err = readAll(NewSWF(r, name).Next)
	case "dlrm":
		_, err = readAll(NewDLRM(r, name).Next)
	case "pai":
		_, err = readAll(NewPAIMachines(r, name).Next)
	case "native":
		_, err = readAll(NewNative(r, name).Next)
	default:
		panic("unknown format " + format)
	}
	return err
}

const (
	podHeader  = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
	dlrmHeader = "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n"
	swfJob     = "    1        0     -1   1451  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n"
	okStart    = `{"time":1,"kind":"start","task":"a","instance":"b"}` + "\n"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		format string
		input  string
		want   string
	}{
		// openb nodes
		{"node missing column", "openb-nodes", "sn,cpu_milli,memory_mib,gpu\nn,1,1,0\n",
			`trace: f.csv:1: missing column "model" in the header "sn,cpu_milli,memory_mib,gpu"`},
		{"node GPU without model", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,0,\nn1,64000,262144,2,\n",
			"trace: f.csv:3:5: model is empty for a node with 2 GPUs, expected a GPU model"},
		{"node of a billion GPUs", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,1000000000,V100\n",
			"trace: f.csv:2:4: gpu 1000000000 is too many, expected at most 64"},
		{"pai machine of a billion GPUs", "pai", "m0,T4,96,512,1000000000\n",
			"trace: f.csv:1:5: cap_gpu 1000000000 is too many, expected at most 64"},
		{"native instance of a billion GPUs", "native", `{"time": 0, "kind": "instance-add", "instance": "i", "gpus": 1000000000, "gpuModel": "T4"}`,
			"trace: f.jsonl:1:62: gpus 1000000000 is too many, expected at most 64"},
		{"node non-numeric cpu", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,64k,1,0,\n",
			`trace: f.csv:2:2: cpu_milli "64k" is not an integer`},
		{"node negative memory", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,1,-1,0,\n",
			"trace: f.csv:2:3: memory_mib -1 is negative"},
		{"node empty name", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\n,1,1,0,\n",
			"trace: f.csv:2:1: sn is empty, expected a node name"},
		{"node too many fields", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,0,,x\n",
			"trace: f.csv:2:6: expected 5 fields (sn,cpu_milli,memory_mib,gpu,model), found 6"},
		{"empty file", "openb-nodes", "", "trace: f.csv: empty file, expected a header line"},
		{"duplicate column", "openb-nodes", "sn,gpu,cpu_milli,memory_mib,gpu,model\n",
			`trace: f.csv:1:5: column "gpu" appears twice in the header`},
		{"bad gzip", "openb-nodes", "\x1f\x8b\x08garbage", "trace: f.csv: gzip: unexpected EOF"},
		{"truncated gzip", "openb-nodes", string(gzipped(t, []byte("sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,0,\n"))[:30]),
			"trace: f.csv: gzip: the file is cut short (the compressed data ends early)"},
		{"csv quote", "openb-nodes", "sn,cpu_milli,memory_mib,gpu,model\nn0,\"1,1,0,\n",
			"trace: f.csv:2:3: expected 5 fields (sn,cpu_milli,memory_mib,gpu,model), found 2"},

		// openb pods
		{"pod missing column", "openb-pods", "name,cpu_milli,num_gpu,gpu_milli\n",
			`trace: f.csv:1: missing column "memory_mib" in the header "name,cpu_milli,num_gpu,gpu_milli"`},
		{"pod creation without deletion", "openb-pods", "name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time\n",
			`trace: f.csv:1: missing column "deletion_time" in the header "name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time"`},
		{"pod non-numeric cpu", "openb-pods", podHeader + "p0,12x,1,0,0,,LS,Running,0,1,0\n",
			`trace: f.csv:2:2: cpu_milli "12x" is not an integer`},
		{"pod gpu_milli out of range", "openb-pods", podHeader + "p0,1,1,1,1001,,LS,Running,0,1,0\n",
			"trace: f.csv:2:5: gpu_milli 1001 is out of range, expected 1 to 1000 for a pod with num_gpu 1"},
		{"pod gpu_milli without GPU", "openb-pods", podHeader + "p0,1,1,0,500,,LS,Running,0,1,0\n",
			"trace: f.csv:2:5: gpu_milli 500 for a pod with num_gpu 0, expected 0"},
		{"pod time going backwards", "openb-pods", podHeader + "p0,1,1,0,0,,LS,Running,100,50,0\n",
			"trace: f.csv:2:10: deletion_time 50 is before creation_time 100"},
		{"pod bad time", "openb-pods", podHeader + "p0,1,1,0,0,,LS,Running,1e999,2,0\n",
			`trace: f.csv:2:9: creation_time "1e999" is not a number`},
		{"pod huge time", "openb-pods", podHeader + "p0,1,1,0,0,,LS,Running,0,1e12,0\n",
			"trace: f.csv:2:10: deletion_time 1e12 is out of range (more than 292 years)"},
		{"headerless pod list", "openb-pods", "p0,1,1,0,0,,LS,Running,500,600,500\n",
			`trace: f.csv:1: no header: the first line "p0,1,1,0,0,,LS,Running,500,600,500" is data, expected a header line naming the columns (name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,creation_time,deletion_time)`},
		{"headerless node list", "openb-nodes", "n0,64000,262144,2,V100\n",
			`trace: f.csv:1: no header: the first line "n0,64000,262144,2,V100" is data, expected a header line naming the columns (sn,cpu_milli,memory_mib,gpu,model)`},
		{"pods out of time order", "openb-pods", podHeader + "p0,1,1,0,0,,LS,Running,500,600,500\np1,1,1,0,0,,LS,Running,10,20,10\n",
			"trace: f.csv:3:9: creation_time 10 is before 500 on line 2, expected times that do not decrease (a replay would submit the pod late)"},
		{"swf out of time order", "swf", "1 500 -1 10 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 10 -1 10 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			"trace: f.swf:2:2: submit time 10 is before 500 on line 1, expected times that do not decrease (a replay would submit the job late)"},
		{"pod missing fields", "openb-pods", podHeader + "p0,1,1,0,0\n",
			"trace: f.csv:2:6: expected 11 fields (name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time), found 5"},
		{"pod empty cpu", "openb-pods", podHeader + "p0,,1,0,0,,LS,Running,0,1,0\n",
			"trace: f.csv:2:2: cpu_milli is empty, expected an integer"},

		// SWF
		{"swf bad gzip", "swf", "\x1f\x8bnot gzip", "trace: f.swf: gzip: invalid header"},
		{"swf too few fields", "swf", "; MaxProcs: 128\n1 0 -1 10 1\n",
			"trace: f.swf:2:6: expected 18 fields, found 5"},
		{"swf non-numeric", "swf", "    1        0     -1   1x51  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1\n",
			`trace: f.swf:1:4: run time "1x51" is not a number`},
		{"swf negative processors", "swf", "1 0 -1 10 -2 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			"trace: f.swf:1:5: allocated processors -2 is negative, expected -1 (unknown) or more"},
		{"swf negative run time", "swf", "1 0 -1 -5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
			"trace: f.swf:1:4: run time -5 is negative, expected -1 (unknown) or more"},
		{"swf bad status", "swf", "1 0 -1 5 1 -1 -1 -1 -1 -1 9 1 1 -1 -1 -1 -1 -1\n",
			"trace: f.swf:1:11: status 9 is not one of -1 (unknown), 0 (failed), 1 (completed), 2 to 4 (partial), 5 (cancelled)"},
		{"swf bad MaxProcs", "swf", "; MaxProcs: many\n" + swfJob,
			`trace: f.swf:1: header MaxProcs "many" is not a number of processors`},
		{"swf long line", "swf", strings.Repeat("1 ", maxLine), "trace: f.swf:1: line longer than the limit of 1 MiB"},

		// DLRM
		{"dlrm missing column", "dlrm", strings.Replace(dlrmHeader, "max_instance_per_node,", "", 1),
			`trace: f.csv:1: missing column "max_instance_per_node" in the header "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,creation_time,scheduled_time,deletion_time"`},
		{"dlrm fractional GPU", "dlrm", dlrmHeader + "i0,HN,app_0,12,12,0.5,1,25,25,120.0,120.0,640.0,800.0,8,,,\n",
			"trace: f.csv:2:6: gpu_request 0.5 is not a whole number of GPUs"},
		{"dlrm rdma over 100", "dlrm", dlrmHeader + "i0,HN,app_0,12,12,1,1,125,25,120.0,120.0,640.0,800.0,8,,,\n",
			"trace: f.csv:2:8: rdma_request 125 is out of range, expected a percentage 0 to 100"},
		{"dlrm zero cap", "dlrm", dlrmHeader + "i0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,0,,,\n",
			"trace: f.csv:2:14: max_instance_per_node 0 is out of range, expected -1 (no cap) or a positive cap"},
		{"dlrm time going backwards", "dlrm", dlrmHeader + "i0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,100.0,,99.5\n",
			`trace: f.csv:2:17: deletion_time 99.5 is before creation_time "100.0"`},
		{"dlrm non-numeric memory", "dlrm", dlrmHeader + "i0,HN,app_0,12,12,1,1,25,25,lots,120.0,640.0,800.0,8,,,\n",
			`trace: f.csv:2:10: memory_request "lots" is not a number`},
		{"dlrm empty app", "dlrm", dlrmHeader + "i0,HN,,12,12,1,1,25,25,1,120.0,640.0,800.0,8,,,\n",
			"trace: f.csv:2:3: app_name is empty, expected an application name"},

		// PAI
		{"pai GPU without model", "pai", "m0,,96,512,8\n",
			"trace: f.csv:1:2: gpu_type is empty for a machine with GPUs, expected a GPU model"},
		{"pai CPU with GPUs", "pai", "m0,CPU,96,512,8\n",
			"trace: f.csv:1:2: gpu_type CPU for a machine with GPUs, expected a GPU model"},
		{"pai non-numeric", "pai", "m0,T4,ninety,512,2\n",
			`trace: f.csv:1:3: cap_cpu "ninety" is not an integer`},
		{"pai wrong field count", "pai", "m0,T4,96,512\n",
			"trace: f.csv:1:5: expected 5 fields (machine,gpu_type,cap_cpu,cap_mem,cap_gpu), found 4"},

		// native
		{"native malformed JSON", "native", okStart + `{"time": x, "kind": "start"}` + "\n",
			"trace: f.jsonl:2:10: invalid JSON: expected a value, found 'x'"},
		{"native truncated JSON", "native", `{"time": 1, "kind": "start"`,
			"trace: f.jsonl:1:28: invalid JSON: unexpected end of the document, expected ',' or '}' after an object member"},
		{"native trailing data", "native", `{"time":1,"kind":"start","task":"a","instance":"b"} {}`,
			"trace: f.jsonl:1:53: invalid JSON: found '{' after the document, expected its end"},
		{"native unknown kind", "native", `{"time": 1, "kind": "launch", "task": "a"}`,
			`trace: f.jsonl:1:21: kind "launch" is not one of submit, instance-add, instance-fail, instance-drain, instance-deregister, place, unplaced, start, stop, finish`},
		{"native unknown field", "native", `{"time": 1, "kind": "submit", "task": "a", "cpus": 4}`,
			`trace: f.jsonl:1:44: unknown field "cpus"`},
		{"native other case", "native", `{"time": 1, "kind": "submit", "task": "a", "CPU": 4}`,
			`trace: f.jsonl:1:44: unknown field "CPU"`},
		{"native duplicate field", "native", `{"time": 1, "kind": "submit", "task": "a", "task": "b"}`,
			`trace: f.jsonl:1:44: field "task" appears twice`},
		{"native field of another kind", "native", `{"time": 1, "kind": "place", "task": "a", "instance": "i", "cpu": 4}`,
			`trace: f.jsonl:1:60: cpu is not a field of kind "place"`},
		{"native missing required", "native", `{"time": 1, "kind": "place", "task": "a"}`,
			"trace: f.jsonl:1: instance is missing"},
		{"native missing time", "native", `{"kind": "start", "task": "a", "instance": "b"}`,
			"trace: f.jsonl:1: time is missing"},
		{"native missing kind", "native", `{"time": 3}`, "trace: f.jsonl:1: kind is missing"},
		{"native null", "native", `{"time": 1, "kind": "submit", "task": "a", "cpu": null}`,
			"trace: f.jsonl:1:51: cpu: null is not a value: leave the field out instead"},
		{"native nested duplicate", "native", `{"time": 1, "kind": "submit", "task": "a", "scalars": {"disk": 1, "disk": 2}}`,
			`trace: f.jsonl:1:67: scalars: key "disk" appears twice`},
		{"native nested wrong type", "native", `{"time": 1, "kind": "submit", "task": "a", "scalars": {"disk": "x"}}`,
			`trace: f.jsonl:1:56: scalars.disk: expected a number, found "x"`},
		{"native nested null", "native", `{"time": 1, "kind": "submit", "task": "a", "scalars": {"disk": null}}`,
			"trace: f.jsonl:1:64: scalars: null is not a value: leave the field out instead"},
		{"native wrong type", "native", `{"time": 1, "kind": "submit", "task": "a", "cpu": "4"}`,
			`trace: f.jsonl:1:51: cpu: expected an integer, found "4"`},
		{"native fractional cpu", "native", `{"time": 1, "kind": "submit", "task": "a", "cpu": 1.5}`,
			"trace: f.jsonl:1:51: cpu: expected an integer, found 1.5"},
		{"native negative", "native", `{"time": 1, "kind": "submit", "task": "a", "memory": -5}`,
			"trace: f.jsonl:1:54: memory -5 is negative"},
		{"native negative time", "native", `{"time": -1, "kind": "start", "task": "a", "instance": "b"}`,
			"trace: f.jsonl:1:10: time -1 is out of range, expected 0 to 292 years in seconds"},
		{"native empty string", "native", `{"time": 1, "kind": "submit", "task": ""}`,
			"trace: f.jsonl:1:39: task is empty: leave the field out instead"},
		{"native not an object", "native", `[1, 2]`,
			"trace: f.jsonl:1:1: expected a JSON object, found an array"},
		{"native top-level null", "native", `  null`,
			"trace: f.jsonl:1:3: expected a JSON object, found null"},
		{"native time going backwards", "native", okStart + "\n" + `{"time":0.5,"kind":"start","task":"a","instance":"b"}`,
			"trace: f.jsonl:3:9: time 0.5 is before time 1 on line 1, expected times that do not decrease"},
		{"native gpuMilli out of range", "native", `{"time":1,"kind":"submit","task":"a","gpus":1,"gpuMilli":1001}`,
			"trace: f.jsonl:1:58: gpuMilli 1001 is out of range, expected 1 to 1000 (leave it out for whole GPUs)"},
		{"native huge number", "native", `{"time":1e400,"kind":"start","task":"a","instance":"b"}`,
			"trace: f.jsonl:1:9: time: expected a number of seconds, found 1e400"},
		{"native bad gzip", "native", "\x1f\x8b", "trace: f.jsonl: gzip: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "f.csv"
			switch tt.format {
			case "swf":
				name = "f.swf"
			case "native":
				name = "f.jsonl"
			}
			err := readErr(tt.format, name, tt.input)
			if err == nil {
				t.Fatalf("reading %q: no error, want %s", tt.input, tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("reading %q (-want +got):\n%s", tt.input, diff)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Errorf("error %v is a %T, want an *Error", err, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}

// TestErrorsAreSticky: after an error, Next keeps returning it.
func TestErrorsAreSticky(t *testing.T) {
	r := NewOpenBPods(strings.NewReader(podHeader+"p0,x,1,0,0,,LS,Running,0,1,0\np1,1,1,0,0,,LS,Running,0,1,0\n"), "f.csv")
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Errorf("Next() = %v, then %v; want the same error twice", err1, err2)
	}
}

func TestNoTimesError(t *testing.T) {
	err := NoTimesError("openb_pod_list_multigpu20.csv")
	const want = "trace: openb_pod_list_multigpu20.csv: no creation_time and deletion_time columns: the trace can be packed but not replayed in time"
	if err.Error() != want {
		t.Errorf("NoTimesError() = %q, want %q", err, want)
	}
	if !errors.Is(err, ErrNoTimes) {
		t.Error("NoTimesError() does not wrap ErrNoTimes")
	}
}

// TestSWFMapping checks the SWF field mapping on hand-written jobs.
func TestSWFMapping(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Task
	}{
		{"allocated processors, used memory",
			"7 100 5 60 4 -1 1000 8 -1 2000 1 1 1 -1 -1 -1 -1 -1",
			Task{ID: "7", Submit: 100e9, Duration: 60e9, HasTimes: true, CPU: 4096, MemoryMiB: 4}},
		{"requested processors and memory when unknown",
			"8 100 5 60 -1 -1 -1 2 -1 1536 1 1 1 -1 -1 -1 -1 -1",
			Task{ID: "8", Submit: 100e9, Duration: 60e9, HasTimes: true, CPU: 2048, MemoryMiB: 3}},
		{"failed exits 1", "9 0 0 1 1 -1 -1 -1 -1 -1 0 1 1 -1 -1 -1 -1 -1",
			Task{ID: "9", Duration: 1e9, HasTimes: true, CPU: 1024, ExitCode: 1}},
		{"cancelled exits 0", "10 0 0 1 1 -1 -1 -1 -1 -1 5 1 1 -1 -1 -1 -1 -1",
			Task{ID: "10", Duration: 1e9, HasTimes: true, CPU: 1024}},
		{"zero run time is a nanosecond", "11 3.5 0 0 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1",
			Task{ID: "11", Submit: 3500e6, Duration: 1, HasTimes: true, CPU: 1024}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewSWF(strings.NewReader(tt.line+"\n"), "f.swf").Next()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("job %q (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

// TestSWFSkips: jobs with an unknown run time, submit time or processor
// count are skipped and counted.
func TestSWFSkips(t *testing.T) {
	in := "; MaxProcs: 64\n; Note: free text: with colons\n;   continued\n\n" +
		"1 0 -1 -1 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
		"2 -1 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
		"3 0 -1 5 -1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n" +
		"4 0 -1 5 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n"
	r := NewSWF(strings.NewReader(in), "f.swf")
	tasks, err := readAll(r.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].ID != "4" || r.Skipped() != 3 {
		t.Errorf("read %d tasks, skipped %d; want job 4 only, 3 skipped", len(tasks), r.Skipped())
	}
	if r.MaxProcs() != 64 {
		t.Errorf("MaxProcs() = %d, want 64", r.MaxProcs())
	}
	if v, ok := r.HeaderValue("Note"); !ok || v != "free text: with colons" {
		t.Errorf(`HeaderValue("Note") = %q, %v`, v, ok)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next() after the end = %v, want io.EOF", err)
	}
}

// TestErrorAsFieldError: a trace error is found as a *fielderr.Error,
// with its position, and still reaches its cause.
func TestErrorAsFieldError(t *testing.T) {
	err := error(&Error{File: "p.csv", Line: 3, Col: 2, Msg: "m", Err: ErrNoTimes})
	var fe *fielderr.Error
	if !errors.As(err, &fe) || fe.File != "p.csv" || fe.Line != 3 || fe.Column != 2 {
		t.Fatalf("errors.As(%v, *fielderr.Error) = %+v, want p.csv:3:2", err, fe)
	}
	if got, want := fe.Error(), "p.csv:3:2: m"; got != want {
		t.Errorf("field error %q, want %q", got, want)
	}
	if !errors.Is(err, ErrNoTimes) {
		t.Errorf("%v does not reach its cause", err)
	}
}
