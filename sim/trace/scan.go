package trace

import "strconv"

// keyScan is what a scan of one JSON object line finds: which of Event's
// fields are present and the byte offsets of their keys and values.
type keyScan struct {
	present fieldSet
	keyOff  [nFields]int32
	valOff  [nFields]int32
}

// scan walks b, a syntactically valid JSON text, and records the
// top-level keys of the object it must be. It returns the 1-based column
// and a message for what encoding/json lets pass: a text that is not an
// object, an unknown key (keys match exactly, not case-insensitively), a
// key given twice, and a null anywhere (no field takes one). It does not
// allocate.
func (s *keyScan) scan(b []byte) (col int, msg string) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return i + 1, "expected a JSON object, found " + describeByte(b, i)
	}
	depth, expectKey, cur := 0, false, field(-1)
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			j := stringEnd(b, i)
			if depth != 1 || !expectKey {
				i = j
				continue
			}
			key := b[i+1 : j-1]
			f, ok := fieldByName[string(key)]
			if !ok {
				return i + 1, "unknown field " + strconv.Quote(string(key))
			}
			if s.present&(1<<f) != 0 {
				return i + 1, "field " + strconv.Quote(string(key)) + " appears twice"
			}
			v := skipSpace(b, j)
			v = skipSpace(b, v+1) // past the colon
			s.present |= 1 << f
			s.keyOff[f], s.valOff[f] = int32(i), int32(v)
			expectKey, cur = false, f
			i = v
			continue
		case '{', '[':
			depth++
			if depth == 1 {
				expectKey = true
			}
		case '}', ']':
			depth--
		case ',':
			if depth == 1 {
				expectKey = true
			}
		case 'n': // outside strings, only null starts with n
			if cur >= 0 {
				return i + 1, fieldNames[cur] + ": null is not a value: leave the field out instead"
			}
			return i + 1, "null is not a value"
		}
		i++
	}
	return 0, ""
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the string that
// starts at b[i].
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

func describeByte(b []byte, i int) string {
	if i >= len(b) {
		return "nothing"
	}
	switch b[i] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
