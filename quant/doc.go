// Package quant converts the float32 autoencoder of package models to int8
// (post-training quantization) and runs the int8 model.
//
// # Number formats
//
// A real value r is stored as an int8 code q with a scale s and a zero
// point z, r = s·(q - z), as in package kernels.
//
//   - Weights are symmetric per output channel: s = max|w|/127 over the
//     channel, z = 0, codes in [-127, 127]. For a transposed convolution,
//     whose float32 weights are [In][Out][3][3], the channel is the output
//     channel of that layout. An all-zero channel gets s = 1.
//   - Biases are int32 in accumulator units, round(b/(s_in·s_w)).
//   - Activations are per tensor with a zero point. Their range is the
//     min and max of the layer's float32 output over the calibration images
//     (models.Net.Trace), or the (100-p) and p percentiles of those values
//     (MethodPercentile). The range is widened to contain 0, so zero
//     padding and ReLU have an exact code. A range narrower than 1e-3, such as the
//     output of a ReLU that never fires, is widened to 1e-3 so the scale
//     stays positive. s = (max-min)/255 and z = round(-128 - min/s).
//   - The network input, a float32 in [0, 1], has the fixed s = 1/255 and
//     z = -128. That is exact for 8-bit images that preprocessing only
//     scales by 1/255, and off by at most 1/510 for resampled pixels.
//
// Each output is requantized without floating point: the multiplier
// s_in·s_w/s_out of each output channel is a Q31 mantissa and a shift
// (kernels.QuantizeMultiplier), applied with the rounding of gemmlowp and
// TensorFlow Lite.
//
// # Layers
//
// The network runs as one quantized layer per convolution, with the rest
// fused into it:
//
//   - conv3x3 + ReLU + max-pool: im2col and an int8 GEMM into int32, the
//     2x2 max-pool on the int32 accumulators, then requantization with the
//     ReLU as its lower clamp. Requantization is monotonic, so pooling first
//     gives the codes of pooling after, with a quarter of the
//     requantizations. The input zero point is folded into the bias
//     (bias - z_in·Σw), because im2col pads with z_in.
//   - convt3x3s2 + ReLU: an int8 GEMM of the transposed weights and the
//     input into int32 columns, then col2im and requantization with the
//     ReLU. The accumulators start at the bias plus the zero-point term of
//     every column entry that reaches the pixel.
//   - the last convt3x3s2 + sigmoid: as above without ReLU, then a 256-entry
//     table from each output code straight to the float32 sigmoid
//     (kernels.LookupF32), the float32 reconstruction the scorer reads.
//
// The int8 activations are pixel-major (H x W x C), except the
// channel-major output of the last layer. An im2col row then copies three
// runs of 3·C bytes, and a transposed convolution's GEMM reads its input
// in place.
//
// The engine picks one of three ways to pool, gather and requantize, all
// giving the same codes:
//
//   - amd64 with AVX-512 (kernels.Implementation "amd64-avx512vnni"): the
//     fused kernels kernels.MaxPoolRequantizeS32 for a convolution and
//     kernels.GatherRequantizeS2, which gathers the one to four column
//     entries of each output pixel, for a transposed convolution. The
//     first convolution of a one-channel model also takes its im2col rows
//     from kernels.Im2colGray3x3S8 when the CPU has AVX-512 VBMI.
//   - arm64: max-pool, kernels.Col2imAddS32 and the NEON kernels.Requantize.
//   - elsewhere, where kernels.Requantize is a Go loop with branches:
//     branch-free Go loops that pool and requantize a convolution in one
//     pass and gather the column entries of a transposed convolution.
//
// # Engine
//
// Engine implements models.Engine. NewEngine and SetWorkers allocate every
// buffer, so a frame after the first allocates nothing. A frame is a
// sequence of phases: one per convolution (bands of output rows, each
// running im2col, GEMM, max-pool and requantization on its own) and two
// per transposed convolution (the GEMM split by input pixels, which writes
// disjoint columns of a shared matrix through GemmS8's ldc, then col2im and
// requantization split by output channel). A persistent pool of goroutines
// takes the chunks of a phase from an atomic counter. The work of every
// chunk is fixed by the model, not by the worker count, so any number of
// workers gives bit-identical output.
//
// # Files
//
// Save writes the int8 model in the models/modelfile container with
// Format "int8": the parameters of Params as JSON in models.Meta.Quant, the
// weights as int8 tensors and the biases as int32 tensors under the
// float32 parameter names. Load and FromTensors read it back, and reject a
// float32 file with models.ErrFormat.
package quant
