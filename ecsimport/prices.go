package ecsimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/berthsched/berth/internal/linelimit"
	"github.com/berthsched/berth/sim/scenario"
)

// Price is an instance type's price per hour, on demand and Spot (0:
// none given).
type Price struct {
	PerHour, SpotPerHour float64
}

// PricesHeader is the header line of a prices CSV; the last column is
// optional.
const PricesHeader = "instanceType,pricePerHour,spotPricePerHour"

// maxPrices bounds the rows of a prices file.
const maxPrices = 100_000

// ReadPrices reads a prices CSV: the header line PricesHeader (or without
// its last column), then one row per instance type. name names the file
// in errors, each "FILE:LINE: ..." on one line.
func ReadPrices(r io.Reader, name string) (map[string]Price, error) {
	cr := csv.NewReader(linelimit.New(r, linelimit.Max))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("ecsimport: %s: empty, expected the header %s", name, PricesHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("ecsimport: %s: %w", name, err)
	}
	cols := strings.Join(head, ",")
	if cols != PricesHeader && cols != "instanceType,pricePerHour" {
		return nil, fmt.Errorf("ecsimport: %s:1: header %q, expected %s", name, fieldShort(cols), PricesHeader)
	}
	out := map[string]Price{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ecsimport: %s: %w", name, err)
		}
		if len(rec) != len(head) && !(len(head) == 3 && len(rec) == 2) {
			return nil, fmt.Errorf("ecsimport: %s:%d: %d fields, expected %d", name, line, len(rec), len(head))
		}
		if len(out) == maxPrices {
			return nil, fmt.Errorf("ecsimport: %s:%d: more than %d instance types", name, line, maxPrices)
		}
		typ := strings.TrimSpace(rec[0])
		if typ == "" {
			return nil, fmt.Errorf("ecsimport: %s:%d: instanceType: missing", name, line)
		}
		if _, dup := out[typ]; dup {
			return nil, fmt.Errorf("ecsimport: %s:%d: instanceType: %q is listed twice", name, line, fieldShort(typ))
		}
		var p Price
		if p.PerHour, err = price(rec[1]); err != nil {
			return nil, fmt.Errorf("ecsimport: %s:%d: pricePerHour: %w", name, line, err)
		}
		if len(rec) == 3 && strings.TrimSpace(rec[2]) != "" {
			if p.SpotPerHour, err = price(rec[2]); err != nil {
				return nil, fmt.Errorf("ecsimport: %s:%d: spotPricePerHour: %w", name, line, err)
			}
		}
		out[typ] = p
	}
}

func price(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > scenario.MaxPricePerHour {
		return 0, fmt.Errorf("%q, expected dollars per hour from 0 to %g", fieldShort(s), float64(scenario.MaxPricePerHour))
	}
	return v, nil
}

func fieldShort(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
