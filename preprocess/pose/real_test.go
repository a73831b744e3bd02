package pose

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"edgeae/internal/testdata"
)

// decodePNG reads one PNG file.
func decodePNG(tb testing.TB, path string) image.Image {
	tb.Helper()

	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()

	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	return img
}

// outputCheck is what TestAlignTrainImages reads off an aligned image
// without using the package's own detection.
type outputCheck struct {
	// massShift is how far the dark pixels' centre of mass lies left of
	// the middle of their horizontal extent, in pixels. The head is the
	// heavy end, so a positive shift puts it on the left.
	massShift float64

	// angle is the principal axis of the dark pixels in degrees.
	angle float64

	// edgeDark counts dark pixels within 8 px of the output border.
	edgeDark int
}

// checkOutput thresholds g at its own border median minus 75 gray levels
// and measures the dark pixels.
func checkOutput(g *image.Gray) outputCheck {
	w, h := g.Rect.Dx(), g.Rect.Dy()

	var ring []uint8
	for x := 0; x < w; x++ {
		ring = append(ring, g.Pix[x], g.Pix[(h-1)*g.Stride+x])
	}
	slices.Sort(ring)
	level := int(ring[len(ring)/2]) - 75

	var n, sx, sy float64
	minX, maxX := w, -1
	var c outputCheck
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if int(g.Pix[y*g.Stride+x]) >= level {
				continue
			}
			n++
			sx += float64(x)
			sy += float64(y)
			minX, maxX = min(minX, x), max(maxX, x)
			if x < 8 || y < 8 || x >= w-8 || y >= h-8 {
				c.edgeDark++
			}
		}
	}
	mx, my := sx/n, sy/n

	var mu20, mu02, mu11 float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if int(g.Pix[y*g.Stride+x]) < level {
				dx, dy := float64(x)-mx, float64(y)-my
				mu20 += dx * dx
				mu02 += dy * dy
				mu11 += dx * dy
			}
		}
	}

	c.massShift = float64(minX+maxX)/2 - mx
	c.angle = 0.5 * math.Atan2(2*mu11, mu20-mu02) * 180 / math.Pi
	return c
}

func TestAlignTrainImages(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata.ScrewDir(t), "train", "good", "*.png"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no train/good images found (err %v)", err)
	}

	step := 1
	if testing.Short() {
		step = 10
	}

	cfg := DefaultConfig()
	for i := 0; i < len(files); i += step {
		name := filepath.Base(files[i])
		img := decodePNG(t, files[i])

		out, err := Align(img, cfg)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}

		check := checkOutput(out.(*image.Gray))
		if check.massShift <= 0 {
			t.Errorf("%s: dark mass lies %.1f px right of the middle, so the head is not on the left", name, -check.massShift)
		}
		if math.Abs(check.angle) > 1 {
			t.Errorf("%s: aligned part axis at %.2f degrees, want within 1 of horizontal", name, check.angle)
		}
		if check.edgeDark > 0 {
			t.Errorf("%s: %d dark pixels within 8 px of the crop edge, so the crop box clips the part", name, check.edgeDark)
		}
	}
}

// benchmarkImage decodes the first train/good image.
func benchmarkImage(b *testing.B) image.Image {
	return decodePNG(b, filepath.Join(testdata.ScrewDir(b), "train", "good", "000.png"))
}

func BenchmarkAlign(b *testing.B) {
	img := benchmarkImage(b)
	cfg := DefaultConfig()

	for b.Loop() {
		if _, err := Align(img, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMeasure(b *testing.B) {
	img := benchmarkImage(b)
	cfg := DefaultConfig()

	for b.Loop() {
		if _, err := Measure(img, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
