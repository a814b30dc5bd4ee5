package ecsimport_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/berthsched/berth/ecsimport"
	"github.com/berthsched/berth/ecsimport/internal/gendump"
	"github.com/berthsched/berth/internal/golden"
)

// TestDump keeps the committed dump equal to what its generator writes
// (go test -update rewrites it).
func TestDump(t *testing.T) {
	files := gendump.Realistic()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		golden.Check(t, "dump/"+name, string(files[name]))
	}
	entries, err := os.ReadDir("testdata/dump")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok {
			t.Errorf("testdata/dump/%s is not written by gendump.Realistic: remove it", e.Name())
		}
	}
}

func readPrices(t *testing.T) map[string]ecsimport.Price {
	t.Helper()
	f, err := os.Open("testdata/prices.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ecsimport.ReadPrices(f, "testdata/prices.csv")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportGolden imports the committed dump: the scenario and the
// record (read, assumed, not modelled) are golden files.
func TestImportGolden(t *testing.T) {
	res, err := ecsimport.Read(os.DirFS("testdata/dump"), ecsimport.Options{Dir: "dump", Prices: readPrices(t)})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "imported.json", string(res.Scenario))
	golden.Check(t, "imported.lines", strings.Join(res.Lines(), "\n")+"\n")
}
