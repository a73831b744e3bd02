//go:build !purego

#include "textflag.h"

// The AVX-512 requantization works on 16 int32 lanes. The bias is added
// with wrapping, the saturating left shift sets MaxInt32 above
// high = MaxInt32>>leftShift and MinInt32 below low = MinInt32>>leftShift,
// then t = v·mult + 2^30 is formed in int64 for the even lanes and, after
// a 32-bit shift, the odd lanes. SaturatingRoundingDoublingHighMul
// followed by the rounding right shift by s is
// floor((t + half + [t < 0]·negative) / 2^shift), with half =
// 2^(s-1)·2^31, negative = -2^31 (both 0 for s = 0) and shift = 31+s, as
// in package quant's rounding. The caller excludes mult = MinInt32, the
// one product that saturates. The result is clamped to [-512, 512] before
// the zero point is added, which changes no code because the zero point
// is in [-128, 127], then clamped to [reluMin, 127] and stored as bytes.
//
// Registers: Z20 the bias, Z21 mult, X22 the left shift, Z23 high, Z24
// low, Z25 half, Z26 negative, X27 shift, Z28 the zero point, Z29
// reluMin, Z30 127, Z31 2^30, Z16 MaxInt32, Z17 MinInt32, Z18 512, Z19
// -512. K3 selects the odd lanes.

// LOADPARAMS loads the requantParams at (BX) into the registers above.
#define LOADPARAMS \
	MOVQ         0(BX), AX; \
	VPBROADCASTD AX, Z20; \
	MOVQ         8(BX), AX; \
	VPBROADCASTD AX, Z21; \
	MOVQ         16(BX), AX; \
	VMOVQ        AX, X22; \
	MOVQ         24(BX), AX; \
	VPBROADCASTD AX, Z23; \
	MOVQ         32(BX), AX; \
	VPBROADCASTD AX, Z24; \
	MOVQ         40(BX), AX; \
	VPBROADCASTQ AX, Z25; \
	MOVQ         48(BX), AX; \
	VPBROADCASTQ AX, Z26; \
	MOVQ         56(BX), AX; \
	VMOVQ        AX, X27; \
	MOVQ         64(BX), AX; \
	VPBROADCASTD AX, Z28; \
	MOVQ         72(BX), AX; \
	VPBROADCASTD AX, Z29; \
	MOVL         $127, AX; \
	VPBROADCASTD AX, Z30; \
	MOVQ         $0x40000000, AX; \
	VPBROADCASTQ AX, Z31; \
	MOVL         $0x7fffffff, AX; \
	VPBROADCASTD AX, Z16; \
	MOVL         $0x80000000, AX; \
	VPBROADCASTD AX, Z17; \
	MOVL         $512, AX; \
	VPBROADCASTD AX, Z18; \
	MOVL         $-512, AX; \
	VPBROADCASTD AX, Z19; \
	MOVL         $0xaaaa, AX; \
	KMOVW        AX, K3

// REQUANTIZE16 turns the 16 accumulators in Z0 into int32 codes in Z0. It
// clobbers Z1..Z3, K1 and K2.
#define REQUANTIZE16 \
	VPADDD    Z20, Z0, Z0; \
	VPCMPGTD  Z23, Z0, K1; \
	VPCMPGTD  Z0, Z24, K2; \
	VPSLLD    X22, Z0, Z0; \
	VMOVDQA32 Z16, K1, Z0; \
	VMOVDQA32 Z17, K2, Z0; \
	VPSRLQ    $32, Z0, Z1; \
	VPMULDQ   Z21, Z0, Z0; \
	VPMULDQ   Z21, Z1, Z1; \
	VPADDQ    Z31, Z0, Z0; \
	VPADDQ    Z31, Z1, Z1; \
	VPSRAQ    $63, Z0, Z2; \
	VPSRAQ    $63, Z1, Z3; \
	VPANDQ    Z26, Z2, Z2; \
	VPANDQ    Z26, Z3, Z3; \
	VPADDQ    Z25, Z0, Z0; \
	VPADDQ    Z25, Z1, Z1; \
	VPADDQ    Z2, Z0, Z0; \
	VPADDQ    Z3, Z1, Z1; \
	VPSRAQ    X27, Z0, Z0; \
	VPSRAQ    X27, Z1, Z1; \
	VPSLLQ    $32, Z1, Z1; \
	VPBLENDMD Z1, Z0, K3, Z0; \
	VPMINSD   Z18, Z0, Z0; \
	VPMAXSD   Z19, Z0, Z0; \
	VPADDD    Z28, Z0, Z0; \
	VPMAXSD   Z29, Z0, Z0; \
	VPMINSD   Z30, Z0, Z0

// func requantizeRowAVX512(dst *int8, acc *int32, count int, p *requantParams)
//
// Requantizes count values, a positive multiple of 16, of one channel.
TEXT ·requantizeRowAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ acc+8(FP), SI
	MOVQ count+16(FP), CX
	MOVQ p+24(FP), BX
	LOADPARAMS

requantizeLoop:
	VMOVDQU32 (SI), Z0
	REQUANTIZE16
	VPMOVDB   Z0, (DI)

	ADDQ $64, SI
	ADDQ $16, DI
	SUBQ $16, CX
	JNZ  requantizeLoop
	VZEROUPPER
	RET

// DATA evenLanes<> and oddLanes<>: the VPERMI2D indices of the even and
// odd int32 of two registers.
DATA evenLanes<>+0(SB)/4, $0
DATA evenLanes<>+4(SB)/4, $2
DATA evenLanes<>+8(SB)/4, $4
DATA evenLanes<>+12(SB)/4, $6
DATA evenLanes<>+16(SB)/4, $8
DATA evenLanes<>+20(SB)/4, $10
DATA evenLanes<>+24(SB)/4, $12
DATA evenLanes<>+28(SB)/4, $14
DATA evenLanes<>+32(SB)/4, $16
DATA evenLanes<>+36(SB)/4, $18
DATA evenLanes<>+40(SB)/4, $20
DATA evenLanes<>+44(SB)/4, $22
DATA evenLanes<>+48(SB)/4, $24
DATA evenLanes<>+52(SB)/4, $26
DATA evenLanes<>+56(SB)/4, $28
DATA evenLanes<>+60(SB)/4, $30
GLOBL evenLanes<>(SB), RODATA|NOPTR, $64

DATA oddLanes<>+0(SB)/4, $1
DATA oddLanes<>+4(SB)/4, $3
DATA oddLanes<>+8(SB)/4, $5
DATA oddLanes<>+12(SB)/4, $7
DATA oddLanes<>+16(SB)/4, $9
DATA oddLanes<>+20(SB)/4, $11
DATA oddLanes<>+24(SB)/4, $13
DATA oddLanes<>+28(SB)/4, $15
DATA oddLanes<>+32(SB)/4, $17
DATA oddLanes<>+36(SB)/4, $19
DATA oddLanes<>+40(SB)/4, $21
DATA oddLanes<>+44(SB)/4, $23
DATA oddLanes<>+48(SB)/4, $25
DATA oddLanes<>+52(SB)/4, $27
DATA oddLanes<>+56(SB)/4, $29
DATA oddLanes<>+60(SB)/4, $31
GLOBL oddLanes<>(SB), RODATA|NOPTR, $64

// POOL16 sets Z0 to the 2x2 max of the 32 values in Z4 (top row) and Z5
// (bottom row): the vertical max, then the max of each even and odd lane
// pair. It clobbers Z4..Z7, and Z8/Z9 hold evenLanes/oddLanes.
#define POOL16 \
	VPMAXSD   Z4, Z5, Z4; \
	VPMAXSD   Z6, Z7, Z6; \
	VMOVDQA32 Z8, Z0; \
	VPERMI2D  Z6, Z4, Z0; \
	VMOVDQA32 Z9, Z5; \
	VPERMI2D  Z6, Z4, Z5; \
	VPMAXSD   Z5, Z0, Z0

// func maxPoolRequantizeRowAVX512(dst *int8, top, bottom *int32, count int, p *requantParams)
//
// Sets dst[x] to the requantized max of top[2x], top[2x+1], bottom[2x] and
// bottom[2x+1] for x < count, count positive. The last count mod 16
// outputs use masked loads, which do not touch memory past the 2·count
// inputs of each row, and a masked store.
TEXT ·maxPoolRequantizeRowAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ top+8(FP), SI
	MOVQ bottom+16(FP), DX
	MOVQ count+24(FP), CX
	MOVQ p+32(FP), BX
	LOADPARAMS
	VMOVDQU32 evenLanes<>(SB), Z8
	VMOVDQU32 oddLanes<>(SB), Z9
	CMPQ CX, $16
	JLT  poolTail

poolLoop:
	VMOVDQU32 (SI), Z4
	VMOVDQU32 (DX), Z5
	VMOVDQU32 64(SI), Z6
	VMOVDQU32 64(DX), Z7
	POOL16
	REQUANTIZE16
	VPMOVDB   Z0, (DI)

	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $16, DI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  poolLoop
	TESTQ CX, CX
	JZ   poolDone

poolTail:
	// K4 and K5 cover the 2·CX inputs, K6 the CX outputs.
	MOVQ   CX, R8
	SHLQ   $1, R8
	MOVL   $1, AX
	SHLXQ  R8, AX, AX
	DECQ   AX
	KMOVW  AX, K4
	SHRQ   $16, AX
	KMOVW  AX, K5
	MOVL   $1, AX
	SHLXQ  CX, AX, AX
	DECQ   AX
	KMOVW  AX, K6
	VMOVDQU32.Z (SI), K4, Z4
	VMOVDQU32.Z (DX), K4, Z5
	VMOVDQU32.Z 64(SI), K5, Z6
	VMOVDQU32.Z 64(DX), K5, Z7
	POOL16
	REQUANTIZE16
	VPMOVDB Z0, K6, (DI)

poolDone:
	VZEROUPPER
	RET

// LOWBITS sets AX to a mask of the low n bits, n in [0, 32], from the
// count in reg.
#define LOWBITS(reg) \
	MOVQ  $-1, AX; \
	BZHIQ reg, AX, AX

// func gatherRequantizeS2AVX512(dst *int8, init, leftA, centerA, rightA, leftB, centerB, rightB *int32, w int, p *requantParams)
//
// Computes one output row of a 3x3, stride 2, padding 1 transposed
// convolution from the column rows of its two kernel rows A and B and
// requantizes it (see gatherRequantizeS2Generic). Each step takes 16
// input columns ix: the even outputs 2ix and the odd outputs 2ix+1 are
// separated from init with VPERMI2D, requantized apart and interleaved
// with VPUNPCKLBW/VPUNPCKHBW. Every load and the store are masked to the
// w input columns (w-1 for the left taps at ix+1), so no step reads or
// writes past the rows.
//
// DI is dst, SI init, R8..R13 the tap rows, DX the input column ix and CX
// the columns of the step.
TEXT ·gatherRequantizeS2AVX512(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ init+8(FP), SI
	MOVQ leftA+16(FP), R8
	MOVQ centerA+24(FP), R9
	MOVQ rightA+32(FP), R10
	MOVQ leftB+40(FP), R11
	MOVQ centerB+48(FP), R12
	MOVQ rightB+56(FP), R13
	MOVQ p+72(FP), BX
	LOADPARAMS
	VMOVDQU32 evenLanes<>(SB), Z8
	VMOVDQU32 oddLanes<>(SB), Z9
	XORQ DX, DX

gatherLoop:
	// CX = min(16, w-ix) columns, BX = min(16, w-1-ix) left taps.
	MOVQ w+64(FP), CX
	SUBQ DX, CX
	MOVQ $16, AX
	CMPQ CX, AX
	CMOVQGT AX, CX
	MOVQ w+64(FP), BX
	SUBQ DX, BX
	DECQ BX
	CMPQ BX, AX
	CMOVQGT AX, BX

	LOWBITS(CX)
	KMOVW AX, K6
	LOWBITS(BX)
	KMOVW AX, K7
	MOVQ  CX, BX
	SHLQ  $1, BX
	LOWBITS(BX)
	KMOVW AX, K4
	SHRQ  $16, AX
	KMOVW AX, K5

	// The even and odd init values of the 2·CX outputs.
	VMOVDQU32.Z (SI)(DX*8), K4, Z4
	VMOVDQU32.Z 64(SI)(DX*8), K5, Z6
	VMOVDQA32   Z8, Z0
	VPERMI2D    Z6, Z4, Z0
	VMOVDQA32   Z9, Z11
	VPERMI2D    Z6, Z4, Z11

	VMOVDQU32.Z (R9)(DX*4), K6, Z4
	VPADDD      Z4, Z0, Z0
	VMOVDQU32.Z (R12)(DX*4), K6, Z4
	VPADDD      Z4, Z0, Z0

	VMOVDQU32.Z (R10)(DX*4), K6, Z4
	VPADDD      Z4, Z11, Z11
	VMOVDQU32.Z (R13)(DX*4), K6, Z4
	VPADDD      Z4, Z11, Z11
	VMOVDQU32.Z 4(R8)(DX*4), K7, Z4
	VPADDD      Z4, Z11, Z11
	VMOVDQU32.Z 4(R11)(DX*4), K7, Z4
	VPADDD      Z4, Z11, Z11

	REQUANTIZE16
	VPMOVDB Z0, X10
	VMOVDQA32 Z11, Z0
	REQUANTIZE16
	VPMOVDB Z0, X11

	// Interleave the even and odd codes and store 2·CX bytes.
	VPUNPCKLBW   X11, X10, X12
	VPUNPCKHBW   X11, X10, X13
	VINSERTI32X4 $1, X13, Y12, Y12
	MOVQ         CX, BX
	SHLQ         $1, BX
	LOWBITS(BX)
	KMOVD        AX, K1
	VMOVDQU8     Y12, K1, (DI)(DX*2)

	ADDQ $16, DX
	CMPQ DX, w+64(FP)
	JLT  gatherLoop
	VZEROUPPER
	RET
