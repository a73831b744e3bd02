package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"text/tabwriter"

	"edgeae/dataset"
	"edgeae/metrics"
	"edgeae/models"
	"edgeae/quant"
	"edgeae/score"
	"edgeae/train"
)

func init() {
	register(command{
		name:    "quantize",
		summary: "convert a float32 model to int8, calibrated on its held-out good images",
		run:     runQuantize,
	})
}

// quantizeFlags holds the parsed flags of the quantize command.
type quantizeFlags struct {
	model, data, out string
	opts             quant.Options
}

// runQuantize quantizes a float32 model on the held-out split of its
// training images, prints the accuracy of every int8 layer, recalibrates
// the threshold for the int8 engine and writes the int8 model file.
func runQuantize(ctx context.Context, args []string) error {
	fs := newFlagSet("quantize", "--model MODEL --data DIR --out QMODEL [--method minmax|percentile] [--percentile P] [--workers N]")
	var f quantizeFlags
	fs.StringVar(&f.model, "model", "", "float32 model file to quantize (required)")
	fs.StringVar(&f.data, "data", "", "dataset root in MVTec AD layout; the model's held-out split of train/good calibrates the ranges and the threshold (required)")
	fs.StringVar(&f.out, "out", "", "int8 model file to write (required)")
	fs.StringVar(&f.opts.Method, "method", quant.MethodMinMax, "activation range calibration: minmax (full range) or percentile")
	fs.Float64Var(&f.opts.Percentile, "percentile", quant.DefaultPercentile, "with --method percentile, each activation range spans this percentile of its values and 100 minus it")
	fs.IntVar(&f.opts.Workers, "workers", 0, "goroutines for image loading, calibration and the int8 engine (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.model == "" || f.data == "" || f.out == "" {
		return fmt.Errorf("%w: --model, --data and --out are required", errUsage)
	}
	if f.opts.Method == quant.MethodMinMax {
		f.opts.Percentile = 0
	}
	return quantizeModel(ctx, f, os.Stdout)
}

// quantizeModel runs the quantize command with parsed flags and prints its
// report to w.
func quantizeModel(ctx context.Context, f quantizeFlags, w io.Writer) error {
	meta, tensors, err := models.ReadMeta(f.model)
	if err != nil {
		return err
	}
	net, err := models.NetFromTensors(f.model, meta, tensors)
	if err != nil {
		return err
	}
	floatNormal, err := models.PixelModelFrom(f.model, meta, tensors)
	if err != nil {
		return err
	}
	if !(meta.Training.HoldoutFraction > 0) {
		return fmt.Errorf("quantize: %s records no hold-out fraction, so its held-out images are unknown; retrain it with --holdout above 0", f.model)
	}

	// The held-out split of train/good, exactly as training made it.
	all, err := dataset.Train(f.data)
	if err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	trainSet, held := dataset.Split(all, meta.Training.HoldoutFraction, meta.Training.Seed)
	if len(held) == 0 {
		return fmt.Errorf("quantize: the hold-out split of %d images in %s is empty; add training images", len(all), f.data)
	}
	slog.Info("loading held-out images", "images", len(held), "holdout_fraction", meta.Training.HoldoutFraction, "seed", meta.Training.Seed)
	heldX, err := train.LoadTensors(ctx, held, meta.Preprocess, f.opts.Workers)
	if err != nil {
		return fmt.Errorf("quantize: load held-out images: %w", err)
	}

	qmodel, err := quant.Quantize(net, heldX, f.opts)
	if err != nil {
		return err
	}
	engine, err := quant.NewEngine(qmodel)
	if err != nil {
		return err
	}
	defer engine.Close()
	engine.SetWorkers(f.opts.Workers)

	report, err := quant.Report(net, engine, heldX)
	if err != nil {
		return err
	}
	printSQNR(w, report, len(heldX))

	// A model scored with a per-position normal model gets one fitted on
	// the int8 engine's error maps of the training split, as training
	// fits it on the float32 ones.
	intNormal := floatNormal
	if floatNormal != nil {
		slog.Info("refitting the pixel model on int8 error maps", "images", len(trainSet))
		trainX, err := train.LoadTensors(ctx, trainSet, meta.Preprocess, f.opts.Workers)
		if err != nil {
			return fmt.Errorf("quantize: load training images: %w", err)
		}
		intNormal, err = train.FitPixelModel(engine, meta.Score, meta.Arch, trainX)
		if err != nil {
			return fmt.Errorf("quantize: fit pixel model: %w", err)
		}
	}
	extra := models.PixelModelTensors(&meta, intNormal)

	floatScores, err := train.ScoreAll(net, meta.Score, floatNormal, meta.Arch, heldX)
	if err != nil {
		return fmt.Errorf("quantize: score float32: %w", err)
	}
	intScores, err := train.ScoreAll(engine, meta.Score, intNormal, meta.Arch, heldX)
	if err != nil {
		return fmt.Errorf("quantize: score int8: %w", err)
	}
	rho, err := metrics.Spearman(floatScores, intScores)
	if err != nil {
		slog.Warn("Spearman correlation of int8 and float32 scores is undefined", "err", err)
		rho = math.NaN()
	}

	quantile, margin := meta.Calibration.Quantile, meta.Calibration.Margin
	if quantile == 0 {
		quantile, margin = score.DefaultQuantile, score.DefaultMargin
		slog.Warn("the model records no calibration quantile; using the defaults", "quantile", quantile, "margin", margin)
	}
	floatThreshold := meta.Threshold
	threshold, stats, err := score.Calibrate(intScores, quantile, margin)
	if err != nil {
		return fmt.Errorf("quantize: calibrate the int8 threshold on %d held-out images: %w", len(heldX), err)
	}
	meta.Threshold, meta.Calibration = threshold, stats

	if err := quant.Save(f.out, meta, qmodel, extra...); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nSpearman correlation of int8 and float32 scores on %d held-out images: %.4f\n", len(heldX), rho)
	fmt.Fprintf(w, "threshold: float32 %.6g, int8 %.6g (quantile %v, margin %v)\n", floatThreshold, threshold, quantile, margin)
	fmt.Fprintf(w, "wrote %s (int8, %s calibration)\n", f.out, qmodel.Params.Method)
	return nil
}

// printSQNR prints the per-layer accuracy table of quant.Report.
func printSQNR(w io.Writer, report []quant.LayerSQNR, images int) {
	fmt.Fprintf(w, "int8 accuracy against float32 on %d held-out images:\n", images)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tSQNR dB\tmax error\tstep\t")
	for _, r := range report {
		step := "-" // the float32 output has no quantization step
		if r.Scale > 0 {
			step = fmt.Sprintf("%.4g", r.Scale)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.4g\t%s\t\n", r.Name, r.SQNR, r.MaxAbsError, step)
	}
	tw.Flush()
}
