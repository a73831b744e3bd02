package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"edgeae/models"
)

// tinyArch is the small architecture of most tests: one 16x16 channel and
// widths 4 and 8.
func tinyArch() models.Arch {
	return models.Arch{Channels: 1, Height: 16, Width: 16, Widths: []int{4, 8}}
}

// newNet builds a float32 net with PyTorch-style random weights.
func newNet(t testing.TB, arch models.Arch, seed int64) *models.Net {
	t.Helper()
	net, err := models.New(arch, seed)
	if err != nil {
		t.Fatalf("models.New(%+v): %v", arch, err)
	}
	net.SetWorkers(1)
	return net
}

// randomImages returns count smooth images of the arch's input size with
// noise, every value a multiple of 1/255 as an 8-bit camera frame scaled
// by preprocessing would be.
func randomImages(arch models.Arch, count int, seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	size := arch.Channels * arch.Height * arch.Width
	images := make([][]float32, count)
	for n := range images {
		x := make([]float32, size)
		fx, fy := 1+3*rng.Float64(), 1+3*rng.Float64()
		phase := 2 * math.Pi * rng.Float64()
		for i := range x {
			px := float64(i % arch.Width)
			py := float64(i / arch.Width % arch.Height)
			v := 0.5 + 0.35*math.Sin(fx*px/float64(arch.Width)*2*math.Pi+phase)*math.Cos(fy*py/float64(arch.Height)*2*math.Pi)
			v += 0.1 * (rng.Float64() - 0.5)
			v = max(0, min(1, v))
			x[i] = float32(math.Round(v*255) / 255)
		}
		images[n] = x
	}
	return images
}

// quantizeNet quantizes net on images with the given options.
func quantizeNet(t testing.TB, net *models.Net, images [][]float32, opts Options) *Model {
	t.Helper()
	m, err := Quantize(net, images, opts)
	if err != nil {
		t.Fatalf("Quantize: %v", err)
	}
	return m
}

// startEngine builds an engine with the given workers and chunk size and
// stops its goroutines when the test ends.
func startEngine(t testing.TB, m *Model, workers, chunkBytes int) *Engine {
	t.Helper()
	e, err := newEngine(m, chunkBytes)
	if err != nil {
		t.Fatalf("newEngine: %v", err)
	}
	e.SetWorkers(workers)
	t.Cleanup(e.Close)
	return e
}

// imageTensor wraps one image as a (C, H, W) tensor.
func imageTensor(arch models.Arch, x []float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(arch.Channels, arch.Height, arch.Width), tensor.WithBacking(x))
}

// reconstruct runs one image through engine and returns a new output.
func reconstruct(t testing.TB, engine models.Engine, arch models.Arch, x []float32) []float32 {
	t.Helper()
	out := make([]float32, len(x))
	if err := engine.Reconstruct(imageTensor(arch, out), imageTensor(arch, x)); err != nil {
		t.Fatalf("Reconstruct: %v", err)
	}
	return out
}

// quantizeValues returns the codes of float values x with params p,
// rounded to nearest and saturated.
func quantizeValues(x []float32, p TensorParams) []int8 {
	codes := make([]int8, len(x))
	for i, v := range x {
		q := math.Round(float64(v)/p.Scale) + float64(p.ZeroPoint)
		codes[i] = int8(max(-128, min(127, q)))
	}
	return codes
}

// patchSums returns the largest sum of |x| and of x² over the In x 3 x 3
// neighbourhood of any pixel of the channel-major input x. Every output of
// a 3x3 convolution, and of a 3x3 transposed convolution, reads inputs
// from such a neighbourhood only.
func patchSums(x []float32, p *LayerParams) (absSum, squareSum float64) {
	h, w := p.InH, p.InW
	for y := range h {
		for xx := range w {
			var a, s float64
			for c := range p.In {
				for iy := max(0, y-1); iy <= min(h-1, y+1); iy++ {
					for ix := max(0, xx-1); ix <= min(w-1, xx+1); ix++ {
						v := float64(x[(c*h+iy)*w+ix])
						a += math.Abs(v)
						s += v * v
					}
				}
			}
			absSum, squareSum = max(absSum, a), max(squareSum, s)
		}
	}
	return absSum, squareSum
}

// layerErrorBound returns a worst-case bound on the error of every int8
// output of layer p whose float32 input is x, when the int8 input differs
// from x by at most inErr. Per output value:
//
//	|Σŵx̂ - Σwx| ≤ ‖ŵ‖₁·inErr + (s_w/2)·Σ|x| + s_in·s_w/2
//
// for the input, the weight and the bias rounding, plus one output step:
// half for rounding to a code and half for the clipping at the edge of a
// range whose zero point was rounded. The fixed-point multiplier adds a
// relative error of 2^-31, far inside that step. ReLU, max-pool and
// clipping to a range that contains the float value do not increase the
// error.
func layerErrorBound(p *LayerParams, weights []int8, x []float32, inErr float64) float64 {
	index := weightIndex(p)
	absSum, _ := patchSums(x, p)

	var bound float64
	for o := range p.Out {
		var l1 float64
		for i := range p.In {
			for tap := range 9 {
				l1 += math.Abs(float64(weights[index(o, i, tap)])) * p.WeightScales[o]
			}
		}
		e := l1*inErr + p.WeightScales[o]/2*absSum + p.Input.Scale*p.WeightScales[o]/2
		bound = max(bound, e)
	}
	return bound + p.Output.Scale
}

// layerErrorVariance returns the variance of the error of layer p's int8
// outputs under the usual model of rounding noise. In that model every
// rounding adds an independent error, uniform over one step, of variance
// step²/12, and the input errors of variance inVariance are independent.
func layerErrorVariance(p *LayerParams, weights []int8, x []float32, inVariance float64) float64 {
	index := weightIndex(p)
	_, squareSum := patchSums(x, p)

	var variance float64
	for o := range p.Out {
		var l2 float64
		for i := range p.In {
			for tap := range 9 {
				w := float64(weights[index(o, i, tap)]) * p.WeightScales[o]
				l2 += w * w
			}
		}
		sw := p.WeightScales[o]
		v := l2*inVariance + sw*sw/12*squareSum + math.Pow(p.Input.Scale*sw, 2)/12
		variance = max(variance, v)
	}
	return variance + p.Output.Scale*p.Output.Scale/12
}

// outputErrorBound returns six standard deviations of the error of the
// network output for one image x, whose values are multiples of 1/255 and
// so quantize exactly, with float32 layer outputs trace. It applies
// layerErrorVariance through every layer and the sigmoid, whose slope is
// at most 1/4, and adds float32 rounding of the sigmoid table. ReLU and
// max-pool only shrink errors, so the model overestimates their variance.
func outputErrorBound(net *models.Net, m *Model, x []float32, trace []*tensor.Dense) float64 {
	convs := convLayers(net)
	variance := 0.0
	for i := range m.Params.Layers {
		input := x
		if convs[i] > 0 {
			input = trace[convs[i]-1].Float32s()
		}
		variance = layerErrorVariance(&m.Params.Layers[i], m.Weights[i], input, variance)
	}
	return 6*math.Sqrt(variance)/4 + 1e-6
}

// toPixelMajor reorders channel-major codes (channels x pixels) to
// pixel-major.
func toPixelMajor(codes []int8, channels int) []int8 {
	pixels := len(codes) / channels
	out := make([]int8, len(codes))
	for c := range channels {
		for j := range pixels {
			out[j*channels+c] = codes[c*pixels+j]
		}
	}
	return out
}

// toChannelMajor reorders pixel-major codes to channel-major.
func toChannelMajor(codes []int8, channels int) []int8 {
	pixels := len(codes) / channels
	out := make([]int8, len(codes))
	for c := range channels {
		for j := range pixels {
			out[c*pixels+j] = codes[j*channels+c]
		}
	}
	return out
}

// maxAbsDiff returns the largest |a[i] - b[i]| and its index.
func maxAbsDiff(a, b []float32) (float64, int) {
	worst, at := 0.0, -1
	for i := range a {
		if d := math.Abs(float64(a[i]) - float64(b[i])); d > worst || at < 0 {
			worst, at = d, i
		}
	}
	return worst, at
}
