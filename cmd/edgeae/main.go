// Command edgeae trains, evaluates, quantizes and runs the screw anomaly
// detector. Each job is a subcommand with its own flags and --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand of the edgeae binary.
type command struct {
	name    string
	summary string

	// run executes the subcommand with the arguments after its name. It
	// returns flag.ErrHelp after printing help, and any other error to be
	// printed by main.
	run func(ctx context.Context, args []string) error
}

// commands holds every subcommand, filled by register calls in init
// functions of the files beside this one.
var commands = map[string]command{}

// register adds a subcommand; a duplicate name is a programming error.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("edgeae: subcommand registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run dispatches to a subcommand and returns the process exit code:
// 0 on success, 1 on failure, 2 on a usage error.
func run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(os.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}

	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "edgeae: unknown command %q\n\n", args[0])
		usage(os.Stderr)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := cmd.run(ctx, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(os.Stderr, "edgeae %s: %v\n", cmd.name, err)
		return 2
	default:
		slog.Error("command failed", "command", cmd.name, "err", err)
		return 1
	}
}

// errUsage marks errors caused by invalid command-line arguments.
var errUsage = errors.New("invalid usage")

// usage prints the list of subcommands.
func usage(w *os.File) {
	fmt.Fprintln(w, "Usage: edgeae <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")

	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'edgeae <command> --help' for the flags of one command.")
}

// newFlagSet returns a flag set that prints its defaults under a usage line
// and returns flag.ErrHelp for --help.
func newFlagSet(name, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet("edgeae "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n", strings.TrimSpace("edgeae "+name+" "+usageLine))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(fs.Output(), "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}
