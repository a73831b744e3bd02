package quant

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"gorgonia.org/tensor"

	"edgeae/models"
)

// histogramBins is the resolution of the percentile histograms: the
// percentile range is exact to (max-min)/histogramBins.
const histogramBins = 1 << 13

// valueRange is the calibrated range of one layer output.
type valueRange struct {
	min, max float64
}

// layerStats accumulates one worker's view of every layer output.
type layerStats struct {
	ranges     []valueRange
	histograms [][]int64 // per layer, nil until the second pass
	counts     []int64
}

// collectRanges traces every calibration image through net and returns the
// range of each layer's output, indexed like net.Layers: min and max over
// all values, or the percentiles of opts.Method. Images are traced by
// opts.Workers clones of net at once.
func collectRanges(net *models.Net, calib [][]float32, opts Options) ([]valueRange, error) {
	layers := len(net.Layers)
	workers := min(opts.Workers, len(calib))
	clones := make([]*models.Net, workers)
	for w := range clones {
		clones[w] = net.Clone()
		clones[w].SetWorkers(1)
	}

	// Pass 1: min and max, and a check for NaN and infinity.
	stats, err := traceAll(clones, calib, func(s *layerStats) {
		s.ranges = make([]valueRange, layers)
		for i := range s.ranges {
			s.ranges[i] = valueRange{min: math.Inf(1), max: math.Inf(-1)}
		}
	}, func(s *layerStats, image int, outputs []*tensor.Dense) error {
		for i, out := range outputs {
			for j, v := range out.Float32s() {
				x := float64(v)
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return fmt.Errorf("quant: calibration image %d: layer %d (%s) output %d is %v; the float32 model is broken or the image is out of range",
						image, i, net.Layers[i].Kind, j, v)
				}
				s.ranges[i].min = min(s.ranges[i].min, x)
				s.ranges[i].max = max(s.ranges[i].max, x)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	ranges := stats[0].ranges
	for _, s := range stats[1:] {
		for i, r := range s.ranges {
			ranges[i].min = min(ranges[i].min, r.min)
			ranges[i].max = max(ranges[i].max, r.max)
		}
	}
	if opts.Method == MethodMinMax {
		return ranges, nil
	}

	// Pass 2: histograms over [min, max] for the percentiles.
	stats, err = traceAll(clones, calib, func(s *layerStats) {
		s.histograms = make([][]int64, layers)
		s.counts = make([]int64, layers)
		for i := range s.histograms {
			s.histograms[i] = make([]int64, histogramBins)
		}
	}, func(s *layerStats, _ int, outputs []*tensor.Dense) error {
		for i, out := range outputs {
			addToHistogram(s.histograms[i], out.Float32s(), ranges[i])
			s.counts[i] += int64(out.Shape().TotalSize())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	for i := range ranges {
		histogram := stats[0].histograms[i]
		count := stats[0].counts[i]
		for _, s := range stats[1:] {
			for b, n := range s.histograms[i] {
				histogram[b] += n
			}
			count += s.counts[i]
		}
		ranges[i] = percentileRange(histogram, count, ranges[i], opts.Percentile)
	}
	return ranges, nil
}

// traceAll runs Trace on every image with one goroutine per clone, calls
// visit with each image's layer outputs and returns the per-goroutine
// stats made by setup. The first error stops the remaining images.
func traceAll(clones []*models.Net, images [][]float32, setup func(*layerStats),
	visit func(s *layerStats, image int, outputs []*tensor.Dense) error) ([]*layerStats, error) {
	c, h, w := clones[0].InputShape()
	stats := make([]*layerStats, len(clones))
	errs := make([]error, len(clones))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup

	for worker, net := range clones {
		stats[worker] = &layerStats{}
		setup(stats[worker])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(images) {
					return
				}
				x := tensor.New(tensor.WithShape(c, h, w), tensor.WithBacking(images[i]))
				outputs, err := net.Trace(x)
				if err == nil {
					err = visit(stats[worker], i, outputs)
				}
				if err != nil {
					errs[worker] = err
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()

	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return stats, nil
}

// addToHistogram counts values into equal bins over r.
func addToHistogram(histogram []int64, values []float32, r valueRange) {
	width := (r.max - r.min) / float64(len(histogram))
	if width <= 0 {
		histogram[0] += int64(len(values))
		return
	}
	last := len(histogram) - 1
	for _, v := range values {
		b := int((float64(v) - r.min) / width)
		histogram[max(0, min(last, b))]++
	}
}

// percentileRange returns the (100-p) and p percentiles of the count values
// in histogram over r, rounded outwards to bin edges.
func percentileRange(histogram []int64, count int64, r valueRange, p float64) valueRange {
	width := (r.max - r.min) / float64(len(histogram))
	if width <= 0 || count == 0 {
		return r
	}

	lowRank := max(1, int64(math.Ceil((100-p)/100*float64(count))))
	highRank := max(1, int64(math.Ceil(p/100*float64(count))))

	var out valueRange
	var seen int64
	lowFound := false
	for b, n := range histogram {
		seen += n
		if !lowFound && seen >= lowRank {
			out.min = r.min + float64(b)*width
			lowFound = true
		}
		if seen >= highRank {
			out.max = min(r.max, r.min+float64(b+1)*width)
			break
		}
	}
	return out
}
