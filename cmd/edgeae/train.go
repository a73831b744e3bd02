package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"edgeae/preprocess/pose"
	"edgeae/train"
)

func init() {
	register(command{
		name:    "train",
		summary: "train an autoencoder on good images and calibrate its threshold",
		run:     runTrain,
	})
}

// runTrain parses the train flags and runs training.
func runTrain(ctx context.Context, args []string) error {
	presetName := findPreset(args)
	cfg, err := train.Preset(presetName)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	fs := newFlagSet("train", "--data DIR --out MODEL [--preset screw|paper] [flags]")

	fs.String("preset", train.PresetScrew, "starting point for every other default: screw (pose-normalised, the product default) or paper (the reference design: whole frame at 224 px, mean error)")
	fs.StringVar(&cfg.Data, "data", "", "dataset root in MVTec AD layout; train/good is used (required)")
	fs.StringVar(&cfg.Out, "out", "", "model file to write (required)")
	fs.StringVar(&cfg.Checkpoint, "checkpoint", "", "checkpoint file rewritten during training (default OUT.ckpt)")
	fs.IntVar(&cfg.CheckpointEvery, "checkpoint-every", cfg.CheckpointEvery, "epochs between checkpoints")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "training epochs")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per mini-batch")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed for initialisation, split and shuffling")
	fs.IntVar(&cfg.Workers, "workers", 0, "goroutines for training and loading (0 = all cores)")
	fs.Float64Var(&cfg.Holdout, "holdout", cfg.Holdout, "fraction of train/good kept out of training to calibrate the threshold")
	fs.Float64Var(&cfg.Quantile, "quantile", cfg.Quantile, "quantile of held-out good scores used for the threshold")
	fs.Float64Var(&cfg.Margin, "margin", cfg.Margin, "threshold margin, as a fraction of the quantile's distance from the median")

	size := fs.Int("size", 0, "model input width and height in pixels (multiple of 8); overrides the preset's size")
	fs.IntVar(&cfg.Arch.Width, "width", cfg.Arch.Width, "model input width in pixels (multiple of 8)")
	fs.IntVar(&cfg.Arch.Height, "height", cfg.Arch.Height, "model input height in pixels (multiple of 8)")
	fs.IntVar(&cfg.Arch.Channels, "channels", cfg.Arch.Channels, "input channels: 1 (gray) or 3 (RGB)")
	widths := fs.String("widths", joinInts(cfg.Arch.Widths), "encoder channel widths, comma-separated")
	fs.StringVar(&cfg.Preprocess.Resize, "resize", cfg.Preprocess.Resize, "resampling filter: area or bilinear")
	usePose := fs.Bool("pose", cfg.Preprocess.Pose != nil, "align each part to a canonical pose (axis horizontal, head left) before resizing")

	fs.StringVar(&cfg.Score.Method, "score", cfg.Score.Method, "image score: mean, max or topk")
	fs.Float64Var(&cfg.Score.Sigma, "sigma", cfg.Score.Sigma, "Gaussian smoothing of the error map in pixels, for max and topk")
	fs.Float64Var(&cfg.Score.TopK, "topk", cfg.Score.TopK, "fraction of error-map pixels averaged by topk")

	fs.BoolVar(&cfg.PixelModel, "pixel-model", cfg.PixelModel, "score per-position z-scores of the error map against a normal model fitted on the training images")
	fs.Float64Var(&cfg.Augment.Brightness, "aug-brightness", cfg.Augment.Brightness, "largest random brightness offset, in [0, 0.5]")
	fs.Float64Var(&cfg.Augment.Contrast, "aug-contrast", cfg.Augment.Contrast, "largest random relative contrast change, in [0, 0.5]")
	fs.IntVar(&cfg.Augment.Shift, "aug-shift", cfg.Augment.Shift, "largest random translation in pixels")
	fs.BoolVar(&cfg.Augment.FlipV, "aug-flipv", cfg.Augment.FlipV, "mirror half of the images top to bottom")
	fs.Float64Var(&cfg.Augment.Defects, "aug-defects", cfg.Augment.Defects, "probability of pasting synthetic defects into the input (denoising training)")

	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if cfg.Data == "" || cfg.Out == "" {
		return fmt.Errorf("%w: --data and --out are required", errUsage)
	}

	ws, err := parseWidths(*widths)
	if err != nil {
		return fmt.Errorf("%w: --widths: %v", errUsage, err)
	}
	cfg.Arch.Widths = ws
	if *size > 0 {
		cfg.Arch.Width, cfg.Arch.Height = *size, *size
	}
	cfg.Preprocess.Width, cfg.Preprocess.Height = cfg.Arch.Width, cfg.Arch.Height
	cfg.Preprocess.Channels = cfg.Arch.Channels
	switch {
	case !*usePose:
		cfg.Preprocess.Pose = nil
	case cfg.Preprocess.Pose == nil:
		p := pose.DefaultConfig()
		cfg.Preprocess.Pose = &p
	}

	cfg.Progress = os.Stderr
	cfg.Terminal = term.IsTerminal(int(os.Stderr.Fd()))

	_, err = train.Run(ctx, cfg)
	return err
}

// findPreset returns the value of --preset in args, or the default preset.
// It runs before the flags are defined, because the preset sets their
// defaults; the full parse checks the value again.
func findPreset(args []string) string {
	for i, arg := range args {
		if arg == "--" {
			break
		}
		name := strings.TrimLeft(arg, "-")
		if len(name) == len(arg) {
			continue
		}
		if value, ok := strings.CutPrefix(name, "preset="); ok {
			return value
		}
		if name == "preset" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return train.PresetScrew
}

// joinInts formats integers as a comma-separated list.
func joinInts(values []int) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}
