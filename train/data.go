package train

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"gorgonia.org/tensor"

	"edgeae/dataset"
	"edgeae/models"
	"edgeae/preprocess"
	"edgeae/score"
)

// LoadTensors decodes and preprocesses every sample into a C x H x W tensor,
// using workers goroutines (0 means GOMAXPROCS). The first failing file
// stops the load and is named in the error.
func LoadTensors(ctx context.Context, samples []dataset.Sample, pre preprocess.Config, workers int) ([][]float32, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	size := pre.Channels * pre.Height * pre.Width
	out := make([][]float32, len(samples))
	errs := make([]error, len(samples))

	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i], errs[i] = loadOne(samples[i].Path, pre, size)
			}
		}()
	}

	for i := range samples {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadOne decodes and preprocesses one image file.
func loadOne(path string, pre preprocess.Config, size int) ([]float32, error) {
	img, err := preprocess.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	x := make([]float32, size)
	if err := pre.Tensor(img, x); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// ScoreAll reconstructs each tensor with engine and returns its image
// score; normal is the pixel model of the score, or nil.
func ScoreAll(engine models.Engine, cfg score.Config, normal *score.PixelModel, arch models.Arch, xs [][]float32) ([]float64, error) {
	scores := make([]float64, len(xs))
	err := eachMap(engine, cfg, normal, arch, xs, func(i int, s float64, _ []float32) {
		scores[i] = s
	})
	return scores, err
}

// FitPixelModel fits the per-position normal model of the smoothed error
// maps of xs, reconstructed by engine.
func FitPixelModel(engine models.Engine, cfg score.Config, arch models.Arch, xs [][]float32) (*score.PixelModel, error) {
	maps := make([][]float32, len(xs))
	err := eachMap(engine, cfg, nil, arch, xs, func(i int, _ float64, m []float32) {
		maps[i] = append([]float32(nil), m...)
	})
	if err != nil {
		return nil, err
	}
	return score.FitPixelModel(maps, arch.Width, arch.Height)
}

// eachMap reconstructs and scores every tensor and passes the score and
// the error map (owned by the scorer) to fn.
func eachMap(engine models.Engine, cfg score.Config, normal *score.PixelModel, arch models.Arch, xs [][]float32,
	fn func(i int, s float64, m []float32)) error {
	scorer, err := score.NewScorer(cfg, arch.Channels, arch.Height, arch.Width)
	if err != nil {
		return err
	}
	if err := scorer.SetPixelModel(normal); err != nil {
		return err
	}

	size := arch.Channels * arch.Height * arch.Width
	recon := make([]float32, size)
	dst := tensor.New(tensor.WithShape(arch.Channels, arch.Height, arch.Width), tensor.WithBacking(recon))

	for i, x := range xs {
		src := tensor.New(tensor.WithShape(arch.Channels, arch.Height, arch.Width), tensor.WithBacking(x))
		if err := engine.Reconstruct(dst, src); err != nil {
			return err
		}
		s, m := scorer.Score(x, recon)
		if m == nil {
			return scorer.Check(x, recon)
		}
		fn(i, s, m)
	}
	return nil
}
