package models

import (
	"fmt"
	"math"
)

// TrainBatch runs forward and backward over batch images (input and target
// each hold batch*C*H*W floats, channel-major per image; they may differ,
// e.g. for denoising). It returns the mean squared error over all
// batch*C*H*W elements and fills every Param.Grad with dLoss/dParam
// (previous gradients are overwritten).
//
// Images are spread over the Net's workers; each image's gradients go to
// their own buffer and are summed in image order, so the result is
// bit-for-bit the same for any worker count.
func (n *Net) TrainBatch(input, target []float32, batch int) (float64, error) {
	return n.trainBatch(input, target, batch, nil)
}

// trainBatch is TrainBatch that also writes dLoss/dInput into dInput when
// it is non-nil (used by the gradient checks).
func (n *Net) trainBatch(input, target []float32, batch int, dInput []float32) (float64, error) {
	if err := n.checkLayers(); err != nil {
		return 0, err
	}
	sz := n.inSize()
	if batch < 1 {
		return 0, fmt.Errorf("models: batch must be >= 1, got %d", batch)
	}
	if len(input) != batch*sz || len(target) != batch*sz {
		return 0, fmt.Errorf("models: TrainBatch got %d input and %d target floats, want %d (%d images of %d)",
			len(input), len(target), batch*sz, batch, sz)
	}
	if dInput != nil && len(dInput) != batch*sz {
		return 0, fmt.Errorf("models: dInput has %d floats, want %d", len(dInput), batch*sz)
	}
	for len(n.imgGrad) < batch {
		n.imgGrad = append(n.imgGrad, make([]float32, len(n.grad)))
	}
	if cap(n.imgSSE) < batch {
		n.imgSSE = make([]float64, batch)
	}
	n.imgSSE = n.imgSSE[:batch]
	total := float64(batch) * float64(sz)
	scale := float32(2 / total)

	n.runImages(batch, func(ws *workspace, i int) {
		x := input[i*sz : (i+1)*sz]
		var dx []float32
		if dInput != nil {
			dx = dInput[i*sz : (i+1)*sz]
		}
		ws.forward(x, nil, false)
		n.imgSSE[i] = ws.backward(target[i*sz:(i+1)*sz], n.imgGrad[i], scale, dx)
	})

	copy(n.grad, n.imgGrad[0])
	for i := 1; i < batch; i++ {
		g := n.imgGrad[i][:len(n.grad)]
		for j := range n.grad {
			n.grad[j] += g[j]
		}
	}
	var sse float64
	for _, v := range n.imgSSE {
		sse += v
	}
	loss := sse / total
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("models: loss is %v", loss)
	}
	return loss, nil
}

// gradOf returns the weight and bias gradient slices of layer li inside
// the flat gradient buffer g (laid out like n.grad).
func (n *Net) gradOf(g []float32, li int) (dw, db []float32) {
	pi := n.paramOf[li]
	off := n.paramOff[pi]
	nw := len(n.params[pi].Value)
	nb := len(n.params[pi+1].Value)
	return g[off : off+nw : off+nw], g[off+nw : off+nw+nb : off+nw+nb]
}

// backward runs after ws.forward (with out == nil) on one image: it
// computes the image's squared error against target, writes the
// gradients of scale*SSE (scale = 2/total makes them those of the batch
// MSE) into grad, and, when dx is non-nil, the input gradient into dx.
func (ws *workspace) backward(target, grad []float32, scale float32, dx []float32) float64 {
	n := ws.n
	L := n.stages()
	y := ws.dec[L-1]
	g, other := ws.ga[:len(y)], ws.gb
	var sse float64
	for i, v := range y {
		e := v - target[i]
		sse += float64(e) * float64(e)
		g[i] = scale * e
	}
	for d := L - 1; d >= 0; d-- {
		li := 3*L + 2*d
		l := n.Layers[li]
		actBackward(g, ws.dec[d], n.decAct(d))
		xin := ws.pooled[L-1]
		if d > 0 {
			xin = ws.dec[d-1]
		}
		dw, db := n.gradOf(grad, li)
		gx := other[:l.InSize()]
		convTBackward(l, xin, g, dw, db, gx, ws.dcol, ws.wt, ws.nw)
		other = g[:cap(g)]
		g = gx
	}
	for s := L - 1; s >= 0; s-- {
		li := 3 * s
		l := n.Layers[li]
		hw := l.InH * l.InW
		dw, db := n.gradOf(grad, li)
		dpre := other[:l.Out*hw]
		reluPoolBackward(dpre, g, ws.pooled[s], ws.arg[s], db, l.Out, l.InH, l.InW)
		var gx []float32
		if s > 0 {
			gx = g[:cap(g)][:l.InSize()]
		} else {
			gx = dx
		}
		convBackward(l, ws.cols[s], dpre, dw, nil, gx, ws.dcol, ws.wt, ws.nw)
		g = gx
	}
	return sse
}
