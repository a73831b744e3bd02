package preprocess

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"edgeae/internal/testdata"
	"edgeae/preprocess/pose"
)

// closeTo reports whether got and want differ by at most tol per element.
func closeTo(got, want []float32, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(float64(got[i])-float64(want[i])) > tol {
			return false
		}
	}
	return true
}

// twoPixels sets the pixels of the 2x1 image m to a and b through Set,
// which converts them to the image's colour model.
func twoPixels(m interface {
	image.Image
	Set(x, y int, c color.Color)
}, a, b color.Color) image.Image {
	m.Set(0, 0, a)
	m.Set(1, 0, b)
	return m
}

func TestTensorImageTypes(t *testing.T) {
	r := image.Rect(0, 0, 2, 1)

	// Two YCbCr pixels sharing one 4:2:0 chroma sample. With JFIF
	// R = Y + 1.402 (Cr-128), G = Y - 0.344136 (Cb-128) - 0.714136 (Cr-128),
	// B = Y + 1.772 (Cb-128) and Cb = 128, Cr = 178:
	// Y=100 gives (170.1, 64.29, 100), Y=200 gives (270.1 -> 255, 164.29, 200).
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	ycc.Y[0], ycc.Y[1] = 100, 200
	ycc.Cb[0], ycc.Cr[0] = 128, 178

	palette := color.Palette{
		color.NRGBA{G: 255, A: 0},  // transparent green, stored colour kept
		color.RGBA{B: 100, A: 200}, // premultiplied: blue = 100/200 = 0.5
	}
	paletted := image.NewPaletted(r, palette)
	paletted.Pix[0], paletted.Pix[1] = 0, 1

	tests := []struct {
		name string
		img  image.Image
		gray []float32 // 1 channel
		rgb  []float32 // 3 channels, R plane then G then B
		tol  float64
	}{
		{
			// 51/255 = 0.2.
			name: "Gray",
			img:  twoPixels(image.NewGray(r), color.Gray{51}, color.Gray{255}),
			gray: []float32{0.2, 1},
			rgb:  []float32{0.2, 1, 0.2, 1, 0.2, 1},
			tol:  1e-7,
		},
		{
			// 1/65535 = 1.5259022e-5.
			name: "Gray16",
			img:  twoPixels(image.NewGray16(r), color.Gray16{1}, color.Gray16{65535}),
			gray: []float32{1.5259022e-5, 1},
			rgb:  []float32{1.5259022e-5, 1, 1.5259022e-5, 1, 1.5259022e-5, 1},
			tol:  1e-11,
		},
		{
			// Premultiplied (100, 50, 0, a=200) is (0.5, 0.25, 0);
			// luma = 0.299*0.5 + 0.587*0.25 = 0.29625. Alpha 0 reads as black.
			name: "RGBA",
			img:  twoPixels(image.NewRGBA(r), color.RGBA{100, 50, 0, 200}, color.RGBA{}),
			gray: []float32{0.29625, 0},
			rgb:  []float32{0.5, 0, 0.25, 0, 0, 0},
			tol:  1e-6,
		},
		{
			// Premultiplied (0x4000, 0x2000, 0x1000, a=0x8000) is
			// (0.5, 0.25, 0.125); luma = 0.1495 + 0.14675 + 0.01425 = 0.3105.
			name: "RGBA64",
			img: twoPixels(image.NewRGBA64(r),
				color.RGBA64{0x4000, 0x2000, 0x1000, 0x8000}, color.RGBA64{0xffff, 0xffff, 0xffff, 0xffff}),
			gray: []float32{0.3105, 1},
			rgb:  []float32{0.5, 1, 0.25, 1, 0.125, 1},
			tol:  1e-6,
		},
		{
			// Stored colour (200, 100, 0): luma = (0.299*200 + 0.587*100)/255
			// = 118.5/255 = 0.4647059. The transparent blue pixel stays blue:
			// luma 0.114.
			name: "NRGBA",
			img:  twoPixels(image.NewNRGBA(r), color.NRGBA{200, 100, 0, 128}, color.NRGBA{0, 0, 255, 0}),
			gray: []float32{0.4647059, 0.114},
			rgb:  []float32{0.7843137, 0, 0.3921569, 0, 0, 1},
			tol:  1e-6,
		},
		{
			// Pure red and pure green: luma 0.299 and 0.587.
			name: "NRGBA64",
			img: twoPixels(image.NewNRGBA64(r),
				color.NRGBA64{R: 0xffff, A: 1}, color.NRGBA64{G: 0xffff, A: 0xffff}),
			gray: []float32{0.299, 0.587},
			rgb:  []float32{1, 0, 0, 1, 0, 0},
			tol:  1e-6,
		},
		{
			// Green (luma 0.587) and blue 0.5 (luma 0.114*0.5 = 0.057).
			name: "Paletted",
			img:  paletted,
			gray: []float32{0.587, 0.057},
			rgb:  []float32{0, 0, 1, 0, 0, 0.5},
			tol:  1e-6,
		},
		{
			// One channel is Y/255; three channels follow the JFIF values
			// above within the rounding of the 8-bit conversion.
			name: "YCbCr",
			img:  ycc,
			gray: []float32{100.0 / 255, 200.0 / 255},
			rgb:  []float32{170.1 / 255, 1, 64.29 / 255, 164.29 / 255, 100.0 / 255, 200.0 / 255},
			tol:  1.0 / 255,
		},
		{
			// CMYK has no fast path. (0,0,0,0) is white and (255,0,0,0) is
			// cyan, luma 0.587 + 0.114 = 0.701.
			name: "CMYK through At",
			img:  twoPixels(image.NewCMYK(r), color.CMYK{}, color.CMYK{C: 255}),
			gray: []float32{1, 0.701},
			rgb:  []float32{1, 0, 1, 1, 1, 1},
			tol:  1e-6,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gray := make([]float32, 2)
			if err := (Config{Width: 2, Height: 1, Channels: 1}).Tensor(tt.img, gray); err != nil {
				t.Fatalf("1 channel: %v", err)
			}
			if !closeTo(gray, tt.gray, tt.tol) {
				t.Errorf("1 channel = %v, want %v", gray, tt.gray)
			}

			rgb := make([]float32, 6)
			if err := (Config{Width: 2, Height: 1, Channels: 3}).Tensor(tt.img, rgb); err != nil {
				t.Fatalf("3 channels: %v", err)
			}
			if !closeTo(rgb, tt.rgb, tt.tol) {
				t.Errorf("3 channels = %v, want %v", rgb, tt.rgb)
			}
		})
	}
}

func TestTensorYCbCrLumaMatchesRGB(t *testing.T) {
	// For colours inside the RGB gamut, the Y shortcut must agree with the
	// BT.601 luma of the same colour given as RGBA.
	colours := []color.RGBA{{200, 30, 90, 255}, {10, 250, 40, 255}, {0, 0, 0, 255}, {255, 255, 255, 255}, {60, 120, 240, 255}}
	r := image.Rect(0, 0, len(colours), 1)

	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	rgba := image.NewRGBA(r)
	for x, c := range colours {
		yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
		ycc.Y[x], ycc.Cb[x], ycc.Cr[x] = yy, cb, cr
		rgba.SetRGBA(x, 0, c)
	}

	cfg := Config{Width: len(colours), Height: 1, Channels: 1}
	fromY := make([]float32, len(colours))
	fromRGB := make([]float32, len(colours))
	if err := cfg.Tensor(ycc, fromY); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Tensor(rgba, fromRGB); err != nil {
		t.Fatal(err)
	}
	if !closeTo(fromY, fromRGB, 1.0/255) {
		t.Errorf("luma from Y = %v, from RGB = %v; want equal within 1/255", fromY, fromRGB)
	}
}

func TestTensorKeeps16BitPrecision(t *testing.T) {
	// 25700/65535 equals 100/255 exactly; 25701 is one 16-bit step above
	// and has no 8-bit equivalent.
	img := twoPixels(image.NewGray16(image.Rect(0, 0, 2, 1)), color.Gray16{25700}, color.Gray16{25701})

	out := make([]float32, 2)
	if err := (Config{Width: 2, Height: 1, Channels: 1}).Tensor(img, out); err != nil {
		t.Fatal(err)
	}

	if got, want := float64(out[0]), 100.0/255; math.Abs(got-want) > 1e-7 {
		t.Errorf("25700 -> %v, want %v", got, want)
	}
	if step := float64(out[1] - out[0]); math.Abs(step-1.0/65535) > 1e-8 {
		t.Errorf("one 16-bit step -> %g, want %g", step, 1.0/65535)
	}
}

func TestTensorROI(t *testing.T) {
	// Pixel value 10*y + x on a 4x3 image.
	img := image.NewGray(image.Rect(0, 0, 4, 3))
	for y := range 3 {
		for x := range 4 {
			img.SetGray(x, y, color.Gray{uint8(10*y + x)})
		}
	}
	want := []float32{11.0 / 255, 12.0 / 255, 21.0 / 255, 22.0 / 255}
	cfg := Config{Width: 2, Height: 2, Channels: 1, ROI: &Rect{X0: 1, Y0: 1, X1: 3, Y1: 3}}

	out := make([]float32, 4)
	if err := cfg.Tensor(img, out); err != nil {
		t.Fatal(err)
	}
	if !closeTo(out, want, 1e-7) {
		t.Errorf("ROI crop = %v, want %v", out, want)
	}

	// The ROI is relative to Bounds().Min, so cropping a sub-image that
	// starts at (1,1) with (0,0)-(2,2) selects the same pixels.
	sub := img.SubImage(image.Rect(1, 1, 4, 3))
	cfg.ROI = &Rect{X0: 0, Y0: 0, X1: 2, Y1: 2}
	if err := cfg.Tensor(sub, out); err != nil {
		t.Fatal(err)
	}
	if !closeTo(out, want, 1e-7) {
		t.Errorf("ROI crop of sub-image = %v, want %v", out, want)
	}
}

func TestTensorROIWithoutSubImage(t *testing.T) {
	// image.Uniform has no SubImage method, so the crop wraps it.
	img := image.NewUniform(color.Gray{128})
	cfg := Config{Width: 3, Height: 2, Channels: 1, ROI: &Rect{X0: 0, Y0: 0, X1: 6, Y1: 4}}

	out := make([]float32, 6)
	if err := cfg.Tensor(img, out); err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if math.Abs(float64(v)-128.0/255) > 1e-6 {
			t.Errorf("out[%d] = %v, want %v", i, v, 128.0/255)
		}
	}
}

func TestTensorROIOutside(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 4, 3))
	tests := []struct {
		name string
		roi  Rect
	}{
		{"too wide", Rect{X0: 0, Y0: 0, X1: 5, Y1: 3}},
		{"too tall", Rect{X0: 1, Y0: 1, X1: 2, Y1: 4}},
		{"beyond the corner", Rect{X0: 10, Y0: 10, X1: 12, Y1: 12}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Width: 2, Height: 2, Channels: 1, ROI: &tt.roi}
			err := cfg.Tensor(img, make([]float32, 4))
			if err == nil {
				t.Fatal("Tensor accepted an ROI outside the image")
			}
			if !strings.Contains(err.Error(), tt.roi.String()) {
				t.Errorf("error %q does not name the ROI %v", err, tt.roi)
			}
			if !strings.Contains(err.Error(), "(0,0)-(4,3)") {
				t.Errorf("error %q does not name the image rectangle (0,0)-(4,3)", err)
			}
		})
	}
}

func TestTensorDestinationLength(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	cfg := Config{Width: 4, Height: 4, Channels: 3}

	for _, n := range []int{0, 16, 47, 49} {
		err := cfg.Tensor(img, make([]float32, n))
		if err == nil {
			t.Errorf("len(dst) = %d: Tensor accepted it, want an error (need 48)", n)
			continue
		}
		if !strings.Contains(err.Error(), "48") {
			t.Errorf("len(dst) = %d: error %q does not give the needed length 48", n, err)
		}
	}
}

func TestTensorNilImage(t *testing.T) {
	err := (Config{Width: 1, Height: 1, Channels: 1}).Tensor(nil, make([]float32, 1))
	if err == nil {
		t.Error("Tensor(nil) returned no error")
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // "" means valid
	}{
		{"valid default filter", Config{Width: 224, Height: 224, Channels: 1}, ""},
		{"valid bilinear RGB", Config{Width: 8, Height: 4, Channels: 3, Resize: "bilinear"}, ""},
		{"valid ROI", Config{Width: 8, Height: 4, Channels: 1, ROI: &Rect{X1: 1, Y1: 1}}, ""},
		{"zero width", Config{Width: 0, Height: 224, Channels: 1}, "width and height must be 1 to 16384"},
		{"negative height", Config{Width: 224, Height: -1, Channels: 1}, "width and height must be 1 to 16384"},
		{"huge width", Config{Width: 1 << 20, Height: 1, Channels: 1}, "width and height must be 1 to 16384"},
		{"two channels", Config{Width: 1, Height: 1, Channels: 2}, "use 1 (gray) or 3 (RGB)"},
		{"unknown filter", Config{Width: 1, Height: 1, Channels: 1, Resize: "cubic"}, `unknown resize filter "cubic"`},
		{"empty ROI", Config{Width: 1, Height: 1, Channels: 1, ROI: &Rect{X0: 3, Y0: 0, X1: 3, Y1: 5}}, "empty ROI"},
		{"inverted ROI", Config{Width: 1, Height: 1, Channels: 1, ROI: &Rect{X0: 0, Y0: 5, X1: 3, Y1: 1}}, "empty ROI"},
		{"negative ROI", Config{Width: 1, Height: 1, Channels: 1, ROI: &Rect{X0: -1, Y0: 0, X1: 3, Y1: 1}}, "must be >= 0"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestTensorRealScrew(t *testing.T) {
	path := filepath.Join(testdata.ScrewDir(t), "train", "good", "000.png")
	img, err := DecodeFile(path)
	if err != nil {
		t.Fatal(err)
	}

	gray, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("%s decoded to %T, want *image.Gray", path, img)
	}
	if b := gray.Bounds(); b.Dx() != 1024 || b.Dy() != 1024 {
		t.Fatalf("%s is %dx%d, want 1024x1024", path, b.Dx(), b.Dy())
	}

	cfg := Config{Width: 224, Height: 224, Channels: 1}
	out := make([]float32, cfg.Len())
	if err := cfg.Tensor(img, out); err != nil {
		t.Fatal(err)
	}

	var outSum float64
	for i, v := range out {
		if v < 0 || v > 1 {
			t.Fatalf("out[%d] = %v, outside [0, 1]", i, v)
		}
		outSum += float64(v)
	}

	// The area filter preserves the mean of the source.
	var srcSum float64
	for _, v := range gray.Pix {
		srcSum += float64(v) / 255
	}
	srcMean := srcSum / float64(len(gray.Pix))
	outMean := outSum / float64(len(out))
	if math.Abs(outMean-srcMean) > 1e-4 {
		t.Errorf("mean after area resize = %.6f, source mean = %.6f", outMean, srcMean)
	}
}

func TestTensorPose(t *testing.T) {
	poseCfg := pose.DefaultConfig()
	cfg := Config{Width: 256, Height: 96, Channels: 1, Pose: &poseCfg}
	out := make([]float32, cfg.Len())

	// A blank frame holds no part, so the pose step must fail.
	blank := image.NewGray(image.Rect(0, 0, 1024, 1024))
	for i := range blank.Pix {
		blank.Pix[i] = 200
	}
	err := cfg.Tensor(blank, out)
	if err == nil {
		t.Fatal("Tensor with pose alignment accepted a blank frame")
	}
	if !strings.Contains(err.Error(), "pose alignment") {
		t.Errorf("error %q does not name the pose step", err)
	}

	// A real screw (dark on a light background) ends up centred along the
	// middle row, so that row is darker than the top row.
	img, err := DecodeFile(filepath.Join(testdata.ScrewDir(t), "train", "good", "000.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Tensor(img, out); err != nil {
		t.Fatal(err)
	}
	rowMean := func(y int) float64 {
		var sum float64
		for _, v := range out[y*cfg.Width : (y+1)*cfg.Width] {
			sum += float64(v)
		}
		return sum / float64(cfg.Width)
	}
	if top, middle := rowMean(0), rowMean(cfg.Height/2); middle >= top {
		t.Errorf("middle row mean %.3f is not darker than top row mean %.3f", middle, top)
	}
}

func BenchmarkTensorScrew(b *testing.B) {
	path := filepath.Join(testdata.ScrewDir(b), "train", "good", "000.png")
	img, err := DecodeFile(path)
	if err != nil {
		b.Fatal(err)
	}

	for _, filter := range []string{FilterArea, FilterBilinear} {
		b.Run(filter, func(b *testing.B) {
			cfg := Config{Width: 224, Height: 224, Channels: 1, Resize: filter}
			out := make([]float32, cfg.Len())

			for b.Loop() {
				if err := cfg.Tensor(img, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/frame")
		})
	}
}
