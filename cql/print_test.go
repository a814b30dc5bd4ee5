package cql

import (
	"strconv"
	"strings"
	"testing"

	"github.com/berthsched/berth/internal/golden"

	"github.com/google/go-cmp/cmp"
)

// goodExprs are accepted expressions whose canonical forms are in
// testdata/canonical.golden.
var goodExprs = []string{
	"attribute:ecs.instance-type == t2.small",
	"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
	"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
	"task:group == service:production",
	"not(task:group == database)",
	"runningTasksCount == 1",
	"agentVersion < 1.14.5",
	"registeredAt < 2018-02-13",
	"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
	"attribute:ecs.instance-type==t2.small&&attribute:stack!=prod||!attribute:x!exists",
	"attribute:a equals b and attribute:c not_equals d or attribute:e not_in [f] and attribute:g matches h",
	"runningTasksCount greater_than 1 and runningTasksCount greater_than_equal 2 and agentVersion less_than 1.2 and agentVersion less_than_equal 1.3",
	"attribute:x not_matches y or attribute:x not_exists or attribute:x exists",
	"(attribute:a exists or attribute:b exists) and (attribute:c exists or attribute:d exists)",
	"((attribute:a exists and attribute:b exists)) or (attribute:c exists)",
	"not (attribute:a exists and attribute:b exists)",
	"!!attribute:a exists",
	"not not(attribute:a exists or attribute:b exists)",
	"attribute:x in single",
	"attribute:x !in[a,a,b]",
	"attribute:x == 'with space'",
	"attribute:x == \"it's\"",
	"attribute:x == 'and'",
	"attribute:x == ''",
	"attribute:x == 'a=b'",
	"attribute:x =~ '[0-9]+(\\.[0-9]+)?'",
	"attribute:x =~ ^t2\\..*$",
	"registeredAt >= 2018-06-18T22:28:28+00:00 and registeredAt <= 2018-06-18T22:28:28Z and registeredAt != 2018-06-18T22:28:28",
	"agentConnected == false",
	"agentConnected in ['true']",
	"ec2InstanceId =~ 'i-0[a-f]+'",
	"task:group exists and task:group !exists",
	"attribute:ecs.os-family == WINDOWS_SERVER_2019_FULL",
	"attribute:path\\with\\backslash == C:\\dir/sub",
	"attribute:x == é",
	"attribute:a exists\nand\tattribute:b exists",
}

func TestStringGolden(t *testing.T) {
	var b strings.Builder
	for _, src := range goodExprs {
		e := mustParse(t, src)
		s := e.String()
		again := mustParse(t, s)
		if !again.Equal(e) {
			t.Errorf("Parse(%q).String() = %q, which parses to %s, want %s", src, s, dump(again.root), dump(e.root))
		}
		if s2 := again.String(); s2 != s {
			t.Errorf("String is not a fixed point: %q then %q", s, s2)
		}
		b.WriteString(strconv.Quote(src) + "\n\t" + s + "\n")
	}
	golden.Check(t, "canonical.golden", b.String())
}

func TestUsesAndAttributes(t *testing.T) {
	tests := []struct {
		src   string
		uses  Uses
		attrs []string
	}{
		{"attribute:b exists and attribute:a == x or not(attribute:b == y)", UsesAttribute, []string{"a", "b"}},
		{"task:group == web", UsesTaskGroup, nil},
		{"agentConnected == true", UsesAgentConnected, nil},
		{"agentVersion > 1", UsesAgentVersion, nil},
		{"ec2InstanceId == i-1", UsesEC2InstanceID, nil},
		{"registeredAt > 2018-01-01", UsesRegisteredAt, nil},
		{"runningTasksCount > 1", UsesRunningTasksCount, nil},
		{"attribute:z exists or runningTasksCount == 0 and task:group !exists",
			UsesAttribute | UsesRunningTasksCount | UsesTaskGroup, []string{"z"}},
	}
	for _, tt := range tests {
		e := mustParse(t, tt.src)
		if got := e.Uses(); got != tt.uses {
			t.Errorf("Parse(%q).Uses() = %07b, want %07b", tt.src, got, tt.uses)
		}
		if diff := cmp.Diff(tt.attrs, e.Attributes()); diff != "" {
			t.Errorf("Parse(%q).Attributes() (-want +got):\n%s", tt.src, diff)
		}
	}
	// Attributes returns a fresh slice.
	e := mustParse(t, "attribute:a exists")
	e.Attributes()[0] = "changed"
	if got := e.Attributes(); got[0] != "a" {
		t.Errorf("Attributes() after modifying a previous result = %v, want [a]", got)
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"attribute:a == b", "attribute:a equals 'b'", true},
		{"attribute:a == b", "attribute:a != b", false},
		{"attribute:a == b", "attribute:a == c", false},
		{"attribute:a == b", "attribute:c == b", false},
		{"attribute:a in [b]", "attribute:a in b", true},
		{"attribute:a in [b, c]", "attribute:a in [c, b]", false},
		{"task:group == b", "ec2InstanceId == b", false},
		{"not(attribute:a exists)", "!attribute:a exists", true},
		{"attribute:a exists and attribute:b exists", "attribute:a exists or attribute:b exists", false},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.a).Equal(mustParse(t, tt.b)); got != tt.want {
			t.Errorf("Parse(%q).Equal(Parse(%q)) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	// go-cmp uses the Equal method, so values holding an *Expr compare.
	type constraint struct{ Expr *Expr }
	x := constraint{mustParse(t, "attribute:a == b")}
	y := constraint{mustParse(t, "attribute:a equals b")}
	if diff := cmp.Diff(x, y); diff != "" {
		t.Errorf("cmp.Diff of equal expressions (-x +y):\n%s", diff)
	}
}

// TestStringOfCompactSourceAtTheLimit checks the canonical form of
// sources close to MaxLength: the spaced form would be longer than the
// limit, so String prints the compact form, which parses back to an equal
// tree and is no longer than the source.
func TestStringOfCompactSourceAtTheLimit(t *testing.T) {
	fill := func(unit, last string) string {
		src := strings.Repeat(unit, (MaxLength-len(last))/len(unit)) + last
		if len(src) > MaxLength {
			t.Fatalf("source is %d bytes, want at most %d", len(src), MaxLength)
		}
		return src
	}
	tests := []struct {
		name, src, wantPrefix string
	}{
		{"and chain", fill("runningTasksCount==1&&", "runningTasksCount==1"), "runningTasksCount==1&&runningTasksCount==1&&"},
		{"word operators", fill("attribute:a in b and ", "attribute:a exists"), "attribute:a in b&&attribute:a in b&&"},
		{"negations and lists", fill("!attribute:a !in [b,'c d']||", "not(task:group exists)"), "!attribute:a!in[b,'c d']||"},
		{"or inside and", fill("(ec2InstanceId=~'i-.*'||agentConnected==true)&&", "agentVersion<1.0"), "(ec2InstanceId=~i-.*||agentConnected==true)&&"},
		{"not of a chain", fill("!(registeredAt>2020-01-01&&attribute:x!exists)||", "attribute:y in 'z'"), "!(registeredAt>2020-01-01&&attribute:x!exists)||"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustParse(t, tt.src)
			var spaced strings.Builder
			e.root.write(&spaced, false)
			if spaced.Len() <= MaxLength {
				t.Fatalf("the spaced form is %d bytes; this test wants one longer than %d", spaced.Len(), MaxLength)
			}
			s := e.String()
			if len(s) > len(tt.src) || !strings.HasPrefix(s, tt.wantPrefix) {
				t.Errorf("String() = %.60q... (%d bytes), want %q... and at most the source's %d bytes", s, len(s), tt.wantPrefix, len(tt.src))
			}
			again, err := Parse(s)
			if err != nil || !again.Equal(e) {
				t.Fatalf("Parse(String()) = %v; want an equal tree", err)
			}
			if s2 := again.String(); s2 != s {
				t.Errorf("String is not a fixed point: %.60q then %.60q", s, s2)
			}
		})
	}
}
