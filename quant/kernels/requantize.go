package kernels

import "math"

// requantizeRowGo sets out[j] = requantizeOne(row[j]+bias, mult, shift,
// zeroPoint, reluMin) for every j, bit for bit. It hoists the per-channel work
// out of the loop and rounds SaturatingRoundingDoublingHighMul with an
// arithmetic shift in place of a division.
func requantizeRowGo(out []int8, row []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	out = out[:len(row)]
	leftShift := uint(max(shift, 0))
	rightShift := uint(max(-shift, 0))
	mask := int64(1)<<rightShift - 1
	threshold := mask >> 1
	multiplier := int64(mult)
	low := int64(reluMin)

	for j, x := range row {
		// Saturating left shift.
		v := int64(x+bias) << leftShift
		v = max(math.MinInt32, min(math.MaxInt32, v))

		// SaturatingRoundingDoublingHighMul: floor((v·mult + 2^30) / 2^31),
		// which equals gemmlowp's truncating form, except for the one
		// product that overflows.
		if v == math.MinInt32 && mult == math.MinInt32 {
			v = math.MaxInt32
		} else {
			v = (v*multiplier + 1<<30) >> 31
		}

		// Rounding right shift with ties away from zero.
		limit := threshold
		if v < 0 {
			limit++
		}
		remainder := v & mask
		v >>= rightShift
		if remainder > limit {
			v++
		}

		v += int64(zeroPoint)
		out[j] = int8(max(low, min(math.MaxInt8, v)))
	}
}

// requantizeRowsGo runs requantizeRowGo on every channel row of acc, with
// the arguments of Requantize.
func requantizeRowsGo(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	n := len(acc) / len(mult)
	for ch := range mult {
		var channelBias int32
		if bias != nil {
			channelBias = bias[ch]
		}
		requantizeRowGo(dst[ch*n:ch*n+n], acc[ch*n:ch*n+n], channelBias, mult[ch], shift[ch], zeroPoint, reluMin)
	}
}
