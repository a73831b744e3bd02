package preprocess

import (
	"fmt"
	"math"
)

// taps lists, for each output index i along one axis, the weights
// weight[start[i]:start[i+1]] of the consecutive source samples beginning
// at first[i]. The weights of one output sum to 1.
type taps struct {
	first  []int
	start  []int
	weight []float32
}

// weights returns the weights of output i.
func (t taps) weights(i int) []float32 {
	return t.weight[t.start[i]:t.start[i+1]]
}

// makeTaps builds the taps of filter for resampling n source samples to m.
// The caller has validated the filter name and n, m > 0.
func makeTaps(n, m int, filter string) taps {
	t := taps{first: make([]int, 0, m), start: make([]int, 1, m+1)}
	for i := range m {
		if filter == FilterBilinear {
			t.addBilinear(i, n, m)
		} else {
			t.addArea(i, n, m)
		}
		t.start = append(t.start, len(t.weight))
	}
	return t
}

// addArea adds the box-filter taps of output i. In units where a source
// sample is m wide and an output sample is n wide, output i covers
// [i*n, (i+1)*n) and source j covers [j*m, (j+1)*m), so every overlap is
// an exact integer and the weight is overlap/n.
func (t *taps) addArea(i, n, m int) {
	n64, m64 := int64(n), int64(m)
	lo := int64(i) * n64
	hi := lo + n64

	first := lo / m64
	t.first = append(t.first, int(first))
	for j := first; j*m64 < hi && j < n64; j++ {
		overlap := min(hi, (j+1)*m64) - max(lo, j*m64)
		t.weight = append(t.weight, float32(float64(overlap)/float64(n64)))
	}
}

// addBilinear adds the linear-interpolation taps of output i. Output
// centres map to source coordinates (i+0.5)*n/m - 0.5, clamped to the
// first and last source centres.
func (t *taps) addBilinear(i, n, m int) {
	src := (float64(i)+0.5)*float64(n)/float64(m) - 0.5
	src = math.Max(src, 0)

	j0 := min(int(src), n-1)
	t.first = append(t.first, j0)
	frac := src - float64(j0)
	if j0 == n-1 || frac == 0 {
		t.weight = append(t.weight, 1)
		return
	}
	t.weight = append(t.weight, float32(1-frac), float32(frac))
}

// rowCache keeps copies of the two source rows read last. Consecutive
// output rows share at most their boundary rows, so with two slots each
// source row is converted once for area downscaling and bilinear
// upscaling alike.
type rowCache struct {
	read  rowSource
	index [2]int
	rows  [2][][]float32
	next  int // slot to overwrite on the next miss
}

func newRowCache(read rowSource, channels, width int) *rowCache {
	c := &rowCache{read: read, index: [2]int{-1, -1}}
	for s := range c.rows {
		c.rows[s] = make([][]float32, channels)
		for ch := range channels {
			c.rows[s][ch] = make([]float32, width)
		}
	}
	return c
}

// row returns the channel rows of source row y.
func (c *rowCache) row(y int) [][]float32 {
	for s, idx := range c.index {
		if idx == y {
			c.next = 1 - s
			return c.rows[s]
		}
	}

	s := c.next
	for ch, r := range c.read(y) {
		copy(c.rows[s][ch], r)
	}
	c.index[s] = y
	c.next = 1 - s
	return c.rows[s]
}

// resample resizes channels planes of sw x sh source values, read row by
// row from read, into dst (channels planes of dw x dh, channel-major). The
// filter is separable: each output row first sums its source rows with the
// vertical weights (long contiguous loops), then resamples that sum
// horizontally. Scratch memory is a few rows rather than a full plane.
func resample(read rowSource, channels, sw, sh int, dst []float32, dw, dh int, filter string) {
	xt := makeTaps(sw, dw, filter)
	yt := makeTaps(sh, dh, filter)
	cache := newRowCache(read, channels, sw)

	acc := make([][]float32, channels)
	for c := range acc {
		acc[c] = make([]float32, sw)
	}

	plane := dw * dh
	for dy := range dh {
		for k, w := range yt.weights(dy) {
			rows := cache.row(yt.first[dy] + k)
			for c := range channels {
				if k == 0 {
					scaleRow(acc[c], rows[c], w)
				} else {
					addScaledRow(acc[c], rows[c], w)
				}
			}
		}

		for c := range channels {
			off := c*plane + dy*dw
			resampleRow(dst[off:off+dw], acc[c], xt)
		}
	}
}

// scaleRow sets dst = w*src.
func scaleRow(dst, src []float32, w float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = w * src[i]
	}
}

// addScaledRow adds w*src to dst.
func addScaledRow(dst, src []float32, w float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += float32(w * src[i]) // rounded product: no fused multiply-add
	}
}

// resampleRow applies the horizontal taps t to one row.
func resampleRow(dst, src []float32, t taps) {
	for i := range dst {
		w := t.weights(i)
		s := src[t.first[i] : t.first[i]+len(w)]

		var sum float32
		for k, wk := range w {
			sum += float32(wk * s[k]) // rounded product: no fused multiply-add
		}
		dst[i] = sum
	}
}

// ResizePlane resizes one sw x sh plane of float32 values (row-major) into
// dst, a dw x dh plane, with filter FilterArea or FilterBilinear ("" means
// area). Values are not clamped, so it also suits error maps and masks.
func ResizePlane(dst []float32, dw, dh int, src []float32, sw, sh int, filter string) error {
	if filter == "" {
		filter = FilterArea
	}
	if filter != FilterArea && filter != FilterBilinear {
		return fmt.Errorf("preprocess: resize plane: unknown filter %q: use %q or %q", filter, FilterArea, FilterBilinear)
	}

	if sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 {
		return fmt.Errorf("preprocess: resize plane: invalid sizes %dx%d -> %dx%d: all must be > 0", sw, sh, dw, dh)
	}
	if len(src) != sw*sh {
		return fmt.Errorf("preprocess: resize plane: source has %d values, want %dx%d = %d", len(src), sw, sh, sw*sh)
	}
	if len(dst) != dw*dh {
		return fmt.Errorf("preprocess: resize plane: destination has %d values, want %dx%d = %d", len(dst), dw, dh, dw*dh)
	}

	rows := make([][]float32, 1)
	read := func(y int) [][]float32 {
		rows[0] = src[y*sw : (y+1)*sw]
		return rows
	}
	resample(read, 1, sw, sh, dst, dw, dh, filter)
	return nil
}
