package shard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Record is one line of a shard's results file: the result of one task
// (a configuration and seed, a workload, policy and seed), with what
// identifies the run it belongs to.
type Record struct {
	// Kind names the command whose run this is ("pack", "sweep").
	Kind string `json:"kind"`
	// Version is the version line of the berth that ran it; shards of
	// different versions are not merged.
	Version string `json:"version"`
	// Input is a content hash of everything the run's results depend on
	// (the scenario or trace files and the flags): shards of different
	// inputs are not merged.
	Input string `json:"input"`
	// Shard is the shard that ran the task, "K/N".
	Shard string `json:"shard"`
	// Task is the task's index in the run's list, from 0; Tasks the
	// list's length.
	Task  int `json:"task"`
	Tasks int `json:"tasks"`
	// Params names the task in words (its parameters and seed), for
	// people and for errors.
	Params map[string]string `json:"params,omitempty"`
	// Result is the task's result, as the command encodes it.
	Result json.RawMessage `json:"result"`
}

// FileName is the name of shard s's results file in its output
// directory. Shards of one array job may share the directory.
func FileName(s Shard) string {
	return fmt.Sprintf("shard-%d-of-%d.jsonl", s.K, s.N)
}

var fileNameRE = regexp.MustCompile(`^shard-(\d+)-of-(\d+)\.jsonl$`)

// WriteFile writes the records of shard s into dir as FileName(s),
// creating dir if needed. The file is written beside its final name and
// renamed into place once complete (WriteAtomic), so a shard that is
// killed leaves no file and Merge names it as missing.
func WriteFile(dir string, s Shard, recs []Record) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return "", err
		}
	}
	final := filepath.Join(dir, FileName(s))
	return final, WriteAtomic(final, b.Bytes())
}

// WriteAtomic writes data to path through a temporary file beside it,
// renamed into place once complete, creating the directory if needed:
// readers see the whole file or none. Shards of one array job may write
// the same path at once; the last rename wins.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// MaxLine bounds one line of a results file.
const MaxLine = 64 << 20

// Set is every record of one run, read from its shards' files.
type Set struct {
	Kind, Version, Input string
	// N is the run's shard count.
	N int
	// Records holds the record of every task, in task order.
	Records []Record
}

// MissingError names the shards a merge lacks, or holds twice, by index:
// re-run exactly those.
type MissingError struct {
	N          int
	Missing    []int
	Duplicated []int
}

func (e *MissingError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("missing shard%s %s of %d: re-run %s", plural(len(e.Missing)), ints(e.Missing), e.N, reRun(e.Missing, e.N)))
	}
	if len(e.Duplicated) > 0 {
		parts = append(parts, fmt.Sprintf("shard%s %s given more than once: give each shard's file once", plural(len(e.Duplicated)), ints(e.Duplicated)))
	}
	return strings.Join(parts, "; ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func reRun(ks []int, n int) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = fmt.Sprintf("--shard %d/%d", k, n)
	}
	return strings.Join(s, ", ")
}

// Read reads every shard results file (shard-K-of-N.jsonl) in dirs and
// checks that together they are one run, whole: one kind, version and
// input, one shard count, every shard exactly once and every task exactly
// once. A directory without results files, a file that is not a results
// file, or a mismatch is an error naming the file; missing or duplicated
// shards are a *MissingError naming them.
func Read(dirs []string) (*Set, error) {
	if len(dirs) == 0 {
		return nil, errors.New("no shard directories given")
	}
	type file struct {
		path string
		s    Shard
	}
	var files []file
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		found := 0
		for _, e := range entries {
			m := fileNameRE.FindStringSubmatch(e.Name())
			if m == nil || e.IsDir() {
				continue
			}
			k, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			s := Shard{K: k, N: n}
			if err := s.Validate(); err != nil {
				return nil, fmt.Errorf("%s: %v", filepath.Join(d, e.Name()), err)
			}
			files = append(files, file{filepath.Join(d, e.Name()), s})
			found++
		}
		if found == 0 {
			return nil, fmt.Errorf("%s: no shard results (shard-K-of-N.jsonl); expected the --out directory of a run with --shard", d)
		}
	}
	set := &Set{N: files[0].s.N}
	seenShard := make(map[int]int)
	var first string
	for _, f := range files {
		if f.s.N != set.N {
			return nil, fmt.Errorf("%s: shard %s belongs to a run of %d shards, but %s to one of %d; expected the shards of one run", f.path, f.s, f.s.N, files[0].path, set.N)
		}
		seenShard[f.s.K]++
	}
	miss := &MissingError{N: set.N}
	for k := range set.N {
		switch seenShard[k] {
		case 0:
			miss.Missing = append(miss.Missing, k)
		case 1:
		default:
			miss.Duplicated = append(miss.Duplicated, k)
		}
	}
	if len(miss.Missing) > 0 || len(miss.Duplicated) > 0 {
		return nil, miss
	}
	var byTask map[int]Record
	for _, f := range files {
		recs, err := readFile(f.path, f.s)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if first == "" {
				first = f.path
				set.Kind, set.Version, set.Input = r.Kind, r.Version, r.Input
				byTask = make(map[int]Record, r.Tasks)
				set.Records = make([]Record, r.Tasks)
			}
			switch {
			case r.Kind != set.Kind:
				return nil, fmt.Errorf("%s: a %s run's results, but %s holds a %s run's; expected the shards of one run", f.path, r.Kind, first, set.Kind)
			case r.Version != set.Version:
				return nil, fmt.Errorf("%s: results of %q, but %s holds results of %q; expected shards run by one berth version", f.path, r.Version, first, set.Version)
			case r.Input != set.Input:
				return nil, fmt.Errorf("%s: results of other inputs (scenario, traces or flags: %s) than %s (%s); expected the shards of one run", f.path, short(r.Input), first, short(set.Input))
			case r.Tasks != len(set.Records):
				return nil, fmt.Errorf("%s: task %d is one of %d, but %s counts %d; expected the shards of one run", f.path, r.Task, r.Tasks, first, len(set.Records))
			}
			if _, dup := byTask[r.Task]; dup {
				return nil, fmt.Errorf("%s: task %d appears twice; expected each task once", f.path, r.Task)
			}
			byTask[r.Task] = r
			set.Records[r.Task] = r
		}
	}
	for i := range set.Records {
		if _, ok := byTask[i]; !ok {
			return nil, fmt.Errorf("task %d of %d is in no shard's results; expected every task once (were the shards run with the same flags?)", i, len(set.Records))
		}
	}
	return set, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// readFile reads one results file, checking each record's shard and
// bounds.
func readFile(path string, s Shard) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	var recs []Record
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var r Record
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v; expected one JSON record per line, as berth --shard writes", path, line, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, fmt.Errorf("%s:%d: more than one JSON value on the line; expected one record per line", path, line)
		}
		switch {
		case r.Shard != s.String():
			return nil, fmt.Errorf("%s:%d: shard %q; expected %q, as the file name says", path, line, r.Shard, s)
		case r.Tasks < 1 || r.Tasks > 10_000_000:
			return nil, fmt.Errorf("%s:%d: tasks %d; expected 1 to 10000000", path, line, r.Tasks)
		case r.Task < 0 || r.Task >= r.Tasks:
			return nil, fmt.Errorf("%s:%d: task %d; expected 0 to %d", path, line, r.Task, r.Tasks-1)
		case r.Kind == "":
			return nil, fmt.Errorf("%s:%d: kind: missing; expected the command that ran it", path, line)
		case len(r.Result) == 0:
			return nil, fmt.Errorf("%s:%d: result: missing", path, line)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: a line longer than %d bytes; expected berth's records", path, line+1, MaxLine)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		// An empty shard is valid (more shards than tasks) only when
		// it says so: WriteFile of no records leaves an empty file.
		return nil, nil
	}
	return recs, nil
}
