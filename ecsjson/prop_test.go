package ecsjson

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestReadSnapshotRoundTrip checks that whatever the AWS CLI could print
// for a snapshot reads back as that snapshot, whichever of the accepted
// forms the document uses.
func TestReadSnapshotRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSnapshot(t)
		enc := encoding{
			epoch:      rapid.Bool().Draw(t, "epoch"),
			omitCounts: rapid.Bool().Draw(t, "omitCounts"),
			numbers:    rapid.Bool().Draw(t, "numbers"),
		}
		want := expected(s, enc)
		got, err := ReadSnapshot(bytes.NewReader(encode(s, enc)))
		if err != nil {
			t.Fatalf("ReadSnapshot(encode(s)): %v\n%s", err, encode(s, enc))
		}
		if diff := cmp.Diff(want, got, ignoreGroups, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ReadSnapshot(encode(s)) mismatch (-want +got):\n%s", diff)
		}
		checkGroups(t, got)
	})
}

// expected is what reading encode(s, enc) must give: s with the group
// ECS derives for a task without one, and the counts the reader derives
// when the document omits them.
func expected(s *Snapshot, enc encoding) *Snapshot {
	want := &Snapshot{ContainerInstances: slices.Clone(s.ContainerInstances), Tasks: slices.Clone(s.Tasks)}
	for i := range want.Tasks {
		if t := &want.Tasks[i]; t.Group == "" && t.TaskDefinitionARN != "" {
			t.Group = "family:web"
		}
	}
	if enc.omitCounts {
		for i := range want.ContainerInstances {
			c := &want.ContainerInstances[i]
			c.RunningCount, c.PendingCount = 0, 0
			for _, t := range want.Tasks {
				if t.ContainerInstanceARN != c.ARN {
					continue
				}
				if t.DesiredStatus == "RUNNING" {
					c.RunningCount++
				}
				if t.LastStatus == "PENDING" {
					c.PendingCount++
				}
			}
		}
	}
	return want
}

// checkGroups checks TaskGroups against its definition: exactly the
// non-empty groups of the tasks on the instance whose lastStatus is
// PENDING, ACTIVATING or RUNNING, each once.
func checkGroups(t interface{ Fatalf(string, ...any) }, s *Snapshot) {
	for i := range s.ContainerInstances {
		c := &s.ContainerInstances[i]
		want := map[string]bool{}
		for _, task := range s.Tasks {
			counts := task.LastStatus == "PENDING" || task.LastStatus == "ACTIVATING" || task.LastStatus == "RUNNING"
			if task.ContainerInstanceARN == c.ARN && counts && task.Group != "" {
				want[task.Group] = true
			}
		}
		got := map[string]bool{}
		for _, g := range c.TaskGroups() {
			if got[g] {
				t.Fatalf("%s: TaskGroups() = %q repeats %q", c.ARN, c.TaskGroups(), g)
			}
			got[g] = true
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s: TaskGroups() mismatch (-want +got):\n%s", c.ARN, diff)
		}
	}
}
