package linelimit

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		max  int
		want string // the error; "" for none
	}{
		{"short lines", strings.NewReader("ab\ncd\n"), 2, ""},
		{"last line without newline", strings.NewReader("ab\ncd"), 2, ""},
		{"long first line", strings.NewReader("abc\n"), 2, "line 1 is longer than the limit of 2 bytes"},
		{"long third line", strings.NewReader("a\nb\ncde"), 2, "line 3 is longer than the limit of 2 bytes"},
		{"endless", zeros{}, Max, "line 1 is longer than the limit of 1 MiB"},
		{"newlines in quotes", strings.NewReader("a,\"b\n\n\nc\"\n"), 5, "line 1 is longer than the limit of 5 bytes"},
		{"quotes closed", strings.NewReader("\"a\"\"\",b\nc\n"), 8, ""},
		{"lazy quote", strings.NewReader("a\"b\nc\nd\n"), 3, ""},
		{"lazy quote in quotes", strings.NewReader("\"a\"b\"\nc\n"), 5, ""},
		{"second record", strings.NewReader("a\n\"b\nccc\""), 5, "line 2 is longer than the limit of 5 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := io.Copy(io.Discard, New(tc.r, tc.max))
			var e *Error
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("read: %v, want no error", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.As(err, &e)):
				t.Errorf("read: %v, want *Error %s", err, tc.want)
			}
		})
	}
}
