package cli

import (
	"fmt"
	"math"
	"strconv"

	"github.com/berthsched/berth/benchmarks/capfill"
)

// packRow is what berth pack prints and draws of one run (workload,
// policy, seed): its CSV record for the run's metric and its allocation
// curve. It is all a shard keeps of a run, so that berth merge writes
// the same bytes as one machine.
type packRow struct {
	Workload string   `json:"workload"`
	Policy   string   `json:"policy"`
	Random   bool     `json:"random,omitempty"`
	Seed     int64    `json:"seed"`
	Record   []string `json:"record"`
	// AllocText is the allocation curve (capfill.Alloc's columns) as
	// the published files write numbers ("" for an empty column), which
	// read back exactly.
	AllocText []string `json:"alloc"`

	Alloc  [capfill.Columns]float64 `json:"-"`
	Values [capfill.Columns]float64 `json:"-"` // the record's metric columns
}

// packRows returns the rows of finished jobs, in job order.
func packRows(jobs []*packJob, metric capfill.Metric) []packRow {
	rows := make([]packRow, len(jobs))
	for i, j := range jobs {
		r := packRow{
			Workload: j.w.Name, Policy: j.s.Name, Random: j.s.Random, Seed: j.seed,
			Record: j.res.Record(metric),
			Alloc:  j.res.Discrete(capfill.Alloc),
			Values: j.res.Row(metric).Values,
		}
		r.AllocText = make([]string, len(r.Alloc))
		for x, v := range r.Alloc {
			r.AllocText[x] = capfill.FormatValue(v)
		}
		rows[i] = r
	}
	return rows
}

// decode fills Alloc and Values from the text a shard recorded.
func (r *packRow) decode(metric capfill.Metric) error {
	if len(r.AllocText) != capfill.Columns {
		return fmt.Errorf("alloc has %d columns; expected %d", len(r.AllocText), capfill.Columns)
	}
	head := 4
	if metric == capfill.Alloc {
		head = 5
	}
	if len(r.Record) != head+capfill.Columns {
		return fmt.Errorf("record has %d fields; expected %d for metric %s", len(r.Record), head+capfill.Columns, metric)
	}
	parse := func(s string) (float64, error) {
		if s == "" {
			return math.NaN(), nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", s)
		}
		return v, nil
	}
	var err error
	for x := range capfill.Columns {
		if r.Alloc[x], err = parse(r.AllocText[x]); err != nil {
			return err
		}
		if r.Values[x], err = parse(r.Record[head+x]); err != nil {
			return err
		}
	}
	return nil
}
