//go:build !purego

#include "textflag.h"

// func im2colGray16AVX512(dst *int8, row0, row1, row2 *int8, valid0, valid1, valid2 int, w int, chunks int, zero int, index *[4][64]uint8)
//
// Writes the im2col rows of pixels 0 to 16·chunks-1 of one output row of
// a 3x3, stride 1, padding 1 convolution of a one-channel image of width
// w, 16 bytes per pixel (see im2colGray3x3Generic). row0..row2 are the
// input rows y-1, y and y+1, and valid0..valid2 are -1 for a row inside
// the image and 0 for one outside, whose taps get the zero point.
//
// Each step builds a 128-byte table of two registers: Z10 holds the 32
// input columns x0-1 to x0+30 of row0 and row1, Z11 those of row2 and 32
// copies of the zero point. Masked loads put the zero point at columns
// outside the image and never touch them. VPERMI2B with the index
// vectors of im2colGrayIndex then gives four pixels per register.
//
// DI is dst, R8..R10 the input rows, R11..R13 the valid masks, DX the
// first column x0 of the step and CX the steps left. Z4..Z7 hold the
// index vectors and Z9 the zero point.
TEXT ·im2colGray16AVX512(SB), NOSPLIT, $0-88
	MOVQ dst+0(FP), DI
	MOVQ row0+8(FP), R8
	MOVQ row1+16(FP), R9
	MOVQ row2+24(FP), R10
	MOVQ valid0+32(FP), R11
	MOVQ valid1+40(FP), R12
	MOVQ valid2+48(FP), R13
	MOVQ chunks+64(FP), CX
	MOVQ zero+72(FP), AX
	VPBROADCASTB AX, Z9
	MOVQ index+80(FP), AX
	VMOVDQU64 0(AX), Z4
	VMOVDQU64 64(AX), Z5
	VMOVDQU64 128(AX), Z6
	VMOVDQU64 192(AX), Z7
	XORQ DX, DX

grayLoop:
	// BX = the columns x0-1+i, i < 32, inside [0, w).
	MOVQ    w+56(FP), AX
	SUBQ    DX, AX
	INCQ    AX
	MOVQ    $32, BX
	CMPQ    AX, BX
	CMOVQGT BX, AX
	MOVQ    $-1, BX
	BZHIQ   AX, BX, BX
	TESTQ   DX, DX
	JNZ     grayMasks
	ANDQ    $-2, BX

grayMasks:
	MOVQ  BX, AX
	ANDQ  R11, AX
	KMOVD AX, K1
	MOVQ  BX, AX
	ANDQ  R12, AX
	KMOVD AX, K2
	MOVQ  BX, AX
	ANDQ  R13, AX
	KMOVD AX, K3

	VMOVDQA64    Z9, Z10
	VMOVDQU8     -1(R8)(DX*1), K1, Y10
	VMOVDQA64    Z9, Z12
	VMOVDQU8     -1(R9)(DX*1), K2, Y12
	VINSERTI64X4 $1, Y12, Z10, Z10
	VMOVDQA64    Z9, Z11
	VMOVDQU8     -1(R10)(DX*1), K3, Y11
	VINSERTI64X4 $1, Y9, Z11, Z11

	VMOVDQA64 Z4, Z0
	VPERMI2B  Z11, Z10, Z0
	VMOVDQU64 Z0, 0(DI)
	VMOVDQA64 Z5, Z0
	VPERMI2B  Z11, Z10, Z0
	VMOVDQU64 Z0, 64(DI)
	VMOVDQA64 Z6, Z0
	VPERMI2B  Z11, Z10, Z0
	VMOVDQU64 Z0, 128(DI)
	VMOVDQA64 Z7, Z0
	VPERMI2B  Z11, Z10, Z0
	VMOVDQU64 Z0, 192(DI)

	ADDQ $256, DI
	ADDQ $16, DX
	DECQ CX
	JNZ  grayLoop
	VZEROUPPER
	RET
