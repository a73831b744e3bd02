package quant

import (
	"fmt"
	"runtime"

	"gorgonia.org/tensor"

	"edgeae/models"
)

// Engine runs an int8 model. It implements models.Engine: all buffers are
// allocated by NewEngine and SetWorkers, and a Reconstruct after the first
// allocates nothing. Work is split across a persistent pool of goroutines.
// An Engine is not safe for concurrent use.
type Engine struct {
	model *Model

	// input is the quantized network input, pixel-major (H x W x C) like
	// every convolution input.
	input []int8

	convs  []*convOp
	tconvs []*convTOp

	// phases lists the parallel steps of a frame in order.
	phases []*phase

	// workers holds the pool, behind a pointer that the cleanup of an
	// unreachable Engine can reach without reaching the Engine.
	workers *poolHolder
}

// poolHolder is the Engine's current pool.
type poolHolder struct {
	pool *pool
}

// NewEngine validates m and builds its engine with runtime.GOMAXPROCS(0)
// workers. Call Close, or drop the Engine, to stop the worker goroutines.
func NewEngine(m *Model) (*Engine, error) {
	return newEngine(m, defaultChunkBytes)
}

// newEngine is NewEngine with the chunk size of the ops; tests pass small
// chunks to split tiny images into many chunks.
func newEngine(m *Model, chunkBytes int) (*Engine, error) {
	if m == nil {
		return nil, fmt.Errorf("quant: engine: model is nil")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}

	e := &Engine{model: m, workers: &poolHolder{}}
	e.input = make([]int8, m.Arch.Channels*m.Arch.Height*m.Arch.Width)

	in := e.input
	for i := range m.Params.Layers {
		p := &m.Params.Layers[i]
		switch p.Kind {
		case models.KindConv3x3:
			op := newConvOp(p, m.Weights[i], m.Biases[i], in, chunkBytes)
			e.convs = append(e.convs, op)
			e.phases = append(e.phases, &phase{chunks: op.chunks(), run: op.run})
			in = op.pooled
		case models.KindConvT3x3S2:
			op := newConvTOp(p, m.Weights[i], m.Biases[i], in, chunkBytes)
			e.tconvs = append(e.tconvs, op)
			e.phases = append(e.phases,
				&phase{chunks: op.gemmChunks(), run: op.runGemm},
				&phase{chunks: p.Out, run: op.runCol2im})
			in = op.out
		}
	}

	e.SetWorkers(0)
	runtime.AddCleanup(e, func(h *poolHolder) { h.pool.stop() }, e.workers)
	return e, nil
}

// SetWorkers sets the number of goroutines a frame runs on, the caller
// included; n < 1 means runtime.GOMAXPROCS(0). It replaces the pool and its
// scratch buffers, so call it between frames, not per frame.
func (e *Engine) SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}

	var cols, acc int
	for _, op := range e.convs {
		c, a := op.scratchSizes()
		cols, acc = max(cols, c), max(acc, a)
	}
	for _, op := range e.tconvs {
		c, a := op.scratchSizes()
		cols, acc = max(cols, c), max(acc, a)
	}

	if e.workers.pool != nil {
		e.workers.pool.stop()
	}
	e.workers.pool = newPool(n, cols, acc)
}

// Workers returns the number of goroutines a frame runs on.
func (e *Engine) Workers() int {
	return e.workers.pool.workers()
}

// Close stops the worker goroutines. The Engine stays usable and runs
// later frames on the calling goroutine alone, until SetWorkers.
func (e *Engine) Close() {
	e.workers.pool.stop()
}

// Model returns the quantized model the engine runs. The caller must not
// modify it.
func (e *Engine) Model() *Model {
	return e.model
}

// InputShape returns the channels, height and width of one input image.
func (e *Engine) InputShape() (channels, height, width int) {
	a := e.model.Arch
	return a.Channels, a.Height, a.Width
}

// Reconstruct writes the reconstruction of src into dst, both float32
// tensors of shape (C, H, W) or (1, C, H, W). Input values are quantized
// with scale 1/255 and zero point -128, values outside [0, 1] are clamped
// and NaN counts as 0.
func (e *Engine) Reconstruct(dst, src *tensor.Dense) error {
	in, err := e.imageData(src, "src")
	if err != nil {
		return err
	}
	out, err := e.imageData(dst, "dst")
	if err != nil {
		return err
	}
	e.reconstruct(out, in)
	return nil
}

// reconstruct runs one frame on raw slices of the input size.
func (e *Engine) reconstruct(dst, src []float32) {
	quantizeInput(e.input, src, e.model.Arch.Channels)

	last := e.tconvs[len(e.tconvs)-1]
	last.dst = dst
	p := e.workers.pool
	for _, ph := range e.phases {
		p.run(ph)
	}
	last.dst = nil
}

// quantizeInput sets dst = round(255·src) - 128, clamped to int8, and
// reorders the channel-major src (channels x pixels) to pixel-major.
func quantizeInput(dst []int8, src []float32, channels int) {
	pixels := len(src) / channels
	for c := range channels {
		index := c
		for _, v := range src[c*pixels : (c+1)*pixels] {
			var q int8
			switch {
			case v >= 1:
				q = 127
			case v > 0:
				q = int8(int32(float32(v*255)+0.5) - 128) // rounded product: no fused multiply-add
			default:
				// 0, negative values and NaN.
				q = -128
			}
			dst[index] = q
			index += channels
		}
	}
}

// imageData returns the data of x after checking that it is a contiguous
// float32 tensor of the engine's input shape. Float32s returns the backing
// slice without the allocation of Data.
func (e *Engine) imageData(x *tensor.Dense, what string) ([]float32, error) {
	c, h, w := e.InputShape()
	if x == nil {
		return nil, fmt.Errorf("quant: reconstruct: %s tensor is nil", what)
	}
	if x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("quant: reconstruct: %s tensor is %v, want float32", what, x.Dtype())
	}
	if x.IsMaterializable() || x.IsMasked() {
		return nil, fmt.Errorf("quant: reconstruct: %s tensor is a view or masked; pass a contiguous tensor", what)
	}

	shape := x.Shape()
	ok := (len(shape) == 3 && shape[0] == c && shape[1] == h && shape[2] == w) ||
		(len(shape) == 4 && shape[0] == 1 && shape[1] == c && shape[2] == h && shape[3] == w)
	if !ok {
		return nil, fmt.Errorf("quant: reconstruct: %s shape %v, want (%d,%d,%d)", what, shape, c, h, w)
	}

	data := x.Float32s()
	if len(data) < c*h*w {
		return nil, fmt.Errorf("quant: reconstruct: %s tensor has %d values for shape %v", what, len(data), shape)
	}
	return data[:c*h*w], nil
}

var _ models.Engine = (*Engine)(nil)
