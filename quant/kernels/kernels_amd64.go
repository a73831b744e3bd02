//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 GemmS8 kernels. It is set at start-up from the
// CPU features, and tests clear it to run the Go path.
var useAVX2 = cpu.X86.HasAVX2

// avx2Kernels are the AVX2 GemmS8 kernels, two rows of a per block.
var avx2Kernels = gemmKernels{blockRows: 2, block: gemm2x4AVX2, row: gemm1x4AVX2}

// implementation returns the name of the GemmS8 path in use.
func implementation() string {
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
	gemmS8Blocked(&avx2Kernels, m, n, k, a, b, c, ldc)
}

// requantize runs Requantize on checked arguments in Go.
//
// NOTE: there is no AVX2 requantization, so on amd64 it can take as long as
// the AVX2 product of the same layer (see BenchmarkRequantize).
func requantize(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	requantizeRowsGo(dst, acc, bias, mult, shift, zeroPoint, reluMin)
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
