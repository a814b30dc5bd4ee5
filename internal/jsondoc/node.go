package jsondoc

// Pos is a position in a document: 1-based line and byte column. The zero
// Pos means no position.
type Pos struct{ Line, Col int }

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
