package jsondoc

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/google/go-cmp/cmp"
)

type pool struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

type doc struct {
	Name     string           `json:"name"`
	Rate     float64          `json:"ratePerHour"`
	Pools    []pool           `json:"pools"`
	Scalars  map[string]int64 `json:"scalars"`
	Ptr      *int             `json:"ptr"`
	Wait     dur              `json:"wait"`
	Untagged bool
	Skip     string `json:"-"`
	Embedded
}

type Embedded struct {
	Inner string `json:"inner"`
}

type dur time.Duration

func (d *dur) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New(string(b) + " is not a duration")
	}
	*d = dur(v)
	return nil
}

func TestDecode(t *testing.T) {
	one := 1
	tests := []struct {
		name, in string
		want     doc
		err      string
	}{
		{name: "ok", in: `{"name":"a","ratePerHour":1.5,"pools":[{"type":"x","count":2}],"scalars":{"d":3},"ptr":1,"wait":"2s","Untagged":true,"inner":"i"}`,
			want: doc{Name: "a", Rate: 1.5, Pools: []pool{{"x", 2}}, Scalars: map[string]int64{"d": 3}, Ptr: &one, Wait: dur(2 * time.Second), Untagged: true, Embedded: Embedded{"i"}}},
		{name: "case differs", in: "{\n  \"ratePerhour\": 1}", err: `f.json:2:3: unknown field "ratePerhour"`},
		{name: "upper case", in: `{"NAME":"x"}`, err: `f.json:1:2: unknown field "NAME"`},
		{name: "duplicate", in: "{\"name\":\"a\",\n \"name\":\"b\"}", err: `f.json:2:2: duplicate key "name" (first at line 1, column 2)`},
		{name: "nested duplicate", in: `{"pools":[{"type":"a","type":"b"}]}`, err: `f.json:1:23: pools[0]: duplicate key "type" (first at line 1, column 12)`},
		{name: "string for int", in: "{\"pools\":[{},{},\n {\"count\": \"4096\"}]}", err: `f.json:2:3: pools[2].count: expected an integer, found "4096"`},
		{name: "fraction for int", in: `{"pools":[{"count":1.5}]}`, err: `f.json:1:12: pools[0].count: expected an integer, found 1.5`},
		{name: "int range", in: `{"scalars":{"x":1e30}}`, err: `f.json:1:13: scalars.x: expected an integer, found 1e30`},
		{name: "int overflow", in: `{"scalars":{"x":99999999999999999999}}`, err: `f.json:1:13: scalars.x: expected an integer from -9223372036854775808 to 9223372036854775807, found 99999999999999999999`},
		{name: "unmarshaler", in: `{"wait":"soon"}`, err: `f.json:1:2: wait: "soon" is not a duration`},
		{name: "skipped field", in: `{"Skip":"x"}`, err: `f.json:1:2: unknown field "Skip"`},
		{name: "not an object", in: `[1]`, err: `f.json:1:1: expected an object, found an array`},
		{name: "null pointer", in: `{"ptr":null}`, want: doc{}},
		{name: "empty", in: " \n", err: `f.json: empty document`},
		{name: "bom", in: "\uFEFF{\"name\":\"b\"}", want: doc{Name: "b"}},
		{name: "bom twice", in: "\uFEFF\uFEFF{}", err: `f.json:1:1: expected a value, found byte 0xEF`},
		{name: "trailing", in: `{} {}`, err: `f.json:1:4: found '{' after the document, expected its end`},
		{name: "bad syntax", in: "{\"pools\": [\n {\"type\": x}]}", err: `f.json:2:11: pools[0].type: expected a value, found 'x'`},
		{name: "cut", in: `{"pools": [`, err: `f.json:1:12: pools[0]: unexpected end of the document, expected a value`},
		{name: "truex", in: `{"Untagged": truex}`, err: `f.json:1:14: Untagged: expected a value, found "truex"`},
		{name: "number syntax", in: `{"ratePerHour": 01}`, err: `f.json:1:17: ratePerHour: expected a value, found "01" (not a JSON number)`},
		{name: "escapes", in: `{"name":"\u00e9\ud83d\ude00\n"}`, want: doc{Name: "é😀\n"}},
		{name: "control char", in: "{\"name\":\"a\tb\"}", err: `f.json:1:11: name: expected a character or '"', found byte 0x09 (control characters must be escaped)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got doc
			n, err := Parse([]byte(tc.in), "f.json", Limits{})
			if err == nil {
				err = Decode(n, "f.json", &got)
			}
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Decode(%q) error = %v, want %s", tc.in, err, tc.err)
				}
				var e *fielderr.Error
				if !errors.As(err, &e) {
					t.Errorf("error %T is not an *Error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// endless yields its pattern forever.
type endless struct {
	prefix  string
	pattern byte
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.pattern
	}
	return len(p), nil
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxBytes: 8 << 20, MaxString: 1 << 20, MaxDepth: 100}
	tests := []struct {
		name string
		r    io.Reader
		err  string
	}{
		{"zeros", &endless{pattern: 0}, `f: 1:1: expected a value, found byte 0x00`},
		{"brackets", &endless{pattern: '['}, `f: 1:101: ` + strings.Repeat("[0]", 100) + `: nested deeper than the limit of 100 levels`},
		{"endless string", &endless{prefix: `{"a":"`, pattern: 'x'}, `f: 1:6: a: string longer than the limit of 1 MiB`},
		{"endless number", &endless{prefix: `[1`, pattern: '0'}, `f: 1:2: [0]: number longer than the limit of 1 MiB`},
		{"endless space", &endless{prefix: `[`, pattern: ' '}, `f: document larger than the limit of 8 MiB`},
		{"endless array", &endless{prefix: `[0`, pattern: ','}, `f: 1:4: [1]: expected a value, found ','`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDocument(tc.r, "f", lim)
			if err == nil || err.Error() != strings.Replace(tc.err, "f: 1", "f:1", 1) {
				t.Errorf("ReadDocument = %v, want %s", err, tc.err)
			}
		})
	}
}

func TestMaxValues(t *testing.T) {
	_, err := ReadDocument(&endless{prefix: `[0`, pattern: ','}, "f", Limits{MaxValues: 10})
	if err == nil {
		t.Fatal("no error")
	}
	src := "[" + strings.Repeat("0,", 10) + "0]"
	_, err = ReadDocument(strings.NewReader(src), "f", Limits{MaxValues: 10})
	if want := "f:1:20: [9]: more than the limit of 10 values"; err == nil || err.Error() != want {
		t.Errorf("ReadDocument(%q) = %v, want %s", src, err, want)
	}
}

// Duplicates are found in objects of any size (short ones keep a list,
// long ones a map).
func TestDuplicateInLongObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		b.WriteString(`"k` + strings.Repeat("x", i) + `": 1, `)
	}
	b.WriteString(`"kxxx": 2}`)
	_, err := Parse([]byte(b.String()), "f", Limits{})
	if err == nil || !strings.Contains(err.Error(), `duplicate key "kxxx" (first at line 1, column 29)`) {
		t.Errorf("Parse = %v, want a duplicate kxxx", err)
	}
}

type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }

// A reader that returns nothing, forever, is an error, not a hang.
func TestNoProgress(t *testing.T) {
	_, err := ReadDocument(stuck{}, "f", Limits{})
	if err == nil || !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("ReadDocument(stuck reader) = %v, want io.ErrNoProgress", err)
	}
}
