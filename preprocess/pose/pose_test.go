package pose

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// screw describes a synthetic dark screw: a shaft rectangle with a head disc
// at the head end, drawn on a light background with a horizontal gradient
// and noise.
type screw struct {
	cx, cy    float64 // shaft centre in pixel coordinates
	heading   float64 // direction from head to tip in degrees, clockwise on screen
	length    float64 // shaft length
	shaft     float64 // shaft width
	headWidth float64 // head disc diameter
}

// defaultScrew is a screw of roughly the proportions of the real parts,
// scaled to a 512 x 512 frame.
func defaultScrew(cx, cy, heading float64) screw {
	return screw{cx: cx, cy: cy, heading: heading, length: 300, shaft: 40, headWidth: 100}
}

// contains reports whether point (x, y) lies inside s.
func (s screw) contains(x, y float64) bool {
	rad := s.heading * math.Pi / 180
	dx, dy := x-s.cx, y-s.cy
	p := dx*math.Cos(rad) + dy*math.Sin(rad)
	q := -dx*math.Sin(rad) + dy*math.Cos(rad)

	if math.Abs(p) <= s.length/2 && math.Abs(q) <= s.shaft/2 {
		return true
	}
	hp := p + s.length/2
	return hp*hp+q*q <= s.headWidth*s.headWidth/4
}

// drawScene renders the screws on a size x size light background with 2x2
// supersampled edges, a brightness ramp of 20 gray levels and noise.
func drawScene(size int, seed uint64, screws ...screw) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, size, size))

	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			background := 190 + 20*float64(x)/float64(size)
			inside := 0
			for _, sy := range []float64{0.25, 0.75} {
				for _, sx := range []float64{0.25, 0.75} {
					for _, s := range screws {
						if s.contains(float64(x)+sx, float64(y)+sy) {
							inside++
							break
						}
					}
				}
			}
			value := background + (70-background)*float64(inside)/4 + rng.NormFloat64()*4
			img.Pix[y*img.Stride+x] = uint8(math.Max(0, math.Min(255, math.Round(value))))
		}
	}
	return img
}

// testConfig is DefaultConfig with a crop box that fits the synthetic
// screws in a 512 x 512 frame.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.CropWidth = 420
	cfg.CropHeight = 160
	cfg.MinPartArea = 2000
	return cfg
}

// axisDifference returns the difference of two axis angles in degrees
// modulo 180, in [0, 90].
func axisDifference(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 180)
	return math.Min(d, 180-d)
}

func TestMeasureSyntheticAngles(t *testing.T) {
	cfg := testConfig()
	headings := []float64{0, 17, 45, 89.5, 90, 120, 179, 180, -30, -91, 233.3, 300}

	for i, heading := range headings {
		cx, cy := 250+float64(i%3)*5, 256-float64(i%4)*4
		img := drawScene(512, uint64(i), defaultScrew(cx, cy, heading))

		info, err := Measure(img, cfg)
		if err != nil {
			t.Fatalf("heading %v: %v", heading, err)
		}

		if d := axisDifference(info.Angle, heading); d > 1 {
			t.Errorf("heading %v: angle %.2f differs from the axis by %.2f degrees", heading, info.Angle, d)
		}
		if info.Angle <= -90 || info.Angle > 90 {
			t.Errorf("heading %v: angle %.2f outside (-90, 90]", heading, info.Angle)
		}

		// The head sits at the negative end of (cos Angle, sin Angle) when
		// that vector points the same way as head-to-tip.
		rad, axis := heading*math.Pi/180, info.Angle*math.Pi/180
		wantHeadLeft := math.Cos(rad)*math.Cos(axis)+math.Sin(rad)*math.Sin(axis) > 0
		if info.HeadLeft != wantHeadLeft {
			t.Errorf("heading %v: HeadLeft %v, want %v", heading, info.HeadLeft, wantHeadLeft)
		}

		if info.HeadWidth <= info.TipWidth {
			t.Errorf("heading %v: head width %.0f not above tip width %.0f", heading, info.HeadWidth, info.TipWidth)
		}
	}
}

func TestMeasureSyntheticGeometry(t *testing.T) {
	s := defaultScrew(240, 270, 30)
	img := drawScene(512, 7, s)

	info, err := Measure(img, testConfig())
	if err != nil {
		t.Fatal(err)
	}

	// Full extent along the axis: shaft plus the head disc sticking out
	// by its radius behind the shaft's end.
	wantLength := s.length + s.headWidth/2
	if math.Abs(info.Length-wantLength) > 10 {
		t.Errorf("Length %.1f, want %.1f +- 10", info.Length, wantLength)
	}
	if math.Abs(info.Width-s.headWidth) > 10 {
		t.Errorf("Width %.1f, want %.1f +- 10", info.Width, s.headWidth)
	}

	// Center lies halfway between the head rim (length/2 + headWidth/2
	// behind the shaft centre) and the tip (length/2 ahead of it).
	rad := s.heading * math.Pi / 180
	mid := -s.headWidth / 4
	wantX, wantY := s.cx+mid*math.Cos(rad), s.cy+mid*math.Sin(rad)
	if d := math.Hypot(info.Center.X-wantX, info.Center.Y-wantY); d > 5 {
		t.Errorf("Center (%.1f, %.1f) is %.1f px from (%.1f, %.1f)", info.Center.X, info.Center.Y, d, wantX, wantY)
	}

	if info.Background < 190 || info.Background > 210 {
		t.Errorf("Background %.1f outside the drawn range [190, 210]", info.Background)
	}
}

// darkColumns counts, for every column of g, the pixels darker than level.
func darkColumns(g *image.Gray, level uint8) []int {
	counts := make([]int, g.Rect.Dx())
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			if g.Pix[y*g.Stride+x] < level {
				counts[x]++
			}
		}
	}
	return counts
}

// darkRowCentre returns the mean row of the pixels darker than level in
// column x of g.
func darkRowCentre(g *image.Gray, x int, level uint8) float64 {
	var sum, n float64
	for y := 0; y < g.Rect.Dy(); y++ {
		if g.Pix[y*g.Stride+x] < level {
			sum += float64(y)
			n++
		}
	}
	return sum / n
}

func TestAlignSynthetic(t *testing.T) {
	cfg := testConfig()

	for i, heading := range []float64{0, 40, 90, 135, 180, 250, 315} {
		img := drawScene(512, uint64(100+i), defaultScrew(256, 256, heading))

		out, err := Align(img, cfg)
		if err != nil {
			t.Fatalf("heading %v: %v", heading, err)
		}
		g, ok := out.(*image.Gray)
		if !ok {
			t.Fatalf("heading %v: Align returned %T, want *image.Gray", heading, out)
		}
		if g.Rect != image.Rect(0, 0, cfg.CropWidth, cfg.CropHeight) {
			t.Fatalf("heading %v: output bounds %v, want %dx%d", heading, g.Rect, cfg.CropWidth, cfg.CropHeight)
		}

		// The head disc (100 px) is the only part wider than the shaft
		// (40 px), so the widest column must be in the left half.
		cols := darkColumns(g, 130)
		widest := 0
		for x, c := range cols {
			if c > cols[widest] {
				widest = x
			}
		}
		if widest >= cfg.CropWidth/2 {
			t.Errorf("heading %v: widest column at x=%d, want the head in the left half", heading, widest)
		}

		// A horizontal shaft has the same centre row near both of its ends.
		left, right := darkRowCentre(g, 150, 130), darkRowCentre(g, 330, 130)
		if math.Abs(left-right) > 2 {
			t.Errorf("heading %v: shaft centre rows %.1f and %.1f differ by more than 2 px", heading, left, right)
		}
		if math.Abs((left+right)/2-float64(cfg.CropHeight)/2) > 3 {
			t.Errorf("heading %v: shaft centre row %.1f, want the middle row %d", heading, (left+right)/2, cfg.CropHeight/2)
		}
	}
}

func TestAlignFillsOutsideWithBackground(t *testing.T) {
	cfg := testConfig()
	cfg.CropWidth = 800
	img := drawScene(512, 3, defaultScrew(256, 256, 45))

	out, err := Align(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Measure(img, cfg)
	if err != nil {
		t.Fatal(err)
	}

	// The corners of an 800 px crop of a 512 px frame at 45 degrees lie
	// outside the source.
	g := out.(*image.Gray)
	corner := float64(g.GrayAt(0, 0).Y)
	if math.Abs(corner-info.Background) > 1 {
		t.Errorf("corner value %v, want the background level %.1f", corner, info.Background)
	}
}

func TestAlignErrors(t *testing.T) {
	cfg := testConfig()
	badConfig := cfg
	badConfig.Contrast = 0

	tests := []struct {
		name    string
		img     image.Image
		cfg     Config
		want    error
		message string
	}{
		{name: "empty frame", img: drawScene(512, 1), cfg: cfg, want: ErrNoPart},
		{name: "speck only", img: drawScene(512, 2, screw{cx: 256, cy: 256, length: 20, shaft: 10, headWidth: 14}), cfg: cfg, want: ErrNoPart},
		{name: "two parts", img: drawScene(512, 3, defaultScrew(256, 130, 0), defaultScrew(256, 380, 180)), cfg: cfg, want: ErrMultipleParts},
		{name: "cut by left border", img: drawScene(512, 4, defaultScrew(100, 256, 0)), cfg: cfg, want: ErrTouchesBorder},
		{name: "cut by bottom border", img: drawScene(512, 5, defaultScrew(256, 400, 90)), cfg: cfg, want: ErrTouchesBorder},
		{name: "nil image", img: nil, cfg: cfg, message: "image is nil"},
		{name: "empty bounds", img: image.NewGray(image.Rect(0, 0, 0, 0)), cfg: cfg, message: "empty"},
		{name: "too small", img: image.NewGray(image.Rect(0, 0, 8, 8)), cfg: cfg, message: "too small"},
		{name: "invalid config", img: drawScene(64, 6), cfg: badConfig, message: "contrast"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, alignErr := Align(tt.img, tt.cfg)
			_, measureErr := Measure(tt.img, tt.cfg)

			for _, err := range []error{alignErr, measureErr} {
				if err == nil {
					t.Fatal("no error")
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("error %q does not wrap %q", err, tt.want)
				}
				if tt.message != "" && !strings.Contains(err.Error(), tt.message) {
					t.Errorf("error %q does not mention %q", err, tt.message)
				}
				if !strings.HasPrefix(err.Error(), "pose: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
			}
		})
	}
}

func TestAlignUniformBlackFrame(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 256, 256))

	_, err := Align(img, testConfig())
	if !errors.Is(err, ErrNoPart) {
		t.Errorf("error %v, want ErrNoPart for a frame with no light background", err)
	}
}

func TestAlignGray16(t *testing.T) {
	cfg := testConfig()
	img8 := drawScene(512, 9, defaultScrew(250, 260, 70))
	img16 := image.NewGray16(img8.Rect)
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			img16.SetGray16(x, y, color.Gray16{Y: uint16(img8.GrayAt(x, y).Y) * 257})
		}
	}

	out8, err := Align(img8, cfg)
	if err != nil {
		t.Fatal(err)
	}
	out16, err := Align(img16, cfg)
	if err != nil {
		t.Fatal(err)
	}

	g16, ok := out16.(*image.Gray16)
	if !ok {
		t.Fatalf("Align returned %T for 16-bit input, want *image.Gray16", out16)
	}

	// Same geometry, so every 16-bit sample is the 8-bit one times 257
	// within rounding.
	g8 := out8.(*image.Gray)
	worst := 0.0
	for y := 0; y < cfg.CropHeight; y++ {
		for x := 0; x < cfg.CropWidth; x++ {
			d := math.Abs(float64(g16.Gray16At(x, y).Y)/257 - float64(g8.GrayAt(x, y).Y))
			worst = math.Max(worst, d)
		}
	}
	if worst > 1 {
		t.Errorf("16-bit output differs from the 8-bit output by up to %.2f gray levels", worst)
	}
}

func TestAlignConvertsOtherImageTypes(t *testing.T) {
	cfg := testConfig()
	gray := drawScene(512, 10, defaultScrew(256, 256, 20))
	rgba := image.NewRGBA(gray.Rect)
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			v := gray.GrayAt(x, y).Y
			rgba.SetRGBA(x, y, color.RGBA{R: v, G: v, B: v, A: 255})
		}
	}

	fromGray, err := Measure(gray, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fromRGBA, err := Measure(rgba, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if fromGray != fromRGBA {
		t.Errorf("RGBA measure %+v differs from gray measure %+v", fromRGBA, fromGray)
	}

	out, err := Align(rgba, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.(*image.Gray); !ok {
		t.Errorf("Align returned %T for RGBA input, want *image.Gray", out)
	}
}

func TestMeasureSubImage(t *testing.T) {
	cfg := testConfig()
	s := defaultScrew(320+40, 320+24, 33)
	big := drawScene(640, 11, s)
	sub := big.SubImage(image.Rect(40, 24, 40+512, 24+512))

	got, err := Measure(sub, cfg)
	if err != nil {
		t.Fatal(err)
	}

	// Coordinates are relative to the sub-image's top-left corner, and the
	// crop centre lies a quarter head width behind the shaft centre.
	rad := s.heading * math.Pi / 180
	wantX := 320 - s.headWidth/4*math.Cos(rad)
	wantY := 320 - s.headWidth/4*math.Sin(rad)
	if d := math.Hypot(got.Center.X-wantX, got.Center.Y-wantY); d > 5 {
		t.Errorf("sub-image Center (%.1f, %.1f) is %.1f px from (%.1f, %.1f)", got.Center.X, got.Center.Y, d, wantX, wantY)
	}
	if d := axisDifference(got.Angle, s.heading); d > 1 {
		t.Errorf("sub-image angle %.2f, want %v +- 1", got.Angle, s.heading)
	}
}

func TestAlignScale(t *testing.T) {
	cfg := testConfig()
	img := drawScene(512, 12, defaultScrew(256, 256, 10))

	for _, scale := range []float64{0.25, 0.5, 1, 2} {
		cfg.Scale = scale
		out, err := Align(img, cfg)
		if err != nil {
			t.Fatalf("scale %v: %v", scale, err)
		}

		wantW := int(math.Round(float64(cfg.CropWidth) * scale))
		wantH := int(math.Round(float64(cfg.CropHeight) * scale))
		if out.Bounds() != image.Rect(0, 0, wantW, wantH) {
			t.Errorf("scale %v: bounds %v, want %dx%d", scale, out.Bounds(), wantW, wantH)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		field  string
	}{
		{name: "default", modify: func(*Config) {}},
		{name: "zero scale means one", modify: func(c *Config) { c.Scale = 0 }},
		{name: "zero crop width", modify: func(c *Config) { c.CropWidth = 0 }, field: "crop_width"},
		{name: "huge crop height", modify: func(c *Config) { c.CropHeight = 1 << 20 }, field: "crop_height"},
		{name: "negative scale", modify: func(c *Config) { c.Scale = -1 }, field: "scale"},
		{name: "NaN scale", modify: func(c *Config) { c.Scale = math.NaN() }, field: "scale"},
		{name: "tiny scale", modify: func(c *Config) { c.Scale = 1e-6 }, field: "empty"},
		{name: "zero downsample", modify: func(c *Config) { c.Downsample = 0 }, field: "downsample"},
		{name: "contrast too high", modify: func(c *Config) { c.Contrast = 300 }, field: "contrast"},
		{name: "zero min area", modify: func(c *Config) { c.MinPartArea = 0 }, field: "min_part_area"},
		{name: "head fraction too large", modify: func(c *Config) { c.HeadEndFraction = 0.6 }, field: "head_end_fraction"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.modify(&cfg)

			err := cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error for invalid %s", tt.field)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %s", err, tt.field)
			}
		})
	}
}
