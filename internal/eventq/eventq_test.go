package eventq

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestQueueStateMachine drives the queue and a plain model (a slice kept
// sorted by (at, seq)) with random pushes, to the heap and to the lane,
// and pops.
func TestQueueStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q Queue[int]
		var model []Item[int]
		var tail int64 // the time of the last item pushed to the lane
		for step := range rapid.IntRange(0, 400).Draw(t, "ops") {
			if op := rapid.IntRange(0, 3).Draw(t, "op"); op < 3 {
				at := rapid.Int64Range(0, 20).Draw(t, "at")
				var seq uint64
				if op == 2 {
					// Mostly in order, as a fixed delay after a clock;
					// otherwise it goes to the heap.
					if rapid.Float64Range(0, 1).Draw(t, "inOrder") < 0.8 {
						at = tail + rapid.Int64Range(0, 3).Draw(t, "later")
					}
					tail = max(tail, at)
					seq = q.PushLane(at, step)
				} else {
					seq = q.Push(at, step)
				}
				model = append(model, Item[int]{At: at, Seq: seq, V: step})
				slices.SortStableFunc(model, func(a, b Item[int]) int {
					if a.before(&b) {
						return -1
					}
					if b.before(&a) {
						return 1
					}
					return 0
				})
			} else {
				got, ok := q.Pop()
				if ok != (len(model) > 0) {
					t.Fatalf("Pop ok = %v with %d queued", ok, len(model))
				}
				if ok {
					if got != model[0] {
						t.Fatalf("Pop = %+v, want %+v", got, model[0])
					}
					model = model[1:]
				}
			}
			if q.Len() != len(model) {
				t.Fatalf("Len = %d, want %d", q.Len(), len(model))
			}
			if p, ok := q.Peek(); ok && p != model[0] {
				t.Fatalf("Peek = %+v, want %+v", p, model[0])
			}
		}
	})
}

func TestSameTimeKeepsPushOrder(t *testing.T) {
	var q Queue[string]
	for _, s := range []string{"a", "b", "c", "d", "e", "f"} {
		q.Push(5, s)
	}
	q.Push(1, "first")
	var got []string
	for q.Len() > 0 {
		it, _ := q.Pop()
		got = append(got, it.V)
	}
	if want := []string{"first", "a", "b", "c", "d", "e", "f"}; !slices.Equal(got, want) {
		t.Errorf("pop order %v, want %v", got, want)
	}
}
