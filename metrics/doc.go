// Package metrics computes the detection metrics used by evaluation:
// AUROC, average precision, confusion counts with precision, recall, F1
// and accuracy, Spearman rank correlation and quantiles.
//
// Labels are true for defective parts (the positive class), and higher
// scores mean "more likely defective". Functions that return an error
// reject NaN scores and mismatched lengths instead of producing a number
// that looks valid. They return ErrOneClass when the labels hold only one
// class, because ranking metrics are undefined then.
package metrics
