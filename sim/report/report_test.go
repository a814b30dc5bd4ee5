package report

import (
	"bytes"
	"io"
	"testing"

	"github.com/berthsched/berth/internal/golden"
	"github.com/berthsched/berth/sim"
	"github.com/berthsched/berth/sim/scenario"
)

// compareDefault runs the default scenario with seed and returns the table
// and the event logs.
func compareDefault(t *testing.T, seed uint64) (table []byte, logs []*bytes.Buffer) {
	t.Helper()
	sc := scenario.DefaultScenario()
	sc.Seed = seed
	logs = make([]*bytes.Buffer, len(sc.Compare))
	cmp, err := sim.Compare(sc, sim.CompareOptions{Log: func(i int, _ scenario.Variant) io.Writer {
		logs[i] = &bytes.Buffer{}
		return logs[i]
	}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, cmp); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), logs
}

func TestDefaultScenarioGolden(t *testing.T) {
	table, _ := compareDefault(t, 1)
	golden.Check(t, "default.golden", string(table))
}

// The same scenario and seed give byte-identical tables and event logs
// (the variants run in parallel, so this also checks they share nothing);
// another seed gives another run.
func TestDeterminism(t *testing.T) {
	t1, l1 := compareDefault(t, 1)
	t2, l2 := compareDefault(t, 1)
	if !bytes.Equal(t1, t2) {
		t.Errorf("same seed, different tables:\n%s\n%s", t1, t2)
	}
	for i := range l1 {
		if !bytes.Equal(l1[i].Bytes(), l2[i].Bytes()) {
			t.Errorf("variant %d: same seed, different event logs (%d and %d bytes)", i, l1[i].Len(), l2[i].Len())
		}
		if l1[i].Len() == 0 {
			t.Errorf("variant %d: empty event log", i)
		}
	}
	t3, l3 := compareDefault(t, 2)
	if bytes.Equal(t1, t3) || bytes.Equal(l1[0].Bytes(), l3[0].Bytes()) {
		t.Errorf("seeds 1 and 2 gave the same run")
	}
}
