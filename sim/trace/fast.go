package trace

import "strconv"

// parseFlat decodes the common line, a flat object of strings, numbers
// and booleans, without building a JSON tree, filling e and s as
// parseEvent does. It reports false for anything else: nesting, nulls,
// escapes, bytes outside printable ASCII, unusual spacing, an unknown or
// repeated key, a value of the wrong type, a number the full decoder
// would reject, a line that does not validate. parseEvent then reads the
// line the full way, which finds the same event or the error to report;
// so the fast path only needs to be right when it says true.
func parseFlat(b []byte, e *Event, s *keyScan) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return false // an empty object: let the full path say so
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		k := i
		j, ok := plainString(b, i)
		if !ok {
			return false
		}
		f, known := fieldByName[string(b[i+1:j-1])]
		if !known || s.present&(1<<f) != 0 {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		v := skipSpace(b, i+1)
		s.present |= 1 << f
		s.keyOff[f], s.valOff[f] = int32(k), int32(v)
		if i, ok = flatValue(b, v, f, e); !ok {
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
	if skipSpace(b, i+1) != len(b) {
		return false
	}
	_, msg := e.validate(s.present)
	return msg == ""
}

// plainString returns the index after the string starting at b[i], which
// must hold printable ASCII only, without escapes.
func plainString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return 0, false
		}
	}
	return 0, false
}

// flatValue decodes the value of field f at b[v] into e, returning the
// index after it.
func flatValue(b []byte, v int, f field, e *Event) (int, bool) {
	if v >= len(b) {
		return 0, false
	}
	if b[v] == '"' {
		end, ok := plainString(b, v)
		if !ok {
			return 0, false
		}
		if f == fKind {
			e.Kind = kindOf(b[v+1 : end-1])
			return end, true
		}
		return end, setString(e, f, string(b[v+1:end-1]))
	}
	if b[v] == 't' || b[v] == 'f' {
		if f != fUntimed {
			return 0, false
		}
		for _, w := range []string{"true", "false"} {
			if len(b)-v >= len(w) && string(b[v:v+len(w)]) == w {
				e.Untimed = w == "true"
				return v + len(w), true
			}
		}
		return 0, false
	}
	end := numberEnd(b, v)
	if end < 0 {
		return 0, false
	}
	return end, setNumber(e, f, string(b[v:end]))
}

// numberEnd returns the index after the JSON number at b[i], -1 when
// there is none.
func numberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || n > 1 && b[start] == '0' {
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return -1
		}
	}
	return i
}

// kinds are the kinds kindOf returns without allocating.
var kinds = []Kind{KindSubmit, KindInstanceAdd, KindInstanceFail, KindInstanceDrain, KindInstanceDeregister,
	KindPlace, KindUnplaced, KindStart, KindStop, KindFinish}

// kindOf returns the kind named raw: one of kinds, or a new string (which
// validation rejects).
func kindOf(raw []byte) Kind {
	for _, k := range kinds {
		if string(k) == string(raw) {
			return k
		}
	}
	return Kind(raw)
}

func setString(e *Event, f field, v string) bool {
	switch f {
	case fTask:
		e.TaskID = v
	case fInstance:
		e.InstanceID = v
	case fType:
		e.Type = v
	case fZone:
		e.Zone = v
	case fGPUModel:
		e.GPUModel = v
	case fGPUSpec:
		e.GPUSpec = v
	case fGroup:
		e.Group = v
	case fApp:
		e.App = v
	case fReason:
		e.Reason = v
	default:
		return false
	}
	return true
}

// setNumber sets a number field as the full decoder does: integers with
// strconv.ParseInt, others with strconv.ParseFloat; anything either
// rejects goes the full way, for its message.
func setNumber(e *Event, f field, text string) bool {
	var fp *float64
	switch f {
	case fTime:
		fp = &e.Time
	case fPricePerHour:
		fp = &e.PricePerHour
	case fDuration:
		fp = &e.Duration
	case fWait:
		fp = &e.Wait
	}
	if fp != nil {
		x, err := strconv.ParseFloat(text, 64)
		*fp = x
		return err == nil
	}
	var ip *int64
	var n *int
	switch f {
	case fCPU:
		ip = &e.CPU
	case fMemory:
		ip = &e.MemoryMiB
	case fCPUUse:
		ip = &e.CPUUse
	case fGPUs:
		n = &e.GPUs
	case fGPUMilli:
		n = &e.GPUMilli
	case fMaxPerInstance:
		n = &e.MaxPerInstance
	case fExitCode:
		n = &e.ExitCode
	default:
		return false
	}
	if ip != nil {
		x, err := strconv.ParseInt(text, 10, 64)
		*ip = x
		return err == nil
	}
	x, err := strconv.ParseInt(text, 10, strconv.IntSize)
	*n = int(x)
	return err == nil
}
