// Command workload is what a task's container runs when berth replays a
// scenario on Docker (package sim/docker). It uses the CPU and memory the
// task asks for, listens on its container ports, and exits when told:
//
//	workload [-until UNIXNANO] [-exit N] [-cpu MILLICORES] [-work UNITS -rate UNITS/S]
//	         [-mem MIB] [-oom] [-listen PORT,...]
//
// -until is the wall-clock deadline (Unix nanoseconds) at which it exits
// with -exit's code; without it, it runs until signalled. SIGTERM and
// SIGINT make it exit with 143 (128+15), as a well-behaved task does when
// ECS stops it. -work is an amount of computation, in units of workUnit,
// done by one thread per started core of -cpu, each going no faster than
// its share of -cpu at -rate units per core-second: the task then ends at
// the later of its deadline and the end of its work, so that a task given
// less CPU than it asks takes longer. -calibrate prints -rate for this
// machine (the best of ten 50ms samples of one core) and exits. -grace
// delays the exit on SIGTERM, as a slow shutdown does. Without -work, -cpu runs a
// duty-cycled busy loop worth that many millicores until the end. -mem
// allocates and touches that many MiB; -oom allocates without bound,
// whatever -until says, so that the kernel kills it for exceeding its
// memory limit (exit 125 if 64 GiB did not).
//
// It is built as a static binary (CGO_ENABLED=0) from this one file, with
// the standard library only, and packed into a scratch image; it must
// stay self-contained.
package main

import (
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	until := flag.Int64("until", 0, "exit at this wall-clock time, Unix nanoseconds (0: run until signalled)")
	code := flag.Int("exit", 0, "exit code at the deadline")
	cpu := flag.Int("cpu", 0, "CPU to use, millicores")
	work := flag.Float64("work", 0, "computation to do, in work units (needs -cpu and -rate)")
	rate := flag.Float64("rate", 0, "work units a core does per second")
	mem := flag.Int("mem", 0, "memory to allocate and touch, MiB")
	oom := flag.Bool("oom", false, "allocate memory without bound (until killed)")
	listen := flag.String("listen", "", "comma-separated TCP ports to listen on")
	cal := flag.Bool("calibrate", false, "print the work units one core does per second, and exit")
	grace := flag.Duration("grace", 0, "on SIGTERM, go on this long before exiting 143 (a slow shutdown)")
	flag.Parse()
	if *cal {
		fmt.Printf("%.0f\n", calibrate())
		return
	}

	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	sig := term
	if *grace > 0 {
		// The signal is heard late, as by a task that shuts down slowly.
		sig = make(chan os.Signal, 1)
		go func() {
			s := <-term
			time.Sleep(*grace)
			sig <- s
		}()
	}
	if err := serve(*listen); err != nil {
		fmt.Fprintln(os.Stderr, "workload:", err)
		os.Exit(125)
	}
	// The deadline is armed first: a start later than the deadline ends
	// at once, without touching memory first.
	var deadline <-chan time.Time
	if *until > 0 {
		deadline = time.After(time.Until(time.Unix(0, *until)))
	}
	if *oom {
		// Over the limit whatever the deadline: a start later than the
		// deadline must not turn an OOM kill into a normal exit.
		go func() {
			grow()
			fmt.Fprintln(os.Stderr, "workload: -oom: 64 GiB allocated and not killed: no memory limit?")
			os.Exit(125)
		}()
		<-sig
		os.Exit(143)
	}
	go touch(*mem) // holds it until the process ends
	if *work > 0 && *cpu > 0 && *rate > 0 {
		done := make(chan struct{})
		go func() {
			compute(*work, *cpu, *rate)
			close(done)
		}()
		select {
		case <-sig:
			os.Exit(143)
		case <-done:
		}
	} else {
		burn(*cpu)
	}
	select {
	case <-sig:
		os.Exit(143)
	case <-deadline:
		os.Exit(*code)
	}
}

// serve listens on each port and accepts (and closes) connections.
func serve(ports string) error {
	for p := range strings.SplitSeq(ports, ",") {
		if p == "" {
			continue
		}
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return fmt.Errorf("-listen: port %q, expected 1 to 65535", p)
		}
		l, err := net.Listen("tcp", ":"+p)
		if err != nil {
			return err
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	return nil
}

const page = 4096

// held keeps the memory touch allocated reachable.
var held [][]byte

// touch allocates mib MiB and writes every page, so that it is resident.
func touch(mib int) {
	for range mib {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += page {
			b[i] = 1
		}
		held = append(held, b)
	}
}

// grow allocates and touches memory until the kernel kills the process.
// It gives up at 64 GiB, a guard against a missing limit.
func grow() { touch(64 << 10) }

// workUnit is one unit of computation: a fixed number of steps of a
// xorshift generator, which neither the compiler nor the CPU can skip.
func workUnit(x uint64) uint64 {
	for range 1000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// calibrate measures the work units one core does per second: the best of
// a few short samples, so that a moment of load does not shrink every
// task's work.
func calibrate() float64 {
	const samples, span = 10, 50 * time.Millisecond
	best := 0.0
	x := uint64(0x9e3779b97f4a7c15)
	for range samples {
		n := 0
		start := time.Now()
		for time.Since(start) < span {
			for range 100 {
				x = workUnit(x)
			}
			n += 100
		}
		best = max(best, float64(n)/time.Since(start).Seconds())
	}
	sink ^= x
	return best
}

// sink keeps the work's result alive.
var sink uint64

// compute does work units on one thread per started core of millicores,
// each paced at its share of rate units per core-second, and returns when
// all are done.
func compute(work float64, millicores int, rate float64) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for left := millicores; left > 0; left -= 1000 {
		share := float64(min(left, 1000)) / 1000
		units := int64(math.Ceil(work * share * 1000 / float64(millicores)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(0x9e3779b97f4a7c15)
			start := time.Now()
			speed := rate * share // units per second
			chunk := max(1, int64(speed/1000))
			for done := int64(0); done < units; {
				n := min(chunk, units-done)
				for range n {
					x = workUnit(x)
				}
				done += n
				// Never ahead of its share: sleep off any lead.
				if ahead := time.Duration(float64(done)/speed*1e9) - time.Since(start); ahead > 2*time.Millisecond {
					time.Sleep(ahead)
				}
			}
			mu.Lock()
			sink ^= x
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// burn runs busy loops worth millicores of CPU: one goroutine per started
// core, each busy for its share of every 100ms period.
func burn(millicores int) {
	const period = 100 * time.Millisecond
	for millicores > 0 {
		share := min(millicores, 1000)
		millicores -= share
		busy := period * time.Duration(share) / 1000
		go func() {
			for {
				start := time.Now()
				for time.Since(start) < busy {
				}
				if idle := period - busy; idle > 0 {
					time.Sleep(idle)
				}
			}
		}()
	}
}
