package pose

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
)

// grayView is a read-only view of an 8-bit or 16-bit gray image whose
// top-left pixel is at index 0.
type grayView struct {
	width, height int
	pix           []byte
	stride        int

	// deep marks 16-bit samples stored big-endian, as in image.Gray16.
	deep bool
}

// newGrayView wraps *image.Gray and *image.Gray16 without copying and
// converts any other image to gray (16-bit when its color model is 16-bit
// gray, 8-bit otherwise).
func newGrayView(img image.Image) grayView {
	b := img.Bounds()

	switch m := img.(type) {
	case *image.Gray:
		return grayView{width: b.Dx(), height: b.Dy(), pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], stride: m.Stride}
	case *image.Gray16:
		return grayView{width: b.Dx(), height: b.Dy(), pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], stride: m.Stride, deep: true}
	}

	if img.ColorModel() == color.Gray16Model {
		g := image.NewGray16(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
		return grayView{width: b.Dx(), height: b.Dy(), pix: g.Pix, stride: g.Stride, deep: true}
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return grayView{width: b.Dx(), height: b.Dy(), pix: g.Pix, stride: g.Stride}
}

// blockImage is the box-averaged copy of the input on which the part is
// found. Block (bx, by) covers source pixels [bx*size, (bx+1)*size) x
// [by*size, (by+1)*size), clipped to the image.
type blockImage struct {
	width, height int
	size          int
	pix           []uint16
}

// downsample averages size x size blocks of v on the 16-bit scale.
func downsample(v grayView, size int) blockImage {
	bw := (v.width + size - 1) / size
	bh := (v.height + size - 1) / size
	out := blockImage{width: bw, height: bh, size: size, pix: make([]uint16, bw*bh)}
	sums := make([]uint32, bw)

	for by := 0; by < bh; by++ {
		clear(sums)
		y0 := by * size
		y1 := min(y0+size, v.height)

		for y := y0; y < y1; y++ {
			if v.deep {
				row := v.pix[y*v.stride : y*v.stride+2*v.width]
				for x := 0; x < v.width; x++ {
					sums[x/size] += uint32(row[2*x])<<8 | uint32(row[2*x+1])
				}
				continue
			}
			row := v.pix[y*v.stride : y*v.stride+v.width]
			for bx := 0; bx < bw; bx++ {
				x0 := bx * size
				x1 := min(x0+size, v.width)
				var s uint32
				for _, p := range row[x0:x1] {
					s += uint32(p)
				}
				sums[bx] += s * 257
			}
		}

		for bx := 0; bx < bw; bx++ {
			count := uint32((min(bx*size+size, v.width) - bx*size) * (y1 - y0))
			out.pix[by*bw+bx] = uint16((sums[bx] + count/2) / count)
		}
	}
	return out
}

// borderMedian returns the median of the blocks on the outer ring of b, the
// background level estimate.
func borderMedian(b blockImage) uint16 {
	ring := make([]uint16, 0, 2*(b.width+b.height))
	for x := 0; x < b.width; x++ {
		ring = append(ring, b.pix[x], b.pix[(b.height-1)*b.width+x])
	}
	for y := 1; y < b.height-1; y++ {
		ring = append(ring, b.pix[y*b.width], b.pix[y*b.width+b.width-1])
	}
	slices.Sort(ring)
	return ring[len(ring)/2]
}

// component is one 8-connected region of dark blocks.
type component struct {
	label  int32
	area   int // in blocks
	border bool
	x0, y0 int // bounding box in blocks, inclusive
	x1, y1 int
}

// labelComponents labels the 8-connected regions of blocks darker than level.
// labels[i] is 0 for background blocks and the component label otherwise.
func labelComponents(b blockImage, level uint16) (labels []int32, comps []component) {
	labels = make([]int32, len(b.pix))
	var queue []int32

	for start, v := range b.pix {
		if v >= level || labels[start] != 0 {
			continue
		}

		c := component{label: int32(len(comps) + 1), x0: b.width, y0: b.height, x1: -1, y1: -1}
		labels[start] = c.label
		queue = append(queue[:0], int32(start))

		for len(queue) > 0 {
			i := int(queue[len(queue)-1])
			queue = queue[:len(queue)-1]
			x, y := i%b.width, i/b.width

			c.area++
			c.x0, c.x1 = min(c.x0, x), max(c.x1, x)
			c.y0, c.y1 = min(c.y0, y), max(c.y1, y)
			if x == 0 || y == 0 || x == b.width-1 || y == b.height-1 {
				c.border = true
			}

			for dy := -1; dy <= 1; dy++ {
				ny := y + dy
				if ny < 0 || ny >= b.height {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					nx := x + dx
					if nx < 0 || nx >= b.width {
						continue
					}
					j := ny*b.width + nx
					if labels[j] == 0 && b.pix[j] < level {
						labels[j] = c.label
						queue = append(queue, int32(j))
					}
				}
			}
		}
		comps = append(comps, c)
	}
	return labels, comps
}

// filledMask returns the blocks of component c with its holes filled, as a
// mask over c's bounding box (row-major, width x1-x0+1). Highlights on the
// metal are brighter than the threshold, and filling them keeps the
// silhouette solid for the moments and the width profile.
func filledMask(labels []int32, gridWidth int, c component) []bool {
	w := c.x1 - c.x0 + 1
	h := c.y1 - c.y0 + 1

	// Pad by one block so the flood fill can walk around the part.
	pw, ph := w+2, h+2
	outside := make([]bool, pw*ph)
	isPart := func(px, py int) bool {
		x, y := px-1+c.x0, py-1+c.y0
		if px == 0 || py == 0 || px == pw-1 || py == ph-1 {
			return false
		}
		return labels[y*gridWidth+x] == c.label
	}

	stack := []int{0}
	outside[0] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%pw, i/pw
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			nx, ny := x+d[0], y+d[1]
			if nx < 0 || ny < 0 || nx >= pw || ny >= ph {
				continue
			}
			j := ny*pw + nx
			if outside[j] || isPart(nx, ny) {
				continue
			}
			outside[j] = true
			stack = append(stack, j)
		}
	}

	mask := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			mask[y*w+x] = !outside[(y+1)*pw+x+1]
		}
	}
	return mask
}

// shape is the geometry of the filled part mask in source pixel coordinates
// (pixel (x, y) covers [x, x+1) x [y, y+1)).
type shape struct {
	cx, cy float64 // centroid
	angle  float64 // principal axis direction in radians, in (-pi/2, pi/2]
	area   int     // in blocks

	// pMin, pMax and qMin, qMax are the extents of the block centres along
	// and across the axis, relative to the centroid, in source pixels.
	pMin, pMax float64
	qMin, qMax float64

	// lowWidth and highWidth are the widest slices of the negative and the
	// positive end of the axis, in source pixels.
	lowWidth, highWidth float64
}

// measureShape computes moments, extents and the end widths of mask, the
// filled component c of a grid with the given block size.
func measureShape(mask []bool, c component, size int, endFraction float64) shape {
	w := c.x1 - c.x0 + 1
	h := c.y1 - c.y0 + 1
	s := float64(size)

	// First and second order moments of the block centres.
	var n, sx, sy float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if mask[y*w+x] {
				n++
				sx += float64(x)
				sy += float64(y)
			}
		}
	}
	mx, my := sx/n, sy/n

	var mu20, mu02, mu11 float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if mask[y*w+x] {
				dx, dy := float64(x)-mx, float64(y)-my
				mu20 += float64(dx * dx)
				mu02 += float64(dy * dy)
				mu11 += float64(dx * dy)
			}
		}
	}

	angle := 0.5 * math.Atan2(2*mu11, mu20-mu02)
	if angle <= -math.Pi/2 {
		angle += math.Pi
	}
	cos, sin := math.Cos(angle), math.Sin(angle)

	sh := shape{
		cx:    (float64(c.x0) + mx + 0.5) * s,
		cy:    (float64(c.y0) + my + 0.5) * s,
		angle: angle,
		area:  int(n),
		pMin:  math.Inf(1), pMax: math.Inf(-1),
		qMin: math.Inf(1), qMax: math.Inf(-1),
	}

	// Project every block on the axis (p) and across it (q), in blocks.
	ps := make([]float64, 0, int(n))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if !mask[y*w+x] {
				continue
			}
			dx, dy := float64(x)-mx, float64(y)-my
			p := float64(dx*cos) + float64(dy*sin)
			q := float64(-dx*sin) + float64(dy*cos)
			ps = append(ps, p)
			sh.pMin, sh.pMax = min(sh.pMin, p), max(sh.pMax, p)
			sh.qMin, sh.qMax = min(sh.qMin, q), max(sh.qMax, q)
		}
	}

	// The width profile counts blocks per one-block slice along the axis.
	// A slice through a solid part of width d holds about d blocks whatever
	// the angle, because a unit slice of a rotated grid covers one block
	// per unit of width.
	bins := int(math.Floor(sh.pMax-sh.pMin)) + 1
	profile := make([]int, bins)
	for _, p := range ps {
		profile[int(p-sh.pMin)]++
	}
	end := max(1, int(math.Round(endFraction*float64(bins))))
	sh.lowWidth = float64(slices.Max(profile[:end])) * s
	sh.highWidth = float64(slices.Max(profile[bins-end:])) * s

	sh.pMin *= s
	sh.pMax *= s
	sh.qMin *= s
	sh.qMax *= s
	return sh
}

// findPart locates the single part in v and measures it.
func findPart(v grayView, cfg Config) (shape, uint16, error) {
	if v.width < 3*cfg.Downsample || v.height < 3*cfg.Downsample {
		return shape{}, 0, fmt.Errorf("image %dx%d is too small for downsample %d (need at least %d px per side)", v.width, v.height, cfg.Downsample, 3*cfg.Downsample)
	}

	blocks := downsample(v, cfg.Downsample)
	background := borderMedian(blocks)

	contrast := cfg.Contrast * 257
	if float64(background) <= contrast {
		return shape{}, background, fmt.Errorf("%w: background level %.0f is not above contrast %.0f (gray levels, 8-bit scale); check the lighting", ErrNoPart, float64(background)/257, cfg.Contrast)
	}
	level := uint16(float64(background) - contrast)

	labels, comps := labelComponents(blocks, level)

	blockArea := cfg.Downsample * cfg.Downsample
	minBlocks := (cfg.MinPartArea + blockArea - 1) / blockArea
	var large []component
	for _, c := range comps {
		if c.area >= minBlocks {
			large = append(large, c)
		}
	}
	slices.SortFunc(large, func(a, b component) int { return b.area - a.area })

	switch {
	case len(large) == 0:
		biggest := 0
		for _, c := range comps {
			biggest = max(biggest, c.area)
		}
		return shape{}, background, fmt.Errorf("%w: largest dark region is %d px, below min_part_area %d", ErrNoPart, biggest*blockArea, cfg.MinPartArea)
	case len(large) > 1:
		return shape{}, background, fmt.Errorf("%w: %d dark regions of at least min_part_area %d px (largest two %d px and %d px)", ErrMultipleParts, len(large), cfg.MinPartArea, large[0].area*blockArea, large[1].area*blockArea)
	case large[0].border:
		return shape{}, background, fmt.Errorf("%w: the part reaches within %d px of the image edge", ErrTouchesBorder, cfg.Downsample)
	}

	mask := filledMask(labels, blocks.width, large[0])
	return measureShape(mask, large[0], cfg.Downsample, cfg.HeadEndFraction), background, nil
}
