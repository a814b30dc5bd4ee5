package ecsimport

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/berthsched/berth/ecsjson"
	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/jsondoc"
	"github.com/berthsched/berth/placement"
	"github.com/berthsched/berth/sim/scenario"
)

// Options adjust an import. The zero value imports as the cluster ran.
type Options struct {
	// Dir is how errors and the record name the directory of the files
	// ("" names them alone).
	Dir string
	// Prices are the instance types' prices (see ReadPrices); a type
	// without one costs 0 and is listed.
	Prices map[string]Price
	// LoadFactor scales the replayed load (0 means 1).
	LoadFactor float64
}

// Result is an import: the scenario and what was read, assumed and not
// modelled (also recorded in the scenario's import key).
type Result struct {
	// Scenario is the scenario document, indented JSON ending in a newline.
	Scenario []byte
	// Read lists the files read, in name order.
	Read []scenario.ImportedFile
	// Assumed and NotModelled list, one line each, what the import had to
	// assume and what the documents gave that berth does not model.
	Assumed, NotModelled []string
}

// Lines are the result's record as one line each ("read: ...",
// "assumed: ...", "not modelled: ..."), for a command's standard error.
func (r *Result) Lines() []string {
	var out []string
	for _, f := range r.Read {
		out = append(out, fmt.Sprintf("read: %s: %s (%d)", f.File, f.Kind, f.Count))
	}
	for _, a := range r.Assumed {
		out = append(out, "assumed: "+a)
	}
	for _, n := range r.NotModelled {
		out = append(out, "not modelled: "+n)
	}
	return out
}

// maxFiles bounds the files of a dump; maxFileBytes one file (a
// describe-tasks output of 100 tasks is about 1 MiB).
const (
	maxFiles     = 100_000
	maxFileBytes = 64 << 20
)

var limits = jsondoc.Limits{MaxBytes: maxFileBytes, MaxString: 1 << 20, MaxDepth: 100, MaxValues: 4 << 20}

// pruned keeps of the many instances and tasks only the members the
// import decodes (ecsjson reads the instances from the file's bytes): the
// rest is still read strictly (a duplicate key is an error) but builds no
// tree. Decoding with DecodeKnown skips the other members anyway, so the
// pruned tree decodes as the whole one would.
var pruned = &jsondoc.Filter{Keys: map[string]*jsondoc.Filter{
	"containerInstances": {Elems: membersOf[instanceDoc]()},
	"tasks":              {Elems: membersOf[taskDoc]()},
}}

// membersOf is a filter keeping the members of an object that name a
// field of T (by its json tag), each whole.
func membersOf[T any]() *jsondoc.Filter {
	f := &jsondoc.Filter{Keys: map[string]*jsondoc.Filter{}, Only: true}
	t := reflect.TypeFor[T]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			panic("ecsimport: " + t.Name() + "." + t.Field(i).Name + " has no json name") // a programmer error
		}
		f.Keys[name] = nil
	}
	return f
}

// src is where an item was read: file and JSON path.
type src struct{ file, path string }

func (s src) String() string { return s.file + ": " + s.path }

// doc is one parsed file.
type doc struct {
	file  string
	kinds []Kind
	root  *jsondoc.Node
	data  []byte // the file, for ecsjson (a describe-container-instances output is a snapshot)
}

// Read imports the dump in fsys: every file whose name ends in .json in
// its top directory, recognised by its content (Recognise). See the
// package documentation for what becomes of each document. Errors are one
// line, "ecsimport: FILE:LINE:COL: PATH: MESSAGE" with the parts that are
// unknown left out.
func Read(fsys fs.FS, opts Options) (*Result, error) {
	res, err := read(fsys, opts)
	if err != nil {
		return nil, fmt.Errorf("ecsimport: %w", err)
	}
	return res, nil
}

func read(fsys fs.FS, opts Options) (*Result, error) {
	if opts.LoadFactor < 0 || opts.LoadFactor > 1000 {
		return nil, fmt.Errorf("load factor %g, expected 0 to 1000", opts.LoadFactor)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	d := &dump{opts: opts}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		if len(d.docs) == maxFiles {
			return nil, fmt.Errorf("%s: more than %d .json files", d.name(""), maxFiles)
		}
		dc, err := d.parse(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		d.docs = append(d.docs, dc)
	}
	if len(d.docs) == 0 {
		return nil, fmt.Errorf("%s: no .json files, expected the AWS CLI's outputs (see docs/import.md)", d.name(""))
	}
	if err := d.collect(); err != nil {
		return nil, err
	}
	return d.build()
}

// name is how messages name a file of the dump.
func (d *dump) name(file string) string {
	switch {
	case d.opts.Dir == "" && file == "":
		return "."
	case d.opts.Dir == "":
		return file
	}
	return path.Join(d.opts.Dir, file)
}

func (d *dump) parse(fsys fs.FS, file string) (doc, error) {
	name := d.name(file)
	if fi, err := fs.Stat(fsys, file); err == nil && fi.Size() > maxFileBytes {
		return doc{}, fmt.Errorf("%s: larger than %d MiB, expected one AWS CLI output", name, maxFileBytes>>20)
	}
	b, err := fs.ReadFile(fsys, file) // sized by Stat: no copying as it grows
	if err != nil {
		return doc{}, fmt.Errorf("%s: %w", name, unwrapPath(err))
	}
	if len(b) > maxFileBytes {
		return doc{}, fmt.Errorf("%s: larger than %d MiB, expected one AWS CLI output", name, maxFileBytes>>20)
	}
	root, err := jsondoc.NewParser(name, limits).ParseFiltered(b, pruned)
	if err != nil {
		return doc{}, err
	}
	ks, err := Recognise(root, name)
	if err != nil {
		return doc{}, err
	}
	return doc{file: name, kinds: ks, root: root, data: b}, nil
}

// dump is what the files hold, merged by kind.
type dump struct {
	opts Options
	docs []doc

	read        []scenario.ImportedFile
	assumed     []string
	notModelled []string
	unpriced    []string // instance types without a price

	cluster, clusterAt string

	instances []ecsjson.ContainerInstance
	instDocs  []instanceDoc
	instSrc   []src
	instIndex map[string]int // by ARN
	taskIndex map[string]int // by ARN
	tasks     []ecsjson.Task
	taskDocs  []taskDoc
	taskSrc   []src
	services  []serviceDoc
	svcNodes  []*jsondoc.Node
	svcSrc    []src
	taskDefs  map[string]*taskDefItem // by taskDefinitionArn and family:revision
	tdOrder   []*taskDefItem
	providers []capacityProviderDoc
	provSrc   []src
	asgs      []asgDoc
	asgSrc    []src
	targets   []scalableTargetDoc
	targetSrc []src
	policies  []scalingPolicyDoc
	polSrc    []src
	actions   []scheduledActionDoc
	actSrc    []src
	alarms    map[string]alarmDoc
	queries   map[string]*queryItem // by Id
	results   []resultItem
	latest    time.Time // the newest time the dump printed
}

type taskDefItem struct {
	arn, key string
	node     *jsondoc.Node // the taskDefinition object
	td       *placement.TaskDefinition
	src      src
	used     bool
}

type queryItem struct {
	q          metricQueryDoc
	start, end time.Time
	src        src
}

type resultItem struct {
	r   metricResultDoc
	src src
}

func (d *dump) assume(format string, args ...any) {
	d.assumed = append(d.assumed, fmt.Sprintf(format, args...))
}
func (d *dump) skip(format string, args ...any) {
	d.notModelled = append(d.notModelled, fmt.Sprintf(format, args...))
}

// collect decodes every document, the container instances first (tasks
// name them).
func (d *dump) collect() error {
	// Sized at once: a large cluster has tens of thousands of tasks.
	nInst, nTask := d.count(KindContainerInstances), d.count(KindTasks)
	d.instIndex, d.taskIndex = make(map[string]int, nInst), make(map[string]int, nTask)
	d.instances, d.instDocs, d.instSrc = make([]ecsjson.ContainerInstance, 0, nInst), make([]instanceDoc, 0, nInst), make([]src, 0, nInst)
	d.tasks, d.taskDocs, d.taskSrc = make([]ecsjson.Task, 0, nTask), make([]taskDoc, 0, nTask), make([]src, 0, nTask)
	d.taskDefs, d.alarms, d.queries = map[string]*taskDefItem{}, map[string]alarmDoc{}, map[string]*queryItem{}
	order := []Kind{KindContainerInstances, KindTasks, KindTaskDefinition, KindServices, KindCapacityProviders, KindAutoScalingGroups,
		KindScalableTargets, KindScalingPolicies, KindScheduledActions, KindAlarms, KindMetricQueries, KindMetricData}
	counts := make(map[string]int)
	for _, k := range order {
		for i := range d.docs {
			dc := &d.docs[i]
			if !slices.Contains(dc.kinds, k) {
				continue
			}
			n, err := d.collectDoc(dc, k)
			if err != nil {
				return err
			}
			counts[dc.file+"\x00"+k.String()] = n
		}
	}
	for _, dc := range d.docs {
		for _, k := range dc.kinds {
			d.read = append(d.read, scenario.ImportedFile{File: dc.file, Kind: k.String(), Count: counts[dc.file+"\x00"+k.String()]})
		}
	}
	return nil
}

// count returns the elements of the documents of kind k (an estimate:
// their keys are checked to be arrays later).
func (d *dump) count(k Kind) int {
	n := 0
	for i := range d.docs {
		if v := d.docs[i].root.Get(kinds[k].key); slices.Contains(d.docs[i].kinds, k) && v != nil {
			n += len(v.Elems)
		}
	}
	return n
}

// array returns the elements of the document's key, which must be an
// array.
func array(dc *doc, key string) ([]jsondoc.Node, error) {
	v := dc.root.Get(key)
	if v.Kind != jsondoc.Array {
		return nil, &fielderr.Error{File: dc.file, Line: v.Pos.Line, Column: v.Pos.Col, Path: key, Msg: "expected an array, found " + jsondoc.Found(v)}
	}
	return v.Elems, nil
}

func (d *dump) collectDoc(dc *doc, k Kind) (int, error) {
	if k == KindTaskDefinition {
		return 1, d.taskDefinition(dc)
	}
	if k == KindMetricQueries {
		return d.metricQueries(dc)
	}
	elems, err := array(dc, kinds[k].key)
	if err != nil {
		return 0, err
	}
	switch k {
	case KindContainerInstances:
		err = d.containerInstances(dc, elems)
	case KindTasks:
		err = d.describeTasks(dc, elems)
	case KindServices:
		err = d.describeServices(dc, elems)
	default:
		err = d.decodeEach(dc, k, elems)
	}
	return len(elems), err
}

// decodeEach decodes the elements of the simpler documents.
func (d *dump) decodeEach(dc *doc, k Kind, elems []jsondoc.Node) error {
	for i := range elems {
		at := src{dc.file, fielderr.Index(kinds[k].key, i)}
		n := &elems[i]
		var err error
		switch k {
		case KindCapacityProviders:
			var v capacityProviderDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.providers, d.provSrc = append(d.providers, v), append(d.provSrc, at)
			}
		case KindAutoScalingGroups:
			var v asgDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.asgs, d.asgSrc = append(d.asgs, v), append(d.asgSrc, at)
			}
		case KindScalableTargets:
			var v scalableTargetDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.targets, d.targetSrc = append(d.targets, v), append(d.targetSrc, at)
			}
		case KindScalingPolicies:
			var v scalingPolicyDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.policies, d.polSrc = append(d.policies, v), append(d.polSrc, at)
			}
		case KindScheduledActions:
			var v scheduledActionDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.actions, d.actSrc = append(d.actions, v), append(d.actSrc, at)
			}
		case KindAlarms:
			var v alarmDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.alarms[v.AlarmName] = v
			}
		case KindMetricData:
			var v metricResultDoc
			if err = decode(n, dc, kinds[k].key, i, &v); err == nil {
				d.results = append(d.results, resultItem{v, at})
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// decode decodes element i of key with DecodeKnown, its path from the
// document's top.
func decode(n *jsondoc.Node, dc *doc, key string, i int, v any) error {
	err := jsondoc.DecodeKnown(n, dc.file, v)
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		return fe.Under(fielderr.Index(key, i))
	}
	return err
}

// clusterOf is the cluster name of an ECS ARN: the part after cluster/,
// or after container-instance/ or task/ in the long ARN format.
func clusterOf(arn string) string {
	_, rest, ok := strings.Cut(arn, ":cluster/")
	if ok {
		return rest
	}
	for _, kind := range []string{":container-instance/", ":task/", ":service/"} {
		if _, rest, ok := strings.Cut(arn, kind); ok {
			if c, _, ok := strings.Cut(rest, "/"); ok {
				return c
			}
		}
	}
	return ""
}

// sameCluster checks that name (from at, then field) is the dump's
// cluster. The place is put in words only when needed: it is checked for
// every task.
func (d *dump) sameCluster(name string, at src, field string) error {
	if name == "" || name == d.cluster {
		return nil
	}
	where := at.String() + field
	if d.cluster == "" {
		d.cluster, d.clusterAt = name, where
		return nil
	}
	return fmt.Errorf("%s: cluster %q, but %s is of cluster %q: expected the dump of one cluster", where, name, d.clusterAt, d.cluster)
}

// parseTime reads a time as the AWS CLI prints it (ISO 8601 with an
// offset) or takes it (without a zone: UTC).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q, expected an ISO 8601 time such as 2025-03-10T00:00:00+00:00", fielderr.Shorten(s, 60))
}

func (d *dump) seen(s string) {
	if t, err := parseTime(s); err == nil && t.After(d.latest) {
		d.latest = t
	}
}

// unwrapPath drops the path an *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
