package quant

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"edgeae/models"
)

// macsPerFrame counts the multiply-accumulates of one frame: OutH·OutW·Out·In·9
// per convolution and InH·InW·In·Out·9 per transposed convolution.
func macsPerFrame(net *models.Net) float64 {
	var macs float64
	for _, l := range net.Layers {
		switch l.Kind {
		case models.KindConv3x3:
			macs += float64(l.OutH() * l.OutW() * l.Out * l.In * 9)
		case models.KindConvT3x3S2:
			macs += float64(l.InH * l.InW * l.In * l.Out * 9)
		}
	}
	return macs
}

// BenchmarkReconstruct measures one frame of the default architecture (one
// 224x224 channel, widths 16/32/64, random weights) through the float32
// models.Net and the int8 Engine, on one worker and on GOMAXPROCS workers.
// Each iteration runs one float32 frame and one int8 frame and times them
// apart, so both see the same machine load and their ratio is measured in
// one run. ns/op is the time of the pair.
//
// NOTE: the int8 engine is 2.5 to 3 times faster than float32 on a 2-core AMD
// EPYC with AVX-512 VNNI (docs/BENCHMARKS.md), but only about 1.2x with
// AVX2 alone, where GemmS8 multiplies at about the rate of the float32
// sgemm. The arm64 SDOT path, with four times the multiplies per
// instruction of float32 FMLA, has not been timed on a board.
func BenchmarkReconstruct(b *testing.B) {
	arch := models.DefaultArch()
	net := newNet(b, arch, 1)
	images := randomImages(arch, 2, 1)
	m := quantizeNet(b, net, images, Options{})
	macs := macsPerFrame(net)

	workerCounts := []int{1}
	if n := runtime.GOMAXPROCS(0); n > 1 {
		workerCounts = append(workerCounts, n)
	}

	for _, workers := range workerCounts {
		b.Run(fmt.Sprintf("workers%d", workers), func(b *testing.B) {
			net.SetWorkers(workers)
			engine := startEngine(b, m, workers, defaultChunkBytes)
			src := imageTensor(arch, images[0])
			dst := imageTensor(arch, make([]float32, len(images[0])))
			for _, e := range []models.Engine{net, engine} {
				if err := e.Reconstruct(dst, src); err != nil {
					b.Fatal(err)
				}
			}

			var floatTime, intTime time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				if err := net.Reconstruct(dst, src); err != nil {
					b.Fatal(err)
				}
				middle := time.Now()
				if err := engine.Reconstruct(dst, src); err != nil {
					b.Fatal(err)
				}
				floatTime += middle.Sub(start)
				intTime += time.Since(middle)
			}

			floatSeconds := floatTime.Seconds() / float64(b.N)
			intSeconds := intTime.Seconds() / float64(b.N)
			b.ReportMetric(floatSeconds*1e3, "float32-ms/frame")
			b.ReportMetric(intSeconds*1e3, "int8-ms/frame")
			b.ReportMetric(macs/floatSeconds/1e9, "float32-GMAC/s")
			b.ReportMetric(macs/intSeconds/1e9, "int8-GMAC/s")
			b.ReportMetric(floatSeconds/intSeconds, "speedup")
		})
	}
}
