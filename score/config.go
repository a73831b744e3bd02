package score

import (
	"errors"
	"fmt"
	"strings"
)

// Config selects how an error map becomes an image score. It is stored in
// the model file next to the calibrated threshold.
type Config struct {
	// Method is "mean" (mean squared error over the whole map), "max"
	// (maximum of the smoothed map) or "topk" (mean of the largest TopK
	// fraction of smoothed values).
	Method string `json:"method"`

	// Sigma is the standard deviation in pixels of the Gaussian smoothing
	// applied before "max" and "topk"; 0 disables smoothing.
	Sigma float64 `json:"sigma"`

	// TopK is the fraction of pixels averaged by "topk", in (0, 1].
	TopK float64 `json:"topk"`
}

// Score methods accepted in Config.Method.
const (
	MethodMean = "mean"
	MethodMax  = "max"
	MethodTopK = "topk"
)

// maxSigma bounds Config.Sigma. The kernel radius is ceil(3*Sigma), so a
// larger sigma would blur away the small defects the smoothing is for.
const maxSigma = 64

// DefaultConfig returns "topk" over the largest 1 % of the error map
// smoothed with a Gaussian of sigma 2 px. Screw defects (a scratch on the
// head, a dent in one thread turn) cover a small part of the crop, often
// below 1 %. The plain mean spreads them over every pixel, while the mean
// of the largest 1 % keeps them a large share of the score. Averaging that
// many values also keeps one noisy pixel from deciding the score alone, as
// it can with "max". The smoothing sums the evidence of neighbouring
// pixels, so a compact defect outscores isolated noisy pixels of the same
// height.
//
// NOTE: chosen from the size of the defects, not yet compared with "mean"
// and "max" on held-out images.
func DefaultConfig() Config {
	return Config{Method: MethodTopK, Sigma: 2, TopK: 0.01}
}

// Validate reports every invalid field of c in one error.
func (c Config) Validate() error {
	var problems []string

	switch c.Method {
	case MethodMean, MethodMax, MethodTopK:
	default:
		problems = append(problems, fmt.Sprintf("method %q is not one of %q, %q, %q", c.Method, MethodMean, MethodMax, MethodTopK))
	}
	if !(c.Sigma >= 0 && c.Sigma <= maxSigma) {
		problems = append(problems, fmt.Sprintf("sigma %v is outside [0, %d] pixels", c.Sigma, maxSigma))
	}
	if c.Method == MethodTopK && !(c.TopK > 0 && c.TopK <= 1) {
		problems = append(problems, fmt.Sprintf("topk %v is outside (0, 1] (the fraction of pixels averaged)", c.TopK))
	}

	if len(problems) > 0 {
		return errors.New("score: invalid config: " + strings.Join(problems, "; "))
	}
	return nil
}
