package shard

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// run writes the records of a run of tasks tasks over n shards into dir,
// with edit applied to each record first.
func run(t *testing.T, dir string, tasks, n int, edit func(*Record)) {
	t.Helper()
	ts := make([]Task, tasks)
	for k := range n {
		s := Shard{K: k, N: n}
		var recs []Record
		for _, i := range Mine(ts, s) {
			r := Record{Kind: "sweep", Version: "berth v1", Input: "abc", Shard: s.String(), Task: i, Tasks: tasks,
				Result: json.RawMessage(`{"i":` + string(rune('0'+i%10)) + `}`)}
			if edit != nil {
				edit(&r)
			}
			recs = append(recs, r)
		}
		if _, err := WriteFile(dir, s, recs); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadWhole(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, 10, 4, nil)
	set, err := Read([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if set.Kind != "sweep" || set.Version != "berth v1" || set.N != 4 || len(set.Records) != 10 {
		t.Fatalf("set = %+v", set)
	}
	for i, r := range set.Records {
		if r.Task != i {
			t.Errorf("record %d is task %d", i, r.Task)
		}
	}
	// No temporary file is left beside the results.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"shard-0-of-4.jsonl", "shard-1-of-4.jsonl", "shard-2-of-4.jsonl", "shard-3-of-4.jsonl"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, dir string)
		want string
	}{
		{"missing", func(t *testing.T, dir string) {
			run(t, dir, 10, 4, nil)
			os.Remove(filepath.Join(dir, "shard-1-of-4.jsonl"))
			os.Remove(filepath.Join(dir, "shard-3-of-4.jsonl"))
		}, "missing shards 1,3 of 4: re-run --shard 1/4, --shard 3/4"},
		{"version", func(t *testing.T, dir string) {
			run(t, dir, 10, 2, func(r *Record) {
				if r.Shard == "1/2" {
					r.Version = "berth v2"
				}
			})
		}, `results of "berth v2", but`},
		{"kind", func(t *testing.T, dir string) {
			run(t, dir, 10, 2, func(r *Record) {
				if r.Shard == "1/2" {
					r.Kind = "pack"
				}
			})
		}, "a pack run's results, but"},
		{"task twice", func(t *testing.T, dir string) {
			run(t, dir, 4, 2, func(r *Record) {
				if r.Shard == "1/2" {
					r.Task = 0
				}
			})
		}, "task 0 appears twice"},
		{"task given by two shards", func(t *testing.T, dir string) {
			run(t, dir, 4, 2, func(r *Record) {
				if r.Shard == "1/2" {
					r.Tasks = 4
					r.Task = 2
				}
			})
		}, "task 2 appears twice"},
		{"wrong shard", func(t *testing.T, dir string) {
			run(t, dir, 4, 2, func(r *Record) { r.Shard = "0/3" })
		}, `shard "0/3"; expected "0/2", as the file name says`},
		{"unknown field", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "shard-0-of-1.jsonl"), []byte(`{"kind":"x","colour":1}`+"\n"), 0o644)
		}, `json: unknown field "colour"`},
		{"task range", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "shard-0-of-1.jsonl"), []byte(`{"kind":"x","shard":"0/1","task":5,"tasks":2,"result":1}`+"\n"), 0o644)
		}, "task 5; expected 0 to 1"},
		{"no result", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "shard-0-of-1.jsonl"), []byte(`{"kind":"x","shard":"0/1","task":0,"tasks":1}`+"\n"), 0o644)
		}, "result: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.make(t, dir)
			_, err := Read([]string{dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Read: %v; want one line containing %q", err, tc.want)
			}
		})
	}
}

func TestMissingErrorIs(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, 3, 3, nil)
	os.Remove(filepath.Join(dir, "shard-0-of-3.jsonl"))
	_, err := Read([]string{dir})
	var miss *MissingError
	if !errors.As(err, &miss) || len(miss.Missing) != 1 || miss.Missing[0] != 0 {
		t.Fatalf("Read = %v; want a *MissingError naming shard 0", err)
	}
}

// FuzzReadFile feeds arbitrary bytes as a shard's results file: an error
// or records that pass the checks, never a panic.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte(`{"kind":"pack","version":"v","input":"i","shard":"0/1","task":0,"tasks":1,"result":{}}` + "\n"))
	f.Add([]byte("\n\n{}"))
	f.Add([]byte(`{"kind":"pack","shard":"0/1","task":-1,"tasks":1,"result":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "shard-0-of-1.jsonl")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		recs, err := readFile(path, All)
		if err != nil {
			return
		}
		for _, r := range recs {
			if r.Task < 0 || r.Task >= r.Tasks || r.Shard != "0/1" || len(r.Result) == 0 {
				t.Fatalf("accepted a bad record %+v", r)
			}
		}
	})
}
