package scenario

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/berthsched/berth/fielderr"
	"github.com/berthsched/berth/internal/printable"
)

// InstanceSpec is one container instance named explicitly, as
// describe-container-instances lists it: a scenario imported from a real
// cluster starts with the cluster's own instances (berth import ecs).
// The instance registers its type's cpu and memory, and carries exactly
// Attributes besides the three berth derives from Type and Zone
// (ecs.instance-type, ecs.availability-zone, and the capacity provider's
// berth.capacity-provider): no made-up AMI or capability attributes.
type InstanceSpec struct {
	// ID names the instance in tasks and logs: its containerInstanceArn
	// (an ARN is used as the instance's ARN), unique in the fleet.
	ID string `json:"id"`
	// EC2InstanceID is its ec2InstanceId, such as "i-0abc1234"; "" makes
	// one up.
	EC2InstanceID string `json:"ec2InstanceId,omitempty"`
	// Type names one of fleet.instanceTypes; Zone is its availability zone.
	Type string `json:"type"`
	Zone string `json:"zone"`
	// Status is ACTIVE (the default) or DRAINING.
	Status string `json:"status,omitempty"`
	// AgentVersion is versionInfo.agentVersion (default: the type's).
	AgentVersion string `json:"agentVersion,omitempty"`
	// Attributes are the instance's attributes by name; a capability
	// attribute without a value has "".
	Attributes map[string]string `json:"attributes,omitempty"`
	// CapacityProvider names one of capacityProviders whose Auto Scaling
	// group the instance belongs to: the group starts with its explicit
	// instances and launches only what its desiredCapacity asks beyond
	// them.
	CapacityProvider string `json:"capacityProvider,omitempty"`
}

// InitialTaskSpec is a task of a service running when the run starts, as
// describe-tasks lists it: RUNNING, on the named instance, of the
// service's task definition, and counted by its deployment from time 0.
type InitialTaskSpec struct {
	// ID is its taskArn (or task id), unique in the scenario.
	ID string `json:"id"`
	// Instance is the ID of one of fleet.instances; "" for a task on
	// FARGATE or FARGATE_SPOT, whose capacity is then provisioned at once.
	Instance string `json:"instance,omitempty"`
}

// UsageSeries is a service's measured use, one value per Every from
// simulated time 0 (the last value holds after the series ends); the
// usage's load factor (steps, dailyCycle, trace) multiplies it. CPU is in
// CPU units and Memory in MiB used by the whole service; RequestsPerSecond
// are the requests its load balancer sends it. A series that is absent
// leaves that part of the use to UsageSpec's other fields.
type UsageSeries struct {
	Every             Duration  `json:"every"`
	CPU               []float64 `json:"cpu,omitempty"`
	Memory            []float64 `json:"memory,omitempty"`
	RequestsPerSecond []float64 `json:"requestsPerSecond,omitempty"`
}

// At returns the index of the value in force at t, and false for a
// series without values.
func (s *UsageSeries) At(t time.Duration, values []float64) (float64, bool) {
	if len(values) == 0 || s.Every <= 0 {
		return 0, false
	}
	i := min(int(t/time.Duration(s.Every)), len(values)-1)
	return values[max(i, 0)], true
}

// ImportRecord is what berth import ecs wrote down about the documents a
// scenario was made from; the simulator does not read it.
type ImportRecord struct {
	// Read lists each file read: its name, the document kind and how many
	// items it held.
	Read []ImportedFile `json:"read"`
	// Assumed lists, one line each, what the import had to assume.
	Assumed []string `json:"assumed"`
	// NotModelled lists what the documents gave that berth does not model.
	NotModelled []string `json:"notModelled"`
	// Unpriced lists the instance types the import had no price for
	// (berth import ecs without --prices): their instances count 0 in a
	// cost, and a run whose instances include one reports its cost as
	// unknown (sim.Summary.CostUnknown).
	Unpriced []string `json:"unpriced,omitempty"`
}

// Unpriced reports whether instances of type typ have no known price: the
// import that wrote the scenario had none.
func (sc *Scenario) Unpriced(typ string) bool {
	return sc.Import != nil && slices.Contains(sc.Import.Unpriced, typ)
}

// ImportedFile is one file an import read.
type ImportedFile struct {
	File  string `json:"file"`
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// StartTime is the wall-clock time of simulated time 0: Start, or Epoch
// when the scenario gives none.
func (sc *Scenario) StartTime() time.Time {
	if sc.Start == nil {
		return Epoch
	}
	return time.Time(*sc.Start)
}

// Timestamp is a wall-clock time read from JSON in RFC 3339
// ("2025-03-10T00:00:00Z", "2025-03-10T08:00:00+01:00").
type Timestamp time.Time

// UnmarshalJSON implements json.Unmarshaler.
func (ts *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s, expected an RFC 3339 time such as \"2025-03-10T00:00:00Z\"", fielderr.Shorten(string(b), 40))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("%q, expected an RFC 3339 time such as \"2025-03-10T00:00:00Z\"", fielderr.Shorten(s, 40))
	}
	*ts = Timestamp(t)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (ts Timestamp) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(ts).Format(time.RFC3339Nano))
}

// validateInstances checks fleet.instances against the instance types and
// capacity providers, and returns the instances by ID.
func (sc *Scenario) validateInstances() (map[string]*InstanceSpec, error) {
	f := &sc.Fleet
	types := map[string]bool{}
	for _, t := range f.InstanceTypes {
		types[t.Name] = true
	}
	providers := map[string]bool{}
	for _, p := range sc.CapacityProviders {
		providers[p.Name] = true
	}
	byID := make(map[string]*InstanceSpec, len(f.Instances))
	for i := range f.Instances {
		in := &f.Instances[i]
		p := fielderr.Index("fleet.instances", i)
		switch {
		case in.ID == "":
			return nil, fielderr.Errorf(p+".id", "missing")
		case printable.Check(in.ID) != nil:
			return nil, fielderr.Errorf(p+".id", "%q %v", fielderr.Shorten(in.ID, 80), printable.Check(in.ID))
		case byID[in.ID] != nil:
			return nil, fielderr.Errorf(p+".id", "%q is listed twice, expected each instance once", in.ID)
		case !types[in.Type]:
			return nil, fielderr.Errorf(p+".type", "%q is not one of fleet.instanceTypes", in.Type)
		case in.Zone == "" || printable.Check(in.Zone) != nil:
			return nil, fielderr.Errorf(p+".zone", "%q, expected an availability zone", in.Zone)
		case in.Status != "" && in.Status != "ACTIVE" && in.Status != "DRAINING":
			return nil, fielderr.Errorf(p+".status", "%q, expected ACTIVE or DRAINING", in.Status)
		case in.AgentVersion != "" && !validVersion(in.AgentVersion):
			return nil, fielderr.Errorf(p+".agentVersion", "%q, expected an ECS agent release such as \"1.90.0\"", fielderr.Shorten(in.AgentVersion, 40))
		case in.CapacityProvider != "" && !providers[in.CapacityProvider]:
			return nil, fielderr.Errorf(p+".capacityProvider", "%q is not one of capacityProviders", in.CapacityProvider)
		case printable.Check(in.EC2InstanceID) != nil:
			return nil, fielderr.Errorf(p+".ec2InstanceId", "%q %v", in.EC2InstanceID, printable.Check(in.EC2InstanceID))
		}
		for _, k := range sortedKeys(in.Attributes) {
			if err := printable.Check(k); err != nil {
				return nil, fielderr.Errorf(p+".attributes", "key %q %v", k, err)
			}
			if err := printable.Check(in.Attributes[k]); err != nil {
				return nil, fielderr.Errorf(p+".attributes."+k, "%q %v", in.Attributes[k], err)
			}
		}
		for _, k := range [...]string{"ecs.instance-type", "ecs.availability-zone"} {
			want := in.Type
			if k == "ecs.availability-zone" {
				want = in.Zone
			}
			if v, ok := in.Attributes[k]; ok && v != want {
				return nil, fielderr.Errorf(p+".attributes."+k, "%q, expected %q as the instance's %s", v, want, map[bool]string{true: "type", false: "zone"}[k == "ecs.instance-type"])
			}
		}
		if _, ok := in.Attributes[ProviderAttribute]; ok {
			return nil, fielderr.Errorf(p+".attributes."+ProviderAttribute, "set by berth from capacityProvider, expected none")
		}
		byID[in.ID] = in
	}
	return byID, nil
}

// validateInitialTasks checks services[].tasks: each on a known instance
// (none for a Fargate service), each id once.
func (sc *Scenario) validateInitialTasks(instances map[string]*InstanceSpec) error {
	ids := map[string]bool{}
	for i := range sc.Services {
		sp := &sc.Services[i]
		for j, t := range sp.Tasks {
			p := fielderr.Index(fielderr.Index("services", i)+".tasks", j)
			switch {
			case t.ID == "":
				return fielderr.Errorf(p+".id", "missing")
			case printable.Check(t.ID) != nil:
				return fielderr.Errorf(p+".id", "%q %v", fielderr.Shorten(t.ID, 80), printable.Check(t.ID))
			case ids[t.ID]:
				return fielderr.Errorf(p+".id", "%q is listed twice, expected each task once", t.ID)
			case sp.Fargate() && t.Instance != "":
				return fielderr.Errorf(p+".instance", "%q, expected none for a task on Fargate", t.Instance)
			case !sp.Fargate() && t.Instance == "":
				return fielderr.Errorf(p+".instance", "missing: expected the id of one of fleet.instances")
			case !sp.Fargate() && instances[t.Instance] == nil:
				return fielderr.Errorf(p+".instance", "%q is not one of fleet.instances", fielderr.Shorten(t.Instance, 120))
			}
			ids[t.ID] = true
		}
		if len(sp.Tasks) > MaxServiceTasks {
			return fielderr.Errorf(fielderr.Index("services", i)+".tasks", "%d tasks, expected at most %d", len(sp.Tasks), MaxServiceTasks)
		}
	}
	return nil
}

// validate checks a usage series.
func (s *UsageSeries) validate(path string) error {
	if s.Every <= 0 {
		return fielderr.Errorf(path+".every", "%v, expected a positive duration such as \"1m\"", time.Duration(s.Every))
	}
	for _, v := range [...]struct {
		name   string
		values []float64
	}{{"cpu", s.CPU}, {"memory", s.Memory}, {"requestsPerSecond", s.RequestsPerSecond}} {
		if len(v.values) > MaxSamples {
			return fielderr.Errorf(path+"."+v.name, "%d values, expected at most %d", len(v.values), MaxSamples)
		}
		for k, x := range v.values {
			if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				return fielderr.Errorf(fmt.Sprintf("%s.%s[%d]", path, v.name, k), "%g, expected a non-negative number", x)
			}
		}
	}
	return nil
}
