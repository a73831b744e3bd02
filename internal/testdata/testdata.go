// Package testdata locates the real MVTec AD screw photos for tests and
// benchmarks. The photos live outside the repository, in
// ../shared/datasets/mvtec-screw relative to the module root, because their
// licence (CC BY-NC-SA 4.0) keeps them out of the source tree.
package testdata

import (
	"os"
	"path/filepath"
	"testing"
)

// ScrewDir returns the absolute path of the MVTec screw dataset root and
// fails the test when it is missing.
func ScrewDir(tb testing.TB) string {
	tb.Helper()

	dir, err := screwDir()
	if err != nil {
		tb.Fatalf("testdata: %v", err)
	}
	return dir
}

// screwDir walks up from the working directory to the module root (the
// folder with go.mod) and returns ../shared/datasets/mvtec-screw from there.
func screwDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}

	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			data := filepath.Join(filepath.Dir(dir), "shared", "datasets", "mvtec-screw")
			if _, err := os.Stat(filepath.Join(data, "train", "good")); err != nil {
				return "", &os.PathError{Op: "stat", Path: data, Err: errMissing}
			}
			return data, nil
		}
		if filepath.Dir(dir) == dir {
			return "", &os.PathError{Op: "find module root", Path: wd, Err: os.ErrNotExist}
		}
	}
}

// errMissing explains where the dataset is expected.
var errMissing = missingError("MVTec screw dataset not found: place it in ../shared/datasets/mvtec-screw beside the repository")

type missingError string

func (e missingError) Error() string { return string(e) }

// Subset builds an MVTec-layout folder in a temporary directory whose
// files are symbolic links to real photos: the first nTrain of train/good
// and the first nTest of test/good and of test/defective. It returns the
// folder's path. The photos are linked, not copied, so tests can add or
// remove files in the subset without touching the dataset.
func Subset(tb testing.TB, nTrain, nTest int) string {
	tb.Helper()
	src := ScrewDir(tb)
	dst := tb.TempDir()

	link := func(rel string, n int) {
		from, to := filepath.Join(src, rel), filepath.Join(dst, rel)
		entries, err := os.ReadDir(from)
		if err != nil {
			tb.Fatalf("testdata: %v", err)
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			tb.Fatalf("testdata: %v", err)
		}
		for _, e := range entries[:min(n, len(entries))] {
			if err := os.Symlink(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
				tb.Fatalf("testdata: %v", err)
			}
		}
	}

	link(filepath.Join("train", "good"), nTrain)
	link(filepath.Join("test", "good"), nTest)
	link(filepath.Join("test", "defective"), nTest)
	return dst
}
