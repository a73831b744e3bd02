package pose

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
)

// Config sets the crop box, the output scale and the detection thresholds of
// the pose normalisation. It is stored in the model file inside the
// preprocess configuration, so training and inspection crop identically.
type Config struct {
	// CropWidth is the length of the crop box along the screw axis, in
	// source pixels.
	CropWidth int `json:"crop_width"`

	// CropHeight is the size of the crop box across the screw axis, in
	// source pixels.
	CropHeight int `json:"crop_height"`

	// Scale is the number of output pixels per source pixel, in (0, 4].
	// The output image is round(CropWidth*Scale) x round(CropHeight*Scale).
	// 0 means 1. Values below 1 average several bilinear samples per output
	// pixel, so the crop is not aliased.
	Scale float64 `json:"scale,omitempty"`

	// Downsample is the block size, in source pixels, of the box-averaged
	// copy on which the part is found (1 to 16). The angle and the centre
	// come from this copy, so a larger block is faster but less precise.
	Downsample int `json:"downsample"`

	// Contrast is how much darker than the background a block must be to
	// count as part of the screw, in gray levels of the 8-bit scale (16-bit
	// images are compared on the same scale). The background level is the
	// median of the blocks on the image border.
	Contrast float64 `json:"contrast"`

	// MinPartArea is the smallest dark region, in source pixels, that counts
	// as a part. Smaller regions (dust, specks) are ignored; two or more
	// regions at least this large are reported as ErrMultipleParts.
	MinPartArea int `json:"min_part_area"`

	// HeadEndFraction is the share of the part length at each end that is
	// compared to decide which end is the head, in (0, 0.5].
	HeadEndFraction float64 `json:"head_end_fraction"`
}

// DefaultConfig returns the configuration for the MVTec AD screw photos
// (1024 x 1024, one screw on a light background).
//
// Measured with these defaults by running Measure on all 320 train/good
// images:
//   - length along the axis 903 to 951 px (median 912), width across it 280
//     to 290 px (median 285);
//   - the silhouette reaches at most 157 px from the centroid across the
//     axis, so the 1024 x 384 box leaves at least 36 px along and 34 px
//     across the axis around every screw;
//   - head/tip width ratio 1.87 to 2.88 (median 2.40), far from the 1.0 at
//     which the head decision flips;
//   - part area before hole filling 70,896 to 114,816 px, while the largest
//     other dark region is 4,288 px, so MinPartArea 20,000 separates them;
//   - every image aligns for Contrast 60 to 90. At 55 the shadows of three
//     screws reach the border (ErrTouchesBorder), and at 95 four screws
//     break apart at their highlights (ErrMultipleParts), so 75 sits in the
//     middle of the working range.
func DefaultConfig() Config {
	return Config{
		CropWidth:       1024,
		CropHeight:      384,
		Scale:           1,
		Downsample:      4,
		Contrast:        75,
		MinPartArea:     20000,
		HeadEndFraction: 0.2,
	}
}

// Maximum values accepted by Validate.
const (
	maxCropSide   = 1 << 14
	maxScale      = 4
	maxDownsample = 16
)

// Validate reports every invalid field of c in one error.
func (c Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("pose: %w", err)
	}
	return nil
}

// validate is Validate without the package prefix, for callers that add
// their own.
func (c Config) validate() error {
	var problems []string

	if c.CropWidth < 1 || c.CropWidth > maxCropSide {
		problems = append(problems, fmt.Sprintf("crop_width %d is outside [1, %d]", c.CropWidth, maxCropSide))
	}
	if c.CropHeight < 1 || c.CropHeight > maxCropSide {
		problems = append(problems, fmt.Sprintf("crop_height %d is outside [1, %d]", c.CropHeight, maxCropSide))
	}
	if !(c.Scale >= 0 && c.Scale <= maxScale) {
		problems = append(problems, fmt.Sprintf("scale %v is outside [0, %d] (0 means 1)", c.Scale, maxScale))
	}
	if c.Downsample < 1 || c.Downsample > maxDownsample {
		problems = append(problems, fmt.Sprintf("downsample %d is outside [1, %d]", c.Downsample, maxDownsample))
	}
	if !(c.Contrast > 0 && c.Contrast < 255) {
		problems = append(problems, fmt.Sprintf("contrast %v is outside (0, 255) gray levels", c.Contrast))
	}
	if c.MinPartArea < 1 {
		problems = append(problems, fmt.Sprintf("min_part_area %d must be at least 1 pixel", c.MinPartArea))
	}
	if !(c.HeadEndFraction > 0 && c.HeadEndFraction <= 0.5) {
		problems = append(problems, fmt.Sprintf("head_end_fraction %v is outside (0, 0.5]", c.HeadEndFraction))
	}

	if len(problems) > 0 {
		return errors.New("invalid config: " + strings.Join(problems, "; "))
	}

	out := c.outputSize()
	if out.X < 1 || out.Y < 1 {
		return fmt.Errorf("invalid config: scale %v turns the %dx%d crop into an empty %dx%d output", c.Scale, c.CropWidth, c.CropHeight, out.X, out.Y)
	}
	return nil
}

// scale returns Scale with 0 read as 1.
func (c Config) scale() float64 {
	if c.Scale == 0 {
		return 1
	}
	return c.Scale
}

// outputSize returns the size of the image Align returns.
func (c Config) outputSize() image.Point {
	s := c.scale()
	return image.Pt(int(math.Round(float64(c.CropWidth)*s)), int(math.Round(float64(c.CropHeight)*s)))
}
