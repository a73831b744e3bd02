package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// GoodKind is the test kind of defect-free images; every other kind is
// defective.
const GoodKind = "good"

// ErrNoImages reports an image folder that exists but holds no image files.
var ErrNoImages = errors.New("no image files")

// Sample is one image of the dataset.
type Sample struct {
	// Path is the image file path.
	Path string

	// Kind is the name of the folder the image is in: "good" or a defect
	// kind such as "scratch_head".
	Kind string

	// Defective is true for every kind except "good".
	Defective bool

	// MaskPath is the pixel mask from ground_truth/<kind>, or "" if there
	// is none.
	MaskPath string
}

// Train lists the defect-free training images in <root>/train/good.
func Train(root string) ([]Sample, error) {
	dir := filepath.Join(root, "train", GoodKind)
	names, err := listImages(dir, "the defect-free training images (.png, .jpg or .jpeg)")
	if err != nil {
		return nil, err
	}

	samples := make([]Sample, len(names))
	for i, name := range names {
		samples[i] = Sample{Path: filepath.Join(dir, name), Kind: GoodKind}
	}
	return samples, nil
}

// Test lists the test images of every kind in <root>/test, sorted by kind
// and then by file name, with the masks found in <root>/ground_truth.
func Test(root string) ([]Sample, error) {
	testDir := filepath.Join(root, "test")
	kinds, err := listKinds(testDir)
	if err != nil {
		return nil, err
	}

	var samples []Sample
	for _, kind := range kinds {
		dir := filepath.Join(testDir, kind)
		names, err := listImages(dir, fmt.Sprintf("the test images of kind %q (.png, .jpg or .jpeg)", kind))
		if err != nil {
			return nil, err
		}

		masks, err := listMasks(filepath.Join(root, "ground_truth", kind))
		if err != nil {
			return nil, err
		}

		for _, name := range names {
			samples = append(samples, Sample{
				Path:      filepath.Join(dir, name),
				Kind:      kind,
				Defective: kind != GoodKind,
				MaskPath:  masks[stem(name)],
			})
		}
	}
	return samples, nil
}

// isImageName reports whether name has an image extension, in any case.
func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// stem returns name without its extension.
func stem(name string) string {
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// readDir lists dir and returns a clear error when it is missing. The
// content describes what belongs in the folder.
func readDir(dir, content string) ([]fs.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dataset: folder %s not found; it should hold %s in the MVTec AD layout: %w", dir, content, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: list %s: %w", dir, err)
	}
	return entries, nil
}

// isFileEntry reports whether e is a regular file or a symbolic link, which
// is followed when the image is opened.
func isFileEntry(e fs.DirEntry) bool {
	return e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0
}

// listImages returns the sorted image file names in dir. Everything else
// is skipped and counted in one log line.
func listImages(dir, content string) ([]string, error) {
	entries, err := readDir(dir, content)
	if err != nil {
		return nil, err
	}

	var names []string
	skipped := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !isFileEntry(e) || !isImageName(name) {
			skipped++
			continue
		}
		names = append(names, name)
	}
	logSkipped(dir, skipped)

	if len(names) == 0 {
		return nil, fmt.Errorf("dataset: folder %s has %w; it should hold %s", dir, ErrNoImages, content)
	}
	slices.Sort(names)
	return names, nil
}

// listKinds returns the sorted kind folders of the test folder dir.
func listKinds(dir string) ([]string, error) {
	const content = "one folder per kind of test image, such as test/good and test/<defect kind>"
	entries, err := readDir(dir, content)
	if err != nil {
		return nil, err
	}

	var kinds []string
	skipped := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !isDir(filepath.Join(dir, e.Name())) {
			skipped++
			continue
		}
		kinds = append(kinds, e.Name())
	}
	logSkipped(dir, skipped)

	if len(kinds) == 0 {
		return nil, fmt.Errorf("dataset: folder %s has no kind folders; it should hold %s", dir, content)
	}
	slices.Sort(kinds)
	return kinds, nil
}

// isDir reports whether path is a folder, following symbolic links.
func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// listMasks maps image stems to mask paths in dir: "000" -> dir/000_mask.png.
// A missing folder means no masks.
func listMasks(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: list masks in %s: %w", dir, err)
	}

	masks := make(map[string]string)
	skipped := 0
	for _, e := range entries {
		name := e.Name()
		image, ok := strings.CutSuffix(stem(name), "_mask")
		if strings.HasPrefix(name, ".") || !isFileEntry(e) || !isImageName(name) || !ok {
			skipped++
			continue
		}
		masks[image] = filepath.Join(dir, name)
	}
	logSkipped(dir, skipped)
	return masks, nil
}

// logSkipped logs one line per folder with skipped entries.
func logSkipped(dir string, count int) {
	if count > 0 {
		slog.Info("skipped non-image files", "dir", dir, "count", count)
	}
}
