package inspect

import (
	"fmt"
	"path/filepath"
	"testing"

	"edgeae/internal/testdata"
	"edgeae/models"
	"edgeae/preprocess"
	"edgeae/quant"
	"edgeae/train"
)

// BenchmarkInspect measures one whole inspection of a real 1024 x 1024
// screw photo for both training presets, with the float32 network and its
// int8 quantization. An inspection is preprocessing (with pose alignment
// where the preset has it), reconstruction and scoring, without decoding.
// Weights are random because the latency does not depend on their values.
// Sub-benchmarks run in one process, so their ratios compare like with
// like.
func BenchmarkInspect(b *testing.B) {
	img, err := preprocess.DecodeFile(filepath.Join(testdata.ScrewDir(b), "train", "good", "000.png"))
	if err != nil {
		b.Fatal(err)
	}

	for _, preset := range []string{train.PresetPaper, train.PresetScrew} {
		cfg, err := train.Preset(preset)
		if err != nil {
			b.Fatal(err)
		}
		net, err := models.New(cfg.Arch, 1)
		if err != nil {
			b.Fatal(err)
		}
		meta := models.Meta{Format: models.FormatFloat32, Arch: cfg.Arch, Preprocess: cfg.Preprocess, Score: cfg.Score, Threshold: 1}

		x := make([]float32, cfg.Preprocess.Len())
		if err := cfg.Preprocess.Tensor(img, x); err != nil {
			b.Fatal(err)
		}
		qm, err := quant.Quantize(net, [][]float32{x}, quant.Options{Method: quant.MethodMinMax})
		if err != nil {
			b.Fatal(err)
		}
		engine, err := quant.NewEngine(qm)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(engine.Close)

		for _, e := range []struct {
			name   string
			engine models.Engine
		}{{"float32", net}, {"int8", engine}} {
			b.Run(fmt.Sprintf("%s/%s", preset, e.name), func(b *testing.B) {
				det, err := New(meta, e.engine, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := det.Inspect(img); err != nil {
					b.Fatal(err)
				}

				b.ResetTimer()
				for range b.N {
					if _, err := det.Inspect(img); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
			})
		}
	}
}
