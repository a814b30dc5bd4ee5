package jsondoc

import (
	"errors"
	"strconv"
	"strings"
)

// Pos is a position in a document: 1-based line and byte column. The zero
// Pos means no position.
type Pos struct{ Line, Col int }

// Error is an error in a document. Its message is one line:
// "file:line:col: path: message", leaving out what is unknown.
type Error struct {
	File string
	Pos  Pos
	// Path is the JSON path of the offending value, such as
	// "fleet.pools[2].count"; "" for the document itself.
	Path string
	// Msg says what is wrong: what was expected and what was found.
	Msg string
	// Key is the key given twice, when Err is ErrDuplicateKey.
	Key string
	// Err is the underlying cause, if any (a read error, the error of a
	// json.Unmarshaler, or ErrDuplicateKey).
	Err error
}

// ErrDuplicateKey is the cause of an error about a key given twice in one
// object.
var ErrDuplicateKey = errors.New("duplicate key")

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Pos.Line) + ":" + strconv.Itoa(e.Pos.Col))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// Node is a JSON value read from a document, with its position.
type Node struct {
	Kind Kind
	Pos  Pos
	// Text is a string's value, a number's literal as written, or "true"
	// or "false".
	Text    string
	Elems   []Node   // an array's elements
	Members []Member // an object's members, in document order
}

// Member is a member of an object.
type Member struct {
	Key    string
	KeyPos Pos
	Value  Node
}

// Get returns the value of key in an object, or nil.
func (n *Node) Get(key string) *Node {
	for i := range n.Members {
		if n.Members[i].Key == key {
			return &n.Members[i].Value
		}
	}
	return nil
}
