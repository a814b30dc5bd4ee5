package jsondoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/berthsched/berth/fielderr"
)

// Limits bound what a Reader accepts. A zero field means the field of
// DefaultLimits.
type Limits struct {
	// MaxBytes is the longest document, in bytes.
	MaxBytes int64
	// MaxString is the longest string or number literal, in bytes as
	// written (escapes included).
	MaxString int
	// MaxDepth is the deepest nesting of arrays and objects.
	MaxDepth int
	// MaxValues is the most values (of any kind, nested ones included)
	// one call of Value may read: what bounds the memory of a tree, which
	// is some tens of bytes per value however short the value's text.
	MaxValues int
}

// DefaultLimits are limits no real document reaches: 64 MiB, strings of
// 1 MiB, 100 levels of nesting, 1 Mi values.
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxString: 1 << 20, MaxDepth: 100, MaxValues: 1 << 20}

func (l Limits) orDefault() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxString <= 0 {
		l.MaxString = DefaultLimits.MaxString
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultLimits.MaxValues
	}
	return l
}

// Reader reads one JSON document from a stream, whole (ReadDocument) or
// piece by piece (Begin, Object, Array, Value, End), so that a large
// document need not be held in memory at once.
type Reader struct {
	src       io.Reader
	file      string
	lim       Limits
	buf       []byte
	i, n      int
	off       int64 // document offset of buf[0]
	line      int
	lineStart int64 // document offset where the current line starts
	eof       bool
	err       error // a sticky read or limit error
	depth     int
	values    int  // values read by the outermost call of Value
	inValue   bool // a call of Value is under way
	path      []step
	scratch   []byte
	keys      map[string]string // interned keys
	members   []Member          // the members of the objects being read
	elems     []Node            // the elements of the arrays being read
}

type step struct {
	key   string
	index int // -1 for a key
}

// NewReader returns a Reader of r; file names r in errors.
func NewReader(r io.Reader, file string, lim Limits) *Reader {
	size := 64 << 10
	if l, ok := r.(interface{ Len() int }); ok {
		// An input in memory (a bytes.Reader) needs no more: many small
		// documents read this way (task definitions) need not each take
		// 64 KiB.
		size = min(size, max(l.Len()+1, 512))
	}
	return &Reader{src: r, file: file, lim: lim.orDefault(), buf: make([]byte, size), line: 1}
}

// ReadDocument reads the one document of r whole.
func ReadDocument(r io.Reader, file string, lim Limits) (*Node, error) {
	return NewReader(r, file, lim).whole(nil)
}

// whole reads the reader's one document, pruned by f.
func (d *Reader) whole(f *Filter) (*Node, error) {
	if err := d.Begin(); err != nil {
		return nil, err
	}
	n, err := d.value(f, true)
	if err != nil {
		return nil, err
	}
	if err := d.End(); err != nil {
		return nil, err
	}
	return &n, nil
}

// Parse reads the one document of data whole. It reads data in place,
// without a buffer of its own.
func Parse(data []byte, file string, lim Limits) (*Node, error) {
	return NewParser(file, lim).Parse(data)
}

// Parser parses one small document after another (the lines of a JSON
// Lines file), reusing its working memory. It is not safe for concurrent
// use.
type Parser struct{ d Reader }

// NewParser returns a Parser; file names the documents in errors.
func NewParser(file string, lim Limits) *Parser {
	return &Parser{d: Reader{file: file, lim: lim.orDefault()}}
}

// Parse reads the one document of data whole, in place.
func (p *Parser) Parse(data []byte) (*Node, error) {
	return p.ParseFiltered(data, nil)
}

// ParseFiltered reads the one document of data, in place, keeping in the
// tree only what f keeps (a nil f keeps everything). What f leaves out is
// read as strictly as the rest, with the same errors (syntax, a key given
// twice, the limits, MaxValues counting it too), but takes no memory.
func (p *Parser) ParseFiltered(data []byte, f *Filter) (*Node, error) {
	d := &p.d
	*d = Reader{file: d.file, lim: d.lim, buf: data, n: len(data), eof: true, line: 1,
		path: d.path[:0], scratch: d.scratch[:0], members: d.members[:0], elems: d.elems[:0], keys: d.keys}
	return d.whole(f)
}

// A Filter prunes a tree as it is read, for a reader that needs a few
// members of many large objects (the tasks of a describe-tasks output).
// The zero Filter, like a nil one, keeps a value whole. A filter applies
// to the kind of value it is written for; a value of the other kind is
// kept whole, so that whoever decodes it reports it.
type Filter struct {
	// Keys maps the members of an object to their filters (nil keeping
	// a member whole).
	Keys map[string]*Filter
	// Only, when set, drops the members Keys does not name.
	Only bool
	// Elems filters each element of an array.
	Elems *Filter
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// Begin starts the document: it skips a leading byte order mark and
// reports an empty document.
func (d *Reader) Begin() error {
	for empty := 0; d.n < len(bom) && !d.eof && d.err == nil && d.src != nil; empty++ {
		m, err := d.src.Read(d.buf[d.n:])
		if m == 0 && err == nil && empty >= 100 {
			err = io.ErrNoProgress
		}
		d.n += m
		d.readErr(err)
	}
	if d.n >= len(bom) && string(d.buf[:3]) == string(bom) {
		d.i, d.lineStart = 3, 3
	}
	if err := d.checkSize(); err != nil {
		return err
	}
	d.skipSpace()
	if _, ok := d.peek(); !ok {
		if d.err != nil {
			return d.err
		}
		return &fielderr.Error{File: d.file, Msg: "empty document"}
	}
	return nil
}

// End checks that nothing but white space follows the document.
func (d *Reader) End() error {
	d.skipSpace()
	if c, ok := d.peek(); ok {
		return d.errorf(d.pos(), "found %s after the document, expected its end", quoteByte(c))
	}
	return d.err
}

func (d *Reader) readErr(err error) {
	switch {
	case err == io.EOF:
		d.eof = true
	case err != nil:
		d.eof = true
		d.err = &fielderr.Error{File: d.file, Msg: "read: " + err.Error(), Err: err}
	}
}

func (d *Reader) checkSize() error {
	if d.off+int64(d.n) > d.lim.MaxBytes && d.err == nil {
		d.eof = true
		d.err = &fielderr.Error{File: d.file, Msg: "document larger than the limit of " + size(d.lim.MaxBytes)}
	}
	return d.err
}

// peek returns the next byte, reading more when needed; ok is false at
// the end of the input or after an error.
func (d *Reader) peek() (byte, bool) {
	if d.i < d.n {
		return d.buf[d.i], true
	}
	for empty := 0; !d.eof && d.err == nil; empty++ {
		d.off += int64(d.n)
		d.i, d.n = 0, 0
		m, err := d.src.Read(d.buf)
		d.n = m
		if m == 0 && err == nil && empty >= 100 {
			err = io.ErrNoProgress // a broken reader, not an endless document
		}
		d.readErr(err)
		if d.checkSize() != nil {
			return 0, false
		}
		if m > 0 {
			return d.buf[0], true
		}
	}
	return 0, false
}

func (d *Reader) pos() Pos {
	return Pos{Line: d.line, Col: int(d.off+int64(d.i)-d.lineStart) + 1}
}

func (d *Reader) skipSpace() {
	for {
		// The run in the buffer first, without a call a byte: pretty-printed
		// documents (the AWS CLI's) are much indentation.
		for d.i < d.n {
			switch d.buf[d.i] {
			case ' ', '\t', '\r':
				d.i++
				continue
			case '\n':
				d.i++
				d.line++
				d.lineStart = d.off + int64(d.i)
				continue
			}
			return
		}
		c, ok := d.peek()
		if !ok {
			return
		}
		switch c {
		case ' ', '\t', '\r':
			d.i++
		case '\n':
			d.i++
			d.line++
			d.lineStart = d.off + int64(d.i)
		default:
			return
		}
	}
}

func (d *Reader) errorf(p Pos, format string, args ...any) error {
	if d.err != nil {
		return d.err // a read or limit error explains the rest
	}
	return &fielderr.Error{File: d.file, Line: p.Line, Column: p.Col, Path: d.pathString(), Msg: fmt.Sprintf(format, args...)}
}

// unexpected reports the next byte (or the end) where want was expected.
func (d *Reader) unexpected(want string) error {
	c, ok := d.peek()
	if !ok {
		return d.errorf(d.pos(), "unexpected end of the document, expected %s", want)
	}
	return d.errorf(d.pos(), "expected %s, found %s", want, quoteByte(c))
}

func (d *Reader) pathString() string {
	var b strings.Builder
	for _, s := range d.path {
		b.WriteString(PathStep(b.Len() == 0, s.key, s.index))
	}
	return b.String()
}

// PathStep returns the text a step adds to a JSON path: ".key" (or "key"
// first), `["odd key"]`, or "[index]" when index >= 0.
func PathStep(first bool, key string, index int) string {
	switch {
	case index >= 0:
		return fielderr.Index("", index)
	case first:
		return fielderr.Key("", key)
	}
	if k := fielderr.Key("", key); k[0] == '[' {
		return k
	}
	return "." + key
}

// Object reads an object, calling member for each key with the reader
// positioned at its value, which member must read (Value, Object, Array
// or Skip). A key given twice is an error.
func (d *Reader) Object(member func(key string, pos Pos) error) error {
	d.skipSpace()
	if c, ok := d.peek(); !ok || c != '{' {
		return d.unexpected("an object")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.i++
	var seen keySet
	for first := true; ; first = false {
		d.skipSpace()
		if c, ok := d.peek(); ok && c == '}' && first {
			d.i++
			d.depth--
			return nil
		}
		key, kp, err := d.key()
		if err != nil {
			return err
		}
		if p, dup := seen.add(key, kp); dup {
			return dupError(d, key, kp, p)
		}
		d.path = append(d.path, step{key: key, index: -1})
		err = member(key, kp)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
		if done, err := d.next('}', "',' or '}' after an object member"); done || err != nil {
			return err
		}
	}
}

// keySet is the keys of an object so far: a list while it is short (most
// objects, an ECS task's some 25 keys included), a map beyond.
type keySet struct {
	keys [32]string
	pos  [32]Pos
	n    int
	m    map[string]Pos
}

// add adds key at p; dup is true, with the first position, when the key
// was there already.
func (k *keySet) add(key string, p Pos) (first Pos, dup bool) {
	if k.m != nil {
		if first, dup = k.m[key]; !dup {
			k.m[key] = p
		}
		return first, dup
	}
	for i, have := range k.keys[:k.n] {
		if have == key {
			return k.pos[i], true
		}
	}
	if k.n < len(k.keys) {
		k.keys[k.n], k.pos[k.n] = key, p
		k.n++
		return Pos{}, false
	}
	k.m = make(map[string]Pos, 2*len(k.keys))
	for i, have := range k.keys {
		k.m[have] = k.pos[i]
	}
	k.m[key] = p
	return Pos{}, false
}

func dupError(d *Reader, key string, at, first Pos) error {
	err := d.errorf(at, "duplicate key %q (first at line %d, column %d)", fielderr.Shorten(key, fielderr.MaxValue), first.Line, first.Col)
	if e, ok := err.(*fielderr.Error); ok && e.Err == nil {
		e.Value, e.Err = fielderr.Quote(key), fielderr.ErrDuplicate
	}
	return err
}

// Array reads an array, calling elem for each element with the reader
// positioned at it.
func (d *Reader) Array(elem func(i int) error) error {
	d.skipSpace()
	if c, ok := d.peek(); !ok || c != '[' {
		return d.unexpected("an array")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.i++
	for i := 0; ; i++ {
		d.skipSpace()
		if c, ok := d.peek(); ok && c == ']' && i == 0 {
			d.i++
			d.depth--
			return nil
		}
		d.path = append(d.path, step{index: i})
		err := elem(i)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
		if done, err := d.next(']', "',' or ']' after an array element"); done || err != nil {
			return err
		}
	}
}

func (d *Reader) enter() error {
	if d.depth >= d.lim.MaxDepth {
		return d.errorf(d.pos(), "nested deeper than the limit of %d levels", d.lim.MaxDepth)
	}
	d.depth++
	return nil
}

// next reads ',' (done false) or the closing byte (done true).
func (d *Reader) next(closing byte, want string) (done bool, err error) {
	d.skipSpace()
	c, ok := d.peek()
	switch {
	case ok && c == ',':
		d.i++
		return false, nil
	case ok && c == closing:
		d.i++
		d.depth--
		return true, nil
	}
	return false, d.unexpected(want)
}

// key reads a key and its colon.
func (d *Reader) key() (string, Pos, error) {
	d.skipSpace()
	p := d.pos()
	if c, ok := d.peek(); !ok || c != '"' {
		return "", p, d.unexpected("a string key")
	}
	k, err := d.readString(strIntern)
	if err != nil {
		return "", p, err
	}
	d.skipSpace()
	if c, ok := d.peek(); !ok || c != ':' {
		return "", p, d.unexpected("':' after a key")
	}
	d.i++
	return k, p, nil
}

// Peek returns the kind of the next value without reading it.
func (d *Reader) Peek() (Kind, error) {
	d.skipSpace()
	c, ok := d.peek()
	switch {
	case !ok:
		return Null, d.unexpected("a value")
	case c == '{':
		return Object, nil
	case c == '[':
		return Array, nil
	case c == '"':
		return String, nil
	case c == 't' || c == 'f':
		return Bool, nil
	case c == 'n':
		return Null, nil
	}
	return Number, nil
}

// Skip reads a value as strictly as Value, and discards it without
// building its tree.
func (d *Reader) Skip() error {
	_, err := d.value(nil, false)
	return err
}

// Value reads a value whole.
func (d *Reader) Value() (Node, error) {
	return d.value(nil, true)
}

// value reads a value, pruned by f; when keep is false, it only checks
// it and returns no tree.
func (d *Reader) value(f *Filter, keep bool) (Node, error) {
	if !d.inValue {
		d.inValue, d.values = true, 0
		defer func() { d.inValue = false }()
	}
	d.skipSpace()
	n := Node{Pos: d.pos()}
	if d.values++; d.values > d.lim.MaxValues {
		return n, d.errorf(n.Pos, "more than the limit of %d values", d.lim.MaxValues)
	}
	c, ok := d.peek()
	if !ok {
		return n, d.unexpected("a value")
	}
	var err error
	switch {
	case c == '{':
		// Members gather on a stack shared by all levels and are copied
		// out once: one allocation per object, of its exact size.
		n.Kind = Object
		if !keep {
			err = d.Object(func(string, Pos) error {
				_, err := d.value(nil, false)
				return err
			})
			break
		}
		base := len(d.members)
		err = d.Object(func(key string, kp Pos) error {
			sub, keepIt := (*Filter)(nil), true
			if f != nil {
				var named bool
				sub, named = f.Keys[key]
				keepIt = named || !f.Only
			}
			v, err := d.value(sub, keepIt)
			if keepIt {
				d.members = append(d.members, Member{Key: key, KeyPos: kp, Value: v})
			}
			return err
		})
		if len(d.members) > base {
			n.Members = append([]Member(nil), d.members[base:]...)
		}
		clear(d.members[base:])
		d.members = d.members[:base]
	case c == '[':
		n.Kind = Array
		if !keep {
			err = d.Array(func(int) error {
				_, err := d.value(nil, false)
				return err
			})
			break
		}
		var sub *Filter
		if f != nil {
			sub = f.Elems
		}
		base := len(d.elems)
		err = d.Array(func(int) error {
			v, err := d.value(sub, true)
			d.elems = append(d.elems, v)
			return err
		})
		if len(d.elems) > base {
			n.Elems = append([]Node(nil), d.elems[base:]...)
		}
		clear(d.elems[base:])
		d.elems = d.elems[:base]
	case c == '"':
		n.Kind = String
		if keep {
			n.Text, err = d.str()
		} else {
			_, err = d.readString(strDiscard)
		}
	case c == '-' || '0' <= c && c <= '9':
		n.Kind = Number
		n.Text, err = d.number()
	case c == 't':
		n.Kind, n.Text, err = Bool, "true", d.literal("true")
	case c == 'f':
		n.Kind, n.Text, err = Bool, "false", d.literal("false")
	case c == 'n':
		err = d.literal("null")
	default:
		err = d.unexpected("a value")
	}
	return n, err
}
