package edge

import (
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"edgeae/internal/testdata"
)

func TestOverlayErrors(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	tests := []struct {
		name string
		base image.Image
		m    []float32
		w, h int
	}{
		{"map too short", gray, make([]float32, 15), 4, 4},
		{"zero width", gray, nil, 0, 4},
		{"empty frame", image.NewGray(image.Rect(0, 0, 0, 0)), make([]float32, 4), 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Overlay(tt.base, tt.m, tt.w, tt.h); err == nil {
				t.Error("Overlay: no error; want one")
			}
		})
	}
}

func TestOverlayColors(t *testing.T) {
	frame := image.NewGray(image.Rect(10, 10, 18, 18))
	for i := range frame.Pix {
		frame.Pix[i] = 100
	}

	// A 2x2 map stretched over 8x8: top-left quadrant hot, bottom-right
	// half as hot, top-right zero, bottom-left NaN.
	m := []float32{4, 0, float32(math.NaN()), 2}
	out, err := Overlay(frame, m, 2, 2)
	if err != nil {
		t.Fatalf("Overlay: %v", err)
	}

	if got := out.Bounds(); got != image.Rect(0, 0, 8, 8) {
		t.Fatalf("bounds = %v; want 8x8 from origin", got)
	}

	tests := []struct {
		name string
		x, y int
		want color.RGBA
	}{
		{"peak is strongest red", 1, 1, color.RGBA{209, 30, 30, 255}},
		{"half peak", 6, 6, color.RGBA{154, 65, 65, 255}},
		{"zero stays gray", 6, 1, color.RGBA{100, 100, 100, 255}},
		{"NaN is strongest red", 1, 6, color.RGBA{209, 30, 30, 255}},
	}
	for _, tt := range tests {
		if got := out.RGBAAt(tt.x, tt.y); got != tt.want {
			t.Errorf("%s: pixel (%d,%d) = %v; want %v", tt.name, tt.x, tt.y, got, tt.want)
		}
	}
}

func TestOverlayOnScrewPhoto(t *testing.T) {
	dir := filepath.Join(testdata.ScrewDir(t), "test", "good")
	names, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no PNG in %s: %v", dir, err)
	}
	f, err := os.Open(names[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	photo, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", names[0], err)
	}

	// A 64x64 map with one hot cell in the centre.
	const side = 64
	m := make([]float32, side*side)
	m[side/2*side+side/2] = 1

	out, err := Overlay(photo, m, side, side)
	if err != nil {
		t.Fatalf("Overlay: %v", err)
	}
	if out.Bounds().Size() != photo.Bounds().Size() {
		t.Fatalf("overlay size %v; want the photo size %v", out.Bounds().Size(), photo.Bounds().Size())
	}

	b := photo.Bounds()
	cx, cy := b.Dx()/2+b.Dx()/side/2, b.Dy()/2+b.Dy()/side/2
	hot := out.RGBAAt(cx, cy)
	if hot.R < 178 || hot.G > hot.R/2 {
		t.Errorf("hot pixel %v; want strong red", hot)
	}

	corner := out.RGBAAt(0, 0)
	want := color.GrayModel.Convert(photo.At(b.Min.X, b.Min.Y)).(color.Gray).Y
	if corner.R != want || corner.G != want || corner.B != want {
		t.Errorf("cold pixel %v; want gray %d", corner, want)
	}
}

// noiseFrame returns a gray image of random pixels, which PNG cannot
// compress, so saved sizes are predictable.
func noiseFrame(side int, seed uint64) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	return img
}

// savedFiles returns the names of the files in dir that the store manages
// and their total size.
func savedFiles(t *testing.T, dir string) ([]string, int64) {
	t.Helper()

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var total int64
	for _, e := range entries {
		if !savedName.MatchString(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name())
		total += info.Size()
	}
	return names, total
}

func TestHeatmapStoreBound(t *testing.T) {
	dir := t.TempDir()

	// A file from an earlier run, older than anything saved below, and a
	// file the store must never touch.
	old := "20200101T000000.000Z-0000000001-frame.png"
	if err := os.WriteFile(filepath.Join(dir, old), make([]byte, 5000), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), make([]byte, 100000), 0o600); err != nil {
		t.Fatal(err)
	}

	// One 64x64 noise pair is about 4 KiB + 16 KiB, so 60 KB holds two
	// or three pairs.
	const maxBytes = 60000
	s, err := newHeatmapStore(dir, maxBytes, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("newHeatmapStore: %v", err)
	}

	amap := make([]float32, 16)
	amap[5] = 1
	for i := range 8 {
		rec := HeatmapRecord{
			Frame:     noiseFrame(64, uint64(i)),
			Map:       amap,
			MapWidth:  4,
			MapHeight: 4,
			Seq:       uint64(i + 1),
			Time:      base.Add(time.Duration(i) * time.Second),
		}
		// Nothing was submitted, so the worker goroutine is idle and the
		// test may call save directly.
		if err := s.save(rec); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}

		if _, total := savedFiles(t, dir); total > maxBytes {
			t.Fatalf("after save %d the saved files hold %d bytes; want at most %d", i, total, maxBytes)
		}
	}
	s.Close()

	names, total := savedFiles(t, dir)
	if slices.Contains(names, old) {
		t.Errorf("the oldest file %s was kept; want it deleted first", old)
	}
	last := "20260304T100007.000Z-0000000008"
	if !slices.Contains(names, last+"-frame.png") || !slices.Contains(names, last+"-heatmap.png") {
		t.Errorf("saved files %v; want the newest pair %s kept", names, last)
	}
	if len(names) < 4 || len(names)%2 != 0 {
		t.Errorf("saved files %v; want whole pairs, at least two", names)
	}
	if total > maxBytes {
		t.Errorf("saved files hold %d bytes; want at most %d", total, maxBytes)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("foreign file: %v; want it untouched", err)
	}

	leftovers, err := filepath.Glob(filepath.Join(dir, ".heatmap-*"))
	if err != nil || len(leftovers) != 0 {
		t.Errorf("temporary files left: %v %v", leftovers, err)
	}
}

func TestHeatmapStoreSubmitAccounting(t *testing.T) {
	dir := t.TempDir()
	s, err := NewHeatmapStore(dir, 64, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("NewHeatmapStore: %v", err)
	}

	const submitted = 20
	amap := make([]float32, 4)
	accepted := 0
	for i := range submitted {
		rec := HeatmapRecord{Frame: noiseFrame(16, uint64(i)), Map: amap, MapWidth: 2, MapHeight: 2, Seq: uint64(i + 1), Time: base.Add(time.Duration(i) * time.Millisecond)}
		if s.Submit(rec) {
			accepted++
		}
	}
	s.Close()

	if got := s.Saved() + s.Dropped(); got != submitted {
		t.Errorf("Saved %d + Dropped %d = %d; want %d", s.Saved(), s.Dropped(), got, submitted)
	}
	if s.Saved() != uint64(accepted) || s.Failed() != 0 {
		t.Errorf("Saved = %d, Failed = %d; want %d and 0", s.Saved(), s.Failed(), accepted)
	}
	names, _ := savedFiles(t, dir)
	if len(names) != 2*accepted {
		t.Errorf("%d files saved; want %d", len(names), 2*accepted)
	}
}

func TestHeatmapStoreBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := NewHeatmapStore(filepath.Join(file, "sub"), 1, nil)
	if err == nil || !strings.Contains(err.Error(), "heatmaps.dir") {
		t.Errorf("NewHeatmapStore under a file: %v; want an error naming heatmaps.dir", err)
	}
	if _, err := NewHeatmapStore(t.TempDir(), 0, nil); err == nil {
		t.Error("NewHeatmapStore with max_mb 0: no error; want one")
	}
}
