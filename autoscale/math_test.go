package autoscale

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMetricMath(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		vars   []string
		vals   []float64
		want   float64
		wantOK bool
	}{
		{"backlog per task", "m1 / m2", []string{"m1", "m2"}, []float64{300, 4}, 75, true},
		{"precedence", "m1 + m2 * 2", []string{"m1", "m2"}, []float64{1, 3}, 7, true},
		{"left to right", "m1 - m2 - 1", []string{"m1", "m2"}, []float64{10, 3}, 6, true},
		{"division left to right", "m1 / 2 / 5", []string{"m1"}, []float64{100}, 10, true},
		{"parentheses", "(m1 + m2) * 100 / m3", []string{"m1", "m2", "m3"}, []float64{1, 3, 8}, 50, true},
		{"unary minus", "-m1 + -(2)", []string{"m1"}, []float64{1}, -3, true},
		{"repeated id", "m1 * m1 + e_2", []string{"m1", "e_2"}, []float64{3, 1}, 10, true},
		{"exponent", "1.5e2 + .5", nil, nil, 150.5, true},
		{"division by zero", "m1 / m2", []string{"m1", "m2"}, []float64{1, 0}, math.Inf(1), false},
		{"missing value", "m1 + 1", []string{"m1"}, []float64{math.NaN()}, math.NaN(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := CompileMetricMath(tt.src)
			if err != nil {
				t.Fatalf("CompileMetricMath(%q) = %v", tt.src, err)
			}
			if diff := cmp.Diff(tt.vars, m.Vars()); diff != "" {
				t.Errorf("CompileMetricMath(%q).Vars() (-want +got):\n%s", tt.src, diff)
			}
			got, ok := m.Eval(tt.vals)
			if ok != tt.wantOK || ok && got != tt.want {
				t.Errorf("Eval(%v) of %q = %v, %v, want %v, %v", tt.vals, tt.src, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestMetricMathErrors(t *testing.T) {
	tests := []struct {
		src    string
		offset int
		msg    string
	}{
		{"", 0, "expected a number, an Id or '(', found the end"},
		{"m1 /", 4, "expected a number, an Id or '(', found the end"},
		{"m1 m2", 3, `expected an operator or the end, found "m2"`},
		{"(m1 + m2", 8, "expected ')', found the end"},
		{"SUM(METRICS())", 0, "function SUM is not supported, expected + - * / of numbers and Ids"},
		{"m1 / 1e999", 5, `"1e999" is not a finite number`},
		{"m1 % 2", 3, `expected an operator or the end, found "%"`},
		{"1..2", 0, `"1..2" is not a finite number`},
		{"* m1", 0, `expected a number, an Id or '(', found "*"`},
	}
	for _, tt := range tests {
		_, err := CompileMetricMath(tt.src)
		var me *MathError
		if !errors.As(err, &me) {
			t.Errorf("CompileMetricMath(%q) = %v, want a *MathError", tt.src, err)
			continue
		}
		if me.Offset != tt.offset || me.Msg != tt.msg {
			t.Errorf("CompileMetricMath(%q) = offset %d %q, want offset %d %q", tt.src, me.Offset, me.Msg, tt.offset, tt.msg)
		}
	}
}

func TestMetricMathDepth(t *testing.T) {
	deep := ""
	for range 40 {
		deep += "("
	}
	if _, err := CompileMetricMath(deep + "1"); err == nil {
		t.Errorf("CompileMetricMath of 40 parentheses = nil error, want nested too deeply")
	}
	long := "m1"
	for range 200 {
		long += " + m1"
	}
	if _, err := CompileMetricMath(long); err != nil {
		t.Errorf("CompileMetricMath of a long sum = %v, want no error (left to right needs two operands)", err)
	}
}

func TestMetricMathEvalAllocs(t *testing.T) {
	m, err := CompileMetricMath("(m1 + m2) * 100 / m3")
	if err != nil {
		t.Fatal(err)
	}
	vals := []float64{1, 2, 3}
	if n := testing.AllocsPerRun(100, func() { m.Eval(vals) }); n != 0 {
		t.Errorf("Eval allocates %v times, want 0", n)
	}
}

func FuzzMetricMath(f *testing.F) {
	for _, s := range []string{"m1 / m2", "(m1 + m2) * 100 / m3", "-(-1e3)", "SUM(METRICS())", "((((m1", "m1 / 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		m, err := CompileMetricMath(src)
		if err != nil {
			var me *MathError
			if !errors.As(err, &me) || me.Offset < 0 || me.Offset > len(src) {
				t.Fatalf("CompileMetricMath(%q) = %v, want a *MathError with an offset in [0, %d]", src, err, len(src))
			}
			return
		}
		vals := make([]float64, len(m.Vars()))
		for i := range vals {
			vals[i] = float64(i + 1)
		}
		m.Eval(vals)
	})
}
