package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// calibrate measures the work units a core of ep's machine does per
// second: the workload's own measure (-calibrate), run once in a container
// of the run (in the run's cgroup, where instances are bounded), so that
// the same code on the same machine sets the amount of every task's work.
func (e *Executor) calibrate(ep *endpoint) (float64, error) {
	name := fmt.Sprintf("berth-%s-calibrate", e.runID)
	cc := &container.Config{Image: ep.image, Cmd: []string{"-calibrate"}, Tty: true, Labels: map[string]string{
		LabelRun: e.runID, LabelClient: e.hostname, LabelPID: strconv.Itoa(os.Getpid())}}
	hc := &container.HostConfig{NetworkMode: "none", LogConfig: container.LogConfig{Type: "json-file"}}
	if ep.cg != nil {
		hc.CgroupParent = cgroupParent(ep.cg.run)
	}
	fail := func(err error) (float64, error) {
		return 0, fmt.Errorf("docker: calibrating the workload on %s: %s", ep.cli.DaemonHost(), oneLine(err))
	}
	e.mu.Lock()
	e.onEngine[name] = ep
	e.mu.Unlock()
	// The create is not cut short (see create): Close removes what it made.
	cctx, ccancel := e.engineCtx()
	res, err := ep.cli.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cc, HostConfig: hc, Name: name})
	ccancel()
	if err != nil {
		return fail(err)
	}
	defer e.remove(ep, res.ID, name)
	ctx, cancel := context.WithTimeout(e.ctx, engineTimeout)
	defer cancel()
	wait := ep.cli.ContainerWait(ctx, res.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := ep.cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return fail(err)
	}
	select {
	case w := <-wait.Result:
		if w.StatusCode != 0 {
			return fail(fmt.Errorf("exit code %d", w.StatusCode))
		}
	case err := <-wait.Error:
		return fail(err)
	}
	logs, err := ep.cli.ContainerLogs(ctx, res.ID, client.ContainerLogsOptions{ShowStdout: true})
	if err != nil {
		return fail(err)
	}
	defer logs.Close()
	var out bytes.Buffer
	if _, err := io.Copy(&out, io.LimitReader(logs, 1<<10)); err != nil {
		return fail(err)
	}
	rate, err := strconv.ParseFloat(strings.TrimSpace(out.String()), 64)
	if err != nil || !(rate > 0) {
		return fail(fmt.Errorf("the workload printed %q, expected a positive number of units per second", trunc(out.String())))
	}
	return rate, nil
}

// workUnits is the computation a task burning demand CPU units for
// duration of trace time does, at rate units per core-second, with the
// fleet's resources scaled by resources and the time by timeScale (trace
// seconds per wall second): a fixed amount per trace second of CPU.
func workUnits(demand int64, duration time.Duration, rate, resources, timeScale float64) float64 {
	return rate * float64(demand) / 1024 * resources * duration.Seconds() / timeScale
}
