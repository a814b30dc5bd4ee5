package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/cli"
)

func berth(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, options...); code != 0 {
		t.Fatalf("berth %q: exit %d, stderr %q", args, code, stderr.String())
	}
	return stdout.String()
}

// TestSim runs the embedded default scenario under leastloaded.
func TestSim(t *testing.T) {
	out := berth(t, "sim", "--strategy", "leastloaded")
	if !strings.Contains(out, "  A  leastloaded\n") {
		t.Errorf("berth sim --strategy leastloaded: the table does not name the strategy:\n%s", out)
	}
	m := regexp.MustCompile(`(?m)^  tasks placed +(\d+)$`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Errorf("berth sim --strategy leastloaded: no task placed:\n%s", out)
	}
}

// TestPack places a few pods on a few nodes with leastloaded, next to
// ECS's binpack on CPU.
func TestPack(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	nodes := write("nodes.csv", `sn,cpu_milli,memory_mib,gpu,model
node-0,32000,131072,1,T4
node-1,64000,262144,2,T4
node-2,16000,65536,0,
`)
	pods := write("pods.csv", `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos
pod-0,8000,16384,1,1000,,LS
pod-1,4000,8192,1,500,,LS
pod-2,2000,4096,0,0,,BE
pod-3,16000,32768,1,1000,,LS
`)
	out := berth(t, "pack", "--nodes", nodes, "--pods", pods, "--policy", "leastloaded,ecs-binpack-cpu", "--seeds", "1")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("berth pack printed %d rows (%v), want a header and two:\n%s", len(rows), err, out)
	}
	if rows[1][1] != "leastloaded" {
		t.Errorf("berth pack: first row's policy %q, want leastloaded", rows[1][1])
	}
	allocated := 0.0
	for _, cell := range rows[1][5:] {
		if v, err := strconv.ParseFloat(cell, 64); err == nil {
			allocated = max(allocated, v)
		}
	}
	if allocated == 0 {
		t.Errorf("berth pack --policy leastloaded allocated no GPU:\n%s", out)
	}
}

func TestHelpListsTheStrategy(t *testing.T) {
	for _, cmd := range []string{"sim", "pack"} {
		if out := berth(t, cmd, "--help"); !strings.Contains(out, "Registered strategies (this build of berth): leastloaded\n") {
			t.Errorf("berth %s --help does not list leastloaded", cmd)
		}
	}
}
