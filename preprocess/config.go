package preprocess

import (
	"fmt"
	"image"

	"edgeae/preprocess/pose"
)

// Resampling filters accepted in Config.Resize.
const (
	// FilterArea averages the source pixels under each output pixel,
	// weighted by the fraction of each pixel that the output pixel covers.
	FilterArea = "area"

	// FilterBilinear interpolates the four nearest source pixel centres
	// (pixel-centre aligned, like align_corners=false in PyTorch).
	FilterBilinear = "bilinear"
)

// MaxSide is the largest model input width or height that Validate
// accepts. It keeps Channels*Height*Width far from integer overflow.
const MaxSide = 1 << 14

// Config describes how a decoded image becomes a model input tensor. It is
// stored in the model file so that training, evaluation and the line-side
// runtime apply exactly the same steps.
type Config struct {
	// Width and Height are the model input size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`

	// Channels is 1 (gray) or 3 (RGB).
	Channels int `json:"channels"`

	// Resize names the resampling filter: "area" or "bilinear". An empty
	// string means "area".
	Resize string `json:"resize"`

	// Pose, when non-nil, aligns the part before resizing.
	Pose *pose.Config `json:"pose,omitempty"`

	// ROI, when non-nil, crops the frame before any other step. Its
	// coordinates are pixels relative to the top-left corner of the image
	// (image.Bounds().Min).
	ROI *Rect `json:"roi,omitempty"`
}

// Rect is a pixel rectangle [X0, X1) x [Y0, Y1).
type Rect struct {
	X0 int `json:"x0"`
	Y0 int `json:"y0"`
	X1 int `json:"x1"`
	Y1 int `json:"y1"`
}

// Rectangle converts r to an image.Rectangle with the same corners.
func (r Rect) Rectangle() image.Rectangle {
	return image.Rectangle{Min: image.Point{X: r.X0, Y: r.Y0}, Max: image.Point{X: r.X1, Y: r.Y1}}
}

// String formats r as "(x0,y0)-(x1,y1)".
func (r Rect) String() string {
	return fmt.Sprintf("(%d,%d)-(%d,%d)", r.X0, r.Y0, r.X1, r.Y1)
}

// Validate checks the sizes, channel count, filter name and ROI, and returns
// an error that names the invalid field and its accepted values.
func (c Config) Validate() error {
	if c.Width <= 0 || c.Height <= 0 || c.Width > MaxSide || c.Height > MaxSide {
		return fmt.Errorf("preprocess: invalid input size %dx%d: width and height must be 1 to %d", c.Width, c.Height, MaxSide)
	}

	if c.Channels != 1 && c.Channels != 3 {
		return fmt.Errorf("preprocess: invalid channel count %d: use 1 (gray) or 3 (RGB)", c.Channels)
	}

	switch c.Resize {
	case "", FilterArea, FilterBilinear:
	default:
		return fmt.Errorf("preprocess: unknown resize filter %q: use %q or %q", c.Resize, FilterArea, FilterBilinear)
	}

	if c.ROI != nil {
		r := *c.ROI
		if r.X1 <= r.X0 || r.Y1 <= r.Y0 {
			return fmt.Errorf("preprocess: empty ROI %v: x1 must be > x0 and y1 must be > y0", r)
		}
		if r.X0 < 0 || r.Y0 < 0 {
			return fmt.Errorf("preprocess: invalid ROI %v: x0 and y0 must be >= 0", r)
		}
	}
	return nil
}

// Filter returns the resampling filter name, with the empty default
// resolved to FilterArea.
func (c Config) Filter() string {
	if c.Resize == "" {
		return FilterArea
	}
	return c.Resize
}

// Len returns the number of float32 values in one input tensor,
// Channels*Height*Width.
func (c Config) Len() int {
	return c.Channels * c.Height * c.Width
}
