package kernels

// This file holds the Go implementations behind Im2colS8 and Col2imAddS32.
// They write exactly what im2colS8Generic and col2imAddS32Generic write, but
// visit one kernel tap (c, ky, kx) at a time over a whole output row, so
// the bounds tests move out of the inner loop.

// validTaps returns the range [first, last) of positions o in [0, count) for
// which o*stride - pad + tap lies in [0, size).
func validTaps(count, size, stride, pad, tap int) (first, last int) {
	// o*stride ≥ pad - tap and o*stride ≤ size - 1 + pad - tap.
	low := pad - tap
	if low > 0 {
		first = (low + stride - 1) / stride
	}
	high := size - 1 + pad - tap
	if high < 0 {
		return 0, 0
	}
	last = min(high/stride+1, count)
	if first > last {
		first = last
	}
	return first, last
}

// im2colS8 implements Im2colS8 on checked arguments.
func im2colS8(dst, src []int8, channels, h, w, kh, kw, stride, pad, rowLen int, zeroPoint int8) {
	outH, outW := convOutputSize(h, w, kh, kw, stride, pad)
	patch := channels * kh * kw

	for oy := 0; oy < outH; oy++ {
		// All output pixels of row oy, each a row of rowLen values.
		rows := dst[oy*outW*rowLen : (oy+1)*outW*rowLen]

		for c := 0; c < channels; c++ {
			for ky := 0; ky < kh; ky++ {
				iy := oy*stride - pad + ky
				for kx := 0; kx < kw; kx++ {
					offset := (c*kh+ky)*kw + kx
					if iy < 0 || iy >= h {
						for index := offset; index < len(rows); index += rowLen {
							rows[index] = zeroPoint
						}
						continue
					}

					srcRow := src[(c*h+iy)*w : (c*h+iy+1)*w]
					first, last := validTaps(outW, w, stride, pad, kx)
					index := offset
					for ox := 0; ox < first; ox++ {
						rows[index] = zeroPoint
						index += rowLen
					}
					ix := first*stride - pad + kx
					for ox := first; ox < last; ox++ {
						rows[index] = srcRow[ix]
						index += rowLen
						ix += stride
					}
					for ox := last; ox < outW; ox++ {
						rows[index] = zeroPoint
						index += rowLen
					}
				}
			}
		}

		if patch == rowLen {
			continue
		}
		for ox := 0; ox < outW; ox++ {
			padding := rows[ox*rowLen+patch : (ox+1)*rowLen]
			for p := range padding {
				padding[p] = zeroPoint
			}
		}
	}
}

// col2imAddS32 implements Col2imAddS32 on checked arguments.
func col2imAddS32(dst, col []int32, channels, h, w, kh, kw, stride, pad, outH, outW int) {
	for c := 0; c < channels; c++ {
		plane := dst[c*outH*outW : (c+1)*outH*outW]
		for ky := 0; ky < kh; ky++ {
			firstY, lastY := validTaps(h, outH, stride, pad, ky)
			for kx := 0; kx < kw; kx++ {
				colRow := col[((c*kh+ky)*kw+kx)*h*w : ((c*kh+ky)*kw+kx+1)*h*w]
				firstX, lastX := validTaps(w, outW, stride, pad, kx)

				for iy := firstY; iy < lastY; iy++ {
					oy := iy*stride - pad + ky
					outRow := plane[oy*outW : (oy+1)*outW]
					inRow := colRow[iy*w : (iy+1)*w]
					ox := firstX*stride - pad + kx
					for ix := firstX; ix < lastX; ix++ {
						outRow[ox] += inRow[ix]
						ox += stride
					}
				}
			}
		}
	}
}
