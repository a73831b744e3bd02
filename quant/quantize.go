package quant

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"edgeae/models"
	"edgeae/quant/kernels"
)

// DefaultPercentile is the percentile used by MethodPercentile when
// Options.Percentile is 0.
const DefaultPercentile = 99.99

// minSpan is the narrowest real range an activation gets. A tensor whose
// calibrated range is narrower (all zeros, typically a ReLU that never
// fires on the calibration images) is widened to [min, min+minSpan], so
// its scale stays positive and its requantization multipliers finite.
const minSpan = 1e-3

// Options selects how Quantize calibrates the activation ranges.
type Options struct {
	// Method is MethodMinMax (the default for "") or MethodPercentile.
	Method string

	// Percentile, in (50, 100], sets the range of MethodPercentile to the
	// (100-Percentile) and Percentile percentiles of each tensor's values
	// over all calibration images. 0 means DefaultPercentile.
	Percentile float64

	// Workers is the number of images traced at once; 0 or less means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// withDefaults fills the zero fields of o and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Method == "" {
		o.Method = MethodMinMax
	}
	switch o.Method {
	case MethodMinMax:
		o.Percentile = 0
	case MethodPercentile:
		if o.Percentile == 0 {
			o.Percentile = DefaultPercentile
		}
		if !(o.Percentile > 50 && o.Percentile <= 100) {
			return o, fmt.Errorf("quant: percentile %v is outside (50, 100]; use for example %v", o.Percentile, DefaultPercentile)
		}
	default:
		return o, fmt.Errorf("quant: calibration method %q is not %q or %q", o.Method, MethodMinMax, MethodPercentile)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}

// Quantize converts net to int8. Weights are quantized per output channel
// and symmetric, biases to int32, and every activation per tensor with the
// range of its values over the calibration images calib (each a C x H x W
// input in [0, 1]). It returns an error for no images, an image of the
// wrong size, a NaN or infinite value in an image or in a traced layer
// output, and a layer whose numbers do not fit the integer formats.
func Quantize(net *models.Net, calib [][]float32, opts Options) (*Model, error) {
	if net == nil {
		return nil, errors.New("quant: quantize: net is nil")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(calib) == 0 {
		return nil, errors.New("quant: no calibration images; pass at least one held-out good image")
	}
	if err := checkImages(net, calib, "calibration image"); err != nil {
		return nil, err
	}

	ranges, err := collectRanges(net, calib, opts)
	if err != nil {
		return nil, err
	}

	m := &Model{
		Arch: net.Arch,
		Params: Params{
			Method:            opts.Method,
			Percentile:        opts.Percentile,
			CalibrationImages: len(calib),
			Input:             TensorParams{Scale: InputScale, ZeroPoint: InputZeroPoint, Min: 0, Max: 1},
		},
	}

	input := m.Params.Input
	convs := convLayers(net)
	for i, p := range expectedLayers(net.Arch) {
		l := net.Layers[convs[i]]
		r := ranges[outputLayer(net, convs[i])]
		p.Input = input
		p.Output = tensorParams(r.min, r.max)

		weights, biases, err := quantizeLayer(&p, l)
		if err != nil {
			return nil, err
		}
		m.Params.Layers = append(m.Params.Layers, p)
		m.Weights = append(m.Weights, weights)
		m.Biases = append(m.Biases, biases)
		input = p.Output
	}

	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// checkImages rejects an image of the wrong size and any value that is NaN
// or infinite; what names the images in errors.
func checkImages(net *models.Net, images [][]float32, what string) error {
	c, h, w := net.InputShape()
	for i, x := range images {
		if len(x) != c*h*w {
			return fmt.Errorf("quant: %s %d has %d values, want %dx%dx%d = %d", what, i, len(x), c, h, w, c*h*w)
		}
		for j, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("quant: %s %d: value %d is %v; check the preprocessing of that image", what, i, j, v)
			}
		}
	}
	return nil
}

// convLayers returns the indices of the convolution and transposed
// convolution layers of net in order.
func convLayers(net *models.Net) []int {
	var convs []int
	for i, l := range net.Layers {
		if l.Kind == models.KindConv3x3 || l.Kind == models.KindConvT3x3S2 {
			convs = append(convs, i)
		}
	}
	return convs
}

// outputLayer returns the index of the float32 layer whose output the
// int8 output of conv layer i represents: the ReLU after it when there is
// one (the ReLU is fused), otherwise the layer itself (before a sigmoid).
func outputLayer(net *models.Net, i int) int {
	if i+1 < len(net.Layers) && net.Layers[i+1].Kind == models.KindReLU {
		return i + 1
	}
	return i
}

// tensorParams returns the quantization of the real range [lo, hi]. The
// range is widened to contain 0, so that zero padding and a fused ReLU map
// to an exact code, and to at least minSpan.
func tensorParams(lo, hi float64) TensorParams {
	lo, hi = min(lo, 0), max(hi, 0)
	if hi-lo < minSpan {
		hi = lo + minSpan
	}

	scale := (hi - lo) / 255
	zero := math.Round(-128 - lo/scale)
	zero = max(-128, min(127, zero))
	return TensorParams{Scale: scale, ZeroPoint: int32(zero), Min: lo, Max: hi}
}

// quantizeLayer fills the weight scales, multipliers and shifts of p from
// the float32 layer l and returns the int8 weights and int32 biases.
func quantizeLayer(p *LayerParams, l *models.Layer) ([]int8, []int32, error) {
	for i, v := range l.Weight {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, fmt.Errorf("quant: layer %s: weight %d is %v; the float32 model is broken", p.Name, i, v)
		}
	}
	for i, v := range l.Bias {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, nil, fmt.Errorf("quant: layer %s: bias %d is %v; the float32 model is broken", p.Name, i, v)
		}
	}

	index := weightIndex(p)
	p.WeightScales = make([]float64, p.Out)
	for o := range p.Out {
		var maxAbs float64
		for i := range p.In {
			for tap := range 9 {
				maxAbs = max(maxAbs, math.Abs(float64(l.Weight[index(o, i, tap)])))
			}
		}
		// An all-zero channel quantizes to zeros with any scale, and 1
		// keeps the bias and the multiplier finite.
		p.WeightScales[o] = 1
		if maxAbs > 0 {
			p.WeightScales[o] = maxAbs / 127
		}
	}

	weights := make([]int8, len(l.Weight))
	for o := range p.Out {
		for i := range p.In {
			for tap := range 9 {
				j := index(o, i, tap)
				q := math.Round(float64(l.Weight[j]) / p.WeightScales[o])
				weights[j] = int8(max(-127, min(127, q)))
			}
		}
	}

	biases := make([]int32, p.Out)
	p.Multipliers = make([]int32, p.Out)
	p.Shifts = make([]int32, p.Out)
	for o := range p.Out {
		accScale := p.Input.Scale * p.WeightScales[o]
		b := math.Round(float64(l.Bias[o]) / accScale)
		if math.Abs(b) > maxBias {
			return nil, nil, fmt.Errorf("quant: layer %s: bias[%d] = %v is %v in accumulator units, beyond ±2^30; the weights of that channel are too small next to its bias",
				p.Name, o, l.Bias[o], b)
		}
		biases[o] = int32(b)

		real := accScale / p.Output.Scale
		if real >= 1<<29 {
			return nil, nil, fmt.Errorf("quant: layer %s: requantization multiplier %v of channel %d is too large; the output range [%v, %v] is too narrow for its weights",
				p.Name, real, o, p.Output.Min, p.Output.Max)
		}
		mult, shift := kernels.QuantizeMultiplier(real)
		p.Multipliers[o], p.Shifts[o] = mult, int32(shift)
	}
	return weights, biases, nil
}

// weightIndex returns the function that maps output channel o, input
// channel i and kernel tap (ky*3+kx) to the index in the float32 weight
// layout of p.
func weightIndex(p *LayerParams) func(o, i, tap int) int {
	if p.Kind == models.KindConv3x3 {
		return func(o, i, tap int) int { return (o*p.In+i)*9 + tap }
	}
	return func(o, i, tap int) int { return (i*p.Out+o)*9 + tap }
}
