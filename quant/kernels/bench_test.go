package kernels

import (
	"math/rand/v2"
	"testing"
)

// gemmShape is the GemmS8 of one layer at a 224x224 input.
type gemmShape struct {
	name    string
	m, n, k int
}

// layerShapes follow the default architecture of package models: one gray
// 224x224 channel, an encoder of 3x3 convolutions 1→16→32→64 channels, each
// followed by a 2x2 max-pool, and a decoder of stride-2 transposed
// convolutions 64→32→16→1. Convolutions have m = output channels, n = pixels
// and k = input channels·9 (9 padded to 16). Transposed convolutions have
// m = output channels·9, n = input pixels and k = input channels.
var layerShapes = []gemmShape{
	{"conv1_m16_n50176_k16", 16, 224 * 224, 16},
	{"conv2_m32_n12544_k144", 32, 112 * 112, 144},
	{"conv3_m64_n3136_k288", 64, 56 * 56, 288},
	{"tconv1_m288_n784_k64", 32 * 9, 28 * 28, 64},
	{"tconv2_m144_n3136_k32", 16 * 9, 56 * 56, 32},
	{"tconv3_m9_n12544_k16", 1 * 9, 112 * 112, 16},
}

// benchmarkGemm runs gemm at every layer shape and reports GMAC/s, one
// multiply-accumulate per m·n·k.
func benchmarkGemm(b *testing.B, gemm func(m, n, k int, a []int8, aZero int32, b []int8, bZero int32, c []int32, ldc int)) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, shape := range layerShapes {
		b.Run(shape.name, func(b *testing.B) {
			a := randomS8(rng, shape.m*shape.k)
			bm := randomS8(rng, shape.n*shape.k)
			c := make([]int32, shape.m*shape.n)
			for b.Loop() {
				gemm(shape.m, shape.n, shape.k, a, 0, bm, -3, c, shape.n)
			}
			macs := float64(shape.m) * float64(shape.n) * float64(shape.k) * float64(b.N)
			b.ReportMetric(macs/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}

// BenchmarkGemmS8 measures GemmS8 on each assembly path of this CPU.
func BenchmarkGemmS8(b *testing.B) {
	for _, path := range kernelPaths() {
		if path.name == "generic" {
			continue // BenchmarkGemmS8Generic measures it.
		}
		b.Run(path.name, func(b *testing.B) {
			restore := path.enable()
			defer restore()
			benchmarkGemm(b, GemmS8)
		})
	}
}

// BenchmarkGemmS8Generic measures the pure-Go definition.
func BenchmarkGemmS8Generic(b *testing.B) {
	benchmarkGemm(b, gemmS8Generic)
}

func BenchmarkRequantize(b *testing.B) {
	const channels, n = 32, 112 * 112
	rng := rand.New(rand.NewPCG(23, 24))
	acc := randomAccumulators(rng, channels*n)
	bias := randomAccumulators(rng, channels)
	mult := make([]int32, channels)
	shift := make([]int32, channels)
	for ch := range mult {
		m, s := QuantizeMultiplier(0.001 * float64(ch+1))
		mult[ch], shift[ch] = m, int32(s)
	}
	dst := make([]int8, len(acc))

	for _, path := range kernelPaths() {
		b.Run(path.name, func(b *testing.B) {
			restore := path.enable()
			defer restore()
			for b.Loop() {
				Requantize(dst, acc, bias, mult, shift, -5, -5)
			}
			b.ReportMetric(float64(len(acc))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
	}
}

func BenchmarkIm2colS8(b *testing.B) {
	const channels, size = 16, 112
	rng := rand.New(rand.NewPCG(25, 26))
	src := randomS8(rng, channels*size*size)
	rowLen := channels * 9
	dst := make([]int8, size*size*rowLen)
	for b.Loop() {
		Im2colS8(dst, src, channels, size, size, 3, 3, 1, 1, rowLen, -5)
	}
	b.ReportMetric(float64(len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

func BenchmarkCol2imAddS32(b *testing.B) {
	const channels, size = 16, 56
	rng := rand.New(rand.NewPCG(27, 28))
	col := randomAccumulators(rng, channels*9*size*size)
	dst := make([]int32, channels*4*size*size)
	for b.Loop() {
		Col2imAddS32(dst, col, channels, size, size, 3, 3, 2, 1, 2*size, 2*size)
	}
	b.ReportMetric(float64(len(col))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

func BenchmarkMaxPoolRequantizeS32(b *testing.B) {
	// One 112 x 112 channel of accumulators pooled to 56 x 56 codes.
	const size = 112
	rng := rand.New(rand.NewPCG(29, 30))
	acc := randomAccumulators(rng, size*size)
	mult, shift := QuantizeMultiplier(0.001)
	dst := make([]int8, size/2*size/2)

	for _, path := range kernelPaths() {
		b.Run(path.name, func(b *testing.B) {
			restore := path.enable()
			defer restore()
			for b.Loop() {
				for y := 0; y < size; y += 2 {
					MaxPoolRequantizeS32(dst[y/2*size/2:(y/2+1)*size/2], acc[y*size:(y+1)*size], acc[(y+1)*size:(y+2)*size],
						7, mult, int32(shift), -5, -5)
				}
			}
			b.ReportMetric(float64(len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcodes/s")
		})
	}
}

func BenchmarkGatherRequantizeS2(b *testing.B) {
	// One output row pair per input row of a 56-column input, as in the
	// second transposed convolution of the default architecture.
	const w, rows = 56, 56
	rng := rand.New(rand.NewPCG(31, 32))
	var taps [6][]int32
	for i := range taps {
		taps[i] = randomAccumulators(rng, w)
	}
	init := randomAccumulators(rng, 2*w)
	mult, shift := QuantizeMultiplier(0.001)
	dst := make([]int8, 2*w)

	for _, path := range kernelPaths() {
		b.Run(path.name, func(b *testing.B) {
			restore := path.enable()
			defer restore()
			for b.Loop() {
				for range 2 * rows {
					GatherRequantizeS2(dst, init, &taps, mult, int32(shift), -5, -5)
				}
			}
			b.ReportMetric(float64(2*rows*len(dst))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcodes/s")
		})
	}
}

func BenchmarkIm2colGray3x3S8(b *testing.B) {
	const size = 224
	rng := rand.New(rand.NewPCG(33, 34))
	src := randomS8(rng, size*size)
	dst := make([]int8, size*size*16)

	for _, path := range kernelPaths() {
		b.Run(path.name, func(b *testing.B) {
			restore := path.enable()
			defer restore()
			for b.Loop() {
				Im2colGray3x3S8(dst, src, size, size, 0, size, -5)
			}
			b.ReportMetric(float64(size*size)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpixels/s")
		})
	}
}
