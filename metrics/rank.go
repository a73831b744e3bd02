package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrOneClass reports labels that are all defective or all good (or
// empty), for which ranking metrics are undefined.
var ErrOneClass = errors.New("only one class present; need both good and defective samples")

// ErrNaN reports a NaN score or value.
var ErrNaN = errors.New("value is NaN")

// checkScores validates equal lengths, no NaN scores and both classes, and
// returns the number of positives and negatives.
func checkScores(name string, scores []float64, labels []bool) (pos, neg int, err error) {
	if len(scores) != len(labels) {
		return 0, 0, fmt.Errorf("metrics: %s: %d scores but %d labels", name, len(scores), len(labels))
	}
	if i := indexNaN(scores); i >= 0 {
		return 0, 0, fmt.Errorf("metrics: %s: score %d: %w", name, i, ErrNaN)
	}

	for _, l := range labels {
		if l {
			pos++
		}
	}
	neg = len(labels) - pos
	if pos == 0 || neg == 0 {
		return pos, neg, fmt.Errorf("metrics: %s: %d defective and %d good samples: %w", name, pos, neg, ErrOneClass)
	}
	return pos, neg, nil
}

// indexNaN returns the index of the first NaN in v, or -1.
func indexNaN(v []float64) int {
	return slices.IndexFunc(v, math.IsNaN)
}

// ranks returns the 1-based ranks of v in ascending order, with tied
// values sharing the mean of the ranks they span. v must not contain NaN.
func ranks(v []float64) []float64 {
	order := make([]int, len(v))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})

	r := make([]float64, len(v))
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && v[order[end]] == v[order[start]] {
			end++
		}

		// Positions start..end-1 hold ranks start+1..end; their mean:
		mean := float64(start+1+end) / 2
		for _, i := range order[start:end] {
			r[i] = mean
		}
		start = end
	}
	return r
}

// AUROC returns the area under the ROC curve of scores for labels (true =
// defective). It equals the Mann-Whitney statistic U / (positives *
// negatives): the probability that a random defective sample scores above
// a random good one, with ties counting one half. It returns ErrOneClass
// when only one class is present and ErrNaN for NaN scores.
func AUROC(scores []float64, labels []bool) (float64, error) {
	pos, neg, err := checkScores("AUROC", scores, labels)
	if err != nil {
		return 0, err
	}

	r := ranks(scores)
	var rankSum float64
	for i, l := range labels {
		if l {
			rankSum += r[i]
		}
	}

	p, n := float64(pos), float64(neg)
	u := rankSum - p*(p+1)/2
	return u / (p * n), nil
}

// AUPR returns the average precision of scores for labels (true =
// defective), the step-wise area under the precision-recall curve:
// sum over thresholds of (R_k - R_{k-1}) * P_k, as scikit-learn's
// average_precision_score computes it. Equal scores form one threshold,
// so ties are neither optimistic nor pessimistic. It returns ErrOneClass
// when only one class is present (with no good samples the value would
// trivially be 1) and ErrNaN for NaN scores.
func AUPR(scores []float64, labels []bool) (float64, error) {
	pos, _, err := checkScores("AUPR", scores, labels)
	if err != nil {
		return 0, err
	}

	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})

	var ap, prevRecall float64
	tp, fp := 0, 0
	for start := 0; start < len(order); {
		end := start
		for end < len(order) && scores[order[end]] == scores[order[start]] {
			if labels[order[end]] {
				tp++
			} else {
				fp++
			}
			end++
		}

		recall := float64(tp) / float64(pos)
		precision := float64(tp) / float64(tp+fp)
		ap += (recall - prevRecall) * precision
		prevRecall = recall
		start = end
	}
	return ap, nil
}

// Spearman returns the Spearman rank correlation of a and b: the Pearson
// correlation of their ranks, with tied values given their average rank.
// It needs at least two pairs, no NaN, and values that are not all equal
// in either slice (the correlation is undefined then).
func Spearman(a, b []float64) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("metrics: Spearman: %d and %d values; need equal lengths", len(a), len(b))
	}
	if len(a) < 2 {
		return 0, fmt.Errorf("metrics: Spearman: %d pairs; need at least 2", len(a))
	}
	if i := indexNaN(a); i >= 0 {
		return 0, fmt.Errorf("metrics: Spearman: a[%d]: %w", i, ErrNaN)
	}
	if i := indexNaN(b); i >= 0 {
		return 0, fmt.Errorf("metrics: Spearman: b[%d]: %w", i, ErrNaN)
	}

	ra, rb := ranks(a), ranks(b)

	// Both rank vectors have mean (n+1)/2.
	mean := float64(len(a)+1) / 2
	var cov, varA, varB float64
	for i := range ra {
		da, db := ra[i]-mean, rb[i]-mean
		cov += da * db
		varA += da * da
		varB += db * db
	}
	if varA == 0 || varB == 0 {
		return 0, fmt.Errorf("metrics: Spearman: all values of one input are equal; the correlation is undefined")
	}
	return cov / math.Sqrt(varA*varB), nil
}

// Quantile returns the q-quantile of values by linear interpolation
// between order statistics (Hyndman and Fan type 7, the default of R and
// NumPy): with the values sorted ascending as
// x[0..n-1] and h = (n-1)*q, the result is x[floor(h)] + (h - floor(h)) *
// (x[floor(h)+1] - x[floor(h)]). It returns NaN when values is empty,
// contains NaN, or q is outside [0, 1]. values is not modified.
func Quantile(values []float64, q float64) float64 {
	if len(values) == 0 || !(q >= 0 && q <= 1) || indexNaN(values) >= 0 {
		return math.NaN()
	}

	x := slices.Clone(values)
	slices.Sort(x)

	h := float64(len(x)-1) * q
	lo := int(math.Floor(h))
	frac := h - float64(lo)
	if frac == 0 {
		return x[lo]
	}
	return x[lo] + frac*(x[lo+1]-x[lo])
}
