package models

import (
	"math"

	"edgeae/internal/sgemm"
)

// This file holds the layer kernels on one image's raw, channel-major
// slices. The conv layers are GEMMs: a conv is W·im2col(x), and its input
// gradient is col2im(Wᵀ·dy); a transposed conv is exactly that input
// gradient used forward, col2im(Wᵀ·x), so its backward is im2col followed by
// GEMMs. nw is the goroutine count handed to sgemm.

// gemm is the GEMM used by the layers (a variable so that tests can time
// or check the calls).
var gemm = sgemm.GemmN

// im2col3x3 lays out the 3x3, stride 1, padding 1 neighbourhoods of x
// (c x h x w) as the columns of col ((c*9) x (h*w)):
// col[(ch*9+ky*3+kx)*h*w + y*w + xx] = x[ch][y+ky-1][xx+kx-1], 0 outside.
func im2col3x3(col, x []float32, c, h, w int) {
	hw := h * w
	for ch := 0; ch < c; ch++ {
		src := x[ch*hw : (ch+1)*hw]
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				row := col[(ch*9+ky*3+kx)*hw : (ch*9+ky*3+kx+1)*hw]
				for y := 0; y < h; y++ {
					dst := row[y*w : y*w+w]
					sy := y + ky - 1
					if sy < 0 || sy >= h {
						clear(dst)
						continue
					}
					s := src[sy*w : sy*w+w]
					switch kx {
					case 0:
						dst[0] = 0
						copy(dst[1:], s[:w-1])
					case 1:
						copy(dst, s)
					default:
						copy(dst[:w-1], s[1:])
						dst[w-1] = 0
					}
				}
			}
		}
	}
}

// col2im3x3 is the adjoint of im2col3x3: x (c x h x w) is overwritten with
// the sum of the col entries that im2col3x3 would have copied from each
// element. Each output row gathers its nine contributions while it is in
// L1.
func col2im3x3(x, col []float32, c, h, w int) {
	hw := h * w
	for ch := 0; ch < c; ch++ {
		for sy := 0; sy < h; sy++ {
			dst := x[ch*hw+sy*w : ch*hw+sy*w+w]
			clear(dst)
			for ky := 0; ky < 3; ky++ {
				y := sy - ky + 1
				if y < 0 || y >= h {
					continue
				}
				base := (ch*9 + ky*3) * hw
				r0 := col[base+y*w : base+y*w+w]
				r1 := col[base+hw+y*w : base+hw+y*w+w]
				r2 := col[base+2*hw+y*w : base+2*hw+y*w+w]
				// kx=0 reads x[..][xx-1] into column xx: dst[xx-1] += r0[xx].
				// kx=1: dst[xx] += r1[xx]. kx=2: dst[xx+1] += r2[xx].
				if w == 1 {
					dst[0] += r1[0]
					continue
				}
				dst[0] += r1[0] + r0[1]
				for xx := 1; xx < w-1; xx++ {
					dst[xx] += r0[xx+1] + r1[xx] + r2[xx-1]
				}
				dst[w-1] += r1[w-1] + r2[w-2]
			}
		}
	}
}

// im2colT is the column layout behind the 3x3, stride 2, padding 1,
// output padding 1 transposed conv with input hi x wi (output 2hi x 2wi):
// col[(o*9+ky*3+kx)*hi*wi + iy*wi + ix] = y[o][2iy-1+ky][2ix-1+kx], 0
// outside. The transposed conv's forward is the adjoint, col2imT.
func im2colT(col, y []float32, c, hi, wi int) {
	ho, wo := 2*hi, 2*wi
	hwi := hi * wi
	for o := 0; o < c; o++ {
		src := y[o*ho*wo : (o+1)*ho*wo]
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				row := col[(o*9+ky*3+kx)*hwi : (o*9+ky*3+kx+1)*hwi]
				for iy := 0; iy < hi; iy++ {
					dst := row[iy*wi : iy*wi+wi]
					sy := 2*iy - 1 + ky
					if sy < 0 {
						clear(dst)
						continue
					}
					s := src[sy*wo : sy*wo+wo]
					switch kx {
					case 0:
						dst[0] = 0
						for ix := 1; ix < wi; ix++ {
							dst[ix] = s[2*ix-1]
						}
					case 1:
						for ix := range dst {
							dst[ix] = s[2*ix]
						}
					default:
						for ix := range dst {
							dst[ix] = s[2*ix+1]
						}
					}
				}
			}
		}
	}
}

// act is the activation applied after a transposed conv.
type act int

const (
	actNone act = iota
	actReLU
	actSigmoid
)

// col2imT writes y (c x 2hi x 2wi) = bias + the adjoint of im2colT applied
// to col, then the activation a. Output row oy = 2m gathers kernel row
// ky = 1 of input row m; oy = 2m+1 gathers ky = 2 of row m and ky = 0 of row
// m+1 (likewise for columns), so each output element is written once.
func col2imT(y, col, bias []float32, c, hi, wi int, a act) {
	ho, wo := 2*hi, 2*wi
	hwi := hi * wi
	for o := 0; o < c; o++ {
		b := bias[o]
		for oy := 0; oy < ho; oy++ {
			dst := y[o*ho*wo+oy*wo : o*ho*wo+oy*wo+wo]
			for i := range dst {
				dst[i] = b
			}
			m := oy >> 1
			var kys [2]int
			var iys [2]int
			n := 0
			if oy&1 == 0 {
				kys[0], iys[0], n = 1, m, 1
			} else {
				kys[0], iys[0], n = 2, m, 1
				if m+1 < hi {
					kys[1], iys[1], n = 0, m+1, 2
				}
			}
			for t := 0; t < n; t++ {
				base := (o*9+kys[t]*3)*hwi + iys[t]*wi
				r0 := col[base : base+wi]
				r1 := col[base+hwi : base+hwi+wi]
				r2 := col[base+2*hwi : base+2*hwi+wi]
				d := dst[:2*wi]
				for ix := 0; ix < wi-1; ix++ {
					d[2*ix] += r1[ix]
					d[2*ix+1] += r2[ix] + r0[ix+1]
				}
				d[2*wi-2] += r1[wi-1]
				d[2*wi-1] += r2[wi-1]
			}
			switch a {
			case actReLU:
				for i, v := range dst {
					dst[i] = max(v, 0)
				}
			case actSigmoid:
				sigmoidInPlace(dst)
			}
		}
	}
}

func sigmoid(v float32) float32 {
	return float32(1 / (1 + math.Exp(-float64(v))))
}

func sigmoidInPlace(x []float32) {
	for i, v := range x {
		x[i] = sigmoid(v)
	}
}

// convForward computes the conv3x3 layer l on x into y (pre-activation, with
// bias when addBias), leaving im2col(x) in col.
func convForward(l *Layer, x, y, col []float32, addBias bool, nw int) {
	h, w := l.InH, l.InW
	hw := h * w
	k := l.In * 9
	im2col3x3(col, x, l.In, h, w)
	gemm(nw, false, false, l.Out, hw, k, 1, l.Weight, k, col, hw, 0, y, hw)
	if addBias {
		for o := 0; o < l.Out; o++ {
			b := l.Bias[o]
			row := y[o*hw : (o+1)*hw]
			for i := range row {
				row[i] += b
			}
		}
	}
}

// gemmNT computes the row-major m x n product C = A·Bᵀ (A is m x k, B is
// n x k, with leading dimensions lda and ldb) for a weight
// gradient. When n is below the GEMM's panel width and m is not, it
// computes Cᵀ = B·Aᵀ into wt and transposes: a ragged transposed panel
// packs slowly, a full one fast.
func gemmNT(nw, m, n, k int, a []float32, lda int, b []float32, ldb int, c, wt []float32) {
	if n >= sgemm.NR || m < sgemm.NR {
		gemm(nw, false, true, m, n, k, 1, a, lda, b, ldb, 0, c, n)
		return
	}
	wt = wt[:n*m]
	gemm(nw, false, true, n, m, k, 1, b, ldb, a, lda, 0, wt, m)
	for i := 0; i < m; i++ {
		row := c[i*n : (i+1)*n]
		for j := range row {
			row[j] = wt[j*m+i]
		}
	}
}

// convBackward takes dy, the gradient of the conv3x3 layer's
// pre-activation output, and col = im2col(x) from the forward pass. It
// writes dw, db when non-nil (overwriting) and, when dx is non-nil, dx,
// using dcol and wt (len(dw) floats) as scratch.
func convBackward(l *Layer, col, dy, dw, db, dx, dcol, wt []float32, nw int) {
	hw := l.InH * l.InW
	k := l.In * 9
	// dW = dY · colᵀ
	gemmNT(nw, l.Out, k, hw, dy, hw, col, hw, dw, wt)
	if db != nil {
		for o := 0; o < l.Out; o++ {
			db[o] = sumF32(dy[o*hw : (o+1)*hw])
		}
	}
	if dx != nil {
		// dcol = Wᵀ · dY, dX = col2im(dcol)
		gemm(nw, true, false, k, hw, l.Out, 1, l.Weight, k, dy, hw, 0, dcol, hw)
		col2im3x3(dx, dcol, l.In, l.InH, l.InW)
	}
}

// sumF32 adds in float64 with four partial sums.
func sumF32(x []float32) float32 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return float32((s0 + s1) + (s2 + s3))
}

// convTForward computes the convt3x3s2 layer l on x into y followed by
// activation a, using col as scratch: y = col2imT(Wᵀ·x) + bias.
func convTForward(l *Layer, x, y, col []float32, a act, nw int) {
	hwi := l.InH * l.InW
	k9 := l.Out * 9
	// Weight is [In][Out*9]: col (Out*9 x hwi) = Wᵀ · x (In x hwi).
	gemm(nw, true, false, k9, hwi, l.In, 1, l.Weight, k9, x, hwi, 0, col, hwi)
	col2imT(y, col, l.Bias, l.Out, l.InH, l.InW, a)
}

// convTBackward takes dy, the gradient of the convt3x3s2 layer's
// pre-activation output, and its input x. It writes dw and db (overwriting)
// and, when dx is non-nil, dx, using dcol and wt (len(dw) floats) as
// scratch.
func convTBackward(l *Layer, x, dy, dw, db, dx, dcol, wt []float32, nw int) {
	hwi := l.InH * l.InW
	hwo := 4 * hwi
	k9 := l.Out * 9
	im2colT(dcol, dy, l.Out, l.InH, l.InW)
	// dW (In x Out*9) = x · dcolᵀ
	gemmNT(nw, l.In, k9, hwi, x, hwi, dcol, hwi, dw, wt)
	for o := 0; o < l.Out; o++ {
		db[o] = sumF32(dy[o*hwo : (o+1)*hwo])
	}
	if dx != nil {
		// dX (In x hwi) = W · dcol
		gemm(nw, false, false, l.In, hwi, k9, 1, l.Weight, k9, dcol, hwi, 0, dx, hwi)
	}
}

// reluPool computes y = maxpool2(relu(x + bias)) for x (c x h x w) and
// records in arg which element of each 2x2 window won (0..3 in scan order,
// the first maximum as in PyTorch). Since ReLU is monotone this equals
// pooling after the ReLU.
func reluPool(y []float32, arg []uint8, x, bias []float32, c, h, w int) {
	ho, wo := h/2, w/2
	for ch := 0; ch < c; ch++ {
		var b float32
		if bias != nil {
			b = bias[ch]
		}
		for oy := 0; oy < ho; oy++ {
			r0 := x[ch*h*w+2*oy*w : ch*h*w+2*oy*w+w]
			r1 := x[ch*h*w+(2*oy+1)*w : ch*h*w+(2*oy+1)*w+w]
			yo := y[ch*ho*wo+oy*wo : ch*ho*wo+oy*wo+wo]
			ao := arg[ch*ho*wo+oy*wo : ch*ho*wo+oy*wo+wo]
			r0 = r0[:2*len(yo)]
			r1 = r1[:2*len(yo)]
			for ox := range yo {
				// Branch-free: random data makes the comparisons
				// unpredictable. The conditional moves below keep the
				// first maximum in scan order.
				v0, v1, v2, v3 := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
				m := max(max(v0, v1), max(v2, v3))
				mb := math.Float32bits(m)
				a := 3
				if math.Float32bits(v2) == mb {
					a = 2
				}
				if math.Float32bits(v1) == mb {
					a = 1
				}
				if math.Float32bits(v0) == mb {
					a = 0
				}
				yo[ox] = max(m+b, 0)
				ao[ox] = uint8(a)
			}
		}
	}
}

// reluPoolBackward is the backward of reluPool: dx (c x h x w) gets dy at
// the recorded maximum of each window whose output is positive and 0
// everywhere else. When db is non-nil it receives the bias gradient.
func reluPoolBackward(dx, dy, y []float32, arg []uint8, db []float32, c, h, w int) {
	ho, wo := h/2, w/2
	for ch := 0; ch < c; ch++ {
		var s float64
		for oy := 0; oy < ho; oy++ {
			d0 := dx[ch*h*w+2*oy*w : ch*h*w+2*oy*w+w]
			d1 := dx[ch*h*w+(2*oy+1)*w : ch*h*w+(2*oy+1)*w+w]
			off := ch*ho*wo + oy*wo
			yo := y[off : off+wo]
			dyo := dy[off : off+wo]
			ao := arg[off : off+wo]
			d0 = d0[:2*len(yo)]
			d1 = d1[:2*len(yo)]
			dyo = dyo[:len(yo)]
			ao = ao[:len(yo)]
			for ox := range yo {
				g := math.Float32frombits(math.Float32bits(dyo[ox]) & positiveMask(yo[ox]))
				s += float64(g)
				// Branch-free scatter into the winning element.
				var q [4]float32
				q[ao[ox]&3] = g
				d0[2*ox], d0[2*ox+1] = q[0], q[1]
				d1[2*ox], d1[2*ox+1] = q[2], q[3]
			}
		}
		if db != nil {
			db[ch] = float32(s)
		}
	}
}

// maxPool is the plain 2x2 stride-2 max-pool (no ReLU), used by Trace.
func maxPool(y []float32, x []float32, c, h, w int) {
	ho, wo := h/2, w/2
	for ch := 0; ch < c; ch++ {
		for oy := 0; oy < ho; oy++ {
			r0 := x[ch*h*w+2*oy*w:]
			r1 := x[ch*h*w+(2*oy+1)*w:]
			for ox := 0; ox < wo; ox++ {
				m := r0[2*ox]
				m = max32(m, r0[2*ox+1])
				m = max32(m, r1[2*ox])
				m = max32(m, r1[2*ox+1])
				y[ch*ho*wo+oy*wo+ox] = m
			}
		}
	}
}

func max32(a, b float32) float32 {
	if b > a {
		return b
	}
	return a
}

func relu(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// positiveMask is all ones when v > 0 and zero otherwise (v is a ReLU or
// sigmoid output, so never negative zero or NaN here), computed without a
// branch: the sign of a ReLU output is unpredictable.
func positiveMask(v float32) uint32 {
	b := math.Float32bits(v)
	var m uint32
	if b != 0 && b < 0x80000000 {
		m = 0xffffffff
	}
	return m
}

// actBackward turns dy, the gradient of an activation's output y, into the
// gradient of its input, in place.
func actBackward(dy, y []float32, a act) {
	switch a {
	case actReLU:
		dy = dy[:len(y)]
		for i, v := range y {
			dy[i] = math.Float32frombits(math.Float32bits(dy[i]) & positiveMask(v))
		}
	case actSigmoid:
		for i, v := range y {
			dy[i] *= v * (1 - v)
		}
	}
}
