package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// runProgress prints one line of progress for commands that run many
// simulations or experiments (sweeps, replicates, berth plan, berth pack):
// runs done of the total, the rate, and the time left at that rate. It is
// made only when stderr is a terminal (see newRunProgress) and redraws at
// most five times a second; the clock is injected so that tests can drive
// it. A runProgress is safe for concurrent use.
type runProgress struct {
	w     io.Writer
	what  string // "runs", "experiments"
	now   func() time.Time
	mu    sync.Mutex
	start time.Time
	last  time.Time
	drawn bool
}

// newRunProgress returns the progress line for e, or nil (whose methods
// do nothing) when stderr is not a terminal: pipes and logs get nothing.
func newRunProgress(e *env, what string) *runProgress {
	if !e.stderrIsTerminal {
		return nil
	}
	now := e.now
	if now == nil {
		now = time.Now
	}
	return &runProgress{w: e.stderr, what: what, now: now, start: now()}
}

// update shows done of total; total is the most the command can still
// take when it is not known exactly (berth plan).
func (p *runProgress) update(done, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	if done < total && t.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = t
	fmt.Fprintf(p.w, "\r%s", progressLine(p.what, done, total, t.Sub(p.start)))
	p.drawn = true
}

// progressLine is "12/64 runs, 3.0 runs/s, about 17s left".
func progressLine(what string, done, total int, elapsed time.Duration) string {
	line := fmt.Sprintf("%d/%d %s", done, total, what)
	if done == 0 || elapsed <= 0 {
		return line
	}
	rate := float64(done) / elapsed.Seconds()
	left := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
	return fmt.Sprintf("%s, %.1f %s/s, about %s left    ", line, rate, what, left)
}

// clear erases the line, once the runs are done.
func (p *runProgress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintf(p.w, "\r%-70s\r", "")
	}
}
