package fielderr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is an error in one field of a document: where it is (the file,
// the line and column when known, the field's path) and what is wrong
// with it. Its message is one line:
//
//	FILE:LINE:COL: PATH: MESSAGE
//
// with the parts that are unknown left out. It carries no package prefix:
// the program or exported entry point that reports it adds one, once.
//
// Constructors return a new *Error; WithFile, At and Under return a copy,
// so an *Error, once returned, is never changed.
type Error struct {
	// File names the document, as given to its reader; "" when unknown.
	File string
	// Line and Column are the 1-based position of the offending key or
	// value (Column counts bytes, as go/token does); 0 when unknown. A
	// Column is printed only with a Line.
	Line, Column int
	// Path is the field's path in the document: a JSON path such as
	// services[2].taskDefinition.cpu, or a CSV column's name; "" for the
	// document itself.
	Path string
	// Value is the offending value as the message quotes it, shortened to
	// MaxValue bytes, as Invalid, Wrong, Duplicate and the JSON reader's
	// key errors record it; "" when the error is not about one value (a
	// missing field, a read error) or its constructor did not record it
	// (Errorf).
	Value string
	// Msg is the message after the path: what is wrong and what was
	// expected, such as `"bridgex", expected bridge or awsvpc`. It
	// includes Value, when there is one.
	Msg string
	// Err is the underlying cause, if any: a *cql.Error, a sentinel such
	// as ErrDuplicate, a read error.
	Err error
}

// MaxValue is the length in bytes to which a value quoted in a message is
// shortened.
const MaxValue = 40

// Sentinel causes, for errors.Is.
var (
	// ErrRequired is the cause of Required's errors.
	ErrRequired = errors.New("missing")
	// ErrDuplicate is the cause of Duplicate's errors.
	ErrDuplicate = errors.New("duplicate")
	// ErrUnknown is the cause of Unknown's errors.
	ErrUnknown = errors.New("unknown field")
)

// Error returns the one-line message, "FILE:LINE:COL: PATH: MESSAGE".
// Line breaks in any part are printed as `\n`, so that the message stays
// one line whatever the document held.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return oneLine(b.String())
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// oneLine replaces line breaks with their escapes, leaving s unchanged
// (and unallocated) when it has none.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\u2028\u2029\u0085") {
		return s
	}
	r := strings.NewReplacer("\n", `\n`, "\r", `\r`, "\u2028", `\u2028`, "\u2029", `\u2029`, "\u0085", `\u0085`)
	return r.Replace(s)
}

// Errorf returns an error in the field at path whose message is the
// formatted text. As with fmt.Errorf, a %w verb makes its operand the
// cause:
//
//	fielderr.Errorf("", "memberOf expression: %w", err)
func Errorf(path, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Path: path, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// Invalid returns an error for a value that is not what was expected:
// `PATH: VALUE, expected EXPECTED`. A string value is quoted.
func Invalid(path string, value any, expected string) *Error {
	v := Quote(value)
	return &Error{Path: path, Value: v, Msg: v + ", expected " + expected}
}

// Wrong returns an error for a value and what is wrong with it:
// `PATH: VALUE WHAT`, such as `-5s is negative`. A string value is
// quoted.
func Wrong(path string, value any, what string) *Error {
	v := Quote(value)
	return &Error{Path: path, Value: v, Msg: v + " " + what}
}

// Required returns an error for a missing field: `PATH: missing`, or
// `PATH: missing: DETAIL` when detail is not "". Its cause is ErrRequired.
func Required(path, detail string) *Error {
	msg := "missing"
	if detail != "" {
		msg += ": " + detail
	}
	return &Error{Path: path, Msg: msg, Err: ErrRequired}
}

// Duplicate returns an error for a value given twice where each must be
// unique: `PATH: VALUE is defined twice`. Its cause is ErrDuplicate.
func Duplicate(path string, value any) *Error {
	v := Quote(value)
	return &Error{Path: path, Value: v, Msg: v + " is defined twice", Err: ErrDuplicate}
}

// Unknown returns an error for a key the document may not have:
// `PATH: unknown field`, or `PATH: unknown field, expected EXPECTED` when
// expected is not "". Its cause is ErrUnknown.
func Unknown(path, expected string) *Error {
	msg := "unknown field"
	if expected != "" {
		msg += ", expected " + expected
	}
	return &Error{Path: path, Msg: msg, Err: ErrUnknown}
}

// Wrap returns err as an error in the field at path, for a library's
// error whose path is relative to path in the same document (placement's
// "cpu" in a task definition at "taskDefinition"): when err holds an
// *Error (errors.As), the result is that error Under path, and whatever
// wraps it (a package's "pkg: " prefix) is dropped; its cause is kept.
// Any other error becomes the message and the cause. Wrap(path, nil) is
// nil.
func Wrap(path string, err error) error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Under(path)
	}
	return &Error{Path: path, Msg: err.Error(), Err: err}
}

// Nest returns err as an error in the field at path, for a library's
// error about the value at path in the library's own terms (a schedule's
// "Timezone", a policy's "Alarm.Period"): the message is err's *Error
// printed whole, its path included, without the package prefix around
// it, and the cause is that *Error. Any other error becomes the message
// and the cause. Nest(path, nil) is nil.
//
//	services[0].scaling: policy "cpu": Alarm.Period: 7s, expected ...
func Nest(path string, err error) error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return &Error{Path: path, Msg: fe.Error(), Err: fe}
	}
	return &Error{Path: path, Msg: err.Error(), Err: err}
}

// Inner returns the *Error inside err (errors.As), without the package
// prefixes wrapped around it, for a message that nests it:
//
//	fielderr.Errorf("", "policy %q: %w", name, fielderr.Inner(err))
//
// It returns err itself when err holds no *Error.
func Inner(err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return err
}

// WithFile returns a copy of e in file, unless e already names one.
func (e *Error) WithFile(file string) *Error {
	c := *e
	if c.File == "" {
		c.File = file
	}
	return &c
}

// At returns a copy of e at line and column, unless e already has a
// line.
func (e *Error) At(line, column int) *Error {
	c := *e
	if c.Line == 0 {
		c.Line, c.Column = line, column
	}
	return &c
}

// Under returns a copy of e whose path is e's below parent: Under
// "services[2]" of "cpu" is "services[2].cpu", of "[0]" is
// "services[2][0]". An empty parent leaves the path unchanged.
func (e *Error) Under(parent string) *Error {
	c := *e
	c.Path = Join(parent, c.Path)
	return &c
}

// Join returns the path child below parent: "a" and "b" give "a.b", "a"
// and "[1]" give "a[1]", and either alone is itself.
func Join(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case child[0] == '[':
		return parent + child
	}
	return parent + "." + child
}

// Key returns the path of key in the object at path: "key" at the top,
// "path.key", or `path["odd key"]` for a key that is not a plain name
// (letters, digits, '_' and '-').
func Key(path, key string) string {
	if !isName(key) {
		return path + "[" + strconv.Quote(Shorten(key, MaxValue)) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index returns the path of element i of the array at path: "path[i]".
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

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

// Quote returns v as a message shows it: a string quoted (Go syntax) and
// shortened to MaxValue bytes, a fmt.Stringer's text, anything else as %v
// prints it.
func Quote(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(Shorten(v, MaxValue))
	case fmt.Stringer:
		return oneLine(v.String())
	}
	return oneLine(fmt.Sprint(v))
}

// Shorten cuts s to at most max bytes, at a rune boundary, marking the
// cut with "...", for quoting a value in a one-line message.
func Shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
