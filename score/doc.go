// Package score turns an input image and the autoencoder's reconstruction
// into a per-pixel error map and one image score, and calibrates the
// accept/reject threshold on held-out good images.
//
// Error map: the squared error at each pixel, averaged over the channels,
// then smoothed with a separable Gaussian (standard deviation Sigma pixels,
// kernel radius ceil(3*Sigma), edge values repeated past the border).
//
// Image score (Config.Method):
//   - "mean": the mean squared error over all elements, unsmoothed, the
//     score of the classic reconstruction-error detector;
//   - "max": the maximum of the smoothed map;
//   - "topk": the mean of the ceil(TopK*H*W) largest smoothed values,
//     found with quickselect in expected linear time.
//
// Scorer preallocates every buffer, so scoring a frame on the line does not
// allocate. Calibrate sets the threshold from the scores of good images
// kept out of training (see its rule), Accept applies it, and PixelModel
// optionally normalises error maps by the per-position statistics of good
// images.
package score
