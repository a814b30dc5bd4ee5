package autoscale

import (
	"fmt"
	"math"
	"strconv"
)

// MetricMath is a compiled CloudWatch metric math expression of the
// arithmetic kind that target tracking's metric math examples use, such
// as "m1 / m2" or "(m1 + m2) * 100 / m3": numbers, the Ids of other
// queries, + - * /, unary minus and parentheses. CloudWatch's functions
// (SUM, METRICS, IF, ...) are not supported: compiling one is an error.
//
// Compile once and Eval per datapoint: the numbers are parsed when
// compiling, so Eval neither parses nor allocates. A compiled MetricMath
// is immutable and safe for concurrent use.
type MetricMath struct {
	src  string
	code []mathOp
	vars []string
}

// MathError is an error in a metric math expression, at a byte Offset
// of Expr (len(Expr) for its end).
type MathError struct {
	Expr   string
	Offset int
	Msg    string
}

// Error returns "autoscale: metric math "EXPR": offset N: MSG".
func (e *MathError) Error() string {
	return "autoscale: metric math " + strconv.Quote(e.Expr) + ": offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// maxMathDepth bounds the nesting of parentheses and unary minus, and
// maxMathStack the values Eval holds at once, so that Eval needs no
// allocation and compiling a hostile expression no deep recursion.
const (
	maxMathDepth = 32
	maxMathStack = 64
)

type mathOpKind uint8

const (
	opConst mathOpKind = iota
	opVar
	opNeg
	opAdd
	opSub
	opMul
	opDiv
)

// mathOp is one instruction of the postfix program Eval runs.
type mathOp struct {
	kind mathOpKind
	arg  int     // opVar: the index in vars
	num  float64 // opConst
}

// CompileMetricMath compiles src. Its Vars are the Ids it names, in order
// of first use.
func CompileMetricMath(src string) (*MetricMath, error) {
	p := mathParser{src: src, m: &MetricMath{src: src}}
	p.next()
	if err := p.expr(0); err != nil {
		return nil, err
	}
	if p.tok != tokEnd {
		return nil, p.errorf("expected an operator or the end, found %s", p.found())
	}
	depth, max := 0, 0
	for _, op := range p.m.code {
		switch op.kind {
		case opConst, opVar:
			depth++
		case opAdd, opSub, opMul, opDiv:
			depth--
		}
		if depth > max {
			max = depth
		}
	}
	if max > maxMathStack {
		return nil, &MathError{Expr: src, Offset: 0, Msg: "too long, expected at most " + strconv.Itoa(maxMathStack) + " pending operands"}
	}
	return p.m, nil
}

// String returns the expression as written.
func (m *MetricMath) String() string { return m.src }

// Vars returns the Ids the expression reads, in order of first use. The
// caller must not change the slice.
func (m *MetricMath) Vars() []string { return m.vars }

// Eval returns the expression's value with vals[i] the value of Vars()[i].
// ok is false when there is no datapoint: a value is NaN (missing), or a
// division by zero or an overflow gives no finite number (CloudWatch
// drops such a datapoint).
func (m *MetricMath) Eval(vals []float64) (v float64, ok bool) {
	var stack [maxMathStack]float64
	n := 0
	for _, op := range m.code {
		switch op.kind {
		case opConst:
			stack[n] = op.num
			n++
		case opVar:
			stack[n] = vals[op.arg]
			n++
		case opNeg:
			stack[n-1] = -stack[n-1]
		default:
			a, b := stack[n-2], stack[n-1]
			n--
			switch op.kind {
			case opAdd:
				stack[n-1] = a + b
			case opSub:
				stack[n-1] = a - b
			case opMul:
				stack[n-1] = a * b
			case opDiv:
				stack[n-1] = a / b
			}
		}
	}
	v = stack[0]
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

type mathTok uint8

const (
	tokEnd mathTok = iota
	tokNum
	tokIdent
	tokOp // one of + - * /
	tokLParen
	tokRParen
	tokBad
)

// mathParser is a recursive-descent parser emitting postfix code.
type mathParser struct {
	src     string
	m       *MetricMath
	tok     mathTok
	pos     int // the current token's offset
	end     int // the offset after it
	num     float64
	numErr  bool
	depth   int
	varSlot map[string]int
}

func (p *mathParser) errorf(format string, args ...any) error {
	return &MathError{Expr: p.src, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

// found describes the current token for an "expected X, found Y".
func (p *mathParser) found() string {
	if p.tok == tokEnd {
		return "the end"
	}
	return strconv.Quote(p.src[p.pos:p.end])
}

func isIdentByte(c byte, first bool) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || !first && '0' <= c && c <= '9'
}

// next scans the token after the current one.
func (p *mathParser) next() {
	i := p.end
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t' || p.src[i] == '\n' || p.src[i] == '\r') {
		i++
	}
	p.pos = i
	if i == len(p.src) {
		p.tok, p.end = tokEnd, i
		return
	}
	c := p.src[i]
	switch {
	case c == '+' || c == '-' || c == '*' || c == '/':
		p.tok, p.end = tokOp, i+1
	case c == '(':
		p.tok, p.end = tokLParen, i+1
	case c == ')':
		p.tok, p.end = tokRParen, i+1
	case '0' <= c && c <= '9' || c == '.':
		j := i
		for j < len(p.src) && ('0' <= p.src[j] && p.src[j] <= '9' || p.src[j] == '.') {
			j++
		}
		if j < len(p.src) && (p.src[j] == 'e' || p.src[j] == 'E') {
			j++
			if j < len(p.src) && (p.src[j] == '+' || p.src[j] == '-') {
				j++
			}
			for j < len(p.src) && '0' <= p.src[j] && p.src[j] <= '9' {
				j++
			}
		}
		v, err := strconv.ParseFloat(p.src[i:j], 64)
		p.tok, p.end, p.num, p.numErr = tokNum, j, v, err != nil || math.IsInf(v, 0)
	case isIdentByte(c, true):
		j := i + 1
		for j < len(p.src) && isIdentByte(p.src[j], false) {
			j++
		}
		p.tok, p.end = tokIdent, j
	default:
		p.tok, p.end = tokBad, i+1
	}
}

// binding powers of the binary operators.
func precedence(op byte) int {
	if op == '*' || op == '/' {
		return 2
	}
	return 1
}

func binaryOp(op byte) mathOpKind {
	switch op {
	case '+':
		return opAdd
	case '-':
		return opSub
	case '*':
		return opMul
	}
	return opDiv
}

// expr parses operands joined by operators binding tighter than min.
func (p *mathParser) expr(min int) error {
	if err := p.unary(); err != nil {
		return err
	}
	for p.tok == tokOp && precedence(p.src[p.pos]) > min {
		op := p.src[p.pos]
		p.next()
		if err := p.expr(precedence(op)); err != nil {
			return err
		}
		p.emit(mathOp{kind: binaryOp(op)})
	}
	return nil
}

func (p *mathParser) emit(op mathOp) { p.m.code = append(p.m.code, op) }

func (p *mathParser) unary() error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxMathDepth {
		return p.errorf("nested too deeply, expected at most %d levels", maxMathDepth)
	}
	switch p.tok {
	case tokOp:
		op := p.src[p.pos]
		if op != '-' && op != '+' {
			return p.errorf("expected a number, an Id or '(', found %s", p.found())
		}
		p.next()
		if err := p.unary(); err != nil {
			return err
		}
		if op == '-' {
			p.emit(mathOp{kind: opNeg})
		}
		return nil
	case tokNum:
		if p.numErr {
			return p.errorf("%s is not a finite number", p.found())
		}
		p.emit(mathOp{kind: opConst, num: p.num})
		p.next()
		return nil
	case tokIdent:
		name := p.src[p.pos:p.end]
		start := p.pos
		p.next()
		if p.tok == tokLParen {
			p.pos = start
			return p.errorf("function %s is not supported, expected + - * / of numbers and Ids", name)
		}
		p.emit(mathOp{kind: opVar, arg: p.slot(name)})
		return nil
	case tokLParen:
		p.next()
		if err := p.expr(0); err != nil {
			return err
		}
		if p.tok != tokRParen {
			return p.errorf("expected ')', found %s", p.found())
		}
		p.next()
		return nil
	}
	return p.errorf("expected a number, an Id or '(', found %s", p.found())
}

// slot returns the index of the variable name, adding it on first use.
func (p *mathParser) slot(name string) int {
	if p.varSlot == nil {
		p.varSlot = map[string]int{}
	}
	k, ok := p.varSlot[name]
	if !ok {
		k = len(p.m.vars)
		p.varSlot[name] = k
		p.m.vars = append(p.m.vars, name)
	}
	return k
}
