package kernels

import "math"

// This file holds the pure-Go definitions of every kernel. The exported
// functions and the assembly routines must return exactly what these return.

// gemmS8Generic sets c[i*ldc+j] = Σ_{p<k} (a[i*k+p]-aZero)·(b[j*k+p]-bZero)
// for i < m and j < n, with int32 arithmetic that wraps.
func gemmS8Generic(m, n, k int, a []int8, aZero int32, b []int8, bZero int32, c []int32, ldc int) {
	for i := 0; i < m; i++ {
		rowA := a[i*k : i*k+k]
		for j := 0; j < n; j++ {
			rowB := b[j*k : j*k+k]
			var sum int32
			for p, x := range rowA {
				sum += (int32(x) - aZero) * (int32(rowB[p]) - bZero)
			}
			c[i*ldc+j] = sum
		}
	}
}

// dotS8 returns Σ x[p]·y[p] over len(x) with wrapping int32 arithmetic.
func dotS8(x, y []int8) int32 {
	y = y[:len(x)]
	var sum int32
	for p, v := range x {
		sum += int32(v) * int32(y[p])
	}
	return sum
}

// rowSumsS8Generic sets sums[i] = Σ_{p<k} a[i*k+p] for i < m.
func rowSumsS8Generic(sums []int32, m, k int, a []int8) {
	for i := 0; i < m; i++ {
		var sum int32
		for _, x := range a[i*k : i*k+k] {
			sum += int32(x)
		}
		sums[i] = sum
	}
}

// saturatingRoundingDoublingHighMul returns the high 32 bits of 2·x·y,
// rounded half up, with the single overflow case x = y = MinInt32 saturated to
// MaxInt32. It equals gemmlowp's SaturatingRoundingDoublingHighMul and the
// ARM SQRDMULH instruction.
func saturatingRoundingDoublingHighMul(x, y int32) int32 {
	if x == math.MinInt32 && y == math.MinInt32 {
		return math.MaxInt32
	}

	product := int64(x) * int64(y)
	nudge := int64(1 << 30)
	if product < 0 {
		nudge = 1 - 1<<30
	}

	// Go's division truncates toward zero, as gemmlowp's C++ division does.
	return int32((product + nudge) / (1 << 31))
}

// roundingDivideByPOT returns x / 2^exponent rounded to nearest with ties
// away from zero, for exponent in [0, 31].
func roundingDivideByPOT(x int32, exponent int) int32 {
	mask := int64(1)<<exponent - 1
	remainder := int64(x) & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}

	result := x >> exponent
	if remainder > threshold {
		result++
	}
	return result
}

// MultiplyByQuantizedMultiplier returns x·mult·2^(shift-31) rounded as in
// gemmlowp: a left shift by max(shift, 0) that saturates to int32, then
// SaturatingRoundingDoublingHighMul by mult, then a rounding right shift by
// max(-shift, 0) with ties away from zero. The shift must be in [-31, 30].
func MultiplyByQuantizedMultiplier(x, mult, shift int32) int32 {
	if shift > 0 {
		shifted := int64(x) << shift
		x = saturateInt32(shifted)
	}

	x = saturatingRoundingDoublingHighMul(x, mult)

	if shift < 0 {
		x = roundingDivideByPOT(x, int(-shift))
	}
	return x
}

// saturateInt32 clamps v to the int32 range.
func saturateInt32(v int64) int32 {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	if v < math.MinInt32 {
		return math.MinInt32
	}
	return int32(v)
}

// requantizeOne converts one accumulator that already includes the bias:
// MultiplyByQuantizedMultiplier, plus zeroPoint, saturated to [-128, 127] and
// raised to at least reluMin.
func requantizeOne(x, mult, shift, zeroPoint int32, reluMin int8) int8 {
	scaled := int64(MultiplyByQuantizedMultiplier(x, mult, shift)) + int64(zeroPoint)
	if scaled > math.MaxInt8 {
		scaled = math.MaxInt8
	}
	if scaled < int64(reluMin) {
		scaled = int64(reluMin)
	}
	return int8(scaled)
}

// requantizeGeneric is the definition of Requantize: acc holds len(mult)
// channel rows of n = len(acc)/len(mult) values, and for channel ch
//
//	dst[ch*n+j] = requantizeOne(acc[ch*n+j] + bias[ch], mult[ch], shift[ch], zeroPoint, reluMin)
//
// where the bias addition wraps and a nil bias counts as zero.
func requantizeGeneric(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	n := len(acc) / len(mult)
	for ch := range mult {
		var channelBias int32
		if bias != nil {
			channelBias = bias[ch]
		}

		row := acc[ch*n : ch*n+n]
		out := dst[ch*n : ch*n+n]
		for j, x := range row {
			out[j] = requantizeOne(x+channelBias, mult[ch], shift[ch], zeroPoint, reluMin)
		}
	}
}

// im2colS8Generic is the definition of Im2colS8. For the input src of
// channels x h x w, kernel kh x kw, stride and pad, output pixel
// (oy, ox) gets the row
//
//	dst[(oy*outW+ox)*rowLen + (c*kh+ky)*kw + kx] = src[c][oy*stride-pad+ky][ox*stride-pad+kx]
//
// with zeroPoint where the tap falls outside the image and in the row
// padding from channels*kh*kw up to rowLen.
func im2colS8Generic(dst, src []int8, channels, h, w, kh, kw, stride, pad, rowLen int, zeroPoint int8) {
	outH, outW := convOutputSize(h, w, kh, kw, stride, pad)
	patch := channels * kh * kw
	for oy := 0; oy < outH; oy++ {
		for ox := 0; ox < outW; ox++ {
			row := dst[(oy*outW+ox)*rowLen : (oy*outW+ox+1)*rowLen]
			for c := 0; c < channels; c++ {
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						iy := oy*stride - pad + ky
						ix := ox*stride - pad + kx
						value := zeroPoint
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							value = src[(c*h+iy)*w+ix]
						}
						row[(c*kh+ky)*kw+kx] = value
					}
				}
			}
			for p := patch; p < rowLen; p++ {
				row[p] = zeroPoint
			}
		}
	}
}

// convOutputSize returns the output height and width of a convolution.
func convOutputSize(h, w, kh, kw, stride, pad int) (outH, outW int) {
	return (h+2*pad-kh)/stride + 1, (w+2*pad-kw)/stride + 1
}

// col2imAddS32Generic is the definition of Col2imAddS32. For col of
// (channels*kh*kw) x (h*w) it adds
//
//	dst[c][iy*stride-pad+ky][ix*stride-pad+kx] += col[(c*kh+ky)*kw+kx][iy*w+ix]
//
// for every entry whose target lies inside the outH x outW output, with
// wrapping int32 addition.
func col2imAddS32Generic(dst, col []int32, channels, h, w, kh, kw, stride, pad, outH, outW int) {
	for c := 0; c < channels; c++ {
		for ky := 0; ky < kh; ky++ {
			for kx := 0; kx < kw; kx++ {
				colRow := col[((c*kh+ky)*kw+kx)*h*w:]
				for iy := 0; iy < h; iy++ {
					oy := iy*stride - pad + ky
					if oy < 0 || oy >= outH {
						continue
					}
					for ix := 0; ix < w; ix++ {
						ox := ix*stride - pad + kx
						if ox < 0 || ox >= outW {
							continue
						}
						dst[(c*outH+oy)*outW+ox] += colRow[iy*w+ix]
					}
				}
			}
		}
	}
}

// maxPool2x2S8Generic is the definition of MaxPool2x2S8:
//
//	dst[c][y][x] = max(src[c][2y][2x], src[c][2y][2x+1], src[c][2y+1][2x], src[c][2y+1][2x+1])
//
// for y < h/2 and x < w/2, so an odd last row or column is dropped.
func maxPool2x2S8Generic(dst, src []int8, channels, h, w int) {
	outH, outW := h/2, w/2
	for c := 0; c < channels; c++ {
		for y := 0; y < outH; y++ {
			top := src[(c*h+2*y)*w:]
			bottom := src[(c*h+2*y+1)*w:]
			out := dst[(c*outH+y)*outW:]
			for x := 0; x < outW; x++ {
				out[x] = max(top[2*x], top[2*x+1], bottom[2*x], bottom[2*x+1])
			}
		}
	}
}

// lookupS8Generic is the definition of LookupS8: dst[i] = table[src[i]+128].
func lookupS8Generic(dst, src []int8, table *[256]int8) {
	dst = dst[:len(src)]
	for i, x := range src {
		// uint8(x) ^ 0x80 equals x+128 and lets the compiler drop the bounds check.
		dst[i] = table[uint8(x)^0x80]
	}
}

// lookupF32Generic is the definition of LookupF32: dst[i] = table[src[i]+128].
func lookupF32Generic(dst []float32, src []int8, table *[256]float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = table[uint8(x)^0x80]
	}
}

// maxPoolRequantizeGeneric is the definition of MaxPoolRequantizeS32.
func maxPoolRequantizeGeneric(dst []int8, top, bottom []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	for x := range dst {
		m := max(top[2*x], top[2*x+1], bottom[2*x], bottom[2*x+1])
		dst[x] = requantizeOne(m+bias, mult, shift, zeroPoint, reluMin)
	}
}

// gatherRequantizeS2Generic is the definition of GatherRequantizeS2.
func gatherRequantizeS2Generic(dst []int8, init []int32, taps *[6][]int32, mult, shift, zeroPoint int32, reluMin int8) {
	leftA, centerA, rightA := taps[0], taps[1], taps[2]
	leftB, centerB, rightB := taps[3], taps[4], taps[5]
	w := len(dst) / 2
	for ix := range w {
		even := init[2*ix] + centerA[ix] + centerB[ix]
		odd := init[2*ix+1] + rightA[ix] + rightB[ix]
		if ix+1 < w {
			odd += leftA[ix+1] + leftB[ix+1]
		}
		dst[2*ix] = requantizeOne(even, mult, shift, zeroPoint, reluMin)
		dst[2*ix+1] = requantizeOne(odd, mult, shift, zeroPoint, reluMin)
	}
}

// im2colGray3x3Generic is the definition of Im2colGray3x3S8.
func im2colGray3x3Generic(dst, src []int8, h, w, y0, y1 int, zeroPoint int8) {
	for y := y0; y < y1; y++ {
		for x := range w {
			im2colGrayPixel(dst[((y-y0)*w+x)*16:((y-y0)*w+x+1)*16], src, h, w, y, x, zeroPoint)
		}
	}
}

// im2colGrayPixel writes the 16 im2col values of output pixel (y, x) of
// Im2colGray3x3S8 to row.
func im2colGrayPixel(row, src []int8, h, w, y, x int, zeroPoint int8) {
	for ky := range 3 {
		for kx := range 3 {
			value := zeroPoint
			if iy, ix := y-1+ky, x-1+kx; iy >= 0 && iy < h && ix >= 0 && ix < w {
				value = src[iy*w+ix]
			}
			row[ky*3+kx] = value
		}
	}
	for i := 9; i < 16; i++ {
		row[i] = zeroPoint
	}
}
