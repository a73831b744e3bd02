//go:build !purego

package kernels

import (
	"os"

	"golang.org/x/sys/cpu"
)

// NOTE: the arm64 kernels have been run only under qemu-aarch64 7.2 (CPU
// models max and cortex-a72), not yet on a Cortex-A72, A76, A57 or Orin board.

// useSDOT selects the SDOT GemmS8 kernels over the SMULL ones. It is set at
// start-up from the ASIMDDP CPU feature unless the environment variable
// EDGEAE_NOSDOT is set to a value other than "" or "0", and tests clear it to
// run the SMULL path on hardware that has SDOT.
var useSDOT = cpu.ARM64.HasASIMDDP && !sdotDisabled(os.Getenv("EDGEAE_NOSDOT"))

// sdotDisabled reports whether the value of EDGEAE_NOSDOT turns SDOT off.
func sdotDisabled(value string) bool {
	return value != "" && value != "0"
}

// sdotKernels and neonKernels are the two arm64 GemmS8 paths, four rows of a
// per block.
var (
	sdotKernels = gemmKernels{blockRows: 4, block: gemm4x4SDOT, row: gemm1x4SDOT}
	neonKernels = gemmKernels{blockRows: 4, block: gemm4x4NEON, row: gemm1x4NEON}
)

// implementation returns the name of the GemmS8 path in use.
func implementation() string {
	if useSDOT {
		return "arm64-sdot"
	}
	return "arm64-neon"
}

// gemmS8Raw sets c[i*ldc+j] = Σ_{p<k} a[i*k+p]·b[j*k+p].
func gemmS8Raw(m, n, k int, a, b []int8, c []int32, ldc int) {
	if useSDOT {
		gemmS8Blocked(&sdotKernels, m, n, k, a, b, c, ldc)
		return
	}
	gemmS8Blocked(&neonKernels, m, n, k, a, b, c, ldc)
}

// requantize runs Requantize on checked arguments with the NEON kernel on the
// first n &^ 15 values of each channel row and requantizeRowGo on the rest.
func requantize(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	n := len(acc) / len(mult)
	vectorN := n &^ 15
	for ch := range mult {
		var channelBias int32
		if bias != nil {
			channelBias = bias[ch]
		}

		row := acc[ch*n : ch*n+n]
		out := dst[ch*n : ch*n+n]
		if vectorN > 0 {
			leftShift := max(shift[ch], 0)
			negRightShift := min(shift[ch], 0)
			requantizeRowNEON(&out[0], &row[0], vectorN, int(channelBias), int(mult[ch]),
				int(leftShift), int(negRightShift), int(zeroPoint), int(reluMin))
		}
		requantizeRowGo(out[vectorN:], row[vectorN:], channelBias, mult[ch], shift[ch], zeroPoint, reluMin)
	}
}

// gemm4x4SDOT computes nBlocks 4x4 blocks of raw products with SDOT, the
// blocks side by side along the columns of c. It equals
//
//	for r := 0; r < 4; r++ {
//		for q := 0; q < 4*nBlocks; q++ {
//			c[r*ldc+q] = dotS8(a[r*lda:r*lda+kBytes], b[q*ldb:q*ldb+kBytes])
//		}
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive. It needs the
// ASIMDDP feature.
//
//go:noescape
func gemm4x4SDOT(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)

// gemm1x4SDOT computes one row of 4*nBlocks raw products with SDOT. It equals
//
//	for q := 0; q < 4*nBlocks; q++ {
//		c[q] = dotS8(a[:kBytes], b[q*ldb:q*ldb+kBytes])
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive. It needs the
// ASIMDDP feature.
//
//go:noescape
func gemm1x4SDOT(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)

// gemm4x4NEON is gemm4x4SDOT with SMULL, SMULL2 and SADALP, for CPUs
// without SDOT. It equals the same Go loop.
//
//go:noescape
func gemm4x4NEON(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)

// gemm1x4NEON is gemm1x4SDOT with SMULL, SMULL2 and SADALP, for CPUs
// without SDOT. It equals the same Go loop.
//
//go:noescape
func gemm1x4NEON(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)

// requantizeRowNEON requantizes count values of one channel, count a
// positive multiple of 16, leftShift = max(shift, 0) and negRightShift =
// min(shift, 0). It equals
//
//	for j := 0; j < count; j++ {
//		dst[j] = requantizeOne(acc[j]+int32(bias), int32(mult), shift, int32(zeroPoint), int8(reluMin))
//	}
//
//go:noescape
func requantizeRowNEON(dst *int8, acc *int32, count int, bias, mult, leftShift, negRightShift, zeroPoint, reluMin int)

// maxPoolRequantize runs MaxPoolRequantizeS32 on checked arguments in Go.
func maxPoolRequantize(dst []int8, top, bottom []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	maxPoolRequantizeGeneric(dst, top, bottom, bias, mult, shift, zeroPoint, reluMin)
}

// gatherRequantizeS2 runs GatherRequantizeS2 on checked arguments in Go.
func gatherRequantizeS2(dst []int8, init []int32, taps *[6][]int32, mult, shift, zeroPoint int32, reluMin int8) {
	gatherRequantizeS2Generic(dst, init, taps, mult, shift, zeroPoint, reluMin)
}

// im2colGray3x3 runs Im2colGray3x3S8 on checked arguments in Go.
func im2colGray3x3(dst, src []int8, h, w, y0, y1 int, zeroPoint int8) {
	im2colGray3x3Generic(dst, src, h, w, y0, y1, zeroPoint)
}
