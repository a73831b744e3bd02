package quant

import (
	"math"
	"strings"
	"testing"

	"edgeae/models"
)

func TestQuantizeRejectsBadInput(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 10)
	good := randomImages(arch, 2, 10)

	withNaN := randomImages(arch, 2, 11)
	withNaN[1][37] = float32(math.NaN())
	withInf := randomImages(arch, 1, 12)
	withInf[0][0] = float32(math.Inf(1))

	tests := []struct {
		name   string
		net    *models.Net
		images [][]float32
		opts   Options
		want   string
	}{
		{"no images", net, nil, Options{}, "no calibration images"},
		{"empty list", net, [][]float32{}, Options{}, "no calibration images"},
		{"wrong size", net, [][]float32{make([]float32, 10)}, Options{}, "has 10 values"},
		{"NaN", net, withNaN, Options{}, "image 1: value 37 is NaN"},
		{"infinity", net, withInf, Options{}, "image 0: value 0 is +Inf"},
		{"nil net", nil, good, Options{}, "net is nil"},
		{"unknown method", net, good, Options{Method: "mean"}, `method "mean"`},
		{"percentile too low", net, good, Options{Method: MethodPercentile, Percentile: 40}, "outside (50, 100]"},
		{"percentile above 100", net, good, Options{Method: MethodPercentile, Percentile: 100.5}, "outside (50, 100]"},
		{"percentile NaN", net, good, Options{Method: MethodPercentile, Percentile: math.NaN()}, "outside (50, 100]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Quantize(tt.net, tt.images, tt.opts)
			if err == nil {
				t.Fatalf("Quantize accepted %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestQuantizeRejectsNaNWeights(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 13)
	net.Layers[3].Weight[5] = float32(math.NaN())

	_, err := Quantize(net, randomImages(arch, 1, 13), Options{})
	if err == nil {
		t.Fatal("Quantize accepted a net with a NaN weight")
	}
	if !strings.Contains(err.Error(), "is NaN") {
		t.Errorf("error %q does not name the NaN", err)
	}
}

func TestTensorParams(t *testing.T) {
	tests := []struct {
		name     string
		lo, hi   float64
		wantMin  float64
		wantMax  float64
		wantZero int32
	}{
		{"ReLU output", 0, 2.55, 0, 2.55, -128},
		{"symmetric", -1.28, 1.27, -1.28, 1.27, 0},
		{"negative only", -3, -1, -3, 0, 127},
		{"positive only", 0.5, 2, 0, 2, -128},
		{"all zero", 0, 0, 0, minSpan, -128},
		{"constant positive", 0.7, 0.7, 0, 0.7, -128},
		{"constant negative", -0.2, -0.2, -0.2, 0, 127},
		{"tiny span", -1e-9, 1e-9, -1e-9, -1e-9 + minSpan, -128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tensorParams(tt.lo, tt.hi)
			if p.Min != tt.wantMin || math.Abs(p.Max-tt.wantMax) > 1e-15 {
				t.Errorf("range [%v, %v], want [%v, %v]", p.Min, p.Max, tt.wantMin, tt.wantMax)
			}
			if p.ZeroPoint != tt.wantZero {
				t.Errorf("zero point %d, want %d", p.ZeroPoint, tt.wantZero)
			}
			if want := (p.Max - p.Min) / 255; p.Scale != want || !(p.Scale > 0) {
				t.Errorf("scale %v, want %v > 0", p.Scale, want)
			}
			if got := p.Dequantize(int8(p.ZeroPoint)); got != 0 {
				t.Errorf("zero point dequantizes to %v, want exactly 0", got)
			}
		})
	}
}

func TestQuantizeDeadLayer(t *testing.T) {
	// Zero weights and negative biases make every output of the first
	// convolution negative, so its ReLU output is constant 0: a degenerate
	// range that falls back to [0, minSpan].
	arch := tinyArch()
	net := newNet(t, arch, 14)
	first := net.Layers[0]
	for i := range first.Weight {
		first.Weight[i] = 0
	}
	for i := range first.Bias {
		first.Bias[i] = -0.5
	}
	images := randomImages(arch, 3, 14)
	m := quantizeNet(t, net, images, Options{})

	out := m.Params.Layers[0].Output
	if out.Min != 0 || out.Max != minSpan || out.ZeroPoint != -128 {
		t.Errorf("dead layer output %+v, want range [0, %v] with zero point -128", out, minSpan)
	}
	for o, s := range m.Params.Layers[0].WeightScales {
		if s != 1 {
			t.Errorf("weight scale of all-zero channel %d = %v, want 1", o, s)
		}
	}

	engine := startEngine(t, m, 2, 64)
	for n, x := range images {
		want := reconstruct(t, net, arch, x)
		got := reconstruct(t, engine, arch, x)
		if worst, at := maxAbsDiff(got, want); !(worst < 1e-3) {
			t.Errorf("image %d: output[%d] = %v, float32 %v", n, at, got[at], want[at])
		}
	}
}

func TestPercentileRange(t *testing.T) {
	// 10000 values 0, 1, ..., 9999 over [0, 9999].
	r := valueRange{min: 0, max: 9999}
	histogram := make([]int64, histogramBins)
	values := make([]float32, 10000)
	for i := range values {
		values[i] = float32(i)
	}
	addToHistogram(histogram, values, r)
	binWidth := r.max / histogramBins

	tests := []struct {
		percentile       float64
		wantMin, wantMax float64
	}{
		{100, 0, 9999},
		{99, 99, 9899},
		{90, 999, 8999},
	}
	for _, tt := range tests {
		got := percentileRange(histogram, int64(len(values)), r, tt.percentile)
		if got.min > tt.wantMin || got.min < tt.wantMin-binWidth {
			t.Errorf("percentile %v: min %v, want within one bin below %v", tt.percentile, got.min, tt.wantMin)
		}
		if got.max < tt.wantMax || got.max > tt.wantMax+binWidth {
			t.Errorf("percentile %v: max %v, want within one bin above %v", tt.percentile, got.max, tt.wantMax)
		}
	}
}

func TestQuantizePercentileNarrowsRanges(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 15)
	images := randomImages(arch, 4, 15)
	minmax := quantizeNet(t, net, images, Options{Method: MethodMinMax, Workers: 2})
	percentile := quantizeNet(t, net, images, Options{Method: MethodPercentile, Percentile: 99, Workers: 2})

	if percentile.Params.Method != MethodPercentile || percentile.Params.Percentile != 99 {
		t.Errorf("params record method %q percentile %v, want %q 99", percentile.Params.Method, percentile.Params.Percentile, MethodPercentile)
	}
	narrower := 0
	for i := range minmax.Params.Layers {
		full, clipped := minmax.Params.Layers[i].Output, percentile.Params.Layers[i].Output
		if clipped.Max > full.Max || clipped.Min < full.Min {
			t.Errorf("layer %d: percentile range [%v, %v] exceeds the min-max range [%v, %v]", i, clipped.Min, clipped.Max, full.Min, full.Max)
		}
		if clipped.Max-clipped.Min < full.Max-full.Min {
			narrower++
		}
	}
	if narrower == 0 {
		t.Error("the 99th percentile narrowed no layer's range")
	}

	// The clipped model still runs close to float32.
	engine := startEngine(t, percentile, 1, defaultChunkBytes)
	for n, x := range images {
		want := reconstruct(t, net, arch, x)
		got := reconstruct(t, engine, arch, x)
		if worst, at := maxAbsDiff(got, want); worst > 0.05 {
			t.Errorf("image %d: output[%d] = %v, float32 %v", n, at, got[at], want[at])
		}
	}
}

func TestQuantizeWorkersAgree(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 16)
	images := randomImages(arch, 5, 16)
	for _, method := range []string{MethodMinMax, MethodPercentile} {
		one := quantizeNet(t, net, images, Options{Method: method, Workers: 1})
		three := quantizeNet(t, net, images, Options{Method: method, Workers: 3})
		for i := range one.Params.Layers {
			a, b := one.Params.Layers[i], three.Params.Layers[i]
			if a.Output != b.Output {
				t.Errorf("%s: layer %s output %+v with 1 worker, %+v with 3", method, a.Name, a.Output, b.Output)
			}
		}
	}
}

func TestModelValidate(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 17)
	images := randomImages(arch, 1, 17)

	tests := []struct {
		name   string
		modify func(m *Model)
		want   string
	}{
		{"extra layer", func(m *Model) { m.Params.Layers = append(m.Params.Layers, m.Params.Layers[0]) }, "quantized layers"},
		{"wrong arch", func(m *Model) { m.Arch.Widths = []int{4, 16} }, "does not match the architecture"},
		{"short weights", func(m *Model) { m.Weights[1] = m.Weights[1][:5] }, "weights, want"},
		{"bias count", func(m *Model) { m.Biases[0] = m.Biases[0][:1] }, "biases, want"},
		{"zero scale", func(m *Model) { m.Params.Layers[2].Output.Scale = 0 }, "scale 0"},
		{"zero point", func(m *Model) { m.Params.Layers[3].Output.ZeroPoint = 300 }, "outside [-128, 127]"},
		{"chain", func(m *Model) { m.Params.Layers[1].Input.Scale *= 2 }, "differs from the previous output"},
		{"shift", func(m *Model) { m.Params.Layers[0].Shifts[0] = 40 }, "outside [-31, 30]"},
		{"weight scale", func(m *Model) { m.Params.Layers[0].WeightScales[1] = math.Inf(1) }, "weight scale[1]"},
		{"input scale", func(m *Model) { m.Params.Input.Scale = 0.5; m.Params.Layers[0].Input.Scale = 0.5 }, "model input scale"},
		{"ReLU zero point", func(m *Model) { m.Params.Layers[0].Output.ZeroPoint = 0; m.Params.Layers[1].Input.ZeroPoint = 0 }, "zero point 0, want -128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := quantizeNet(t, net, images, Options{})
			tt.modify(m)
			err := m.Validate()
			if err == nil {
				t.Fatalf("Validate accepted a model with %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if _, err := NewEngine(m); err == nil {
				t.Errorf("NewEngine accepted a model with %s", tt.name)
			}
		})
	}
}
