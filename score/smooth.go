package score

import "math"

// gaussianKernel returns the normalised weights of a Gaussian with standard
// deviation sigma for offsets -radius..radius, radius = ceil(3*sigma). Sigma
// 0 gives the identity kernel {1}.
func gaussianKernel(sigma float64) ([]float32, int) {
	if sigma == 0 {
		return []float32{1}, 0
	}

	radius := int(math.Ceil(3 * sigma))
	weights := make([]float64, 2*radius+1)
	var sum float64
	for i := range weights {
		d := float64(i - radius)
		weights[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += weights[i]
	}

	kernel := make([]float32, len(weights))
	for i, w := range weights {
		kernel[i] = float32(w / sum)
	}
	return kernel, radius
}

// smoothGaussian writes to dst the separable Gaussian smoothing of the
// width x height map src, using tmp for the horizontal pass. Samples beyond
// an edge repeat the edge value (clamped edges). dst, src and tmp must not
// overlap.
func smoothGaussian(dst, src, tmp []float32, width, height int, kernel []float32, radius int) {
	if radius == 0 {
		copy(dst, src)
		return
	}

	for y := 0; y < height; y++ {
		smoothRow(tmp[y*width:(y+1)*width], src[y*width:(y+1)*width], kernel, radius)
	}

	// Vertical pass, row by row so the inner loop runs over contiguous
	// memory: dst row y is the weighted sum of the clamped rows y-r..y+r.
	for y := 0; y < height; y++ {
		out := dst[y*width : (y+1)*width]
		clear(out)
		for k, weight := range kernel {
			row := min(max(y+k-radius, 0), height-1)
			in := tmp[row*width : (row+1)*width]
			in = in[:len(out)]
			for x := range out {
				out[x] += float32(weight * in[x]) // rounded product: no fused multiply-add
			}
		}
	}
}

// smoothRow convolves one row with kernel, clamping at both ends.
func smoothRow(out, in []float32, kernel []float32, radius int) {
	width := len(in)

	for x := range out {
		var sum float32

		// Interior pixels read in[x-radius : x+radius+1] directly.
		if x >= radius && x+radius < width {
			window := in[x-radius : x+radius+1]
			window = window[:len(kernel)]
			for k, weight := range kernel {
				sum += float32(weight * window[k])
			}
			out[x] = sum
			continue
		}

		for k, weight := range kernel {
			i := min(max(x+k-radius, 0), width-1)
			sum += float32(weight * in[i])
		}
		out[x] = sum
	}
}
