package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand"
	"time"

	"edgeae/dataset"
	"edgeae/models"
	"edgeae/models/modelfile"
	"edgeae/preprocess"
	"edgeae/score"
)

// Config holds every training setting. Zero values are replaced by the
// defaults of DefaultConfig where noted.
type Config struct {
	// Data is the dataset root in MVTec AD layout; train/good is used.
	Data string

	// Out is the model file written when training completes.
	Out string

	// Checkpoint is the model file rewritten after every CheckpointEvery
	// epochs; empty means Out + ".ckpt".
	Checkpoint      string
	CheckpointEvery int

	Epochs  int
	Batch   int
	LR      float64
	Seed    int64
	Workers int

	// Holdout is the fraction of train/good kept out of training and used
	// only to calibrate the threshold.
	Holdout float64

	// Quantile and Margin set the threshold rule; see score.Calibrate.
	Quantile float64
	Margin   float64

	Arch       models.Arch
	Preprocess preprocess.Config
	Score      score.Config
	Augment    Augment

	// PixelModel fits a per-position normal model of the error map on the
	// training images after the last epoch and scores z-scores against it
	// (see score.PixelModel). The held-out images still set the threshold.
	PixelModel bool

	// Progress receives the progress bar or plain progress lines; nil
	// discards them. Terminal selects the bar.
	Progress io.Writer
	Terminal bool

	// Log receives structured logs; nil means slog.Default().
	Log *slog.Logger
}

// DefaultConfig returns the reference design's training settings: 100
// epochs, batch 32, Adam with learning rate 0.001, 10% of train/good held out.
func DefaultConfig() Config {
	return Config{
		Epochs:          100,
		Batch:           32,
		LR:              0.001,
		Seed:            1,
		Holdout:         0.1,
		Quantile:        score.DefaultQuantile,
		Margin:          score.DefaultMargin,
		CheckpointEvery: 5,
		Arch:            models.DefaultArch(),
		Preprocess:      preprocess.Config{Width: 224, Height: 224, Channels: 1, Resize: "area"},
		Score:           score.DefaultConfig(),
	}
}

// Result summarises a finished training run.
type Result struct {
	Meta       models.Meta
	Net        *models.Net
	EpochLoss  []float64
	Duration   time.Duration
	HeldScores []float64
}

// ErrNonFinite means the loss became NaN or infinite; no model is written.
var ErrNonFinite = errors.New("loss is not finite")

// Validate checks the settings and names the first invalid one.
func (c Config) Validate() error {
	switch {
	case c.Data == "":
		return errors.New("train: --data is required: the dataset root with train/good")
	case c.Out == "":
		return errors.New("train: --out is required: the model file to write")
	case c.Epochs < 1:
		return fmt.Errorf("train: epochs = %d: must be at least 1", c.Epochs)
	case c.Batch < 1:
		return fmt.Errorf("train: batch = %d: must be at least 1", c.Batch)
	case !(c.LR > 0) || c.LR > 1:
		return fmt.Errorf("train: lr = %g: must be in (0, 1]", c.LR)
	case !(c.Holdout > 0) || c.Holdout >= 1:
		return fmt.Errorf("train: holdout = %g: must be in (0, 1)", c.Holdout)
	case !(c.Quantile >= 0.5) || c.Quantile > 1:
		return fmt.Errorf("train: quantile = %g: must be in [0.5, 1]", c.Quantile)
	case c.Margin < 0:
		return fmt.Errorf("train: margin = %g: must be at least 0", c.Margin)
	}

	if err := c.Arch.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := c.Preprocess.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if c.Preprocess.Width != c.Arch.Width || c.Preprocess.Height != c.Arch.Height || c.Preprocess.Channels != c.Arch.Channels {
		return fmt.Errorf("train: preprocessing output %dx%dx%d does not match the model input %dx%dx%d",
			c.Preprocess.Channels, c.Preprocess.Height, c.Preprocess.Width, c.Arch.Channels, c.Arch.Height, c.Arch.Width)
	}
	if err := c.Score.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return c.Augment.Validate()
}

// Run trains a model, calibrates its threshold on the held-out images and
// writes it to cfg.Out. When ctx is cancelled it stops after the current
// batch and returns ctx.Err(); the last checkpoint file stays intact and
// cfg.Out is not written.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	if cfg.Checkpoint == "" {
		cfg.Checkpoint = cfg.Out + ".ckpt"
	}
	start := time.Now()

	all, err := dataset.Train(cfg.Data)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	trainSet, heldSet := dataset.Split(all, cfg.Holdout, cfg.Seed)
	log.Info("dataset split", "dir", cfg.Data, "train", len(trainSet), "holdout", len(heldSet))

	trainX, err := LoadTensors(ctx, trainSet, cfg.Preprocess, cfg.Workers)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	heldX, err := LoadTensors(ctx, heldSet, cfg.Preprocess, cfg.Workers)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}

	net, err := models.New(cfg.Arch, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if cfg.Workers > 0 {
		net.SetWorkers(cfg.Workers)
	}

	res := &Result{Net: net}
	meta := models.Meta{
		Format:     models.FormatFloat32,
		Arch:       cfg.Arch,
		Preprocess: cfg.Preprocess,
		Score:      cfg.Score,
		Training: models.TrainingInfo{
			Data: cfg.Data, Images: len(trainSet), Holdout: len(heldSet), HoldoutFraction: cfg.Holdout,
			Epochs: cfg.Epochs, Batch: cfg.Batch, LR: cfg.LR, Seed: cfg.Seed,
			Options: cfg.Augment.Describe(),
		},
	}

	if err := fit(ctx, cfg, net, trainX, meta, heldX, res, log, start); err != nil {
		return res, err
	}

	meta, held, extra, err := calibrate(cfg, net, trainX, heldX, meta)
	if err != nil {
		return res, err
	}
	meta.Training.FinalLoss = res.EpochLoss[len(res.EpochLoss)-1]
	meta.Training.Created = time.Now().UTC()
	meta.Training.Duration = time.Since(start).Round(time.Second).String()

	if err := models.Save(cfg.Out, meta, net, extra...); err != nil {
		return res, fmt.Errorf("train: %w", err)
	}
	res.Meta, res.HeldScores, res.Duration = meta, held, time.Since(start)
	log.Info("model written", "file", cfg.Out, "threshold", meta.Threshold, "final_loss", meta.Training.FinalLoss, "duration", meta.Training.Duration)
	return res, nil
}

// fit runs the epochs, writing a calibrated checkpoint every
// cfg.CheckpointEvery epochs.
func fit(ctx context.Context, cfg Config, net *models.Net, trainX [][]float32, meta models.Meta,
	heldX [][]float32, res *Result, log *slog.Logger, start time.Time) error {
	size := cfg.Arch.Channels * cfg.Arch.Height * cfg.Arch.Width
	rng := rand.New(rand.NewSource(cfg.Seed))
	aug := newAugmenter(cfg.Augment, cfg.Arch, rng)
	opt := models.NewAdam(cfg.LR)
	params := net.Params()

	order := make([]int, len(trainX))
	for i := range order {
		order[i] = i
	}
	batches := (len(trainX) + cfg.Batch - 1) / cfg.Batch
	input := make([]float32, cfg.Batch*size)
	target := make([]float32, cfg.Batch*size)
	bar := newProgress(cfg.Progress, cfg.Terminal, cfg.Epochs, batches)

	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

		var sum float64
		for b := 0; b < batches; b++ {
			if err := ctx.Err(); err != nil {
				bar.done()
				log.Warn("training interrupted; the last checkpoint is intact", "epoch", epoch, "checkpoint", cfg.Checkpoint)
				return err
			}

			idx := order[b*cfg.Batch : min((b+1)*cfg.Batch, len(order))]
			n := len(idx)
			for i, k := range idx {
				aug.apply(input[i*size:(i+1)*size], target[i*size:(i+1)*size], trainX[k], trainX)
			}

			loss, err := trainBatch(net, input[:n*size], target[:n*size], n)
			if err != nil {
				return fmt.Errorf("train: epoch %d batch %d: %w", epoch, b+1, err)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				bar.done()
				return fmt.Errorf("train: epoch %d batch %d: %w (%v); lower --lr; no model was written", epoch, b+1, ErrNonFinite, loss)
			}
			opt.Step(params)

			sum += loss * float64(n)
			bar.update(epoch, b+1, sum/float64(b*cfg.Batch+n), time.Since(start))
		}

		epochLoss := sum / float64(len(order))
		res.EpochLoss = append(res.EpochLoss, epochLoss)
		bar.epochDone(epoch, epochLoss, time.Since(start))
		log.Debug("epoch done", "epoch", epoch, "loss", epochLoss)

		if epoch%cfg.CheckpointEvery == 0 && epoch < cfg.Epochs {
			if err := writeCheckpoint(cfg, net, trainX, heldX, meta, epoch, epochLoss); err != nil {
				return err
			}
		}
	}
	bar.done()
	return nil
}

// writeCheckpoint calibrates the current weights and saves them to
// cfg.Checkpoint, replacing the previous checkpoint atomically.
func writeCheckpoint(cfg Config, net *models.Net, trainX, heldX [][]float32, meta models.Meta, epoch int, loss float64) error {
	meta, _, extra, err := calibrate(cfg, net, trainX, heldX, meta)
	if err != nil {
		return err
	}
	meta.Training.Epochs = epoch
	meta.Training.FinalLoss = loss
	meta.Training.Created = time.Now().UTC()

	if err := models.Save(cfg.Checkpoint, meta, net, extra...); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// calibrate fits the pixel model on the training images when enabled,
// scores the held-out good images and sets the threshold. It returns the
// updated metadata, the held-out scores and the pixel model's tensors.
func calibrate(cfg Config, net *models.Net, trainX, heldX [][]float32, meta models.Meta) (models.Meta, []float64, []modelfile.Tensor, error) {
	var normal *score.PixelModel
	if cfg.PixelModel {
		var err error
		normal, err = FitPixelModel(net, cfg.Score, cfg.Arch, trainX)
		if err != nil {
			return meta, nil, nil, fmt.Errorf("train: fit pixel model: %w", err)
		}
	}
	extra := models.PixelModelTensors(&meta, normal)

	scores, err := ScoreAll(net, cfg.Score, normal, cfg.Arch, heldX)
	if err != nil {
		return meta, nil, nil, fmt.Errorf("train: calibrate: %w", err)
	}

	threshold, stats, err := score.Calibrate(scores, cfg.Quantile, cfg.Margin)
	if err != nil {
		return meta, nil, nil, fmt.Errorf("train: calibrate on %d held-out images: %w", len(heldX), err)
	}
	meta.Threshold, meta.Calibration = threshold, stats
	return meta, scores, extra, nil
}

// trainBatch runs one forward and backward pass; tests replace it to inject
// failures.
var trainBatch = (*models.Net).TrainBatch
