package score

import (
	"fmt"
	"math"
)

// maxElements bounds channels*height*width for NewScorer, so the buffer
// sizes cannot overflow int on 32-bit boards.
const maxElements = 1 << 28

// Scorer turns an input image and its reconstruction into an error map and
// an image score. It owns preallocated buffers, so Score does not allocate,
// and it is not safe for concurrent use: give each goroutine its own.
type Scorer struct {
	cfg                     Config
	channels, height, width int

	// kernel holds the Gaussian weights for offsets -radius..radius.
	kernel []float32
	radius int

	// topK is the number of values averaged by "topk".
	topK int

	// normal, when set, turns the smoothed map into per-position z-scores
	// before "max" and "topk".
	normal *PixelModel

	pixel    []float32 // squared error averaged over channels
	blurred  []float32 // horizontal pass of the smoothing
	smoothed []float32 // the returned error map
	scratch  []float32 // reordered by the top-k selection
}

// NewScorer returns a Scorer for C x H x W inputs.
func NewScorer(cfg Config, channels, height, width int) (*Scorer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if channels < 1 || height < 1 || width < 1 {
		return nil, fmt.Errorf("score: new scorer: shape %dx%dx%d (C x H x W) must be at least 1 in every dimension", channels, height, width)
	}
	if channels > maxElements || height*width > maxElements/channels {
		return nil, fmt.Errorf("score: new scorer: shape %dx%dx%d (C x H x W) exceeds %d elements", channels, height, width, maxElements)
	}

	n := height * width
	s := &Scorer{
		cfg:      cfg,
		channels: channels,
		height:   height,
		width:    width,
		pixel:    make([]float32, n),
		blurred:  make([]float32, n),
		smoothed: make([]float32, n),
	}
	s.kernel, s.radius = gaussianKernel(cfg.Sigma)

	if cfg.Method == MethodTopK {
		s.topK = fractionCount(cfg.TopK, n)
		s.scratch = make([]float32, n)
	}
	return s, nil
}

// fractionCount returns ceil(fraction*n), clamped to [1, n]. The product is
// rounded to 9 decimal places first, so 0.07*100 (7.000000000000001 in
// float64) gives 7 and not 8.
func fractionCount(fraction float64, n int) int {
	product := float64(n) * fraction
	rounded := math.Round(product*1e9) / 1e9
	k := int(math.Ceil(rounded))
	return min(max(k, 1), n)
}

// SetPixelModel makes "max" and "topk" score the per-position z-score of
// the smoothed error map under p instead of the map itself; nil turns it
// off. "mean" ignores it.
func (s *Scorer) SetPixelModel(p *PixelModel) error {
	if p == nil {
		s.normal = nil
		return nil
	}

	n := s.height * s.width
	if p.Width != s.width || p.Height != s.height || len(p.Mean) != n || len(p.Std) != n {
		return fmt.Errorf("score: pixel model is %dx%d with %d means and %d deviations, scorer maps are %dx%d",
			p.Width, p.Height, len(p.Mean), len(p.Std), s.width, s.height)
	}
	s.normal = p
	return nil
}

// Check reports why Score would reject input and recon: a length that does
// not match the Scorer's shape, or a NaN or infinite value.
func (s *Scorer) Check(input, recon []float32) error {
	want := s.channels * s.height * s.width
	if len(input) != want || len(recon) != want {
		return fmt.Errorf("score: check: input has %d and reconstruction %d values, want %d for shape %dx%dx%d (C x H x W)", len(input), len(recon), want, s.channels, s.height, s.width)
	}

	for i := range input {
		if !isFinite32(input[i]) || !isFinite32(recon[i]) {
			return fmt.Errorf("score: check: non-finite value at index %d (input %v, reconstruction %v)", i, input[i], recon[i])
		}
	}
	return nil
}

// Score returns the image score of one C x H x W input and its
// reconstruction, and the error map: the squared error averaged over the
// channels, smoothed with the Gaussian of Config.Sigma. The map belongs to
// the Scorer and is overwritten by the next call.
//
// "mean" is the mean squared error over all C*H*W elements, unsmoothed.
// "max" is the maximum of the smoothed map. "topk" is the mean of the
// ceil(TopK*H*W) largest values of the smoothed map.
//
// Score does not return an error, so it fails towards rejecting the part:
// it returns +Inf and a nil map when a slice length does not match the
// shape, and a NaN or infinite value in either slice makes the score +Inf.
// Call Check for the reason.
func (s *Scorer) Score(input, recon []float32) (score float64, errMap []float32) {
	want := s.channels * s.height * s.width
	if len(input) != want || len(recon) != want {
		return math.Inf(1), nil
	}

	sum := s.pixelErrors(input, recon)
	smoothGaussian(s.smoothed, s.pixel, s.blurred, s.width, s.height, s.kernel, s.radius)
	if s.normal != nil && s.cfg.Method != MethodMean {
		// SetPixelModel checked that the model matches the map size, the
		// only error Normalize returns.
		_ = s.normal.Normalize(s.smoothed, s.smoothed)
	}

	switch s.cfg.Method {
	case MethodMean:
		score = sum / float64(want)
	case MethodMax:
		score = float64(maxValue(s.smoothed))
	default:
		copy(s.scratch, s.smoothed)
		score = meanOfLargest(s.scratch, s.topK)
	}
	return score, s.smoothed
}

// pixelErrors fills s.pixel with the squared error averaged over channels
// and returns the sum of all squared errors. A NaN error becomes +Inf so
// that every comparison downstream (maximum, selection) stays ordered.
func (s *Scorer) pixelErrors(input, recon []float32) float64 {
	n := s.height * s.width
	clear(s.pixel)

	var sum float64
	for c := 0; c < s.channels; c++ {
		in := input[c*n : (c+1)*n]
		out := recon[c*n : (c+1)*n]
		for i := range s.pixel {
			d := in[i] - out[i]
			e := float32(d * d) // rounded product: no fused multiply-add
			if e != e {
				e = float32(math.Inf(1))
			}
			s.pixel[i] += e
			sum += float64(e)
		}
	}

	if s.channels > 1 {
		inv := 1 / float32(s.channels)
		for i := range s.pixel {
			s.pixel[i] *= inv
		}
	}
	return sum
}

// isFinite32 reports whether v is neither NaN nor infinite.
func isFinite32(v float32) bool {
	return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0)
}
