package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/berthsched/berth/cql"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestSharedFailuresEqualReference is placeEqualsReference for several
// groups whose requests have the same filters, as an overloaded fleet's
// services of one task size: their remembered failures share one
// catch-up (failure.cls). Each group's Place must agree with the plain
// reference, and each FailsAgain that holds must promise no more than
// placing the group again gives, whichever group's Place or FailsAgain
// brought the shared reasons up to date, through releases, placements of
// other requests, instance changes and new instances.
func TestSharedFailuresEqualReference(t *testing.T) {
	exprs := compiledExprs()
	shared, held := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		fast, ref := twinClustersOf(t, 1, 80)
		fast.journalMax = rapid.SampledFrom([]int{0, 2, 8}).Draw(t, "journalMax")
		base := genRequest(t, exprs)
		base.Task.PortsTCP, base.RequiredAttributes, base.Zones = nil, nil, nil
		if rapid.Float64Range(0, 1).Draw(t, "groupFree") < 0.8 { // filters that read nothing of the group
			base.Task.Scalars, base.MaxPerInstance = nil, 0
			base.Constraints = slices.DeleteFunc(slices.Clone(base.Constraints), func(c Constraint) bool {
				return c.Type == DistinctInstance || c.Expr.Uses()&(cql.UsesTaskGroup|cql.UsesRunningTasksCount) != 0
			})
		}
		if rapid.Bool().Draw(t, "tooBig") {
			base.Task.MemoryMiB = 1 << 30
		}
		groups := make([]*Request, rapid.IntRange(2, 4).Draw(t, "groups"))
		for i := range groups {
			r := *base
			r.Group = fmt.Sprintf("service:twin%d", i)
			groups[i] = &r
		}
		isShared := fast.classOf(base) != nil
		if isShared {
			shared++
		}
		seed := rapid.Uint64().Draw(t, "seed")
		rf, rr := rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 1))
		var resF, resR Result
		failed := make([]bool, len(groups))
		failGen := make([]uint64, len(groups))
		failU := make([]Unplaced, len(groups))
		for step := range rapid.IntRange(1, 30).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); op {
			case 0: // release a task
				if len(fast.tasks) == 0 {
					continue
				}
				id := TaskID(rapid.IntRange(0, len(fast.tasks)-1).Draw(t, "release"))
				if errF, errR := fast.Release(id), ref.Release(id); (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: Release(%d) = %v (fast), %v (reference)", step, id, errF, errR)
				}
			case 1: // an instance drains or comes back
				i := rapid.IntRange(0, len(fast.instances)-1).Draw(t, "updateOn")
				st := rapid.SampledFrom([]Status{StatusActive, StatusDraining}).Draw(t, "newStatus")
				change := func(in *Instance) { in.Status = st }
				if err := fast.Update(fast.instances[i], change); err != nil {
					t.Fatal(err)
				}
				if err := ref.Update(ref.instances[i], change); err != nil {
					t.Fatal(err)
				}
			case 2:
				addTwins(t, fast, ref, rapid.IntRange(1, 5).Draw(t, "grow"))
			case 3, 4: // another request, which may fill or free instances
				req := genRequest(t, exprs)
				errF, errR := fast.Place(req, rf, &resF), refPlace(ref, req, rr, &resR)
				if (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: Place error %v (fast), %v (reference)", step, errF, errR)
				}
			default: // a twin group places again, asking FailsAgain first
				g := rapid.IntRange(0, len(groups)-1).Draw(t, "group")
				req := groups[g]
				again := failed[g] && fast.FailsAgain(req.Group, failGen[g])
				if again && isShared {
					held++
				}
				errF, errR := fast.Place(req, rf, &resF), refPlace(ref, req, rr, &resR)
				if (errF == nil) != (errR == nil) {
					t.Fatalf("step %d: Place error %v (fast), %v (reference)", step, errF, errR)
				}
				if again && (len(resR.Placed) > 0 || len(resR.Unplaced) == 0 || resR.Unplaced[0].Reason != failU[g].Reason ||
					resR.Unplaced[0].Scalar != failU[g].Scalar || !sameARN(resR.Unplaced[0].Closest, failU[g].Closest)) {
					t.Fatalf("step %d: FailsAgain(%q, %d) held, but the reference placed %d, unplaced %+v, after %+v",
						step, req.Group, failGen[g], len(resR.Placed), resR.Unplaced, failU[g])
				}
				if diff := cmp.Diff(describe(&resR), describe(&resF)); diff != "" {
					t.Fatalf("step %d: Place(%q) differs from the reference (-ref +fast):\n%s", step, req.Group, diff)
				}
				failed[g] = errF == nil && len(resF.Placed) == 0 && len(resF.Unplaced) > 0
				if failed[g] {
					failGen[g], failU[g] = fast.Generation(), resF.Unplaced[0]
				}
			}
			if diff := stateDiff(ref, fast); diff != "" {
				t.Fatalf("step %d: cluster state differs (-ref +fast):\n%s", step, diff)
			}
		}
	})
	t.Logf("cases with shared failures: %d; FailsAgain held %d times", shared, held)
	if shared == 0 || held == 0 {
		t.Error("no shared failure was asked: the classes went untested")
	}
}
