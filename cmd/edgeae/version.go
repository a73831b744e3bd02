package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"edgeae/internal/version"
	"edgeae/quant/kernels"
)

func init() {
	register(command{
		name:    "version",
		summary: "print the version, commit, Go version, target platform and int8 kernel path",
		run:     runVersion,
	})
}

// runVersion prints the build information of this binary.
func runVersion(_ context.Context, args []string) error {
	fs := newFlagSet("version", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return printVersion(os.Stdout, version.Get(), kernels.Implementation())
}

// printVersion writes one "key: value" line per field, so scripts can pick
// a field with grep or awk. kernel is the int8 GemmS8 path chosen at
// start-up for this CPU.
func printVersion(w io.Writer, info version.Info, kernel string) error {
	_, err := fmt.Fprintf(w, "edgeae %s\ncommit: %s\ngo: %s\nplatform: %s\nint8 kernels: %s\n",
		info.Version, info.Commit, info.GoVersion, info.Platform(), kernel)
	if err != nil {
		return fmt.Errorf("write version: %w", err)
	}
	return nil
}
