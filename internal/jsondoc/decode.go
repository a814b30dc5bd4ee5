package jsondoc

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/berthsched/berth/fielderr"
)

// Decode stores n in the value v points to, as encoding/json would, but
// strictly: an object key must name a field of the struct exactly (its
// json tag name, or the Go field name when untagged), a value must have
// the field's JSON kind, and an integer must be one and fit. A null leaves
// a value unchanged (and sets a pointer to nil). A type implementing
// json.Unmarshaler gets the value's JSON text; its error becomes the
// message. file names the document in errors; every error is an *Error at
// the offending key (for a member) or value (for an element).
func Decode(n *Node, file string, v any) error {
	return decode(n, decoder{file: file}, v)
}

// DecodeKnown is Decode, except that a key naming no field is skipped:
// for documents of another program (the AWS CLI's), of which berth reads
// some fields. Keys that are read still match exactly.
func DecodeKnown(n *Node, file string, v any) error {
	return decode(n, decoder{file: file, skipUnknown: true}, v)
}

func decode(n *Node, d decoder, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("jsondoc: Decode needs a non-nil pointer") // a programmer error
	}
	return d.value(n, n.Pos, rv.Elem())
}

type decoder struct {
	file        string
	skipUnknown bool
	path        []step
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func (d *decoder) fail(at Pos, msg string) error {
	var b strings.Builder
	for _, s := range d.path {
		b.WriteString(PathStep(b.Len() == 0, s.key, s.index))
	}
	return &fielderr.Error{File: d.file, Line: at.Line, Column: at.Col, Path: b.String(), Msg: msg}
}

func (d *decoder) wrong(at Pos, want string, n *Node) error {
	return d.fail(at, "expected "+want+", found "+Found(n))
}

// value decodes n into v; at is where an error about n points.
func (d *decoder) value(n *Node, at Pos, v reflect.Value) error {
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) && v.Kind() != reflect.Pointer {
		if n.Kind == Null {
			return nil
		}
		err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(n.AppendJSON(nil))
		if err != nil {
			e := d.fail(at, err.Error()).(*fielderr.Error)
			e.Err = err
			return e
		}
		return nil
	}
	if n.Kind == Null {
		if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface || v.Kind() == reflect.Map || v.Kind() == reflect.Slice {
			v.SetZero()
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(n, at, v.Elem())
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return d.fail(at, "cannot be read from JSON")
		}
		v.Set(reflect.ValueOf(n.Any()))
		return nil
	case reflect.Bool:
		if n.Kind != Bool {
			return d.wrong(at, "true or false", n)
		}
		v.SetBool(n.Text == "true")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
		i, err := strconv.ParseInt(n.Text, 10, bits)
		if n.Kind != Number || err != nil && !isRange(err) {
			return d.wrong(at, "an integer", n)
		}
		if err != nil {
			return d.fail(at, "expected an integer from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10)+", found "+Found(n))
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := v.Type().Bits()
		u, err := strconv.ParseUint(n.Text, 10, bits)
		if n.Kind != Number || err != nil && !isRange(err) || strings.HasPrefix(n.Text, "-") {
			return d.wrong(at, "an integer of 0 or more", n)
		}
		if err != nil {
			hi := uint64(math.MaxUint64) >> (64 - bits)
			return d.fail(at, "expected an integer from 0 to "+strconv.FormatUint(hi, 10)+", found "+Found(n))
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		if n.Kind != Number {
			return d.wrong(at, "a number", n)
		}
		f, err := strconv.ParseFloat(n.Text, v.Type().Bits())
		if err != nil {
			return d.fail(at, "expected a number, found "+Found(n)+", which is out of range")
		}
		v.SetFloat(f)
	case reflect.String:
		if n.Kind != String {
			return d.wrong(at, "a string", n)
		}
		v.SetString(n.Text)
	case reflect.Slice:
		if n.Kind != Array {
			return d.wrong(at, "an array", n)
		}
		s := reflect.MakeSlice(v.Type(), len(n.Elems), len(n.Elems))
		for i := range n.Elems {
			d.path = append(d.path, step{index: i})
			err := d.value(&n.Elems[i], n.Elems[i].Pos, s.Index(i))
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != Object {
			return d.wrong(at, "an object", n)
		}
		if v.Type().Key().Kind() != reflect.String {
			return d.fail(at, "cannot be read from JSON")
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(n.Members)))
		}
		for i := range n.Members {
			m := &n.Members[i]
			e := reflect.New(v.Type().Elem()).Elem()
			d.path = append(d.path, step{key: m.Key, index: -1})
			err := d.value(&m.Value, m.KeyPos, e)
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(m.Key).Convert(v.Type().Key()), e)
		}
	case reflect.Struct:
		return d.object(n, at, v)
	default:
		return d.fail(at, "cannot be read from JSON")
	}
	return nil
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func (d *decoder) object(n *Node, at Pos, v reflect.Value) error {
	if n.Kind != Object {
		return d.wrong(at, "an object", n)
	}
	fields := fieldsOf(v.Type())
	for i := range n.Members {
		m := &n.Members[i]
		index, ok := fields[m.Key]
		if !ok && d.skipUnknown {
			continue
		}
		if !ok {
			e := d.fail(m.KeyPos, "unknown field "+fielderr.Quote(m.Key)).(*fielderr.Error)
			e.Value, e.Err = fielderr.Quote(m.Key), fielderr.ErrUnknown
			return e
		}
		f, err := fieldByIndex(v, index)
		if err != nil {
			return d.fail(m.KeyPos, err.Error())
		}
		d.path = append(d.path, step{key: m.Key, index: -1})
		err = d.value(&m.Value, m.KeyPos, f)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

// fieldByIndex is v.FieldByIndex, allocating nil embedded pointers.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, error) {
	for k, i := range index {
		if k > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return v, &fielderr.Error{Msg: "cannot be set"}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

var fieldCache sync.Map // reflect.Type -> map[string][]int

// fieldsOf maps the JSON names of t's fields to their index paths, as
// encoding/json names them: the json tag's name, else the Go name;
// fields of untagged embedded structs promoted; "-" and unexported
// fields left out.
func fieldsOf(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	out := map[string][]int{}
	depth := map[string]int{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				walk(ft, idx)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			// The shallowest field wins, as in encoding/json.
			if dp, ok := depth[name]; !ok || len(idx) < dp {
				out[name], depth[name] = idx, len(idx)
			}
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// Found describes a value for an error message: a string quoted, a number
// or boolean as written, null, or "an array" / "an object".
func Found(n *Node) string {
	switch n.Kind {
	case String:
		return strconv.Quote(fielderr.Shorten(n.Text, fielderr.MaxValue))
	case Number, Bool:
		return fielderr.Shorten(n.Text, fielderr.MaxValue)
	case Array:
		return "an array"
	case Object:
		return "an object"
	}
	return "null"
}

// Any returns n as encoding/json decodes into an interface with
// UseNumber: map[string]any, []any, string, json.Number, bool or nil.
func (n *Node) Any() any {
	switch n.Kind {
	case Bool:
		return n.Text == "true"
	case Number:
		return json.Number(n.Text)
	case String:
		return n.Text
	case Array:
		out := make([]any, len(n.Elems))
		for i := range n.Elems {
			out[i] = n.Elems[i].Any()
		}
		return out
	case Object:
		out := make(map[string]any, len(n.Members))
		for i := range n.Members {
			out[n.Members[i].Key] = n.Members[i].Value.Any()
		}
		return out
	}
	return nil
}

// AppendJSON appends n as compact JSON to b.
func (n *Node) AppendJSON(b []byte) []byte {
	switch n.Kind {
	case Null:
		return append(b, "null"...)
	case Bool, Number:
		return append(b, n.Text...)
	case String:
		out, _ := json.Marshal(n.Text)
		return append(b, out...)
	case Array:
		b = append(b, '[')
		for i := range n.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = n.Elems[i].AppendJSON(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i := range n.Members {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(n.Members[i].Key)
		b = append(append(b, k...), ':')
		b = n.Members[i].Value.AppendJSON(b)
	}
	return append(b, '}')
}
