module github.com/berthsched/berth

go 1.25

require (
	github.com/google/go-cmp v0.7.0
	gonum.org/v1/gonum v0.17.0
	gonum.org/v1/plot v0.17.0
	pgregory.net/rapid v1.3.0
)
