// Package fielderr is berth's error for "this field of this document is
// wrong": one type, *Error, that every reader and validator of a document
// (a scenario, an ECS JSON document, an Application Auto Scaling
// document, a trace file) returns, so that a caller locates any such
// error the same way, and a message names the file, the position, the
// field's path, the value and what was expected:
//
//	scenario.json:12:7: services[2].taskDefinition.cpu: expected an integer, found "lots"
//
// # Building an error where it arises
//
// An error is built by the code that finds it, with the field's path
// relative to what that code was given: Invalid, Wrong, Required,
// Duplicate and Unknown for the common cases, Errorf for the rest (its %w
// verb keeps a typed cause, such as a *cql.Error, for errors.As). As the
// error travels up, each level adds what it knows, on a copy: Under adds
// the outer path ("services[2]" above "taskDefinition.cpu"), WithFile the
// document's name, At the line and column. Wrap and Nest do the same for
// an error from a library: they find the *Error inside (errors.As) and
// drop the library's "pkg: " prefix around it; Wrap joins its path to
// the document's (the library names the document's own keys), Nest keeps
// it in the message (the library speaks its own terms).
//
// Paths are JSON-style (Key, Index and Join build them): object keys
// joined with '.', array elements as [i], an odd key quoted as
// ["odd key"]; a CSV file's error uses the column's name.
//
// # Printing and inspecting
//
// Error prints one line, "FILE:LINE:COL: PATH: MESSAGE", leaving out
// the parts that are unknown, and never a line break (a value is quoted,
// and any line break left is escaped). It has no package prefix: the
// program (berth's CLI prints "berth COMMAND: " before it) or a package's
// exported entry point adds a prefix once. A Go caller reads the parts
// with errors.As:
//
//	var fe *fielderr.Error
//	if errors.As(err, &fe) {
//		fmt.Println(fe.File, fe.Line, fe.Path)
//	}
//	var ce *cql.Error
//	if errors.As(err, &ce) { // a memberOf expression's syntax error
//		fmt.Println(ce.Caret())
//	}
//
// and tests the kind with errors.Is against ErrRequired, ErrDuplicate
// and ErrUnknown.
//
// An *Error is immutable once returned and safe for concurrent use.
// This package imports nothing of berth.
package fielderr
