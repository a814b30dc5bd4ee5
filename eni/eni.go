package eni

// Limit is what an instance type allows.
type Limit struct {
	// ENIs is the EC2 limit of network interfaces, the primary one
	// included.
	ENIs int
	// Branch is the ECS branch ENI count with ENI trunking; 0 when the
	// type does not support trunking.
	Branch int
}

// TaskENIs returns how many awsvpc tasks an instance of l hosts: its ENI
// limit minus the primary ENI, or with trunking its branch ENIs (when the
// type supports trunking).
func (l Limit) TaskENIs(trunking bool) int {
	if trunking && l.Branch > 0 {
		return l.Branch
	}
	return max(l.ENIs-1, 0)
}

// Lookup returns the limits of an instance type ("c5.large") and whether
// the table knows it.
func Lookup(instanceType string) (Limit, bool) {
	l, ok := table[instanceType]
	return l, ok
}

// table holds, per instance type:
//
//   - ENIs: "Maximum network interfaces" from the Amazon EC2 User Guide,
//     "Maximum IP addresses per network interface" (Elastic network
//     interfaces, IP addresses per network interface per instance type),
//     the same values EC2's DescribeInstanceTypes reports as
//     NetworkInfo.MaximumNetworkInterfaces;
//   - Branch: "Task limit with ENI trunking" from the Amazon ECS Developer
//     Guide, "Elastic network interface trunking", section "Supported
//     Amazon EC2 instance types" (whose "Task limit without ENI trunking"
//     column is ENIs less one for every type here). The guide names the
//     types that do not support trunking: m5.metal, c5.metal, r5.metal and
//     r5.8xlarge, and the whole g4dn family; t3 is not in its list either.
//     They have Branch 0. A scenario or snapshot can override any type.
var table = map[string]Limit{
	// General purpose, m5.
	"m5.large":    {ENIs: 3, Branch: 10},
	"m5.xlarge":   {ENIs: 4, Branch: 20},
	"m5.2xlarge":  {ENIs: 4, Branch: 40},
	"m5.4xlarge":  {ENIs: 8, Branch: 60},
	"m5.8xlarge":  {ENIs: 8, Branch: 60},
	"m5.12xlarge": {ENIs: 8, Branch: 60},
	"m5.16xlarge": {ENIs: 15, Branch: 120},
	"m5.24xlarge": {ENIs: 15, Branch: 120},
	"m5.metal":    {ENIs: 15}, // no trunking
	// Compute optimized, c5.
	"c5.large":    {ENIs: 3, Branch: 10},
	"c5.xlarge":   {ENIs: 4, Branch: 20},
	"c5.2xlarge":  {ENIs: 4, Branch: 40},
	"c5.4xlarge":  {ENIs: 8, Branch: 60},
	"c5.9xlarge":  {ENIs: 8, Branch: 60},
	"c5.12xlarge": {ENIs: 8, Branch: 60},
	"c5.18xlarge": {ENIs: 15, Branch: 120},
	"c5.24xlarge": {ENIs: 15, Branch: 120},
	"c5.metal":    {ENIs: 15}, // no trunking
	// Memory optimized, r5.
	"r5.large":    {ENIs: 3, Branch: 10},
	"r5.xlarge":   {ENIs: 4, Branch: 20},
	"r5.2xlarge":  {ENIs: 4, Branch: 40},
	"r5.4xlarge":  {ENIs: 8, Branch: 60},
	"r5.8xlarge":  {ENIs: 8}, // no trunking
	"r5.12xlarge": {ENIs: 8, Branch: 60},
	"r5.16xlarge": {ENIs: 15, Branch: 120},
	"r5.24xlarge": {ENIs: 15, Branch: 120},
	"r5.metal":    {ENIs: 15}, // no trunking
	// Burstable, t3: no trunking.
	"t3.nano":    {ENIs: 2},
	"t3.micro":   {ENIs: 2},
	"t3.small":   {ENIs: 3},
	"t3.medium":  {ENIs: 3},
	"t3.large":   {ENIs: 3},
	"t3.xlarge":  {ENIs: 4},
	"t3.2xlarge": {ENIs: 4},
	// Accelerated computing, g4dn: no trunking.
	"g4dn.xlarge":   {ENIs: 3},
	"g4dn.2xlarge":  {ENIs: 3},
	"g4dn.4xlarge":  {ENIs: 3},
	"g4dn.8xlarge":  {ENIs: 4},
	"g4dn.12xlarge": {ENIs: 8},
	"g4dn.16xlarge": {ENIs: 4},
	// Accelerated computing, g5.
	"g5.xlarge":   {ENIs: 4, Branch: 6},
	"g5.2xlarge":  {ENIs: 4, Branch: 19},
	"g5.4xlarge":  {ENIs: 8, Branch: 40},
	"g5.8xlarge":  {ENIs: 8, Branch: 90},
	"g5.12xlarge": {ENIs: 15, Branch: 120},
	"g5.16xlarge": {ENIs: 8, Branch: 120},
	"g5.24xlarge": {ENIs: 15, Branch: 120},
	"g5.48xlarge": {ENIs: 7, Branch: 120},
	// Accelerated computing, p3.
	"p3.2xlarge":  {ENIs: 4, Branch: 40},
	"p3.8xlarge":  {ENIs: 8, Branch: 60},
	"p3.16xlarge": {ENIs: 8, Branch: 120},
}
