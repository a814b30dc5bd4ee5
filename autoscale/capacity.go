package autoscale

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// CapacityProviderStrategyItem is one provider of a capacity provider
// strategy. Weight 0 and Base 0 are the API defaults.
type CapacityProviderStrategyItem struct {
	CapacityProvider string
	Weight           int
	Base             int
}

// CapacityProviderStrategy splits a service's or a RunTask call's tasks
// among capacity providers. Call Validate before Split.
type CapacityProviderStrategy []CapacityProviderStrategyItem

// Limits of a strategy (docs/ecs-behaviour.md 5.1).
const (
	MaxStrategyItems = 20
	MaxWeight        = 1000
	MaxBase          = 100000
)

// Validate checks the rules of a strategy (docs/ecs-behaviour.md 5.1,
// case 83): names present and distinct, weight 0-1000, base 0-100000, at most one base, some weight
// above 0 when there are several providers, no FARGATE provider mixed
// with Auto Scaling group providers.
func (s CapacityProviderStrategy) Validate() error {
	if len(s) == 0 {
		return fieldErrorf("capacityProviderStrategy", "empty")
	}
	if len(s) > MaxStrategyItems {
		return fieldErrorf("capacityProviderStrategy", "%d providers, expected at most %d", len(s), MaxStrategyItems)
	}
	base, weighted, fargate := -1, false, 0
	seen := map[string]bool{}
	for i, it := range s {
		switch {
		case it.CapacityProvider == "":
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].capacityProvider", i), "missing")
		case seen[it.CapacityProvider]:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].capacityProvider", i), "%q appears twice", it.CapacityProvider)
		case it.Weight < 0 || it.Weight > MaxWeight:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].weight", i), "%d, expected 0 to %d", it.Weight, MaxWeight)
		case it.Base < 0 || it.Base > MaxBase:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].base", i), "%d, expected 0 to %d", it.Base, MaxBase)
		case it.Base > 0 && base >= 0:
			return fieldErrorf(fmt.Sprintf("capacityProviderStrategy[%d].base", i), "%d, but item %d already defines a base; only one may", it.Base, base)
		}
		seen[it.CapacityProvider] = true
		if it.Base > 0 {
			base = i
		}
		weighted = weighted || it.Weight > 0
		if it.CapacityProvider == "FARGATE" || it.CapacityProvider == "FARGATE_SPOT" {
			fargate++
		}
	}
	if len(s) > 1 && !weighted {
		return fieldErrorf("capacityProviderStrategy", "every weight is 0, expected at least one above 0")
	}
	if fargate > 0 && fargate < len(s) {
		return fieldErrorf("capacityProviderStrategy", "mixes FARGATE providers with Auto Scaling group providers")
	}
	return nil
}

// ErrLaunchTypeAndStrategy is returned when both a launch type and a
// capacity provider strategy are given.
var ErrLaunchTypeAndStrategy = errors.New("autoscale: launchType: given with a capacityProviderStrategy, expected one of them")

// ResolveStrategy returns the strategy that applies to a service or
// RunTask call: none when it names a launch type, its own strategy when
// it has one, otherwise the cluster's default (case 84).
func ResolveStrategy(launchType string, strategy, clusterDefault CapacityProviderStrategy) (CapacityProviderStrategy, error) {
	switch {
	case launchType != "" && len(strategy) > 0:
		return nil, ErrLaunchTypeAndStrategy
	case launchType != "":
		return nil, nil
	case len(strategy) > 0:
		return strategy, nil
	}
	return clusterDefault, nil
}

// Split returns how many of n tasks go to each provider:
// the base first, then each further task to the provider furthest below
// its weighted share of the tasks beyond the base, ties to the earlier
// provider. Weight-0 providers get only their base. There is no
// fallback: a provider gets its share whether or not it has capacity
// (case 86). With a single weight-0 provider, it gets every task.
func (s CapacityProviderStrategy) Split(n int) []int {
	counts := make([]int, len(s))
	total := 0
	for i, it := range s {
		if it.Base > 0 {
			counts[i] = min(it.Base, n)
			n -= counts[i]
		}
		total += it.Weight
	}
	if n <= 0 || len(s) == 0 {
		return counts
	}
	if total == 0 {
		counts[0] += n
		return counts
	}
	extra := make([]int, len(s)) // tasks beyond the base
	for k := 1; k <= n; k++ {
		best, bestDeficit := -1, 0
		for i, it := range s {
			// share = weight/total x k; deficit scaled by total stays integral.
			d := it.Weight*k - extra[i]*total
			if best < 0 || d > bestDeficit {
				best, bestDeficit = i, d
			}
		}
		extra[best]++
		counts[best]++
	}
	return counts
}

// Next returns the provider that task n+1 goes to, given counts =
// s.Split(n): s.Split(n+1) is counts with one more at that index. It
// places a stream of tasks one at a time in O(len(s)) each, where calling
// Split for every task would take O(n) each. s must not be empty.
func (s CapacityProviderStrategy) Next(counts []int) int {
	total, base := 0, 0
	for i, it := range s {
		if counts[i] < it.Base {
			return i // the bases fill first, in order
		}
		total += it.Weight
		base += it.Base
	}
	if total == 0 {
		return 0
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	k := n - base + 1 // the extra task being placed
	best, bestDeficit := 0, 0
	for i, it := range s {
		d := it.Weight*k - (counts[i]-it.Base)*total
		if i == 0 || d > bestDeficit {
			best, bestDeficit = i, d
		}
	}
	return best
}

// MaxProvisioningTasks is how many tasks a cluster may hold in
// PROVISIONING while capacity providers scale out (docs/ecs-behaviour.md 5.4).
const MaxProvisioningTasks = 300

// ErrProvisioningLimit is returned by CheckProvisioning past the limit.
var ErrProvisioningLimit = errors.New("autoscale: ClientException: the cluster already has 300 tasks in PROVISIONING")

// CheckProvisioning reports whether adding tasks to a cluster with
// provisioning tasks already waiting stays within MaxProvisioningTasks
// (case 93).
func CheckProvisioning(provisioning, adding int) error {
	if provisioning+adding > MaxProvisioningTasks {
		return ErrProvisioningLimit
	}
	return nil
}

// ManagedScaling is an Auto Scaling group provider's managedScaling. Zero
// values mean the API defaults: Status ENABLED, TargetCapacity 100,
// MinimumScalingStepSize 1, MaximumScalingStepSize 10000,
// InstanceWarmupPeriod 300 s (a negative InstanceWarmupPeriod means 0).
// Call Validate.
type ManagedScaling struct {
	Status                 string
	TargetCapacity         int
	MinimumScalingStepSize int
	MaximumScalingStepSize int
	InstanceWarmupPeriod   time.Duration
}

// The ENABLED and DISABLED values of managedScaling.status and
// managedTerminationProtection.
const (
	Enabled  = "ENABLED"
	Disabled = "DISABLED"
)

// Validate checks the ranges of the settings (docs/ecs-behaviour.md 5.2, case 87).
func (m ManagedScaling) Validate() error {
	switch {
	case m.Status != "" && m.Status != Enabled && m.Status != Disabled:
		return fieldErrorf("managedScaling.status", "%q, expected ENABLED or DISABLED", m.Status)
	case m.TargetCapacity < 0 || m.TargetCapacity > 100:
		return fieldErrorf("managedScaling.targetCapacity", "%d, expected 1 to 100", m.TargetCapacity)
	case m.MinimumScalingStepSize < 0 || m.MinimumScalingStepSize > 10000:
		return fieldErrorf("managedScaling.minimumScalingStepSize", "%d, expected 1 to 10000", m.MinimumScalingStepSize)
	case m.MaximumScalingStepSize < 0 || m.MaximumScalingStepSize > 10000:
		return fieldErrorf("managedScaling.maximumScalingStepSize", "%d, expected 1 to 10000", m.MaximumScalingStepSize)
	case m.withDefaults().MaximumScalingStepSize < m.withDefaults().MinimumScalingStepSize:
		return fieldErrorf("managedScaling.maximumScalingStepSize", "%d is below minimumScalingStepSize %d", m.MaximumScalingStepSize, m.MinimumScalingStepSize)
	case m.InstanceWarmupPeriod > 10000*time.Second || m.InstanceWarmupPeriod%time.Second != 0:
		return fieldErrorf("managedScaling.instanceWarmupPeriod", "%v, expected 0 to 10000 whole seconds", m.InstanceWarmupPeriod)
	}
	return nil
}

func (m ManagedScaling) withDefaults() ManagedScaling {
	if m.Status == "" {
		m.Status = Enabled
	}
	if m.TargetCapacity == 0 {
		m.TargetCapacity = 100
	}
	if m.MinimumScalingStepSize == 0 {
		m.MinimumScalingStepSize = 1
	}
	if m.MaximumScalingStepSize == 0 {
		m.MaximumScalingStepSize = 10000
	}
	switch {
	case m.InstanceWarmupPeriod == 0:
		m.InstanceWarmupPeriod = 300 * time.Second
	case m.InstanceWarmupPeriod < 0:
		m.InstanceWarmupPeriod = 0
	}
	return m
}

// Reservation returns the CapacityProviderReservation metric, M / N x
// 100, with its special cases: 100 when M = N = 0, 200 when N = 0 < M
// (docs/ecs-behaviour.md 5.3, case 88).
func Reservation(m, n int) float64 {
	switch {
	case n == 0 && m == 0:
		return 100
	case n == 0:
		return 200
	}
	return float64(m) / float64(n) * 100
}

// SteadyInstances returns the instance count at which target tracking on
// the reservation settles for M needed instances: ceil(100 x M /
// targetCapacity) (case 89).
func SteadyInstances(m, targetCapacity int) int {
	if targetCapacity <= 0 {
		targetCapacity = 100
	}
	return (100*m + targetCapacity - 1) / targetCapacity
}

// StepSize returns how many instances one managed scale-out adds for a
// calculated need (docs/ecs-behaviour.md 5.4 step 5, case 90).
func (m ManagedScaling) StepSize(need int) int {
	d := m.withDefaults()
	if need < d.MinimumScalingStepSize {
		return d.MinimumScalingStepSize
	}
	return min(need, d.MaximumScalingStepSize)
}

// FromZeroInstances is how many instances managed scale-out launches when
// the group has none: the reservation is then 200%, and the guide's
// cluster auto scaling considerations say the first step goes to 200%,
// two instances, whatever the demand; the next step waits for their
// warm-up.
const FromZeroInstances = 2

// firstStep is the first scale-out step from no instances: two, within
// the step sizes.
func (m ManagedScaling) firstStep() int {
	d := m.withDefaults()
	return min(max(FromZeroInstances, d.MinimumScalingStepSize), d.MaximumScalingStepSize)
}

// InstanceType is an EC2 instance type as managed scaling sees it: its
// registered CPU units (1024 = 1 vCPU), memory in MiB and GPUs.
type InstanceType struct {
	Name      string
	CPU       int
	MemoryMiB int
	GPUs      int
	// PricePerHour is the on-demand price, for the lowest-price and
	// price-capacity-optimized allocation strategies.
	PricePerHour float64
}

// TaskSize is what one task reserves, in the units of InstanceType.
type TaskSize struct {
	CPU       int
	MemoryMiB int
	GPUs      int
}

// fits returns how many tasks of size t one instance of type it holds.
func (it InstanceType) fits(t TaskSize) int {
	n := math.MaxInt
	for _, d := range [][2]int{{it.CPU, t.CPU}, {it.MemoryMiB, t.MemoryMiB}, {it.GPUs, t.GPUs}} {
		if d[1] > 0 {
			n = min(n, d[0]/d[1])
		}
	}
	return n
}

func lessInstanceType(a, b InstanceType) bool {
	if a.CPU != b.CPU {
		return a.CPU < b.CPU
	}
	if a.MemoryMiB != b.MemoryMiB {
		return a.MemoryMiB < b.MemoryMiB
	}
	return a.GPUs < b.GPUs
}

// InstancesNeeded bin-packs the provisioning tasks onto hypothetical
// instances as managed scale-out does (docs/ecs-behaviour.md 5.4 steps 2-4): tasks are
// grouped by size; a group that the smallest instance type cannot hold
// even once is excluded (its tasks keep waiting); each other group is
// packed onto the largest type. It returns the instances needed and how
// many tasks were excluded.
func InstancesNeeded(types []InstanceType, provisioning []TaskSize) (need, excluded int) {
	if len(types) == 0 {
		return 0, len(provisioning)
	}
	// Callers list a service's waiting tasks together: one map update per
	// run of equal sizes, not per task (thousands in an overloaded fleet,
	// every minute).
	groups := map[TaskSize]int{}
	for i := 0; i < len(provisioning); {
		t, j := provisioning[i], i+1
		for j < len(provisioning) && provisioning[j] == t {
			j++
		}
		groups[t] += j - i
		i = j
	}
	smallest, largest := extremes(types)
	for size, n := range groups {
		need, excluded = addNeeded(smallest, largest, size, n, need, excluded)
	}
	return need, excluded
}

// SizeCount is how many waiting tasks have one size.
type SizeCount struct {
	Size TaskSize
	N    int
}

// InstancesNeededBySize is InstancesNeeded for tasks counted by size
// rather than listed one by one: a caller that keeps its waiting tasks
// counted (thousands of a few sizes in an overloaded fleet, every minute)
// need not list them. Each size must appear at most once (the packing of
// a size is not the sum of packing its parts); counts of zero or less
// are ignored.
func InstancesNeededBySize(types []InstanceType, waiting []SizeCount) (need, excluded int) {
	if len(types) == 0 {
		return 0, WaitingTasks(waiting)
	}
	smallest, largest := extremes(types)
	for _, c := range waiting {
		if c.N > 0 {
			need, excluded = addNeeded(smallest, largest, c.Size, c.N, need, excluded)
		}
	}
	return need, excluded
}

// WaitingTasks is how many tasks the counts hold.
func WaitingTasks(waiting []SizeCount) int {
	n := 0
	for _, c := range waiting {
		n += max(c.N, 0)
	}
	return n
}

// extremes returns the smallest and largest of types (not empty).
func extremes(types []InstanceType) (smallest, largest InstanceType) {
	smallest, largest = types[0], types[0]
	for _, t := range types[1:] {
		if lessInstanceType(t, smallest) {
			smallest = t
		}
		if lessInstanceType(largest, t) {
			largest = t
		}
	}
	return smallest, largest
}

// addNeeded adds n (> 0) tasks of size to need and excluded: excluded
// when the smallest or largest type cannot hold one, else packed onto the
// largest type.
func addNeeded(smallest, largest InstanceType, size TaskSize, n, need, excluded int) (int, int) {
	if smallest.fits(size) < 1 || largest.fits(size) < 1 {
		return need, excluded + n
	}
	per := largest.fits(size)
	if per >= n {
		return need + 1, excluded
	}
	return need + (n+per-1)/per, excluded
}

// Instance is a running container instance of a provider's group.
type Instance struct {
	ID         string
	LaunchTime time.Time
	// NonDaemonTasks counts the tasks it runs other than DAEMON service
	// tasks; an instance without any is empty (docs/ecs-behaviour.md 5.5).
	NonDaemonTasks int
}

// AutoScalingGroupProvider is an ECS capacity provider backed by an Auto
// Scaling group, with the group's instance types given as plain values.
// ManagedTerminationProtection "" means DISABLED; it only has effect with
// managed scaling enabled (case 95). Call Validate.
type AutoScalingGroupProvider struct {
	Name                         string
	ManagedScaling               ManagedScaling
	ManagedTerminationProtection string
	// InstanceTypes are the group's instance types: its launch template
	// overrides in priority order when it has several.
	InstanceTypes []InstanceType
	// InstancesDistribution is the group's MixedInstancesPolicy
	// distribution (see NextLaunch).
	InstancesDistribution InstancesDistribution
}

// Validate checks the provider's fields.
func (p *AutoScalingGroupProvider) Validate() error {
	if err := p.ManagedScaling.Validate(); err != nil {
		return err
	}
	if err := p.InstancesDistribution.Validate(); err != nil {
		return err
	}
	switch p.ManagedTerminationProtection {
	case "", Enabled, Disabled:
	default:
		return fieldErrorf("managedTerminationProtection", "%q, expected ENABLED or DISABLED", p.ManagedTerminationProtection)
	}
	n := p.Name
	if n == "" || len(n) > 255 || strings.IndexFunc(n, func(r rune) bool {
		return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return fieldErrorf("name", "%q, expected 1 to 255 letters, digits, '_' or '-'", n)
	}
	for _, prefix := range []string{"aws", "ecs", "fargate"} {
		if strings.HasPrefix(strings.ToLower(n), prefix) {
			return fieldErrorf("name", "%q starts with %q, which is reserved", n, prefix)
		}
	}
	for i, t := range p.InstanceTypes {
		if t.CPU < 0 || t.MemoryMiB < 0 || t.GPUs < 0 {
			return fieldErrorf(fmt.Sprintf("InstanceTypes[%d]", i), "%s has a negative resource", t.Name)
		}
	}
	return nil
}

// ErrProviderInUse is returned when a provider with managed scaling is
// associated with a second cluster (case 96).
var ErrProviderInUse = errors.New("autoscale: capacityProvider: managed scaling is enabled and the provider already belongs to a cluster")

// CanAssociate reports whether the provider may be associated with one
// more cluster, given how many it already belongs to.
func (p *AutoScalingGroupProvider) CanAssociate(clusters int) error {
	if p.ManagedScaling.withDefaults().Status == Enabled && clusters > 0 {
		return ErrProviderInUse
	}
	return nil
}

// TerminationProtected reports whether managed termination protection is
// in effect: enabled, and paired with managed scaling (case 95).
func (p *AutoScalingGroupProvider) TerminationProtected() bool {
	return p.ManagedTerminationProtection == Enabled && p.ManagedScaling.withDefaults().Status == Enabled
}

// ProviderInput is what managed scaling reads at one evaluation.
type ProviderInput struct {
	Now time.Time
	// Instances are the group's running instances.
	Instances []Instance
	// Busy, when Counted, is how many Instances have a non-daemon task:
	// a caller that keeps them counted spares Scale the walk over them.
	Busy    int
	Counted bool
	// Provisioning are the tasks waiting for capacity on this provider.
	Provisioning []TaskSize
	// Waiting, when not nil, counts the waiting tasks by size (each size
	// once) and replaces Provisioning: a caller that keeps them counted
	// need not list them.
	Waiting []SizeCount
	// Reservations are the CapacityProviderReservation datapoints of the
	// previous minutes, oldest first; scale-in needs the last
	// ScaleInDatapoints-1 of them and the current one below target.
	Reservations []float64
}

// ScaleInDatapoints is how many consecutive one-minute datapoints below
// target managed scaling waits for before scaling in (docs/ecs-behaviour.md 5.5).
const ScaleInDatapoints = 15

// ProviderDecision is the outcome of one managed-scaling evaluation.
type ProviderDecision struct {
	// M and N are the instances needed and running; Reservation is
	// M / N x 100, the datapoint to append to the next input's
	// Reservations.
	M, N        int
	Reservation float64
	// Excluded counts provisioning tasks that no instance type can hold.
	Excluded int
	// DesiredCapacity is the Auto Scaling group's new desired capacity.
	DesiredCapacity int
	// Launch is how many instances to add, Terminate the IDs to remove.
	Launch    int
	Terminate []string
	// Reason says why the capacity changed ("" when it did not).
	Reason string
}

// Scale runs managed scaling once. M is the instances with a non-daemon
// task plus the instances that the provisioning tasks need
// (InstancesNeeded). Above the target capacity it scales out by StepSize
// of the shortfall from SteadyInstances, unless an instance is still in
// its warm-up; from no instances at all the first step is
// FromZeroInstances. Below it for ScaleInDatapoints datapoints it scales in
// toward SteadyInstances, at most ScaleInStep instances per evaluation
// (the next evaluation, a minute later, goes on while the datapoints stay
// low), removing instances whose tasks are all daemon tasks when managed
// termination protection is on, and otherwise the oldest
// instances first (the Auto Scaling group's own choice, which may not be
// empty). When every provisioning task is excluded the reservation stays
// at the target capacity and nothing happens.
func (p *AutoScalingGroupProvider) Scale(in ProviderInput) ProviderDecision {
	ms := p.ManagedScaling.withDefaults()
	d := ProviderDecision{N: len(in.Instances), DesiredCapacity: len(in.Instances)}
	busy := in.Busy
	if !in.Counted {
		busy = 0
		for _, i := range in.Instances {
			if i.NonDaemonTasks > 0 {
				busy++
			}
		}
	}
	var need, excluded, waiting int
	if in.Waiting != nil {
		need, excluded = InstancesNeededBySize(p.InstanceTypes, in.Waiting)
		waiting = WaitingTasks(in.Waiting)
	} else {
		need, excluded = InstancesNeeded(p.InstanceTypes, in.Provisioning)
		waiting = len(in.Provisioning)
	}
	d.M, d.Excluded = busy+need, excluded
	d.Reservation = Reservation(d.M, d.N)
	if waiting > 0 && excluded == waiting {
		d.Reservation = float64(ms.TargetCapacity)
	}
	if ms.Status != Enabled {
		return d
	}
	target := float64(ms.TargetCapacity)
	steady := SteadyInstances(d.M, ms.TargetCapacity)
	switch {
	case d.Reservation > target:
		for _, i := range in.Instances {
			if in.Now.Sub(i.LaunchTime) < ms.InstanceWarmupPeriod {
				return d // wait for the warm-up (case 91)
			}
		}
		d.Launch = ms.StepSize(max(steady-d.N, 1))
		if d.N == 0 {
			d.Launch = ms.firstStep()
		}
		d.DesiredCapacity = d.N + d.Launch
		d.Reason = fmt.Sprintf("CapacityProviderReservation %s above target %d (M=%d N=%d): launch %d", fmtFloat(d.Reservation), ms.TargetCapacity, d.M, d.N, d.Launch)
	case d.Reservation < target && steady < d.N && lowFor(in.Reservations, target, ScaleInDatapoints-1):
		d.Terminate = p.victims(in.Instances, min(d.N-steady, ScaleInStep(d.N)))
		if len(d.Terminate) == 0 {
			return d
		}
		d.DesiredCapacity = d.N - len(d.Terminate)
		d.Reason = fmt.Sprintf("CapacityProviderReservation %s below target %d for %d datapoints (M=%d N=%d): terminate %s",
			fmtFloat(d.Reservation), ms.TargetCapacity, ScaleInDatapoints, d.M, d.N, strings.Join(d.Terminate, " "))
	}
	return d
}

// ScaleInStep is how many of n instances one managed scale-in evaluation
// may remove. The ECS guide says that once scale-in starts, the Auto
// Scaling group lowers DesiredCapacity each minute "by more than one
// instance and less than 50%"; berth reads it as at most the largest
// count strictly below half of n, and at least one so that a group of one
// or two still shrinks: max(1, (n-1)/2). Ten instances lose at most 4 a
// minute, then 6 lose 2, 4 and 3 lose 1.
func ScaleInStep(n int) int {
	return max(1, (n-1)/2)
}

// lowFor reports whether the last n datapoints are all below target.
func lowFor(points []float64, target float64, n int) bool {
	if len(points) < n {
		return false
	}
	for _, v := range points[len(points)-n:] {
		if !(v < target) {
			return false
		}
	}
	return true
}

// victims picks up to n instances to terminate, the oldest first (a
// stable sort: equals keep their order), leaving out protected ones.
// Instances usually come in launch order, and a group scaling in is asked
// every minute: then it neither copies nor sorts them.
func (p *AutoScalingGroupProvider) victims(instances []Instance, n int) []string {
	c := instances
	if !slices.IsSortedFunc(instances, func(a, b Instance) int { return a.LaunchTime.Compare(b.LaunchTime) }) {
		c = slices.Clone(instances)
		sort.SliceStable(c, func(a, b int) bool { return c[a].LaunchTime.Before(c[b].LaunchTime) })
	}
	var ids []string
	for _, i := range c {
		if len(ids) == n {
			break
		}
		if p.TerminationProtected() && i.NonDaemonTasks > 0 {
			continue // scale-in protection kept on (docs/ecs-behaviour.md 5.5)
		}
		ids = append(ids, i.ID)
	}
	return ids
}
