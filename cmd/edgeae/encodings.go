package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/tensor"

	"edgeae/dataset"
	"edgeae/models"
	"edgeae/preprocess"
)

func init() {
	register(command{
		name:    "encodings",
		summary: "compare the encoder's per-class encodings (mean and spread) as a table and bar plot",
		run:     runEncodings,
	})
}

// classEncoding summarises the encodings of one test class.
type classEncoding struct {
	Class string
	N     int

	// Mean is the mean over the class of every latent value.
	Mean []float32

	// MeanValue is the average of Mean's entries, the bar plotted for the
	// class mean encoding.
	MeanValue float64

	// Spread is the mean squared error of the class's encodings to Mean.
	Spread float64

	// GoodDistance is the mean squared difference between Mean and the
	// good class's mean encoding.
	GoodDistance float64
}

// runEncodings encodes every test image with the float32 encoder and
// reports per-class statistics.
func runEncodings(ctx context.Context, args []string) error {
	fs := newFlagSet("encodings", "--data DIR [--model MODEL] [--plot FILE.png]")
	data := fs.String("data", "", "dataset root in MVTec AD layout; test/ is encoded (required)")
	model := fs.String("model", "", "float32 model file (default: the embedded model)")
	plotPath := fs.String("plot", "", "write a grouped bar plot PNG of the mean encoding and spread per class")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("%w: --data is required", errUsage)
	}

	meta, net, err := loadFloatModel(*model)
	if err != nil {
		return err
	}
	samples, err := dataset.Test(*data)
	if err != nil {
		return err
	}

	classes, err := encodeClasses(ctx, meta.Preprocess, net, samples)
	if err != nil {
		return err
	}
	printEncodings(os.Stdout, classes)

	if *plotPath != "" {
		if err := plotEncodings(*plotPath, classes); err != nil {
			return err
		}
		fmt.Printf("plot written to %s\n", *plotPath)
	}
	return nil
}

// loadFloatModel loads a float32 model file or the embedded default.
func loadFloatModel(path string) (models.Meta, *models.Net, error) {
	if path == "" {
		return models.LoadDefault()
	}
	return models.Load(path)
}

// encodeClasses encodes each sample and groups the encodings by class.
func encodeClasses(ctx context.Context, pre preprocess.Config, net *models.Net, samples []dataset.Sample) ([]classEncoding, error) {
	x := make([]float32, pre.Channels*pre.Height*pre.Width)
	src := tensor.New(tensor.WithShape(1, pre.Channels, pre.Height, pre.Width), tensor.WithBacking(x))

	byClass := map[string][][]float32{}
	for _, s := range samples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}

		// As in eval, an image that cannot be read or aligned is reported
		// and left out rather than ending the comparison.
		img, err := preprocess.DecodeFile(s.Path)
		if err == nil {
			err = pre.Tensor(img, x)
		}
		if err != nil {
			slog.Warn("image left out of the encodings", "file", s.Path, "err", err)
			continue
		}

		enc, err := net.Encode(src)
		if err != nil {
			return nil, fmt.Errorf("encodings: %s: %w", s.Path, err)
		}
		vals := enc.Data().([]float32)
		byClass[s.Kind] = append(byClass[s.Kind], append([]float32(nil), vals...))
	}

	names := make([]string, 0, len(byClass))
	for name := range byClass {
		names = append(names, name)
	}
	sort.Strings(names)

	out := make([]classEncoding, 0, len(names))
	for _, name := range names {
		out = append(out, summariseClass(name, byClass[name]))
	}

	for i := range out {
		for _, good := range out {
			if good.Class == "good" {
				out[i].GoodDistance = meanSquared(out[i].Mean, good.Mean)
			}
		}
	}
	return out, nil
}

// summariseClass computes the mean encoding and the spread of one class.
func summariseClass(name string, encs [][]float32) classEncoding {
	mean := make([]float32, len(encs[0]))
	for _, e := range encs {
		for i, v := range e {
			mean[i] += v / float32(len(encs))
		}
	}

	var total, spread float64
	for _, v := range mean {
		total += float64(v)
	}
	for _, e := range encs {
		spread += meanSquared(e, mean)
	}

	return classEncoding{
		Class:     name,
		N:         len(encs),
		Mean:      mean,
		MeanValue: total / float64(len(mean)),
		Spread:    spread / float64(len(encs)),
	}
}

// meanSquared returns the mean squared difference of two vectors.
func meanSquared(a, b []float32) float64 {
	var sum float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return sum / float64(len(a))
}

// printEncodings writes the per-class table.
func printEncodings(w io.Writer, classes []classEncoding) {
	fmt.Fprintf(w, "%-20s %5s %16s %18s %18s\n", "class", "n", "mean encoding", "MSE to class mean", "MSE to good mean")
	for _, c := range classes {
		fmt.Fprintf(w, "%-20s %5d %16.6f %18.6f %18.6f\n", c.Class, c.N, c.MeanValue, c.Spread, c.GoodDistance)
	}
}

// plotEncodings draws the mean encoding and the spread of every class as
// grouped bars and writes the plot as PNG.
func plotEncodings(path string, classes []classEncoding) error {
	p := plot.New()
	p.Title.Text = "Encoder output per test class"
	p.Y.Label.Text = "value"

	means := make(plotter.Values, len(classes))
	spreads := make(plotter.Values, len(classes))
	names := make([]string, len(classes))
	for i, c := range classes {
		means[i], spreads[i], names[i] = c.MeanValue, c.Spread, c.Class
	}

	barWidth := vg.Points(18)
	meanBars, err := plotter.NewBarChart(means, barWidth)
	if err != nil {
		return fmt.Errorf("encodings: plot: %w", err)
	}
	meanBars.Color = plotutil.Color(0)
	meanBars.Offset = -barWidth / 2

	spreadBars, err := plotter.NewBarChart(spreads, barWidth)
	if err != nil {
		return fmt.Errorf("encodings: plot: %w", err)
	}
	spreadBars.Color = plotutil.Color(1)
	spreadBars.Offset = barWidth / 2

	p.Add(meanBars, spreadBars)
	p.Legend.Add("mean encoding", meanBars)
	p.Legend.Add("MSE to class mean", spreadBars)
	p.Legend.Top = true
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.7, float64(len(classes))-0.3

	width := max(5*vg.Inch, vg.Length(len(classes))*1.5*vg.Inch)
	if err := p.Save(width, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("encodings: write plot %s: %w", path, err)
	}
	return nil
}
