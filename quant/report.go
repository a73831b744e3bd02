package quant

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gorgonia.org/tensor"

	"edgeae/models"
)

// LayerSQNR is the accuracy of one int8 tensor against its float32
// counterpart over a set of images.
type LayerSQNR struct {
	// Layer is the index in models.Net.Layers of the float32 output
	// compared, or -1 for the network input.
	Layer int

	// Name describes the int8 tensor, for example "enc0.conv+relu" or
	// "enc0.maxpool".
	Name string

	// SQNR is 10·log10(Σ float² / Σ (int8 - float)²) in dB over all values
	// of all images: +Inf when the two agree exactly.
	SQNR float64

	// MaxAbsError is the largest |int8 - float| of a single value.
	MaxAbsError float64

	// Scale is the quantization step of the int8 tensor (0 for the
	// float32 sigmoid output).
	Scale float64
}

// Report runs every image through net (models.Net.Trace) and engine and
// returns the SQNR of each int8 tensor, dequantized, against the float32
// output it stands for. A ReLU is fused into the convolution before it,
// so the int8 tensor of a convolution is compared with the ReLU output
// and the pre-ReLU outputs get no row. The rows are in network order,
// starting with the quantized input. Report runs frames on engine, so it
// must not be used concurrently with it.
func Report(net *models.Net, engine *Engine, images [][]float32) ([]LayerSQNR, error) {
	if net == nil || engine == nil {
		return nil, errors.New("quant: report: net and engine must not be nil")
	}
	if !sameArch(net.Arch, engine.model.Arch) {
		return nil, fmt.Errorf("quant: report: net architecture %+v differs from the engine's %+v; quantize this net first", net.Arch, engine.model.Arch)
	}
	if len(images) == 0 {
		return nil, errors.New("quant: report: no images; pass at least one")
	}
	if err := checkImages(net, images, "report image"); err != nil {
		return nil, err
	}

	rows := reportRows(net, engine)
	for _, op := range engine.convs {
		op.keepOutput = true
	}
	defer func() {
		for _, op := range engine.convs {
			op.keepOutput = false
		}
	}()

	signal := make([]float64, len(rows))
	noise := make([]float64, len(rows))
	c, h, w := net.InputShape()
	output := make([]float32, c*h*w)

	for _, x := range images {
		trace, err := net.Trace(tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(x)))
		if err != nil {
			return nil, fmt.Errorf("quant: report: %w", err)
		}
		engine.reconstruct(output, x)

		for i := range rows {
			r := &rows[i]
			reference := x
			if r.row.Layer >= 0 {
				reference = trace[r.row.Layer].Float32s()
			}
			for j, want := range reference {
				var got float32
				if r.codes != nil {
					got = r.params.Dequantize(r.codes[r.index(j, len(reference))])
				} else {
					got = output[j] // the float32 network output
				}
				diff := float64(got) - float64(want)
				signal[i] += float64(want) * float64(want)
				noise[i] += diff * diff
				r.row.MaxAbsError = max(r.row.MaxAbsError, math.Abs(diff))
			}
		}
	}

	report := make([]LayerSQNR, len(rows))
	for i, r := range rows {
		report[i] = r.row
		report[i].SQNR = sqnr(signal[i], noise[i])
	}
	return report, nil
}

// reportRow is one compared tensor: the int8 codes and their quantization,
// or nil codes for the float32 network output.
type reportRow struct {
	row    LayerSQNR
	codes  []int8
	params TensorParams

	// channels is set for pixel-major codes, 0 for channel-major ones.
	channels int
}

// index returns the position in r.codes of value j of a channel-major
// tensor of size values.
func (r *reportRow) index(j, size int) int {
	if r.channels == 0 {
		return j
	}
	pixels := size / r.channels
	return j%pixels*r.channels + j/pixels
}

// reportRows lists the int8 tensors of engine next to the layers of net
// they stand for.
func reportRows(net *models.Net, engine *Engine) []reportRow {
	m := engine.model
	rows := []reportRow{{
		row:      LayerSQNR{Layer: -1, Name: "input", Scale: m.Params.Input.Scale},
		codes:    engine.input,
		params:   m.Params.Input,
		channels: m.Arch.Channels,
	}}

	convs := convLayers(net)
	for i, op := range engine.convs {
		p := op.params
		layer := outputLayer(net, convs[i])
		rows = append(rows, reportRow{
			row:    LayerSQNR{Layer: layer, Name: p.Name + "+relu", Scale: p.Output.Scale},
			codes:  op.out,
			params: p.Output,
		})
		rows = append(rows, reportRow{
			row:      LayerSQNR{Layer: layer + 1, Name: fmt.Sprintf("enc%d.maxpool", i), Scale: p.Output.Scale},
			codes:    op.pooled,
			params:   p.Output,
			channels: p.Out,
		})
	}

	for d, op := range engine.tconvs {
		p := op.params
		conv := convs[len(engine.convs)+d]
		name := p.Name
		if p.ReLU {
			name += "+relu"
		}
		channels := 0
		if op.outPixelMajor {
			channels = p.Out
		}
		rows = append(rows, reportRow{
			row:      LayerSQNR{Layer: outputLayer(net, conv), Name: name, Scale: p.Output.Scale},
			codes:    op.out,
			params:   p.Output,
			channels: channels,
		})
		if p.Sigmoid {
			rows = append(rows, reportRow{row: LayerSQNR{Layer: conv + 1, Name: "sigmoid (float32 output)"}})
		}
	}
	return rows
}

// sqnr returns 10·log10(signal/noise) in dB.
func sqnr(signal, noise float64) float64 {
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(signal/noise)
}

// sameArch reports whether a and b describe the same network.
func sameArch(a, b models.Arch) bool {
	return a.Channels == b.Channels && a.Height == b.Height && a.Width == b.Width && slices.Equal(a.Widths, b.Widths)
}
