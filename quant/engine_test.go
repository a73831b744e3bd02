package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"edgeae/models"
	"edgeae/quant/kernels"
)

func TestEngineMatchesFloat(t *testing.T) {
	arch := tinyArch()
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			net := newNet(t, arch, seed)
			images := randomImages(arch, 6, uint64(seed))
			m := quantizeNet(t, net, images, Options{Workers: 1})
			engine := startEngine(t, m, 1, defaultChunkBytes)
			var sumSquares, sumErrors float64
			for n, x := range images {
				trace, err := net.Trace(imageTensor(arch, x))
				if err != nil {
					t.Fatalf("Trace: %v", err)
				}
				bound := outputErrorBound(net, m, x, trace)
				want := reconstruct(t, net, arch, x)
				got := reconstruct(t, engine, arch, x)
				worst, at := maxAbsDiff(got, want)
				if worst > bound {
					t.Errorf("image %d: output[%d] = %v, float32 %v: error %v exceeds the bound %v", n, at, got[at], want[at], worst, bound)
				}
				for i := range want {
					d := float64(got[i] - want[i])
					sumErrors += d * d
					sumSquares += float64(want[i]) * float64(want[i])
				}
			}

			if got := sqnr(sumSquares, sumErrors); got < 50 {
				t.Errorf("output SQNR = %.1f dB, want at least 50 dB", got)
			}
		})
	}
}

// runOp runs every phase of one layer's op on a single scratch.
func runOp(engine *Engine, layer int, dst []float32) {
	s := &scratch{cols: make([]int8, 1<<20), acc: make([]int32, 1<<20)}
	if layer < len(engine.convs) {
		op := engine.convs[layer]
		op.keepOutput = true
		for chunk := range op.chunks() {
			op.run(s, chunk)
		}
		op.keepOutput = false
		return
	}

	op := engine.tconvs[layer-len(engine.convs)]
	op.dst = dst
	for chunk := range op.gemmChunks() {
		op.runGemm(s, chunk)
	}
	for o := range op.params.Out {
		op.runCol2im(s, o)
	}
	op.dst = nil
}

func TestLayersMatchFloat(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 4)
	images := randomImages(arch, 4, 4)
	m := quantizeNet(t, net, images, Options{Workers: 1})
	engine := startEngine(t, m, 1, 256)
	convs := convLayers(net)

	for n, x := range images {
		trace, err := net.Trace(imageTensor(arch, x))
		if err != nil {
			t.Fatalf("Trace: %v", err)
		}

		for i := range m.Params.Layers {
			p := &m.Params.Layers[i]

			// Feed the op its float32 input quantized with its own input
			// parameters, so only this layer's error is measured.
			input := x
			if convs[i] > 0 {
				input = trace[convs[i]-1].Float32s()
			}
			codes := quantizeValues(input, p.Input)
			if i < len(engine.convs) {
				copy(engine.convs[i].in, toPixelMajor(codes, p.In))
			} else {
				copy(engine.tconvs[i-len(engine.convs)].in, toPixelMajor(codes, p.In))
			}

			sigmoid := make([]float32, arch.Channels*arch.Height*arch.Width)
			runOp(engine, i, sigmoid)

			var out []int8
			if i < len(engine.convs) {
				out = engine.convs[i].out
			} else if op := engine.tconvs[i-len(engine.convs)]; op.outPixelMajor {
				out = toChannelMajor(op.out, p.Out)
			} else {
				out = op.out
			}
			want := trace[outputLayer(net, convs[i])].Float32s()
			got := make([]float32, len(out))
			for j, q := range out {
				got[j] = p.Output.Dequantize(q)
			}

			bound := layerErrorBound(p, m.Weights[i], input, p.Input.Scale/2)
			if worst, at := maxAbsDiff(got, want); worst > bound {
				t.Errorf("image %d, layer %s: output[%d] = %v, float32 %v: error %v exceeds the bound %v",
					n, p.Name, at, got[at], want[at], worst, bound)
			}

			if p.Pool {
				// Pooling the accumulators before requantization gives
				// exactly the max-pool of the requantized codes.
				pooled := toChannelMajor(engine.convs[i].pooled, p.Out)
				direct := make([]int8, len(pooled))
				kernels.MaxPool2x2S8(direct, out, p.Out, p.InH, p.InW)
				if !slices.Equal(pooled, direct) {
					t.Errorf("image %d, layer %s: pooled codes differ from the max-pool of the output codes", n, p.Name)
				}

				wantPooled := trace[outputLayer(net, convs[i])+1].Float32s()
				gotPooled := make([]float32, len(pooled))
				for j, q := range pooled {
					gotPooled[j] = p.Output.Dequantize(q)
				}
				if worst, at := maxAbsDiff(gotPooled, wantPooled); worst > bound {
					t.Errorf("image %d, layer %s max-pool: output[%d] = %v, float32 %v: error %v exceeds the bound %v",
						n, p.Name, at, gotPooled[at], wantPooled[at], worst, bound)
				}
			}

			if p.Sigmoid {
				wantSigmoid := trace[convs[i]+1].Float32s()
				sigmoidBound := bound/4 + 1e-6
				if worst, at := maxAbsDiff(sigmoid, wantSigmoid); worst > sigmoidBound {
					t.Errorf("image %d, sigmoid: output[%d] = %v, float32 %v: error %v exceeds the bound %v",
						n, at, sigmoid[at], wantSigmoid[at], worst, sigmoidBound)
				}
			}
		}
	}
}

func TestWorkersBitIdentical(t *testing.T) {
	arch := models.Arch{Channels: 1, Height: 32, Width: 48, Widths: []int{4, 8, 16}}
	net := newNet(t, arch, 5)
	images := randomImages(arch, 3, 5)
	m := quantizeNet(t, net, images, Options{Workers: 2})

	single := startEngine(t, m, 1, defaultChunkBytes)
	var want [][]float32
	for _, x := range images {
		want = append(want, reconstruct(t, single, arch, x))
	}

	// Small chunks split even this image into many chunks per layer.
	for _, chunk := range []int{64, 1000, defaultChunkBytes} {
		for _, workers := range []int{1, 2, 3, 7} {
			t.Run(fmt.Sprintf("chunk%d/workers%d", chunk, workers), func(t *testing.T) {
				engine := startEngine(t, m, workers, chunk)
				if got := engine.Workers(); got != workers {
					t.Fatalf("Workers() = %d, want %d", got, workers)
				}
				for n, x := range images {
					got := reconstruct(t, engine, arch, x)
					if !slices.Equal(got, want[n]) {
						worst, at := maxAbsDiff(got, want[n])
						t.Errorf("image %d: output[%d] = %v, single worker %v (difference %v)", n, at, got[at], want[n][at], worst)
					}
				}
			})
		}
	}
}

func TestReconstructNoAllocs(t *testing.T) {
	arch := models.Arch{Channels: 1, Height: 32, Width: 32, Widths: []int{4, 8}}
	net := newNet(t, arch, 6)
	images := randomImages(arch, 2, 6)
	m := quantizeNet(t, net, images, Options{Workers: 1})

	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprint("workers", workers), func(t *testing.T) {
			engine := startEngine(t, m, workers, 128)
			src := imageTensor(arch, images[0])
			dst := imageTensor(arch, make([]float32, len(images[0])))
			if err := engine.Reconstruct(dst, src); err != nil {
				t.Fatalf("Reconstruct: %v", err)
			}

			allocs := testing.AllocsPerRun(20, func() {
				if err := engine.Reconstruct(dst, src); err != nil {
					t.Fatalf("Reconstruct: %v", err)
				}
			})
			if allocs != 0 {
				t.Errorf("Reconstruct allocates %v times per frame, want 0", allocs)
			}
		})
	}
}

func TestReconstructBatchOfOne(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 7)
	images := randomImages(arch, 2, 7)
	engine := startEngine(t, quantizeNet(t, net, images, Options{}), 1, defaultChunkBytes)
	want := reconstruct(t, engine, arch, images[0])

	got := make([]float32, len(want))
	src := tensor.New(tensor.WithShape(1, 1, 16, 16), tensor.WithBacking(images[0]))
	dst := tensor.New(tensor.WithShape(1, 1, 16, 16), tensor.WithBacking(got))
	if err := engine.Reconstruct(dst, src); err != nil {
		t.Fatalf("Reconstruct with shape (1,1,16,16): %v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("output of shape (1,1,16,16) differs from (1,16,16)")
	}
}

func TestReconstructRejectsBadTensors(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 8)
	images := randomImages(arch, 1, 8)
	engine := startEngine(t, quantizeNet(t, net, images, Options{}), 1, defaultChunkBytes)
	good := imageTensor(arch, make([]float32, 256))

	tests := []struct {
		name     string
		dst, src *tensor.Dense
	}{
		{"nil src", good, nil},
		{"nil dst", nil, imageTensor(arch, images[0])},
		{"wrong size", good, tensor.New(tensor.WithShape(1, 8, 32), tensor.WithBacking(make([]float32, 256)))},
		{"batch of two", good, tensor.New(tensor.WithShape(2, 1, 16, 16), tensor.WithBacking(make([]float32, 512)))},
		{"float64", good, tensor.New(tensor.WithShape(1, 16, 16), tensor.WithBacking(make([]float64, 256)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := engine.Reconstruct(tt.dst, tt.src); err == nil {
				t.Errorf("Reconstruct accepted %s", tt.name)
			}
		})
	}
}

func TestCloseKeepsEngineUsable(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 9)
	images := randomImages(arch, 1, 9)
	engine := startEngine(t, quantizeNet(t, net, images, Options{}), 3, 64)
	want := reconstruct(t, engine, arch, images[0])

	engine.Close()
	if got := engine.Workers(); got != 1 {
		t.Errorf("Workers() after Close = %d, want 1", got)
	}
	if got := reconstruct(t, engine, arch, images[0]); !slices.Equal(got, want) {
		t.Errorf("output after Close differs from the output before")
	}
}

func TestQuantizeInput(t *testing.T) {
	tests := []struct {
		in   float32
		want int8
	}{
		{0, -128},
		{1, 127},
		{float32(1.0 / 255), -127},
		{float32(128.0 / 255), 0},
		{float32(254.0 / 255), 126},
		{0.5, 0},                   // 127.5 rounds half up to 128, code 0
		{float32(0.4 / 255), -128}, // rounds down
		{float32(0.6 / 255), -127}, // rounds up
		{-0.3, -128},
		{1.7, 127},
		{float32(math.NaN()), -128},
		{float32(math.Inf(1)), 127},
		{float32(math.Inf(-1)), -128},
	}
	src := make([]float32, len(tests))
	for i, tt := range tests {
		src[i] = tt.in
	}
	dst := make([]int8, len(tests))
	quantizeInput(dst, src, 1)
	for i, tt := range tests {
		if dst[i] != tt.want {
			t.Errorf("quantizeInput(%v) = %d, want %d", tt.in, dst[i], tt.want)
		}
	}

	// Every 8-bit value k/255 maps to k-128 exactly.
	for k := range 256 {
		x := []float32{float32(k) / 255}
		q := []int8{0}
		quantizeInput(q, x, 1)
		if int(q[0]) != k-128 {
			t.Errorf("quantizeInput(%d/255) = %d, want %d", k, q[0], k-128)
		}
	}
}

func TestIm2colRowsMatchesKernel(t *testing.T) {
	tests := []struct {
		channels, h, w, y0, y1 int
		padRows                bool
	}{
		{1, 1, 1, 0, 1, false},
		{1, 4, 5, 0, 4, true},
		{1, 6, 3, 2, 4, true},
		{3, 7, 2, 0, 1, false},
		{3, 7, 2, 6, 7, true},
		{16, 8, 9, 3, 6, true},
		{2, 5, 1, 1, 5, false},
		{5, 3, 4, 0, 3, true},
		{1, 5, 4, 0, 5, true},
		{1, 9, 17, 2, 8, true},
		{1, 3, 7, 0, 3, true},
		{1, 4, 35, 1, 4, true},
	}

	// One-channel rows take kernels.Im2colGray3x3S8 where it is vector
	// code and im2colGrayRows elsewhere; run both.
	saved := vectorIm2colGray
	t.Cleanup(func() { vectorIm2colGray = saved })
	rng := rand.New(rand.NewPCG(31, 32))
	for _, tt := range tests {
		for _, vectorGray := range []bool{false, true} {
			name := fmt.Sprintf("c%d_%dx%d_rows%d-%d_pad%v_vector%v", tt.channels, tt.h, tt.w, tt.y0, tt.y1, tt.padRows, vectorGray)
			t.Run(name, func(t *testing.T) {
				vectorIm2colGray = vectorGray
				src := make([]int8, tt.channels*tt.h*tt.w)
				for i := range src {
					src[i] = int8(rng.IntN(256) - 128)
				}
				patch := tt.channels * 9
				rowLen := patch
				if tt.padRows {
					rowLen = kernels.PadK(rowLen)
				}
				const zero = -5

				// The kernel reads channel-major input and orders a row by
				// (c, ky, kx); im2colRows reads pixel-major input and orders
				// it by (ky, kx, c).
				whole := make([]int8, tt.h*tt.w*patch)
				kernels.Im2colS8(whole, src, tt.channels, tt.h, tt.w, 3, 3, 1, 1, patch, zero)

				got := make([]int8, (tt.y1-tt.y0)*tt.w*rowLen)
				for i := range got {
					got[i] = 99 // every entry must be written
				}
				im2colRows(got, toPixelMajor(src, tt.channels), tt.channels, tt.h, tt.w, rowLen, zero, tt.y0, tt.y1)

				for pixel := range (tt.y1 - tt.y0) * tt.w {
					want := whole[(tt.y0*tt.w+pixel)*patch:]
					row := got[pixel*rowLen : (pixel+1)*rowLen]
					for c := range tt.channels {
						for tap := range 9 {
							if g, w := row[tap*tt.channels+c], want[c*9+tap]; g != w {
								t.Fatalf("pixel %d, channel %d, tap %d = %d, want %d", pixel, c, tap, g, w)
							}
						}
					}
					for i, v := range row[patch:] {
						if v != zero {
							t.Fatalf("pixel %d, padding %d = %d, want the zero point %d", pixel, i, v, zero)
						}
					}
				}
			})
		}
	}
}

func TestFusedPathsMatchKernelPaths(t *testing.T) {
	// The engine pools, requantizes and gathers with the AVX-512 kernels
	// where kernels.MaxPoolRequantizeS32 is vector code, with fused Go
	// loops where kernels.Requantize is Go, and with maxPool2x2S32,
	// kernels.Col2imAddS32 and kernels.Requantize on arm64. All three
	// must give the same codes; on this CPU the kernels run whatever
	// path kernels.Implementation reports.
	arch := models.Arch{Channels: 1, Height: 32, Width: 48, Widths: []int{4, 8, 16}}
	net := newNet(t, arch, 35)
	images := randomImages(arch, 2, 35)
	m := quantizeNet(t, net, images, Options{})

	savedVector, savedPool := vectorRequantize, vectorPoolRequantize
	t.Cleanup(func() { vectorRequantize, vectorPoolRequantize = savedVector, savedPool })
	paths := []struct {
		name               string
		vector, vectorPool bool
	}{
		{"fused Go", false, false},
		{"kernels", true, false},
		{"pool and gather kernels", true, true},
	}
	outputs := make([][][]float32, len(paths))
	for i, path := range paths {
		vectorRequantize, vectorPoolRequantize = path.vector, path.vectorPool
		engine := startEngine(t, m, 2, 256)
		for _, x := range images {
			outputs[i] = append(outputs[i], reconstruct(t, engine, arch, x))
		}
	}

	for i := 1; i < len(paths); i++ {
		for n := range images {
			if !slices.Equal(outputs[0][n], outputs[i][n]) {
				worst, at := maxAbsDiff(outputs[0][n], outputs[i][n])
				t.Errorf("image %d: %s output[%d] = %v, %s %v (difference %v)",
					n, paths[0].name, at, outputs[0][n][at], paths[i].name, outputs[i][n][at], worst)
			}
		}
	}
}
