package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
)

// Kind is the kind of a native event: one of the Kind constants.
type Kind string

// The input kinds make a trace; the output kinds are what the simulator
// writes in its event log (a reader returns them too, and a replay
// ignores them).
const (
	// KindSubmit submits one task (input).
	KindSubmit Kind = "submit"
	// KindInstanceAdd registers an instance (input).
	KindInstanceAdd Kind = "instance-add"
	// KindInstanceFail makes an instance fail: its tasks stop (input).
	KindInstanceFail Kind = "instance-fail"
	// KindInstanceDrain sets an instance DRAINING (input).
	KindInstanceDrain Kind = "instance-drain"
	// KindInstanceDeregister removes an instance (input).
	KindInstanceDeregister Kind = "instance-deregister"
	// KindPlace records that a task was placed on an instance (output).
	KindPlace Kind = "place"
	// KindUnplaced records that a placement attempt found no instance, and
	// why (output).
	KindUnplaced Kind = "unplaced"
	// KindStart records that a task started running (output).
	KindStart Kind = "start"
	// KindStop records that the simulator asked a task to stop, and why
	// (output).
	KindStop Kind = "stop"
	// KindFinish records that a task exited, with its exit code and why
	// (output).
	KindFinish Kind = "finish"
)

// Kinds lists every kind, input kinds first.
var Kinds = []Kind{KindSubmit, KindInstanceAdd, KindInstanceFail, KindInstanceDrain, KindInstanceDeregister, KindPlace, KindUnplaced, KindStart, KindStop, KindFinish}

// Input reports whether k is an input kind, part of a trace to replay.
func (k Kind) Input() bool {
	switch k {
	case KindSubmit, KindInstanceAdd, KindInstanceFail, KindInstanceDrain, KindInstanceDeregister:
		return true
	}
	return false
}

// Event is one line of berth's native JSON Lines format: a trace to
// replay, or the simulator's event log (docs/trace-format.md). Times and
// durations are float64 seconds; a zero field is left out of the line
// and reads back as zero. Which fields a kind allows, and requires, is in
// the format's documentation; WriteEvent and NativeReader enforce it.
type Event struct {
	// Time is when the event happens, in seconds from the start.
	Time float64 `json:"time"`
	Kind Kind    `json:"kind"`
	// TaskID is the task's ID (submit, place, unplaced, start, stop,
	// finish).
	TaskID string `json:"task,omitempty"`
	// InstanceID is the instance's ID (instance kinds; place, start,
	// stop, finish).
	InstanceID string `json:"instance,omitempty"`
	// Type and Zone are an added instance's instance type and
	// availability zone.
	Type string `json:"type,omitempty"`
	Zone string `json:"zone,omitempty"`
	// CPU in the trace's unit, MemoryMiB in MiB, GPUs devices: what a
	// submitted task requires, or what an added instance offers.
	CPU       int64 `json:"cpu,omitempty"`
	MemoryMiB int64 `json:"memory,omitempty"`
	GPUs      int   `json:"gpus,omitempty"`
	// GPUMilli is the share of each GPU a task takes, 1..1000; left out
	// (0) for 1000, whole devices.
	GPUMilli int `json:"gpuMilli,omitempty"`
	// GPUModel is an added instance's GPU model.
	GPUModel string `json:"gpuModel,omitempty"`
	// GPUModels are the GPU models a task accepts (none: any); GPUSpec the
	// raw string its trace gave.
	GPUModels []string `json:"gpuModels,omitempty"`
	GPUSpec   string   `json:"gpuSpec,omitempty"`
	// Attributes (name -> value) and PricePerHour describe an added
	// instance.
	Attributes   map[string]string `json:"attributes,omitempty"`
	PricePerHour float64           `json:"pricePerHour,omitempty"`
	// Duration is how long a submitted task runs once started, in seconds;
	// 0 or absent: until the end.
	Duration float64 `json:"duration,omitempty"`
	// Group, App and MaxPerInstance are a task's Task fields of the same
	// names.
	Group          string `json:"group,omitempty"`
	App            string `json:"app,omitempty"`
	MaxPerInstance int    `json:"maxPerInstance,omitempty"`
	// ExitCode is the code a submitted task will exit with, or that a
	// finished task exited with.
	ExitCode int `json:"exitCode,omitempty"`
	// Scalars are a task's named resources (name -> amount).
	Scalars map[string]float64 `json:"scalars,omitempty"`
	// Untimed marks a submitted task of a trace without times
	// (Task.HasTimes false).
	Untimed bool `json:"untimed,omitempty"`
	// Wait is how long a placed task waited since it was submitted, in
	// seconds.
	Wait float64 `json:"wait,omitempty"`
	// Reason says why: a task could not be placed (unplaced: the ECS
	// reason, such as "RESOURCE:GPU"), was stopped (stop), exited
	// (finish), or an instance failed, drained or left.
	Reason string `json:"reason,omitempty"`
	// CPUUse is the CPU a submitted task burns when it can, in the unit of
	// CPU; 0 or absent: its CPU (it uses what it reserves). A task using
	// more than it reserves overcommits its instance (ECS's CPU units are
	// shares, not caps).
	CPUUse int64 `json:"cpuUse,omitempty"`
}

// At returns Time as a time.Duration from the start.
func (e *Event) At() time.Duration {
	if !(e.Time >= 0) || e.Time > maxSeconds {
		return 0
	}
	return seconds(e.Time)
}

// WriteEvent writes e to w as one line of JSON, with a newline, in one
// Write call. Equal events give identical bytes: fields come in the
// order of Event, zero fields are left out, map keys are sorted, and
// numbers are printed in their shortest form. An event that NativeReader
// would reject (a missing or misplaced field, a negative amount) is an
// error and nothing is written. WriteEvent does not check that times do
// not decrease: the writer of a log must.
func WriteEvent(w io.Writer, e *Event) error {
	if f, msg := e.validate(e.nonZero()); msg != "" {
		return &Error{Msg: fieldMsg(f, msg)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return &Error{Msg: "encode: " + err.Error(), Err: err}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// TaskEvent returns the submit event of t, so that a trace of any format
// can be written natively: (&TaskEvent(t)).Task() gives back t, except
// that Scalars come back sorted by name (and merged when two share a
// name), and times are rounded to the nanosecond through float64 seconds
// (exact for whole seconds).
func TaskEvent(t Task) Event {
	e := Event{
		Time:           t.Submit.Seconds(),
		Kind:           KindSubmit,
		TaskID:         t.ID,
		CPU:            t.CPU,
		MemoryMiB:      t.MemoryMiB,
		GPUs:           t.GPUs,
		GPUMilli:       t.GPUMilli,
		GPUModels:      slices.Clone(t.GPUModels),
		GPUSpec:        t.GPUSpec,
		Duration:       t.Duration.Seconds(),
		Group:          t.Group,
		App:            t.App,
		MaxPerInstance: t.MaxPerInstance,
		ExitCode:       t.ExitCode,
		Untimed:        !t.HasTimes,
		CPUUse:         t.CPUUse,
	}
	if e.GPUMilli == 1000 {
		e.GPUMilli = 0
	}
	if len(t.Scalars) > 0 {
		e.Scalars = make(map[string]float64, len(t.Scalars))
		for _, s := range t.Scalars {
			e.Scalars[s.Name] = s.Value
		}
	}
	return e
}

// Task returns the task of a submit event, or an *Error when e is not a
// valid submit event.
func (e *Event) Task() (Task, error) {
	if e.Kind != KindSubmit {
		return Task{}, &Error{Msg: "event kind " + strconv.Quote(string(e.Kind)) + " is not submit"}
	}
	if f, msg := e.validate(e.nonZero()); msg != "" {
		return Task{}, &Error{Msg: fieldMsg(f, msg)}
	}
	t := Task{
		ID:             e.TaskID,
		Submit:         seconds(e.Time),
		Duration:       seconds(e.Duration),
		HasTimes:       !e.Untimed,
		CPU:            e.CPU,
		MemoryMiB:      e.MemoryMiB,
		GPUs:           e.GPUs,
		GPUMilli:       e.GPUMilli,
		GPUModels:      slices.Clone(e.GPUModels),
		GPUSpec:        e.GPUSpec,
		Group:          e.Group,
		App:            e.App,
		MaxPerInstance: e.MaxPerInstance,
		ExitCode:       e.ExitCode,
		CPUUse:         e.CPUUse,
	}
	if t.GPUs > 0 && t.GPUMilli == 0 {
		t.GPUMilli = 1000
	}
	for _, name := range sortedKeys(e.Scalars) {
		t.Scalars = append(t.Scalars, Scalar{Name: name, Value: e.Scalars[name]})
	}
	return t, nil
}

// NodeEvent returns the instance-add event of n at time 0: Name becomes
// Instance, and Attributes an object (the last of equal names wins).
func NodeEvent(n Node) Event {
	e := Event{
		Kind:         KindInstanceAdd,
		InstanceID:   n.Name,
		Type:         n.Type,
		Zone:         n.Zone,
		CPU:          n.CPU,
		MemoryMiB:    n.MemoryMiB,
		GPUs:         n.GPUs,
		GPUModel:     n.GPUModel,
		PricePerHour: n.PricePerHour,
	}
	if len(n.Attributes) > 0 {
		e.Attributes = make(map[string]string, len(n.Attributes))
		for _, a := range n.Attributes {
			e.Attributes[a.Name] = a.Value
		}
	}
	return e
}

// Node returns the instance of an instance-add event, with Attributes
// sorted by name, or an *Error when e is not a valid instance-add event.
func (e *Event) Node() (Node, error) {
	if e.Kind != KindInstanceAdd {
		return Node{}, &Error{Msg: "event kind " + strconv.Quote(string(e.Kind)) + " is not instance-add"}
	}
	if f, msg := e.validate(e.nonZero()); msg != "" {
		return Node{}, &Error{Msg: fieldMsg(f, msg)}
	}
	n := Node{
		Name:         e.InstanceID,
		CPU:          e.CPU,
		MemoryMiB:    e.MemoryMiB,
		GPUs:         e.GPUs,
		GPUModel:     e.GPUModel,
		Type:         e.Type,
		Zone:         e.Zone,
		PricePerHour: e.PricePerHour,
	}
	for _, name := range sortedKeys(e.Attributes) {
		n.Attributes = append(n.Attributes, Attribute{Name: name, Value: e.Attributes[name]})
	}
	return n, nil
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NativeReader reads berth's native JSON Lines format (plain or gzip).
// Create it with NewNative.
//
// It is strict: an unknown kind or field, a field the kind does not
// allow, a missing required field, a duplicate field, a null, an empty
// string, array or object, a value of the wrong type, a negative amount,
// or a time before the previous line's is an error at the line and byte
// column of the offending key or value. Blank lines are skipped; lines
// may be up to 1 MiB long.
type NativeReader struct {
	file     string
	src      io.Reader
	sc       *bufio.Scanner
	parser   *jsondoc.Parser
	line     int
	last     float64 // the time of the previous event
	lastLine int     // its line
	err      error
}

// NewNative returns a reader of the native events in r; file names it in
// errors.
func NewNative(r io.Reader, file string) *NativeReader {
	return &NativeReader{file: file, src: r}
}

// Line returns the line of the event Next last returned.
func (r *NativeReader) Line() int { return r.line }

// Next returns the next event, io.EOF after the last one, or an *Error.
// After an error other than io.EOF it keeps returning that error.
func (r *NativeReader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = err
	}
	return e, err
}

func (r *NativeReader) next() (Event, error) {
	if r.sc == nil {
		src, err := decompress(r.src, r.file)
		if err != nil {
			return Event{}, err
		}
		r.src = nil
		r.sc = newScanner(src)
	}
	for r.sc.Scan() {
		r.line++
		b := r.sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var e Event
		var s keyScan
		if !parseFlat(b, &e, &s) {
			// Its own variable: the full decoder's takes it as an any,
			// which moves it to the heap, and only this path should pay.
			var full Event
			s = keyScan{}
			if r.parser == nil {
				r.parser = jsondoc.NewParser("", lineLimits)
			}
			if col, msg, err := parseEvent(r.parser, b, &full, &s); msg != "" {
				return Event{}, &Error{File: r.file, Line: r.line, Col: col, Msg: msg, Err: err}
			}
			e = full
		}
		if e.Time < r.last {
			return Event{}, &Error{File: r.file, Line: r.line, Col: int(s.valOff[fTime]) + 1,
				Msg: "time " + formatFloat(e.Time) + " is before time " + formatFloat(r.last) + " on line " + strconv.Itoa(r.lastLine) + ", expected times that do not decrease"}
		}
		r.last, r.lastLine = e.Time, r.line
		return e, nil
	}
	if err := r.sc.Err(); err != nil {
		return Event{}, scanError(r.file, r.line, err)
	}
	return Event{}, io.EOF
}

// formatFloat prints a number from the input for an error: as written
// for ordinary magnitudes (10, 0.5), with an exponent beyond them (1e+300
// rather than its 301 digits).
func formatFloat(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// parseEvent decodes and checks one line into e. On error it returns the
// 1-based byte column (0 for the whole line), the message, and the cause.
func parseEvent(p *jsondoc.Parser, b []byte, e *Event, s *keyScan) (col int, msg string, cause error) {
	n, err := p.Parse(b)
	var je *fielderr.Error
	if errors.As(err, &je) {
		switch {
		case je.Err == fielderr.ErrDuplicate && je.Path == "":
			return je.Column, "field " + je.Value + " appears twice", nil
		case je.Err == fielderr.ErrDuplicate:
			return je.Column, je.Path + ": key " + je.Value + " appears twice", nil
		}
		col := je.Column
		if col < 1 || col > len(b) {
			col = len(b) + 1
		}
		return col, "invalid JSON: " + je.Msg, err
	}
	// The line is valid JSON: scan its keys for what decoding lets pass
	// (unknown keys, nulls) and where its fields are.
	if col, msg := s.scan(b); msg != "" {
		return col, msg, nil
	}
	if err := jsondoc.Decode(n, "", e); err != nil {
		if !errors.As(err, &je) {
			return 0, "invalid event: " + err.Error(), err
		}
		name, _, _ := strings.Cut(je.Path, ".")
		name, _, _ = strings.Cut(name, "[")
		f, known := fieldByName[name]
		switch {
		case !known:
			return je.Column, je.Path + ": " + je.Msg, err
		case name != je.Path:
			return je.Column, je.Path + ": " + je.Msg, err
		}
		return int(s.valOff[f]) + 1, name + ": expected " + fieldTypes[f] + ", found " + jsondoc.Found(n.Get(name)), err
	}
	f, msg := e.validate(s.present)
	if msg == "" {
		return 0, "", nil
	}
	switch {
	case f < 0:
		return 0, msg, nil
	case s.present&(1<<f) == 0:
		return 0, fieldMsg(f, msg), nil
	case msg == msgNotAllowed:
		return int(s.keyOff[f]) + 1, fieldMsg(f, msg) + " " + strconv.Quote(string(e.Kind)), nil
	}
	return int(s.valOff[f]) + 1, fieldMsg(f, msg), nil
}

// lineLimits bound the JSON of one line (which is at most maxLine long).
var lineLimits = jsondoc.Limits{MaxBytes: maxLine + 1}

// finite reports whether f is a finite non-negative number.
func finite(f float64) bool { return f >= 0 && !math.IsInf(f, 1) }
