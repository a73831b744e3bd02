// Command elfcheck checks that ELF executables are statically linked and,
// with -arch, built for the expected CPU. It is the check that
// build/check.sh runs on the release binaries, written in Go so CI needs no
// binutils.
//
// Usage:
//
//	go run ./build/elfcheck [-arch GOARCH] FILE...
//
// A file passes when it is an ELF executable with no PT_INTERP program
// header (no dynamic loader is requested), no PT_DYNAMIC program header and
// no .dynamic section (nothing for a loader to resolve), and, with -arch,
// the ELF machine of that GOARCH. elfcheck prints one line per file and
// exits with status 1 when any file fails.
package main

import (
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// machines maps the GOARCH values of the release targets to their ELF
// machine and class.
var machines = map[string]struct {
	machine elf.Machine
	class   elf.Class
}{
	"amd64": {elf.EM_X86_64, elf.ELFCLASS64},
	"arm64": {elf.EM_AARCH64, elf.ELFCLASS64},
	"arm":   {elf.EM_ARM, elf.ELFCLASS32},
}

func main() {
	arch := flag.String("arch", "", "expected GOARCH of every file: "+strings.Join(knownArches(), ", ")+" (default: any)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: elfcheck [-arch GOARCH] FILE...\n\nChecks that each FILE is a statically linked ELF executable.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if _, ok := machines[*arch]; *arch != "" && !ok {
		fmt.Fprintf(os.Stderr, "elfcheck: unknown -arch %q; use one of %s\n", *arch, strings.Join(knownArches(), ", "))
		os.Exit(2)
	}

	if !checkFiles(os.Stdout, flag.Args(), *arch) {
		os.Exit(1)
	}
}

// checkFiles checks every path, prints one line per file to w and reports
// whether all of them passed.
func checkFiles(w io.Writer, paths []string, arch string) bool {
	ok := true
	for _, path := range paths {
		desc, err := checkFile(path, arch)
		if err != nil {
			// errors.Join puts one reason per line; keep one line per file.
			fmt.Fprintf(w, "FAIL %s: %s\n", path, strings.ReplaceAll(err.Error(), "\n", "; "))
			ok = false
			continue
		}
		fmt.Fprintf(w, "ok   %s: %s\n", path, desc)
	}
	return ok
}

// checkFile opens one file and checks it with checkStatic. It returns a
// short description of the file when it passes.
func checkFile(path, arch string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("not a readable ELF file: %w", err)
	}
	defer f.Close()

	if err := checkStatic(f, arch); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %s executable, statically linked", f.Class, f.Machine), nil
}

// checkStatic returns an error naming every reason f is not a statically
// linked executable for arch ("" accepts any machine).
func checkStatic(f *elf.File, arch string) error {
	var errs []error

	if f.Type != elf.ET_EXEC {
		errs = append(errs, fmt.Errorf("ELF type is %s, want %s (a position-independent or shared object needs a loader)", f.Type, elf.ET_EXEC))
	}

	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			errs = append(errs, errors.New("has a PT_INTERP program header, so it needs a dynamic loader; build with CGO_ENABLED=0"))
		case elf.PT_DYNAMIC:
			errs = append(errs, errors.New("has a PT_DYNAMIC program header, so it links shared libraries; build with CGO_ENABLED=0"))
		}
	}
	if f.Section(".dynamic") != nil {
		errs = append(errs, errors.New("has a .dynamic section, so it links shared libraries; build with CGO_ENABLED=0"))
	}

	if arch != "" {
		want := machines[arch]
		if f.Machine != want.machine || f.Class != want.class {
			errs = append(errs, fmt.Errorf("built for %s %s, want %s %s (GOARCH=%s)", f.Class, f.Machine, want.class, want.machine, arch))
		}
	}
	return errors.Join(errs...)
}

// knownArches returns the GOARCH values that -arch accepts, sorted.
func knownArches() []string {
	names := make([]string, 0, len(machines))
	for name := range machines {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
