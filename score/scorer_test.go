package score

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestScoreMethods(t *testing.T) {
	// One channel, 2 x 3 pixels. Squared errors: 1, 0.25, 0, 0, 0, 4.
	input := []float32{0, 0, 0, 0, 0, 0}
	recon := []float32{1, 0.5, 0, 0, 0, 2}

	tests := []struct {
		name string
		cfg  Config
		want float64
	}{
		{name: "mean", cfg: Config{Method: MethodMean}, want: 5.25 / 6},
		{name: "mean ignores smoothing", cfg: Config{Method: MethodMean, Sigma: 1}, want: 5.25 / 6},
		{name: "max", cfg: Config{Method: MethodMax}, want: 4},
		{name: "topk two of six", cfg: Config{Method: MethodTopK, TopK: 0.2}, want: (4 + 1) / 2.0},
		{name: "topk three of six", cfg: Config{Method: MethodTopK, TopK: 0.5}, want: (4 + 1 + 0.25) / 3},
		{name: "topk all", cfg: Config{Method: MethodTopK, TopK: 1}, want: 5.25 / 6},
		{name: "topk tiny fraction takes one", cfg: Config{Method: MethodTopK, TopK: 1e-9}, want: 4},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewScorer(tt.cfg, 1, 2, 3)
			if err != nil {
				t.Fatal(err)
			}

			got, errMap := s.Score(input, recon)
			if math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("score %v, want %v", got, tt.want)
			}
			if len(errMap) != 6 {
				t.Errorf("error map has %d values, want 6", len(errMap))
			}
		})
	}
}

func TestScoreAveragesChannels(t *testing.T) {
	// Two channels of 1 x 2 pixels. Pixel 0 has squared errors 1 and 1,
	// pixel 1 has 0 and 4, so the map is {1, 2}.
	input := []float32{0, 0, 0, 0}
	recon := []float32{1, 0, -1, 2}

	s, err := NewScorer(Config{Method: MethodMax}, 2, 1, 2)
	if err != nil {
		t.Fatal(err)
	}

	got, errMap := s.Score(input, recon)
	if got != 2 {
		t.Errorf("max score %v, want 2", got)
	}
	if !slices.Equal(errMap, []float32{1, 2}) {
		t.Errorf("error map %v, want [1 2]", errMap)
	}

	mean, err := NewScorer(Config{Method: MethodMean}, 2, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := mean.Score(input, recon); got != 6.0/4 {
		t.Errorf("mean score %v, want 1.5 (MSE over all four elements)", got)
	}
}

func TestSmoothImpulse(t *testing.T) {
	const size, centre = 25, 12
	const sigma = 2.0

	s, err := NewScorer(Config{Method: MethodMax, Sigma: sigma}, 1, size, size)
	if err != nil {
		t.Fatal(err)
	}
	input := make([]float32, size*size)
	recon := make([]float32, size*size)
	recon[centre*size+centre] = 1

	_, errMap := s.Score(input, recon)

	var sum float64
	for _, v := range errMap {
		sum += float64(v)
	}
	if math.Abs(sum-1) > 1e-5 {
		t.Errorf("smoothed impulse sums to %v, want 1", sum)
	}

	// Independent reference: the 2D Gaussian truncated at radius
	// ceil(3 sigma) = 6 and normalised over that square.
	radius := 6
	var norm float64
	for i := -radius; i <= radius; i++ {
		norm += math.Exp(-float64(i*i) / (2 * sigma * sigma))
	}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := x-centre, y-centre
			want := 0.0
			if abs(dx) <= radius && abs(dy) <= radius {
				want = math.Exp(-float64(dx*dx+dy*dy)/(2*sigma*sigma)) / (norm * norm)
			}
			if got := float64(errMap[y*size+x]); math.Abs(got-want) > 1e-6 {
				t.Fatalf("value at (%d, %d) is %v, want %v", x, y, got, want)
			}
		}
	}

	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			v := errMap[y*size+x]
			if v != errMap[y*size+(size-1-x)] || v != errMap[(size-1-y)*size+x] || v != errMap[x*size+y] {
				t.Fatalf("smoothed impulse not symmetric at (%d, %d)", x, y)
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestSmoothClampsEdges(t *testing.T) {
	// A constant map stays constant only if samples beyond the edge repeat
	// the edge value; zero padding would darken the border.
	const width, height = 7, 5
	s, err := NewScorer(Config{Method: MethodMax, Sigma: 3}, 1, height, width)
	if err != nil {
		t.Fatal(err)
	}
	input := make([]float32, width*height)
	recon := make([]float32, width*height)
	for i := range recon {
		recon[i] = 0.5
	}

	_, errMap := s.Score(input, recon)
	for i, v := range errMap {
		if math.Abs(float64(v)-0.25) > 1e-6 {
			t.Fatalf("value %d is %v, want 0.25 everywhere", i, v)
		}
	}
}

func TestSmoothCornerImpulse(t *testing.T) {
	// With clamped edges an impulse in the corner keeps the weight of every
	// kernel tap that falls outside, so the top-left pixel receives the
	// sum of the weights at offsets <= 0 in each direction, squared.
	const size = 9
	const sigma = 1.0
	s, err := NewScorer(Config{Method: MethodMax, Sigma: sigma}, 1, size, size)
	if err != nil {
		t.Fatal(err)
	}
	input := make([]float32, size*size)
	recon := make([]float32, size*size)
	recon[0] = 1

	_, errMap := s.Score(input, recon)

	var norm, nonPositive float64
	for i := -3; i <= 3; i++ {
		w := math.Exp(-float64(i*i) / (2 * sigma * sigma))
		norm += w
		if i <= 0 {
			nonPositive += w
		}
	}
	want := (nonPositive / norm) * (nonPositive / norm)
	if got := float64(errMap[0]); math.Abs(got-want) > 1e-6 {
		t.Errorf("corner value %v, want %v", got, want)
	}
}

func TestMeanOfLargestMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))

	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(500)
		values := make([]float32, n)
		distinct := 1 + rng.IntN(n)
		for i := range values {
			// A few distinct levels half the time, to exercise runs of
			// equal values.
			if trial%2 == 0 {
				values[i] = float32(rng.IntN(min(distinct, 4)))
			} else {
				values[i] = rng.Float32()
			}
		}
		k := 1 + rng.IntN(n)

		sorted := slices.Clone(values)
		slices.Sort(sorted)
		var want float64
		for _, v := range sorted[n-k:] {
			want += float64(v)
		}
		want /= float64(k)

		got := meanOfLargest(slices.Clone(values), k)
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("trial %d (n %d, k %d): got %v, want %v", trial, n, k, got, want)
		}
	}
}

func TestSelectNthOrdersAroundNth(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := make([]float32, 1001)
	for i := range values {
		values[i] = float32(rng.IntN(50))
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)

	for _, nth := range []int{0, 1, 500, 999, 1000} {
		a := slices.Clone(values)
		selectNth(a, nth)

		if a[nth] != sorted[nth] {
			t.Errorf("nth %d: a[nth] = %v, want %v", nth, a[nth], sorted[nth])
		}
		for i, v := range a {
			if (i < nth && v > a[nth]) || (i > nth && v < a[nth]) {
				t.Fatalf("nth %d: a[%d] = %v is on the wrong side of %v", nth, i, v, a[nth])
			}
		}
	}
}

func TestFractionCount(t *testing.T) {
	tests := []struct {
		fraction float64
		n        int
		want     int
	}{
		{fraction: 0.07, n: 100, want: 7},
		{fraction: 0.3, n: 7, want: 3},
		{fraction: 0.01, n: 256 * 96, want: 246},
		{fraction: 1, n: 10, want: 10},
		{fraction: 1e-9, n: 10, want: 1},
		{fraction: 0.5, n: 1, want: 1},
	}

	for _, tt := range tests {
		if got := fractionCount(tt.fraction, tt.n); got != tt.want {
			t.Errorf("fractionCount(%v, %d) = %d, want %d", tt.fraction, tt.n, got, tt.want)
		}
	}
}

func TestScoreDoesNotAllocate(t *testing.T) {
	const channels, height, width = 3, 96, 256
	rng := rand.New(rand.NewPCG(5, 6))
	input := make([]float32, channels*height*width)
	recon := make([]float32, channels*height*width)
	for i := range input {
		input[i] = rng.Float32()
		recon[i] = rng.Float32()
	}

	for _, cfg := range []Config{DefaultConfig(), {Method: MethodMax, Sigma: 1.5}, {Method: MethodMean, Sigma: 2}} {
		s, err := NewScorer(cfg, channels, height, width)
		if err != nil {
			t.Fatal(err)
		}

		allocs := testing.AllocsPerRun(20, func() {
			s.Score(input, recon)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Score, want 0", cfg.Method, allocs)
		}
	}
}

func TestScoreBadInput(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))

	tests := []struct {
		name         string
		input, recon []float32
		message      string
	}{
		{name: "short input", input: make([]float32, 5), recon: make([]float32, 6), message: "input has 5"},
		{name: "long reconstruction", input: make([]float32, 6), recon: make([]float32, 7), message: "reconstruction 7"},
		{name: "nil slices", input: nil, recon: nil, message: "want 6"},
		{name: "NaN in input", input: []float32{0, 0, nan, 0, 0, 0}, recon: make([]float32, 6), message: "index 2"},
		{name: "Inf in reconstruction", input: make([]float32, 6), recon: []float32{0, 0, 0, 0, inf, 0}, message: "index 4"},
		{name: "Inf in both", input: []float32{inf, 0, 0, 0, 0, 0}, recon: []float32{inf, 0, 0, 0, 0, 0}, message: "index 0"},
	}

	for _, tt := range tests {
		for _, cfg := range []Config{DefaultConfig(), {Method: MethodMax, Sigma: 1}, {Method: MethodMean}} {
			s, err := NewScorer(cfg, 1, 2, 3)
			if err != nil {
				t.Fatal(err)
			}

			got, _ := s.Score(tt.input, tt.recon)
			if !math.IsInf(got, 1) {
				t.Errorf("%s, %s: score %v, want +Inf so the part is rejected", tt.name, cfg.Method, got)
			}

			err = s.Check(tt.input, tt.recon)
			if err == nil {
				t.Errorf("%s: Check returned no error", tt.name)
				continue
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("%s: Check error %q does not mention %q", tt.name, err, tt.message)
			}
		}
	}
}

func TestCheckAcceptsGoodInput(t *testing.T) {
	s, err := NewScorer(DefaultConfig(), 1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(make([]float32, 6), make([]float32, 6)); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestNewScorerErrors(t *testing.T) {
	tests := []struct {
		name                    string
		cfg                     Config
		channels, height, width int
		message                 string
	}{
		{name: "invalid config", cfg: Config{Method: "median"}, channels: 1, height: 4, width: 4, message: "median"},
		{name: "zero channels", cfg: DefaultConfig(), channels: 0, height: 4, width: 4, message: "at least 1"},
		{name: "negative width", cfg: DefaultConfig(), channels: 1, height: 4, width: -1, message: "at least 1"},
		{name: "too many elements", cfg: DefaultConfig(), channels: 3, height: 1 << 14, width: 1 << 14, message: "exceeds"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewScorer(tt.cfg, tt.channels, tt.height, tt.width)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not mention %q", err, tt.message)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		message string
	}{
		{name: "default", cfg: DefaultConfig()},
		{name: "mean without topk", cfg: Config{Method: MethodMean}},
		{name: "max with sigma", cfg: Config{Method: MethodMax, Sigma: 4}},
		{name: "unknown method", cfg: Config{Method: "p99"}, message: "method"},
		{name: "empty method", cfg: Config{}, message: "method"},
		{name: "negative sigma", cfg: Config{Method: MethodMax, Sigma: -1}, message: "sigma"},
		{name: "NaN sigma", cfg: Config{Method: MethodMax, Sigma: math.NaN()}, message: "sigma"},
		{name: "huge sigma", cfg: Config{Method: MethodMax, Sigma: 1000}, message: "sigma"},
		{name: "topk zero", cfg: Config{Method: MethodTopK, TopK: 0}, message: "topk"},
		{name: "topk above one", cfg: Config{Method: MethodTopK, TopK: 1.5}, message: "topk"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.message == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one about %s", tt.message)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not mention %q", err, tt.message)
			}
		})
	}
}

func BenchmarkScore(b *testing.B) {
	const channels, height, width = 1, 96, 256
	rng := rand.New(rand.NewPCG(7, 8))
	input := make([]float32, channels*height*width)
	recon := make([]float32, channels*height*width)
	for i := range input {
		input[i] = rng.Float32()
		recon[i] = rng.Float32()
	}
	s, err := NewScorer(DefaultConfig(), channels, height, width)
	if err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		s.Score(input, recon)
	}
}
