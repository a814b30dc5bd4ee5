// Package eni knows how many awsvpc tasks an EC2 instance type can host:
// its elastic network interface (ENI) limit and, with ECS ENI trunking,
// its branch ENI count.
//
// Without trunking, every awsvpc task takes one ENI of its own and the
// instance keeps its primary ENI, so an instance type hosts its EC2 ENI
// limit minus one awsvpc tasks (c5.large: 3 ENIs, so 2 tasks). With
// trunking (the awsvpcTrunking account setting; the agent then attaches a
// trunk ENI and the instance has the ecs.awsvpc-trunk-id attribute) each
// task takes a branch ENI of the trunk instead, and the type hosts its
// branch ENI count (c5.large: 10). A type that does not support trunking
// keeps its count without trunking.
//
// The table covers every size of the families berth's examples, default
// scenario and traces use (m5, c5, r5, t3, g4dn, g5, p3); callers let a
// scenario or snapshot override a type, and treat an unknown type as they
// see fit (Lookup reports it). The table is immutable and safe for
// concurrent use.
package eni
