package score

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestCalibrateHandComputed(t *testing.T) {
	// The scores 1..20 in shuffled order. Nearest rank: Q(0.95) is rank 19,
	// the median rank 10, Q(0.99) rank 20.
	scores := make([]float64, 20)
	for i := range scores {
		scores[i] = float64(i + 1)
	}
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(scores), func(i, j int) { scores[i], scores[j] = scores[j], scores[i] })
	original := slices.Clone(scores)

	threshold, stats, err := Calibrate(scores, 0.95, 0.5)
	if err != nil {
		t.Fatal(err)
	}

	if want := 19 + 0.5*(19-10); threshold != want {
		t.Errorf("threshold %v, want %v", threshold, want)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"N", float64(stats.N), 20},
		{"Mean", stats.Mean, 10.5},
		// Sample variance of 1..n is n(n+1)/12.
		{"Std", stats.Std, math.Sqrt(20 * 21 / 12.0)},
		{"Min", stats.Min, 1},
		{"Max", stats.Max, 20},
		{"P50", stats.P50, 10},
		{"P95", stats.P95, 19},
		{"P99", stats.P99, 20},
		{"Quantile", stats.Quantile, 0.95},
		{"QuantileScore", stats.QuantileScore, 19},
		{"Margin", stats.Margin, 0.5},
		{"PassFraction", stats.PassFraction, 1},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	if !slices.Equal(scores, original) {
		t.Error("Calibrate reordered the caller's scores")
	}
}

func TestCalibrateMostGoodPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	draws := map[string]func() float64{
		"normal":    func() float64 { return 1 + 0.2*rng.NormFloat64() },
		"lognormal": func() float64 { return math.Exp(rng.NormFloat64()) },
		"outliers": func() float64 {
			if rng.IntN(10) == 0 {
				return 100 + rng.Float64()
			}
			return rng.Float64()
		},
		"ties": func() float64 { return float64(rng.IntN(3)) },
	}

	for name, draw := range draws {
		for _, n := range []int{5, 6, 17, 40, 64, 199} {
			for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 1} {
				for _, margin := range []float64{0, DefaultMargin, 3} {
					scores := make([]float64, n)
					for i := range scores {
						scores[i] = draw()
					}

					threshold, stats, err := Calibrate(scores, q, margin)
					if err != nil {
						t.Fatalf("%s n=%d q=%v margin=%v: %v", name, n, q, margin, err)
					}

					passed := 0
					for _, s := range scores {
						if s <= threshold {
							passed++
						}
					}
					if float64(passed) < q*float64(n) {
						t.Errorf("%s n=%d q=%v margin=%v: %d of %d pass, want at least %v", name, n, q, margin, passed, n, q*float64(n))
					}
					if stats.PassFraction != float64(passed)/float64(n) {
						t.Errorf("%s n=%d q=%v: PassFraction %v, counted %v", name, n, q, stats.PassFraction, float64(passed)/float64(n))
					}
					if threshold < stats.QuantileScore {
						t.Errorf("%s n=%d q=%v: threshold %v below the quantile %v", name, n, q, threshold, stats.QuantileScore)
					}
				}
			}
		}
	}
}

func TestCalibrateErrors(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	withNaN := slices.Clone(ten)
	withNaN[3] = math.NaN()
	withInf := slices.Clone(ten)
	withInf[7] = math.Inf(1)
	withInf[8] = math.Inf(-1)

	tests := []struct {
		name          string
		scores        []float64
		q, margin     float64
		messageNeedle string
	}{
		{name: "too few", scores: []float64{1, 2, 3, 4}, q: 0.95, margin: 0.5, messageNeedle: "got 4 scores, need at least 5"},
		{name: "empty", scores: nil, q: 0.95, margin: 0.5, messageNeedle: "got 0 scores"},
		{name: "NaN", scores: withNaN, q: 0.95, margin: 0.5, messageNeedle: "1 of 10 scores are NaN or infinite (first at index 3"},
		{name: "infinities", scores: withInf, q: 0.95, margin: 0.5, messageNeedle: "2 of 10 scores"},
		{name: "quantile below median", scores: ten, q: 0.4, margin: 0.5, messageNeedle: "quantile 0.4"},
		{name: "quantile NaN", scores: ten, q: math.NaN(), margin: 0.5, messageNeedle: "quantile NaN"},
		{name: "negative margin", scores: ten, q: 0.95, margin: -0.1, messageNeedle: "margin -0.1"},
		{name: "infinite margin", scores: ten, q: 0.95, margin: math.Inf(1), messageNeedle: "margin +Inf"},
		{name: "overflow", scores: []float64{-1e308, -1e308, -1e308, 1e308, 1.7e308}, q: 1, margin: 1, messageNeedle: "overflows"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Calibrate(tt.scores, tt.q, tt.margin)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.messageNeedle) {
				t.Errorf("error %q does not contain %q", err, tt.messageNeedle)
			}
		})
	}
}

func TestCalibrateConstantScores(t *testing.T) {
	scores := []float64{0.3, 0.3, 0.3, 0.3, 0.3, 0.3}

	threshold, stats, err := Calibrate(scores, DefaultQuantile, DefaultMargin)
	if err != nil {
		t.Fatal(err)
	}
	if threshold != 0.3 {
		t.Errorf("threshold %v, want 0.3", threshold)
	}
	if stats.Std != 0 {
		t.Errorf("Std %v, want 0", stats.Std)
	}
	if stats.PassFraction != 1 {
		t.Errorf("PassFraction %v, want 1", stats.PassFraction)
	}
}

func TestAccept(t *testing.T) {
	tests := []struct {
		score, threshold float64
		want             bool
	}{
		{score: 0.5, threshold: 1, want: true},
		{score: 1, threshold: 1, want: true},
		{score: 1.0000001, threshold: 1, want: false},
		{score: math.NaN(), threshold: 1, want: false},
		{score: math.Inf(1), threshold: 1, want: false},
	}

	for _, tt := range tests {
		if got := Accept(tt.score, tt.threshold); got != tt.want {
			t.Errorf("Accept(%v, %v) = %v, want %v", tt.score, tt.threshold, got, tt.want)
		}
	}
}
