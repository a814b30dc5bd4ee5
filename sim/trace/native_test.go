package trace

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestFieldNames checks that the field table follows Event's JSON tags,
// in order.
func TestFieldNames(t *testing.T) {
	typ := reflect.TypeFor[Event]()
	if typ.NumField() != int(nFields) {
		t.Fatalf("Event has %d fields, the table %d", typ.NumField(), nFields)
	}
	for i := range typ.NumField() {
		tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if tag != fieldNames[i] {
			t.Errorf("field %d (%s): tag %q, table %q", i, typ.Field(i).Name, tag, fieldNames[i])
		}
	}
	for _, k := range Kinds {
		if _, ok := kindSpecs[k]; !ok {
			t.Errorf("kind %q has no spec", k)
		}
	}
}

// TestExampleCanonical reads the documented example and writes it back:
// the bytes must be identical (the example is in canonical form), and the
// example must hold every kind.
func TestExampleCanonical(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "example.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	events, err := readAll(NewNative(bytes.NewReader(data), "example.jsonl").Next)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	kinds := map[Kind]bool{}
	for i := range events {
		if err := WriteEvent(&buf, &events[i]); err != nil {
			t.Fatalf("WriteEvent(%+v): %v", events[i], err)
		}
		kinds[events[i].Kind] = true
	}
	if diff := gocmp.Diff(string(data), buf.String()); diff != "" {
		t.Errorf("example rewritten (-file +written):\n%s", diff)
	}
	for _, k := range Kinds {
		if !kinds[k] {
			t.Errorf("example has no %s event", k)
		}
	}
}

// TestExampleInDocs checks that docs/trace-format.md shows the example
// file verbatim.
func TestExampleInDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "trace-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join("testdata", "example.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, example) {
		t.Error("docs/trace-format.md does not contain testdata/example.jsonl verbatim")
	}
}

// TestOpenBRoundTrip writes the openb excerpts natively and reads them
// back: the tasks must be equal.
func TestOpenBRoundTrip(t *testing.T) {
	for _, file := range []string{"openb_pod_list_default.csv", "openb_pod_list_gpuspec10.csv", "openb_pod_list_multigpu20.csv", "disaggregated_DLRM_trace.csv", "NASA-iPSC-1993-3.1-cln.excerpt.swf"} {
		t.Run(file, func(t *testing.T) {
			f := openFile(t, filepath.Join("testdata", file))
			var next func() (Task, error)
			switch {
			case strings.HasPrefix(file, "openb"):
				next = NewOpenBPods(f, file).Next
			case strings.HasSuffix(file, ".swf"):
				next = NewSWF(f, file).Next
			default:
				next = NewDLRM(f, file).Next
			}
			tasks, err := readAll(next)
			if err != nil {
				t.Fatal(err)
			}
			// The excerpts of unsorted traces (DLRM) and the assembled ones are
			// not in time order: a native trace must be.
			slices.SortStableFunc(tasks, func(a, b Task) int { return cmp.Compare(a.Submit, b.Submit) })
			var buf bytes.Buffer
			for _, task := range tasks {
				e := TaskEvent(task)
				if err := WriteEvent(&buf, &e); err != nil {
					t.Fatal(err)
				}
			}
			events, err := readAll(NewNative(&buf, "native").Next)
			if err != nil {
				t.Fatal(err)
			}
			var back []Task
			for _, e := range events {
				task, err := e.Task()
				if err != nil {
					t.Fatal(err)
				}
				back = append(back, task)
			}
			if diff := gocmp.Diff(tasks, back); diff != "" {
				t.Errorf("round trip (-read +native):\n%s", diff)
			}
		})
	}
}

// genTask draws a Task that the native format represents exactly.
func genTask(t *rapid.T) Task {
	task := Task{
		ID:        rapid.StringMatching(`[a-z0-9-]{1,12}`).Draw(t, "id"),
		Submit:    time.Duration(rapid.Int64Range(0, 1e7).Draw(t, "submit")) * time.Millisecond,
		Duration:  time.Duration(rapid.Int64Range(0, 1e7).Draw(t, "duration")) * time.Millisecond,
		HasTimes:  rapid.Bool().Draw(t, "hasTimes"),
		CPU:       rapid.Int64Range(0, 1<<40).Draw(t, "cpu"),
		MemoryMiB: rapid.Int64Range(0, 1<<40).Draw(t, "memory"),
		GPUs:      rapid.IntRange(0, 8).Draw(t, "gpus"),
		Group:     rapid.SampledFrom([]string{"", "family:a", "service:b"}).Draw(t, "group"),
		App:       rapid.SampledFrom([]string{"", "app_0"}).Draw(t, "app"),
		ExitCode:  rapid.IntRange(-1, 255).Draw(t, "exit"),
	}
	task.MaxPerInstance = rapid.IntRange(0, 10).Draw(t, "max")
	if task.GPUs > 0 {
		task.GPUMilli = rapid.IntRange(1, 1000).Draw(t, "gpuMilli")
		task.GPUModels = rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"T4", "A10", "G2", "V100M32"}), 0, 4, rapid.ID).Draw(t, "models")
		if len(task.GPUModels) == 0 {
			task.GPUModels = nil
		} else {
			task.GPUSpec = strings.Join(task.GPUModels, "|")
		}
	}
	names := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"disk", "rdma", "eni"}), 0, 3, rapid.ID).Draw(t, "scalars")
	slices.Sort(names)
	for _, n := range names {
		task.Scalars = append(task.Scalars, Scalar{Name: n, Value: float64(rapid.IntRange(0, 1000).Draw(t, n)) / 4})
	}
	return task
}

// TestTaskEventRoundTrip: any task, written natively and read back, is
// the same task, and writing is deterministic.
func TestTaskEventRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		task := genTask(t)
		e := TaskEvent(task)
		var a, b bytes.Buffer
		if err := WriteEvent(&a, &e); err != nil {
			t.Fatalf("WriteEvent(%+v): %v", e, err)
		}
		e2 := TaskEvent(task)
		if err := WriteEvent(&b, &e2); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Fatalf("WriteEvent not deterministic:\n%s%s", a.String(), b.String())
		}
		line := a.String()
		got, err := NewNative(&a, "x").Next()
		if err != nil {
			t.Fatalf("reading %s: %v", line, err)
		}
		back, err := got.Task()
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(task, back); diff != "" {
			t.Fatalf("round trip of %s (-want +got):\n%s", line, diff)
		}
	})
}

func TestNodeEventRoundTrip(t *testing.T) {
	n := Node{Name: "i-1", CPU: 4096, MemoryMiB: 16384, GPUs: 2, GPUModel: "T4",
		Attributes: []Attribute{{"ecs.instance-type", "g4dn.2xlarge"}, {"team", ""}},
		Type:       "g4dn.2xlarge", Zone: "us-east-1a", PricePerHour: 0.752}
	e := NodeEvent(n)
	var buf bytes.Buffer
	if err := WriteEvent(&buf, &e); err != nil {
		t.Fatal(err)
	}
	const want = `{"time":0,"kind":"instance-add","instance":"i-1","type":"g4dn.2xlarge","zone":"us-east-1a","cpu":4096,"memory":16384,"gpus":2,"gpuModel":"T4","attributes":{"ecs.instance-type":"g4dn.2xlarge","team":""},"pricePerHour":0.752}` + "\n"
	if buf.String() != want {
		t.Errorf("WriteEvent(NodeEvent(n)) = %s, want %s", buf.String(), want)
	}
	got, err := NewNative(&buf, "x").Next()
	if err != nil {
		t.Fatal(err)
	}
	back, err := got.Node()
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(n, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// genEvent draws a valid event of any kind, with only the fields its
// kind allows.
func genEvent(t *rapid.T, at float64) Event {
	kind := rapid.SampledFrom(Kinds).Draw(t, "kind")
	id := func(label string) string { return rapid.StringMatching(`[a-z0-9.:/-]{1,10}`).Draw(t, label) }
	reason := func() string {
		return rapid.SampledFrom([]string{"RESOURCE:CPU", "exited", "instance failed", "a \"quoted\" <reason> & more"}).Draw(t, "reason")
	}
	e := Event{Time: at, Kind: kind}
	switch kind {
	case KindSubmit:
		e = TaskEvent(genTask(t))
		e.Time = at
	case KindInstanceAdd:
		e.InstanceID = id("instance")
		e.CPU = rapid.Int64Range(0, 1<<20).Draw(t, "cpu")
		e.GPUs = rapid.IntRange(0, 8).Draw(t, "gpus")
		if e.GPUs > 0 {
			e.GPUModel = "T4"
		}
		e.PricePerHour = float64(rapid.IntRange(0, 10000).Draw(t, "price")) / 1000
		if rapid.Bool().Draw(t, "attrs") {
			e.Attributes = map[string]string{"ecs.os-type": "linux", id("attr"): ""}
		}
	case KindInstanceFail, KindInstanceDrain, KindInstanceDeregister:
		e.InstanceID = id("instance")
	case KindPlace:
		e.TaskID, e.InstanceID = id("task"), id("instance")
		e.Wait = float64(rapid.IntRange(0, 1e6).Draw(t, "wait")) / 8
	case KindUnplaced:
		e.TaskID, e.Reason = id("task"), reason()
	case KindStart:
		e.TaskID, e.InstanceID = id("task"), id("instance")
	case KindStop:
		e.TaskID, e.InstanceID, e.Reason = id("task"), id("instance"), reason()
	case KindFinish:
		e.TaskID, e.InstanceID, e.Reason = id("task"), id("instance"), reason()
		e.ExitCode = rapid.IntRange(-1, 255).Draw(t, "exit")
	}
	return e
}

// TestEventLogRoundTrip: a log of valid events in time order reads back
// equal, event for event.
func TestEventLogRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		var events []Event
		var buf bytes.Buffer
		at := 0.0
		for range n {
			at += float64(rapid.IntRange(0, 100).Draw(t, "dt")) / 4
			e := genEvent(t, at)
			if err := WriteEvent(&buf, &e); err != nil {
				t.Fatalf("WriteEvent(%+v): %v", e, err)
			}
			events = append(events, e)
		}
		got, err := readAll(NewNative(&buf, "log").Next)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(events, got); diff != "" {
			t.Fatalf("(-written +read):\n%s", diff)
		}
	})
}

func TestWriteEventRejects(t *testing.T) {
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"unknown kind", Event{Kind: "launch", TaskID: "t"}, `trace: kind "launch" is not one of submit, instance-add, instance-fail, instance-drain, instance-deregister, place, unplaced, start, stop, finish`},
		{"missing task", Event{Kind: KindSubmit, CPU: 1}, "trace: task is missing"},
		{"field of another kind", Event{Kind: KindPlace, TaskID: "t", InstanceID: "i", CPU: 5}, "trace: cpu is not a field of kind"},
		{"negative cpu", Event{Kind: KindSubmit, TaskID: "t", CPU: -5}, "trace: cpu -5 is negative"},
		{"NaN time", Event{Kind: KindStart, TaskID: "t", InstanceID: "i", Time: nan()}, "trace: time NaN is out of range, expected 0 to 292 years in seconds"},
		{"gpuMilli without gpus", Event{Kind: KindSubmit, TaskID: "t", GPUMilli: 500}, "trace: gpuMilli 500 without gpus, expected gpus of 1 or more"},
		{"duplicate model", Event{Kind: KindSubmit, TaskID: "t", GPUs: 1, GPUModels: []string{"T4", "T4"}}, `trace: gpuModels holds "T4" twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteEvent(&buf, &tt.e)
			if err == nil || err.Error() != tt.want {
				t.Errorf("WriteEvent(%+v) = %v, want %s", tt.e, err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteEvent wrote %q after an error", buf.String())
			}
		})
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

// TestEventConversionsCheckKind: Task and Node refuse events of other
// kinds.
func TestEventConversionsCheckKind(t *testing.T) {
	e := Event{Kind: KindPlace, TaskID: "t", InstanceID: "i"}
	if _, err := e.Task(); err == nil || err.Error() != `trace: event kind "place" is not submit` {
		t.Errorf("Task() of a place event = %v", err)
	}
	if _, err := e.Node(); err == nil || err.Error() != `trace: event kind "place" is not instance-add` {
		t.Errorf("Node() of a place event = %v", err)
	}
	var te *Error
	if _, err := (&Event{Kind: KindSubmit}).Task(); !errors.As(err, &te) {
		t.Errorf("Task() of an invalid submit = %v, want an *Error", err)
	}
}

func TestNativeBlankLinesAndEOF(t *testing.T) {
	r := NewNative(strings.NewReader("\n  \n{\"time\":1,\"kind\":\"start\",\"task\":\"a\",\"instance\":\"b\"}\r\n\n"), "x")
	e, err := r.Next()
	if err != nil || e.TaskID != "a" {
		t.Fatalf("Next() = %+v, %v", e, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next() at the end = %v, want io.EOF", err)
	}
	if e.At() != time.Second {
		t.Errorf("At() = %v, want 1s", e.At())
	}
}
