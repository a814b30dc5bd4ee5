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

// reference is the plain definition: every byte through the state
// machine; it returns the failing line, or 0.
func reference(data []byte, max int) int {
	line, start, width, st := 0, 0, 0, fieldStart
	for _, c := range data {
		if c == '\n' {
			line++
		}
		if st = st.next(c); st == fieldStart && c == '\n' {
			width, start = 0, line
			continue
		}
		if width++; width > max {
			return start + 1
		}
	}
	return 0
}

// FuzzReader: the fast path (newlines found with bytes.IndexByte outside
// quotes) fails exactly where the plain definition does, however the
// input is split into reads.
func FuzzReader(f *testing.F) {
	f.Add([]byte("a,\"b\n\nc\"\nd\n"), uint8(3), uint8(4))
	f.Add([]byte("x\"y\nzz\"\n\"\"\"\n"), uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, max, chunk uint8) {
		m := int(max%16) + 1
		want := reference(data, m)
		r := New(iotestChunks(data, int(chunk%7)+1), m)
		_, err := io.Copy(io.Discard, r)
		got := 0
		var e *Error
		if errors.As(err, &e) {
			got = e.Line
		} else if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("New(%q, %d): failed at line %d, want %d", data, m, got, want)
		}
	})
}

// iotestChunks reads data n bytes at a time.
func iotestChunks(data []byte, n int) io.Reader {
	return &chunks{data: data, n: n}
}

type chunks struct {
	data []byte
	n    int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[k:]
	return k, nil
}
