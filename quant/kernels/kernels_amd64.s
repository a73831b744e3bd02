//go:build !purego

#include "textflag.h"

// The AVX2 kernels sign-extend 16 int8 values to 16 int16 lanes with
// VPMOVSXBW and multiply with VPMADDWD, which adds adjacent int16 products
// into int32 lanes. A product pair is at most 2·128·128 = 32768 in magnitude,
// so nothing saturates and the int32 lane sums wrap like Go's int32 adds.

// REDUCE4 sums each of the four 8-lane accumulators a0..a3 into lanes 0..3
// of x0, the X register of a0. It clobbers a2 and xtmp.
#define REDUCE4(a0, a1, a2, a3, x0, xtmp) \
	VPHADDD a1, a0, a0; \
	VPHADDD a3, a2, a2; \
	VPHADDD a2, a0, a0; \
	VEXTRACTI128 $1, a0, xtmp; \
	VPADDD xtmp, x0, x0

// func gemm2x4AVX2(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)
//
// SI and DI are the a rows, R8..R11 the b rows of the current block, CX the
// byte offset within the rows, R13 the byte count, DX the c block, R12 the c
// row stride in bytes, BX the distance to the next block of b rows and AX the
// blocks left.
TEXT ·gemm2x4AVX2(SB), NOSPLIT, $0-64
	MOVQ kBytes+0(FP), R13
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), AX
	LEAQ (SI)(AX*1), DI
	MOVQ b+24(FP), R8
	MOVQ ldb+32(FP), BX
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	SHLQ $2, BX
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R12
	SHLQ $2, R12
	MOVQ nBlocks+56(FP), AX

block2x4:
	// Y0..Y3: row 0 of a against rows 0..3 of b; Y4..Y7: row 1.
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	XORQ  CX, CX

loop2x4:
	VPMOVSXBW (R8)(CX*1), Y8
	VPMOVSXBW (R9)(CX*1), Y9
	VPMOVSXBW (R10)(CX*1), Y10
	VPMOVSXBW (R11)(CX*1), Y11

	VPMOVSXBW (SI)(CX*1), Y12
	VPMADDWD  Y8, Y12, Y13
	VPADDD    Y13, Y0, Y0
	VPMADDWD  Y9, Y12, Y14
	VPADDD    Y14, Y1, Y1
	VPMADDWD  Y10, Y12, Y13
	VPADDD    Y13, Y2, Y2
	VPMADDWD  Y11, Y12, Y14
	VPADDD    Y14, Y3, Y3

	VPMOVSXBW (DI)(CX*1), Y12
	VPMADDWD  Y8, Y12, Y13
	VPADDD    Y13, Y4, Y4
	VPMADDWD  Y9, Y12, Y14
	VPADDD    Y14, Y5, Y5
	VPMADDWD  Y10, Y12, Y13
	VPADDD    Y13, Y6, Y6
	VPMADDWD  Y11, Y12, Y14
	VPADDD    Y14, Y7, Y7

	ADDQ $16, CX
	CMPQ CX, R13
	JNE  loop2x4

	REDUCE4(Y0, Y1, Y2, Y3, X0, X13)
	VMOVDQU X0, (DX)
	REDUCE4(Y4, Y5, Y6, Y7, X4, X13)
	VMOVDQU X4, (DX)(R12*1)

	ADDQ BX, R8
	ADDQ BX, R9
	ADDQ BX, R10
	ADDQ BX, R11
	ADDQ $16, DX
	DECQ AX
	JNZ  block2x4
	VZEROUPPER
	RET

// func gemm1x4AVX2(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)
//
// The registers are those of gemm2x4AVX2 without DI and R12.
TEXT ·gemm1x4AVX2(SB), NOSPLIT, $0-48
	MOVQ kBytes+0(FP), R13
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ ldb+24(FP), BX
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	SHLQ $2, BX
	MOVQ c+32(FP), DX
	MOVQ nBlocks+40(FP), AX

block1x4:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	XORQ  CX, CX

loop1x4:
	VPMOVSXBW (SI)(CX*1), Y12
	VPMOVSXBW (R8)(CX*1), Y8
	VPMADDWD  Y8, Y12, Y8
	VPADDD    Y8, Y0, Y0
	VPMOVSXBW (R9)(CX*1), Y9
	VPMADDWD  Y9, Y12, Y9
	VPADDD    Y9, Y1, Y1
	VPMOVSXBW (R10)(CX*1), Y10
	VPMADDWD  Y10, Y12, Y10
	VPADDD    Y10, Y2, Y2
	VPMOVSXBW (R11)(CX*1), Y11
	VPMADDWD  Y11, Y12, Y11
	VPADDD    Y11, Y3, Y3

	ADDQ $16, CX
	CMPQ CX, R13
	JNE  loop1x4

	REDUCE4(Y0, Y1, Y2, Y3, X0, X13)
	VMOVDQU X0, (DX)

	ADDQ BX, R8
	ADDQ BX, R9
	ADDQ BX, R10
	ADDQ BX, R11
	ADDQ $16, DX
	DECQ AX
	JNZ  block1x4
	VZEROUPPER
	RET
