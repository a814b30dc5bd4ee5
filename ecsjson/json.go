package ecsjson

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
)

// prefix adds the package's prefix to an error returned by an exported
// function: its *fielderr.Error (errors.As) carries the path and the
// position.
func prefix(err *error) {
	if *err != nil {
		*err = fmt.Errorf("ecsjson: %w", *err)
	}
}

func errorf(path, format string, args ...any) error {
	return fielderr.Errorf(path, format, args...)
}

func missing(path string) error { return fielderr.Required(path, "") }

func field(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func elem(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// found describes a JSON value for an error message: scalars as their
// (shortened) literal, objects and arrays by kind.
func found(v any) string {
	const max = 40
	switch v := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return strconv.Quote(shorten(v, max))
	case json.Number:
		return shorten(string(v), max)
	case bool:
		return strconv.FormatBool(v)
	}
	return "null"
}

func wrongType(path, want string, v any) error {
	return errorf(path, "expected %s, found %s", want, found(v))
}

// object is a JSON object being read, with its path. Keys match exactly;
// a null value counts as absent.
type object struct {
	fields map[string]any
	path   string
}

func asObject(v any, path string) (object, error) {
	fields, ok := v.(map[string]any)
	if !ok {
		return object{}, wrongType(path, "an object", v)
	}
	return object{fields: fields, path: path}, nil
}

// get returns the value of key, its path, and whether it is present and
// not null.
func (o object) get(key string) (any, string, bool) {
	v := o.fields[key]
	return v, field(o.path, key), v != nil
}

func (o object) object(key string) (object, bool, error) {
	v, p, ok := o.get(key)
	if !ok {
		return object{}, false, nil
	}
	obj, err := asObject(v, p)
	return obj, err == nil, err
}

// array returns the elements of the array at key, and its path.
func (o object) array(key string) ([]any, string, error) {
	v, p, ok := o.get(key)
	if !ok {
		return nil, p, nil
	}
	elems, err := asArray(v, p)
	return elems, p, err
}

func asArray(v any, path string) ([]any, error) {
	elems, ok := v.([]any)
	if !ok {
		return nil, wrongType(path, "an array", v)
	}
	return elems, nil
}

func asString(v any, path string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", wrongType(path, "a string", v)
	}
	return s, nil
}

func (o object) string(key string) (string, bool, error) {
	v, p, ok := o.get(key)
	if !ok {
		return "", false, nil
	}
	s, err := asString(v, p)
	return s, err == nil, err
}

// arn returns the ARN (or name) at key, which must be present, not
// empty, and printable: a control or bidirectional formatting character
// would print as something else in berth's output.
func (o object) arn(key string) (string, error) {
	s, ok, err := o.string(key)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", missing(field(o.path, key))
	case s == "":
		return "", errorf(field(o.path, key), "empty")
	}
	if err := printable.Check(s); err != nil {
		return "", errorf(field(o.path, key), "%q %v", shorten(s, 80), err)
	}
	return s, nil
}

// enum returns the string at key, which must be one of allowed, or def
// when absent.
func (o object) enum(key, def string, allowed ...string) (string, error) {
	s, ok, err := o.string(key)
	if err != nil || !ok {
		return def, err
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", errorf(field(o.path, key), "expected one of %s, found %q", strings.Join(allowed, ", "), shorten(s, 40))
}

func (o object) bool(key string, def bool) (bool, error) {
	v, p, ok := o.get(key)
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, wrongType(p, "true or false", v)
	}
	return b, nil
}

// number returns the literal of a JSON number.
func number(v any, path, want string) (string, error) {
	n, ok := v.(json.Number)
	if !ok {
		return "", wrongType(path, want, v)
	}
	return string(n), nil
}

// integer parses a JSON number that must be an integer in [min, max].
func integer(v any, path string, min, max int64) (int64, error) {
	lit, err := number(v, path, "a number")
	if err != nil {
		return 0, err
	}
	return parseInteger(lit, lit, path, min, max)
}

func parseInteger(s, quoted, path string, min, max int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		return 0, errorf(path, "expected an integer from %d to %d, found %s", min, max, shorten(quoted, 40))
	}
	return n, nil
}

// count returns the non-negative integer at key and whether it is present.
func (o object) count(key string) (int, bool, error) {
	v, p, ok := o.get(key)
	if !ok {
		return 0, false, nil
	}
	n, err := integer(v, p, 0, math.MaxInt32)
	return int(n), err == nil, err
}

// quantity returns the non-negative integer at key, written as a number
// or, as the AWS CLI prints task sizes, a string of digits ("256"); 0 when
// absent.
func (o object) quantity(key string) (int, error) {
	v, p, ok := o.get(key)
	if !ok {
		return 0, nil
	}
	var n int64
	var err error
	switch v := v.(type) {
	case string:
		n, err = parseInteger(v, found(v), p, 0, math.MaxInt32)
	case json.Number:
		n, err = parseInteger(string(v), string(v), p, 0, math.MaxInt32)
	default:
		err = wrongType(p, "a number or a string of digits", v)
	}
	return int(n), err
}

// integerQuantity returns the non-negative integer at key, which must be
// a JSON number, as a container definition's cpu and memory are in ECS's
// API (unlike a task's, which the CLI prints as strings); 0 when absent.
func (o object) integerQuantity(key string) (int, error) {
	v, p, ok := o.get(key)
	if !ok {
		return 0, nil
	}
	lit, ok := v.(json.Number)
	if !ok {
		return 0, wrongType(p, "an integer", v)
	}
	n, err := parseInteger(string(lit), string(lit), p, 0, math.MaxInt32)
	return int(n), err
}

// shorten cuts s for a message; see jsondoc.Shorten.
func shorten(s string, max int) string { return fielderr.Shorten(s, max) }
