package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// outputs is every file and directory one command run writes, written all
// or nothing: each is reserved before the run starts (its path checked and
// a temporary file or directory made beside it, in the same parent, so
// that a bad or unwritable path fails before any work), filled while the
// run goes, and renamed into place by commit only once everything was
// written. A run that fails or is interrupted leaves the old outputs as
// they were and removes its temporary files; no path ever holds a mixture
// of two runs.
//
// An output directory is replaced as a whole. berth replaces only what it
// wrote: each directory it writes holds a manifest, outputManifest, naming
// its files, and an existing directory is replaced only when it is empty
// or when its manifest names every entry it holds. Any other file in it
// (a user's notes, an older berth's outputs without a manifest) makes the
// run fail before it starts, deleting nothing.
type outputs struct {
	mu          sync.Mutex // commit, abort and an interrupt take turns
	items       []*outputItem
	interrupted bool // an interrupt removed the items: commit fails
}

// outputItem is one reserved output: a file, or a directory of files.
type outputItem struct {
	flag  string // the flag that named it, for errors
	final string // the path the user gave
	tmp   string // the temporary file or directory beside it
	dir   bool
	names []string // the files written into a directory, in order
	owner *outputs
}

// outputManifest names the files berth wrote in an output directory, one
// per line; it marks the directory as berth's to replace.
const outputManifest = ".berth-outputs"

// file reserves the output file path, named by flag.
func (o *outputs) file(flag, path string) (*outputItem, error) {
	final, err := o.path(flag, path)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(final); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s %q: is a directory, expected a file", flag, path)
	}
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s %q: cannot write beside it: %w", flag, path, unwrapPath(err))
	}
	it := &outputItem{flag: flag, final: final, tmp: f.Name(), owner: o}
	o.items = append(o.items, it)
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	}
	return it, nil
}

// dir reserves the output directory path, named by flag, creating its
// parent directories if needed.
func (o *outputs) dir(flag, path string) (*outputItem, error) {
	final, err := o.path(flag, path)
	if err != nil {
		return nil, err
	}
	if err := checkReplaceable(flag, path, final); err != nil {
		return nil, err
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(final)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s %q: cannot write beside it: %w", flag, path, unwrapPath(err))
	}
	it := &outputItem{flag: flag, final: final, tmp: tmp, dir: true, owner: o}
	o.items = append(o.items, it)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	}
	return it, nil
}

// path resolves path with outputPath and checks that no other output of
// the run goes there or around it.
func (o *outputs) path(flag, path string) (string, error) {
	final, err := outputPath(flag, path)
	if err != nil {
		return "", err
	}
	for _, it := range o.items {
		if it.final == final || strings.HasPrefix(final, it.final+string(filepath.Separator)) ||
			strings.HasPrefix(it.final, final+string(filepath.Separator)) {
			return "", fmt.Errorf("%s %q: the same path as, or inside, %s; expected another path", flag, path, it.flag)
		}
	}
	return final, nil
}

// outputPath resolves path to the absolute path that will be replaced:
// a symbolic link is followed, so that the link stays and its target is
// replaced.
func outputPath(flag, path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("%s: empty path", flag)
	}
	final, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", flag, path, err)
	}
	if target, err := filepath.EvalSymlinks(final); err == nil {
		final = target
	}
	if filepath.Dir(final) == final {
		return "", fmt.Errorf("%s %q: expected a path below the root directory", flag, path)
	}
	return final, nil
}

// checkReplaceable reports whether the directory final may be replaced:
// it does not exist, is empty, or holds only what its manifest names.
func checkReplaceable(flag, path, final string) error {
	fi, err := os.Stat(final)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("%s %q: is a file, expected a directory", flag, path)
	}
	entries, err := os.ReadDir(final)
	if err != nil {
		return fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	}
	if len(entries) == 0 {
		return nil
	}
	manifest, err := os.ReadFile(filepath.Join(final, outputManifest))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	}
	ours := map[string]bool{outputManifest: err == nil}
	for _, name := range strings.Split(string(manifest), "\n") {
		ours[name] = name != ""
	}
	var foreign []string
	for _, e := range entries {
		if !ours[e.Name()] || e.IsDir() {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) > 0 {
		more := ""
		if len(foreign) > 3 {
			more = fmt.Sprintf(" and %d more", len(foreign)-3)
		}
		quoted := make([]string, min(3, len(foreign)))
		for i := range quoted {
			quoted[i] = fmt.Sprintf("%q", foreign[i])
		}
		return fmt.Errorf("%s %q: holds %s%s, which berth did not write; expected a new or empty directory, or one berth wrote",
			flag, path, strings.Join(quoted, ", "), more)
	}
	return nil
}

// write puts data into the reserved file, or into the file name of the
// reserved directory.
func (it *outputItem) write(name string, data []byte) error {
	if it.owner.wasInterrupted() {
		return errInterruptedOutputs
	}
	path := it.tmp
	if it.dir {
		if slices.Contains(it.names, name) || name == outputManifest || filepath.Base(name) != name {
			return fmt.Errorf("%s: %q written twice or not a file name", it.flag, name)
		}
		it.names = append(it.names, name)
		path = filepath.Join(it.tmp, name)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		if it.owner.wasInterrupted() { // removed while being written
			return errInterruptedOutputs
		}
		return fmt.Errorf("%s %q: %w", it.flag, filepath.Join(it.final, name), unwrapPath(err))
	}
	return nil
}

// commit moves every reserved output into place. A directory that
// existed is moved aside first and removed once the new one is in place.
func (o *outputs) commit() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.interrupted {
		return errInterruptedOutputs
	}
	for _, it := range o.items {
		if err := it.commit(); err != nil {
			return err
		}
	}
	o.items = nil
	return nil
}

func (it *outputItem) commit() error {
	if !it.dir {
		if err := os.Chmod(it.tmp, 0o644); err != nil {
			return fmt.Errorf("%s %q: %w", it.flag, it.final, unwrapPath(err))
		}
		if err := os.Rename(it.tmp, it.final); err != nil {
			return fmt.Errorf("%s %q: %w", it.flag, it.final, unwrapPath(err))
		}
		return nil
	}
	manifest := strings.Join(it.names, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(it.tmp, outputManifest), []byte(manifest), 0o644); err != nil {
		return fmt.Errorf("%s %q: %w", it.flag, it.final, unwrapPath(err))
	}
	// The old directory was checked when the run started; check again in
	// case a file appeared in it since.
	if err := checkReplaceable(it.flag, it.final, it.final); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(it.final); err == nil {
		old = it.tmp + ".old"
		if err := os.Rename(it.final, old); err != nil {
			return fmt.Errorf("%s %q: %w", it.flag, it.final, unwrapPath(err))
		}
	}
	if err := os.Rename(it.tmp, it.final); err != nil {
		if old != "" {
			os.Rename(old, it.final)
		}
		return fmt.Errorf("%s %q: %w", it.flag, it.final, unwrapPath(err))
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// abort removes whatever was reserved and not committed. It is safe to
// call after commit, and is what a deferred call does on every path.
func (o *outputs) abort() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.removeTemporary()
}

// removeTemporary removes the reserved items; o.mu is held.
func (o *outputs) removeTemporary() {
	for _, it := range o.items {
		os.RemoveAll(it.tmp)
	}
	o.items = nil
}

// abortOnInterrupt removes the temporary outputs when the run is
// interrupted before it ends (SIGINT or SIGTERM under Main, e.ctx
// cancelled), so that an interrupted run leaves the earlier outputs and
// no temporary ones (a commit under way finishes first). Under Main berth
// then exits 1 at once, since a simulation cannot stop midway; under Run
// the command goes on to its end and commit reports the interrupt. It
// returns the function that stops watching. Commands that handle
// interrupts themselves (the Docker executor, which must remove its
// containers first) do not use it.
func (o *outputs) abortOnInterrupt(e *env, command string) (stop func()) {
	ctx, stopCtx := e.interruptible()
	stopWatch := o.watch(ctx.Done(), func() {
		if e.signals {
			fmt.Fprintf(e.stderr, "berth %s: interrupted\n", command)
			os.Exit(1)
		}
	})
	// The watch stops first: cancelling ctx while it still watches would
	// look like an interrupt after a successful commit.
	return func() {
		stopWatch()
		stopCtx()
	}
}

// wasInterrupted reports whether an interrupt removed the outputs.
func (o *outputs) wasInterrupted() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.interrupted
}

// errInterruptedOutputs is write's and commit's answer once an interrupt removed the
// temporary outputs.
var errInterruptedOutputs = errors.New("interrupted; no output written")

// watch runs interrupted, after removing the temporary outputs, when
// interrupt is closed, until stop is called; stop returns once the watch
// has ended, so that nothing closed after it counts as an interrupt.
func (o *outputs) watch(interrupt <-chan struct{}, interrupted func()) (stop func()) {
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case <-interrupt:
			o.mu.Lock()
			o.removeTemporary()
			o.interrupted = true
			o.mu.Unlock()
			interrupted()
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

// unwrapPath drops the *fs.PathError's own operation and path, which
// would repeat the temporary name; the caller names the user's path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
