package pose

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// Errors for frames that hold no single, fully visible part. Align and
// Measure wrap them, so test with errors.Is.
var (
	// ErrNoPart means no dark region of at least MinPartArea was found.
	ErrNoPart = errors.New("no part found")

	// ErrMultipleParts means two or more dark regions of at least
	// MinPartArea were found.
	ErrMultipleParts = errors.New("more than one part found")

	// ErrTouchesBorder means the part reaches the image edge, so it may be
	// cut off.
	ErrTouchesBorder = errors.New("part touches the image border")
)

// Point is a position in source pixel coordinates: pixel (x, y) covers
// [x, x+1) x [y, y+1), so its centre is (x+0.5, y+0.5).
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Info is the measured pose of the part in the source image.
type Info struct {
	// Centroid is the centre of mass of the part silhouette.
	Centroid Point `json:"centroid"`

	// Center is the point Align centres the crop on: the centroid moved
	// along the axis to the middle of the silhouette's extent. See the
	// package documentation for why.
	Center Point `json:"center"`

	// Angle is the direction of the principal axis in degrees, in
	// (-90, 90], measured from the +x axis towards +y (clockwise on screen,
	// because y points down).
	Angle float64 `json:"angle_deg"`

	// HeadLeft is true when the head lies at the negative end of the axis
	// direction (cos Angle, sin Angle), which is the left end in the source
	// image for axes that are not vertical.
	HeadLeft bool `json:"head_left"`

	// Length and Width are the extents of the silhouette along and across
	// the axis, in source pixels.
	Length float64 `json:"length"`
	Width  float64 `json:"width"`

	// Area is the silhouette area with holes filled, in source pixels.
	Area int `json:"area"`

	// HeadWidth and TipWidth are the widest slices of the head and the tip
	// end, in source pixels. Their ratio shows how clear the head decision
	// was.
	HeadWidth float64 `json:"head_width"`
	TipWidth  float64 `json:"tip_width"`

	// Background is the estimated background level on the 8-bit scale.
	Background float64 `json:"background"`
}

// Measure finds the single part in img and returns its pose.
func Measure(img image.Image, cfg Config) (Info, error) {
	if err := checkInput(img, cfg); err != nil {
		return Info{}, fmt.Errorf("pose: measure: %w", err)
	}

	sh, background, err := findPart(newGrayView(img), cfg)
	if err != nil {
		return Info{}, fmt.Errorf("pose: measure: %w", err)
	}
	return newInfo(sh, background, cfg), nil
}

// Align finds the single part in img, rotates it so the axis is horizontal
// with the head on the left, and crops a CropWidth x CropHeight box centred
// on Info.Center, scaled by Scale. Samples outside the source image
// take the estimated background level. The result is *image.Gray16 for
// *image.Gray16 input (or any image with a 16-bit gray color model) and
// *image.Gray otherwise.
func Align(img image.Image, cfg Config) (image.Image, error) {
	if err := checkInput(img, cfg); err != nil {
		return nil, fmt.Errorf("pose: align: %w", err)
	}

	view := newGrayView(img)
	sh, background, err := findPart(view, cfg)
	if err != nil {
		return nil, fmt.Errorf("pose: align: %w", err)
	}

	info := newInfo(sh, background, cfg)
	return render(view, placement(info, cfg), background), nil
}

// checkInput rejects a nil image, an empty image and an invalid config.
func checkInput(img image.Image, cfg Config) error {
	if img == nil {
		return errors.New("image is nil")
	}
	if img.Bounds().Empty() {
		return fmt.Errorf("image bounds %v are empty", img.Bounds())
	}
	return cfg.validate()
}

// newInfo converts the measured shape to the exported Info.
func newInfo(sh shape, background uint16, cfg Config) Info {
	headLeft := sh.lowWidth >= sh.highWidth
	headWidth, tipWidth := sh.lowWidth, sh.highWidth
	if !headLeft {
		headWidth, tipWidth = tipWidth, headWidth
	}

	// The crop centre sits on the line through the centroid along the
	// axis, halfway between the two ends of the silhouette.
	midP := (sh.pMin + sh.pMax) / 2
	cos, sin := math.Cos(sh.angle), math.Sin(sh.angle)

	block := float64(cfg.Downsample)
	return Info{
		Centroid:   Point{X: sh.cx, Y: sh.cy},
		Center:     Point{X: sh.cx + float64(midP*cos), Y: sh.cy + float64(midP*sin)},
		Angle:      sh.angle * 180 / math.Pi,
		HeadLeft:   headLeft,
		Length:     sh.pMax - sh.pMin + block,
		Width:      sh.qMax - sh.qMin + block,
		Area:       sh.area * cfg.Downsample * cfg.Downsample,
		HeadWidth:  headWidth,
		TipWidth:   tipWidth,
		Background: float64(background) / 257,
	}
}
