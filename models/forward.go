package models

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"gorgonia.org/tensor"
)

// workspace holds one worker's activations and scratch for one image at a
// time. Each encoder stage runs fused as conv -> (bias + ReLU + max-pool);
// each decoder stage as transposed conv -> (bias + activation).
type workspace struct {
	n  *Net
	nw int // goroutines per GEMM

	cols   [][]float32 // encoder stage s: im2col of its input, kept for backward
	pooled [][]float32 // encoder stage s: output
	arg    [][]uint8   // encoder stage s: winning element of each pool window
	dec    [][]float32 // decoder stage d: output (after activation)
	pre    []float32   // encoder conv output before bias/ReLU/pool
	tcol   []float32   // decoder GEMM output before col2im
	dcol   []float32   // backward GEMM scratch
	ga, gb []float32   // activation gradients, ping-pong
	wt     []float32   // a transposed weight gradient
}

func newWorkspace(n *Net) *workspace {
	ws := &workspace{n: n, nw: 1}
	L := n.stages()
	var preMax, tcolMax, dcolMax, gMax int
	gMax = n.inSize()
	for s := 0; s < L; s++ {
		l := n.encConv(s)
		hw := l.InH * l.InW
		ws.cols = append(ws.cols, make([]float32, l.In*9*hw))
		ws.pooled = append(ws.pooled, make([]float32, l.Out*hw/4))
		ws.arg = append(ws.arg, make([]uint8, l.Out*hw/4))
		preMax = max(preMax, l.Out*hw)
		dcolMax = max(dcolMax, l.In*9*hw)
		gMax = max(gMax, l.Out*hw, l.In*hw)
	}
	for d := 0; d < L; d++ {
		l := n.decConv(d)
		hwi := l.InH * l.InW
		ws.dec = append(ws.dec, make([]float32, l.Out*4*hwi))
		tcolMax = max(tcolMax, l.Out*9*hwi)
		dcolMax = max(dcolMax, l.Out*9*hwi)
		gMax = max(gMax, l.Out*4*hwi, l.In*hwi)
	}
	ws.pre = make([]float32, preMax)
	ws.tcol = make([]float32, tcolMax)
	ws.dcol = make([]float32, dcolMax)
	wMax := 0
	for _, l := range n.Layers {
		wMax = max(wMax, len(l.Weight))
	}
	ws.wt = make([]float32, wMax)
	ws.ga = make([]float32, gMax)
	ws.gb = make([]float32, gMax)
	return ws
}

// workspace returns worker i's workspace, creating it on first use.
func (n *Net) workspace(i int) *workspace {
	for len(n.ws) <= i {
		n.ws = append(n.ws, nil)
	}
	if n.ws[i] == nil {
		n.ws[i] = newWorkspace(n)
	}
	return n.ws[i]
}

// forward runs one image x through the encoder and, unless encodeOnly,
// the decoder. The reconstruction is written to out, or to ws.dec[L-1] when
// out is nil.
func (ws *workspace) forward(x, out []float32, encodeOnly bool) {
	n := ws.n
	L := n.stages()
	in := x
	for s := 0; s < L; s++ {
		l := n.encConv(s)
		convForward(l, in, ws.pre, ws.cols[s], false, ws.nw)
		reluPool(ws.pooled[s], ws.arg[s], ws.pre, l.Bias, l.Out, l.InH, l.InW)
		in = ws.pooled[s]
	}
	if encodeOnly {
		return
	}
	for d := 0; d < L; d++ {
		l := n.decConv(d)
		y := ws.dec[d]
		if d == L-1 && out != nil {
			y = out
		}
		convTForward(l, in, y, ws.tcol, n.decAct(d), ws.nw)
		in = y
	}
}

// runImages calls fn for images 0..count-1. In the splitBatch mode with
// several workers and images, each worker takes whole images with its own
// workspace and single-goroutine GEMMs. Otherwise images run in order on
// workspace 0 with GEMMs split across the workers.
func (n *Net) runImages(count int, fn func(ws *workspace, i int)) {
	nwk := min(n.workers, count)
	if nwk <= 1 || n.parallel == splitGemm {
		ws := n.workspace(0)
		ws.nw = n.workers
		for i := 0; i < count; i++ {
			fn(ws, i)
		}
		return
	}
	for w := 0; w < nwk; w++ {
		n.workspace(w).nw = 1
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < nwk; w++ {
		wg.Add(1)
		go func(ws *workspace) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= count {
					return
				}
				fn(ws, i)
			}
		}(n.ws[w])
	}
	wg.Wait()
}

// float32Data returns the backing slice of a dense float32 tensor. It uses
// the tensor's promoted Float32s accessor rather than Data(), which builds
// the slice through reflection and allocates on every call.
func float32Data(x *tensor.Dense, what string) ([]float32, error) {
	if x == nil {
		return nil, fmt.Errorf("models: %s tensor is nil", what)
	}
	if x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("models: %s tensor is %v, want float32", what, x.Dtype())
	}
	if x.IsMaterializable() || x.IsMasked() {
		return nil, fmt.Errorf("models: %s tensor is a view or masked; pass a contiguous tensor", what)
	}
	d := x.Float32s()
	if sz := x.Shape().TotalSize(); len(d) < sz {
		return nil, fmt.Errorf("models: %s tensor backing has %d floats for shape %v", what, len(d), x.Shape())
	} else {
		d = d[:sz:sz]
	}
	return d, nil
}

// images checks that x is (C,H,W) or (N,C,H,W) for this net and returns its
// data, the image count and whether it had a batch dimension.
func (n *Net) images(x *tensor.Dense) (data []float32, count int, batched bool, err error) {
	if err := n.checkLayers(); err != nil {
		return nil, 0, false, err
	}
	data, err = float32Data(x, "input")
	if err != nil {
		return nil, 0, false, err
	}
	c, h, w := n.InputShape()
	sh := x.Shape()
	switch {
	case len(sh) == 3 && sh[0] == c && sh[1] == h && sh[2] == w:
		return data, 1, false, nil
	case len(sh) == 4 && sh[1] == c && sh[2] == h && sh[3] == w:
		return data, sh[0], true, nil
	}
	return nil, 0, false, fmt.Errorf("models: input shape %v, want (N,%d,%d,%d) or (%d,%d,%d)", sh, c, h, w, c, h, w)
}

// Forward reconstructs x, of shape (N,C,H,W) or (C,H,W), into a new tensor
// of the same shape.
func (n *Net) Forward(x *tensor.Dense) (*tensor.Dense, error) {
	data, count, batched, err := n.images(x)
	if err != nil {
		return nil, err
	}
	sz := n.inSize()
	out := make([]float32, count*sz)
	n.runImages(count, func(ws *workspace, i int) {
		ws.forward(data[i*sz:(i+1)*sz], out[i*sz:(i+1)*sz], false)
	})
	c, h, w := n.InputShape()
	if batched {
		return tensor.New(tensor.WithShape(count, c, h, w), tensor.WithBacking(out)), nil
	}
	return tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(out)), nil
}

// LatentShape returns the channels, height and width of the encoder output.
func (n *Net) LatentShape() (c, h, w int) {
	L := n.stages()
	return n.Arch.Widths[L-1], n.Arch.Height >> L, n.Arch.Width >> L
}

// Encode returns the encoder output of x, shape (N,C',H',W') or (C',H',W').
func (n *Net) Encode(x *tensor.Dense) (*tensor.Dense, error) {
	data, count, batched, err := n.images(x)
	if err != nil {
		return nil, err
	}
	sz := n.inSize()
	c, h, w := n.LatentShape()
	lsz := c * h * w
	out := make([]float32, count*lsz)
	n.runImages(count, func(ws *workspace, i int) {
		ws.forward(data[i*sz:(i+1)*sz], nil, true)
		copy(out[i*lsz:(i+1)*lsz], ws.pooled[n.stages()-1])
	})
	if batched {
		return tensor.New(tensor.WithShape(count, c, h, w), tensor.WithBacking(out)), nil
	}
	return tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(out)), nil
}

// Trace runs one image, (C,H,W) or (1,C,H,W), layer by layer and returns
// every layer's output in order (len(Layers) tensors of shape
// (Out, OutH, OutW)), for int8 calibration. It runs the unfused layers, so
// its last output equals Forward's up to float rounding of the bias order.
func (n *Net) Trace(x *tensor.Dense) ([]*tensor.Dense, error) {
	data, count, _, err := n.images(x)
	if err != nil {
		return nil, err
	}
	if count != 1 {
		return nil, fmt.Errorf("models: Trace takes one image, got %d", count)
	}
	res := make([]*tensor.Dense, 0, len(n.Layers))
	in := data
	for _, l := range n.Layers {
		out := make([]float32, l.OutSize())
		switch l.Kind {
		case KindConv3x3:
			col := make([]float32, l.In*9*l.InH*l.InW)
			convForward(l, in, out, col, true, n.workers)
		case KindReLU:
			relu(out, in)
		case KindMaxPool2:
			maxPool(out, in, l.In, l.InH, l.InW)
		case KindConvT3x3S2:
			col := make([]float32, l.Out*9*l.InH*l.InW)
			convTForward(l, in, out, col, actNone, n.workers)
		case KindSigmoid:
			copy(out, in)
			sigmoidInPlace(out)
		default:
			return nil, fmt.Errorf("models: unknown layer kind %q", l.Kind)
		}
		res = append(res, tensor.New(tensor.WithShape(l.Out, l.OutH(), l.OutW()), tensor.WithBacking(out)))
		in = out
	}
	return res, nil
}

var errReconstructShape = errors.New("models: Reconstruct tensors must be float32 of the net's input shape (C,H,W)")

// Reconstruct writes the reconstruction of src into dst, both (C,H,W) (a
// leading batch dimension of 1 is accepted). It implements Engine; after
// the first call it allocates nothing. GEMMs are split across the Net's
// workers.
func (n *Net) Reconstruct(dst, src *tensor.Dense) error {
	s, err := n.single(src, "src")
	if err != nil {
		return err
	}
	d, err := n.single(dst, "dst")
	if err != nil {
		return err
	}
	return n.reconstruct(d, s)
}

// reconstruct is Reconstruct on raw slices.
func (n *Net) reconstruct(dst, src []float32) error {
	if len(dst) != n.inSize() || len(src) != n.inSize() {
		return errReconstructShape
	}
	if err := n.checkLayers(); err != nil {
		return err
	}
	ws := n.workspace(0)
	ws.nw = n.workers
	ws.forward(src, dst, false)
	return nil
}

func (n *Net) single(x *tensor.Dense, what string) ([]float32, error) {
	d, err := float32Data(x, what)
	if err != nil {
		return nil, err
	}
	c, h, w := n.InputShape()
	sh := x.Shape()
	ok := (len(sh) == 3 && sh[0] == c && sh[1] == h && sh[2] == w) ||
		(len(sh) == 4 && sh[0] == 1 && sh[1] == c && sh[2] == h && sh[3] == w)
	if !ok {
		return nil, fmt.Errorf("models: %s shape %v, want (%d,%d,%d)", what, sh, c, h, w)
	}
	return d, nil
}

var _ Engine = (*Net)(nil)
