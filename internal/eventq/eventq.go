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
//
// Besides the heap it keeps a lane: a first-in first-out list of items
// pushed in (At, Seq) order (PushLane), such as the ticks a simulator
// queues a fixed delay after now, every time: thousands of them queued at
// once would each cost a heap's push and pop, where the lane appends and
// takes its head. Pop takes whichever of the heap's and the lane's first
// items comes first, so the order is the same as with one heap.
type Queue[T any] struct {
	items []Item[T]
	seq   uint64
	lane  []Item[T]
	head  int // the lane's first item
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int { return len(q.items) + len(q.lane) - q.head }

// PushLane is Push into the lane, which takes an item due no earlier than
// its last one; an earlier one goes to the heap.
func (q *Queue[T]) PushLane(at int64, v T) uint64 {
	if n := len(q.lane); n > q.head && at < q.lane[n-1].At {
		return q.Push(at, v)
	}
	if q.head > 0 && q.head >= len(q.lane)/2 { // reuse the room taken items left
		n := copy(q.lane, q.lane[q.head:])
		clear(q.lane[n:])
		q.lane, q.head = q.lane[:n], 0
	}
	q.seq++
	q.lane = append(q.lane, Item[T]{At: at, Seq: q.seq, V: v})
	return q.seq
}

// laneFirst reports whether the next item is the lane's.
func (q *Queue[T]) laneFirst() bool {
	return q.head < len(q.lane) && (len(q.items) == 0 || q.lane[q.head].before(&q.items[0]))
}

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
	if q.laneFirst() {
		return q.lane[q.head], true
	}
	if len(q.items) == 0 {
		return it, false
	}
	return q.items[0], true
}

// Pop removes and returns the first item; ok is false when the queue is
// empty.
func (q *Queue[T]) Pop() (it Item[T], ok bool) {
	if q.laneFirst() {
		it = q.lane[q.head]
		var zero Item[T]
		q.lane[q.head] = zero // drop references for the garbage collector
		q.head++
		return it, true
	}
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
