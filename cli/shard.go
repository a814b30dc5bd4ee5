package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"strconv"

	"github.com/berthsched/berth/shard"

	flag "github.com/spf13/pflag"
)

// shardFlags declares --shard and --shards on fs.
type shardFlags struct {
	spec   *string
	shards *int
}

func addShardFlags(fs *flag.FlagSet) shardFlags {
	return shardFlags{
		spec:   fs.String("shard", "", "run only shard `K/N` of the runs (0 <= K < N), or auto: from the array job's environment"),
		shards: fs.Int("shards", 0, "with --shard auto: the shard count `N` where the engine does not give it (Kubernetes; or BERTH_SHARDS)"),
	}
}

// given reports whether --shard was given.
func (f shardFlags) given() bool { return *f.spec != "" }

// resolve returns the shard --shard names: K/N as given, or for auto the
// one the array engine's environment gives.
func (f shardFlags) resolve(e *env) (shard.Shard, error) {
	if *f.shards < 0 {
		return shard.Shard{}, usagef("--shards %d: expected a positive shard count", *f.shards)
	}
	if *f.spec != "auto" {
		if *f.shards != 0 {
			return shard.Shard{}, usagef("--shards is only for --shard auto; --shard %s names its count", *f.spec)
		}
		s, err := shard.Parse(*f.spec)
		if err != nil {
			return shard.Shard{}, usagef("--shard: %v", err)
		}
		return s, nil
	}
	if e.getenv == nil {
		return shard.Shard{}, usagef("--shard auto: this berth reads no environment (cli.Run without cli.WithEnv); give --shard K/N")
	}
	s, _, err := shard.FromEnv(e.getenv, *f.shards)
	if err != nil {
		return shard.Shard{}, usagef("%v", err)
	}
	return s, nil
}

// inputHash hashes what a run's results depend on, for shards to check
// that they belong together.
type inputHash struct{ h hash.Hash }

func newInputHash(kind string) *inputHash {
	h := &inputHash{sha256.New()}
	h.add(kind)
	return h
}

// add adds a length-prefixed string, so that no two lists of parts hash
// alike.
func (h *inputHash) add(parts ...string) {
	for _, p := range parts {
		h.h.Write([]byte(strconv.Itoa(len(p)) + ":"))
		h.h.Write([]byte(p))
	}
}

// addFile adds a file's name and contents.
func (h *inputHash) addFile(flag, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s %q: %w", flag, path, unwrapPath(err))
	}
	h.add(path, string(b))
	return nil
}

func (h *inputHash) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// writeShard writes shard s's records into dir and says where on stderr.
func writeShard(e *env, dir string, s shard.Shard, recs []shard.Record) error {
	path, err := shard.WriteFile(dir, s, recs)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("--out %q: %w", dir, unwrapPath(err))
		}
		return fmt.Errorf("--out %q: %w", dir, err)
	}
	fmt.Fprintf(e.stderr, "berth: shard %s: %d of the run's tasks written to %s; merge the shards with berth merge\n", s, len(recs), path)
	return nil
}
