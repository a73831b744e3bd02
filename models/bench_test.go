package models

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkTrainBatch is one TrainBatch (forward + backward) of 8 images
// at 224 x 224 with the default widths, in both multi-core modes.
func BenchmarkTrainBatch(b *testing.B) {
	const batch = 8
	modes := []struct {
		name string
		mode trainMode
	}{{"splitBatch", splitBatch}, {"splitGemm", splitGemm}}
	for _, m := range modes {
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			if workers == 1 && m.mode == splitGemm {
				continue // identical to splitBatch with one worker
			}
			b.Run(fmt.Sprintf("%s/w%d", m.name, workers), func(b *testing.B) {
				n, err := New(DefaultArch(), 1)
				if err != nil {
					b.Fatal(err)
				}
				n.SetWorkers(workers)
				n.parallel = m.mode
				r := rand.New(rand.NewPCG(1, 2))
				in := randUnit(r, batch*n.inSize())
				if _, err := n.TrainBatch(in, in, batch); err != nil { // warm-up: buffers
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := n.TrainBatch(in, in, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}

// BenchmarkReconstruct224 is one Reconstruct of a 224 x 224 frame through
// the tensor boundary ("tensor") and the same work on raw slices ("raw"),
// to show what the gorgonia.org/tensor wrapper costs.
func BenchmarkReconstruct224(b *testing.B) {
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		for _, api := range []string{"tensor", "raw"} {
			b.Run(fmt.Sprintf("w%d/%s", workers, api), func(b *testing.B) {
				n, err := New(DefaultArch(), 1)
				if err != nil {
					b.Fatal(err)
				}
				n.SetWorkers(workers)
				r := rand.New(rand.NewPCG(1, 2))
				srcData, dstData := randUnit(r, n.inSize()), make([]float32, n.inSize())
				src := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(srcData))
				dst := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(dstData))
				run := func() error { return n.Reconstruct(dst, src) }
				if api == "raw" {
					run = func() error { return n.reconstruct(dstData, srcData) }
				}
				if err := run(); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/frame")
			})
		}
	}
}

// BenchmarkTensorBoundary is the per-call cost of the tensor wrapper
// alone: validating two tensors and fetching their backing slices.
func BenchmarkTensorBoundary(b *testing.B) {
	n, _ := New(DefaultArch(), 1)
	x := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(make([]float32, n.inSize())))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := n.single(x, "src"); err != nil {
			b.Fatal(err)
		}
		if _, err := n.single(x, "dst"); err != nil {
			b.Fatal(err)
		}
	}
}
