//go:build !purego

package kernels

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useAVX2 selects the AVX2 GemmS8 kernels. It is set at start-up from the
// CPU features, and tests clear it to run the Go path.
var useAVX2 = cpu.X86.HasAVX2

// useAVX512 selects the AVX-512 VNNI GemmS8 kernels, which also need
// useAVX2 for the last n mod 16 columns, and the AVX-512 requantization
// kernels, which also use the BMI2 instruction BZHI.
// golang.org/x/sys/cpu reports the AVX-512 features only when the OS saves
// the AVX-512 registers. Tests clear it to run the AVX2 and Go paths.
var useAVX512 = cpu.X86.HasAVX2 && cpu.X86.HasBMI2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW &&
	cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI

// avx2Kernels are the AVX2 GemmS8 kernels, two rows of a per block.
var avx2Kernels = gemmKernels{blockRows: 2, block: gemm2x4AVX2, row: gemm1x4AVX2}

// implementation returns the name of the GemmS8 path in use.
func implementation() string {
	if useAVX512 && useAVX2 {
		return "amd64-avx512vnni"
	}
	if useAVX2 {
		return "amd64-avx2"
	}
	return "generic"
}

// gemmS8Raw sets c[i*ldc+j] = Σ_{p<k} a[i*k+p]·b[j*k+p].
func gemmS8Raw(m, n, k int, a, b []int8, c []int32, ldc int) {
	if !useAVX2 {
		gemmS8Generic(m, n, k, a, 0, b, 0, c, ldc)
		return
	}
	if useAVX512 {
		gemmS8VNNI(m, n, k, a, b, c, ldc)
		return
	}
	gemmS8Blocked(&avx2Kernels, m, n, k, a, b, c, ldc)
}

// vnniRowGroup is the number of rows of a whose corrections gemmS8VNNI
// keeps on the stack at a time. It is a multiple of 4.
const vnniRowGroup = 512

// vnniKChunk is the largest number of k values gemmS8VNNI multiplies in
// one pass, so that 16 packed columns fit its panel buffer.
const vnniKChunk = panelBytes / 16

// gemmS8VNNI sets c[i*ldc+j] = Σ_{p<k} a[i*k+p]·b[j*k+p] with the VNNI
// kernels on the first n &^ 15 columns and k &^ 15 values, the AVX2
// kernels on the other columns and Go on the last k mod 16 values.
//
// The b rows of each panel are packed once into the kernels' operand
// order (packB16VNNI) in a panelBytes buffer on the stack, and every
// block of rows of a reads the packed panel. k runs in chunks of at most
// vnniKChunk values, the later chunks adding to c.
func gemmS8VNNI(m, n, k int, a, b []int8, c []int32, ldc int) {
	kBytes := k &^ (KBlock - 1)
	nVNNI := n &^ 15
	if kBytes == 0 || nVNNI == 0 {
		gemmS8Blocked(&avx2Kernels, m, n, k, a, b, c, ldc)
		return
	}

	var packed [panelBytes]int8
	var corrections [vnniRowGroup]int32
	kChunk := min(kBytes, vnniKChunk)
	panelColumns := max(16, (panelBytes/kChunk)&^15)
	for k0 := 0; k0 < kBytes; k0 += kChunk {
		kc := min(kChunk, kBytes-k0)
		accumulate := 0
		if k0 > 0 {
			accumulate = 0xffff
		}

		for i0 := 0; i0 < m; i0 += vnniRowGroup {
			rows := min(vnniRowGroup, m-i0)
			rowsBlocked := rows &^ 3
			rowSums128VNNI(kc, &a[i0*k+k0], k, rows, &corrections[0])

			for j := 0; j < nVNNI; j += panelColumns {
				blocks := min(panelColumns, nVNNI-j) / 16
				packB16VNNI(kc, &b[j*k+k0], k, &packed[0], blocks)
				for r := 0; r < rowsBlocked; r += 4 {
					i := i0 + r
					gemm4x16VNNI(kc, &a[i*k+k0], k, &packed[0], &c[i*ldc+j], ldc, blocks, &corrections[r], accumulate)
				}
				for r := rowsBlocked; r < rows; r++ {
					i := i0 + r
					gemm1x16VNNI(kc, &a[i*k+k0], &packed[0], &c[i*ldc+j], blocks, corrections[r], accumulate)
				}
			}
		}
	}

	if nVNNI < n {
		gemmS8Blocked(&avx2Kernels, m, n-nVNNI, k, a, b[nVNNI*k:], c[nVNNI:], ldc)
	}

	// The last k mod KBlock products of the VNNI columns.
	if kBytes == k {
		return
	}
	for i := 0; i < m; i++ {
		rowA := a[i*k+kBytes : i*k+k]
		for j := 0; j < nVNNI; j++ {
			c[i*ldc+j] += dotS8(rowA, b[j*k+kBytes:j*k+k])
		}
	}
}

// gemm2x4AVX2 computes nBlocks 2x4 blocks of raw products, the blocks side
// by side along the columns of c. It equals
//
//	for r := 0; r < 2; r++ {
//		for q := 0; q < 4*nBlocks; q++ {
//			c[r*ldc+q] = dotS8(a[r*lda:r*lda+kBytes], b[q*ldb:q*ldb+kBytes])
//		}
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive.
//
//go:noescape
func gemm2x4AVX2(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)

// gemm1x4AVX2 computes one row of 4*nBlocks raw products. It equals
//
//	for q := 0; q < 4*nBlocks; q++ {
//		c[q] = dotS8(a[:kBytes], b[q*ldb:q*ldb+kBytes])
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive.
//
//go:noescape
func gemm1x4AVX2(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)

// packB16VNNI packs nBlocks blocks of 16 rows of b, kBytes values each,
// into the operand order of gemm4x16VNNI and gemm1x16VNNI. For block q and
// group g of four k values, the 64 bytes from dst[(q*kBytes/4+g)*64] hold
// values 4g to 4g+3 of rows 16q to 16q+15 in turn, plus 128 as unsigned
// bytes. It equals
//
//	for q := 0; q < nBlocks; q++ {
//		for g := 0; g < kBytes/4; g++ {
//			for col := 0; col < 16; col++ {
//				for e := 0; e < 4; e++ {
//					dst[((q*kBytes/4+g)*16+col)*4+e] = b[(16*q+col)*ldb+4*g+e] ^ -128
//				}
//			}
//		}
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive.
//
//go:noescape
func packB16VNNI(kBytes int, b *int8, ldb int, dst *int8, nBlocks int)

// gemm4x16VNNI computes nBlocks 4x16 blocks of raw products with AVX-512
// VNNI, the blocks side by side along the columns of c, from b packed by
// packB16VNNI, where corr[r] is -128·Σ a[r*lda+p] over p < kBytes
// (rowSums128VNNI). With accumulate = 0 it equals
//
//	for r := 0; r < 4; r++ {
//		for q := 0; q < 16*nBlocks; q++ {
//			c[r*ldc+q] = dotS8(a[r*lda:r*lda+kBytes], b[q*ldb:q*ldb+kBytes])
//		}
//	}
//
// and with accumulate = 0xffff it adds the products to c. kBytes is a
// positive multiple of 16 and nBlocks positive.
//
//go:noescape
func gemm4x16VNNI(kBytes int, a *int8, lda int, packed *int8, c *int32, ldc int, nBlocks int, corr *int32, accumulate int)

// gemm1x16VNNI computes one row of 16*nBlocks raw products with AVX-512
// VNNI from b packed by packB16VNNI, where corr is -128·Σ a[p] over
// p < kBytes. With accumulate = 0 it equals
//
//	for q := 0; q < 16*nBlocks; q++ {
//		c[q] = dotS8(a[:kBytes], b[q*ldb:q*ldb+kBytes])
//	}
//
// and with accumulate = 0xffff it adds the products to c. kBytes is a
// positive multiple of 16 and nBlocks positive.
//
//go:noescape
func gemm1x16VNNI(kBytes int, a *int8, packed *int8, c *int32, nBlocks int, corr int32, accumulate int)

// rowSums128VNNI sets the VNNI correction of each row. It equals
//
//	for r := 0; r < rows; r++ {
//		var sum int32
//		for _, x := range a[r*lda : r*lda+kBytes] {
//			sum += int32(x)
//		}
//		sums[r] = -128 * sum
//	}
//
// with kBytes a positive multiple of 16 and rows positive.
//
//go:noescape
func rowSums128VNNI(kBytes int, a *int8, lda int, rows int, sums *int32)

// requantize runs Requantize on checked arguments: with AVX-512 on the
// first n &^ 15 values of each channel row whose multiplier is not
// MinInt32, and requantizeRowGo on the rest.
//
// NOTE: without AVX-512 there is no vector requantization on amd64, so
// it can take as long as the AVX2 product of the same layer (see
// BenchmarkRequantize).
func requantize(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	if !useAVX512 {
		requantizeRowsGo(dst, acc, bias, mult, shift, zeroPoint, reluMin)
		return
	}

	n := len(acc) / len(mult)
	for ch := range mult {
		var channelBias int32
		if bias != nil {
			channelBias = bias[ch]
		}
		requantizeRowAMD64(dst[ch*n:ch*n+n], acc[ch*n:ch*n+n], channelBias, mult[ch], shift[ch], zeroPoint, reluMin)
	}
}

// requantizeRowAMD64 is requantizeRowGo with AVX-512 on the first
// len(row) &^ 15 values. The caller checks useAVX512.
func requantizeRowAMD64(out []int8, row []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	vectorN := len(row) &^ 15
	if vectorN == 0 || mult == math.MinInt32 {
		requantizeRowGo(out, row, bias, mult, shift, zeroPoint, reluMin)
		return
	}

	params := newRequantParams(bias, mult, shift, zeroPoint, reluMin)
	requantizeRowAVX512(&out[0], &row[0], vectorN, &params)
	requantizeRowGo(out[vectorN:len(row)], row[vectorN:], bias, mult, shift, zeroPoint, reluMin)
}

// maxPoolRequantize runs MaxPoolRequantizeS32 on checked arguments, with
// AVX-512 unless it is off or mult is MinInt32.
func maxPoolRequantize(dst []int8, top, bottom []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	if !useAVX512 || mult == math.MinInt32 {
		maxPoolRequantizeGeneric(dst, top, bottom, bias, mult, shift, zeroPoint, reluMin)
		return
	}
	params := newRequantParams(bias, mult, shift, zeroPoint, reluMin)
	maxPoolRequantizeRowAVX512(&dst[0], &top[0], &bottom[0], len(dst), &params)
}

// gatherRequantizeS2 runs GatherRequantizeS2 on checked arguments, with
// AVX-512 unless it is off or mult is MinInt32.
func gatherRequantizeS2(dst []int8, init []int32, taps *[6][]int32, mult, shift, zeroPoint int32, reluMin int8) {
	w := len(dst) / 2
	if !useAVX512 || mult == math.MinInt32 {
		gatherRequantizeS2Generic(dst, init, taps, mult, shift, zeroPoint, reluMin)
		return
	}
	params := newRequantParams(0, mult, shift, zeroPoint, reluMin)
	gatherRequantizeS2AVX512(&dst[0], &init[0], &taps[0][0], &taps[1][0], &taps[2][0], &taps[3][0], &taps[4][0], &taps[5][0], w, &params)
}

// useVBMI selects the AVX-512 VBMI Im2colGray3x3S8, which permutes bytes
// with VPERMI2B. It takes effect only with useAVX512, which tests clear.
var useVBMI = cpu.X86.HasAVX512VBMI

// im2colGrayIndex are the VPERMI2B indices of im2colGray16AVX512: byte j
// of vector q is entry e = j mod 16 of pixel p = 4q + j/16, which is
// column p+kx of the input row ky, at 32·ky + p + kx in the table, for
// e = 3·ky + kx < 9, and a zero point at 96 for the padding.
var im2colGrayIndex = func() (index [4][64]uint8) {
	for q := range index {
		for j := range index[q] {
			p, e := 4*q+j/16, j%16
			index[q][j] = 96
			if e < 9 {
				index[q][j] = uint8(32*(e/3) + p + e%3)
			}
		}
	}
	return index
}()

// im2colGray3x3 runs Im2colGray3x3S8 on checked arguments, with AVX-512
// VBMI on the first w &^ 15 pixels of each row when the CPU has it.
func im2colGray3x3(dst, src []int8, h, w, y0, y1 int, zeroPoint int8) {
	chunks := w / 16
	if !useAVX512 || !useVBMI || chunks == 0 {
		im2colGray3x3Generic(dst, src, h, w, y0, y1, zeroPoint)
		return
	}

	for y := y0; y < y1; y++ {
		// The input rows y-1, y and y+1. A row outside the image passes
		// row y and a valid mask of 0, so none of its bytes is read.
		var rows [3]*int8
		var valid [3]int
		for ky := range 3 {
			rows[ky] = &src[y*w]
			if iy := y - 1 + ky; iy >= 0 && iy < h {
				rows[ky] = &src[iy*w]
				valid[ky] = -1
			}
		}
		out := dst[(y-y0)*w*16 : (y-y0+1)*w*16]
		im2colGray16AVX512(&out[0], rows[0], rows[1], rows[2], valid[0], valid[1], valid[2], w, chunks, int(zeroPoint), &im2colGrayIndex)

		for x := chunks * 16; x < w; x++ {
			im2colGrayPixel(out[x*16:(x+1)*16], src, h, w, y, x, zeroPoint)
		}
	}
}

// requantParams are the per-channel constants of the AVX-512
// requantization. The assembly reads the fields at offsets 0 to 72.
type requantParams struct {
	bias      int64
	mult      int64
	leftShift int64
	high, low int64 // the int32 limits shifted right by leftShift
	half      int64 // 2^(s-1)·2^31 for a right shift s ≥ 1, else 0
	negative  int64 // -2^31 for a right shift s ≥ 1, else 0
	shift     int64 // 31+s
	zeroPoint int64
	reluMin   int64
}

// newRequantParams returns the requantParams of a channel. mult must not
// be MinInt32.
func newRequantParams(bias, mult, shift, zeroPoint int32, reluMin int8) requantParams {
	leftShift := max(shift, 0)
	rightShift := max(-shift, 0)
	p := requantParams{
		bias:      int64(bias),
		mult:      int64(mult),
		leftShift: int64(leftShift),
		high:      math.MaxInt32 >> leftShift,
		low:       math.MinInt32 >> leftShift,
		shift:     int64(31 + rightShift),
		zeroPoint: int64(zeroPoint),
		reluMin:   int64(reluMin),
	}
	if rightShift > 0 {
		p.half = 1 << (30 + rightShift)
		p.negative = -1 << 31
	}
	return p
}

// requantizeRowAVX512 requantizes count values of one channel, count a
// positive multiple of 16, with the constants of newRequantParams(bias,
// mult, shift, zeroPoint, reluMin). It equals
//
//	for j := 0; j < count; j++ {
//		dst[j] = requantizeOne(acc[j]+bias, mult, shift, zeroPoint, reluMin)
//	}
//
//go:noescape
func requantizeRowAVX512(dst *int8, acc *int32, count int, p *requantParams)

// maxPoolRequantizeRowAVX512 pools and requantizes count values, count
// positive, with the constants of newRequantParams(bias, mult, shift,
// zeroPoint, reluMin). It equals
//
//	for x := 0; x < count; x++ {
//		m := max(top[2*x], top[2*x+1], bottom[2*x], bottom[2*x+1])
//		dst[x] = requantizeOne(m+bias, mult, shift, zeroPoint, reluMin)
//	}
//
//go:noescape
func maxPoolRequantizeRowAVX512(dst *int8, top, bottom *int32, count int, p *requantParams)

// gatherRequantizeS2AVX512 computes one output row of a stride-2
// transposed convolution, w input columns, w positive, with the
// constants of newRequantParams(0, mult, shift, zeroPoint, reluMin). With
// taps = {leftA, centerA, rightA, leftB, centerB, rightB} it equals
// gatherRequantizeS2Generic(dst[:2*w], init, &taps, mult, shift,
// zeroPoint, reluMin).
//
//go:noescape
func gatherRequantizeS2AVX512(dst *int8, init, leftA, centerA, rightA, leftB, centerB, rightB *int32, w int, p *requantParams)

// im2colGray16AVX512 writes the im2col rows of pixels 0 to 16·chunks-1 of
// output row y of Im2colGray3x3S8, with 16·chunks ≤ w and chunks
// positive. row0..row2 are input rows y-1, y and y+1, valid0..valid2 are
// -1 for a row inside the image and 0 outside. It equals
//
//	for x := 0; x < 16*chunks; x++ {
//		im2colGrayPixel(dst[x*16:(x+1)*16], src, h, w, y, x, int8(zero))
//	}
//
//go:noescape
func im2colGray16AVX512(dst *int8, row0, row1, row2 *int8, valid0, valid1, valid2 int, w int, chunks int, zero int, index *[4][64]uint8)
