package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
)

// SweepParam is one swept parameter: a path into the scenario's JSON
// (capacityProviders[0].managedScaling.targetCapacity, seed,
// services[1].desiredCount, fleet.pools[0].zones.us-east-1a;
// capacityProviders[*].spot sets it in every provider) and the
// values it takes, as JSON literals (a value that is not valid JSON is a
// string).
type SweepParam struct {
	Path   string
	Values []string
}

// ParseSweep reads "PATH=v1,v2,...".
func ParseSweep(s string) (SweepParam, error) {
	path, list, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok || path == "" || list == "" {
		return SweepParam{}, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %q: expected PARAM=v1,v2,...", s))
	}
	p := SweepParam{Path: path}
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return SweepParam{}, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %q: empty value", s))
		}
		p.Values = append(p.Values, v)
	}
	if _, err := splitPath(path); err != nil {
		return SweepParam{}, err
	}
	return p, nil
}

// pathStep is a key or an index of a sweep path.
type pathStep struct {
	key   string
	index int // -1 for a key, everyIndex for [*]
}

// everyIndex is [*]: every element of the list.
const everyIndex = -2

// splitPath parses a.b[2].c into its steps.
func splitPath(path string) ([]pathStep, error) {
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		if key == "" && len(steps) == 0 {
			return nil, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %q: a path starts with a field name", path))
		}
		if key != "" {
			steps = append(steps, pathStep{key: key, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			n, err := strconv.Atoi(num)
			if num == "*" {
				n, err = everyIndex, nil
			}
			if !ok || err != nil || n < 0 && n != everyIndex {
				return nil, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %q: %q, expected [index] with an index of 0 or more, or [*]", path, "["+rest))
			}
			steps = append(steps, pathStep{index: n})
			rest = strings.TrimPrefix(after, "[")
			if after != "" && !strings.HasPrefix(after, "[") {
				return nil, fmt.Errorf("sim: %w", fielderr.Errorf("", "sweep %q: unexpected %q after an index", path, after))
			}
		}
	}
	return steps, nil
}

// Apply returns a copy of sc with the parameter set to value, read again
// strictly and validated, so that a path to no field or a value of the
// wrong type is an error naming the parameter.
func (p SweepParam) Apply(sc *Scenario, value string) (*Scenario, error) {
	// A scenario with ECS documents is changed in the document it was
	// read from: its spec holds them in berth's form, which reads back as
	// berth's, not as ECS's.
	data := sc.raw
	if data == nil {
		var err error
		if data, err = json.Marshal(sc); err != nil {
			return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
		}
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	// A value that reads as JSON is that value (a number, an object);
	// anything else is a string. JSON is read as strictly as a scenario.
	var v any = value
	if n, err := jsondoc.Parse([]byte(value), "", jsondoc.DefaultLimits); err == nil {
		v = n.Any()
	} else if t := strings.TrimSpace(value); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return nil, fmt.Errorf("sim: sweep %s=%s: %w", p.Path, shortValue(value), err)
	}
	steps, err := splitPath(p.Path)
	if err != nil {
		return nil, err
	}
	if doc, err = set(doc, steps, v); err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	data, err = json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("sim: sweep %s: %w", p.Path, err)
	}
	name := "sweep " + p.Path + "=" + value
	out, err := ReadScenario(bytes.NewReader(data), name)
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		// The document is made up: its line and column mean nothing.
		c := *fe
		c.Line, c.Column = 0, 0
		return nil, fmt.Errorf("sim: %w", &c)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func set(node any, steps []pathStep, v any) (any, error) {
	if len(steps) == 0 {
		return v, nil
	}
	st := steps[0]
	if st.index == everyIndex {
		list, ok := node.([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("[*]: not a list with items")
		}
		for i := range list {
			x, err := set(list[i], steps[1:], v)
			if err != nil {
				return nil, err
			}
			list[i] = x
		}
		return list, nil
	}
	if st.index >= 0 {
		list, ok := node.([]any)
		if !ok || st.index >= len(list) {
			return nil, fmt.Errorf("index [%d] is out of range (%d items)", st.index, len(list))
		}
		x, err := set(list[st.index], steps[1:], v)
		list[st.index] = x
		return list, err
	}
	obj, ok := node.(map[string]any)
	if node == nil {
		obj, ok = map[string]any{}, true
	}
	if !ok {
		return nil, fmt.Errorf("%q: expected an object, found %s", st.key, describe(node))
	}
	x, err := set(obj[st.key], steps[1:], v)
	obj[st.key] = x
	return obj, err
}

func shortValue(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// describe names the kind of a JSON value for an error.
func describe(v any) string {
	switch v := v.(type) {
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case string:
		return strconv.Quote(shortValue(v))
	case nil:
		return "null"
	default:
		return shortValue(fmt.Sprint(v))
	}
}
