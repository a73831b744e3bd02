package inspect

import (
	"errors"
	"fmt"
	"image"
	"math"
	"time"

	"gorgonia.org/tensor"

	"edgeae/models"
	"edgeae/preprocess"
	"edgeae/score"
)

// ErrNotFinite means the engine produced a NaN or infinite score, so the
// part was not inspected.
var ErrNotFinite = errors.New("score is not finite")

// Detector runs the whole inspection of one image: preprocessing,
// reconstruction, scoring and the threshold decision. It is not safe for
// concurrent use; create one per goroutine.
type Detector struct {
	// Meta is the model file's metadata.
	Meta models.Meta

	engine models.Engine
	scorer *score.Scorer
	input  []float32
	recon  []float32
	src    *tensor.Dense
	dst    *tensor.Dense
}

// New builds a detector from model metadata and an engine whose input
// shape matches the metadata. normal is the model's pixel model, or nil.
func New(meta models.Meta, engine models.Engine, normal *score.PixelModel) (*Detector, error) {
	c, h, w := engine.InputShape()
	pre := meta.Preprocess
	if c != pre.Channels || h != pre.Height || w != pre.Width {
		return nil, fmt.Errorf("inspect: engine input %dx%dx%d does not match preprocessing output %dx%dx%d",
			c, h, w, pre.Channels, pre.Height, pre.Width)
	}

	scorer, err := score.NewScorer(meta.Score, c, h, w)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	if err := scorer.SetPixelModel(normal); err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}

	d := &Detector{
		Meta:   meta,
		engine: engine,
		scorer: scorer,
		input:  make([]float32, c*h*w),
		recon:  make([]float32, c*h*w),
	}
	d.src = tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(d.input))
	d.dst = tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(d.recon))
	return d, nil
}

// Preprocess returns the preprocessing the detector applies.
func (d *Detector) Preprocess() preprocess.Config { return d.Meta.Preprocess }

// Inspect preprocesses img, reconstructs it and scores it. Errors from
// preprocessing (including pose faults such as no part found) and
// non-finite scores mean the part was not inspected.
func (d *Detector) Inspect(img image.Image) (Result, error) {
	start := time.Now()

	if err := d.Meta.Preprocess.Tensor(img, d.input); err != nil {
		return Result{}, fmt.Errorf("inspect: preprocess: %w", err)
	}
	return d.finish(start)
}

// InspectTensor scores an already preprocessed C x H x W tensor.
func (d *Detector) InspectTensor(x []float32) (Result, error) {
	if len(x) != len(d.input) {
		return Result{}, fmt.Errorf("inspect: tensor has %d values, expected %d", len(x), len(d.input))
	}
	start := time.Now()
	copy(d.input, x)
	return d.finish(start)
}

// Input returns the preprocessed tensor of the last inspection, owned by
// the detector.
func (d *Detector) Input() []float32 { return d.input }

// Reconstruction returns the reconstruction of the last inspection, owned
// by the detector.
func (d *Detector) Reconstruction() []float32 { return d.recon }

// finish reconstructs and scores d.input.
func (d *Detector) finish(start time.Time) (Result, error) {
	if err := d.engine.Reconstruct(d.dst, d.src); err != nil {
		return Result{}, fmt.Errorf("inspect: reconstruct: %w", err)
	}

	s, m := d.scorer.Score(d.input, d.recon)
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return Result{}, fmt.Errorf("inspect: %w (%v)", ErrNotFinite, s)
	}

	return Result{
		Score:     s,
		Threshold: d.Meta.Threshold,
		Defective: s > d.Meta.Threshold,
		Map:       m,
		MapWidth:  d.Meta.Preprocess.Width,
		MapHeight: d.Meta.Preprocess.Height,
		Latency:   time.Since(start),
	}, nil
}
