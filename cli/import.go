package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/berthsched/berth/ecsimport"

	flag "github.com/spf13/pflag"
)

func importCommand() *command {
	return &command{
		name:    "import",
		summary: "turn a dump of a real ECS cluster (the AWS CLI's outputs) into a scenario",
		usage: `Usage:
  berth import ecs DIR [-o scenario.json] [--prices FILE] [--load-factor F]

Reads every .json file in DIR, each an output of the AWS CLI (--output
json) recognised by its content whatever its name: describe-container-
instances, describe-tasks, describe-services, describe-task-definition,
describe-capacity-providers, autoscaling describe-auto-scaling-groups,
application-autoscaling describe-scalable-targets, describe-scaling-
policies and describe-scheduled-actions, cloudwatch describe-alarms, and
get-metric-data outputs beside the MetricDataQueries inputs they came
from (joined by query Id). Several files of one kind are merged.

Writes a scenario that berth sim runs as it is: the same instances (ids,
types, zones, attributes), the same tasks on the same instances, the same
desired counts, the capacity providers and scaling policies, and each
service's measured load replayed from the metrics, starting at the
metrics' StartTime. What was read, assumed and not modelled is recorded
in the scenario's "import" key and printed to stderr, one line each;
docs/import.md lists the AWS CLI commands that make a dump.

A .json file that is no AWS document berth knows, a service whose task
definition is not in DIR, a metric of a service the dump lacks, or files
of two clusters are errors, printed on one line; nothing is written.

Flags may come before or after DIR.

  -o FILE             the scenario (default: stdout), written whole or
                      not at all
  --prices FILE       a CSV with the header
                      instanceType,pricePerHour,spotPricePerHour (the last
                      column optional); without it a type's cost is
                      unknown (berth sim says so): read instance-hours
  --load-factor F     scale the replayed load (default 1)

Exit status: 0 when the scenario is written; 1 on an invalid dump or a
file that could not be read or written; 2 on a usage error.

Examples:
  berth import ecs ecsimport/testdata/dump -o imported.json \
      --prices ecsimport/testdata/prices.csv
  berth import ecs ecsimport/testdata/dump --load-factor 2 -o doubled.json
  berth sim --scenario imported.json
`,
		flags: func(fs *flag.FlagSet) func(e *env, args []string) error {
			out := fs.StringP("output", "o", "", "write the scenario to `FILE` (default stdout)")
			prices := fs.String("prices", "", "instance prices: a CSV `FILE` with instanceType,pricePerHour,spotPricePerHour")
			load := fs.Float64("load-factor", 1, "scale the replayed load by `F`")
			return func(e *env, args []string) error {
				if len(args) == 0 || args[0] != "ecs" {
					return usagef("expected the source ecs, as in: berth import ecs DIR")
				}
				if len(args) != 2 {
					return usagef("expected one directory after ecs, found %d arguments", len(args)-1)
				}
				if *load <= 0 || *load > 1000 {
					return usagef("--load-factor %g: expected a number above 0, at most 1000", *load)
				}
				return runImport(e, args[1], *out, *prices, *load)
			}
		},
	}
}

func runImport(e *env, dir, outPath, pricesPath string, load float64) error {
	var outs outputs
	defer outs.abort()
	var outFile *outputItem
	if outPath != "" {
		var err error
		if outFile, err = outs.file("-o", outPath); err != nil {
			return err
		}
		defer outs.abortOnInterrupt(e, "import")()
	}
	opts := ecsimport.Options{Dir: filepath.ToSlash(filepath.Clean(dir)), LoadFactor: load}
	if pricesPath != "" {
		f, err := os.Open(pricesPath)
		if err != nil {
			return fmt.Errorf("--prices: %w", err)
		}
		opts.Prices, err = ecsimport.ReadPrices(f, pricesPath)
		f.Close()
		if err != nil {
			return err
		}
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: no such directory, expected the directory of the dump", dir)
		}
		return fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	res, err := ecsimport.Read(os.DirFS(dir), opts)
	if err != nil {
		return err
	}
	if outFile != nil {
		if err := outFile.write("", res.Scenario); err != nil {
			return err
		}
		if err := outs.commit(); err != nil {
			return err
		}
	} else if _, err := e.stdout.Write(res.Scenario); err != nil {
		return err
	}
	for _, l := range res.Lines() {
		fmt.Fprintln(e.stderr, "berth import: "+l)
	}
	return nil
}
