package quant

import (
	"math"
	"strings"

	"edgeae/quant/kernels"
)

// neonRequantize is true where kernels.Requantize runs NEON assembly.
// Elsewhere it runs a Go loop with two data-dependent branches per value,
// and requantizeRow, which computes the same codes without those
// branches, is about twice as fast.
var neonRequantize = strings.HasPrefix(kernels.Implementation(), "arm64")

// requantizeChannel converts one channel's accumulators to int8 codes,
// bit for bit as kernels.Requantize does:
//
//	dst[j] = clamp(zeroPoint + MultiplyByQuantizedMultiplier(acc[j]+bias, mult, shift), reluMin, 127)
func requantizeChannel(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	if neonRequantize || shift[0] > 0 || mult[0] < 0 {
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
// multiplier and a shift of at most 0 (a right shift of 0 to 31), where no
// left shift and so no saturation is needed. With x = acc+bias (wrapping
// like int32) it computes SaturatingRoundingDoublingHighMul as
// v = floor((x·mult + 2^30) / 2^31), which cannot overflow int64 and needs
// no special case for mult ≥ 0. For s ≥ 1 the rounding right shift of v by
// s with ties away from zero is floor((v + 2^(s-1) - [v < 0]) / 2^s), which
// runs without branches.
func requantizeRow(dst []int8, acc []int32, bias, mult int32, rightShift uint, zeroPoint int32, reluMin int8) {
	shift := rightShift & 63
	var half, negative int64
	if shift > 0 {
		half, negative = 1<<(shift-1), -1
	}
	multiplier := int64(mult)
	low := int64(reluMin)
	zero := int64(zeroPoint)

	dst = dst[:len(acc)]
	for j, x := range acc {
		v := (int64(x+bias)*multiplier + 1<<30) >> 31
		v = (v + half + v>>63&negative) >> shift
		dst[j] = int8(max(low, min(math.MaxInt8, v+zero)))
	}
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
