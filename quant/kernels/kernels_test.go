package kernels

// The tests compare every exported kernel, on every path the CPU can run,
// bit for bit with its Go definition, and check guard bands of sentinel
// values around every output. Commands (from the module root):
//
//	go test ./quant/kernels/                      # amd64: AVX-512, AVX2 and Go paths
//	go test -tags purego ./quant/kernels/         # Go path only
//	GOARCH=arm64 go test -exec qemu-aarch64-static ./quant/kernels/
//	GOARCH=arm64 EDGEAE_NOSDOT=1 go test -exec qemu-aarch64-static ./quant/kernels/
//	GOARCH=arm64 QEMU_CPU=cortex-a72 go test -exec qemu-aarch64-static ./quant/kernels/
//	GOARCH=arm64 go test -tags purego -exec qemu-aarch64-static ./quant/kernels/
//	GOARCH=arm GOARM=7 go vet ./quant/kernels/
//	GOOS=windows go build ./quant/kernels/
//
// qemu-aarch64-static 7.2 (Debian 12, package qemu-user-static) emulates its
// "max" CPU by default, which reports ASIMDDP, so both arm64 paths run.
// QEMU_CPU=cortex-a72 emulates a CPU without SDOT (Raspberry Pi 4), where
// only the SMULL path runs. Timings under qemu do not reflect hardware speed.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// kernelPath is one implementation of the kernels. Its enable function
// switches to it and returns a function that restores the previous one.
type kernelPath struct {
	name   string
	enable func() (restore func())
}

// forEachPath runs fn as a subtest on every path of kernelPaths.
func forEachPath(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	for _, path := range kernelPaths() {
		t.Run(path.name, func(t *testing.T) {
			restore := path.enable()
			defer restore()
			fn(t)
		})
	}
}

// oddSizes are the lengths every kernel is tested with: empty, below, at and
// just past the vector widths and block sizes.
var oddSizes = []int{0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100}

// guard is the number of sentinel elements on each side of an output.
const guard = 19

// Sentinel values of the guard bands.
const (
	sentinelS8  int8    = 0x5a
	sentinelS32 int32   = 0x5a5a5a5a
	sentinelF32 float32 = -12345.5
)

// guardedS8 returns a slice of n elements whose backing array has guard
// sentinels on each side, and the whole backing array.
func guardedS8(n int) (inner, whole []int8) {
	whole = make([]int8, n+2*guard)
	for i := range whole {
		whole[i] = sentinelS8
	}
	return whole[guard : guard+n : guard+n], whole
}

// guardedS32 is guardedS8 for int32.
func guardedS32(n int) (inner, whole []int32) {
	whole = make([]int32, n+2*guard)
	for i := range whole {
		whole[i] = sentinelS32
	}
	return whole[guard : guard+n : guard+n], whole
}

// checkGuardsS8 reports every sentinel of whole that was overwritten.
func checkGuardsS8(t *testing.T, whole []int8) {
	t.Helper()
	n := len(whole) - 2*guard
	for i := 0; i < guard; i++ {
		if whole[i] != sentinelS8 {
			t.Errorf("guard before output: element %d = %d, want sentinel %d", i-guard, whole[i], sentinelS8)
		}
		if whole[guard+n+i] != sentinelS8 {
			t.Errorf("guard after output: element %d = %d, want sentinel %d", n+i, whole[guard+n+i], sentinelS8)
		}
	}
}

// checkGuardsS32 is checkGuardsS8 for int32.
func checkGuardsS32(t *testing.T, whole []int32) {
	t.Helper()
	n := len(whole) - 2*guard
	for i := 0; i < guard; i++ {
		if whole[i] != sentinelS32 {
			t.Errorf("guard before output: element %d = %#x, want sentinel", i-guard, whole[i])
		}
		if whole[guard+n+i] != sentinelS32 {
			t.Errorf("guard after output: element %d = %#x, want sentinel", n+i, whole[guard+n+i])
		}
	}
}

// randomS8 returns n int8 values, a quarter of them -128 and a quarter 127.
func randomS8(rng *rand.Rand, n int) []int8 {
	values := make([]int8, n)
	for i := range values {
		switch rng.IntN(4) {
		case 0:
			values[i] = math.MinInt8
		case 1:
			values[i] = math.MaxInt8
		default:
			values[i] = int8(rng.IntN(256) - 128)
		}
	}
	return values
}

// extremeS8 returns n int8 values, each -128 or 127.
func extremeS8(rng *rand.Rand, n int) []int8 {
	values := make([]int8, n)
	for i := range values {
		values[i] = math.MaxInt8
		if rng.IntN(2) == 0 {
			values[i] = math.MinInt8
		}
	}
	return values
}

// filledS8 returns n copies of v.
func filledS8(n int, v int8) []int8 {
	values := make([]int8, n)
	for i := range values {
		values[i] = v
	}
	return values
}

// firstDiffS32 returns the index of the first differing element, or -1.
func firstDiffS32(got, want []int32) int {
	for i := range want {
		if got[i] != want[i] {
			return i
		}
	}
	return -1
}

// firstDiffS8 returns the index of the first differing element, or -1.
func firstDiffS8(got, want []int8) int {
	for i := range want {
		if got[i] != want[i] {
			return i
		}
	}
	return -1
}

// gemmCase is one GemmS8 test input.
type gemmCase struct {
	name         string
	m, n, k, ldc int
	a, b         []int8
	aZero, bZero int32
}

// gemmCases returns random products over the odd sizes, the real layer depths,
// row strides larger than n, several zero points, all-extreme inputs and an
// input whose exact sums overflow int32.
func gemmCases() []gemmCase {
	rng := rand.New(rand.NewPCG(1, 2))
	var cases []gemmCase
	add := func(m, n, k, ldc int, aZero, bZero int32) {
		cases = append(cases, gemmCase{
			name: fmt.Sprintf("m%d_n%d_k%d_ldc%d_za%d_zb%d", m, n, k, ldc, aZero, bZero),
			m:    m, n: n, k: k, ldc: ldc,
			a: randomS8(rng, m*k), b: randomS8(rng, n*k),
			aZero: aZero, bZero: bZero,
		})
	}

	shapes := [][2]int{{1, 1}, {1, 4}, {3, 7}, {4, 4}, {5, 17}, {8, 16}, {7, 33}, {17, 5}, {2, 65}, {33, 8}}
	for _, k := range append(oddSizes, 144, 288) {
		for _, shape := range shapes {
			add(shape[0], shape[1], k, shape[1], 0, 0)
		}
	}
	// Several panels of b rows: panelBytes/k columns each.
	add(6, 203, 400, 205, 0, 0)
	// More rows than the 128 row corrections the VNNI path keeps at a
	// time, with 4-row blocks, single rows and 16-column blocks.
	add(133, 48, 32, 50, 0, 0)
	add(130, 17, 144, 17, 0, 0)
	add(5, 37, 2000, 37, 0, -7)

	for _, m := range oddSizes {
		add(m, 31, 48, 31, 0, 0)
		add(6, m, 33, m+3, 0, 0)
	}

	zeroPoints := [][2]int32{{0, -5}, {3, 0}, {-128, 127}, {127, -128}, {-1, 1}}
	for _, zp := range zeroPoints {
		add(9, 13, 35, 15, zp[0], zp[1])
		add(8, 8, 64, 8, zp[0], zp[1])
	}

	// All -128: every product is 16384, the largest.
	cases = append(cases, gemmCase{name: "all_min", m: 5, n: 9, k: 1040, ldc: 9,
		a: filledS8(5*1040, math.MinInt8), b: filledS8(9*1040, math.MinInt8)})

	// (-128-127)·(127+128) = -65025 per term: 40000 terms overflow int32,
	// so the result wraps, and it must wrap the same way on every path.
	cases = append(cases, gemmCase{name: "wraps", m: 4, n: 4, k: 40000, ldc: 4,
		a: filledS8(4*40000, math.MinInt8), b: filledS8(4*40000, math.MaxInt8),
		aZero: 127, bZero: -128})
	// The same for 5 rows and 17 columns: 4-row and 1-row VNNI kernels
	// and a column past the 16-column blocks.
	cases = append(cases, gemmCase{name: "wraps_vnni", m: 5, n: 17, k: 40000, ldc: 17,
		a: filledS8(5*40000, math.MinInt8), b: filledS8(17*40000, math.MaxInt8),
		aZero: 127, bZero: -128})
	// Raw products of extreme values only: -128·-128, -128·127 and 127·127
	// in every 4-byte group, where the unsigned VNNI operand is 0 or 255.
	cases = append(cases, gemmCase{name: "extremes", m: 9, n: 35, k: 160, ldc: 35,
		a: extremeS8(rng, 9*160), b: extremeS8(rng, 35*160)})
	return cases
}

func TestGemmS8MatchesGeneric(t *testing.T) {
	cases := gemmCases()
	forEachPath(t, func(t *testing.T) {
		for _, tc := range cases {
			size := 0
			if tc.m > 0 && tc.n > 0 {
				size = (tc.m-1)*tc.ldc + tc.n
			}

			want := make([]int32, size)
			for i := range want {
				want[i] = sentinelS32
			}
			gemmS8Generic(tc.m, tc.n, tc.k, tc.a, tc.aZero, tc.b, tc.bZero, want, tc.ldc)

			got, whole := guardedS32(size)
			GemmS8(tc.m, tc.n, tc.k, tc.a, tc.aZero, tc.b, tc.bZero, got, tc.ldc)

			if i := firstDiffS32(got, want); i >= 0 {
				t.Errorf("%s: c[%d] = %d, want %d", tc.name, i, got[i], want[i])
			}
			checkGuardsS32(t, whole)
		}
	})
}

func TestGemmS8Wraps(t *testing.T) {
	// Check the definition itself on the overflowing input: 40000·(-65025)
	// reduced modulo 2^32 into the int32 range.
	const k = 40000
	a := filledS8(k, math.MinInt8)
	b := filledS8(k, math.MaxInt8)
	c := make([]int32, 1)
	gemmS8Generic(1, 1, k, a, 127, b, -128, c, 1)

	exact := int64(k) * -65025
	want := int32(uint32(exact))
	if c[0] != want {
		t.Errorf("c = %d, want %d", c[0], want)
	}
}

func TestGemmS8Panics(t *testing.T) {
	tests := []struct {
		name string
		call func()
	}{
		{"short a", func() { GemmS8(2, 2, 4, make([]int8, 7), 0, make([]int8, 8), 0, make([]int32, 4), 2) }},
		{"short b", func() { GemmS8(2, 2, 4, make([]int8, 8), 0, make([]int8, 7), 0, make([]int32, 4), 2) }},
		{"short c", func() { GemmS8(2, 2, 4, make([]int8, 8), 0, make([]int8, 8), 0, make([]int32, 4), 3) }},
		{"ldc below n", func() { GemmS8(2, 2, 4, make([]int8, 8), 0, make([]int8, 8), 0, make([]int32, 4), 1) }},
		{"negative k", func() { GemmS8(2, 2, -1, nil, 0, nil, 0, make([]int32, 4), 2) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.call()
		})
	}
}

func TestRowSumsS8(t *testing.T) {
	a := []int8{1, 2, 3, -128, -128, 127, 0, 0, 0}
	sums := make([]int32, 3)
	RowSumsS8(sums, 3, 3, a)

	want := []int32{6, -129, 0}
	if i := firstDiffS32(sums, want); i >= 0 {
		t.Errorf("sums[%d] = %d, want %d", i, sums[i], want[i])
	}
}

func TestSaturatingRoundingDoublingHighMul(t *testing.T) {
	tests := []struct {
		x, y, want int32
	}{
		{math.MinInt32, math.MinInt32, math.MaxInt32},
		{1 << 30, 1 << 30, 1 << 29},
		{1, 1 << 30, 1},  // 0.5 rounds up
		{-1, 1 << 30, 0}, // -0.5 rounds up
		{3, 1 << 30, 2},  // 1.5 rounds up
		{-3, 1 << 30, -1},
		{math.MaxInt32, math.MaxInt32, math.MaxInt32 - 1},
		{math.MinInt32, math.MaxInt32, -math.MaxInt32},
		{0, math.MinInt32, 0},
	}
	for _, tt := range tests {
		if got := saturatingRoundingDoublingHighMul(tt.x, tt.y); got != tt.want {
			t.Errorf("saturatingRoundingDoublingHighMul(%d, %d) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
	}
}

func TestRoundingDivideByPOT(t *testing.T) {
	tests := []struct {
		x        int32
		exponent int
		want     int32
	}{
		{3, 1, 2},
		{-3, 1, -2},
		{-2, 1, -1},
		{-1, 1, -1},
		{1, 1, 1},
		{5, 2, 1},
		{6, 2, 2},
		{-6, 2, -2},
		{-5, 2, -1},
		{7, 0, 7},
		{math.MinInt32, 31, -1},
		{math.MaxInt32, 31, 1},
		{math.MinInt32 + 1, 1, -(1 << 30)},
		{1 << 29, 31, 0},
		{1 << 30, 31, 1},
		{-(1 << 30), 31, -1},
	}
	for _, tt := range tests {
		if got := roundingDivideByPOT(tt.x, tt.exponent); got != tt.want {
			t.Errorf("roundingDivideByPOT(%d, %d) = %d, want %d", tt.x, tt.exponent, got, tt.want)
		}
	}
}

func TestMultiplyByQuantizedMultiplierSaturatesLeftShift(t *testing.T) {
	tests := []struct {
		x, mult, shift, want int32
	}{
		{1 << 20, 1 << 30, 12, 1 << 30}, // (2^31-1)/2 rounds half up
		{-(1 << 20), 1 << 30, 12, -(1 << 30)},
		{3, 1 << 30, 2, 6},
	}
	for _, tt := range tests {
		if got := MultiplyByQuantizedMultiplier(tt.x, tt.mult, tt.shift); got != tt.want {
			t.Errorf("MultiplyByQuantizedMultiplier(%d, %d, %d) = %d, want %d", tt.x, tt.mult, tt.shift, got, tt.want)
		}
	}
}

func TestQuantizeMultiplierExact(t *testing.T) {
	tests := []struct {
		real  float64
		mult  int32
		shift int
	}{
		{0, 0, 0},
		{0.5, 1 << 30, 0},
		{1, 1 << 30, 1},
		{0.25, 1 << 30, -1},
		{0.75, 3 << 29, 0},
		{1 - 1.0/(1<<33), 1 << 30, 1}, // the mantissa rounds up to 2^31
		{0x1p-40, 1 << 22, -31},       // below 2^-32: shift pinned at -31
		{0x1p-64, 0, -31},
	}
	for _, tt := range tests {
		mult, shift := QuantizeMultiplier(tt.real)
		if mult != tt.mult || shift != tt.shift {
			t.Errorf("QuantizeMultiplier(%v) = (%d, %d), want (%d, %d)", tt.real, mult, shift, tt.mult, tt.shift)
		}
	}
}

func TestQuantizeMultiplierAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		// Log-uniform in [2^-32, 2^30).
		real := math.Exp2(rng.Float64()*62 - 32)
		mult, shift := QuantizeMultiplier(real)

		if mult < 1<<30 {
			t.Fatalf("QuantizeMultiplier(%v) mantissa = %d, want at least 2^30", real, mult)
		}
		if shift < -31 || shift > 30 {
			t.Fatalf("QuantizeMultiplier(%v) shift = %d, want in [-31, 30]", real, shift)
		}
		represented := math.Ldexp(float64(mult), shift-31)
		if relErr := math.Abs(represented-real) / real; relErr > 0x1p-31 {
			t.Fatalf("QuantizeMultiplier(%v) = %d·2^(%d-31), relative error %g, want at most 2^-31", real, mult, shift, relErr)
		}
	}
}

func TestRequantizationAccuracy(t *testing.T) {
	// The fixed-point product rounds twice (SQRDMULH, then the right shift),
	// so it is within one unit of the exact product.
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		real := math.Exp2(rng.Float64()*20 - 18) // [2^-18, 4)
		mult, shift := QuantizeMultiplier(real)
		x := int32(rng.IntN(1<<28) - 1<<27)

		got := MultiplyByQuantizedMultiplier(x, mult, int32(shift))
		exact := float64(x) * real
		if math.Abs(float64(got)-exact) > 1 {
			t.Fatalf("MultiplyByQuantizedMultiplier(%d, QuantizeMultiplier(%v)) = %d, exact %v", x, real, got, exact)
		}
	}
}

func TestQuantizeMultiplierPanics(t *testing.T) {
	for _, real := range []float64{-1, math.NaN(), math.Inf(1), 1 << 30, math.Nextafter(1<<30, 0)} {
		t.Run(fmt.Sprint(real), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("QuantizeMultiplier(%v) did not panic", real)
				}
			}()
			QuantizeMultiplier(real)
		})
	}
}

// randomAccumulators returns n int32 values: extremes, values around
// rounding ties and uniform values.
func randomAccumulators(rng *rand.Rand, n int) []int32 {
	values := make([]int32, n)
	for i := range values {
		switch rng.IntN(6) {
		case 0:
			values[i] = math.MinInt32 + int32(rng.IntN(3))
		case 1:
			values[i] = math.MaxInt32 - int32(rng.IntN(3))
		case 2:
			// Multiples of a power of two plus or minus one hit the ties.
			values[i] = int32(rng.IntN(1<<12)-1<<11)<<rng.IntN(16) + int32(rng.IntN(3)-1)
		case 3:
			values[i] = int32(rng.IntN(1<<16) - 1<<15)
		default:
			values[i] = int32(rng.Uint32())
		}
	}
	return values
}

func TestRequantizeMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type requantizeCase struct {
		name              string
		acc               []int32
		bias, mult, shift []int32
		zeroPoint         int32
		reluMin           int8
	}

	var cases []requantizeCase
	for _, channels := range []int{1, 3, 8} {
		for _, n := range oddSizes {
			for _, zeroPoint := range []int32{-128, 0, 5, 127} {
				for _, relu := range []bool{false, true} {
					tc := requantizeCase{
						name:      fmt.Sprintf("ch%d_n%d_zp%d_relu%v", channels, n, zeroPoint, relu),
						acc:       randomAccumulators(rng, channels*n),
						mult:      make([]int32, channels),
						shift:     make([]int32, channels),
						zeroPoint: zeroPoint,
						reluMin:   math.MinInt8,
					}
					if relu {
						tc.reluMin = int8(zeroPoint)
					}
					if n%2 == 0 {
						tc.bias = randomAccumulators(rng, channels)
					}
					for ch := range channels {
						tc.mult[ch] = int32(rng.Uint32())
						tc.shift[ch] = int32(rng.IntN(62) - 31)
						if ch == 0 {
							tc.mult[ch] = math.MinInt32
						}
					}
					cases = append(cases, tc)
				}
			}
		}
	}

	forEachPath(t, func(t *testing.T) {
		for _, tc := range cases {
			want := make([]int8, len(tc.acc))
			requantizeGeneric(want, tc.acc, tc.bias, tc.mult, tc.shift, tc.zeroPoint, tc.reluMin)

			got, whole := guardedS8(len(tc.acc))
			Requantize(got, tc.acc, tc.bias, tc.mult, tc.shift, tc.zeroPoint, tc.reluMin)

			if i := firstDiffS8(got, want); i >= 0 {
				n := len(tc.acc) / len(tc.mult)
				t.Errorf("%s: dst[%d] = %d, want %d (acc %d, channel %d)", tc.name, i, got[i], want[i], tc.acc[i], i/max(n, 1))
			}
			checkGuardsS8(t, whole)
		}
	})
}

func TestRequantizeOne(t *testing.T) {
	tests := []struct {
		name                      string
		x, mult, shift, zeroPoint int32
		reluMin                   int8
		want                      int8
	}{
		{"half scale", 100, 1 << 30, 0, 0, math.MinInt8, 50},
		{"zero point added", 100, 1 << 30, 0, -10, math.MinInt8, 40},
		{"saturates high", 1000, 1 << 30, 0, 0, math.MinInt8, 127},
		{"saturates low", -1000, 1 << 30, 0, 0, math.MinInt8, -128},
		{"relu clamps", -20, 1 << 30, 0, -5, -5, -5},
		{"relu passes positive", 20, 1 << 30, 0, -5, -5, 5},
		{"tie away from zero", -3, 1 << 30, -1, 0, math.MinInt8, -1}, // -3·0.25 = -0.75
		{"exact quarter", -6, 1 << 30, -1, 0, math.MinInt8, -2},      // -1.5 → -2
		{"huge accumulator", math.MaxInt32, 1 << 30, 0, -128, math.MinInt8, 127},
	}
	for _, tt := range tests {
		if got := requantizeOne(tt.x, tt.mult, tt.shift, tt.zeroPoint, tt.reluMin); got != tt.want {
			t.Errorf("%s: requantizeOne(%d, %d, %d, %d, %d) = %d, want %d",
				tt.name, tt.x, tt.mult, tt.shift, tt.zeroPoint, tt.reluMin, got, tt.want)
		}
	}
}

func TestRequantizePanics(t *testing.T) {
	one := []int32{1 << 30}
	tests := []struct {
		name string
		call func()
	}{
		{"no channels", func() { Requantize(make([]int8, 4), make([]int32, 4), nil, nil, nil, 0, -128) }},
		{"shift length", func() { Requantize(make([]int8, 4), make([]int32, 4), nil, one, []int32{0, 0}, 0, -128) }},
		{"bias length", func() { Requantize(make([]int8, 4), make([]int32, 4), []int32{1, 2}, one, []int32{0}, 0, -128) }},
		{"acc not a multiple", func() { Requantize(make([]int8, 5), make([]int32, 5), nil, []int32{1, 1}, []int32{0, 0}, 0, -128) }},
		{"short dst", func() { Requantize(make([]int8, 3), make([]int32, 4), nil, one, []int32{0}, 0, -128) }},
		{"zero point range", func() { Requantize(make([]int8, 4), make([]int32, 4), nil, one, []int32{0}, 128, -128) }},
		{"shift range", func() { Requantize(make([]int8, 4), make([]int32, 4), nil, one, []int32{31}, 0, -128) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.call()
		})
	}
}

func TestRequantizeRowGoMatchesOne(t *testing.T) {
	xs := []int32{math.MinInt32, math.MinInt32 + 1, -(1 << 30) - 1, -(1 << 30), -3, -2, -1, 0, 1, 2, 3, 1 << 30, math.MaxInt32 - 1, math.MaxInt32}
	for bit := 0; bit < 31; bit += 3 {
		xs = append(xs, 1<<bit-1, 1<<bit, 1<<bit+1, -(1<<bit)-1, -(1 << bit), -(1<<bit)+1)
	}
	mults := []int32{math.MinInt32, -1, 0, 1, 1 << 30, 3 << 29, math.MaxInt32, -123456789}
	biases := []int32{0, -1, math.MinInt32}

	out := make([]int8, len(xs))
	for _, mult := range mults {
		for shift := int32(-31); shift <= 30; shift++ {
			for _, bias := range biases {
				for _, zeroPoint := range []int32{-128, 3, 127} {
					for _, reluMin := range []int8{math.MinInt8, 3} {
						requantizeRowGo(out, xs, bias, mult, shift, zeroPoint, reluMin)
						for j, x := range xs {
							want := requantizeOne(x+bias, mult, shift, zeroPoint, reluMin)
							if out[j] != want {
								t.Fatalf("x=%d bias=%d mult=%d shift=%d zp=%d relu=%d: got %d, want %d",
									x, bias, mult, shift, zeroPoint, reluMin, out[j], want)
							}
						}
					}
				}
			}
		}
	}
}

func TestMaxPoolRequantizeS32MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type poolCase struct {
		name                    string
		top, bottom             []int32
		bias, mult, shift, zero int32
		reluMin                 int8
	}

	var cases []poolCase
	for _, n := range append(oddSizes, 112, 127, 128) {
		for _, shift := range []int32{-31, -9, -1, 0, 3, 30} {
			for _, mult := range []int32{1 << 30, int32(rng.Uint32()), -5, math.MinInt32} {
				zero := int32(rng.IntN(256) - 128)
				reluMin := int8(math.MinInt8)
				if rng.IntN(2) == 0 {
					reluMin = int8(zero)
				}
				cases = append(cases, poolCase{
					name: fmt.Sprintf("n%d_shift%d_mult%d", n, shift, mult),
					top:  randomAccumulators(rng, 2*n), bottom: randomAccumulators(rng, 2*n),
					bias: randomAccumulators(rng, 1)[0], mult: mult, shift: shift,
					zero: zero, reluMin: reluMin,
				})
			}
		}
	}

	forEachPath(t, func(t *testing.T) {
		for _, tc := range cases {
			n := len(tc.top) / 2
			want := make([]int8, n)
			maxPoolRequantizeGeneric(want, tc.top, tc.bottom, tc.bias, tc.mult, tc.shift, tc.zero, tc.reluMin)

			got, whole := guardedS8(n)
			MaxPoolRequantizeS32(got, tc.top, tc.bottom, tc.bias, tc.mult, tc.shift, tc.zero, tc.reluMin)

			if i := firstDiffS8(got, want); i >= 0 {
				t.Errorf("%s: dst[%d] = %d, want %d", tc.name, i, got[i], want[i])
			}
			checkGuardsS8(t, whole)
		}
	})
}

func TestMaxPoolRequantizeS32Definition(t *testing.T) {
	// max(-7, 40, 3, 39) = 40; 40·2^30·2^-31 = 20, plus the zero point 5.
	// max(-9, -8, -100, -50) = -8 gives -4+5 = 1, raised to reluMin 2.
	dst := make([]int8, 2)
	top := []int32{-7, 40, -9, -8}
	bottom := []int32{3, 39, -100, -50}
	MaxPoolRequantizeS32(dst, top, bottom, 0, 1<<30, 0, 5, 2)

	want := []int8{25, 2}
	if i := firstDiffS8(dst, want); i >= 0 {
		t.Errorf("dst[%d] = %d, want %d", i, dst[i], want[i])
	}
}

func TestMaxPoolRequantizeS32Panics(t *testing.T) {
	tests := []struct {
		name string
		call func()
	}{
		{"short top", func() { MaxPoolRequantizeS32(make([]int8, 2), make([]int32, 3), make([]int32, 4), 0, 1, 0, 0, -128) }},
		{"short bottom", func() { MaxPoolRequantizeS32(make([]int8, 2), make([]int32, 4), make([]int32, 3), 0, 1, 0, 0, -128) }},
		{"zero point", func() { MaxPoolRequantizeS32(make([]int8, 2), make([]int32, 4), make([]int32, 4), 0, 1, 0, 128, -128) }},
		{"shift", func() { MaxPoolRequantizeS32(make([]int8, 2), make([]int32, 4), make([]int32, 4), 0, 1, 31, 0, -128) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.call()
		})
	}
}

func TestGatherRequantizeS2MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	type gatherCase struct {
		name              string
		init              []int32
		taps              [6][]int32
		mult, shift, zero int32
		reluMin           int8
	}

	var cases []gatherCase
	for _, w := range append(oddSizes, 28, 56, 112) {
		for _, shift := range []int32{-31, -8, 0, 5} {
			for _, mult := range []int32{1 << 30, int32(rng.Uint32()), math.MinInt32} {
				tc := gatherCase{
					name: fmt.Sprintf("w%d_shift%d_mult%d", w, shift, mult),
					init: randomAccumulators(rng, 2*w),
					mult: mult, shift: shift, zero: int32(rng.IntN(256) - 128), reluMin: math.MinInt8,
				}
				if rng.IntN(2) == 0 {
					tc.reluMin = int8(tc.zero)
				}
				for i := range tc.taps {
					tc.taps[i] = randomAccumulators(rng, w)
				}
				cases = append(cases, tc)
			}
		}
	}

	forEachPath(t, func(t *testing.T) {
		for _, tc := range cases {
			n := len(tc.init)
			want := make([]int8, n)
			gatherRequantizeS2Generic(want, tc.init, &tc.taps, tc.mult, tc.shift, tc.zero, tc.reluMin)

			got, whole := guardedS8(n)
			GatherRequantizeS2(got, tc.init, &tc.taps, tc.mult, tc.shift, tc.zero, tc.reluMin)

			if i := firstDiffS8(got, want); i >= 0 {
				t.Errorf("%s: dst[%d] = %d, want %d", tc.name, i, got[i], want[i])
			}
			checkGuardsS8(t, whole)
		}
	})
}

func TestGatherRequantizeS2MatchesCol2im(t *testing.T) {
	// One channel of 3 x 4 input pixels: Col2imAddS32 followed by
	// Requantize must give the rows GatherRequantizeS2 gives.
	const h, w = 3, 4
	rng := rand.New(rand.NewPCG(15, 16))
	col := make([]int32, 9*h*w)
	for i := range col {
		col[i] = int32(rng.IntN(2001) - 1000)
	}
	init := make([]int32, 4*h*w)
	for i := range init {
		init[i] = int32(rng.IntN(201) - 100)
	}
	mult, shift := QuantizeMultiplier(0.01)

	acc := slices.Clone(init)
	Col2imAddS32(acc, col, 1, h, w, 3, 3, 2, 1, 2*h, 2*w)
	want := make([]int8, len(acc))
	Requantize(want, acc, nil, []int32{mult}, []int32{int32(shift)}, 3, -128)

	zeros := make([]int32, w)
	tapRow := func(ky, kx, iy int) []int32 {
		if iy >= h {
			return zeros
		}
		start := (ky*3+kx)*h*w + iy*w
		return col[start : start+w]
	}
	got := make([]int8, len(acc))
	for oy := range 2 * h {
		kyA, iyA, kyB, iyB := 1, oy/2, 1, h
		if oy%2 == 1 {
			kyA, iyA, kyB, iyB = 2, oy/2, 0, oy/2+1
		}
		taps := [6][]int32{
			tapRow(kyA, 0, iyA), tapRow(kyA, 1, iyA), tapRow(kyA, 2, iyA),
			tapRow(kyB, 0, iyB), tapRow(kyB, 1, iyB), tapRow(kyB, 2, iyB),
		}
		GatherRequantizeS2(got[oy*2*w:(oy+1)*2*w], init[oy*2*w:(oy+1)*2*w], &taps, mult, int32(shift), 3, -128)
	}

	if i := firstDiffS8(got, want); i >= 0 {
		t.Errorf("code %d = %d, Col2imAddS32 and Requantize give %d", i, got[i], want[i])
	}
}

func TestIm2colGray3x3S8MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	type grayCase struct {
		name         string
		src          []int8
		h, w, y0, y1 int
		zero         int8
	}

	var cases []grayCase
	for _, w := range append(oddSizes, 224) {
		for _, rows := range [][3]int{{1, 0, 1}, {2, 0, 2}, {5, 0, 5}, {5, 1, 4}, {5, 4, 5}, {4, 2, 2}} {
			h, y0, y1 := rows[0], rows[1], rows[2]
			cases = append(cases, grayCase{
				name: fmt.Sprintf("h%d_w%d_rows%d-%d", h, w, y0, y1),
				src:  randomS8(rng, h*w), h: h, w: w, y0: y0, y1: y1,
				zero: int8(rng.IntN(256) - 128),
			})
		}
	}

	forEachPath(t, func(t *testing.T) {
		for _, tc := range cases {
			n := (tc.y1 - tc.y0) * tc.w * 16
			want := make([]int8, n)
			im2colGray3x3Generic(want, tc.src, tc.h, tc.w, tc.y0, tc.y1, tc.zero)

			got, whole := guardedS8(n)
			Im2colGray3x3S8(got, tc.src, tc.h, tc.w, tc.y0, tc.y1, tc.zero)

			if i := firstDiffS8(got, want); i >= 0 {
				t.Errorf("%s: dst[%d] = %d, want %d", tc.name, i, got[i], want[i])
			}
			checkGuardsS8(t, whole)
		}
	})
}

func TestIm2colGray3x3S8MatchesIm2colS8(t *testing.T) {
	const h, w = 6, 37
	rng := rand.New(rand.NewPCG(19, 20))
	src := randomS8(rng, h*w)
	want := make([]int8, h*w*16)
	Im2colS8(want, src, 1, h, w, 3, 3, 1, 1, 16, -3)

	got := make([]int8, h*w*16)
	Im2colGray3x3S8(got, src, h, w, 0, h, -3)

	if i := firstDiffS8(got, want); i >= 0 {
		t.Errorf("dst[%d] = %d, Im2colS8 gives %d", i, got[i], want[i])
	}
}
