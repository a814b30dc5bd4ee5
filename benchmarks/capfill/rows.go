package capfill

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/berthsched/berth/internal/linelimit"
)

// Row is one row of a results CSV (ours or the published one).
type Row struct {
	Workload  string
	Policy    string // sc_policy
	Tune      float64
	Seed      int64
	TotalGPUs int              // 0 when the file has no total_gpus column
	Values    [Columns]float64 // NaN for an empty cell
}

// LoadRows reads the results CSV at path with [ReadRows].
func LoadRows(path string) (rows []Row, hasTotalGPUs bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("capfill: %w", err)
	}
	defer f.Close()
	return ReadRows(f, path)
}

// ReadRows reads a results CSV laid out as [Header]:
// workload,sc_policy,tune,seed[,total_gpus],0,...,130. hasTotalGPUs
// reports the allocation layout. file names the input in errors.
func ReadRows(r io.Reader, file string) (rows []Row, hasTotalGPUs bool, err error) {
	cr := csv.NewReader(linelimit.New(r, linelimit.Max))
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, false, fmt.Errorf("capfill: %s: empty file; expected a results header", file)
	}
	if err != nil {
		return nil, false, rowsCSVError(file, err)
	}
	want := Header(Frag)
	if len(header) == len(want)+1 {
		want, hasTotalGPUs = Header(Alloc), true
	}
	for i, h := range header {
		if i >= len(want) || strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) != want[i] {
			exp := "end of line"
			if i < len(want) {
				exp = strconv.Quote(want[i])
			}
			return nil, false, fmt.Errorf("capfill: %s:1:%d: header column %d is %q; expected %s", file, i+1, i+1, h, exp)
		}
	}
	if len(header) != len(want) {
		return nil, false, fmt.Errorf("capfill: %s:1: header has %d columns; expected %d (workload,sc_policy,tune,seed[,total_gpus],0..130)", file, len(header), len(want))
	}
	first := 4
	if hasTotalGPUs {
		first = 5
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, hasTotalGPUs, nil
		}
		if err != nil {
			return nil, false, rowsCSVError(file, err)
		}
		bad := func(i int, what string) error {
			line, col := cr.FieldPos(i)
			return fmt.Errorf("capfill: %s:%d:%d: %s: %q is not %s", file, line, col, want[i], rec[i], what)
		}
		row := Row{Workload: rec[0], Policy: rec[1]}
		if row.Tune, err = strconv.ParseFloat(rec[2], 64); err != nil {
			return nil, false, bad(2, "a number")
		}
		if row.Seed, err = strconv.ParseInt(rec[3], 10, 64); err != nil {
			return nil, false, bad(3, "an integer")
		}
		if hasTotalGPUs {
			if row.TotalGPUs, err = strconv.Atoi(rec[4]); err != nil {
				return nil, false, bad(4, "an integer")
			}
		}
		for x := range Columns {
			s := strings.TrimSpace(rec[first+x])
			if s == "" {
				row.Values[x] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) {
				return nil, false, bad(first+x, "a number")
			}
			row.Values[x] = v
		}
		rows = append(rows, row)
	}
}

func rowsCSVError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("capfill: %s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("capfill: %s: %w", file, err)
}

// Median returns the median of vs (the mean of the middle two for an even
// count, as numpy's), ignoring NaN; NaN when nothing is left.
func Median(vs []float64) float64 {
	s := make([]float64, 0, len(vs))
	for _, v := range vs {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
