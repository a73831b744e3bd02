package score

import (
	"math"
	"strings"
	"testing"
)

func TestFitPixelModelConstructedMaps(t *testing.T) {
	// Three 2 x 2 maps. Per position the values are {1, 2, 3}, {0, 0, 0},
	// {2, 4, 6} and {-1, 1, 0}: means 2, 0, 4, 0 and sample deviations
	// 1, 0, 2, 1.
	maps := [][]float32{
		{1, 0, 2, -1},
		{2, 0, 4, 1},
		{3, 0, 6, 0},
	}

	model, err := FitPixelModel(maps, 2, 2)
	if err != nil {
		t.Fatal(err)
	}

	wantMean := []float32{2, 0, 4, 0}
	wantStd := []float32{1, 0, 2, 1}
	for i := range wantMean {
		if math.Abs(float64(model.Mean[i]-wantMean[i])) > 1e-6 {
			t.Errorf("Mean[%d] = %v, want %v", i, model.Mean[i], wantMean[i])
		}
		if math.Abs(float64(model.Std[i]-wantStd[i])) > 1e-6 {
			t.Errorf("Std[%d] = %v, want %v", i, model.Std[i], wantStd[i])
		}
	}

	// Eps is 1 % of the mean deviation (1 + 0 + 2 + 1) / 4 = 1.
	if math.Abs(float64(model.Eps)-0.01) > 1e-7 {
		t.Errorf("Eps = %v, want 0.01", model.Eps)
	}

	errMap := []float32{4, 0.5, 4, 0}
	dst := make([]float32, 4)
	if err := model.Normalize(dst, errMap); err != nil {
		t.Fatal(err)
	}
	want := []float64{(4 - 2) / 1.01, 0.5 / 0.01, 0, 0}
	for i := range want {
		if math.Abs(float64(dst[i])-want[i]) > 1e-4 {
			t.Errorf("normalized[%d] = %v, want %v", i, dst[i], want[i])
		}
	}

	// In place gives the same result.
	if err := model.Normalize(errMap, errMap); err != nil {
		t.Fatal(err)
	}
	for i := range dst {
		if errMap[i] != dst[i] {
			t.Errorf("in-place normalized[%d] = %v, want %v", i, errMap[i], dst[i])
		}
	}
}

func TestFitPixelModelErrors(t *testing.T) {
	good := []float32{0, 1, 2, 3}

	tests := []struct {
		name    string
		maps    [][]float32
		w, h    int
		message string
	}{
		{name: "one map", maps: [][]float32{good}, w: 2, h: 2, message: "got 1 error maps, need at least 2"},
		{name: "wrong length", maps: [][]float32{good, {1, 2, 3}}, w: 2, h: 2, message: "map 1 has 3 values, want 4"},
		{name: "NaN value", maps: [][]float32{good, {0, float32(math.NaN()), 0, 0}}, w: 2, h: 2, message: "map 1 has non-finite value NaN at index 1"},
		{name: "zero width", maps: [][]float32{good, good}, w: 0, h: 2, message: "size 0x2"},
		{name: "negative height", maps: [][]float32{good, good}, w: 2, h: -2, message: "size 2x-2"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitPixelModel(tt.maps, tt.w, tt.h)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not contain %q", err, tt.message)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	model := &PixelModel{Width: 2, Height: 2, Mean: make([]float32, 4), Std: make([]float32, 4)}
	broken := &PixelModel{Width: 2, Height: 2, Mean: make([]float32, 3), Std: make([]float32, 4)}

	tests := []struct {
		name         string
		model        *PixelModel
		dst, errMap  []float32
		messageMatch string
	}{
		{name: "short map", model: model, dst: make([]float32, 4), errMap: make([]float32, 3), messageMatch: "map of 3 values"},
		{name: "short destination", model: model, dst: make([]float32, 2), errMap: make([]float32, 4), messageMatch: "destination of 2"},
		{name: "inconsistent model", model: broken, dst: make([]float32, 4), errMap: make([]float32, 4), messageMatch: "refit"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.model.Normalize(tt.dst, tt.errMap)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.messageMatch) {
				t.Errorf("error %q does not contain %q", err, tt.messageMatch)
			}
		})
	}
}

func TestNormalizeZeroEpsIsFinite(t *testing.T) {
	// A hand-built model of constant maps: zero deviation and zero Eps.
	model := &PixelModel{Width: 1, Height: 2, Mean: []float32{1, 1}, Std: []float32{0, 0}}
	dst := make([]float32, 2)

	if err := model.Normalize(dst, []float32{1, 1.5}); err != nil {
		t.Fatal(err)
	}
	if dst[0] != 0 {
		t.Errorf("normalized[0] = %v, want 0 for an error equal to the mean", dst[0])
	}
	if math.IsInf(float64(dst[1]), 0) || math.IsNaN(float64(dst[1])) || dst[1] <= 0 {
		t.Errorf("normalized[1] = %v, want a large finite positive value", dst[1])
	}
}
