package cli

import (
	"errors"
	"fmt"

	"github.com/berthsched/berth/shard"

	flag "github.com/spf13/pflag"
)

func mergeCommand() *command {
	return &command{
		name:    "merge",
		summary: "merge the shards of a run split with --shard into what one machine prints",
		usage: `Usage:
  berth merge [--out DIR] SHARD-DIR...

Reads the results a run split with --shard K/N (or --shard auto, in an
array job) wrote into its --out directories, checks that they are the
shards of one run (one command, one berth version, the same inputs and
flags; every shard 0..N-1 exactly once) and prints what the same run on
one machine prints, byte for byte. Flags may come before or after the
directories; several shards may share one directory.

What it writes, by the command that made the shards:
  berth sim   a --sweep: the sweep's table on stdout; with --out DIR,
              sweep.txt, sweep.csv, sweep.json and sweep.png, as berth sim
              --sweep --out writes them. --replicates N alone: the table
              of means and intervals; with --out, summary.json, sweep.csv
              and sweep.json.
  berth pack  the CSV rows on stdout; with --out DIR, DIR/pack.csv (the
              bytes of berth pack --out) and DIR/pack.png (of --plot).

  berth plan  the plan's answer on stdout (exit 1 when no configuration
              meets the requirements); with --out DIR, sweep.csv, sweep.json
              and plan.json. A plan runs in rounds: give berth merge the one
              directory the shards' --out named. When the race needs runs
              no round has done yet, berth merge says so and exits 3:
              submit the same array job again (its shards run the next
              round), then merge again.

A shard that did not finish writes no file: berth merge then names the
missing shards by index, and only those need to run again (with the same
flags and --shard K/N). --out DIR is written all or nothing, as berth sim
--out is.

Exit status: 0 when the merged results are printed; 1 when the shards are
missing, duplicated or of different runs, an output could not be written,
or a plan's answer is that no configuration meets its requirements; 2 on
a usage error; 3 when a plan needs another round.

Examples:
  # A sweep with 10 replicates as shards 0..3 (one per machine), then merged
  for k in 0 1 2 3; do
    berth sim --scenario examples/planner-web.json --sweep 'capacityProviders[1].maxSize=0,5' \
      --replicates 10 --shard $k/4 --out shards/
  done
  berth merge --out merged/ shards/

  # A bench of 60 runs as an 8-task Slurm job array, then merged
  T=../shared/traces/openb
  sbatch --array=0-7 --wait --wrap "berth pack --nodes $T/openb_node_list_gpu_node.csv \
    --pods $T/openb_pod_list_default.csv --policy all --seeds 42-51 \
    --shard auto --out shards/"
  berth merge --out merged/ shards/

  # A plan as rounds of an 8-task array job: submit, merge, until merge exits 0 or 1
  cat > plan.sh <<'SH'
  #!/bin/sh
  exec berth plan --scenario examples/planner-web.json --vary 'capacityProviders[1].maxSize=0,5' \
    --minimize cost --require 'services.web.timeToStartSeconds.p99 <= 200' --shard auto --out rounds/
  SH
  while sbatch --array=0-7 --wait plan.sh; berth merge --out plan/ rounds/; [ $? -eq 3 ]; do :; done

  # One shard was killed: re-run only the shard berth merge names
  berth merge shards/    # berth merge: missing shard 5 of 8: re-run --shard 5/8
`,
		flags: func(fs *flag.FlagSet) func(e *env, args []string) error {
			out := fs.String("out", "", "write the merged run's files into `DIR`, replaced as a whole")
			return func(e *env, args []string) error {
				if len(args) == 0 {
					return usagef("expected one or more SHARD-DIR: the --out directories of the shards")
				}
				var outs outputs
				defer outs.abort()
				var dir *outputItem
				var err error
				if *out != "" {
					if dir, err = outs.dir("--out", *out); err != nil {
						return err
					}
					defer outs.abortOnInterrupt(e, "merge")()
				}
				if len(args) == 1 && isPlanDir(args[0]) {
					res, err := mergePlan(e, args[0], dir)
					var need *errNeedsRound
					if errors.As(err, &need) {
						return &exitError{code: exitNeedsRound, err: err}
					}
					if err != nil {
						return err
					}
					if dir != nil {
						if err := outs.commit(); err != nil {
							return err
						}
					}
					if res.Best() == nil {
						return errNoneMeets
					}
					return nil
				}
				set, err := shard.Read(args)
				if err != nil {
					return err
				}
				switch set.Kind {
				case "pack":
					err = mergePack(e, set, dir)
				case "sim":
					err = mergeSim(e, set, dir)
				default:
					return fmt.Errorf("%s: results of a %q run; this berth merges berth sim and berth pack runs", args[0], set.Kind)
				}
				if err != nil {
					return err
				}
				if dir != nil {
					return outs.commit()
				}
				return nil
			}
		},
	}
}
