package preprocess

import (
	"fmt"
	"image"

	"edgeae/preprocess/pose"
)

// Tensor converts img into the model input and writes it to dst as
// channel-major (C x H x W) float32 values in [0, 1]. The steps are: ROI
// crop, pose alignment (when c.Pose is set), the channel and bit-depth rule,
// and the resize to Width x Height. len(dst) must equal c.Len().
func (c Config) Tensor(img image.Image, dst []float32) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if img == nil {
		return fmt.Errorf("preprocess: tensor: nil image")
	}
	if len(dst) != c.Len() {
		return fmt.Errorf("preprocess: tensor: destination has %d values, want %dx%dx%d = %d (channels x height x width)",
			len(dst), c.Channels, c.Height, c.Width, c.Len())
	}

	img, err := c.crop(img)
	if err != nil {
		return err
	}

	if c.Pose != nil {
		img, err = pose.Align(img, *c.Pose)
		if err != nil {
			return fmt.Errorf("preprocess: tensor: pose alignment: %w", err)
		}
	}

	b := img.Bounds()
	if b.Empty() {
		return fmt.Errorf("preprocess: tensor: empty image (bounds %v)", b)
	}

	// A gray source gives three equal planes: resize one and copy it.
	channels := c.Channels
	if channels == 3 && isGray(img) {
		channels = 1
	}

	plane := c.Width * c.Height
	resample(newRowSource(img, channels), channels, b.Dx(), b.Dy(), dst, c.Width, c.Height, c.Filter())
	for ch := channels; ch < c.Channels; ch++ {
		copy(dst[ch*plane:(ch+1)*plane], dst[:plane])
	}

	// Weights sum to 1 only up to float32 rounding.
	for i, v := range dst {
		dst[i] = min(max(v, 0), 1)
	}
	return nil
}

// crop applies the ROI, which is relative to img.Bounds().Min.
func (c Config) crop(img image.Image) (image.Image, error) {
	if c.ROI == nil {
		return img, nil
	}

	b := img.Bounds()
	r := c.ROI.Rectangle().Add(b.Min)
	if !r.In(b) {
		return nil, fmt.Errorf("preprocess: ROI %v lies outside the %dx%d image (0,0)-(%d,%d); fix the roi in the preprocessing config",
			*c.ROI, b.Dx(), b.Dy(), b.Dx(), b.Dy())
	}

	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r), nil
	}
	return subImage{Image: img, rect: r}, nil
}

// subImage restricts the bounds of an image type without a SubImage method.
type subImage struct {
	image.Image
	rect image.Rectangle
}

// Bounds returns the cropped rectangle.
func (s subImage) Bounds() image.Rectangle { return s.rect }
