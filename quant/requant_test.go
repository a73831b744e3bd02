package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"edgeae/quant/kernels"
)

func TestRequantizeRowMatchesKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	acc := make([]int32, 4096)
	for i := range acc {
		switch i % 4 {
		case 0:
			acc[i] = int32(rng.Uint32()) // any int32, wrapping with the bias
		case 1:
			acc[i] = int32(rng.IntN(1<<16) - 1<<15)
		default:
			acc[i] = int32(rng.IntN(1<<10) - 1<<9)
		}
	}
	acc[0], acc[1], acc[2] = math.MaxInt32, math.MinInt32, 0

	tests := []struct {
		real      float64
		bias      int32
		zeroPoint int32
		reluMin   int8
	}{
		{0.5, 0, 0, -128},
		{0.0123, 17, -128, -128},
		{0.0123, -300, -128, -128},
		{3.7e-4, 1 << 20, 5, 5},
		{1e-9, 0, 127, -128},
		{0.9999, math.MaxInt32, -3, -128},
		{0, 12, 0, -128},
		{2.5e-10, -1000, -128, -128}, // shift pinned at -31
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("M%v_b%d_z%d_relu%d", tt.real, tt.bias, tt.zeroPoint, tt.reluMin), func(t *testing.T) {
			mult, shift := kernels.QuantizeMultiplier(tt.real)
			if shift > 0 {
				t.Fatalf("shift %d, this test covers shifts of at most 0", shift)
			}
			bias, mults, shifts := []int32{tt.bias}, []int32{mult}, []int32{int32(shift)}

			want := make([]int8, len(acc))
			kernels.Requantize(want, acc, bias, mults, shifts, tt.zeroPoint, tt.reluMin)
			got := make([]int8, len(acc))
			requantizeRow(got, acc, tt.bias, mult, uint(-shift), tt.zeroPoint, tt.reluMin)
			if i := firstDifference(got, want); i >= 0 {
				t.Errorf("acc %d: code %d, kernels.Requantize %d", acc[i], got[i], want[i])
			}

			// The dispatch, which may pick either implementation.
			requantizeChannel(got, acc, bias, mults, shifts, tt.zeroPoint, tt.reluMin)
			if i := firstDifference(got, want); i >= 0 {
				t.Errorf("requantizeChannel: acc %d: code %d, kernels.Requantize %d", acc[i], got[i], want[i])
			}
		})
	}
}

// firstDifference returns the first index where a and b differ, or -1.
func firstDifference(a, b []int8) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func TestMaxPool2x2S32(t *testing.T) {
	const channels, rows, w = 3, 4, 6
	rng := rand.New(rand.NewPCG(43, 44))
	src := make([]int32, channels*rows*w)
	for i := range src {
		src[i] = int32(rng.Uint32())
	}

	var want []int32
	for c := range channels {
		for y := 0; y < rows; y += 2 {
			for x := 0; x < w; x += 2 {
				at := func(dy, dx int) int32 { return src[c*rows*w+(y+dy)*w+x+dx] }
				want = append(want, max(at(0, 0), at(0, 1), at(1, 0), at(1, 1)))
			}
		}
	}

	separate := make([]int32, len(want))
	maxPool2x2S32(separate, src, channels, rows*w, rows, w)
	if !slices.Equal(separate, want) {
		t.Errorf("max-pool = %v, want %v", separate, want)
	}

	inPlace := slices.Clone(src)
	maxPool2x2S32(inPlace, inPlace, channels, rows*w, rows, w)
	if !slices.Equal(inPlace[:len(want)], want) {
		t.Errorf("in-place max-pool = %v, want %v", inPlace[:len(want)], want)
	}
}

func TestPoolRequantizeMatchesSeparateSteps(t *testing.T) {
	const channels, rows, w = 5, 4, 10
	n := rows * w
	rng := rand.New(rand.NewPCG(45, 46))
	acc := make([]int32, channels*n)
	for i := range acc {
		acc[i] = int32(rng.IntN(1<<20) - 1<<19)
	}
	bias := []int32{3, -70000, 0, 12, 1 << 18}
	mult := make([]int32, channels)
	shift := make([]int32, channels)
	for o, real := range []float64{1e-4, 3e-6, 0.02, 0.7, 1e-3} {
		m, s := kernels.QuantizeMultiplier(real)
		mult[o], shift[o] = m, int32(s)
	}

	for _, reluMin := range []int8{-128, -100} {
		fused := make([]int8, channels*n/4)
		if !poolRequantize(fused, acc, channels, n, rows, w, bias, mult, shift, -100, reluMin) {
			t.Fatal("poolRequantize rejected multipliers below 1")
		}

		pooled := slices.Clone(acc)
		maxPool2x2S32(pooled, pooled, channels, n, rows, w)
		codes := make([]int8, channels*n/4)
		kernels.Requantize(codes, pooled[:channels*n/4], bias, mult, shift, -100, reluMin)
		want := make([]int8, len(codes))
		interleave(want, codes, channels, n/4)

		if i := firstDifference(fused, want); i >= 0 {
			t.Errorf("reluMin %d: code %d = %d, separate steps %d", reluMin, i, fused[i], want[i])
		}
	}

	// A multiplier of 1 or more needs a left shift, which only
	// kernels.Requantize does.
	m, s := kernels.QuantizeMultiplier(1.5)
	mult[2], shift[2] = m, int32(s)
	if poolRequantize(make([]int8, channels*n/4), acc, channels, n, rows, w, bias, mult, shift, 0, -128) {
		t.Error("poolRequantize accepted a multiplier of 1.5")
	}
}
