package dataset

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// numbered returns n samples with paths "000" to n-1.
func numbered(n int) []Sample {
	s := make([]Sample, n)
	for i := range s {
		s[i] = Sample{Path: fmt.Sprintf("%03d", i)}
	}
	return s
}

func paths(samples []Sample) []string {
	var out []string
	for _, s := range samples {
		out = append(out, s.Path)
	}
	return out
}

func TestSplitSizes(t *testing.T) {
	tests := []struct {
		n        int
		holdout  float64
		wantHeld int
	}{
		{10, 0.2, 2},
		{320, 0.1, 32},
		{5, 0.5, 3}, // round(2.5) = 3, halves away from zero
		{7, 0.3, 2}, // round(2.1) = 2
		{2, 0, 1},   // at least one held out
		{2, 1, 1},   // at least one left for training
		{10, -1, 1}, // negative counts as 0
		{10, 5, 9},  // above 1 counts as 1
		{10, math.NaN(), 1},
		{1, 0.5, 0}, // fewer than two: all train
		{0, 0.5, 0},
	}

	for _, tt := range tests {
		t.Run(fmt.Sprintf("n=%d holdout=%v", tt.n, tt.holdout), func(t *testing.T) {
			samples := numbered(tt.n)
			train, held := Split(samples, tt.holdout, 1)

			if len(held) != tt.wantHeld {
				t.Errorf("held %d, want %d", len(held), tt.wantHeld)
			}
			if len(train)+len(held) != tt.n {
				t.Errorf("train %d + held %d != %d samples", len(train), len(held), tt.n)
			}

			// Every sample lands in exactly one part, in input order.
			all := append(paths(train), paths(held)...)
			slices.Sort(all)
			if !slices.Equal(all, paths(samples)) {
				t.Errorf("parts %v + %v are not a partition of the input", paths(train), paths(held))
			}
			if !slices.IsSorted(paths(train)) || !slices.IsSorted(paths(held)) {
				t.Errorf("parts %v and %v are not in input order", paths(train), paths(held))
			}
		})
	}
}

func TestSplitDeterministic(t *testing.T) {
	samples := numbered(50)

	_, a := Split(samples, 0.2, 7)
	_, b := Split(samples, 0.2, 7)
	if !slices.Equal(paths(a), paths(b)) {
		t.Errorf("same seed gave %v and %v", paths(a), paths(b))
	}

	_, c := Split(samples, 0.2, 8)
	if slices.Equal(paths(a), paths(c)) {
		t.Errorf("seeds 7 and 8 both held out %v", paths(a))
	}

	// The held-out part is not simply the first or last samples.
	if slices.Equal(paths(a), paths(samples[:10])) || slices.Equal(paths(a), paths(samples[40:])) {
		t.Errorf("held out %v, want a shuffled choice", paths(a))
	}
}

func TestSplitDoesNotModifyInput(t *testing.T) {
	samples := numbered(20)
	Split(samples, 0.3, 3)
	if !slices.Equal(paths(samples), paths(numbered(20))) {
		t.Errorf("input reordered to %v", paths(samples))
	}
}

func TestSplitMix64Reference(t *testing.T) {
	// Published reference outputs of SplitMix64 for seed 0.
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	rng := splitMix64{}
	for i, w := range want {
		if got := rng.next(); got != w {
			t.Errorf("output %d = %#x, want %#x", i, got, w)
		}
	}
}
