package metrics

// Confusion holds the counts of a binary decision, with defective as the
// positive class.
type Confusion struct {
	TP int // defective, predicted defective
	FP int // good, predicted defective
	TN int // good, predicted good
	FN int // defective, predicted good
}

// Confuse counts the decisions "score > threshold means defective" against
// labels (true = defective). A NaN score compares false and so counts as
// predicted good. Only the first min(len(scores), len(labels)) pairs are
// counted.
func Confuse(scores []float64, labels []bool, threshold float64) Confusion {
	var c Confusion
	n := min(len(scores), len(labels))
	for i := range n {
		predicted := scores[i] > threshold
		switch {
		case predicted && labels[i]:
			c.TP++
		case predicted:
			c.FP++
		case labels[i]:
			c.FN++
		default:
			c.TN++
		}
	}
	return c
}

// ratio returns num/den, and 0 when den is 0.
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// Precision returns TP / (TP + FP), and 0 when nothing was predicted
// defective.
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall returns TP / (TP + FN), and 0 when no sample is defective.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 returns the harmonic mean of precision and recall, computed as
// 2TP / (2TP + FP + FN), and 0 when TP, FP and FN are all 0.
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

// Accuracy returns (TP + TN) / total, and 0 when there are no samples.
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.FP+c.TN+c.FN) }
