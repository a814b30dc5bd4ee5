package fielderr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestError(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"everything", &Error{File: "s.json", Line: 3, Column: 7, Path: "fleet.count", Msg: "expected an integer"}, "s.json:3:7: fleet.count: expected an integer"},
		{"no position", &Error{File: "s.json", Path: "fleet.count", Msg: "m"}, "s.json: fleet.count: m"},
		{"line without column", &Error{File: "a.csv", Line: 4, Path: "cpu_milli", Msg: "m"}, "a.csv:4: cpu_milli: m"},
		{"no file", &Error{Line: 1, Column: 2, Msg: "m"}, "1:2: m"},
		{"path only", &Error{Path: "a[0]", Msg: "m"}, "a[0]: m"},
		{"message only", &Error{Msg: "empty document"}, "empty document"},
		{"column without line", &Error{Column: 9, Msg: "m"}, "m"},
		{"newline escaped", &Error{File: "a\nb", Msg: "x\ry"}, `a\nb: x\ry`},
		{"invalid", Invalid("networkMode", "host", "bridge or awsvpc"), `networkMode: "host", expected bridge or awsvpc`},
		{"invalid long", Invalid("p", strings.Repeat("x", 50), "y"), `p: "` + strings.Repeat("x", 40) + `...", expected y`},
		{"wrong", Wrong("startDelay", -5*time.Second, "is negative"), "startDelay: -5s is negative"},
		{"required", Required("family", ""), "family: missing"},
		{"required detail", Required("enis", "give one"), "enis: missing: give one"},
		{"duplicate", Duplicate("services[1].name", "web"), `services[1].name: "web" is defined twice`},
		{"unknown", Unknown("fleet.cunt", ""), "fleet.cunt: unknown field"},
		{"unknown expected", Unknown("x", "a or b"), "x: unknown field, expected a or b"},
		{"errorf wraps", Errorf("p", "memberOf expression: %w", cause), "p: memberOf expression: cause"},
		{"under", Required("cpu", "").Under("services[2]"), "services[2].cpu: missing"},
		{"under index", Required("[0]", "").Under("a"), "a[0]: missing"},
		{"under empty path", Errorf("", "m").Under("a.b"), "a.b: m"},
		{"with file and at", Errorf("p", "m").WithFile("f").At(2, 3), "f:2:3: p: m"},
		{"with file keeps the first", Errorf("p", "m").WithFile("inner").WithFile("outer"), "inner: p: m"},
		{"at keeps the first", Errorf("p", "m").At(1, 1).At(9, 9), "1:1: p: m"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestErrorfKeepsCause(t *testing.T) {
	cause := errors.New("cause")
	if err := Errorf("p", "x: %w", cause); !errors.Is(err, cause) {
		t.Errorf("Errorf(%%w) = %v, does not wrap its cause", err)
	}
	if err := Errorf("p", "x"); err.Err != nil {
		t.Errorf("Errorf without %%w has cause %v, want nil", err.Err)
	}
	for _, err := range []error{Required("a", ""), Duplicate("a", 1), Unknown("a", "")} {
		var want error
		switch {
		case strings.Contains(err.Error(), "missing"):
			want = ErrRequired
		case strings.Contains(err.Error(), "twice"):
			want = ErrDuplicate
		default:
			want = ErrUnknown
		}
		if !errors.Is(err, want) {
			t.Errorf("%v is not %v", err, want)
		}
	}
}

func TestWrap(t *testing.T) {
	cause := errors.New("bad field")
	inner := Errorf("field", "%w", cause)
	tests := []struct {
		name string
		err  error
		want *Error
	}{
		{"field error under a prefix", fmt.Errorf("placement: %w", inner), &Error{Path: "a[1].field", Msg: "bad field", Err: cause}},
		{"plain error", cause, &Error{Path: "a[1]", Msg: "bad field", Err: cause}},
	}
	for _, tt := range tests {
		got, ok := Wrap("a[1]", tt.err).(*Error)
		if !ok {
			t.Fatalf("%s: Wrap returned %T, want *Error", tt.name, got)
		}
		if diff := cmp.Diff(*tt.want, *got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("%s: Wrap mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	nested := Nest("a[1]", fmt.Errorf("autoscale: %w", inner))
	if got, want := nested.Error(), "a[1]: field: bad field"; got != want {
		t.Errorf("Nest(a[1], prefixed field error) = %q, want %q", got, want)
	}
	if !errors.Is(nested, cause) {
		t.Errorf("Nest(...) = %v does not keep the cause", nested)
	}
	if got, want := Nest("a", cause).Error(), "a: bad field"; got != want {
		t.Errorf("Nest(a, plain error) = %q, want %q", got, want)
	}
	if Wrap("a", nil) != nil || Nest("a", nil) != nil {
		t.Error("Wrap or Nest (a, nil) is not nil")
	}
	if inner.Path != "field" {
		t.Errorf("Wrap changed its argument: path %q", inner.Path)
	}
}

func TestPaths(t *testing.T) {
	tests := []struct{ got, want string }{
		{Key("", "fleet"), "fleet"},
		{Key("fleet", "count"), "fleet.count"},
		{Key("tags", "a b"), `tags["a b"]`},
		{Key("", ""), `[""]`},
		{Index("services", 2), "services[2]"},
		{Join("", "a"), "a"},
		{Join("a", ""), "a"},
		{Join("a", "b.c"), "a.b.c"},
		{Join("a", "[3].b"), "a[3].b"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

// TestOneLine: whatever a document holds, and whatever the levels above
// add, the message is one line.
func TestOneLine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String()
		e := &Error{
			File:   s.Draw(t, "file"),
			Line:   rapid.IntRange(0, 1e6).Draw(t, "line"),
			Column: rapid.IntRange(0, 1e6).Draw(t, "column"),
			Path:   s.Draw(t, "path"),
			Msg:    s.Draw(t, "msg"),
		}
		v := s.Draw(t, "value")
		for _, err := range []error{e, Invalid(e.Path, v, e.Msg), Wrong(e.Path, v, e.Msg), Duplicate(e.Path, v),
			Required(e.Path, e.Msg), Unknown(e.Path, e.Msg), Errorf(e.Path, "%s", v).Under(e.Path).WithFile(e.File),
			Wrap(e.Path, errors.New(v))} {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r\u2028\u2029\u0085") {
				t.Fatalf("Error() = %q has a line break", msg)
			}
		}
	})
}
