package cql

import (
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"

	"github.com/google/go-cmp/cmp"
)

// badExprs are rejected expressions, one per kind of error; their
// messages and carets are in testdata/errors.golden.
var badExprs = []string{
	// Syntax.
	"",
	"   ",
	"attribute:ecs.os-type in []",
	"attribute:ecs.os-type in [linux, ]",
	"attribute:ecs.os-type in [linux windows]",
	"attribute:ecs.os-type in [linux",
	"attribute:ecs.os-type == [linux]",
	"attribute:ecs.os-type ==",
	"attribute:ecs.os-type = linux",
	"attribute:ecs.os-type linux",
	"attribute:ecs.os-type",
	"attribute:stack empty",
	"attribute:stack == prod AND attribute:zone exists",
	"attribute:stack == prod attribute:zone exists",
	"attribute:stack == prod &",
	"attribute:stack == prod and",
	"(attribute:stack == prod",
	"(attribute:stack == prod or\n attribute:zone exists",
	"(attribute:stack == prod attribute:zone exists)",
	"attribute:stack == prod)",
	"not",
	"not()",
	"== prod",
	"'attribute:stack' == prod",
	"attribute:stack == 'prod",
	"attribute:stack == 'pr\nod'",
	"attribute:stack == and",
	"attribute:stack in [a, in]",
	"attribute:stack == prod\n  and task:group ~= web",
	"attribute:stack ==\tprod\n\tand\tattribute: exists",
	"attribute:ecs.instance-type == \"t2.small\" and agentConnected == yes",
	// Subjects and operators.
	"attr:stack == prod",
	"agentconnected == true",
	"attribute: == x",
	"attribute:st@ck == x",
	"ec2InstanceId > i-1",
	"runningTasksCount =~ 1.*",
	"task:group < web",
	"agentVersion in [1.2.3]",
	"agentConnected exists",
	// Values.
	"runningTasksCount == one",
	"runningTasksCount > 1.5",
	"agentVersion < 1.14.x",
	"agentVersion < v1.14.5",
	"agentVersion < 1.2.3.4.5",
	"registeredAt < 2018-02-30",
	"registeredAt < 13/02/2018",
	"registeredAt < '2018-06-18 22:28:28'",
	"agentConnected == yes",
	"agentConnected in [true, TRUE]",
	"attribute:x =~ 'a(?=b)'",
	"attribute:x =~ '(a)\\1'",
	"attribute:x !~ 'a{1001}'",
	"ec2InstanceId =~ 'é' or ec2InstanceId =~ 'é('",
	// Limits.
	strings.Repeat("(", MaxDepth+1) + "attribute:x exists" + strings.Repeat(")", MaxDepth+1),
	strings.Repeat("not ", MaxDepth+1) + "attribute:x exists",
	"attribute:x == " + strings.Repeat("v", MaxLength),
}

func TestErrorsGolden(t *testing.T) {
	var b strings.Builder
	for _, src := range badExprs {
		e, err := Parse(src)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want an error", src, e)
			continue
		}
		var ce *Error
		if !asError(err, &ce) {
			t.Errorf("Parse(%q) error %T, want *Error", src, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) error %q spans lines", src, err)
		}
		show := src
		if len(show) > 120 {
			show = show[:60] + "..." + show[len(show)-20:]
		}
		b.WriteString("== " + strconv.Quote(show) + "\n" + err.Error() + "\n")
		if len(src) <= 120 {
			b.WriteString(ce.Caret() + "\n")
		}
		b.WriteString("\n")
	}
	golden.Check(t, "errors.golden", b.String())
}

func TestErrorPosAndCaret(t *testing.T) {
	tests := []struct {
		name      string
		err       Error
		line, col int
		caret     string
	}{
		{"first byte", Error{Src: "abc", Offset: 0}, 1, 1, "abc\n^"},
		{"middle", Error{Src: "abc def", Offset: 4}, 1, 5, "abc def\n    ^"},
		{"end of input", Error{Src: "abc", Offset: 3}, 1, 4, "abc\n   ^"},
		{"second line", Error{Src: "abc\n de\nfg", Offset: 6}, 2, 3, " de\n  ^"},
		{"start of a line", Error{Src: "abc\nde", Offset: 4}, 2, 1, "de\n^"},
		{"on the newline", Error{Src: "abc\nde", Offset: 3}, 1, 4, "abc\n   ^"},
		{"tabs kept", Error{Src: "\ta\tb", Offset: 3}, 1, 4, "\ta\tb\n\t \t^"},
		{"carriage return dropped", Error{Src: "ab\r\ncd", Offset: 1}, 1, 2, "ab\n ^"},
		// The column counts bytes; the caret counts characters.
		{"multi-byte", Error{Src: "é == x", Offset: 3}, 1, 4, "é == x\n  ^"},
		{"offset clamped", Error{Src: "ab", Offset: 9}, 1, 3, "ab\n  ^"},
		{"empty source", Error{Src: "", Offset: 0}, 1, 1, "\n^"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col := tt.err.Pos()
			if line != tt.line || col != tt.col {
				t.Errorf("Pos() = %d, %d, want %d, %d", line, col, tt.line, tt.col)
			}
			if diff := cmp.Diff(tt.caret, tt.err.Caret()); diff != "" {
				t.Errorf("Caret() (-want +got):\n%s", diff)
			}
		})
	}
}

// TestErrorFormat pins the format the issue gives as its example.
func TestErrorFormat(t *testing.T) {
	_, err := Parse("attribute:ecs.os-type in []")
	want := `cql: 1:27: expected value after "in", found "]"`
	if err == nil || err.Error() != want {
		t.Fatalf("Parse error = %v, want %s", err, want)
	}
	var ce *Error
	if !asError(err, &ce) {
		t.Fatalf("error is %T, want *Error", err)
	}
	want2 := Error{Src: "attribute:ecs.os-type in []", Offset: 26, Msg: `expected value after "in", found "]"`}
	if diff := cmp.Diff(want2, *ce); diff != "" {
		t.Errorf("*Error (-want +got):\n%s", diff)
	}
}
