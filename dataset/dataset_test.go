package dataset

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"edgeae/internal/testdata"
)

// tinyPNG returns a 2x2 gray PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// makeTree creates the files (slash-separated paths relative to root) with
// the given contents; a path ending in "/" creates a folder.
func makeTree(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// captureLog sends slog output to a buffer for the rest of the test.
func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// relPaths returns the sample paths relative to root, slash-separated.
func relPaths(t *testing.T, root string, samples []Sample) []string {
	t.Helper()
	var out []string
	for _, s := range samples {
		rel, err := filepath.Rel(root, s.Path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func TestTrain(t *testing.T) {
	root := t.TempDir()
	img := tinyPNG(t)
	makeTree(t, root, map[string][]byte{
		"train/good/002.png":     img,
		"train/good/000.PNG":     img,
		"train/good/001.jpeg":    img,
		"train/good/003.JPG":     img,
		"train/good/.hidden.png": img,
		"train/good/notes.txt":   []byte("camera settings"),
		"train/good/old/":        nil,
	})
	logs := captureLog(t)

	samples, err := Train(root)
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"train/good/000.PNG", "train/good/001.jpeg", "train/good/002.png", "train/good/003.JPG"}
	if got := relPaths(t, root, samples); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paths = %v, want %v", got, want)
	}
	for _, s := range samples {
		if s.Kind != "good" || s.Defective || s.MaskPath != "" {
			t.Errorf("sample %+v, want kind good, not defective, no mask", s)
		}
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("log has %d lines, want 1:\n%s", len(lines), logs)
	}
	if !strings.Contains(lines[0], `msg="skipped non-image files"`) || !strings.Contains(lines[0], "count=3") {
		t.Errorf("log line %q, want the skip message with count=3", lines[0])
	}
}

func TestTrainNoSkipNoLog(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, map[string][]byte{"train/good/000.png": tinyPNG(t)})
	logs := captureLog(t)

	if _, err := Train(root); err != nil {
		t.Fatal(err)
	}
	if logs.Len() != 0 {
		t.Errorf("log = %q, want nothing when no file was skipped", logs)
	}
}

func TestTrainMissingFolder(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, map[string][]byte{"train/": nil})

	_, err := Train(root)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v, want fs.ErrNotExist", err)
	}
	if dir := filepath.Join(root, "train", "good"); !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name %s", err, dir)
	}
	if !strings.Contains(err.Error(), "training images") {
		t.Errorf("error %q does not say what the folder should hold", err)
	}
}

func TestTrainEmptyFolder(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, map[string][]byte{
		"train/good/.DS_Store": []byte{0},
		"train/good/README.md": []byte("empty"),
	})
	captureLog(t)

	_, err := Train(root)
	if !errors.Is(err, ErrNoImages) {
		t.Fatalf("error %v, want ErrNoImages", err)
	}
	if dir := filepath.Join(root, "train", "good"); !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name %s", err, dir)
	}
}

func TestTest(t *testing.T) {
	root := t.TempDir()
	img := tinyPNG(t)
	makeTree(t, root, map[string][]byte{
		"test/good/001.png":                  img,
		"test/good/000.png":                  img,
		"test/scratch/001.png":               img,
		"test/scratch/000.png":               img,
		"test/bent/000.JPG":                  img,
		"test/.cache/000.png":                img,
		"test/README.md":                     []byte("kinds"),
		"ground_truth/scratch/000_mask.png":  img,
		"ground_truth/scratch/.000_mask.png": img,
		"ground_truth/bent/000_mask.PNG":     img,
	})
	captureLog(t)

	samples, err := Test(root)
	if err != nil {
		t.Fatal(err)
	}

	want := []Sample{
		{Path: "test/bent/000.JPG", Kind: "bent", Defective: true, MaskPath: "ground_truth/bent/000_mask.PNG"},
		{Path: "test/good/000.png", Kind: "good"},
		{Path: "test/good/001.png", Kind: "good"},
		{Path: "test/scratch/000.png", Kind: "scratch", Defective: true, MaskPath: "ground_truth/scratch/000_mask.png"},
		{Path: "test/scratch/001.png", Kind: "scratch", Defective: true},
	}
	if len(samples) != len(want) {
		t.Fatalf("got %d samples %v, want %d", len(samples), samples, len(want))
	}
	for i, w := range want {
		w.Path = filepath.Join(root, filepath.FromSlash(w.Path))
		if w.MaskPath != "" {
			w.MaskPath = filepath.Join(root, filepath.FromSlash(w.MaskPath))
		}
		if samples[i] != w {
			t.Errorf("sample %d = %+v, want %+v", i, samples[i], w)
		}
	}
}

func TestTestErrors(t *testing.T) {
	img := tinyPNG(t)
	tests := []struct {
		name    string
		files   map[string][]byte
		wantErr string
		wantIs  error
	}{
		{"missing test folder", map[string][]byte{"train/good/000.png": img}, "one folder per kind", fs.ErrNotExist},
		{"no kind folders", map[string][]byte{"test/README.md": img}, "has no kind folders", nil},
		{"empty kind folder", map[string][]byte{"test/good/000.png": img, "test/crack/": nil}, `kind "crack"`, ErrNoImages},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			makeTree(t, root, tt.files)
			captureLog(t)

			_, err := Test(root)
			if err == nil {
				t.Fatalf("Test returned no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), filepath.Join(root, "test")) {
				t.Errorf("error %q does not name the folder", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v, want errors.Is %v", err, tt.wantIs)
			}
		})
	}
}

// writeMask writes a PNG mask and returns its path.
func writeMask(t *testing.T, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "000_mask.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadMask(t *testing.T) {
	// A 4x4 mask whose 2x2 blocks hold 4, 3, 2 and 1 defect pixels, read
	// at 2x2: coverage 1, 0.75, 0.5, 0.25, and only more than half counts.
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	for _, p := range [][2]int{
		{0, 0}, {1, 0}, {0, 1}, {1, 1}, // top-left: 4
		{2, 0}, {3, 0}, {2, 1}, // top-right: 3
		{0, 2}, {1, 3}, // bottom-left: 2
		{3, 3}, // bottom-right: 1
	} {
		gray.SetGray(p[0], p[1], color.Gray{Y: 1})
	}
	path := writeMask(t, gray)

	coverage, err := MaskCoverage(path, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantCoverage := []float32{1, 0.75, 0.5, 0.25}
	for i := range wantCoverage {
		if coverage[i] != wantCoverage[i] {
			t.Errorf("coverage[%d] = %v, want %v", i, coverage[i], wantCoverage[i])
		}
	}

	mask, err := LoadMask(path, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantMask := []bool{true, true, false, false}
	for i := range wantMask {
		if mask[i] != wantMask[i] {
			t.Errorf("mask[%d] = %v, want %v", i, mask[i], wantMask[i])
		}
	}
}

func TestLoadMaskColour(t *testing.T) {
	// Any non-zero channel marks a defect: red, then black, at full size.
	img := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	img.SetNRGBA(0, 0, color.NRGBA{R: 200, A: 255})
	img.SetNRGBA(1, 0, color.NRGBA{A: 255})
	path := writeMask(t, img)

	mask, err := LoadMask(path, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !mask[0] || mask[1] {
		t.Errorf("mask = %v, want [true false]", mask)
	}
}

func TestLoadMaskErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad_mask.png")
	if err := os.WriteFile(bad, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeMask(t, image.NewGray(image.Rect(0, 0, 2, 2)))

	tests := []struct {
		name string
		path string
		w, h int
	}{
		{"not an image", bad, 2, 2},
		{"missing file", filepath.Join(t.TempDir(), "none.png"), 2, 2},
		{"zero size", good, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadMask(tt.path, tt.w, tt.h)
			if err == nil {
				t.Fatal("LoadMask returned no error")
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestRealScrewCounts(t *testing.T) {
	root := testdata.ScrewDir(t)

	train, err := Train(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 320 {
		t.Errorf("train has %d images, want 320", len(train))
	}

	test, err := Test(root)
	if err != nil {
		t.Fatal(err)
	}
	good, defective := 0, 0
	for _, s := range test {
		if s.Defective {
			defective++
		} else {
			good++
		}
	}
	if good != 21 || defective != 60 {
		t.Errorf("test has %d good and %d defective images, want 21 and 60", good, defective)
	}
}

func TestTestFollowsLinkedKindFolders(t *testing.T) {
	images := t.TempDir()
	makeTree(t, images, map[string][]byte{"000.png": tinyPNG(t), "001.png": tinyPNG(t)})
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "test"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(images, filepath.Join(root, "test", "good")); err != nil {
		t.Fatal(err)
	}

	samples, err := Test(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 2 {
		t.Fatalf("found %d samples through the linked folder, want 2", len(samples))
	}
	if samples[0].Kind != GoodKind || samples[0].Defective {
		t.Errorf("sample kind %q defective %v, want good and not defective", samples[0].Kind, samples[0].Defective)
	}
}
