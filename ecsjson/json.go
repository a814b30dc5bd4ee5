package ecsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/berthsched/berth/internal/printable"
)

// Error is an error in a snapshot document: the JSON path of the offending
// value and what is wrong with it. Its message is one line.
type Error struct {
	// Path is the JSON path of the value, such as
	// "containerInstances[3].attributes[1].name"; "" for the document.
	Path string
	// Msg says what is wrong, such as "missing" or
	// `expected a boolean, found "yes"`.
	Msg string
	// Err is the underlying cause, if any (a *json.SyntaxError).
	Err error
}

// Error returns "ecsjson: <path>: <msg>".
func (e *Error) Error() string {
	if e.Path == "" {
		return "ecsjson: " + e.Msg
	}
	return "ecsjson: " + e.Path + ": " + e.Msg
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

func errorf(path, format string, args ...any) error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

func missing(path string) error { return &Error{Path: path, Msg: "missing"} }

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

func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func wrongType(path, want string, v any) error {
	return errorf(path, "expected %s, found %s", want, found(v))
}

// decode decodes a valid JSON document into a tree of map[string]any,
// []any, string, json.Number (the literal as written), bool and nil.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
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

// syntaxError describes why data is not valid JSON, with the path of the
// value being read where the problem was found and its line and column.
func syntaxError(data []byte) error {
	err := json.Unmarshal(data, new(json.RawMessage))
	if err == nil {
		return errorf("", "invalid JSON") // unreachable: called on invalid data
	}
	offset := int64(len(data))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	pos := min(max(int(offset)-1, 0), len(data))
	if se != nil && se.Offset >= int64(len(data)) && strings.HasPrefix(se.Error(), "unexpected end") {
		pos = len(data) // the column just after the last character
	}
	line := 1 + bytes.Count(data[:pos], []byte("\n"))
	col := pos - bytes.LastIndexByte(data[:pos], '\n')
	return &Error{
		Path: syntaxPath(data),
		Msg:  fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, err),
		Err:  err,
	}
}

// syntaxPath returns the path of the value being read when a token walk
// over data stops at its first error.
func syntaxPath(data []byte) string {
	type frame struct {
		array   bool
		index   int
		inElem  bool // an array's element index has begun
		key     string
		wantKey bool
	}
	var stack []frame
	advance := func() { // a value of the innermost container is complete
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
				stack[n-1].inElem = false
			} else {
				stack[n-1].wantKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		if n := len(stack); n > 0 && stack[n-1].array && !stack[n-1].inElem {
			// Does an element begin next? Then an error in it is at its index.
			rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")
			if stack[n-1].index > 0 {
				if !bytes.HasPrefix(rest, []byte(",")) {
					rest = nil
				} else {
					rest = bytes.TrimLeft(rest[1:], " \t\r\n")
				}
			}
			stack[n-1].inElem = len(rest) > 0 && rest[0] != ']'
		}
		tok, err := dec.Token()
		if err == io.EOF && len(stack) > 0 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			break
		}
		n := len(stack)
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{wantKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			default:
				stack = stack[:n-1]
				advance()
			}
		case string:
			if n > 0 && !stack[n-1].array && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			advance()
		default:
			advance()
		}
	}
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.array:
			if f.inElem {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		case !f.wantKey && isName(f.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		case !f.wantKey:
			b.WriteString("[" + strconv.Quote(shorten(f.key, 40)) + "]")
		}
	}
	return b.String()
}

// isName reports whether key can be written bare in a path.
func isName(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
