//go:build !purego

#include "textflag.h"

// The AVX-512 VNNI kernels multiply with VPDPBUSD, which adds the four
// products of unsigned bytes of its first source and signed bytes of its
// second source into each int32 lane, without saturation. The activations
// (b) are made unsigned by flipping their sign bit, b+128, and the caller
// adds -128·Σa to each row, so Σ a·(b+128) - 128·Σa = Σ a·b exactly
// modulo 2^32, like Go's int32 adds.
//
// A block is 16 columns of c (16 rows of b). packB16VNNI stores, for each
// group of four k values, the four bytes of the 16 columns side by side in
// one register, so each int32 lane of an accumulator sums one column and
// the kernels store the accumulators without a horizontal reduction. Each
// step takes 16 bytes of k.

// LOADB builds the flipped b operand of one step: the 16 bytes at the four
// row pointers R8..R11 plus the offset off into the 128-bit lanes of z, then
// the sign bit of every byte flipped with Z24.
#define LOADB(off, z, x) \
	VMOVDQU32    off(R8), x; \
	VINSERTI32X4 $1, off(R9), z, z; \
	VINSERTI32X4 $2, off(R10), z, z; \
	VINSERTI32X4 $3, off(R11), z, z; \
	VPXORD       Z24, z, z

// ZERO4 clears four accumulators.
#define ZERO4(a, b, c, d) \
	VPXORD a, a, a; \
	VPXORD b, b, b; \
	VPXORD c, c, c; \
	VPXORD d, d, d

// SETUPB points R8..R11 at rows 0, 4, 8 and 12 of the b block in R8, with
// BX = ldb and R12 = 3·ldb, so row 4q+g is at (R8+4q·ldb)(g·ldb).
#define SETUPB \
	LEAQ (BX)(BX*2), R12; \
	LEAQ (R8)(BX*4), R9; \
	LEAQ (R9)(BX*4), R10; \
	LEAQ (R10)(BX*4), R11

// LOADSTEP loads 16 bytes of each of the 16 rows of the b block into
// Z16..Z19, with the sign bits flipped: 128-bit lane l of Z16+g holds row
// 4l+g.
#define LOADSTEP \
	LOADB(0, Z16, X16); \
	VMOVDQU32    (R8)(BX*1), X17; \
	VINSERTI32X4 $1, (R9)(BX*1), Z17, Z17; \
	VINSERTI32X4 $2, (R10)(BX*1), Z17, Z17; \
	VINSERTI32X4 $3, (R11)(BX*1), Z17, Z17; \
	VPXORD       Z24, Z17, Z17; \
	VMOVDQU32    (R8)(BX*2), X18; \
	VINSERTI32X4 $1, (R9)(BX*2), Z18, Z18; \
	VINSERTI32X4 $2, (R10)(BX*2), Z18, Z18; \
	VINSERTI32X4 $3, (R11)(BX*2), Z18, Z18; \
	VPXORD       Z24, Z18, Z18; \
	VMOVDQU32    (R8)(R12*1), X19; \
	VINSERTI32X4 $1, (R9)(R12*1), Z19, Z19; \
	VINSERTI32X4 $2, (R10)(R12*1), Z19, Z19; \
	VINSERTI32X4 $3, (R11)(R12*1), Z19, Z19; \
	VPXORD       Z24, Z19, Z19; \
	ADDQ         $16, R8; \
	ADDQ         $16, R9; \
	ADDQ         $16, R10; \
	ADDQ         $16, R11

// DATA signBits<>: 64 bytes of 0x80, the mask that flips the sign bit.
DATA signBits<>+0(SB)/8, $0x8080808080808080
DATA signBits<>+8(SB)/8, $0x8080808080808080
DATA signBits<>+16(SB)/8, $0x8080808080808080
DATA signBits<>+24(SB)/8, $0x8080808080808080
DATA signBits<>+32(SB)/8, $0x8080808080808080
DATA signBits<>+40(SB)/8, $0x8080808080808080
DATA signBits<>+48(SB)/8, $0x8080808080808080
DATA signBits<>+56(SB)/8, $0x8080808080808080
GLOBL signBits<>(SB), RODATA|NOPTR, $64

// STOREROW adds the old c row at addr when K5 is set (accumulate) and
// stores the 16 sums in acc there. It clobbers Z26.
#define STOREROW(acc, addr) \
	VMOVDQU32.Z addr, K5, Z26; \
	VPADDD      Z26, acc, acc; \
	VMOVDQU32   acc, addr

// DOTBCST4 adds the products of the packed b operand z (16 columns, four
// k values each) and the four k values at offset off of the a rows SI,
// DI, DX and AX (plus CX), broadcast from memory, into r0..r3.
#define DOTBCST4(off, z, r0, r1, r2, r3) \
	VPDPBUSD.BCST off(SI)(CX*1), z, r0; \
	VPDPBUSD.BCST off(DI)(CX*1), z, r1; \
	VPDPBUSD.BCST off(DX)(CX*1), z, r2; \
	VPDPBUSD.BCST off(AX)(CX*1), z, r3

// func packB16VNNI(kBytes int, b *int8, ldb int, dst *int8, nBlocks int)
//
// Packs nBlocks blocks of 16 rows of b, kBytes bytes each, into the
// operand order of the VNNI kernels: per block and group of four k values,
// 64 bytes that hold the four values of columns 0 to 15 in order, with the
// sign bits flipped. LOADSTEP loads 16 bytes of each row, and a 4x4
// transpose of int32 within each 128-bit lane (VPUNPCKLDQ, VPUNPCKHDQ,
// VPUNPCKLQDQ, VPUNPCKHQDQ) turns its four registers into the four groups.
// DI is dst, AX the blocks left, DX the start of the b block and CX the
// byte offset within the rows.
TEXT ·packB16VNNI(SB), NOSPLIT, $0-40
	MOVQ kBytes+0(FP), R13
	MOVQ b+8(FP), DX
	MOVQ ldb+16(FP), BX
	MOVQ dst+24(FP), DI
	MOVQ nBlocks+32(FP), AX
	VMOVDQU64 signBits<>(SB), Z24

packBlock:
	MOVQ DX, R8
	SETUPB
	XORQ CX, CX

packStep:
	LOADSTEP
	VPUNPCKLDQ  Z17, Z16, Z20
	VPUNPCKHDQ  Z17, Z16, Z21
	VPUNPCKLDQ  Z19, Z18, Z22
	VPUNPCKHDQ  Z19, Z18, Z23
	VPUNPCKLQDQ Z22, Z20, Z16
	VPUNPCKHQDQ Z22, Z20, Z17
	VPUNPCKLQDQ Z23, Z21, Z18
	VPUNPCKHQDQ Z23, Z21, Z19
	VMOVDQU64   Z16, 0(DI)
	VMOVDQU64   Z17, 64(DI)
	VMOVDQU64   Z18, 128(DI)
	VMOVDQU64   Z19, 192(DI)
	ADDQ        $256, DI
	ADDQ        $16, CX
	CMPQ        CX, R13
	JNE         packStep

	MOVQ BX, CX
	SHLQ $4, CX
	ADDQ CX, DX
	DECQ AX
	JNZ  packBlock
	VZEROUPPER
	RET

// func gemm4x16VNNI(kBytes int, a *int8, lda int, packed *int8, c *int32, ldc int, nBlocks int, corr *int32, accumulate int)
//
// SI, DI, DX and AX are the four a rows, CX the byte offset within them and
// R13 the byte count. R8 walks the packed b panel, whose blocks follow one
// another. BX is the c block and R12 ldc in bytes. Each int32 lane of an
// accumulator is one column of c, so no reduction is needed: Z0..Z3 sum
// rows 0..3 over the even groups of four k values and Z4..Z7 over the
// odd ones, two chains per row for the latency of VPDPBUSD. Z16..Z19 are
// the packed b operands and Z28..Z31 the broadcast corrections of rows
// 0..3. K5 is all ones to add the old c and zero to overwrite it.
TEXT ·gemm4x16VNNI(SB), NOSPLIT, $0-72
	MOVQ kBytes+0(FP), R13
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), CX
	LEAQ (SI)(CX*1), DI
	LEAQ (DI)(CX*1), DX
	LEAQ (DX)(CX*1), AX
	MOVQ packed+24(FP), R8
	MOVQ c+32(FP), BX
	MOVQ ldc+40(FP), R12
	SHLQ $2, R12
	MOVQ corr+56(FP), CX
	VPBROADCASTD 0(CX), Z28
	VPBROADCASTD 4(CX), Z29
	VPBROADCASTD 8(CX), Z30
	VPBROADCASTD 12(CX), Z31
	MOVQ  accumulate+64(FP), CX
	KMOVW CX, K5

block4x16:
	ZERO4(Z0, Z1, Z2, Z3)
	ZERO4(Z4, Z5, Z6, Z7)
	XORQ CX, CX

loop4x16:
	VMOVDQU64 0(R8), Z16
	VMOVDQU64 64(R8), Z17
	VMOVDQU64 128(R8), Z18
	VMOVDQU64 192(R8), Z19
	DOTBCST4(0, Z16, Z0, Z1, Z2, Z3)
	DOTBCST4(4, Z17, Z4, Z5, Z6, Z7)
	DOTBCST4(8, Z18, Z0, Z1, Z2, Z3)
	DOTBCST4(12, Z19, Z4, Z5, Z6, Z7)

	ADDQ $256, R8
	ADDQ $16, CX
	CMPQ CX, R13
	JNE  loop4x16

	VPADDD Z4, Z0, Z0
	VPADDD Z5, Z1, Z1
	VPADDD Z6, Z2, Z2
	VPADDD Z7, Z3, Z3
	VPADDD Z28, Z0, Z0
	VPADDD Z29, Z1, Z1
	VPADDD Z30, Z2, Z2
	VPADDD Z31, Z3, Z3
	STOREROW(Z0, (BX))
	STOREROW(Z1, (BX)(R12*1))
	LEAQ (BX)(R12*2), CX
	STOREROW(Z2, (CX))
	STOREROW(Z3, (CX)(R12*1))

	// The next block: 16 columns of c further; R8 is at the next packed
	// block already.
	ADDQ $64, BX
	DECQ nBlocks+48(FP)
	JNZ  block4x16
	VZEROUPPER
	RET

// func gemm1x16VNNI(kBytes int, a *int8, packed *int8, c *int32, nBlocks int, corr int32, accumulate int)
//
// The registers are those of gemm4x16VNNI for row 0 only, with one chain
// per group of four k values in Z0..Z3, DX the c block and AX the blocks
// left.
TEXT ·gemm1x16VNNI(SB), NOSPLIT, $0-56
	MOVQ kBytes+0(FP), R13
	MOVQ a+8(FP), SI
	MOVQ packed+16(FP), R8
	MOVQ c+24(FP), DX
	MOVQ nBlocks+32(FP), AX
	MOVL corr+40(FP), CX
	VPBROADCASTD CX, Z28
	MOVQ  accumulate+48(FP), CX
	KMOVW CX, K5

block1x16:
	ZERO4(Z0, Z1, Z2, Z3)
	XORQ CX, CX

loop1x16:
	VMOVDQU64     0(R8), Z16
	VMOVDQU64     64(R8), Z17
	VMOVDQU64     128(R8), Z18
	VMOVDQU64     192(R8), Z19
	VPDPBUSD.BCST 0(SI)(CX*1), Z16, Z0
	VPDPBUSD.BCST 4(SI)(CX*1), Z17, Z1
	VPDPBUSD.BCST 8(SI)(CX*1), Z18, Z2
	VPDPBUSD.BCST 12(SI)(CX*1), Z19, Z3

	ADDQ $256, R8
	ADDQ $16, CX
	CMPQ CX, R13
	JNE  loop1x16

	VPADDD Z1, Z0, Z0
	VPADDD Z3, Z2, Z2
	VPADDD Z2, Z0, Z0
	VPADDD Z28, Z0, Z0
	STOREROW(Z0, (DX))

	ADDQ $64, DX
	DECQ AX
	JNZ  block1x16
	VZEROUPPER
	RET

// func rowSums128VNNI(kBytes int, a *int8, lda int, rows int, sums *int32)
//
// Sets sums[r] = -128·Σ a[r*lda+p] for p < kBytes, the correction of
// row r. VPDPBUSD against bytes of 0x80 (unsigned 128) adds 128·a four at
// a time. SI walks the rows, CX is the offset within a row and DI the
// output.
TEXT ·rowSums128VNNI(SB), NOSPLIT, $0-40
	MOVQ kBytes+0(FP), R13
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), BX
	MOVQ rows+24(FP), AX
	MOVQ sums+32(FP), DI
	VMOVDQU64 signBits<>(SB), Z24

rowsum:
	VPXORD X0, X0, X0
	XORQ   CX, CX

rowsumLoop:
	VPDPBUSD (SI)(CX*1), X24, X0
	ADDQ     $16, CX
	CMPQ     CX, R13
	JNE      rowsumLoop

	// Add the four int32 lanes and negate.
	VPSHUFD $0x4e, X0, X1
	VPADDD  X1, X0, X0
	VPSHUFD $0xb1, X0, X1
	VPADDD  X1, X0, X0
	VMOVD   X0, R12
	NEGL    R12
	MOVL    R12, (DI)

	ADDQ BX, SI
	ADDQ $4, DI
	DECQ AX
	JNZ  rowsum
	VZEROUPPER
	RET
