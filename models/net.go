// Package models holds the float32 convolutional autoencoder: its
// architecture, forward and backward passes, and the Adam optimizer.
//
// The layers work on channel-major float32 slices; convolutions are im2col
// plus sgemm, transposed convolutions sgemm plus col2im. gorgonia.org/tensor
// is only the boundary type of the public API.
package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
)

// Net is the autoencoder with its parameters, gradients and scratch
// buffers. A Net is not safe for concurrent use.
type Net struct {
	Arch   Arch
	Layers []*Layer

	params   []Param
	grad     []float32 // all gradients, concatenated in Params order
	paramOf  []int     // layer index -> index of its weight Param (bias is +1), -1 if none
	paramOff []int     // Param index -> offset of its gradient in grad
	workers  int

	// Scratch, allocated on first use and reused.
	ws       []*workspace
	imgGrad  [][]float32 // per image of a batch: gradients like grad
	imgSSE   []float64   // per image of a batch: sum of squared errors
	parallel trainMode
}

// trainMode selects how TrainBatch and Forward use several cores.
type trainMode int

const (
	// splitBatch gives each worker whole images, with its own activations
	// and single-goroutine GEMMs.
	splitBatch trainMode = iota
	// splitGemm runs images one after another and splits each GEMM.
	splitGemm
)

// Param is one parameter tensor with its gradient. Value aliases the
// layer's Weight or Bias; Grad is owned by the Net and filled by
// TrainBatch.
type Param struct {
	Name  string
	Shape []int
	Value []float32
	Grad  []float32
}

// New builds the network and initialises it like PyTorch's defaults for
// Conv2d and ConvTranspose2d: weights and biases uniform in
// [-1/sqrt(fanIn), 1/sqrt(fanIn)) with fanIn = weight.size(1)*3*3, i.e.
// In*9 for a conv and Out*9 for a transposed conv (PyTorch computes the fan
// from dimension 1 of the stored weight for both). The draws are
// deterministic for a given seed.
func New(arch Arch, seed int64) (*Net, error) {
	if err := arch.Validate(); err != nil {
		return nil, err
	}
	n := &Net{Arch: arch.clone(), workers: runtime.GOMAXPROCS(0)}
	L := len(arch.Widths)
	h, w, c := arch.Height, arch.Width, arch.Channels
	for s := 0; s < L; s++ {
		out := arch.Widths[s]
		n.Layers = append(n.Layers,
			&Layer{Kind: KindConv3x3, In: c, Out: out, InH: h, InW: w,
				Weight: make([]float32, out*c*9), Bias: make([]float32, out)},
			&Layer{Kind: KindReLU, In: out, Out: out, InH: h, InW: w},
			&Layer{Kind: KindMaxPool2, In: out, Out: out, InH: h, InW: w},
		)
		c, h, w = out, h/2, w/2
	}
	for d := 0; d < L; d++ {
		out := arch.Channels
		if d < L-1 {
			out = arch.Widths[L-2-d]
		}
		n.Layers = append(n.Layers,
			&Layer{Kind: KindConvT3x3S2, In: c, Out: out, InH: h, InW: w,
				Weight: make([]float32, c*out*9), Bias: make([]float32, out)})
		h, w = 2*h, 2*w
		kind := KindReLU
		if d == L-1 {
			kind = KindSigmoid
		}
		n.Layers = append(n.Layers, &Layer{Kind: kind, In: out, Out: out, InH: h, InW: w})
		c = out
	}
	n.buildParams()

	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	for _, l := range n.Layers {
		if l.Weight == nil {
			continue
		}
		fanIn := l.In * 9
		if l.Kind == KindConvT3x3S2 {
			fanIn = l.Out * 9
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		for i := range l.Weight {
			l.Weight[i] = float32((2*r.Float64() - 1) * bound)
		}
		for i := range l.Bias {
			l.Bias[i] = float32((2*r.Float64() - 1) * bound)
		}
	}
	return n, nil
}

// buildParams names the parameters and lays out their gradients.
func (n *Net) buildParams() {
	n.params = n.params[:0]
	n.paramOf = make([]int, len(n.Layers))
	total := 0
	L := len(n.Arch.Widths)
	for i, l := range n.Layers {
		n.paramOf[i] = -1
		if l.Weight == nil {
			continue
		}
		n.paramOf[i] = len(n.params)
		var prefix string
		var wshape []int
		if l.Kind == KindConv3x3 {
			prefix = fmt.Sprintf("enc%d.conv", i/3)
			wshape = []int{l.Out, l.In, 3, 3}
		} else {
			prefix = fmt.Sprintf("dec%d.convt", (i-3*L)/2)
			wshape = []int{l.In, l.Out, 3, 3}
		}
		n.params = append(n.params,
			Param{Name: prefix + ".weight", Shape: wshape, Value: l.Weight},
			Param{Name: prefix + ".bias", Shape: []int{l.Out}, Value: l.Bias})
		total += len(l.Weight) + len(l.Bias)
	}
	n.grad = make([]float32, total)
	off := 0
	n.paramOff = make([]int, len(n.params))
	for i := range n.params {
		n.paramOff[i] = off
		sz := len(n.params[i].Value)
		n.params[i].Grad = n.grad[off : off+sz : off+sz]
		off += sz
	}
}

// EncoderLayers returns how many leading Layers form the encoder.
func (n *Net) EncoderLayers() int { return 3 * len(n.Arch.Widths) }

// InputShape returns the channels, height and width of one input image.
func (n *Net) InputShape() (c, h, w int) { return n.Arch.Channels, n.Arch.Height, n.Arch.Width }

// Params returns the parameters in a stable order: for each conv layer
// its weight then its bias, named enc<i>.conv.weight, enc<i>.conv.bias, ...,
// dec<i>.convt.weight, dec<i>.convt.bias. Value and Grad alias the Net's
// storage; the returned slice is a fresh copy of the descriptors.
func (n *Net) Params() []Param {
	n.syncParams()
	return append([]Param(nil), n.params...)
}

// syncParams re-reads Param.Value from the layers, in case a caller (a
// model-file loader, say) replaced a Layer's Weight or Bias slice.
func (n *Net) syncParams() {
	for li, pi := range n.paramOf {
		if pi >= 0 {
			n.params[pi].Value = n.Layers[li].Weight
			n.params[pi+1].Value = n.Layers[li].Bias
		}
	}
}

// checkLayers reports a layer whose parameters were replaced by slices of
// the wrong size.
func (n *Net) checkLayers() error {
	for li, l := range n.Layers {
		if n.paramOf[li] < 0 {
			continue
		}
		if len(l.Weight) != l.In*l.Out*9 || len(l.Bias) != l.Out {
			return fmt.Errorf("models: layer %d (%s) has %d weights and %d biases, want %d and %d",
				li, l.Kind, len(l.Weight), len(l.Bias), l.In*l.Out*9, l.Out)
		}
	}
	return nil
}

// NumParams returns the number of scalar parameters.
func (n *Net) NumParams() int { return len(n.grad) }

// SetWorkers sets how many goroutines TrainBatch, Forward and Reconstruct
// use; k < 1 restores the default, runtime.GOMAXPROCS(0).
func (n *Net) SetWorkers(k int) {
	if k < 1 {
		k = runtime.GOMAXPROCS(0)
	}
	n.workers = k
}

// Clone returns a deep copy of the architecture, weights and gradients
// (scratch buffers are not copied; the clone allocates its own).
func (n *Net) Clone() *Net {
	c := &Net{Arch: n.Arch.clone(), workers: n.workers, parallel: n.parallel}
	for _, l := range n.Layers {
		c.Layers = append(c.Layers, l.clone())
	}
	c.buildParams()
	copy(c.grad, n.grad)
	return c
}

// stage geometry helpers.
func (n *Net) stages() int          { return len(n.Arch.Widths) }
func (n *Net) encConv(s int) *Layer { return n.Layers[3*s] }
func (n *Net) decConv(d int) *Layer { return n.Layers[3*n.stages()+2*d] }
func (n *Net) decAct(d int) act {
	if d == n.stages()-1 {
		return actSigmoid
	}
	return actReLU
}

// inSize is the number of floats in one input image.
func (n *Net) inSize() int { return n.Arch.Channels * n.Arch.Height * n.Arch.Width }
