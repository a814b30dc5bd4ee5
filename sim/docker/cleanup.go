package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/moby/moby/client"
)

// removeLeftovers removes the containers of earlier runs of this client
// machine whose process is gone: a crashed or killed berth's. It runs when
// an engine is first used and again at Close: a create that a killed run
// had sent can still complete on the engine after the first sweep looked.
func (e *Executor) removeLeftovers(ctx context.Context, cli *client.Client) error {
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun)})
	if err != nil {
		return err
	}
	for _, c := range list.Items {
		if c.Labels[LabelRun] == e.runID || c.Labels[LabelClient] != e.hostname {
			continue
		}
		if pid, err := strconv.Atoi(c.Labels[LabelPID]); err == nil && alive(pid) {
			continue
		}
		// Another run starting at the same time may be removing it too.
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}); err != nil && !notFound(err) && !inProgress(err) {
			return err
		}
	}
	return nil
}

// alive reports whether process pid exists on this machine.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

func notFound(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "no such container")
}

// remove removes container cid (named name) of ep, whose task has ended;
// it finishes even when the run is being closed (Close waits for it).
func (e *Executor) remove(ep *endpoint, cid, name string) {
	ctx, cancel := e.engineCtx()
	defer cancel()
	_, err := ep.cli.ContainerRemove(ctx, cid, client.ContainerRemoveOptions{Force: true})
	if err == nil || notFound(err) {
		e.mu.Lock()
		delete(e.onEngine, name)
		e.mu.Unlock()
	}
}

// uncertain reports whether a failed call may still have done its work on
// the engine: the request or its answer was lost, rather than refused or
// never sent.
func uncertain(err error) bool {
	return unreachable(err) && !notSent(err)
}

// unreachable reports whether a call failed for want of an answer from the
// engine, rather than with the engine's refusal.
func unreachable(err error) bool {
	return client.IsErrConnectionFailed(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// notSent reports whether a call failed before its request reached the
// engine: no connection could be made. (The client keeps the cause of a
// refused connection only in its message.)
func notSent(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) ||
		strings.Contains(err.Error(), "Cannot connect to the Docker daemon")
}

// Close implements sim.Executor: it removes every container of the run on
// every endpoint (running or not), waits for its goroutines and closes the
// connections. It is safe to call more than once.
//
// When an engine is gone, its containers cannot be removed: the error
// names those the run may have left there (one line), and the next run on
// this machine removes them (New).
func (e *Executor) Close() error {
	if e.closed {
		return e.closeEr
	}
	e.closed = true
	if e.stopCtx != nil {
		e.stopCtx()
	}
	e.mu.Lock()
	e.closing = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait() // no create or start is in flight after this
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	urls := make([]string, 0, len(e.eps))
	for u := range e.eps {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		ep := e.eps[u]
		var names []string
		e.mu.Lock()
		for name, on := range e.onEngine {
			if on == ep {
				names = append(names, name)
			}
		}
		e.mu.Unlock()
		sort.Strings(names)
		err := removeRun(ctx, ep.cli, e.runID, names)
		if err == nil {
			// Its containers are gone: what the tasks still running used,
			// then the instances', then the cgroups.
			for _, t := range e.running {
				if t.ep == ep {
					e.taskEnded(t, false, 0)
				}
			}
			err = e.closeCgroups(ep)
		}
		if err == nil {
			// Again, for a killed run's create that completed on the
			// engine after the sweep when this run began.
			if lerr := e.removeLeftovers(ctx, ep.cli); lerr != nil {
				err = fmt.Errorf("docker: %s: removing leftovers: %s", u, oneLine(lerr))
			}
		}
		if err != nil && e.closeEr == nil {
			e.closeEr = err
		}
		ep.cli.Close()
	}
	return e.closeEr
}

// RemoveRun removes every container labelled with the run id on the
// engine cli talks to, and waits until none is left.
func RemoveRun(ctx context.Context, cli *client.Client, runID string) error {
	return removeRun(ctx, cli, runID, nil)
}

// removeRun removes the run's containers, and those named (the ones the
// run asked for, which may not carry its label yet), until none is left.
// When the engine does not answer, the error names the containers left
// there.
func removeRun(ctx context.Context, cli *client.Client, runID string, names []string) error {
	var ids []string
	gone := func(err error) error {
		left := names
		if len(left) == 0 {
			left = ids
		}
		if len(left) == 0 {
			return fmt.Errorf("docker: run %s: removing its containers: %s", runID, oneLine(err))
		}
		return &LeftError{RunID: runID, Host: cli.DaemonHost(), Names: slices.Clone(left), Err: err}
	}
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun+"="+runID)})
		if err != nil {
			return gone(err)
		}
		ids = ids[:0]
		for _, c := range list.Items {
			ids = append(ids, strings.TrimPrefix(firstOr(c.Names, c.ID), "/"))
		}
		// Every round removes whatever is there: a container made after
		// the last listing is removed in the next.
		refs := append(ids[:len(ids):len(ids)], names...)
		if err := removeAll(ctx, cli, refs); err != nil {
			if unreachable(err) {
				return gone(err)
			}
			return fmt.Errorf("docker: run %s: %s", runID, oneLine(err))
		}
		names = nil // removed, or never made
		if len(list.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("docker: run %s: %d containers still there after removal: %s", runID, len(ids), strings.Join(ids, " "))
		case <-time.After(delay):
		}
	}
}

// LeftError is the error of Close (and RemoveRun) when an engine stopped
// answering before the run's containers were removed: it names those the
// run may have left there, which the next run on this machine removes
// (New removes the containers of berth processes that no longer exist).
type LeftError struct {
	RunID string
	Host  string   // the engine's endpoint
	Names []string // the containers, by name or id, sorted
	Err   error    // why they could not be removed
}

// Error is one line: the run, the cause, and the containers left.
func (e *LeftError) Error() string {
	return fmt.Sprintf("docker: run %s: removing its containers: %s; %s", e.RunID, oneLine(e.Err), e.Left())
}

// Left says which containers are left, without the cause: "N containers
// left on HOST for the next run to remove: NAME NAME...".
func (e *LeftError) Left() string {
	return fmt.Sprintf("%d containers left on %s for the next run to remove: %s", len(e.Names), e.Host, strings.Join(e.Names, " "))
}

// Unwrap returns the cause.
func (e *LeftError) Unwrap() error { return e.Err }

// removeAll force-removes the containers refs (ids or names), a few at
// once; one that is gone or being removed already is no error.
func removeAll(ctx context.Context, cli *client.Client, refs []string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(refs))
	sem := make(chan struct{}, 8)
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := cli.ContainerRemove(ctx, ref, client.ContainerRemoveOptions{Force: true}); err != nil && !notFound(err) && !inProgress(err) {
				errs[i] = fmt.Errorf("removing container %s: %w", ref, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func firstOr(names []string, id string) string {
	if len(names) > 0 {
		return names[0]
	}
	return id
}

func inProgress(err error) bool { return strings.Contains(err.Error(), "already in progress") }
