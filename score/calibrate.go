package score

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Calibration defaults and limits.
const (
	// DefaultQuantile is the share of held-out good scores that the
	// threshold must pass before the margin is added. With fewer than 100
	// scores the 0.99 nearest-rank quantile is the largest score, so one
	// unusual good image would set the threshold. A hold-out split of the
	// 320 train/good screw images has far fewer than 100, hence 0.95.
	DefaultQuantile = 0.95

	// DefaultMargin widens the threshold by half the distance from the
	// median to the quantile. For normally distributed scores this puts
	// the threshold at mean + 2.47 standard deviations (1.645 * 1.5), an
	// expected false reject rate of about 0.7 %.
	DefaultMargin = 0.5

	// MinCalibrationScores is the fewest scores Calibrate accepts.
	MinCalibrationScores = 5
)

// Stats summarises the held-out good scores a threshold was calibrated on.
// Quantiles use the nearest-rank definition: the p quantile is the
// smallest score with at least a fraction p of the scores at or below it.
type Stats struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	// Std is the sample standard deviation (divided by N-1).
	Std float64 `json:"std"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`

	// Quantile and Margin are the calibration parameters, QuantileScore
	// the Quantile quantile of the scores.
	Quantile      float64 `json:"quantile"`
	QuantileScore float64 `json:"quantile_score"`
	Margin        float64 `json:"margin"`

	// PassFraction is the share of the calibration scores that Accept
	// passes at the calibrated threshold, at least Quantile.
	PassFraction float64 `json:"pass_fraction"`
}

// Calibrate returns the decision threshold for image scores from the
// scores of held-out good images:
//
//	threshold = Q(q) + margin * (Q(q) - Q(0.5))
//
// where Q is the nearest-rank quantile of goodScores. Q(q) alone already
// passes at least a fraction q of the scores, and a margin >= 0 only raises
// the threshold, so at least a fraction q of the calibration scores pass
// whatever the data. q must be in [0.5, 1] and margin finite and >= 0; see
// DefaultQuantile and DefaultMargin. It returns an error for fewer than
// MinCalibrationScores scores or for any NaN or infinite score.
func Calibrate(goodScores []float64, q, margin float64) (threshold float64, stats Stats, err error) {
	if !(q >= 0.5 && q <= 1) {
		return 0, Stats{}, fmt.Errorf("score: calibrate: quantile %v is outside [0.5, 1]", q)
	}
	if !(margin >= 0) || math.IsInf(margin, 1) {
		return 0, Stats{}, fmt.Errorf("score: calibrate: margin %v must be finite and at least 0", margin)
	}
	if len(goodScores) < MinCalibrationScores {
		return 0, Stats{}, fmt.Errorf("score: calibrate: got %d scores, need at least %d; hold out more good images", len(goodScores), MinCalibrationScores)
	}

	bad, first := 0, -1
	for i, s := range goodScores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			bad++
			if first < 0 {
				first = i
			}
		}
	}
	if bad > 0 {
		return 0, Stats{}, fmt.Errorf("score: calibrate: %d of %d scores are NaN or infinite (first at index %d, value %v); check the model and the images", bad, len(goodScores), first, goodScores[first])
	}

	sorted := slices.Clone(goodScores)
	slices.Sort(sorted)

	stats = describe(sorted)
	stats.Quantile = q
	stats.QuantileScore = nearestRank(sorted, q)
	stats.Margin = margin

	threshold = stats.QuantileScore
	if margin > 0 {
		threshold += margin * (stats.QuantileScore - stats.P50)
	}
	if math.IsInf(threshold, 0) {
		return 0, stats, fmt.Errorf("score: calibrate: threshold overflows float64 (scores span %v to %v)", stats.Min, stats.Max)
	}

	passed := 0
	for _, s := range sorted {
		if Accept(s, threshold) {
			passed++
		}
	}
	stats.PassFraction = float64(passed) / float64(len(sorted))

	if stats.PassFraction < q {
		// The threshold is at least Q(q), so this only fires if that
		// reasoning is broken by a later change.
		return 0, stats, errors.New("score: calibrate: threshold passes fewer than the requested quantile of scores")
	}
	return threshold, stats, nil
}

// Accept reports whether a part with the given score passes the threshold:
// score <= threshold. A NaN score is rejected.
func Accept(score, threshold float64) bool {
	return score <= threshold
}

// describe returns the summary statistics of sorted, a non-empty ascending
// slice.
func describe(sorted []float64) Stats {
	n := len(sorted)

	var sum float64
	for _, s := range sorted {
		sum += s
	}
	mean := sum / float64(n)

	var squares float64
	for _, s := range sorted {
		squares += (s - mean) * (s - mean)
	}
	std := 0.0
	if n > 1 {
		std = math.Sqrt(squares / float64(n-1))
	}

	return Stats{
		N:    n,
		Mean: mean,
		Std:  std,
		Min:  sorted[0],
		Max:  sorted[n-1],
		P50:  nearestRank(sorted, 0.5),
		P95:  nearestRank(sorted, 0.95),
		P99:  nearestRank(sorted, 0.99),
	}
}

// nearestRank returns the p quantile of the ascending slice sorted: the
// element at 1-based rank ceil(p*n).
func nearestRank(sorted []float64, p float64) float64 {
	return sorted[fractionCount(p, len(sorted))-1]
}
