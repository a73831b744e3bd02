package kernels

import (
	"fmt"
	"math"
)

// KBlock is the number of k values the assembly GemmS8 kernels consume per
// step. The last k mod KBlock products of each entry run in Go.
const KBlock = 16

// PadK returns k rounded up to a multiple of KBlock.
func PadK(k int) int {
	return (k + KBlock - 1) / KBlock * KBlock
}

// Implementation returns the name of the GemmS8 path in use:
// "arm64-sdot", "arm64-neon", "amd64-avx512vnni", "amd64-avx2" or
// "generic".
func Implementation() string {
	return implementation()
}

// GemmS8 sets c[i*ldc+j] = Σ_{p<k} (a[i*k+p]-aZero)·(b[j*k+p]-bZero) for
// i < m and j < n. Both a (m x k) and b (n x k) are row-major with rows of
// length k, so each entry of c is the dot product of a row of a and a row of
// b. Entries of c outside the m x n block are not written, so callers can
// split n across goroutines by passing b[j0*k:], c[j0:] and the full ldc.
//
// The int32 sums wrap on overflow, which needs |k·(a-aZero)·(b-bZero)| ≥ 2^31:
// with zero points in [-128, 127] that takes k > 33025. A non-zero aZero
// makes GemmS8 allocate n int32 column sums per call.
func GemmS8(m, n, k int, a []int8, aZero int32, b []int8, bZero int32, c []int32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: GemmS8: negative size m=%d n=%d k=%d", m, n, k))
	}
	if ldc < n {
		panic(fmt.Sprintf("kernels: GemmS8: ldc = %d is smaller than n = %d", ldc, n))
	}
	if m == 0 || n == 0 {
		return
	}
	if len(a) < m*k {
		panic(fmt.Sprintf("kernels: GemmS8: len(a) = %d, want at least m*k = %d", len(a), m*k))
	}
	if len(b) < n*k {
		panic(fmt.Sprintf("kernels: GemmS8: len(b) = %d, want at least n*k = %d", len(b), n*k))
	}
	if len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernels: GemmS8: len(c) = %d, want at least (m-1)*ldc+n = %d", len(c), (m-1)*ldc+n))
	}

	gemmS8Raw(m, n, k, a, b, c, ldc)

	if aZero != 0 || bZero != 0 {
		applyZeroPoints(m, n, k, a, aZero, b, bZero, c, ldc)
	}
}

// applyZeroPoints turns the raw products Σ ab in c into Σ (a-aZero)(b-bZero)
// by adding -bZero·Σa - aZero·Σb + k·aZero·bZero to each entry.
func applyZeroPoints(m, n, k int, a []int8, aZero int32, b []int8, bZero int32, c []int32, ldc int) {
	var columnTerms []int32
	if aZero != 0 {
		columnTerms = make([]int32, n)
		rowSumsS8Generic(columnTerms, n, k, b)
		for j := range columnTerms {
			columnTerms[j] *= -aZero
		}
	}

	constant := int32(k) * aZero * bZero
	for i := 0; i < m; i++ {
		var rowSum int32
		if bZero != 0 {
			for _, x := range a[i*k : i*k+k] {
				rowSum += int32(x)
			}
		}

		rowTerm := constant - bZero*rowSum
		row := c[i*ldc : i*ldc+n]
		if columnTerms == nil {
			for j := range row {
				row[j] += rowTerm
			}
			continue
		}
		for j := range row {
			row[j] += rowTerm + columnTerms[j]
		}
	}
}

// gemmKernels is one assembly implementation of the raw product Σ ab.
// Both functions take kBytes, a positive multiple of KBlock, read kBytes
// values from each row, and compute nBlocks blocks of 4 columns of c side by
// side.
type gemmKernels struct {
	// blockRows is the number of rows of a that block handles per call.
	blockRows int

	// block sets c[r*ldc+q] = Σ a[r*lda+p]·b[q*ldb+p] for r < blockRows and q < 4*nBlocks.
	block func(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)

	// row sets c[q] = Σ a[p]·b[q*ldb+p] for q < 4*nBlocks.
	row func(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)
}

// panelBytes is the size of the panel of b rows that one pass over a
// multiplies, chosen to stay in a 32 KiB L1 data cache (Cortex-A72, A76)
// next to the rows of a.
const panelBytes = 16 << 10

// gemmS8Blocked computes the raw product c[i*ldc+j] = Σ_{p<k} a[i*k+p]·b[j*k+p]
// with the assembly kernels on the first k &^ (KBlock-1) values and Go for the
// remaining columns of c and the remaining k values.
func gemmS8Blocked(kernels *gemmKernels, m, n, k int, a, b []int8, c []int32, ldc int) {
	kBytes := k &^ (KBlock - 1)
	if kBytes == 0 {
		gemmS8Generic(m, n, k, a, 0, b, 0, c, ldc)
		return
	}

	// Panels of b rows (columns of c), a multiple of 4 wide: each panel stays
	// in the L1 cache while all of a streams past it.
	mBlocked := m - m%kernels.blockRows
	nBlocked := n &^ 3
	panelColumns := max(4, (panelBytes/k)&^3)
	for j := 0; j < nBlocked; j += panelColumns {
		blocks := min(panelColumns, nBlocked-j) / 4
		for i := 0; i < mBlocked; i += kernels.blockRows {
			kernels.block(kBytes, &a[i*k], k, &b[j*k], k, &c[i*ldc+j], ldc, blocks)
		}
		for i := mBlocked; i < m; i++ {
			kernels.row(kBytes, &a[i*k], &b[j*k], k, &c[i*ldc+j], blocks)
		}
	}

	// The last n mod 4 columns of c.
	for i := 0; i < m; i++ {
		for j := nBlocked; j < n; j++ {
			c[i*ldc+j] = dotS8(a[i*k:i*k+kBytes], b[j*k:j*k+kBytes])
		}
	}

	// The last k mod KBlock products of every entry.
	if kBytes == k {
		return
	}
	for i := 0; i < m; i++ {
		rowA := a[i*k+kBytes : i*k+k]
		for j := 0; j < n; j++ {
			c[i*ldc+j] += dotS8(rowA, b[j*k+kBytes:j*k+k])
		}
	}
}

// RowSumsS8 sets sums[i] = Σ_{p<k} a[i*k+p] for i < m. With symmetric weights
// (aZero = 0), adding -bZero·sums[i] to the bias of channel i lets GemmS8 run
// with both zero points 0.
func RowSumsS8(sums []int32, m, k int, a []int8) {
	if m < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: RowSumsS8: negative size m=%d k=%d", m, k))
	}
	if len(sums) < m || len(a) < m*k {
		panic(fmt.Sprintf("kernels: RowSumsS8: len(sums) = %d, len(a) = %d, want at least %d and %d", len(sums), len(a), m, m*k))
	}
	rowSumsS8Generic(sums, m, k, a)
}

// QuantizeMultiplier splits a non-negative real multiplier into a Q31
// mantissa and a power-of-two exponent so that real ≈ mult·2^(shift-31), the
// form Requantize and MultiplyByQuantizedMultiplier take. For real in
// [2^-32, 2^30) mult is in [2^30, 2^31) and the relative error is at most
// 2^-31. Smaller reals get shift = -31 and a smaller mult (0 below 2^-63).
// It panics on a negative, NaN or infinite real and on a real that rounds to
// 2^30 or more.
func QuantizeMultiplier(real float64) (mult int32, shift int) {
	if math.IsNaN(real) || math.IsInf(real, 0) || real < 0 {
		panic(fmt.Sprintf("kernels: QuantizeMultiplier: multiplier %v is not a finite non-negative number", real))
	}
	if real == 0 {
		return 0, 0
	}

	fraction, exponent := math.Frexp(real)
	mantissa := math.Round(fraction * (1 << 31))
	if mantissa == 1<<31 {
		mantissa /= 2
		exponent++
	}

	if exponent > 30 {
		panic(fmt.Sprintf("kernels: QuantizeMultiplier: multiplier %v rounds to 2^30 or more, the largest shift is 30", real))
	}
	if exponent < -31 {
		// Below 2^-32 the mantissa no longer fits the shift range, so the
		// exponent is pinned at -31 and precision is lost.
		return int32(math.Round(math.Ldexp(real, 62))), -31
	}
	return int32(mantissa), exponent
}

// Requantize converts int32 accumulators to int8 without floating point. acc
// holds len(mult) channel rows of n = len(acc)/len(mult) values, and channel
// ch uses bias[ch], mult[ch] and shift[ch]:
//
//	dst[ch*n+j] = clamp(zeroPoint + MultiplyByQuantizedMultiplier(acc[ch*n+j]+bias[ch], mult[ch], shift[ch]), reluMin, 127)
//
// The bias addition wraps, and a nil bias counts as zero. Pass reluMin =
// zeroPoint for a fused ReLU and -128 for none. zeroPoint must be in
// [-128, 127] and each shift in [-31, 30].
func Requantize(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	channels := len(mult)
	if channels == 0 {
		panic("kernels: Requantize: mult is empty, want one multiplier per channel")
	}
	if len(shift) != channels || (bias != nil && len(bias) != channels) {
		panic(fmt.Sprintf("kernels: Requantize: len(mult) = %d, len(shift) = %d, len(bias) = %d, want equal lengths (bias may be nil)",
			channels, len(shift), len(bias)))
	}
	if len(acc)%channels != 0 {
		panic(fmt.Sprintf("kernels: Requantize: len(acc) = %d is not a multiple of %d channels", len(acc), channels))
	}
	if len(dst) < len(acc) {
		panic(fmt.Sprintf("kernels: Requantize: len(dst) = %d, want at least len(acc) = %d", len(dst), len(acc)))
	}
	if zeroPoint < math.MinInt8 || zeroPoint > math.MaxInt8 {
		panic(fmt.Sprintf("kernels: Requantize: zero point %d is outside [-128, 127]", zeroPoint))
	}
	for ch, s := range shift {
		if s < -31 || s > 30 {
			panic(fmt.Sprintf("kernels: Requantize: shift[%d] = %d is outside [-31, 30]", ch, s))
		}
	}

	requantize(dst[:len(acc)], acc, bias, mult, shift, zeroPoint, reluMin)
}

// MaxPoolRequantizeS32 pools one output row of a 2x2, stride 2 max-pool
// of int32 accumulators and requantizes it as Requantize does:
//
//	dst[x] = clamp(zeroPoint + MultiplyByQuantizedMultiplier(max(top[2x], top[2x+1], bottom[2x], bottom[2x+1])+bias, mult, shift), reluMin, 127)
//
// for x < len(dst). Requantization with reluMin ≤ zeroPoint is monotonic,
// so this equals pooling the codes after requantization. zeroPoint must be
// in [-128, 127] and shift in [-31, 30].
func MaxPoolRequantizeS32(dst []int8, top, bottom []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	if len(top) < 2*len(dst) || len(bottom) < 2*len(dst) {
		panic(fmt.Sprintf("kernels: MaxPoolRequantizeS32: len(top) = %d, len(bottom) = %d, want at least 2*len(dst) = %d",
			len(top), len(bottom), 2*len(dst)))
	}
	if zeroPoint < math.MinInt8 || zeroPoint > math.MaxInt8 {
		panic(fmt.Sprintf("kernels: MaxPoolRequantizeS32: zero point %d is outside [-128, 127]", zeroPoint))
	}
	if shift < -31 || shift > 30 {
		panic(fmt.Sprintf("kernels: MaxPoolRequantizeS32: shift %d is outside [-31, 30]", shift))
	}
	if len(dst) == 0 {
		return
	}

	maxPoolRequantize(dst, top, bottom, bias, mult, shift, zeroPoint, reluMin)
}

// GatherRequantizeS2 computes and requantizes one output row of a 3x3,
// stride 2, padding 1 transposed convolution with w = len(dst)/2 input
// columns. Two kernel rows A and B reach an output row (B contributes
// zeros where no input row exists), and taps holds their column rows
// {leftA, centerA, rightA, leftB, centerB, rightB} of kernel columns 0, 1
// and 2, w values each. Output column 2ix gets kernel column 1 of input
// column ix, and 2ix+1 gets kernel column 2 of ix and 0 of ix+1:
//
//	even = init[2ix] + centerA[ix] + centerB[ix]
//	odd  = init[2ix+1] + rightA[ix] + rightB[ix] + leftA[ix+1] + leftB[ix+1]   (the last two only for ix+1 < w)
//
// and dst holds their codes, clamp(zeroPoint + MultiplyByQuantizedMultiplier(sum, mult, shift), reluMin, 127).
// The int32 sums wrap. len(dst) must be even, init must hold len(dst)
// values, zeroPoint must be in [-128, 127] and shift in [-31, 30].
func GatherRequantizeS2(dst []int8, init []int32, taps *[6][]int32, mult, shift, zeroPoint int32, reluMin int8) {
	if len(dst)%2 != 0 {
		panic(fmt.Sprintf("kernels: GatherRequantizeS2: len(dst) = %d is odd, want two outputs per input column", len(dst)))
	}
	w := len(dst) / 2
	if len(init) < 2*w {
		panic(fmt.Sprintf("kernels: GatherRequantizeS2: len(init) = %d, want at least len(dst) = %d", len(init), 2*w))
	}
	for i, tap := range taps {
		if len(tap) < w {
			panic(fmt.Sprintf("kernels: GatherRequantizeS2: len(taps[%d]) = %d, want at least w = %d", i, len(tap), w))
		}
	}
	if zeroPoint < math.MinInt8 || zeroPoint > math.MaxInt8 {
		panic(fmt.Sprintf("kernels: GatherRequantizeS2: zero point %d is outside [-128, 127]", zeroPoint))
	}
	if shift < -31 || shift > 30 {
		panic(fmt.Sprintf("kernels: GatherRequantizeS2: shift %d is outside [-31, 30]", shift))
	}
	if w == 0 {
		return
	}

	gatherRequantizeS2(dst, init, taps, mult, shift, zeroPoint, reluMin)
}

// ConvOutputSize returns the output height and width of a convolution with a
// kh x kw kernel, stride and zero padding pad on each side.
func ConvOutputSize(h, w, kh, kw, stride, pad int) (outH, outW int) {
	return convOutputSize(h, w, kh, kw, stride, pad)
}

// Im2colS8 writes the patches of the channel-major image src (channels x h x w)
// as rows of dst, one row of rowLen values per output pixel in row-major
// order. Row entry (c*kh+ky)*kw+kx holds the input at
// (oy*stride-pad+ky, ox*stride-pad+kx) of channel c. Taps outside the image
// and the padding from channels*kh*kw to rowLen get zeroPoint, the int8 code
// of real 0. With a 1x1 kernel, stride 1 and pad 0 it transposes src to
// pixel-major order, the b operand of a transposed convolution.
func Im2colS8(dst, src []int8, channels, h, w, kh, kw, stride, pad, rowLen int, zeroPoint int8) {
	if channels < 0 || h < 0 || w < 0 || kh < 1 || kw < 1 || stride < 1 || pad < 0 {
		panic(fmt.Sprintf("kernels: Im2colS8: invalid geometry channels=%d h=%d w=%d kernel=%dx%d stride=%d pad=%d",
			channels, h, w, kh, kw, stride, pad))
	}
	if rowLen < channels*kh*kw {
		panic(fmt.Sprintf("kernels: Im2colS8: rowLen = %d is smaller than channels*kh*kw = %d", rowLen, channels*kh*kw))
	}
	outH, outW := convOutputSize(h, w, kh, kw, stride, pad)
	if outH <= 0 || outW <= 0 {
		return
	}
	if len(src) < channels*h*w {
		panic(fmt.Sprintf("kernels: Im2colS8: len(src) = %d, want at least channels*h*w = %d", len(src), channels*h*w))
	}
	if len(dst) < outH*outW*rowLen {
		panic(fmt.Sprintf("kernels: Im2colS8: len(dst) = %d, want at least outH*outW*rowLen = %d", len(dst), outH*outW*rowLen))
	}

	im2colS8(dst, src, channels, h, w, kh, kw, stride, pad, rowLen, zeroPoint)
}

// Im2colGray3x3S8 writes the im2col rows of output rows [y0, y1) of a 3x3,
// stride 1, padding 1 convolution of the one-channel image src (h x w),
// one row of 16 values per output pixel in row-major order: entry ky*3+kx
// holds the input at (y-1+ky, x-1+kx), taps outside the image and entries
// 9 to 15 hold zeroPoint. It equals rows y0·w to y1·w of Im2colS8 with one
// channel, a 3x3 kernel, stride 1, pad 1 and rowLen 16.
func Im2colGray3x3S8(dst, src []int8, h, w, y0, y1 int, zeroPoint int8) {
	if h < 0 || w < 0 || y0 < 0 || y1 < y0 || y1 > h {
		panic(fmt.Sprintf("kernels: Im2colGray3x3S8: invalid geometry h=%d w=%d rows [%d, %d)", h, w, y0, y1))
	}
	if len(src) < h*w {
		panic(fmt.Sprintf("kernels: Im2colGray3x3S8: len(src) = %d, want at least h*w = %d", len(src), h*w))
	}
	if len(dst) < (y1-y0)*w*16 {
		panic(fmt.Sprintf("kernels: Im2colGray3x3S8: len(dst) = %d, want at least (y1-y0)*w*16 = %d", len(dst), (y1-y0)*w*16))
	}
	if w == 0 {
		return
	}

	im2colGray3x3(dst, src, h, w, y0, y1, zeroPoint)
}

// Col2imAddS32 adds the columns of a transposed convolution into its output.
// col is (channels*kh*kw) x (h*w), row (c*kh+ky)*kw+kx holding the
// contributions of kernel tap (ky, kx) of output channel c, and dst is
// channels x outH x outW. Input pixel (iy, ix) lands on output pixel
// (iy*stride-pad+ky, ix*stride-pad+kx), and targets outside dst are skipped.
// For PyTorch's ConvTranspose2d, outH = (h-1)*stride - 2*pad + kh + output_padding,
// so 3x3, stride 2, pad 1, output_padding 1 gives outH = 2h. dst must hold the
// bias or zeros beforehand.
func Col2imAddS32(dst, col []int32, channels, h, w, kh, kw, stride, pad, outH, outW int) {
	if channels < 0 || h < 0 || w < 0 || kh < 1 || kw < 1 || stride < 1 || pad < 0 || outH < 0 || outW < 0 {
		panic(fmt.Sprintf("kernels: Col2imAddS32: invalid geometry channels=%d h=%d w=%d kernel=%dx%d stride=%d pad=%d output=%dx%d",
			channels, h, w, kh, kw, stride, pad, outH, outW))
	}
	if len(col) < channels*kh*kw*h*w {
		panic(fmt.Sprintf("kernels: Col2imAddS32: len(col) = %d, want at least channels*kh*kw*h*w = %d", len(col), channels*kh*kw*h*w))
	}
	if len(dst) < channels*outH*outW {
		panic(fmt.Sprintf("kernels: Col2imAddS32: len(dst) = %d, want at least channels*outH*outW = %d", len(dst), channels*outH*outW))
	}

	col2imAddS32(dst, col, channels, h, w, kh, kw, stride, pad, outH, outW)
}

// MaxPool2x2S8 writes the 2x2, stride 2 max-pool of src (channels x h x w)
// to dst (channels x h/2 x w/2). An odd last row or column is dropped. The
// max commutes with the monotonic int8 code, so the output keeps the input's
// scale and zero point.
func MaxPool2x2S8(dst, src []int8, channels, h, w int) {
	if channels < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("kernels: MaxPool2x2S8: negative size channels=%d h=%d w=%d", channels, h, w))
	}
	if len(src) < channels*h*w {
		panic(fmt.Sprintf("kernels: MaxPool2x2S8: len(src) = %d, want at least channels*h*w = %d", len(src), channels*h*w))
	}
	if len(dst) < channels*(h/2)*(w/2) {
		panic(fmt.Sprintf("kernels: MaxPool2x2S8: len(dst) = %d, want at least channels*(h/2)*(w/2) = %d", len(dst), channels*(h/2)*(w/2)))
	}

	maxPool2x2S8Generic(dst, src, channels, h, w)
}

// LookupS8 sets dst[i] = table[src[i]+128] for i < len(src), so table[q+128]
// is the output code for input code q.
func LookupS8(dst, src []int8, table *[256]int8) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("kernels: LookupS8: len(dst) = %d, want at least len(src) = %d", len(dst), len(src)))
	}
	lookupS8Generic(dst, src, table)
}

// LookupF32 sets dst[i] = table[src[i]+128] for i < len(src). With a table
// from SigmoidTableF32 it dequantizes and applies the sigmoid in one step.
func LookupF32(dst []float32, src []int8, table *[256]float32) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("kernels: LookupF32: len(dst) = %d, want at least len(src) = %d", len(dst), len(src)))
	}
	lookupF32Generic(dst, src, table)
}

// SigmoidTableS8 returns the LookupS8 table of the sigmoid from input codes
// (scale inScale, zero point inZero) to output codes (outScale, outZero),
// rounded to nearest and saturated to int8. Building the table uses float64.
func SigmoidTableS8(inScale float64, inZero int32, outScale float64, outZero int32) *[256]int8 {
	var table [256]int8
	for i := range table {
		x := inScale * float64(i-128-int(inZero))
		code := math.Round(sigmoid(x)/outScale) + float64(outZero)
		table[i] = int8(max(math.MinInt8, min(math.MaxInt8, code)))
	}
	return &table
}

// SigmoidTableF32 returns the LookupF32 table of the sigmoid of input codes
// with scale inScale and zero point inZero.
func SigmoidTableF32(inScale float64, inZero int32) *[256]float32 {
	var table [256]float32
	for i := range table {
		table[i] = float32(sigmoid(inScale * float64(i-128-int(inZero))))
	}
	return &table
}

// sigmoid returns 1/(1+e^-x).
func sigmoid(x float64) float64 {
	return 1 / (1 + math.Exp(-x))
}
