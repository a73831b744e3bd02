// Package kernels implements the int8 compute kernels of the quantized
// autoencoder: matrix multiply, requantization, im2col, col2im, max-pool and
// table lookup, and fused forms of them (MaxPoolRequantizeS32,
// GatherRequantizeS2, Im2colGray3x3S8).
//
// # Number formats
//
// A real value r is stored as an int8 q with a scale s and a zero point z, so
// r = s * (q - z). Activations are signed int8 with a per-tensor zero point in
// [-128, 127]. Weights are int8 with per-output-channel scales and, in the
// normal case, zero point 0 (symmetric), but GemmS8 accepts any zero point on
// either operand. Accumulators are int32. Every int32 addition wraps modulo
// 2^32 exactly as Go's int32 arithmetic does, so the assembly paths and the
// pure-Go definitions agree bit for bit even on inputs that overflow.
//
// # Convolutions as matrix products
//
// A 3x3 convolution with weights [Out][In][3][3] is GemmS8 with a = the weights
// as an Out x (In*9) matrix and b = Im2colS8 of the input, one row of In*9
// values per output pixel. The product c is Out x (H*W), which is the
// channel-major output. A transposed convolution with weights [In][Out][3][3]
// is GemmS8 with a = the weights transposed to (Out*9) x In and b = the input
// transposed to (H*W) x In (Im2colS8 with a 1x1 kernel), followed by
// Col2imAddS32, which adds each product entry into the output pixel it maps to.
//
// Zero points are handled outside the inner loop:
//
//	Σ (a-za)(b-zb) = Σ ab - zb·Σa - za·Σb + k·za·zb
//
// GemmS8 computes the raw products Σ ab with the fast kernels and then applies
// the row-sum and column-sum terms. Callers with za = 0 can instead fold
// -zb·Σa (RowSumsS8) into the bias and pass zero points of 0.
//
// The fast kernels consume k in blocks of KBlock bytes and finish the
// remaining k mod KBlock products in Go. Im2colS8 can pad each row to a
// multiple of KBlock with the activation zero point, and the weight rows can be
// padded with 0. The padded products are (0-za)·(zb-zb) = 0, so padding
// changes no result and keeps every product on the fast path.
//
// # Requantization
//
// Requantize converts accumulators to int8 without floating point. A real
// multiplier M = s_in·s_w/s_out is stored as a Q31 mantissa m in [2^30, 2^31)
// and a power-of-two exponent e (QuantizeMultiplier), M ≈ m·2^(e-31). The
// product is computed as in gemmlowp and TensorFlow Lite: a saturating left
// shift by max(e, 0), SaturatingRoundingDoublingHighMul (the ARM SQRDMULH
// instruction: round half up of x·m/2^31), and a rounding right shift by
// max(-e, 0) that rounds half away from zero. The output zero point is added,
// the result saturates to [-128, 127], and a fused ReLU raises it to at least
// reluMin (the output zero point for ReLU, -128 for none).
//
// # Implementations
//
// Each kernel has a pure-Go definition named xxxGeneric in kernels_generic.go.
// The exported functions run assembly or a faster Go loop where it pays, and
// the tests check them bit for bit against the definitions:
//
//   - arm64: GemmS8 uses SDOT (ARMv8.2 dot product, Cortex-A76 and Orin) when
//     golang.org/x/sys/cpu reports ASIMDDP, and otherwise NEON SMULL/SMULL2 with
//     SADALP (Cortex-A72 and A57). Setting EDGEAE_NOSDOT to a value other than
//     "" or "0" at program start forces the SMULL path. Requantize uses NEON.
//   - amd64 with AVX-512 F, BW, VL and VNNI and BMI2, as golang.org/x/sys/cpu
//     reports them (the 2-core AMD EPYC of docs/BENCHMARKS.md has all of
//     them): GemmS8 uses VPDPBUSD, which multiplies
//     unsigned by signed bytes. The kernels flip the sign bit of b, so they
//     multiply by b+128, and subtract 128·Σa per row, which is exact modulo
//     2^32. Requantize, MaxPoolRequantizeS32 and GatherRequantizeS2 use
//     AVX-512 with 64-bit products, and Im2colGray3x3S8 uses VPERMI2B when
//     the CPU also has AVX-512 VBMI.
//   - other amd64 CPUs with AVX2: GemmS8 uses VPMOVSXBW then VPMADDWD, which
//     is exact for all int8 inputs, unlike the saturating VPMADDUBSW. The
//     other kernels run Go.
//   - every other architecture, and any build with the purego tag: pure Go,
//     with GemmS8 running its definition.
//
// The SDOT, NEON and AVX2 GemmS8 kernels compute blocks of 4 (arm64) or 2
// (AVX2) rows of a against 4 rows of b over panels of b rows that fit the L1
// cache, with k in steps of KBlock. The last n mod 4 columns of c and the
// last k mod KBlock products run in Go. The VNNI kernels first pack a panel
// of b into their operand order on the stack and compute blocks of 4 rows
// of a against 16 rows of b; the last n mod 16 columns run the AVX2 kernels.
//
// Im2colS8 and Col2imAddS32 run Go implementations, tested against their
// definitions, that hoist the bounds tests out of the inner loop. MaxPool2x2S8,
// LookupS8 and LookupF32 run their definitions. These kernels touch each value
// once, against k multiply-adds per output value in GemmS8.
// Implementation returns the name of the GemmS8 path in use.
package kernels
