// Command scorecmp compares the per-image results of `edgeae eval --json`
// reports written by different builds of edgeae, such as the amd64, arm64
// and armv7 release binaries scoring the same images with the same model.
// build/check.sh runs it.
//
// Usage:
//
//	go run ./build/scorecmp [-rel TOL] REFERENCE.json OTHER.json...
//
// Every OTHER report must have the model format, and the same images in the
// same order, with the same kind, label, fault class and verdict as the
// REFERENCE. Scores must be equal to the bit with -rel 0 (the default), or
// within the relative tolerance TOL: |a-b| <= TOL * max(|a|, |b|). A fault's
// score is null in the report and matches only null. scorecmp prints the
// largest relative score difference per file and exits with status 1 on any
// mismatch.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
)

// report is the part of the eval JSON report that scorecmp compares.
type report struct {
	Format string     `json:"format"`
	Images []imageRow `json:"images"`
}

// imageRow is one entry of the report's "images" array.
type imageRow struct {
	Path      string   `json:"path"`
	Kind      string   `json:"kind"`
	Defective bool     `json:"defective"`
	Score     *float64 `json:"score"`
	Rejected  bool     `json:"rejected"`
	Fault     string   `json:"fault"`
}

// maxListed bounds the mismatches printed per file.
const maxListed = 10

func main() {
	rel := flag.Float64("rel", 0, "relative score tolerance; 0 requires bit-identical scores")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: scorecmp [-rel TOL] REFERENCE.json OTHER.json...\n\nCompares the per-image scores of edgeae eval --json reports.\n\nFlags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if flag.NArg() < 2 {
		flag.Usage()
		os.Exit(2)
	}
	if !(*rel >= 0 && *rel < 1) {
		fmt.Fprintf(os.Stderr, "scorecmp: -rel %g: must be at least 0 and below 1\n", *rel)
		os.Exit(2)
	}

	ok, err := compareFiles(os.Stdout, flag.Arg(0), flag.Args()[1:], *rel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "scorecmp: %v\n", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// compareFiles compares every other report with the reference, prints one
// summary line per file (and its mismatches) to w, and reports whether all
// of them match. It returns an error when a file cannot be read.
func compareFiles(w io.Writer, refPath string, others []string, rel float64) (bool, error) {
	ref, err := readReport(refPath)
	if err != nil {
		return false, err
	}

	ok := true
	for _, path := range others {
		other, err := readReport(path)
		if err != nil {
			return false, err
		}

		maxRel, mismatches := compare(ref, other, rel)
		if len(mismatches) == 0 {
			fmt.Fprintf(w, "ok   %s: %d %s images match %s (largest relative score difference %.3g, tolerance %g)\n",
				path, len(other.Images), other.Format, refPath, maxRel, rel)
			continue
		}

		ok = false
		fmt.Fprintf(w, "FAIL %s: %d mismatches against %s (tolerance %g):\n", path, len(mismatches), refPath, rel)
		for i, m := range mismatches {
			if i == maxListed {
				fmt.Fprintf(w, "  and %d more\n", len(mismatches)-maxListed)
				break
			}
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	return ok, nil
}

// readReport decodes an eval JSON report and checks that it has images.
func readReport(path string) (report, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return report{}, fmt.Errorf("read eval report: %w", err)
	}

	var r report
	if err := json.Unmarshal(buf, &r); err != nil {
		return report{}, fmt.Errorf("decode eval report %s: %w", path, err)
	}
	if len(r.Images) == 0 {
		return report{}, fmt.Errorf("eval report %s has no \"images\" entries; was it written by edgeae eval --json?", path)
	}
	return r, nil
}

// compare returns the largest relative score difference between the two
// reports and one message per mismatch.
func compare(ref, other report, rel float64) (maxRel float64, mismatches []string) {
	if ref.Format != other.Format {
		mismatches = append(mismatches, fmt.Sprintf("model format %q, want %q", other.Format, ref.Format))
	}
	if len(ref.Images) != len(other.Images) {
		mismatches = append(mismatches, fmt.Sprintf("%d images, want %d", len(other.Images), len(ref.Images)))
		return 0, mismatches
	}

	for i, want := range ref.Images {
		got := other.Images[i]
		if got.Path != want.Path || got.Kind != want.Kind || got.Defective != want.Defective {
			mismatches = append(mismatches, fmt.Sprintf("image %d is %s (%s), want %s (%s)", i, got.Path, got.Kind, want.Path, want.Kind))
			continue
		}

		d, err := compareScores(want.Score, got.Score, rel)
		maxRel = math.Max(maxRel, d)
		if err != nil {
			mismatches = append(mismatches, fmt.Sprintf("%s: %v", got.Path, err))
		}
		if got.Fault != want.Fault {
			mismatches = append(mismatches, fmt.Sprintf("%s: fault %q, want %q", got.Path, got.Fault, want.Fault))
		}
		if got.Rejected != want.Rejected {
			mismatches = append(mismatches, fmt.Sprintf("%s: rejected = %t, want %t", got.Path, got.Rejected, want.Rejected))
		}
	}
	return maxRel, mismatches
}

// compareScores returns the relative difference of two scores and an error
// when it exceeds rel (any difference when rel is 0). Two nulls match.
func compareScores(want, got *float64, rel float64) (float64, error) {
	switch {
	case want == nil && got == nil:
		return 0, nil
	case want == nil:
		return 0, fmt.Errorf("score %v, want null (a fault)", *got)
	case got == nil:
		return 0, fmt.Errorf("score null (a fault), want %v", *want)
	}

	a, b := *want, *got
	if a == b {
		return 0, nil
	}
	d := relDiff(a, b)
	if rel == 0 {
		return d, fmt.Errorf("score %v, want bit-identical %v (relative difference %.3g)", b, a, d)
	}
	if !(d <= rel) {
		return d, fmt.Errorf("score %v, want %v within relative tolerance %g (relative difference %.3g)", b, a, rel, d)
	}
	return d, nil
}

// relDiff returns |a-b| / max(|a|, |b|), or +Inf when either is not a
// finite number.
func relDiff(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.Inf(1)
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}
