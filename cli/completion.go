package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"
)

// completionShells are the shells berth writes a completion script for.
var completionShells = []string{"bash", "zsh", "fish"}

func completionCommand() *command {
	return &command{
		name:    "completion",
		summary: "print a shell completion script (bash, zsh or fish)",
		usage: `Usage:
  berth completion bash|zsh|fish

Prints a script that completes berth's commands, flags and the values of
some flags (--strategy, --policy, --executor, --metric, --status) in the
shell named; the script asks berth itself, so a build with strategies of
its own completes them too.

Exit status: 0 when the script is printed; 1 when it could not be written;
2 on a usage error (no shell, or one not listed).

Examples:
  # bash: this session, then every session
  source <(berth completion bash)
  berth completion bash > ~/.local/share/bash-completion/completions/berth

  # zsh (with compinit), in a directory of $fpath
  berth completion zsh > "${fpath[1]}/_berth"

  # fish
  berth completion fish > ~/.config/fish/completions/berth.fish
`,
		flags: func(*flag.FlagSet) func(e *env, args []string) error {
			return func(e *env, args []string) error {
				if len(args) != 1 {
					return usagef("expected one shell (bash, zsh or fish), found %d arguments", len(args))
				}
				root := newRoot(&config{strategies: e.strategies}, e)
				switch args[0] {
				case "bash":
					return root.GenBashCompletionV2(e.stdout, true)
				case "zsh":
					return root.GenZshCompletion(e.stdout)
				case "fish":
					return root.GenFishCompletion(e.stdout, true)
				}
				return usagef("shell %q: expected bash, zsh or fish", args[0])
			}
		},
	}
}

// addCompletions registers the words completed for cc's arguments and
// flag values; the flags' other values, file names, complete as files.
func addCompletions(cc *cobra.Command, reg registry) {
	words := map[string][]string{}
	switch cc.Name() {
	case "completion":
		cc.ValidArgs = completionShells
	case "cql":
		words["status"] = cqlListStatuses
	case "import":
		// berth import ecs DIR: the source, then a directory.
		cc.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return []cobra.Completion{"ecs"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveFilterDirs
		}
	case "pack":
		words["policy"] = []string{"all"}
		for _, s := range packStrategies() {
			words["policy"] = append(words["policy"], s.Name)
		}
		words["policy"] = append(words["policy"], reg.names...)
		words["metric"] = []string{"alloc", "frag", "frag-ratio"}
	case "sim":
		words["strategy"] = append([]string{"binpack(cpu)", "binpack(memory)", "spread(instanceId)",
			"spread(attribute:ecs.availability-zone)", "random", "fgd", "bestfit", "gpupacking", "gpuclustering", "dotprod", "balancedfit"}, reg.names...)
		words["executor"] = []string{"sim", "docker"}
	}
	for flagName, w := range words {
		complete := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return w, cobra.ShellCompDirectiveNoFileComp
		}
		if err := cc.RegisterFlagCompletionFunc(flagName, complete); err != nil {
			panic(fmt.Sprintf("cli: completing --%s of %s: %v", flagName, cc.Name(), err)) // a flag renamed here only
		}
	}
}
