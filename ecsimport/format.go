package ecsimport

// indent writes b, the compact output of encoding/json, as indented
// JSON, readable and editable: an object's members one per line, and an
// array of numbers, strings or booleans (a metric series, a list of zones)
// on one line. It indents in one pass, without reading b back.
func indent(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/2)
	// flat[d] says the container at depth d is an array printed on one line.
	var flat []bool
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '"':
			j := stringEnd(b, i)
			out = append(out, b[i:j]...)
			i = j - 1
		case '{', '[':
			if b[i+1] == '}' || b[i+1] == ']' {
				out = append(out, c, b[i+1])
				i++
				continue
			}
			f := c == '[' && scalarArray(b, i)
			flat = append(flat, f)
			out = append(out, c)
			if !f {
				out = newline(out, len(flat))
			}
		case '}', ']':
			f := flat[len(flat)-1]
			flat = flat[:len(flat)-1]
			if !f {
				out = newline(out, len(flat))
			}
			out = append(out, c)
		case ',':
			if flat[len(flat)-1] {
				out = append(out, ',', ' ')
			} else {
				out = append(out, ',')
				out = newline(out, len(flat))
			}
		case ':':
			out = append(out, ':', ' ')
		default:
			out = append(out, c)
		}
	}
	return append(out, '\n')
}

// stringEnd returns the index after the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// scalarArray reports whether the array at b[i] holds no object or
// array.
func scalarArray(b []byte, i int) bool {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			j = stringEnd(b, j) - 1
		case '{', '[':
			return false
		case ']':
			return true
		}
	}
	return true
}

func newline(out []byte, depth int) []byte {
	out = append(out, '\n')
	for range depth {
		out = append(out, ' ', ' ')
	}
	return out
}
