package ecsimport

import (
	"bytes"
	"encoding/json"

	"github.com/berthsched/berth/internal/jsondoc"
)

// marshal writes v as indented JSON, readable and editable: an object's
// members one per line, and an array of numbers, strings or booleans (a
// metric series, a list of zones) on one line.
func marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	n, err := jsondoc.Parse(b, "scenario", jsondoc.Limits{MaxBytes: 1 << 30, MaxString: 1 << 20, MaxDepth: 100, MaxValues: 1 << 28})
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	write(&out, n, 0)
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func write(b *bytes.Buffer, n *jsondoc.Node, depth int) {
	switch n.Kind {
	case jsondoc.Object:
		if len(n.Members) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i := range n.Members {
			m := &n.Members[i]
			indent(b, depth+1)
			k, _ := json.Marshal(m.Key)
			b.Write(k)
			b.WriteString(": ")
			write(b, &m.Value, depth+1)
			if i < len(n.Members)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth)
		b.WriteByte('}')
	case jsondoc.Array:
		flat := true
		for i := range n.Elems {
			if k := n.Elems[i].Kind; k == jsondoc.Object || k == jsondoc.Array {
				flat = false
			}
		}
		if flat || len(n.Elems) == 0 {
			b.WriteByte('[')
			for i := range n.Elems {
				if i > 0 {
					b.WriteString(", ")
				}
				b.Write(n.Elems[i].AppendJSON(nil))
			}
			b.WriteByte(']')
			return
		}
		b.WriteString("[\n")
		for i := range n.Elems {
			indent(b, depth+1)
			write(b, &n.Elems[i], depth+1)
			if i < len(n.Elems)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth)
		b.WriteByte(']')
	default:
		b.Write(n.AppendJSON(nil))
	}
}

func indent(b *bytes.Buffer, depth int) {
	for range depth {
		b.WriteString("  ")
	}
}
