package scenario

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/berthsched/berth/placement"
)

// attributes converts a scenario's requiresAttributes.
func attributes(specs []AttributeSpec) []placement.Attribute {
	if len(specs) == 0 {
		return nil
	}
	out := make([]placement.Attribute, len(specs))
	for i, a := range specs {
		out[i] = placement.Attribute{Name: a.Name, Value: a.Value}
	}
	return out
}

// awsvpc reports whether m's tasks run in awsvpc network mode.
func (m *Mix) AWSVPC() bool { return m.NetworkMode == string(placement.NetworkAwsvpc) }

// taskDefinition is the task definition of m's containers, in its
// network mode.
func (m *Mix) TaskDefinition() placement.TaskDefinition {
	td := placement.TaskDefinition{Family: m.Name, NetworkMode: placement.NetworkBridge, RequiresAttributes: attributes(m.RequiresAttributes)}
	if m.AWSVPC() {
		td.NetworkMode = placement.NetworkAwsvpc
	}
	td.Containers = containerDefinitions(m.Containers)
	return td
}

// containerDefinitions converts a scenario's containers to placement's
// container definitions.
func containerDefinitions(specs []ContainerSpec) []placement.ContainerDefinition {
	var out []placement.ContainerDefinition
	for _, c := range specs {
		cd := placement.ContainerDefinition{
			Name:              c.Name,
			CPU:               c.CPU,
			Memory:            c.MemoryMiB,
			MemoryReservation: c.MemoryReservationMiB,
			Essential:         c.Essential == nil || *c.Essential,
			Usage:             c.usage(),
		}
		for _, pm := range c.PortMappings {
			cd.PortMappings = append(cd.PortMappings, placement.PortMapping{ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: pm.Protocol})
		}
		out = append(out, cd)
	}
	return out
}

// usage is what the container uses from which ECS derives
// requiresAttributes.
func (c *ContainerSpec) usage() placement.ContainerUsage {
	u := placement.ContainerUsage{Image: c.Image, HealthCheck: c.HealthCheck != nil}
	if c.LogConfiguration != nil {
		u.LogDriver = c.LogConfiguration.LogDriver
		u.LogOptions = len(c.LogConfiguration.Options) > 0
	}
	if f := c.FirelensConfiguration; f != nil {
		u.FireLensType, u.FireLensConfigType = f.Type, f.Options["config-file-type"]
	}
	if c.LinuxParameters != nil {
		u.InitProcessEnabled = c.LinuxParameters.InitProcessEnabled
	}
	return u
}

// maxSigma bounds a lognormal's sigma: at 10, one draw in a thousand is
// already 10^13 times the median.
const maxSigma = 10

// maxDraw caps a draw below what a time.Duration holds (292 years), far
// past the end of any run: a draw beyond it would wrap.
const maxDraw = 200 * 365 * 24 * time.Hour

// draw returns one duration from the distribution, at least a second and
// at most maxDraw.
func (d *Distribution) Draw(rng *rand.Rand) time.Duration {
	med := float64(d.Median)
	var v float64
	switch d.Kind {
	case "exponential":
		v = rng.ExpFloat64() * med
	case "lognormal":
		v = med * math.Exp(d.Sigma*rng.NormFloat64())
	default:
		v = med
	}
	if d.Max > 0 && v > float64(d.Max) {
		v = float64(d.Max)
	}
	if !(v < float64(maxDraw)) { // also +Inf and NaN (0 x Inf)
		return maxDraw
	}
	return max(time.Duration(v).Round(time.Second), time.Second)
}
