// Package eventq is the simulator's event queue: a priority queue ordered
// by (time, sequence number), so that events due at the same time come out
// in the order they were pushed.
//
// It is a 4-ary min-heap over a slice of values: no interface boxing, no
// allocation once the slice has grown. A Queue is not safe for concurrent
// use.
package eventq

// Item is a queued value with its due time and sequence number.
type Item[T any] struct {
	At  int64  // due time, in the caller's unit
	Seq uint64 // assigned by Push: the order of pushing
	V   T
}

func (a *Item[T]) before(b *Item[T]) bool {
	return a.At < b.At || a.At == b.At && a.Seq < b.Seq
}

// Queue is a priority queue of T by (At, Seq). The zero value is empty and
// ready to use.
type Queue[T any] struct {
	items []Item[T]
	seq   uint64
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int { return len(q.items) }

// Push queues v at time at and returns its sequence number.
func (q *Queue[T]) Push(at int64, v T) uint64 {
	q.seq++
	q.items = append(q.items, Item[T]{At: at, Seq: q.seq, V: v})
	q.up(len(q.items) - 1)
	return q.seq
}

// Peek returns the first item without removing it; ok is false when the
// queue is empty.
func (q *Queue[T]) Peek() (it Item[T], ok bool) {
	if len(q.items) == 0 {
		return it, false
	}
	return q.items[0], true
}

// Pop removes and returns the first item; ok is false when the queue is
// empty.
func (q *Queue[T]) Pop() (it Item[T], ok bool) {
	n := len(q.items)
	if n == 0 {
		return it, false
	}
	it = q.items[0]
	last := n - 1
	q.items[0] = q.items[last]
	var zero Item[T]
	q.items[last] = zero // drop references for the garbage collector
	q.items = q.items[:last]
	if last > 0 {
		q.down(0)
	}
	return it, true
}

func (q *Queue[T]) up(i int) {
	it := q.items[i]
	for i > 0 {
		p := (i - 1) / 4
		if !it.before(&q.items[p]) {
			break
		}
		q.items[i] = q.items[p]
		i = p
	}
	q.items[i] = it
}

func (q *Queue[T]) down(i int) {
	n := len(q.items)
	it := q.items[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if q.items[k].before(&q.items[m]) {
				m = k
			}
		}
		if !q.items[m].before(&it) {
			break
		}
		q.items[i] = q.items[m]
		i = m
	}
	q.items[i] = it
}
