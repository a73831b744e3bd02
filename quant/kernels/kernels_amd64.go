//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 GemmS8 kernels. It is set at start-up from the
// CPU features, and tests clear it to run the Go path.
var useAVX2 = cpu.X86.HasAVX2

// useVNNI selects the AVX-512 VNNI GemmS8 kernels, which also need
// useAVX2 for the last n mod 16 columns. golang.org/x/sys/cpu reports the
// AVX-512 features only when the OS saves the AVX-512 registers. Tests
// clear it to run the AVX2 path.
var useVNNI = cpu.X86.HasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW &&
	cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI

// avx2Kernels are the AVX2 GemmS8 kernels, two rows of a per block.
var avx2Kernels = gemmKernels{blockRows: 2, block: gemm2x4AVX2, row: gemm1x4AVX2}

// implementation returns the name of the GemmS8 path in use.
func implementation() string {
	if useVNNI && useAVX2 {
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
	if useVNNI {
		gemmS8VNNI(m, n, k, a, b, c, ldc)
		return
	}
	gemmS8Blocked(&avx2Kernels, m, n, k, a, b, c, ldc)
}

// vnniRowGroup is the number of rows of a whose corrections gemmS8VNNI
// keeps on the stack at a time; a multiple of 4.
const vnniRowGroup = 128

// gemmS8VNNI sets c[i*ldc+j] = Σ_{p<k} a[i*k+p]·b[j*k+p] with the VNNI
// kernels on the first n &^ 15 columns and k &^ 15 values, the AVX2
// kernels on the other columns and Go on the last k mod 16 values.
func gemmS8VNNI(m, n, k int, a, b []int8, c []int32, ldc int) {
	kBytes := k &^ (KBlock - 1)
	nVNNI := n &^ 15
	if kBytes == 0 || nVNNI == 0 {
		gemmS8Blocked(&avx2Kernels, m, n, k, a, b, c, ldc)
		return
	}

	// Panels of b rows as in gemmS8Blocked, a multiple of 16 wide.
	panelColumns := max(16, (panelBytes/k)&^15)
	var corrections [vnniRowGroup]int32
	for i0 := 0; i0 < m; i0 += vnniRowGroup {
		rows := min(vnniRowGroup, m-i0)
		rowSums128VNNI(kBytes, &a[i0*k], k, rows, &corrections[0])

		rowsBlocked := rows &^ 3
		for j := 0; j < nVNNI; j += panelColumns {
			blocks := min(panelColumns, nVNNI-j) / 16
			for r := 0; r < rowsBlocked; r += 4 {
				i := i0 + r
				gemm4x16VNNI(kBytes, &a[i*k], k, &b[j*k], k, &c[i*ldc+j], ldc, blocks, &corrections[r])
			}
			for r := rowsBlocked; r < rows; r++ {
				i := i0 + r
				gemm1x16VNNI(kBytes, &a[i*k], &b[j*k], k, &c[i*ldc+j], blocks, corrections[r])
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

// gemm4x16VNNI computes nBlocks 4x16 blocks of raw products with AVX-512
// VNNI, the blocks side by side along the columns of c, where corr[r] is
// -128·Σ a[r*lda+p] over p < kBytes (rowSums128VNNI). It equals
//
//	for r := 0; r < 4; r++ {
//		for q := 0; q < 16*nBlocks; q++ {
//			c[r*ldc+q] = dotS8(a[r*lda:r*lda+kBytes], b[q*ldb:q*ldb+kBytes])
//		}
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive.
//
//go:noescape
func gemm4x16VNNI(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int, corr *int32)

// gemm1x16VNNI computes one row of 16*nBlocks raw products with AVX-512
// VNNI, where corr is -128·Σ a[p] over p < kBytes. It equals
//
//	for q := 0; q < 16*nBlocks; q++ {
//		c[q] = dotS8(a[:kBytes], b[q*ldb:q*ldb+kBytes])
//	}
//
// with kBytes a positive multiple of 16 and nBlocks positive.
//
//go:noescape
func gemm1x16VNNI(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int, corr int32)

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
