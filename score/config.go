package score

// Config selects how an error map becomes an image score. It is stored in
// the model file next to the calibrated threshold.
type Config struct {
	// Method is "mean" (mean squared error over the whole map), "max"
	// (maximum of the smoothed map) or "topk" (mean of the largest TopK
	// fraction of smoothed values).
	Method string `json:"method"`

	// Sigma is the Gaussian smoothing radius in pixels applied before
	// "max" and "topk"; 0 disables smoothing.
	Sigma float64 `json:"sigma"`

	// TopK is the fraction of pixels averaged by "topk", in (0, 1].
	TopK float64 `json:"topk"`
}
