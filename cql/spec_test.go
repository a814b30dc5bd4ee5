package cql

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docFleet is a small cluster on which every documented example
// (docs/ecs-behaviour.md 1.6) selects a different, non-empty set of instances.
func docFleet() []*inst {
	return []*inst{
		(&inst{name: "i1", id: "i-abcd1234", connected: true, version: "1.9.0",
			registered: at("2018-02-12T23:59:59Z"), running: 1}).
			with(attr{"ecs.instance-type", "t2.small"}, attr{"ecs.availability-zone", "us-east-1a"}, attr{"stack", "prod"}).
			hosting("service:production"),
		(&inst{name: "i2", id: "i-22222222", connected: true, version: "1.30.0",
			registered: at("2017-12-01T00:00:00Z"), running: 0}).
			with(attr{"ecs.instance-type", "t2.medium"}, attr{"ecs.availability-zone", "us-east-1b"}, attr{"stack", "dev"}).
			hosting("database"),
		(&inst{name: "i3", id: "i-wxyx7890", connected: false, version: "1.14.5",
			registered: at("2018-02-13T00:00:00Z"), running: 3}).
			with(attr{"ecs.instance-type", "g2.2xlarge"}, attr{"ecs.availability-zone", "us-east-1a"}),
		(&inst{name: "i4", id: "i-44444444", connected: true, version: "1.20.0",
			registered: at("2018-06-18T22:28:28Z"), running: 2}).
			with(attr{"ecs.instance-type", "g2.2xlarge"}, attr{"ecs.availability-zone", "us-east-1d"}, attr{"stack", "prod"}).
			hosting("service:production", "database"),
		(&inst{name: "i5", id: "i-55555555", connected: true, version: "1.14.4",
			registered: at("2019-01-01T00:00:00Z"), running: 1}).
			with(attr{"ecs.instance-type", "p2.xlarge"}, attr{"ecs.availability-zone", "us-east-1c"},
				attr{"ecs.os-family", "WINDOWS_SERVER_2019_FULL"}).
			hosting("databases"),
	}
}

func TestDocumentedExamples(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"1 instance type", "attribute:ecs.instance-type == t2.small", []string{"i1"}},
		{"2 AZ list", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", []string{"i1", "i2", "i3"}},
		{"3 G2 outside 1d", "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", []string{"i3"}},
		{"4 affinity", "task:group == service:production", []string{"i1", "i4"}},
		{"5 anti-affinity", "not(task:group == database)", []string{"i1", "i3", "i5"}},
		{"6 running tasks", "runningTasksCount == 1", []string{"i1", "i5"}},
		{"7 old agents", "agentVersion < 1.14.5", []string{"i1", "i5"}},
		{"8 registered before", "registeredAt < 2018-02-13", []string{"i1", "i2"}},
		{"9 instance ids", "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", []string{"i1", "i3"}},
		{"10 g2.2xlarge", "attribute:ecs.instance-type == g2.2xlarge", []string{"i3", "i4"}},
		{"11 custom attribute", "attribute:stack == prod", []string{"i1", "i4"}},
		{"12 custom attribute not equal", "attribute:stack != prod", []string{"i2"}},
		{"13 type list", "attribute:ecs.instance-type in [t2.small, t2.medium]", []string{"i1", "i2"}},
		{"14 T2 in 1a", "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a", []string{"i1"}},
		{"15a memberOf T2", "attribute:ecs.instance-type =~ t2.*", []string{"i1", "i2"}},
		{"15b memberOf group", "task:group == databases", []string{"i5"}},
		{"16 Windows release", "attribute:ecs.os-family == WINDOWS_SERVER_2019_FULL", []string{"i5"}},
		{"17 GPU type", "attribute:ecs.instance-type == p2.xlarge", []string{"i5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMatches(t, tt.expr, docFleet(), tt.want)
		})
	}
}

// TestEdgeCases is docs/ecs-behaviour.md 8.1, cases 1 to 16, one subtest each.
func TestEdgeCases(t *testing.T) {
	typed := func(name, typ, az string) *inst {
		return (&inst{name: name}).with(attr{"ecs.instance-type", typ}, attr{"ecs.availability-zone", az})
	}
	stacks := func() []*inst {
		return []*inst{
			(&inst{name: "dev"}).with(attr{"stack", "dev"}),
			(&inst{name: "prod"}).with(attr{"stack", "prod"}),
			{name: "none"},
		}
	}
	t.Run("1 equality", func(t *testing.T) {
		fleet := []*inst{typed("i1", "t2.small", "a"), typed("i2", "t2.medium", "a")}
		checkMatches(t, "attribute:ecs.instance-type == t2.small", fleet, []string{"i1"})
	})
	t.Run("2 in list", func(t *testing.T) {
		fleet := []*inst{typed("a", "t", "us-east-1a"), typed("b", "t", "us-east-1b"), typed("c", "t", "us-east-1c")}
		for _, src := range []string{
			"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
			"attribute:ecs.availability-zone in [us-east-1a,us-east-1b]",
			"attribute:ecs.availability-zone in [ us-east-1a ,\tus-east-1b ]",
			"attribute:ecs.availability-zone in[us-east-1a, us-east-1b]",
		} {
			checkMatches(t, src, fleet, []string{"a", "b"})
		}
	})
	t.Run("3 pattern and not equal", func(t *testing.T) {
		fleet := []*inst{typed("g2-1a", "g2.2xlarge", "us-east-1a"), typed("g2-1d", "g2.2xlarge", "us-east-1d"),
			typed("t2-1a", "t2.small", "us-east-1a")}
		checkMatches(t, "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", fleet,
			[]string{"g2-1a"})
	})
	t.Run("4 colon in a bare value", func(t *testing.T) {
		fleet := []*inst{(&inst{name: "prod"}).hosting("service:production"), (&inst{name: "other"}).hosting("service:other"),
			(&inst{name: "prefix"}).hosting("service:production-canary"), {name: "empty"}}
		e := mustParse(t, "task:group == service:production")
		if diff := cmp.Diff("[task:group == «service:production»]", dump(e.root)); diff != "" {
			t.Errorf("tree (-want +got):\n%s", diff)
		}
		checkMatches(t, "task:group == service:production", fleet, []string{"prod"})
	})
	t.Run("5 anti-affinity", func(t *testing.T) {
		fleet := []*inst{{name: "empty"}, (&inst{name: "other"}).hosting("web", "cache"),
			(&inst{name: "db"}).hosting("web", "database")}
		checkMatches(t, "not(task:group == database)", fleet, []string{"empty", "other"})
	})
	t.Run("6 not equal needs the attribute", func(t *testing.T) {
		checkMatches(t, "attribute:stack != prod", stacks(), []string{"dev"})
	})
	t.Run("7 not of equal does not", func(t *testing.T) {
		checkMatches(t, "not(attribute:stack == prod)", stacks(), []string{"dev", "none"})
	})
	t.Run("8 exists", func(t *testing.T) {
		checkMatches(t, "attribute:stack exists", stacks(), []string{"dev", "prod"})
		checkMatches(t, "attribute:stack !exists", stacks(), []string{"none"})
		checkMatches(t, "attribute:stack not_exists", stacks(), []string{"none"})
	})
	t.Run("9 running tasks count", func(t *testing.T) {
		fleet := []*inst{{name: "0", running: 0}, {name: "1", running: 1}, {name: "3", running: 3}}
		checkMatches(t, "runningTasksCount == 1", fleet, []string{"1"})
		checkMatches(t, "runningTasksCount < 2", fleet, []string{"0", "1"})
	})
	t.Run("10 version order", func(t *testing.T) {
		fleet := []*inst{{name: "1.9.0", version: "1.9.0"}, {name: "1.14.4", version: "1.14.4"},
			{name: "1.14.5", version: "1.14.5"}, {name: "1.20.0", version: "1.20.0"}}
		checkMatches(t, "agentVersion < 1.14.5", fleet, []string{"1.9.0", "1.14.4"})
	})
	t.Run("11 date forms", func(t *testing.T) {
		fleet := []*inst{{name: "before", registered: at("2018-02-12T23:59:59Z")},
			{name: "midnight", registered: at("2018-02-13T00:00:00Z")}}
		checkMatches(t, "registeredAt < 2018-02-13", fleet, []string{"before"})
		at2228 := []*inst{{name: "22:28:27", registered: at("2018-06-18T22:28:27Z")},
			{name: "22:28:28", registered: at("2018-06-18T22:28:28Z")},
			// 22:28:27 at +02:00 is 20:28:27 UTC: before all four forms.
			{name: "+02:00", registered: at("2018-06-18T22:28:27+02:00")}}
		for _, form := range []string{"2018-06-18T22:28:28+00:00", "2018-06-18T22:28:28Z", "2018-06-18T22:28:28"} {
			checkMatches(t, "registeredAt < "+form, at2228, []string{"22:28:27", "+02:00"})
		}
		checkMatches(t, "registeredAt < 2018-06-18", at2228, nil)
	})
	t.Run("12 single-quoted items", func(t *testing.T) {
		fleet := []*inst{{name: "a", id: "i-abcd1234"}, {name: "b", id: "i-wxyx7890"}, {name: "c", id: "i-00000000"}}
		checkMatches(t, "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", fleet, []string{"a", "b"})
	})
	t.Run("13 word aliases", func(t *testing.T) {
		fleet := docFleet()
		pairs := [][2]string{
			{"attribute:stack == prod", "attribute:stack equals prod"},
			{"attribute:stack != prod", "attribute:stack not_equals prod"},
			{"runningTasksCount > 1", "runningTasksCount greater_than 1"},
			{"runningTasksCount >= 1", "runningTasksCount greater_than_equal 1"},
			{"agentVersion < 1.14.5", "agentVersion less_than 1.14.5"},
			{"agentVersion <= 1.14.5", "agentVersion less_than_equal 1.14.5"},
			{"attribute:ecs.instance-type !in [t2.small, g2.2xlarge]", "attribute:ecs.instance-type not_in [t2.small, g2.2xlarge]"},
			{"attribute:ecs.instance-type =~ g2.*", "attribute:ecs.instance-type matches g2.*"},
			{"attribute:ecs.instance-type !~ g2.*", "attribute:ecs.instance-type not_matches g2.*"},
			{"attribute:stack !exists", "attribute:stack not_exists"},
		}
		for _, p := range pairs {
			sym, word := mustParse(t, p[0]), mustParse(t, p[1])
			if !sym.Equal(word) {
				t.Errorf("Parse(%q) and Parse(%q) differ: %s vs %s", p[0], p[1], dump(sym.root), dump(word.root))
			}
			got, want := matching(word, fleet), matching(sym, fleet)
			if diff := cmp.Diff(want, got); diff != "" || len(want) == 0 || len(want) == len(fleet) {
				t.Errorf("%q vs %q: matches (-symbol +word):\n%s (want a proper, non-empty subset)", p[0], p[1], diff)
			}
		}
	})
	t.Run("14 boolean aliases and parentheses", func(t *testing.T) {
		fleet := docFleet()
		same := [][2]string{
			{"attribute:stack == prod && runningTasksCount == 1", "attribute:stack == prod and runningTasksCount == 1"},
			{"attribute:stack == dev || runningTasksCount == 3", "attribute:stack == dev or runningTasksCount == 3"},
			{"!(attribute:stack == prod)", "not(attribute:stack == prod)"},
			{"!attribute:stack == prod", "not attribute:stack == prod"},
		}
		for _, p := range same {
			a, b := mustParse(t, p[0]), mustParse(t, p[1])
			if !a.Equal(b) {
				t.Errorf("Parse(%q) = %s, Parse(%q) = %s; want equal trees", p[0], dump(a.root), p[1], dump(b.root))
			}
		}
		// (e1 or e2) and e3 against e1 or e2 and e3, which is e1 or (e2 and e3).
		checkMatches(t, "(attribute:stack == dev or agentConnected == false) and runningTasksCount == 0", fleet, []string{"i2"})
		checkMatches(t, "attribute:stack == dev or agentConnected == false and runningTasksCount == 0", fleet, []string{"i2"})
		checkMatches(t, "(attribute:stack == dev or agentConnected == false) and runningTasksCount > 0", fleet, []string{"i3"})
		checkMatches(t, "attribute:stack == dev or agentConnected == false and runningTasksCount > 0", fleet, []string{"i2", "i3"})
	})
	t.Run("15 empty is not an operator", func(t *testing.T) {
		for _, src := range []string{"attribute:stack empty", "task:group empty", "attribute:stack == prod or attribute:x empty"} {
			if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), `found "empty"`) {
				t.Errorf("Parse(%q) error = %v, want one that names \"empty\"", src, err)
			}
		}
	})
	t.Run("16 length limit", func(t *testing.T) {
		// attribute:x == vvv...v padded to exactly n bytes.
		expr := func(n int) string {
			const head = "attribute:x == "
			return head + strings.Repeat("v", n-len(head))
		}
		if _, err := Parse(expr(MaxLength)); err != nil {
			t.Errorf("Parse(%d bytes) error: %v, want nil", MaxLength, err)
		}
		_, err := Parse(expr(MaxLength + 1))
		want := "cql: 1:2001: expression is 2001 bytes, longer than the limit of 2000"
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%d bytes) error = %v, want %s", MaxLength+1, err, want)
		}
	})
}

// TestDecision1 covers precedence, lowercase keywords, case-sensitive
// values and the empty expression.
func TestDecision1(t *testing.T) {
	trees := []struct {
		name, src, want string
	}{
		{"and binds tighter than or", "agentConnected == true or attribute:a exists and attribute:b exists",
			"(or [agentConnected == «true»] (and [attribute:a exists] [attribute:b exists]))"},
		{"and binds tighter than or, left", "attribute:a exists and attribute:b exists or agentConnected == true",
			"(or (and [attribute:a exists] [attribute:b exists]) [agentConnected == «true»])"},
		{"not binds tighter than and", "not attribute:a exists and attribute:b exists",
			"(and (not [attribute:a exists]) [attribute:b exists])"},
		{"not binds tighter than or", "! attribute:a exists || attribute:b exists",
			"(or (not [attribute:a exists]) [attribute:b exists])"},
		{"parentheses override", "(agentConnected == true or attribute:a exists) and attribute:b exists",
			"(and (or [agentConnected == «true»] [attribute:a exists]) [attribute:b exists])"},
		{"chains flatten", "(attribute:a exists and attribute:b exists) and (attribute:c exists && attribute:d exists)",
			"(and [attribute:a exists] [attribute:b exists] [attribute:c exists] [attribute:d exists])"},
		{"double negation kept", "not not attribute:a exists", "(not (not [attribute:a exists]))"},
	}
	for _, tt := range trees {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, dump(mustParse(t, tt.src).root)); diff != "" {
				t.Errorf("Parse(%q) tree (-want +got):\n%s", tt.src, diff)
			}
		})
	}
	t.Run("keywords are lowercase", func(t *testing.T) {
		for _, src := range []string{
			"attribute:a exists AND attribute:b exists", "attribute:a exists Or attribute:b exists",
			"NOT attribute:a exists", "attribute:a IN [x]", "attribute:a EXISTS", "attribute:a Equals x",
			"Attribute:a exists", "TASK:GROUP == x", "agentconnected == true",
		} {
			if _, err := Parse(src); err == nil {
				t.Errorf("Parse(%q) succeeded, want an error", src)
			}
		}
	})
	t.Run("values are case-sensitive", func(t *testing.T) {
		fleet := []*inst{(&inst{name: "lower"}).with(attr{"ecs.os-type", "linux"}),
			(&inst{name: "upper"}).with(attr{"ecs.os-type", "LINUX"})}
		checkMatches(t, "attribute:ecs.os-type == linux", fleet, []string{"lower"})
		checkMatches(t, "attribute:ecs.os-type in [LINUX]", fleet, []string{"upper"})
		checkMatches(t, "attribute:ecs.os-type =~ lin.*", fleet, []string{"lower"})
		if _, err := Parse("agentConnected == TRUE"); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error: true and false are lowercase", "agentConnected == TRUE")
		}
	})
	t.Run("empty expression", func(t *testing.T) {
		for _, src := range []string{"", " ", "\n\t ", "()"} {
			if _, err := Parse(src); err == nil {
				t.Errorf("Parse(%q) succeeded, want an error", src)
			}
		}
	})
}

// TestDecision2 covers anchored matching and RE2-only patterns.
func TestDecision2(t *testing.T) {
	fleet := []*inst{
		(&inst{name: "t2.small"}).with(attr{"type", "t2.small"}),
		(&inst{name: "xt2.small"}).with(attr{"type", "xt2.small"}),
		(&inst{name: "m5.large"}).with(attr{"type", "m5.large"}),
		(&inst{name: "newline"}).with(attr{"type", "t2.a\nb"}),
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"prefix is anchored at the start", "attribute:type =~ t2.*", []string{"t2.small"}},
		{"a substring does not match", "attribute:type =~ small", nil},
		{"a suffix pattern", "attribute:type =~ .*small", []string{"t2.small", "xt2.small"}},
		{"explicit anchors are redundant", "attribute:type =~ '^t2.*$'", []string{"t2.small"}},
		{"dot does not match newline", "attribute:type =~ t2.*b", nil},
		{"unless the s flag is set", "attribute:type =~ '(?s)t2.*b'", []string{"newline"}},
		{"RE2 classes and alternation", "attribute:type =~ '(t2|m5)\\.(small|large)'", []string{"t2.small", "m5.large"}},
		{"not matches", "attribute:type !~ t2.*", []string{"xt2.small", "m5.large", "newline"}},
		{"case-insensitive flag", "attribute:type =~ '(?i)T2.SMALL'", []string{"t2.small"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkMatches(t, tt.src, fleet, tt.want) })
	}
	for _, pattern := range []string{`(a)\1`, `a(?=b)`, `a(?!b)`, `(?<=a)b`, `(?<!a)b`, `(?>a)`, `a*+`, `[z-a]`, `(a`, `a{2000}`} {
		src := "attribute:type =~ '" + pattern + "'"
		_, err := Parse(src)
		var ce *Error
		if err == nil || !asError(err, &ce) || ce.Offset != len("attribute:type =~ ") ||
			!strings.Contains(ce.Msg, "invalid regular expression") {
			t.Errorf("Parse(%q) error = %v, want an invalid regular expression error at the pattern", src, err)
		}
	}
}

// TestDecision3 covers every operator on an absent attribute: only
// !exists holds; not(...) negates that.
func TestDecision3(t *testing.T) {
	absent := &inst{name: "absent"}
	present := (&inst{name: "present"}).with(attr{"stack", "dev"})
	empty := (&inst{name: "empty"}).with(attr{"stack", ""})
	fleet := []*inst{absent, present, empty}
	tests := []struct {
		src  string
		want []string
	}{
		{"attribute:stack == prod", nil},
		{"attribute:stack != prod", []string{"present", "empty"}},
		{"attribute:stack > a", []string{"present"}},
		{"attribute:stack >= a", []string{"present"}},
		{"attribute:stack < z", []string{"present", "empty"}},
		{"attribute:stack <= z", []string{"present", "empty"}},
		{"attribute:stack in [prod, dev]", []string{"present"}},
		{"attribute:stack !in [prod]", []string{"present", "empty"}},
		{"attribute:stack =~ pr.*", nil},
		{"attribute:stack !~ pr.*", []string{"present", "empty"}},
		{"attribute:stack exists", []string{"present", "empty"}},
		{"attribute:stack !exists", []string{"absent"}},
		{"attribute:stack == ''", []string{"empty"}},
		{"not(attribute:stack == prod)", []string{"absent", "present", "empty"}},
		{"not(attribute:stack != prod)", []string{"absent"}},
		{"not(attribute:stack in [dev])", []string{"absent", "empty"}},
		{"not(attribute:stack exists)", []string{"absent"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) { checkMatches(t, tt.src, fleet, tt.want) })
	}
}

// TestDecision4 covers task:group: "some hosted task".
func TestDecision4(t *testing.T) {
	fleet := []*inst{
		{name: "none"},
		(&inst{name: "db"}).hosting("database"),
		(&inst{name: "db+web"}).hosting("database", "web", "database"),
		(&inst{name: "web"}).hosting("web"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		{"task:group == database", []string{"db", "db+web"}},
		{"task:group != database", []string{"db+web", "web"}},
		{"not(task:group == database)", []string{"none", "web"}},
		{"not(task:group != database)", []string{"none", "db"}},
		{"task:group in [web, cache]", []string{"db+web", "web"}},
		{"task:group !in [database]", []string{"db+web", "web"}},
		{"task:group =~ data.*", []string{"db", "db+web"}},
		{"task:group !~ data.*", []string{"db+web", "web"}},
		{"task:group exists", []string{"db", "db+web", "web"}},
		{"task:group !exists", []string{"none"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) { checkMatches(t, tt.src, fleet, tt.want) })
	}
}

// TestDecision5 covers ordering in each subject's own domain.
func TestDecision5(t *testing.T) {
	t.Run("attributes numeric when both are numbers", func(t *testing.T) {
		fleet := []*inst{
			(&inst{name: "9"}).with(attr{"n", "9"}), (&inst{name: "10"}).with(attr{"n", "10"}),
			(&inst{name: "-2.5"}).with(attr{"n", "-2.5"}), (&inst{name: "010.0"}).with(attr{"n", "010.0"}),
			(&inst{name: "9a"}).with(attr{"n", "9a"}), (&inst{name: "1e3"}).with(attr{"n", "1e3"}),
		}
		// 9a and 1e3 are not numbers: they compare with "10" as strings.
		checkMatches(t, "attribute:n > 9.5", fleet, []string{"10", "010.0", "9a"})
		// "1e3" > "10" byte-wise ('e' sorts after '0'), though 1e3 > 9.5 fails.
		checkMatches(t, "attribute:n >= 10", fleet, []string{"10", "010.0", "9a", "1e3"})
		checkMatches(t, "attribute:n < 0", fleet, []string{"-2.5"})
		checkMatches(t, "attribute:n <= -2.50", fleet, []string{"-2.5"})
		// Equality stays string equality, as documented.
		checkMatches(t, "attribute:n == 10", fleet, []string{"10"})
		// A literal that is not a number orders every value as a string.
		checkMatches(t, "attribute:n > 9", fleet, []string{"10", "010.0", "9a"})
		checkMatches(t, "attribute:n > 9x", fleet, nil)
	})
	t.Run("versions component by component", func(t *testing.T) {
		fleet := []*inst{{name: "1.9.0", version: "1.9.0"}, {name: "1.14", version: "1.14"},
			{name: "1.14.5", version: "1.14.5"}, {name: "unknown", version: ""}, {name: "junk", version: "v1.14.5"}}
		checkMatches(t, "agentVersion >= 1.14", fleet, []string{"1.14", "1.14.5"})
		checkMatches(t, "agentVersion == 1.14.0", fleet, []string{"1.14"})
		checkMatches(t, "agentVersion != 1.14.5", fleet, []string{"1.9.0", "1.14"})
		checkMatches(t, "agentVersion > 1.9", fleet, []string{"1.14", "1.14.5"})
	})
	t.Run("dates in UTC unless zoned", func(t *testing.T) {
		fleet := []*inst{{name: "midnight", registered: at("2018-02-13T00:00:00Z")},
			{name: "midnight+01", registered: at("2018-02-13T00:00:00+01:00")},
			{name: "noon", registered: at("2018-02-13T12:00:00Z")}}
		checkMatches(t, "registeredAt == 2018-02-13", fleet, []string{"midnight"})
		checkMatches(t, "registeredAt == 2018-02-13T00:00:00", fleet, []string{"midnight"})
		checkMatches(t, "registeredAt == 2018-02-13T00:00:00+01:00", fleet, []string{"midnight+01"})
		checkMatches(t, "registeredAt >= 2018-02-13T06:00:00+06:00", fleet, []string{"midnight", "noon"})
		checkMatches(t, "registeredAt > 2018-02-13T11:59:59.5Z", fleet, []string{"noon"})
	})
	t.Run("runningTasksCount is the instance's field", func(t *testing.T) {
		// The count is what the subject reports, whatever its task groups say.
		fleet := []*inst{(&inst{name: "2 of 3", running: 2}).hosting("a", "b", "c"), {name: "0", running: 0}}
		checkMatches(t, "runningTasksCount == 2", fleet, []string{"2 of 3"})
		checkMatches(t, "runningTasksCount != 2", fleet, []string{"0"})
		checkMatches(t, "runningTasksCount >= -1", fleet, []string{"2 of 3", "0"})
	})
}

// TestOperatorsPerSubject checks the operator table in doc.go: every
// subject accepts its operators and rejects the rest with a message that
// names both.
func TestOperatorsPerSubject(t *testing.T) {
	values := map[subject]string{sAttribute: "x", sTaskGroup: "x", sAgentConnected: "true", sAgentVersion: "1.2.3",
		sEC2InstanceID: "i-1", sRegisteredAt: "2018-02-13", sRunningTasksCount: "3"}
	for s := range subjectNames {
		subj := subject(s)
		name := subjectNames[subj]
		if subj == sAttribute {
			name += "x"
		}
		for op := opFirst; op <= opLast; op++ {
			src := name + " " + op.String()
			switch op {
			case kExists, kNotExists:
			case kIn, kNotIn:
				src += " [" + values[subj] + "]"
			case kMatches, kNotMatches:
				src += " .*"
			default:
				src += " " + values[subj]
			}
			_, err := Parse(src)
			allowed := false
			for _, k := range opsOf[subj] {
				allowed = allowed || k == op
			}
			switch {
			case allowed && err != nil:
				t.Errorf("Parse(%q) error: %v, want nil", src, err)
			case !allowed && (err == nil || !strings.Contains(err.Error(), `"`+op.String()+`" does not apply to `+subjectNames[subj])):
				t.Errorf("Parse(%q) error = %v, want one naming %s and %s", src, err, op, subjectNames[subj])
			}
		}
	}
}

// TestAgentConnected checks the two-state table built at Parse time.
func TestAgentConnected(t *testing.T) {
	fleet := []*inst{{name: "up", connected: true}, {name: "down", connected: false}}
	tests := []struct {
		src  string
		want []string
	}{
		{"agentConnected == true", []string{"up"}},
		{"agentConnected != true", []string{"down"}},
		{"agentConnected in [false]", []string{"down"}},
		{"agentConnected !in [false, true]", nil},
		{"agentConnected =~ t.*", []string{"up"}},
		{"agentConnected !~ '(tr|fa)[a-z]+'", nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) { checkMatches(t, tt.src, fleet, tt.want) })
	}
}

func TestZeroExpr(t *testing.T) {
	var e Expr
	if e.Match(&inst{}) || e.String() != "" || e.Uses() != 0 || e.Attributes() != nil {
		t.Errorf("zero Expr: Match, String, Uses, Attributes = %v, %q, %v, %v; want false, \"\", 0, nil",
			e.Match(&inst{}), e.String(), e.Uses(), e.Attributes())
	}
}
