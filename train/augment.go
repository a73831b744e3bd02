package train

import (
	"fmt"
	"math"
	"math/rand"

	"edgeae/models"
)

// Augment selects the random changes applied to each training image. The
// zero value trains on the images as they are, as the reference design does.
type Augment struct {
	// Brightness is the largest offset added to every pixel, in [0, 0.5].
	Brightness float64

	// Contrast is the largest relative gain change around the image mean,
	// in [0, 0.5].
	Contrast float64

	// Shift is the largest translation in model input pixels; edge pixels
	// are repeated into the uncovered border.
	Shift int

	// FlipV mirrors half of the images top to bottom. Pose-normalised
	// screws lie along the horizontal axis, so this mirror is another
	// plausible good part.
	FlipV bool

	// Defects is the probability that an image gets synthetic defects
	// pasted into the network input while the target stays clean, so the
	// network learns to repair defects instead of copying them.
	Defects float64
}

// Validate checks the ranges of the augmentation settings.
func (a Augment) Validate() error {
	switch {
	case a.Brightness < 0 || a.Brightness > 0.5:
		return fmt.Errorf("train: brightness augmentation = %g: must be in [0, 0.5]", a.Brightness)
	case a.Contrast < 0 || a.Contrast > 0.5:
		return fmt.Errorf("train: contrast augmentation = %g: must be in [0, 0.5]", a.Contrast)
	case a.Shift < 0 || a.Shift > 64:
		return fmt.Errorf("train: shift augmentation = %d: must be in [0, 64] pixels", a.Shift)
	case a.Defects < 0 || a.Defects > 1:
		return fmt.Errorf("train: synthetic defect probability = %g: must be in [0, 1]", a.Defects)
	}
	return nil
}

// Describe lists the active augmentations for the model file's provenance.
func (a Augment) Describe() []string {
	var out []string
	if a.Brightness > 0 {
		out = append(out, fmt.Sprintf("brightness=%g", a.Brightness))
	}
	if a.Contrast > 0 {
		out = append(out, fmt.Sprintf("contrast=%g", a.Contrast))
	}
	if a.Shift > 0 {
		out = append(out, fmt.Sprintf("shift=%d", a.Shift))
	}
	if a.FlipV {
		out = append(out, "flipv")
	}
	if a.Defects > 0 {
		out = append(out, fmt.Sprintf("defects=%g", a.Defects))
	}
	return out
}

// augmenter applies an Augment with its own random source.
type augmenter struct {
	cfg  Augment
	c    int
	h    int
	w    int
	rng  *rand.Rand
	temp []float32
}

// newAugmenter returns an augmenter for images of the given architecture.
func newAugmenter(cfg Augment, arch models.Arch, rng *rand.Rand) *augmenter {
	return &augmenter{
		cfg: cfg, c: arch.Channels, h: arch.Height, w: arch.Width, rng: rng,
		temp: make([]float32, arch.Channels*arch.Height*arch.Width),
	}
}

// apply writes the augmented clean image to target and the network input
// (the target with synthetic defects, when enabled) to input. pool holds
// the other training images, the source of pasted patches.
func (a *augmenter) apply(input, target, x []float32, pool [][]float32) {
	a.geometry(target, x)
	a.photometry(target)
	copy(input, target)

	if a.cfg.Defects > 0 && a.rng.Float64() < a.cfg.Defects {
		count := 1 + a.rng.Intn(3)
		for i := 0; i < count; i++ {
			a.pasteDefect(input, pool[a.rng.Intn(len(pool))])
		}
	}
}

// geometry writes x shifted and possibly mirrored into dst.
func (a *augmenter) geometry(dst, x []float32) {
	dx, dy := 0, 0
	if a.cfg.Shift > 0 {
		dx = a.rng.Intn(2*a.cfg.Shift+1) - a.cfg.Shift
		dy = a.rng.Intn(2*a.cfg.Shift+1) - a.cfg.Shift
	}
	flip := a.cfg.FlipV && a.rng.Intn(2) == 1

	if dx == 0 && dy == 0 && !flip {
		copy(dst, x)
		return
	}

	for c := 0; c < a.c; c++ {
		plane := x[c*a.h*a.w : (c+1)*a.h*a.w]
		out := dst[c*a.h*a.w : (c+1)*a.h*a.w]
		for y := 0; y < a.h; y++ {
			sy := y - dy
			if flip {
				sy = a.h - 1 - sy
			}
			sy = clampInt(sy, 0, a.h-1)
			for xx := 0; xx < a.w; xx++ {
				sx := clampInt(xx-dx, 0, a.w-1)
				out[y*a.w+xx] = plane[sy*a.w+sx]
			}
		}
	}
}

// photometry applies a random gain around the mean and a random offset.
func (a *augmenter) photometry(img []float32) {
	if a.cfg.Brightness == 0 && a.cfg.Contrast == 0 {
		return
	}

	gain := 1 + (2*a.rng.Float64()-1)*a.cfg.Contrast
	offset := (2*a.rng.Float64() - 1) * a.cfg.Brightness

	var mean float64
	for _, v := range img {
		mean += float64(v)
	}
	mean /= float64(len(img))

	for i, v := range img {
		img[i] = clamp01(float32(mean + gain*(float64(v)-mean) + offset))
	}
}

// pasteDefect corrupts a random elliptical blob of img with one of three
// fillers: uniform noise, a patch of another image, or a dark or bright
// stain. The blob is 2% to 12% of the shorter image side across.
func (a *augmenter) pasteDefect(img, other []float32) {
	side := float64(min(a.h, a.w))
	rx := side * (0.01 + 0.05*a.rng.Float64())
	ry := side * (0.01 + 0.05*a.rng.Float64())
	cx := a.rng.Float64() * float64(a.w)
	cy := a.rng.Float64() * float64(a.h)
	angle := a.rng.Float64() * math.Pi
	cos, sin := math.Cos(angle), math.Sin(angle)

	kind := a.rng.Intn(3)
	ox := a.rng.Intn(a.w) - a.w/2
	oy := a.rng.Intn(a.h) - a.h/2
	stain := float32(a.rng.Float64()*0.6 - 0.3)

	r := math.Max(rx, ry)
	x0, x1 := clampInt(int(cx-r), 0, a.w-1), clampInt(int(cx+r)+1, 0, a.w-1)
	y0, y1 := clampInt(int(cy-r), 0, a.h-1), clampInt(int(cy+r)+1, 0, a.h-1)

	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			u := (float64(x)-cx)*cos + (float64(y)-cy)*sin
			v := -(float64(x)-cx)*sin + (float64(y)-cy)*cos
			if (u*u)/(rx*rx)+(v*v)/(ry*ry) > 1 {
				continue
			}

			for c := 0; c < a.c; c++ {
				i := c*a.h*a.w + y*a.w + x
				switch kind {
				case 0:
					img[i] = a.rng.Float32()
				case 1:
					sx := clampInt(x+ox, 0, a.w-1)
					sy := clampInt(y+oy, 0, a.h-1)
					img[i] = other[c*a.h*a.w+sy*a.w+sx]
				default:
					img[i] = clamp01(img[i] + stain)
				}
			}
		}
	}
}

// clampInt limits v to [lo, hi].
func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

// clamp01 limits v to [0, 1].
func clamp01(v float32) float32 {
	return max(0, min(v, 1))
}
