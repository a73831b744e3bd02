package quant

import (
	"math"
	"strings"

	"golang.org/x/sys/cpu"

	"edgeae/quant/kernels"
)

// vectorRequantize is true where kernels.Requantize runs vector assembly:
// NEON on arm64 and AVX-512 on amd64 CPUs with AVX-512 VNNI. Elsewhere it
// runs a Go loop with two data-dependent branches per value, and
// requantizeRow, which computes the same codes without those branches, is
// about twice as fast.
var vectorRequantize = strings.HasPrefix(kernels.Implementation(), "arm64") ||
	kernels.Implementation() == "amd64-avx512vnni"

// vectorPoolRequantize is true where kernels.MaxPoolRequantizeS32 runs
// vector assembly (AVX-512), so a convolution pools and requantizes with
// it in one pass.
var vectorPoolRequantize = kernels.Implementation() == "amd64-avx512vnni"

// vectorIm2colGray is true where kernels.Im2colGray3x3S8 runs vector
// assembly (AVX-512 VBMI), which im2colRows then uses for a one-channel
// input in place of im2colGrayRows.
var vectorIm2colGray = vectorPoolRequantize && cpu.X86.HasAVX512VBMI

// requantizeChannel converts one channel's accumulators to int8 codes,
// bit for bit as kernels.Requantize does:
//
//	dst[j] = clamp(zeroPoint + MultiplyByQuantizedMultiplier(acc[j]+bias, mult, shift), reluMin, 127)
func requantizeChannel(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	if vectorRequantize || shift[0] > 0 || mult[0] < 0 {
		kernels.Requantize(dst, acc, bias, mult, shift, zeroPoint, reluMin)
		return
	}
	var b int32
	if bias != nil {
		b = bias[0]
	}
	requantizeRow(dst[:len(acc)], acc, b, mult[0], uint(-shift[0]), zeroPoint, reluMin)
}

// requantizeRow implements requantizeChannel for a non-negative
// multiplier and a right shift s of 0 to 31, where no left shift and so
// no saturation is needed. It runs without branches.
func requantizeRow(dst []int8, acc []int32, bias, mult int32, rightShift uint, zeroPoint int32, reluMin int8) {
	r := newRounding(mult, rightShift)
	low := int64(reluMin)
	zero := int64(zeroPoint)

	dst = dst[:len(acc)]
	for j, x := range acc {
		dst[j] = int8(max(low, min(math.MaxInt8, r.apply(x+bias)+zero)))
	}
}

// rounding is MultiplyByQuantizedMultiplier for a non-negative multiplier
// and a right shift s of 0 to 31 as one multiply, add and shift. With
// t = x·mult + 2^30, SaturatingRoundingDoublingHighMul is v = floor(t/2^31),
// and for s ≥ 1 the rounding right shift of v with ties away from zero is
// floor((v + 2^(s-1) - [v < 0]) / 2^s). Since v < 0 exactly when t < 0
// and floor(floor(a/b)/c) = floor(a/(b·c)), both steps together are
// floor((t + (2^(s-1) - [t < 0])·2^31) / 2^(31+s)). t fits int64, and
// mult ≥ 0 rules out the one saturating product.
type rounding struct {
	mult     int64
	half     int64 // 2^(s-1)·2^31, 0 for s = 0
	negative int64 // -2^31 for s ≥ 1, 0 for s = 0
	shift    uint  // 31 + s
}

// newRounding returns the rounding of multiplier mult and right shift s.
func newRounding(mult int32, rightShift uint) rounding {
	r := rounding{mult: int64(mult), shift: 31 + rightShift&31}
	if rightShift > 0 {
		r.half = 1 << (30 + rightShift&31)
		r.negative = -1 << 31
	}
	return r
}

// apply returns MultiplyByQuantizedMultiplier(x, mult, -s).
func (r rounding) apply(x int32) int64 {
	t := int64(x)*r.mult + 1<<30
	return (t + r.half + t>>63&r.negative) >> r.shift
}

// maxPool2x2S32 writes the 2x2, stride 2 max-pool of each of channels rows
// of src (rows x w values each, stride channelStride) to dst, rows/2 x w/2
// values per channel, channel after channel. dst may alias src: each
// output lands at or before the first input it reads, so a pass in order
// overwrites only inputs already read.
func maxPool2x2S32(dst, src []int32, channels, channelStride, rows, w int) {
	half := w / 2
	out := 0
	for c := range channels {
		plane := src[c*channelStride:]
		for y := 0; y+1 < rows; y += 2 {
			top := plane[y*w : y*w+w]
			bottom := plane[(y+1)*w : (y+1)*w+w]
			row := dst[out : out+half]
			for x := range row {
				row[x] = max(top[2*x], top[2*x+1], bottom[2*x], bottom[2*x+1])
			}
			out += half
		}
	}
}

// poolRequantize is the max-pool, requantization and interleaving of a
// convolution chunk in one pass: acc holds channels rows of rows x w
// accumulators (stride n), and dst receives the rows/2 x w/2 pooled codes
// pixel-major, dst[j*channels+o]. It computes what maxPool2x2S32,
// requantizeChannel and interleave compute, and returns false without
// writing when a channel's multiplier or shift needs kernels.Requantize.
func poolRequantize(dst []int8, acc []int32, channels, n, rows, w int, bias, mult, shift []int32, zeroPoint int32, reluMin int8) bool {
	for o := range channels {
		if shift[o] > 0 || mult[o] < 0 {
			return false
		}
	}

	half := w / 2
	low := int64(reluMin)
	zero := int64(zeroPoint)
	for o := range channels {
		r := newRounding(mult[o], uint(-shift[o]))
		b := bias[o]
		plane := acc[o*n : (o+1)*n]
		index := o
		for y := 0; y+1 < rows; y += 2 {
			top := plane[y*w : y*w+w]
			bottom := plane[(y+1)*w : (y+1)*w+w]
			for x := range half {
				m := max(top[2*x], top[2*x+1], bottom[2*x], bottom[2*x+1])
				dst[index] = int8(max(low, min(math.MaxInt8, r.apply(m+b)+zero)))
				index += channels
			}
		}
	}
	return true
}
