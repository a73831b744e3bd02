package quant

import (
	"encoding/binary"
	"math"
	"unsafe"

	"edgeae/quant/kernels"
)

// defaultChunkBytes is the target size of one chunk's GEMM b operand
// (im2col rows or pixel-major input). A chunk and its int32 accumulators
// stay in a 1 MiB L2 cache (Cortex-A72 on the Pi 4 has 1 MiB shared by
// four cores), so im2col, GEMM, max-pool and requantization of a chunk run
// from cache.
const defaultChunkBytes = 32 << 10

// minGemmChunks is the number of chunks the GEMM phase of a transposed
// convolution is split into at least, up to the rounding of a chunk to a
// multiple of 16 pixels, which can leave one fewer.
const minGemmChunks = 8

// convOp is a 3x3, stride 1, padding 1 convolution with bias, requantization
// and ReLU fused, followed by a 2x2 max-pool. Each chunk is a band of
// output rows that runs im2col, GEMM, max-pool and requantization on its
// own, so a convolution is a single phase.
//
// Its input and pooled output are pixel-major (H x W x C, the channels of
// a pixel side by side). An im2col row then takes three runs of 3·In bytes
// from three input rows, which copy as blocks, where a channel-major input
// needs 9·In single-byte moves per row.
type convOp struct {
	params *LayerParams

	in     []int8 // H x W x In, the previous layer's pooled output
	pooled []int8 // H/2 x W/2 x Out

	// out is the channel-major output before pooling, Out x H x W. The
	// engine skips it unless keepOutput is set, as Report does.
	out        []int8
	keepOutput bool

	// weights is Out x rowLen in the order of the im2col rows, entry
	// (ky*3+kx)*In+c, padded with zeros to rowLen = PadK(In*9) so the GEMM
	// stays on its fast path.
	weights []int8
	rowLen  int

	// bias is the model bias minus inZero·Σ weights of the row: im2col
	// pads with inZero, so Σ w·(x - inZero) = Σ w·x + (bias - inZero·Σ w)
	// and the GEMM runs with both zero points 0.
	bias        []int32
	mult, shift []int32

	inZero  int8
	outZero int32
	reluMin int8

	// chunkRows is the even number of output rows per chunk.
	chunkRows int
}

// newConvOp builds the convolution of layer p with its int8 weights and
// model biases, reading in and writing freshly allocated outputs, in chunks
// of about chunkBytes of im2col rows.
func newConvOp(p *LayerParams, weights []int8, biases []int32, in []int8, chunkBytes int) *convOp {
	op := &convOp{
		params:  p,
		in:      in,
		pooled:  make([]int8, p.Out*(p.InH/2)*(p.InW/2)),
		out:     make([]int8, p.Out*p.InH*p.InW),
		rowLen:  kernels.PadK(p.In * 9),
		mult:    p.Multipliers,
		shift:   p.Shifts,
		inZero:  int8(p.Input.ZeroPoint),
		outZero: p.Output.ZeroPoint,
		reluMin: reluMin(p),
	}

	op.weights = make([]int8, p.Out*op.rowLen)
	op.bias = make([]int32, p.Out)
	for o := range p.Out {
		var sum int32
		for c := range p.In {
			for tap := range 9 {
				w := weights[(o*p.In+c)*9+tap]
				op.weights[o*op.rowLen+tap*p.In+c] = w
				sum += int32(w)
			}
		}
		op.bias[o] = biases[o] - int32(op.inZero)*sum
	}

	op.chunkRows = max(2, chunkBytes/(p.InW*op.rowLen)&^1)
	op.chunkRows = min(op.chunkRows, p.InH)
	return op
}

// reluMin returns the lowest output code: the zero point with a fused ReLU,
// -128 without.
func reluMin(p *LayerParams) int8 {
	if p.ReLU {
		return int8(p.Output.ZeroPoint)
	}
	return -128
}

// chunks returns the number of output row bands.
func (op *convOp) chunks() int {
	return (op.params.InH + op.chunkRows - 1) / op.chunkRows
}

// scratchSizes returns the cols and acc sizes one worker needs. After the
// GEMM, cols also holds the channel-major pooled codes of the chunk.
func (op *convOp) scratchSizes() (cols, acc int) {
	pixels := op.chunkRows * op.params.InW
	return max(pixels*op.rowLen, op.params.Out*pixels/4), op.params.Out * pixels
}

// run computes output rows [chunk·chunkRows, (chunk+1)·chunkRows) of every
// channel and their max-pool.
func (op *convOp) run(s *scratch, chunk int) {
	p := op.params
	h, w := p.InH, p.InW
	y0 := chunk * op.chunkRows
	y1 := min(h, y0+op.chunkRows)
	n := (y1 - y0) * w

	cols := s.cols[:n*op.rowLen]
	im2colRows(cols, op.in, p.In, h, w, op.rowLen, op.inZero, y0, y1)

	acc := s.acc[:p.Out*n]
	kernels.GemmS8(p.Out, n, op.rowLen, op.weights, 0, cols, 0, acc, n)

	if op.keepOutput {
		plane := h * w
		for o := range p.Out {
			dst := op.out[o*plane+y0*w : o*plane+y1*w]
			requantizeChannel(dst, acc[o*n:(o+1)*n], op.bias[o:o+1], op.mult[o:o+1], op.shift[o:o+1], op.outZero, op.reluMin)
		}
	}

	// Requantization with a fused ReLU is monotonic, so pooling the
	// accumulators first gives the same codes with a quarter of the
	// requantizations.
	pooledPixels := (y1 - y0) / 2 * (w / 2)
	first := (y0 / 2) * (w / 2)
	pooled := op.pooled[first*p.Out : (first+pooledPixels)*p.Out]
	codes := s.cols[:p.Out*pooledPixels]
	if vectorPoolRequantize {
		op.poolRequantizeRows(codes, acc, n, y1-y0)
		interleave(pooled, codes, p.Out, pooledPixels)
		return
	}
	if !vectorRequantize && poolRequantize(pooled, acc, p.Out, n, y1-y0, w, op.bias, op.mult, op.shift, op.outZero, op.reluMin) {
		return
	}

	maxPool2x2S32(acc, acc, p.Out, n, y1-y0, w)
	for o := range p.Out {
		requantizeChannel(codes[o*pooledPixels:(o+1)*pooledPixels], acc[o*pooledPixels:(o+1)*pooledPixels],
			op.bias[o:o+1], op.mult[o:o+1], op.shift[o:o+1], op.outZero, op.reluMin)
	}
	interleave(pooled, codes, p.Out, pooledPixels)
}

// poolRequantizeRows pools and requantizes the rows x w accumulators of
// each channel of acc (stride n) with kernels.MaxPoolRequantizeS32, one
// output row at a time, into the channel-major codes.
func (op *convOp) poolRequantizeRows(codes []int8, acc []int32, n, rows int) {
	p := op.params
	w := p.InW
	half := w / 2
	pooledPixels := rows / 2 * half
	for o := range p.Out {
		plane := acc[o*n : (o+1)*n]
		out := codes[o*pooledPixels : (o+1)*pooledPixels]
		for y := 0; y+1 < rows; y += 2 {
			kernels.MaxPoolRequantizeS32(out[y/2*half:(y/2+1)*half], plane[y*w:(y+1)*w], plane[(y+1)*w:(y+2)*w],
				op.bias[o], op.mult[o], op.shift[o], op.outZero, op.reluMin)
		}
	}
}

// interleave writes the channel-major codes (channels x pixels) to dst in
// pixel-major order, dst[j*channels+c] = codes[c*pixels+j].
func interleave(dst, codes []int8, channels, pixels int) {
	for c := range channels {
		plane := codes[c*pixels : (c+1)*pixels]
		index := c
		for _, v := range plane {
			dst[index] = v
			index += channels
		}
	}
}

// im2colRows writes the im2col rows of output rows [y0, y1) of a 3x3,
// stride 1, padding 1 convolution of the pixel-major src (h x w x
// channels), one row of rowLen values per output pixel. Entry
// (ky*3+kx)*channels+c of a row is channel c of the input pixel
// (y-1+ky, x-1+kx). Taps outside the image and the padding up to rowLen
// get zero.
func im2colRows(dst, src []int8, channels, h, w, rowLen int, zero int8, y0, y1 int) {
	if channels == 1 && rowLen == 16 && vectorIm2colGray {
		kernels.Im2colGray3x3S8(dst, src, h, w, y0, y1, zero)
		return
	}
	if channels == 1 && rowLen == 16 && w >= 4 {
		im2colGrayRows(dst, src, h, w, zero, y0, y1)
		return
	}

	patch := channels * 9
	run := 3 * channels

	for y := y0; y < y1; y++ {
		rows := dst[(y-y0)*w*rowLen : (y-y0+1)*w*rowLen]

		for ky := range 3 {
			iy := y - 1 + ky
			if iy < 0 || iy >= h {
				for x := range w {
					fill(rows[x*rowLen+ky*run:x*rowLen+(ky+1)*run], zero)
				}
				continue
			}

			// Output pixel x reads input pixels x-1, x, x+1 of row iy, a
			// run of 3·channels bytes. At the image edges the pixel
			// outside gets zero.
			srcRow := src[iy*w*channels : (iy+1)*w*channels]
			for x := range w {
				entry := rows[x*rowLen+ky*run : x*rowLen+(ky+1)*run]
				first, last := x-1, x+2
				if first < 0 {
					fill(entry[:channels], zero)
					entry = entry[channels:]
					first = 0
				}
				if last > w {
					fill(entry[len(entry)-channels:], zero)
					entry = entry[:len(entry)-channels]
					last = w
				}
				copyShort(entry, srcRow[first*channels:last*channels])
			}
		}

		if patch == rowLen {
			continue
		}
		for x := range w {
			fill(rows[x*rowLen+patch:(x+1)*rowLen], zero)
		}
	}
}

// im2colGrayRows is im2colRows for one channel and rows of 16 values, the
// first convolution of a gray model. Each row holds three runs of three
// input bytes and seven bytes of padding, so pixels 1 to w-3 are built
// from three 4-byte loads into two 8-byte stores. Pixels 0, w-2 and w-1
// touch the image edge or would load past the row, and are written one
// value at a time.
func im2colGrayRows(dst, src []int8, h, w int, zero int8, y0, y1 int) {
	out := asBytes(dst)
	in := asBytes(src)
	zeros := uint64(uint8(zero)) * 0x0101010101010101

	for y := y0; y < y1; y++ {
		rows := out[(y-y0)*w*16 : (y-y0+1)*w*16]

		// The input rows y-1, y and y+1, nil outside the image.
		var inputRows [3][]byte
		for ky := range 3 {
			if iy := y - 1 + ky; iy >= 0 && iy < h {
				inputRows[ky] = in[iy*w : (iy+1)*w]
			}
		}

		for x := 1; x <= w-3; x++ {
			var taps [3]uint64
			for ky, row := range inputRows {
				taps[ky] = zeros
				if row != nil {
					taps[ky] = uint64(binary.LittleEndian.Uint32(row[x-1:]))
				}
			}
			low := taps[0]&0xffffff | (taps[1]&0xffffff)<<24 | (taps[2]&0xffff)<<48
			high := (taps[2]>>16)&0xff | zeros<<8
			binary.LittleEndian.PutUint64(rows[x*16:], low)
			binary.LittleEndian.PutUint64(rows[x*16+8:], high)
		}

		for _, x := range [3]int{0, w - 2, w - 1} {
			row := rows[x*16 : (x+1)*16]
			for ky, inputRow := range inputRows {
				for kx := range 3 {
					value := uint8(zero)
					if ix := x - 1 + kx; inputRow != nil && ix >= 0 && ix < w {
						value = inputRow[ix]
					}
					row[ky*3+kx] = value
				}
			}
			for i := 9; i < 16; i++ {
				row[i] = uint8(zero)
			}
		}
	}
}

// asBytes returns the memory of s as bytes, for the multi-byte loads and
// stores of encoding/binary.
func asBytes(s []int8) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s))
}

// copyShort copies src to dst like copy, with a plain loop for the runs of
// up to 8 bytes of one or two channels, where calling memmove costs more
// than the copy.
func copyShort(dst, src []int8) {
	if len(src) > 8 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = v
	}
}

// fill sets every value of b to v.
func fill(b []int8, v int8) {
	for i := range b {
		b[i] = v
	}
}

// convTOp is a 3x3, stride 2, padding 1, output padding 1 transposed
// convolution with bias, requantization and ReLU fused, or with the sigmoid
// table to float32 on the last layer. It runs in two phases: a GEMM into
// int32 columns split by input pixels, then col2im, requantization and the
// table split by output channels.
type convTOp struct {
	params *LayerParams

	// in is pixel-major, H x W x In. out is pixel-major, 2H x 2W x Out,
	// when outPixelMajor is set for a next transposed convolution, and
	// channel-major, Out x 2H x 2W, on the last layer.
	in            []int8
	out           []int8
	outPixelMajor bool

	// weights is (Out*9) x kPad: row o*9+tap holds the weights of output
	// channel o and kernel tap (ky*3+kx) for every input channel, padded
	// with zeros to kPad = PadK(In).
	weights []int8
	kPad    int

	// col is the GEMM output, (Out*9) x (H*W).
	col []int32

	// init is the starting value of the accumulators, Out x 2H x 2W: the
	// bias plus, for every column entry that col2im adds into the pixel,
	// -inZero·Σ weights of its row. The GEMM then runs with both zero
	// points 0.
	init []int32

	mult, shift []int32
	inZero      int8
	outZero     int32
	reluMin     int8

	// table maps output codes to sigmoid values on the last layer, and
	// dst is that frame's float32 output; both nil on other layers.
	table *[256]float32
	dst   []float32

	// chunkPixels is the number of input pixels per GEMM chunk.
	chunkPixels int

	// zeroRow is a row of w zeros, the column entries past the last
	// input row.
	zeroRow []int32
}

// newConvTOp builds the transposed convolution of layer p with its int8
// weights and model biases, reading the pixel-major in and writing a fresh
// output, in GEMM chunks of about chunkBytes of input.
func newConvTOp(p *LayerParams, weights []int8, biases []int32, in []int8, chunkBytes int) *convTOp {
	pixels := p.InH * p.InW
	outH, outW := 2*p.InH, 2*p.InW
	op := &convTOp{
		params:        p,
		in:            in,
		outPixelMajor: !p.Sigmoid,
		out:           make([]int8, p.Out*outH*outW),
		kPad:          kernels.PadK(p.In),
		col:           make([]int32, p.Out*9*pixels),
		init:          make([]int32, p.Out*outH*outW),
		mult:          p.Multipliers,
		shift:         p.Shifts,
		inZero:        int8(p.Input.ZeroPoint),
		outZero:       p.Output.ZeroPoint,
		reluMin:       reluMin(p),
	}
	if p.Sigmoid {
		op.table = kernels.SigmoidTableF32(p.Output.Scale, p.Output.ZeroPoint)
	}

	// Transpose [In][Out][9] to rows (o*9+tap) of In values.
	rows := p.Out * 9
	op.weights = make([]int8, rows*op.kPad)
	rowSums := make([]int32, rows)
	for i := range p.In {
		for r := range rows {
			w := weights[i*rows+r]
			op.weights[r*op.kPad+i] = w
			rowSums[r] += int32(w)
		}
	}

	// The zero-point term of each column entry, scattered by col2im onto
	// the pixels it reaches, plus the bias.
	correction := make([]int32, rows*pixels)
	for r := range rows {
		term := -int32(op.inZero) * rowSums[r]
		for j := range pixels {
			correction[r*pixels+j] = term
		}
	}
	plane := outH * outW
	for o := range p.Out {
		for j := range plane {
			op.init[o*plane+j] = biases[o]
		}
	}
	kernels.Col2imAddS32(op.init, correction, p.Out, p.InH, p.InW, 3, 3, 2, 1, outH, outW)

	// About minGemmChunks chunks of a multiple of 16 pixels (the column
	// blocks of the VNNI GemmS8), so that the workers share the GEMM of a
	// small layer evenly.
	op.chunkPixels = max(4, chunkBytes/op.kPad&^3)
	op.chunkPixels = min(op.chunkPixels, max(16, (pixels/minGemmChunks+15)&^15))
	op.chunkPixels = min(op.chunkPixels, pixels)
	op.zeroRow = make([]int32, p.InW)
	return op
}

// gemmChunks returns the number of input pixel ranges of the GEMM phase.
func (op *convTOp) gemmChunks() int {
	pixels := op.params.InH * op.params.InW
	return (pixels + op.chunkPixels - 1) / op.chunkPixels
}

// scratchSizes returns the cols and acc sizes one worker needs. cols also
// holds one output plane of codes in runCol2im.
func (op *convTOp) scratchSizes() (cols, acc int) {
	plane := 4 * op.params.InH * op.params.InW
	return max(op.chunkPixels*op.kPad, plane), plane
}

// runGemm computes the columns of input pixels [chunk·chunkPixels,
// (chunk+1)·chunkPixels).
func (op *convTOp) runGemm(s *scratch, chunk int) {
	p := op.params
	pixels := p.InH * p.InW
	j0 := chunk * op.chunkPixels
	j1 := min(pixels, j0+op.chunkPixels)
	n := j1 - j0

	// The pixel-major input is the b operand as it is, unless its rows
	// need padding to kPad.
	b := op.in[j0*p.In : j1*p.In]
	if op.kPad != p.In {
		b = s.cols[:n*op.kPad]
		for j := range n {
			row := b[j*op.kPad : (j+1)*op.kPad]
			copy(row, op.in[(j0+j)*p.In:(j0+j+1)*p.In])
			fill(row[p.In:], op.inZero)
		}
	}
	kernels.GemmS8(p.Out*9, n, op.kPad, op.weights, 0, b, 0, op.col[j0:], pixels)
}

// runCol2im adds the columns of output channel o into its plane,
// requantizes it and, on the last layer, writes the sigmoid to dst.
func (op *convTOp) runCol2im(s *scratch, o int) {
	p := op.params
	pixels := p.InH * p.InW
	plane := 4 * pixels

	// The output codes of channel o are out[offset + j*stride] for
	// output pixel j.
	stride, offset := 1, o*plane
	if op.outPixelMajor {
		stride, offset = p.Out, o
	}

	if vectorPoolRequantize {
		op.gatherRequantizeRows(s, o, stride, offset)
	} else if !vectorRequantize && op.shift[o] <= 0 && op.mult[o] >= 0 {
		op.gatherRequantize(o, stride, offset)
	} else {
		op.col2imRequantize(s, o, stride, offset)
	}

	if op.table != nil {
		kernels.LookupF32(op.dst[o*plane:(o+1)*plane], op.out[o*plane:(o+1)*plane], op.table)
	}
}

// col2imRequantize computes the accumulators of channel o with
// kernels.Col2imAddS32, requantizes them with requantizeChannel and writes
// the codes to out[offset + j*stride].
func (op *convTOp) col2imRequantize(s *scratch, o, stride, offset int) {
	p := op.params
	pixels := p.InH * p.InW
	outH, outW := 2*p.InH, 2*p.InW
	plane := outH * outW

	acc := s.acc[:plane]
	copy(acc, op.init[o*plane:(o+1)*plane])
	kernels.Col2imAddS32(acc, op.col[o*9*pixels:(o+1)*9*pixels], 1, p.InH, p.InW, 3, 3, 2, 1, outH, outW)

	if stride == 1 {
		requantizeChannel(op.out[offset:offset+plane], acc, nil, op.mult[o:o+1], op.shift[o:o+1], op.outZero, op.reluMin)
		return
	}
	codes := s.cols[:plane]
	requantizeChannel(codes, acc, nil, op.mult[o:o+1], op.shift[o:o+1], op.outZero, op.reluMin)
	for j, v := range codes {
		op.out[offset+j*stride] = v
	}
}

// gatherRequantizeRows computes what col2imRequantize computes with
// kernels.GatherRequantizeS2, one output row at a time, gathering the
// column entries of each output pixel as gatherRequantize does. A
// pixel-major output takes the codes of a row from scratch.
func (op *convTOp) gatherRequantizeRows(s *scratch, o, stride, offset int) {
	p := op.params
	h, w := p.InH, p.InW
	pixels := h * w
	outW := 2 * w
	col := op.col[o*9*pixels : (o+1)*9*pixels]
	init := op.init[o*4*pixels : (o+1)*4*pixels]

	tapRow := func(ky, kx, iy int) []int32 {
		if iy >= h {
			return op.zeroRow
		}
		start := (ky*3+kx)*pixels + iy*w
		return col[start : start+w]
	}

	codes := s.cols[:outW]
	for oy := range 2 * h {
		kyA, iyA, kyB, iyB := 1, oy/2, 1, h
		if oy%2 == 1 {
			kyA, iyA, kyB, iyB = 2, oy/2, 0, oy/2+1
		}
		taps := [6][]int32{
			tapRow(kyA, 0, iyA), tapRow(kyA, 1, iyA), tapRow(kyA, 2, iyA),
			tapRow(kyB, 0, iyB), tapRow(kyB, 1, iyB), tapRow(kyB, 2, iyB),
		}

		if stride == 1 {
			dst := op.out[offset+oy*outW : offset+(oy+1)*outW]
			kernels.GatherRequantizeS2(dst, init[oy*outW:(oy+1)*outW], &taps, op.mult[o], op.shift[o], op.outZero, op.reluMin)
			continue
		}
		kernels.GatherRequantizeS2(codes, init[oy*outW:(oy+1)*outW], &taps, op.mult[o], op.shift[o], op.outZero, op.reluMin)
		out := op.out[offset+oy*outW*stride:]
		for x, v := range codes {
			out[x*stride] = v
		}
	}
}

// gatherRequantize computes what col2imRequantize computes, for a
// multiplier that requantizeRow handles, in one pass that gathers the
// column entries of each output pixel instead of scattering them. With
// stride 2 and padding 1, output row 2i gets kernel row 1 of input row i.
// Output row 2i+1 gets kernel row 2 of input row i and kernel row 0 of
// input row i+1, which is missing past the last row. Columns follow the
// same rule.
// The int32 sums wrap, so their order does not change the result.
func (op *convTOp) gatherRequantize(o, stride, offset int) {
	p := op.params
	h, w := p.InH, p.InW
	pixels := h * w
	outW := 2 * w
	col := op.col[o*9*pixels : (o+1)*9*pixels]
	init := op.init[o*4*pixels : (o+1)*4*pixels]

	r := newRounding(op.mult[o], uint(-op.shift[o]))
	low := int64(op.reluMin)
	zero := int64(op.outZero)
	code := func(acc int32) int8 {
		return int8(max(low, min(math.MaxInt8, r.apply(acc)+zero)))
	}

	// tapRow returns the column entries of kernel tap (ky, kx) for input
	// row iy, or zeros past the last row.
	tapRow := func(ky, kx, iy int) []int32 {
		if iy >= h {
			return op.zeroRow
		}
		start := (ky*3+kx)*pixels + iy*w
		return col[start : start+w]
	}

	for oy := range 2 * h {
		// The two kernel rows that reach output row oy; the second is
		// zeros for an even row.
		kyA, iyA, kyB, iyB := 1, oy/2, 1, h
		if oy%2 == 1 {
			kyA, iyA, kyB, iyB = 2, oy/2, 0, oy/2+1
		}
		evenA, evenB := tapRow(kyA, 1, iyA), tapRow(kyB, 1, iyB)
		rightA, rightB := tapRow(kyA, 2, iyA), tapRow(kyB, 2, iyB)
		leftA, leftB := tapRow(kyA, 0, iyA), tapRow(kyB, 0, iyB)
		initRow := init[oy*outW : (oy+1)*outW]
		out := op.out[offset+oy*outW*stride:]

		for ix := range w {
			// Output column 2ix gets kernel column 1 of input column ix,
			// and 2ix+1 gets kernel column 2 of ix and 0 of ix+1.
			even := initRow[2*ix] + evenA[ix] + evenB[ix]
			odd := initRow[2*ix+1] + rightA[ix] + rightB[ix]
			if ix+1 < w {
				odd += leftA[ix+1] + leftB[ix+1]
			}
			out[2*ix*stride] = code(even)
			out[(2*ix+1)*stride] = code(odd)
		}
	}
}
