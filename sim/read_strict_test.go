package sim

import (
	"testing"
)

// zeros is an endless input, as /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// An endless line in a load trace is an error at the limit, not an
// endless allocation.
func TestReadLoadTraceEndlessLine(t *testing.T) {
	_, err := readLoadTrace(zeros{}, "load.csv", "")
	if want := "load.csv: line 1 is longer than the limit of 1 MiB"; err == nil || err.Error() != want {
		t.Errorf("readLoadTrace(endless zeros) = %v, want %s", err, want)
	}
}
