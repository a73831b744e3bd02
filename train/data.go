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

// ScoreAll reconstructs each tensor with engine and returns its image score.
func ScoreAll(engine models.Engine, cfg score.Config, arch models.Arch, xs [][]float32) ([]float64, error) {
	scorer, err := score.NewScorer(cfg, arch.Channels, arch.Height, arch.Width)
	if err != nil {
		return nil, err
	}

	size := arch.Channels * arch.Height * arch.Width
	recon := make([]float32, size)
	dst := tensor.New(tensor.WithShape(arch.Channels, arch.Height, arch.Width), tensor.WithBacking(recon))

	scores := make([]float64, len(xs))
	for i, x := range xs {
		src := tensor.New(tensor.WithShape(arch.Channels, arch.Height, arch.Width), tensor.WithBacking(x))
		if err := engine.Reconstruct(dst, src); err != nil {
			return nil, err
		}
		scores[i], _ = scorer.Score(x, recon)
	}
	return scores, nil
}
