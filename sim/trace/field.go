package trace

import (
	"strconv"
	"strings"
)

// field numbers the fields of Event, in its order, for the per-kind
// tables and for error columns.
type field int

const (
	fTime field = iota
	fKind
	fTask
	fInstance
	fType
	fZone
	fCPU
	fMemory
	fGPUs
	fGPUMilli
	fGPUModel
	fGPUModels
	fGPUSpec
	fAttributes
	fPricePerHour
	fDuration
	fGroup
	fApp
	fMaxPerInstance
	fExitCode
	fScalars
	fUntimed
	fWait
	fReason
	fCPUUse
	nFields
)

// fieldNames are the JSON names, in the order of Event's fields (a test
// checks).
var fieldNames = [nFields]string{
	"time", "kind", "task", "instance", "type", "zone", "cpu", "memory",
	"gpus", "gpuMilli", "gpuModel", "gpuModels", "gpuSpec", "attributes",
	"pricePerHour", "duration", "group", "app", "maxPerInstance", "exitCode",
	"scalars", "untimed", "wait", "reason", "cpuUse",
}

var fieldTypes = [nFields]string{
	fTime: "a number of seconds", fKind: "a string", fTask: "a string",
	fInstance: "a string", fCPU: "an integer", fMemory: "an integer",
	fGPUs: "an integer", fGPUMilli: "an integer", fGPUModels: "an array of strings",
	fGPUSpec: "a string", fDuration: "a number of seconds", fGroup: "a string",
	fApp: "a string", fMaxPerInstance: "an integer", fExitCode: "an integer",
	fScalars: "an object of numbers", fUntimed: "a boolean", fType: "a string",
	fZone: "a string", fGPUModel: "a string", fAttributes: "an object of strings",
	fPricePerHour: "a number", fWait: "a number of seconds", fReason: "a string",
	fCPUUse: "an integer",
}

var fieldByName = func() map[string]field {
	m := make(map[string]field, nFields)
	for f, name := range fieldNames {
		m[name] = field(f)
	}
	return m
}()

type fieldSet uint32

func set(fs ...field) fieldSet {
	var s fieldSet
	for _, f := range fs {
		s |= 1 << f
	}
	return s
}

// kindSpec says which fields a kind allows and which it requires (time
// and kind are always required).
type kindSpec struct{ allowed, required fieldSet }

var kindSpecs = map[Kind]kindSpec{
	KindSubmit: {
		allowed: set(fTask, fCPU, fMemory, fGPUs, fGPUMilli, fGPUModels, fGPUSpec, fDuration,
			fGroup, fApp, fMaxPerInstance, fExitCode, fScalars, fUntimed, fCPUUse),
		required: set(fTask),
	},
	KindInstanceAdd: {
		allowed:  set(fInstance, fType, fZone, fCPU, fMemory, fGPUs, fGPUModel, fAttributes, fPricePerHour),
		required: set(fInstance),
	},
	KindInstanceFail:       {allowed: set(fInstance, fReason), required: set(fInstance)},
	KindInstanceDrain:      {allowed: set(fInstance, fReason), required: set(fInstance)},
	KindInstanceDeregister: {allowed: set(fInstance, fReason), required: set(fInstance)},
	KindPlace:              {allowed: set(fTask, fInstance, fWait), required: set(fTask, fInstance)},
	KindUnplaced:           {allowed: set(fTask, fReason), required: set(fTask, fReason)},
	KindStart:              {allowed: set(fTask, fInstance), required: set(fTask, fInstance)},
	KindStop:               {allowed: set(fTask, fInstance, fReason), required: set(fTask, fReason)},
	KindFinish:             {allowed: set(fTask, fInstance, fExitCode, fReason), required: set(fTask)},
}

const (
	msgNotAllowed = "is not a field of kind"
	msgMissing    = "is missing"
	msgEmpty      = "is empty: leave the field out instead"
)

// fieldMsg joins a field name and a message about it.
func fieldMsg(f field, msg string) string {
	if f < 0 {
		return msg
	}
	return fieldNames[f] + " " + msg
}

// nonZero returns the fields of e that are not zero, the ones WriteEvent
// writes.
func (e *Event) nonZero() fieldSet {
	var s fieldSet
	add := func(f field, nz bool) {
		if nz {
			s |= 1 << f
		}
	}
	add(fTime, true)
	add(fKind, true)
	add(fTask, e.TaskID != "")
	add(fInstance, e.InstanceID != "")
	add(fCPU, e.CPU != 0)
	add(fMemory, e.MemoryMiB != 0)
	add(fGPUs, e.GPUs != 0)
	add(fGPUMilli, e.GPUMilli != 0)
	add(fGPUModels, len(e.GPUModels) > 0)
	add(fGPUSpec, e.GPUSpec != "")
	add(fDuration, e.Duration != 0)
	add(fGroup, e.Group != "")
	add(fApp, e.App != "")
	add(fMaxPerInstance, e.MaxPerInstance != 0)
	add(fExitCode, e.ExitCode != 0)
	add(fScalars, len(e.Scalars) > 0)
	add(fUntimed, e.Untimed)
	add(fType, e.Type != "")
	add(fZone, e.Zone != "")
	add(fGPUModel, e.GPUModel != "")
	add(fAttributes, len(e.Attributes) > 0)
	add(fPricePerHour, e.PricePerHour != 0)
	add(fWait, e.Wait != 0)
	add(fReason, e.Reason != "")
	add(fCPUUse, e.CPUUse != 0)
	return s
}

// validate checks e, whose present fields are present, and returns the
// offending field (-1 for none in particular) and what is wrong with it,
// or "" when e is valid.
func (e *Event) validate(present fieldSet) (field, string) {
	if present&(1<<fKind) == 0 {
		return fKind, msgMissing
	}
	spec, ok := kindSpecs[e.Kind]
	if !ok {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		return fKind, strconv.Quote(string(e.Kind)) + " is not one of " + strings.Join(names, ", ")
	}
	if present&(1<<fTime) == 0 {
		return fTime, msgMissing
	}
	if !finite(e.Time) || e.Time > maxSeconds {
		return fTime, formatFloat(e.Time) + " is out of range, expected 0 to 292 years in seconds"
	}
	for f := fTask; f < nFields; f++ {
		switch {
		case present&(1<<f) != 0 && spec.allowed&(1<<f) == 0:
			return f, msgNotAllowed
		case present&(1<<f) == 0 && spec.required&(1<<f) != 0:
			return f, msgMissing
		}
	}
	return e.validateValues(present)
}

// validateValues checks the values of the present fields, in field
// order, so that the first wrong field is the one reported.
func (e *Event) validateValues(present fieldSet) (field, string) {
	has := func(f field) bool { return present&(1<<f) != 0 }
	strs := [nFields]string{fTask: e.TaskID, fInstance: e.InstanceID, fGPUSpec: e.GPUSpec,
		fGroup: e.Group, fApp: e.App, fType: e.Type, fZone: e.Zone, fGPUModel: e.GPUModel, fReason: e.Reason}
	ints := [nFields]int64{fCPU: e.CPU, fMemory: e.MemoryMiB, fGPUs: int64(e.GPUs), fMaxPerInstance: int64(e.MaxPerInstance), fCPUUse: e.CPUUse}
	nums := [nFields]float64{fDuration: e.Duration, fPricePerHour: e.PricePerHour, fWait: e.Wait}
	for f := fTask; f < nFields; f++ {
		if !has(f) {
			continue
		}
		switch f {
		case fTask, fInstance, fGPUSpec, fGroup, fApp, fType, fZone, fGPUModel, fReason:
			if strs[f] == "" {
				return f, msgEmpty
			}
		case fCPU, fMemory, fGPUs, fMaxPerInstance, fCPUUse:
			if ints[f] < 0 {
				return f, strconv.FormatInt(ints[f], 10) + " is negative"
			}
			if f == fGPUs && ints[f] > maxInt {
				return f, strconv.FormatInt(ints[f], 10) + " is too large"
			}
			if f == fGPUs && e.Kind == KindInstanceAdd && ints[f] > MaxNodeGPUs {
				return f, strconv.FormatInt(ints[f], 10) + " is too many, expected at most " + strconv.Itoa(MaxNodeGPUs)
			}
		case fGPUMilli:
			if e.GPUMilli < 0 || e.GPUMilli > 1000 {
				return f, strconv.Itoa(e.GPUMilli) + " is out of range, expected 1 to 1000 (leave it out for whole GPUs)"
			}
			if e.GPUMilli > 0 && e.GPUs == 0 {
				return f, strconv.Itoa(e.GPUMilli) + " without gpus, expected gpus of 1 or more"
			}
		case fDuration, fPricePerHour, fWait:
			if v := nums[f]; !finite(v) || f != fPricePerHour && v > maxSeconds {
				return f, formatFloat(v) + " is out of range, expected a non-negative number"
			}
		case fGPUModels:
			if msg := checkModels(e.GPUModels); msg != "" {
				return f, msg
			}
		case fScalars:
			if msg := checkScalars(e.Scalars); msg != "" {
				return f, msg
			}
		case fAttributes:
			if len(e.Attributes) == 0 {
				return f, msgEmpty
			}
			if _, ok := e.Attributes[""]; ok {
				return f, "holds an empty attribute name"
			}
		}
	}
	return -1, ""
}

func checkModels(models []string) string {
	if len(models) == 0 {
		return msgEmpty
	}
	for i, m := range models {
		if m == "" {
			return "holds an empty model name"
		}
		if contains(models[:i], m) {
			return "holds " + strconv.Quote(m) + " twice"
		}
	}
	return ""
}

func checkScalars(scalars map[string]float64) string {
	if len(scalars) == 0 {
		return msgEmpty
	}
	for _, name := range sortedKeys(scalars) {
		if name == "" {
			return "holds an empty resource name"
		}
		if v := scalars[name]; !finite(v) {
			return strconv.Quote(name) + " " + formatFloat(v) + " is out of range, expected a non-negative number"
		}
	}
	return ""
}
