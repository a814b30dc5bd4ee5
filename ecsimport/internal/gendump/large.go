package gendump

import (
	"fmt"
	"time"
)

// Large returns a dump of n instances (m5.xlarge, the fleet's own),
// services services (REPLICA, launch type EC2) and tasks tasks spread
// evenly over the services and instances, split into files as the AWS
// CLI's describe calls take ids (100 instances or tasks, 10 services a
// call), without metrics: the size of a large cluster, for benchmarks.
func Large(n, services, tasks int) Files {
	f := Files{}
	typ := instanceType{"m5.xlarge", 4096, 15576}
	insts := make([]*instance, n)
	for k := range insts {
		key := fmt.Sprintf("large-%d", k)
		insts[k] = &instance{arn: arn("container-instance", cluster+"/"+hexOf(key, 32)), ec2: "i-0" + hexOf(key+"ec2", 16),
			zone: zones[k%len(zones)], typ: typ, registered: Start.Add(-time.Duration(k) * time.Minute)}
	}
	svcs := make([]*service, services)
	for k := range svcs {
		name := fmt.Sprintf("svc-%03d", k)
		svcs[k] = &service{name: name, td: taskDef{family: name, revision: 1, cpu: 256, mem: 512, image: "public.ecr.aws/docker/library/nginx:1.27"}}
	}
	all := make([]task, 0, tasks)
	for k := range tasks {
		s, in := svcs[k%services], insts[k%n]
		s.desired++
		in.usedCPU += s.td.cpu
		in.usedMem += s.td.mem
		in.tasks++
		all = append(all, task{id: hexOf(fmt.Sprintf("large-task-%d", k), 32), service: s.name, td: s.td, in: in, zone: in.zone, started: Start.Add(-time.Hour)})
	}
	for i, part := range chunk(insts, 100) {
		docs := make([]obj, len(part))
		for j, in := range part {
			docs[j] = in.doc()
			delete(docs[j], "capacityProviderName")
		}
		f[fmt.Sprintf("instances-%03d.json", i)] = encode(obj{"containerInstances": docs, "failures": []obj{}})
	}
	for i, part := range chunk(all, 100) {
		docs := make([]obj, len(part))
		for j, t := range part {
			docs[j] = t.doc()
		}
		f[fmt.Sprintf("tasks-%03d.json", i)] = encode(obj{"tasks": docs, "failures": []obj{}})
	}
	for i, part := range chunk(svcs, 10) {
		docs := make([]obj, len(part))
		for j, s := range part {
			docs[j] = s.doc(s.desired)
			f["taskdef-"+s.name+".json"] = encode(s.td.doc())
		}
		f[fmt.Sprintf("services-%03d.json", i)] = encode(obj{"services": docs, "failures": []obj{}})
	}
	return f
}
