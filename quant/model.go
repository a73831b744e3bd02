package quant

import (
	"fmt"
	"math"

	"edgeae/models"
)

// Calibration methods accepted in Options.Method.
const (
	MethodMinMax     = "minmax"
	MethodPercentile = "percentile"
)

// Input quantization: the preprocessed input is a float32 in [0, 1], stored
// as q = round(255·x) - 128. An 8-bit image that preprocessing only scales
// by 1/255 is represented exactly. Resampled or filtered pixels fall between
// codes and get a rounding error of at most 1/510.
const (
	InputScale     = 1.0 / 255
	InputZeroPoint = -128
)

// TensorParams is the per-tensor quantization of one activation: a real
// value r is stored as the int8 code q with r = Scale·(q - ZeroPoint).
type TensorParams struct {
	Scale     float64 `json:"scale"`
	ZeroPoint int32   `json:"zero_point"`

	// Min and Max are the calibrated real range, widened to contain 0 and
	// to at least minSpan, that the 256 codes cover.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// Dequantize returns the real value of code q.
func (p TensorParams) Dequantize(q int8) float32 {
	return float32(p.Scale * float64(int32(q)-p.ZeroPoint))
}

// LayerParams is the quantization of one convolution or transposed
// convolution with the activation and pooling fused into it.
type LayerParams struct {
	// Name is the parameter prefix shared with the float32 model file,
	// "enc<i>.conv" or "dec<i>.convt".
	Name string           `json:"name"`
	Kind models.LayerKind `json:"kind"`

	// In, Out, InH and InW are the channel counts and the input size, as in
	// models.Layer.
	In  int `json:"in"`
	Out int `json:"out"`
	InH int `json:"in_h"`
	InW int `json:"in_w"`

	// ReLU is true when a ReLU is fused into the requantization, Pool when a
	// 2x2 max-pool follows on the int8 output, and Sigmoid when the output
	// codes go through the sigmoid table to float32.
	ReLU    bool `json:"relu"`
	Pool    bool `json:"pool"`
	Sigmoid bool `json:"sigmoid"`

	// Input and Output are the activation quantizations. Output covers the
	// value after the fused ReLU and is also the max-pool output's.
	Input  TensorParams `json:"input"`
	Output TensorParams `json:"output"`

	// WeightScales holds the symmetric scale of each output channel: weight
	// = WeightScales[o]·q with q in [-127, 127].
	WeightScales []float64 `json:"weight_scales"`

	// Multipliers and Shifts encode Input.Scale·WeightScales[o]/Output.Scale
	// per output channel in kernels.QuantizeMultiplier form.
	Multipliers []int32 `json:"multipliers"`
	Shifts      []int32 `json:"shifts"`
}

// Params is the JSON part of an int8 model, stored in models.Meta.Quant.
type Params struct {
	// Method and Percentile are the calibration settings used.
	Method     string  `json:"method"`
	Percentile float64 `json:"percentile,omitempty"`

	// CalibrationImages is the number of images the ranges came from.
	CalibrationImages int `json:"calibration_images"`

	// Input is the quantization of the network input.
	Input TensorParams `json:"input"`

	// Layers has one entry per convolution and transposed convolution, in
	// network order.
	Layers []LayerParams `json:"layers"`
}

// Model is a quantized autoencoder: its parameters and its int8 weights.
type Model struct {
	Arch   models.Arch
	Params Params

	// Weights holds the int8 weights of Params.Layers[i] in the float32
	// layout: [Out][In][3][3] for a convolution, [In][Out][3][3] for a
	// transposed convolution.
	Weights [][]int8

	// Biases holds round(bias/(Input.Scale·WeightScales[o])) per output
	// channel, the bias in accumulator units before the input zero point
	// is folded in.
	Biases [][]int32
}

// weightShape returns the float32 layout of a layer's weights.
func weightShape(p *LayerParams) []int {
	if p.Kind == models.KindConv3x3 {
		return []int{p.Out, p.In, 3, 3}
	}
	return []int{p.In, p.Out, 3, 3}
}

// expectedLayers returns the layer geometry the architecture implies, one
// entry per convolution in network order, with names and fusion flags.
func expectedLayers(arch models.Arch) []LayerParams {
	stages := len(arch.Widths)
	var layers []LayerParams

	c, h, w := arch.Channels, arch.Height, arch.Width
	for s := 0; s < stages; s++ {
		out := arch.Widths[s]
		layers = append(layers, LayerParams{
			Name: fmt.Sprintf("enc%d.conv", s), Kind: models.KindConv3x3,
			In: c, Out: out, InH: h, InW: w, ReLU: true, Pool: true,
		})
		c, h, w = out, h/2, w/2
	}

	for d := 0; d < stages; d++ {
		out := arch.Channels
		if d < stages-1 {
			out = arch.Widths[stages-2-d]
		}
		last := d == stages-1
		layers = append(layers, LayerParams{
			Name: fmt.Sprintf("dec%d.convt", d), Kind: models.KindConvT3x3S2,
			In: c, Out: out, InH: h, InW: w, ReLU: !last, Sigmoid: last,
		})
		c, h, w = out, 2*h, 2*w
	}
	return layers
}

// Validate checks that m describes its architecture: layer geometry and
// fusion, parameter lengths, scales, zero points, multipliers and shifts.
// It returns the first problem found.
func (m *Model) Validate() error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("quant: invalid model: %w", err)
	}
	return nil
}

// validate implements Validate with errors that name no package.
func (m *Model) validate() error {
	if err := m.Arch.Validate(); err != nil {
		return err
	}
	want := expectedLayers(m.Arch)
	if len(m.Params.Layers) != len(want) {
		return fmt.Errorf("model has %d quantized layers, architecture %v needs %d", len(m.Params.Layers), m.Arch.Widths, len(want))
	}
	if len(m.Weights) != len(want) || len(m.Biases) != len(want) {
		return fmt.Errorf("model has %d weight and %d bias tensors, want %d of each", len(m.Weights), len(m.Biases), len(want))
	}
	if err := checkTensorParams("input", m.Params.Input); err != nil {
		return err
	}
	if m.Params.Input.Scale != InputScale || m.Params.Input.ZeroPoint != InputZeroPoint {
		return fmt.Errorf("model input scale %v and zero point %d, want %v and %d",
			m.Params.Input.Scale, m.Params.Input.ZeroPoint, InputScale, InputZeroPoint)
	}

	previous := m.Params.Input
	for i := range want {
		p := &m.Params.Layers[i]
		if err := checkLayer(p, &want[i], previous); err != nil {
			return err
		}
		if len(m.Weights[i]) != p.In*p.Out*9 {
			return fmt.Errorf("layer %s: %d weights, want %d", p.Name, len(m.Weights[i]), p.In*p.Out*9)
		}
		if len(m.Biases[i]) != p.Out {
			return fmt.Errorf("layer %s: %d biases, want %d", p.Name, len(m.Biases[i]), p.Out)
		}
		for o, b := range m.Biases[i] {
			if b < -maxBias || b > maxBias {
				return fmt.Errorf("layer %s: bias[%d] = %d is outside ±2^30", p.Name, o, b)
			}
		}
		previous = p.Output
	}
	return nil
}

// maxBias bounds the quantized biases so that folding the input zero point,
// at most 128·127 per product term, keeps them inside int32 for every
// layer of up to 2^16 products per output.
const maxBias = 1 << 30

// checkLayer compares p with the geometry the architecture expects and
// checks its numbers; input is the quantization of the previous output.
func checkLayer(p, want *LayerParams, input TensorParams) error {
	if p.Name != want.Name || p.Kind != want.Kind || p.In != want.In || p.Out != want.Out ||
		p.InH != want.InH || p.InW != want.InW || p.ReLU != want.ReLU || p.Pool != want.Pool || p.Sigmoid != want.Sigmoid {
		return fmt.Errorf("layer %q (%s %d->%d at %dx%d, relu %v, pool %v, sigmoid %v) does not match the architecture, which needs %q (%s %d->%d at %dx%d, relu %v, pool %v, sigmoid %v)",
			p.Name, p.Kind, p.In, p.Out, p.InH, p.InW, p.ReLU, p.Pool, p.Sigmoid,
			want.Name, want.Kind, want.In, want.Out, want.InH, want.InW, want.ReLU, want.Pool, want.Sigmoid)
	}
	if p.In*9 > 1<<16 {
		return fmt.Errorf("layer %s: %d input channels is too many for int32 accumulators", p.Name, p.In)
	}
	if p.Input != input {
		return fmt.Errorf("layer %s: input quantization %+v differs from the previous output's %+v", p.Name, p.Input, input)
	}
	if err := checkTensorParams(p.Name+" output", p.Output); err != nil {
		return err
	}
	if p.ReLU && p.Output.ZeroPoint != -128 {
		return fmt.Errorf("layer %s: fused ReLU output has zero point %d, want -128 (range [0, max])", p.Name, p.Output.ZeroPoint)
	}

	if len(p.WeightScales) != p.Out || len(p.Multipliers) != p.Out || len(p.Shifts) != p.Out {
		return fmt.Errorf("layer %s: %d weight scales, %d multipliers and %d shifts, want %d of each",
			p.Name, len(p.WeightScales), len(p.Multipliers), len(p.Shifts), p.Out)
	}
	for o := range p.Out {
		s := p.WeightScales[o]
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("layer %s: weight scale[%d] = %v, want a finite positive number", p.Name, o, s)
		}
		if p.Multipliers[o] < 0 {
			return fmt.Errorf("layer %s: multiplier[%d] = %d is negative", p.Name, o, p.Multipliers[o])
		}
		if p.Shifts[o] < -31 || p.Shifts[o] > 30 {
			return fmt.Errorf("layer %s: shift[%d] = %d is outside [-31, 30]", p.Name, o, p.Shifts[o])
		}
	}
	return nil
}

// checkTensorParams rejects a scale that is not finite and positive and a
// zero point outside int8.
func checkTensorParams(what string, p TensorParams) error {
	if !(p.Scale > 0) || math.IsInf(p.Scale, 0) {
		return fmt.Errorf("%s scale %v, want a finite positive number", what, p.Scale)
	}
	if p.ZeroPoint < -128 || p.ZeroPoint > 127 {
		return fmt.Errorf("%s zero point %d is outside [-128, 127]", what, p.ZeroPoint)
	}
	return nil
}
