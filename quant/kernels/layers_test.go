package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// directConvS32 computes a zero-padded convolution of src (channels x h x w)
// with weights [out][channels][kh][kw] straight from its definition:
// Σ (w-wZero)·(x-xZero) over the taps inside the image.
func directConvS32(src, weights []int8, channels, h, w, out, kh, kw, stride, pad int, xZero, wZero int32) []int32 {
	outH, outW := convOutputSize(h, w, kh, kw, stride, pad)
	dst := make([]int32, out*outH*outW)
	for o := 0; o < out; o++ {
		for oy := 0; oy < outH; oy++ {
			for ox := 0; ox < outW; ox++ {
				var sum int32
				for c := 0; c < channels; c++ {
					for ky := 0; ky < kh; ky++ {
						for kx := 0; kx < kw; kx++ {
							iy, ix := oy*stride-pad+ky, ox*stride-pad+kx
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							wv := int32(weights[((o*channels+c)*kh+ky)*kw+kx]) - wZero
							sum += wv * (int32(src[(c*h+iy)*w+ix]) - xZero)
						}
					}
				}
				dst[(o*outH+oy)*outW+ox] = sum
			}
		}
	}
	return dst
}

// directTransposedConvS32 computes a transposed convolution of src
// (channels x h x w) with weights [channels][out][kh][kw] straight from
// PyTorch's ConvTranspose2d definition, scattering each input pixel.
func directTransposedConvS32(src, weights []int8, channels, h, w, out, kh, kw, stride, pad, outH, outW int, xZero, wZero int32) []int32 {
	dst := make([]int32, out*outH*outW)
	for c := 0; c < channels; c++ {
		for iy := 0; iy < h; iy++ {
			for ix := 0; ix < w; ix++ {
				x := int32(src[(c*h+iy)*w+ix]) - xZero
				for o := 0; o < out; o++ {
					for ky := 0; ky < kh; ky++ {
						for kx := 0; kx < kw; kx++ {
							oy, ox := iy*stride-pad+ky, ix*stride-pad+kx
							if oy < 0 || oy >= outH || ox < 0 || ox >= outW {
								continue
							}
							wv := int32(weights[((c*out+o)*kh+ky)*kw+kx]) - wZero
							dst[(o*outH+oy)*outW+ox] += wv * x
						}
					}
				}
			}
		}
	}
	return dst
}

func TestConvAsIm2colGemm(t *testing.T) {
	tests := []struct {
		channels, h, w, out, kh, stride, pad int
		xZero                                int8
		padRows                              bool
	}{
		{1, 1, 1, 1, 3, 1, 1, 0, false},
		{3, 7, 5, 4, 3, 1, 1, -128, false},
		{3, 7, 5, 4, 3, 1, 1, -128, true},
		{16, 9, 11, 8, 3, 1, 1, 17, true},
		{5, 8, 8, 3, 3, 2, 1, 127, false},
		{2, 6, 4, 5, 1, 1, 0, -3, true},
		{4, 6, 6, 6, 5, 1, 2, 40, true},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	forEachPath(t, func(t *testing.T) {
		for _, tt := range tests {
			name := fmt.Sprintf("c%d_%dx%d_out%d_k%d_s%d_p%d_zp%d_pad%v", tt.channels, tt.h, tt.w, tt.out, tt.kh, tt.stride, tt.pad, tt.xZero, tt.padRows)
			src := randomS8(rng, tt.channels*tt.h*tt.w)
			weights := randomS8(rng, tt.out*tt.channels*tt.kh*tt.kh)
			want := directConvS32(src, weights, tt.channels, tt.h, tt.w, tt.out, tt.kh, tt.kh, tt.stride, tt.pad, int32(tt.xZero), 0)

			// Rows padded to a multiple of KBlock with the zero point on the
			// activation side and 0 on the weight side.
			patch := tt.channels * tt.kh * tt.kh
			rowLen := patch
			if tt.padRows {
				rowLen = PadK(patch)
			}
			paddedWeights := make([]int8, tt.out*rowLen)
			for o := 0; o < tt.out; o++ {
				copy(paddedWeights[o*rowLen:], weights[o*patch:(o+1)*patch])
			}

			outH, outW := ConvOutputSize(tt.h, tt.w, tt.kh, tt.kh, tt.stride, tt.pad)
			cols, whole := guardedS8(outH * outW * rowLen)
			Im2colS8(cols, src, tt.channels, tt.h, tt.w, tt.kh, tt.kh, tt.stride, tt.pad, rowLen, tt.xZero)
			checkGuardsS8(t, whole)

			got := make([]int32, tt.out*outH*outW)
			GemmS8(tt.out, outH*outW, rowLen, paddedWeights, 0, cols, int32(tt.xZero), got, outH*outW)
			if i := firstDiffS32(got, want); i >= 0 {
				t.Errorf("%s: output[%d] = %d, want %d", name, i, got[i], want[i])
			}
		}
	})
}

func TestTransposedConvAsGemmCol2im(t *testing.T) {
	tests := []struct {
		channels, h, w, out int
		xZero, wZero        int8
	}{
		{1, 1, 1, 1, 0, 0},
		{3, 2, 5, 2, -128, 0},
		{16, 7, 7, 3, 9, 0},
		{32, 4, 6, 5, 127, -2},
	}
	const kernel, stride, pad, outputPadding = 3, 2, 1, 1
	rng := rand.New(rand.NewPCG(13, 14))
	forEachPath(t, func(t *testing.T) {
		for _, tt := range tests {
			name := fmt.Sprintf("c%d_%dx%d_out%d_zp%d_wz%d", tt.channels, tt.h, tt.w, tt.out, tt.xZero, tt.wZero)
			outH := (tt.h-1)*stride - 2*pad + kernel + outputPadding
			outW := (tt.w-1)*stride - 2*pad + kernel + outputPadding
			if outH != 2*tt.h || outW != 2*tt.w {
				t.Fatalf("%s: output %dx%d, want twice the input", name, outH, outW)
			}

			src := randomS8(rng, tt.channels*tt.h*tt.w)
			weights := randomS8(rng, tt.channels*tt.out*kernel*kernel)
			want := directTransposedConvS32(src, weights, tt.channels, tt.h, tt.w, tt.out, kernel, kernel, stride, pad, outH, outW, int32(tt.xZero), int32(tt.wZero))

			// a = weights transposed to (out*9) x channels.
			taps := tt.out * kernel * kernel
			a := make([]int8, taps*tt.channels)
			for c := 0; c < tt.channels; c++ {
				for r := 0; r < taps; r++ {
					a[r*tt.channels+c] = weights[c*taps+r]
				}
			}

			// b = the input in pixel-major order: a 1x1 im2col.
			pixels := tt.h * tt.w
			b := make([]int8, pixels*tt.channels)
			Im2colS8(b, src, tt.channels, tt.h, tt.w, 1, 1, 1, 0, tt.channels, tt.xZero)

			col := make([]int32, taps*pixels)
			GemmS8(taps, pixels, tt.channels, a, int32(tt.wZero), b, int32(tt.xZero), col, pixels)

			got, whole := guardedS32(tt.out * outH * outW)
			for i := range got {
				got[i] = 0
			}
			Col2imAddS32(got, col, tt.out, tt.h, tt.w, kernel, kernel, stride, pad, outH, outW)
			checkGuardsS32(t, whole)

			if i := firstDiffS32(got, want); i >= 0 {
				t.Errorf("%s: output[%d] = %d, want %d", name, i, got[i], want[i])
			}
		}
	})
}

func TestCol2imAddsToExisting(t *testing.T) {
	// One channel, 1x1 input, 3x3 kernel, stride 2, pad 1, 2x2 output:
	// taps (ky, kx) with ky, kx ≥ 1 land on output (ky-1, kx-1).
	col := []int32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	dst := []int32{100, 200, 300, 400}
	Col2imAddS32(dst, col, 1, 1, 1, 3, 3, 2, 1, 2, 2)

	want := []int32{105, 206, 308, 409}
	if i := firstDiffS32(dst, want); i >= 0 {
		t.Errorf("dst[%d] = %d, want %d", i, dst[i], want[i])
	}
}

func TestIm2colRowPadding(t *testing.T) {
	// One channel, 2x2 input, 3x3 kernel, pad 1: output pixel (0, 0) reads
	// the input at taps (1,1), (1,2), (2,1), (2,2); the rest and the row
	// padding to 16 hold the zero point.
	src := []int8{1, 2, 3, 4}
	dst := make([]int8, 4*16)
	Im2colS8(dst, src, 1, 2, 2, 3, 3, 1, 1, 16, -7)

	want := []int8{-7, -7, -7, -7, 1, 2, -7, 3, 4, -7, -7, -7, -7, -7, -7, -7}
	if i := firstDiffS8(dst[:16], want); i >= 0 {
		t.Errorf("row 0 entry %d = %d, want %d", i, dst[i], want[i])
	}
}

func TestMaxPool2x2S8(t *testing.T) {
	src := []int8{
		1, -128, 5, 6, 9,
		3, 2, 127, -1, 9,
		-128, -128, 0, 0, 9,
		-128, -128, 0, -5, 9,
		7, 7, 7, 7, 7,
	}
	got, whole := guardedS8(4)
	MaxPool2x2S8(got, src, 1, 5, 5)
	checkGuardsS8(t, whole)

	want := []int8{3, 127, -128, 0}
	if i := firstDiffS8(got, want); i >= 0 {
		t.Errorf("dst[%d] = %d, want %d", i, got[i], want[i])
	}
}

func TestMaxPool2x2S8OddSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, size := range oddSizes {
		for _, channels := range []int{1, 3} {
			h, w := size, size/2+1
			src := randomS8(rng, channels*h*w)
			got, whole := guardedS8(channels * (h / 2) * (w / 2))
			MaxPool2x2S8(got, src, channels, h, w)
			checkGuardsS8(t, whole)

			// Each output must be one of its four inputs and at least all of them.
			for c := 0; c < channels; c++ {
				for y := 0; y < h/2; y++ {
					for x := 0; x < w/2; x++ {
						value := got[(c*(h/2)+y)*(w/2)+x]
						found := false
						for _, d := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
							input := src[(c*h+2*y+d[0])*w+2*x+d[1]]
							if input > value {
								t.Errorf("%dx%dx%d: output (%d,%d,%d) = %d is below input %d", channels, h, w, c, y, x, value, input)
							}
							found = found || input == value
						}
						if !found {
							t.Errorf("%dx%dx%d: output (%d,%d,%d) = %d is none of its inputs", channels, h, w, c, y, x, value)
						}
					}
				}
			}
		}
	}
}

func TestLookupS8(t *testing.T) {
	var table [256]int8
	for i := range table {
		table[i] = int8(127 - i) // input q = i-128 maps to -q-1
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for _, n := range oddSizes {
		src := randomS8(rng, n)
		got, whole := guardedS8(n)
		LookupS8(got, src, &table)
		checkGuardsS8(t, whole)

		for i, q := range src {
			if want := -q - 1; got[i] != want {
				t.Errorf("n=%d: dst[%d] = %d for input %d, want %d", n, i, got[i], q, want)
			}
		}
	}
}

func TestSigmoidTableS8(t *testing.T) {
	// Input codes in steps of 1/16, output codes in steps of 1/256 with zero
	// point -128, so sigmoid(0) = 0.5 is code 0.
	table := SigmoidTableS8(1.0/16, 0, 1.0/256, -128)

	tests := []struct {
		input int8
		want  int8
	}{
		{0, 0},
		{-128, -128}, // sigmoid(-8)·256 = 0.086
		{127, 127},   // sigmoid(7.94)·256 = 255.9 saturates
		{16, 59},     // sigmoid(1)·256 = 187.1
	}
	for _, tt := range tests {
		if got := table[int(tt.input)+128]; got != tt.want {
			t.Errorf("table for input %d = %d, want %d", tt.input, got, tt.want)
		}
	}
	for i := 1; i < len(table); i++ {
		if table[i] < table[i-1] {
			t.Errorf("table[%d] = %d is below table[%d] = %d", i, table[i], i-1, table[i-1])
		}
	}
}

func TestLookupF32Sigmoid(t *testing.T) {
	const scale, zero = 0.05, 10
	table := SigmoidTableF32(scale, zero)
	src := []int8{-128, -1, 0, 10, 11, 127}
	dst := make([]float32, len(src)+1)
	dst[len(src)] = sentinelF32
	LookupF32(dst, src, table)

	if dst[len(src)] != sentinelF32 {
		t.Errorf("element past the input = %v, want the sentinel", dst[len(src)])
	}
	for i, q := range src {
		want := 1 / (1 + math.Exp(-scale*float64(int(q)-zero)))
		if math.Abs(float64(dst[i])-want) > 1e-7 {
			t.Errorf("dst[%d] = %v for input %d, want %v", i, dst[i], q, want)
		}
	}
}

// layoutGeometry is one input and kernel geometry for Im2colS8 and Col2imAddS32.
type layoutGeometry struct {
	channels, h, w, kh, kw, stride, pad int
}

// layoutGeometries returns odd image sizes with 1x1, 3x3 and 5x2 kernels,
// strides 1 to 3 and paddings 0 to 2, including kernels larger than the image.
func layoutGeometries() []layoutGeometry {
	var geometries []layoutGeometry
	for _, size := range []int{1, 2, 3, 7, 8, 17} {
		for _, kernel := range [][2]int{{1, 1}, {3, 3}, {5, 2}} {
			for stride := 1; stride <= 3; stride++ {
				for pad := 0; pad <= 2; pad++ {
					geometries = append(geometries, layoutGeometry{3, size, size + 2, kernel[0], kernel[1], stride, pad})
				}
			}
		}
	}
	return geometries
}

func TestIm2colS8MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, g := range layoutGeometries() {
		outH, outW := ConvOutputSize(g.h, g.w, g.kh, g.kw, g.stride, g.pad)
		if outH <= 0 || outW <= 0 {
			continue
		}
		for _, extra := range []int{0, 5} {
			rowLen := g.channels*g.kh*g.kw + extra
			src := randomS8(rng, g.channels*g.h*g.w)

			want := make([]int8, outH*outW*rowLen)
			im2colS8Generic(want, src, g.channels, g.h, g.w, g.kh, g.kw, g.stride, g.pad, rowLen, -9)

			got, whole := guardedS8(len(want))
			Im2colS8(got, src, g.channels, g.h, g.w, g.kh, g.kw, g.stride, g.pad, rowLen, -9)
			checkGuardsS8(t, whole)

			if i := firstDiffS8(got, want); i >= 0 {
				t.Errorf("%+v rowLen %d: dst[%d] = %d, want %d", g, rowLen, i, got[i], want[i])
			}
		}
	}
}

func TestCol2imAddS32MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	for _, g := range layoutGeometries() {
		for _, outputPadding := range []int{0, 1} {
			outH := (g.h-1)*g.stride - 2*g.pad + g.kh + outputPadding
			outW := (g.w-1)*g.stride - 2*g.pad + g.kw + outputPadding
			if outH <= 0 || outW <= 0 {
				continue
			}
			col := randomAccumulators(rng, g.channels*g.kh*g.kw*g.h*g.w)
			initial := randomAccumulators(rng, g.channels*outH*outW)

			want := append([]int32(nil), initial...)
			col2imAddS32Generic(want, col, g.channels, g.h, g.w, g.kh, g.kw, g.stride, g.pad, outH, outW)

			got, whole := guardedS32(len(initial))
			copy(got, initial)
			Col2imAddS32(got, col, g.channels, g.h, g.w, g.kh, g.kw, g.stride, g.pad, outH, outW)
			checkGuardsS32(t, whole)

			if i := firstDiffS32(got, want); i >= 0 {
				t.Errorf("%+v output %dx%d: dst[%d] = %d, want %d", g, outH, outW, i, got[i], want[i])
			}
		}
	}
}
