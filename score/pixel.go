package score

import (
	"fmt"
	"math"
)

// Limits of the pixel model.
const (
	// MinPixelModelMaps is the fewest error maps FitPixelModel accepts,
	// because a standard deviation needs at least two samples.
	MinPixelModelMaps = 2

	// EpsilonFraction sets PixelModel.Eps to this fraction of the mean of
	// Std. Positions where the reconstruction was equally good on every
	// training image have a standard deviation near zero, and without a
	// floor a tiny error there would turn into a huge z-score.
	EpsilonFraction = 0.01

	// minEpsilon keeps Normalize from dividing by zero when Eps is 0 and
	// the standard deviation is 0 (a hand-built model of constant maps).
	minEpsilon = 1e-12
)

// PixelModel is a per-position normal model of the error map over good
// images. Normalize turns a new map into z-scores, so regions that the
// autoencoder reconstructs poorly on good parts too stop dominating the
// image score.
type PixelModel struct {
	Width  int       `json:"width"`
	Height int       `json:"height"`
	Mean   []float32 `json:"mean"`
	// Std is the sample standard deviation (divided by n-1) per position.
	Std []float32 `json:"std"`
	// Eps is added to Std before dividing. FitPixelModel sets it to
	// EpsilonFraction times the mean of Std.
	Eps float32 `json:"eps"`
}

// FitPixelModel fits the per-position mean and standard deviation of maps,
// each a w x h error map of a good image in row-major order.
func FitPixelModel(maps [][]float32, w, h int) (*PixelModel, error) {
	if w < 1 || h < 1 || w > maxElements/h {
		return nil, fmt.Errorf("score: fit pixel model: size %dx%d is invalid (at least 1x1, at most %d pixels)", w, h, maxElements)
	}
	if len(maps) < MinPixelModelMaps {
		return nil, fmt.Errorf("score: fit pixel model: got %d error maps, need at least %d", len(maps), MinPixelModelMaps)
	}

	n := w * h
	for i, m := range maps {
		if len(m) != n {
			return nil, fmt.Errorf("score: fit pixel model: map %d has %d values, want %d for %dx%d", i, len(m), n, w, h)
		}
		for j, v := range m {
			if !isFinite32(v) {
				return nil, fmt.Errorf("score: fit pixel model: map %d has non-finite value %v at index %d", i, v, j)
			}
		}
	}

	// Two passes in float64: the mean, then the squared deviations, which
	// avoids the cancellation of the sum-of-squares formula.
	sum := make([]float64, n)
	for _, m := range maps {
		for j, v := range m {
			sum[j] += float64(v)
		}
	}
	count := float64(len(maps))
	mean := make([]float64, n)
	for j := range mean {
		mean[j] = sum[j] / count
	}

	squares := sum
	clear(squares)
	for _, m := range maps {
		for j, v := range m {
			d := float64(v) - mean[j]
			squares[j] += float64(d * d)
		}
	}

	model := &PixelModel{Width: w, Height: h, Mean: make([]float32, n), Std: make([]float32, n)}
	var stdSum float64
	for j := range mean {
		std := math.Sqrt(squares[j] / (count - 1))
		model.Mean[j] = float32(mean[j])
		model.Std[j] = float32(std)
		stdSum += std
	}
	model.Eps = float32(EpsilonFraction * stdSum / float64(n))
	return model, nil
}

// Normalize writes to dst the z-score (e - Mean) / (Std + Eps) of every
// position of errMap. dst and errMap must both have Width*Height values, and
// dst may be errMap itself. Eps below 1e-12 counts as 1e-12.
func (p *PixelModel) Normalize(dst, errMap []float32) error {
	n := p.Width * p.Height
	if len(p.Mean) != n || len(p.Std) != n {
		return fmt.Errorf("score: normalize: pixel model of %dx%d has %d means and %d deviations, want %d each; refit it", p.Width, p.Height, len(p.Mean), len(p.Std), n)
	}
	if len(dst) != n || len(errMap) != n {
		return fmt.Errorf("score: normalize: got map of %d values and destination of %d, want %d for %dx%d", len(errMap), len(dst), n, p.Width, p.Height)
	}

	eps := max(p.Eps, minEpsilon)
	for i, e := range errMap {
		dst[i] = (e - p.Mean[i]) / (p.Std[i] + eps)
	}
	return nil
}
