package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/berthsched/berth/sim/replicate"
)

// Op is a requirement's comparison.
type Op uint8

// The comparisons a requirement can make.
const (
	AtMost  Op = iota // <=
	Below             // <
	AtLeast           // >=
	Above             // >
)

var opText = [...]string{AtMost: "<=", Below: "<", AtLeast: ">=", Above: ">"}

func (o Op) String() string { return opText[o] }

// Requirement is a bound a figure must keep: Path Op Value.
type Requirement struct {
	Path  string
	Op    Op
	Value float64
}

// ParseRequirement reads "FIGURE <= VALUE" (or <, >=, >; spaces
// optional).
func ParseRequirement(s string) (Requirement, error) {
	// Two-character operators first, so that "<=" is not read as "<".
	for _, op := range []Op{AtMost, AtLeast, Below, Above} {
		path, val, ok := strings.Cut(s, op.String())
		if !ok {
			continue
		}
		path, val = strings.TrimSpace(path), strings.TrimSpace(val)
		if path == "" {
			return Requirement{}, fmt.Errorf("requirement %q: expected a figure before %s", s, op)
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return Requirement{}, fmt.Errorf("requirement %q: value %q, expected a finite number", s, val)
		}
		return Requirement{path, op, v}, nil
	}
	return Requirement{}, fmt.Errorf("requirement %q: expected FIGURE <= VALUE (or <, >=, >)", s)
}

func (r Requirement) String() string {
	return r.Path + " " + r.Op.String() + " " + strconv.FormatFloat(r.Value, 'g', -1, 64)
}

// Pessimistic is the end of iv the requirement is judged on: the upper
// end for an upper bound, the lower end for a lower bound.
func (r Requirement) Pessimistic(iv replicate.Interval) float64 {
	if r.Op == AtMost || r.Op == Below {
		return iv.High
	}
	return iv.Low
}

// Holds reports whether the requirement holds at the pessimistic end of
// iv.
func (r Requirement) Holds(iv replicate.Interval) bool { return r.holds(r.Pessimistic(iv)) }

// CannotHold reports whether the requirement fails even at the
// optimistic end of iv.
func (r Requirement) CannotHold(iv replicate.Interval) bool {
	opt := iv.Low
	if r.Op == AtLeast || r.Op == Above {
		opt = iv.High
	}
	return !r.holds(opt)
}

func (r Requirement) holds(x float64) bool {
	switch r.Op {
	case AtMost:
		return x <= r.Value
	case Below:
		return x < r.Value
	case AtLeast:
		return x >= r.Value
	default:
		return x > r.Value
	}
}

// violation is how far x is on the wrong side of the bound, relative to
// the bound (or absolute for a bound below 1 in magnitude); 0 when it
// holds.
func (r Requirement) violation(x float64) float64 {
	if r.holds(x) {
		return 0
	}
	return math.Abs(x-r.Value) / math.Max(math.Abs(r.Value), 1)
}
