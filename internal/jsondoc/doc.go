// Package jsondoc reads JSON documents strictly and within bounds: the one
// reader behind every JSON document berth accepts (scenarios, ECS JSON,
// Application Auto Scaling documents, native trace lines).
//
// Strict means:
//
//   - Object keys are matched exactly, case included, when decoding into a
//     struct (Decode): "ratePerhour" is an unknown field, not ratePerHour.
//   - A key given twice in one object is an error, at the second key.
//   - One document per input; anything but white space after it is an
//     error. An empty input is the error "empty document".
//   - A leading UTF-8 byte order mark (EF BB BF), which some Windows
//     editors write, is skipped (RFC 8259 section 8.1 lets a parser ignore
//     it); a byte order mark anywhere else is invalid JSON.
//
// Bounded means that no input can make a reader allocate or work more than
// its limits allow, however long it is or claims to be (Limits):
//
//   - MaxBytes caps the document (DefaultLimits: 64 MiB; ecsjson allows
//     4 GiB for a snapshot, which it streams one instance or task at a
//     time);
//   - MaxString caps one string or number, escapes counted as written
//     (1 MiB);
//   - MaxDepth caps the nesting of arrays and objects (100);
//   - MaxValues caps the values of one tree (1 Mi), so that a document of
//     tiny values ("[0,0,0,...") cannot make a tree tens of times its size.
//
// Each limit is checked before the memory it guards is allocated, so an
// endless input (/dev/zero, "[[[[..." without end, one endless string)
// stops with a one-line error naming the file and the limit.
//
// A reader that needs a few members of many large objects (the tasks of
// a describe-tasks output) parses with a Filter (Parser.ParseFiltered):
// what the filter drops is read as strictly, with the same errors, but
// builds no tree.
//
// Errors are *fielderr.Error values: one line, "file:line:col: path:
// message", the position being that of the offending key (for a wrong or
// unknown member) or value, the path a JSON path such as
// fleet.pools[2].count, and the message saying what was expected and what
// was found, in JSON's words ("expected an integer, found \"4096\""),
// never Go's. A key given twice has the cause fielderr.ErrDuplicate, an
// unknown key fielderr.ErrUnknown, each with the key as the Value. Errors
// carry no package prefix: callers add theirs, once.
//
// A Node tree is immutable once read. A Reader is not safe for concurrent
// use.
package jsondoc
