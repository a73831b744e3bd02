//go:build !purego

#include "textflag.h"

// The Go assembler (Go 1.26) has no mnemonics for SDOT, SMULL, SMULL2,
// SADALP or the saturating and rounding NEON instructions, so they are
// emitted with WORD. Each macro below gives the A64 encoding of the vector
// form with Vd in bits 0-4, Vn in bits 5-9 and Vm in bits 16-20, checked
// against GNU as 2.40 (aarch64-linux-gnu-as, -march armv8.2-a+dotprod).

// SDOT Vd.4S, Vn.16B, Vm.16B: each int32 lane i of Vd += Σ_{j<4} Vn[4i+j]·Vm[4i+j].
#define SDOT(d, n, m) WORD $(0x4E809400 | ((m)<<16) | ((n)<<5) | (d))

// SMULL Vd.8H, Vn.8B, Vm.8B and SMULL2 Vd.8H, Vn.16B, Vm.16B: int8 x int8
// products of the low or high 8 lanes, widened to int16 (exact: |p| ≤ 16384).
#define SMULL_8B(d, n, m) WORD $(0x0E20C000 | ((m)<<16) | ((n)<<5) | (d))
#define SMULL2_16B(d, n, m) WORD $(0x4E20C000 | ((m)<<16) | ((n)<<5) | (d))

// SADALP Vd.4S, Vn.8H: each int32 lane i of Vd += Vn[2i] + Vn[2i+1].
#define SADALP_4S(d, n) WORD $(0x4E606800 | ((n)<<5) | (d))

// Requantization: SQSHL (register, saturating shift left), SQRDMULH,
// SSHR #31, SQADD on 4S and 8H, SRSHL (register, rounding shift, right for a
// negative count), SQXTN/SQXTN2 (saturating narrow) and SMAX on 16B.
#define SQSHL_4S(d, n, m) WORD $(0x4EA04C00 | ((m)<<16) | ((n)<<5) | (d))
#define SQRDMULH_4S(d, n, m) WORD $(0x6EA0B400 | ((m)<<16) | ((n)<<5) | (d))
#define SSHR31_4S(d, n) WORD $(0x4F210400 | ((n)<<5) | (d))
#define SQADD_4S(d, n, m) WORD $(0x4EA00C00 | ((m)<<16) | ((n)<<5) | (d))
#define SQADD_8H(d, n, m) WORD $(0x4E600C00 | ((m)<<16) | ((n)<<5) | (d))
#define SRSHL_4S(d, n, m) WORD $(0x4EA05400 | ((m)<<16) | ((n)<<5) | (d))
#define SQXTN_4H(d, n) WORD $(0x0E614800 | ((n)<<5) | (d))
#define SQXTN2_8H(d, n) WORD $(0x4E614800 | ((n)<<5) | (d))
#define SQXTN_8B(d, n) WORD $(0x0E214800 | ((n)<<5) | (d))
#define SQXTN2_16B(d, n) WORD $(0x4E214800 | ((n)<<5) | (d))
#define SMAX_16B(d, n, m) WORD $(0x4E206400 | ((m)<<16) | ((n)<<5) | (d))

// SDOT_ROW adds row a (V<a>) against the four b rows in V4..V7 into the
// accumulators V<acc>..V<acc+3>.
#define SDOT_ROW(acc, a) \
	SDOT(acc, a, 4); SDOT(acc+1, a, 5); SDOT(acc+2, a, 6); SDOT(acc+3, a, 7)

// SMULL_ROW is SDOT_ROW with SMULL/SMULL2 into the int16 temporaries V8..V15
// and SADALP into the accumulators. The SADALPs follow all eight multiplies
// so that no instruction waits on the one before it.
#define SMULL_ROW(acc, a) \
	SMULL_8B(8, a, 4); SMULL2_16B(9, a, 4); \
	SMULL_8B(10, a, 5); SMULL2_16B(11, a, 5); \
	SMULL_8B(12, a, 6); SMULL2_16B(13, a, 6); \
	SMULL_8B(14, a, 7); SMULL2_16B(15, a, 7); \
	SADALP_4S(acc, 8); SADALP_4S(acc+1, 10); SADALP_4S(acc+2, 12); SADALP_4S(acc+3, 14); \
	SADALP_4S(acc, 9); SADALP_4S(acc+1, 11); SADALP_4S(acc+2, 13); SADALP_4S(acc+3, 15)

// LOAD_4x4 loads 16 bytes of the a rows R0..R3 into V0..V3 and of the b rows
// R4..R7 into V4..V7, advancing the pointers.
#define LOAD_4x4 \
	VLD1.P 16(R0), [V0.B16]; VLD1.P 16(R1), [V1.B16]; \
	VLD1.P 16(R2), [V2.B16]; VLD1.P 16(R3), [V3.B16]; \
	VLD1.P 16(R4), [V4.B16]; VLD1.P 16(R5), [V5.B16]; \
	VLD1.P 16(R6), [V6.B16]; VLD1.P 16(R7), [V7.B16]

// LOAD_1x4 loads 16 bytes of the a row R0 into V0 and of the b rows R4..R7
// into V4..V7, advancing the pointers.
#define LOAD_1x4 \
	VLD1.P 16(R0), [V0.B16]; \
	VLD1.P 16(R4), [V4.B16]; VLD1.P 16(R5), [V5.B16]; \
	VLD1.P 16(R6), [V6.B16]; VLD1.P 16(R7), [V7.B16]

// ARGS_4x4 loads the gemm4x4 arguments: the a base in R20 and its row stride
// in R11, the b base in R21 and its row stride in R12, c in R22 and its row
// stride in bytes in R10, the byte count in R23 and the block count in R19.
#define ARGS_4x4 \
	MOVD kBytes+0(FP), R23; \
	MOVD a+8(FP), R20; \
	MOVD lda+16(FP), R11; \
	MOVD b+24(FP), R21; \
	MOVD ldb+32(FP), R12; \
	MOVD c+40(FP), R22; \
	MOVD ldc+48(FP), R10; \
	LSL $2, R10, R10; \
	MOVD nBlocks+56(FP), R19

// ARGS_1x4 loads the gemm1x4 arguments into the registers of ARGS_4x4. The
// single c row needs no stride, so R10 is zero.
#define ARGS_1x4 \
	MOVD kBytes+0(FP), R23; \
	MOVD a+8(FP), R20; \
	MOVD b+16(FP), R21; \
	MOVD ldb+24(FP), R12; \
	MOVD c+32(FP), R22; \
	MOVD ZR, R10; \
	MOVD nBlocks+40(FP), R19

// START_BLOCK_1x4 is START_BLOCK for one a row (R0) and four accumulators.
#define START_BLOCK_1x4 \
	MOVD R23, R8; \
	MOVD R20, R0; \
	MOVD R21, R4; ADD R12, R4, R5; ADD R12, R5, R6; ADD R12, R6, R7; \
	MOVD R22, R9; \
	CLEAR4(16)

// START_BLOCK sets up one block: a rows in R0..R3, b rows in R4..R7, the
// byte count in R8 and c in R9, and clears the accumulators V16..V31.
#define START_BLOCK \
	MOVD R23, R8; \
	MOVD R20, R0; ADD R11, R0, R1; ADD R11, R1, R2; ADD R11, R2, R3; \
	MOVD R21, R4; ADD R12, R4, R5; ADD R12, R5, R6; ADD R12, R6, R7; \
	MOVD R22, R9; \
	CLEAR4(16); CLEAR4(20); CLEAR4(24); CLEAR4(28)

// NEXT_BLOCK moves to the next four b rows and the next four c columns and
// counts the block down, setting the flags for BNE.
#define NEXT_BLOCK \
	ADD R12<<2, R21, R21; \
	ADD $16, R22, R22; \
	SUBS $1, R19, R19

// CLEAR4 zeroes V<v>..V<v+3>. The macro argument is a register number, which
// VEOR cannot take, so EOR_SELF is the encoding of EOR Vd.16B, Vd.16B, Vd.16B.
#define EOR_SELF(v) WORD $(0x6E201C00 | ((v)<<16) | ((v)<<5) | (v))
#define CLEAR4(v) EOR_SELF(v); EOR_SELF(v+1); EOR_SELF(v+2); EOR_SELF(v+3)

// STORE_ROW sums each of the four accumulators Va..Vd across its lanes and
// stores the four sums to (R9), then advances R9 by one c row (R10 bytes).
// VADDP Vm, Vn, Vd sets Vd = [n0+n1, n2+n3, m0+m1, m2+m3].
#define STORE_ROW(va, vb, vc, vd) \
	VADDP vb, va, va; VADDP vd, vc, vc; VADDP vc, va, va; \
	VST1 [va], (R9); \
	ADD R10, R9, R9

// func gemm4x4SDOT(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)
TEXT ·gemm4x4SDOT(SB), NOSPLIT, $0-64
	ARGS_4x4

block4x4SDOT:
	START_BLOCK

loop4x4SDOT:
	LOAD_4x4
	SDOT_ROW(16, 0)
	SDOT_ROW(20, 1)
	SDOT_ROW(24, 2)
	SDOT_ROW(28, 3)
	SUBS $16, R8, R8
	BNE  loop4x4SDOT

	STORE_ROW(V16.S4, V17.S4, V18.S4, V19.S4)
	STORE_ROW(V20.S4, V21.S4, V22.S4, V23.S4)
	STORE_ROW(V24.S4, V25.S4, V26.S4, V27.S4)
	STORE_ROW(V28.S4, V29.S4, V30.S4, V31.S4)
	NEXT_BLOCK
	BNE block4x4SDOT
	RET

// func gemm1x4SDOT(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)
TEXT ·gemm1x4SDOT(SB), NOSPLIT, $0-48
	ARGS_1x4

block1x4SDOT:
	START_BLOCK_1x4

loop1x4SDOT:
	LOAD_1x4
	SDOT_ROW(16, 0)
	SUBS $16, R8, R8
	BNE  loop1x4SDOT

	STORE_ROW(V16.S4, V17.S4, V18.S4, V19.S4)
	NEXT_BLOCK
	BNE block1x4SDOT
	RET

// func gemm4x4NEON(kBytes int, a *int8, lda int, b *int8, ldb int, c *int32, ldc int, nBlocks int)
TEXT ·gemm4x4NEON(SB), NOSPLIT, $0-64
	ARGS_4x4

block4x4NEON:
	START_BLOCK

loop4x4NEON:
	LOAD_4x4
	SMULL_ROW(16, 0)
	SMULL_ROW(20, 1)
	SMULL_ROW(24, 2)
	SMULL_ROW(28, 3)
	SUBS $16, R8, R8
	BNE  loop4x4NEON

	STORE_ROW(V16.S4, V17.S4, V18.S4, V19.S4)
	STORE_ROW(V20.S4, V21.S4, V22.S4, V23.S4)
	STORE_ROW(V24.S4, V25.S4, V26.S4, V27.S4)
	STORE_ROW(V28.S4, V29.S4, V30.S4, V31.S4)
	NEXT_BLOCK
	BNE block4x4NEON
	RET

// func gemm1x4NEON(kBytes int, a *int8, b *int8, ldb int, c *int32, nBlocks int)
TEXT ·gemm1x4NEON(SB), NOSPLIT, $0-48
	ARGS_1x4

block1x4NEON:
	START_BLOCK_1x4

loop1x4NEON:
	LOAD_1x4
	SMULL_ROW(16, 0)
	SUBS $16, R8, R8
	BNE  loop1x4NEON

	STORE_ROW(V16.S4, V17.S4, V18.S4, V19.S4)
	NEXT_BLOCK
	BNE block1x4NEON
	RET

// func requantizeRowNEON(dst *int8, acc *int32, count int, bias, mult, leftShift, negRightShift, zeroPoint, reluMin int)
//
// Per 16 values: add the bias (wrapping), SQSHL by leftShift, SQRDMULH by
// mult, then the rounding right shift. SRSHL rounds ties up, so negative
// values are first lowered by one with a saturating add when the right shift
// is non-zero, which turns the rounding into ties away from zero as in
// gemmlowp's RoundingDivideByPOT. The result saturates to int16, gets the
// zero point added with saturation, saturates to int8 and is raised to at
// least reluMin.
TEXT ·requantizeRowNEON(SB), NOSPLIT, $0-72
	MOVD dst+0(FP), R0
	MOVD acc+8(FP), R1
	MOVD count+16(FP), R2
	MOVD bias+24(FP), R3
	MOVD mult+32(FP), R4
	MOVD leftShift+40(FP), R5
	MOVD negRightShift+48(FP), R6
	MOVD zeroPoint+56(FP), R7
	MOVD reluMin+64(FP), R8
	VDUP R3, V20.S4
	VDUP R5, V21.S4
	VDUP R4, V22.S4
	VDUP R6, V23.S4
	VDUP R7, V24.H8
	VDUP R8, V25.B16

loopRequantize:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VADD V20.S4, V0.S4, V0.S4
	VADD V20.S4, V1.S4, V1.S4
	VADD V20.S4, V2.S4, V2.S4
	VADD V20.S4, V3.S4, V3.S4

	SQSHL_4S(0, 0, 21); SQSHL_4S(1, 1, 21); SQSHL_4S(2, 2, 21); SQSHL_4S(3, 3, 21)
	SQRDMULH_4S(0, 0, 22); SQRDMULH_4S(1, 1, 22); SQRDMULH_4S(2, 2, 22); SQRDMULH_4S(3, 3, 22)

	// V4..V7 = -1 where the value is negative and the right shift non-zero
	// (the sign bit of x AND negRightShift), else 0.
	VAND V23.B16, V0.B16, V4.B16
	VAND V23.B16, V1.B16, V5.B16
	VAND V23.B16, V2.B16, V6.B16
	VAND V23.B16, V3.B16, V7.B16
	SSHR31_4S(4, 4); SSHR31_4S(5, 5); SSHR31_4S(6, 6); SSHR31_4S(7, 7)
	SQADD_4S(0, 0, 4); SQADD_4S(1, 1, 5); SQADD_4S(2, 2, 6); SQADD_4S(3, 3, 7)
	SRSHL_4S(0, 0, 23); SRSHL_4S(1, 1, 23); SRSHL_4S(2, 2, 23); SRSHL_4S(3, 3, 23)

	SQXTN_4H(0, 0); SQXTN2_8H(0, 1); SQXTN_4H(2, 2); SQXTN2_8H(2, 3)
	SQADD_8H(0, 0, 24); SQADD_8H(2, 2, 24)
	SQXTN_8B(0, 0); SQXTN2_16B(0, 2)
	SMAX_16B(0, 0, 25)
	VST1.P [V0.B16], 16(R0)

	SUBS $16, R2, R2
	BNE  loopRequantize
	RET
