package quant

import (
	"math"
	"slices"
	"strings"
	"testing"

	"edgeae/models"
)

func TestReportRows(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 30)
	images := randomImages(arch, 4, 30)
	m := quantizeNet(t, net, images, Options{})
	engine := startEngine(t, m, 2, 64)

	report, err := Report(net, engine, images)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}

	wantNames := []string{
		"input", "enc0.conv+relu", "enc0.maxpool", "enc1.conv+relu", "enc1.maxpool",
		"dec0.convt+relu", "dec1.convt", "sigmoid (float32 output)",
	}
	wantLayers := []int{-1, 1, 2, 4, 5, 7, 8, 9}
	var names []string
	var layers []int
	for _, r := range report {
		names = append(names, r.Name)
		layers = append(layers, r.Layer)
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("row names %q, want %q", names, wantNames)
	}
	if !slices.Equal(layers, wantLayers) {
		t.Errorf("row layers %v, want %v", layers, wantLayers)
	}

	// The images are multiples of 1/255, so the input is exact.
	if !math.IsInf(report[0].SQNR, 1) || report[0].MaxAbsError != 0 {
		t.Errorf("input SQNR %v dB, max error %v; want +Inf and 0 for 8-bit images", report[0].SQNR, report[0].MaxAbsError)
	}
	for _, r := range report[1:] {
		if !(r.SQNR > 30) || math.IsInf(r.SQNR, 0) {
			t.Errorf("%s: SQNR %v dB, want finite and above 30 dB", r.Name, r.SQNR)
		}
		if r.Scale > 0 && r.MaxAbsError > 4*r.Scale {
			t.Errorf("%s: max error %v is more than 4 steps of %v", r.Name, r.MaxAbsError, r.Scale)
		}
	}
}

func TestReportInputRounding(t *testing.T) {
	// Values halfway between codes give the largest input error, half a
	// step.
	arch := tinyArch()
	net := newNet(t, arch, 31)
	images := randomImages(arch, 1, 31)
	for i, v := range images[0] {
		images[0][i] = min(1, v+0.4/255)
	}
	engine := startEngine(t, quantizeNet(t, net, images, Options{}), 1, defaultChunkBytes)

	report, err := Report(net, engine, images)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	input := report[0]
	if math.IsInf(input.SQNR, 1) || input.MaxAbsError > InputScale/2 || input.MaxAbsError < 0.3/255 {
		t.Errorf("input SQNR %v dB, max error %v; want finite and a max error in [0.3/255, 0.5/255]", input.SQNR, input.MaxAbsError)
	}
}

func TestReportRejectsBadArguments(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 32)
	images := randomImages(arch, 1, 32)
	engine := startEngine(t, quantizeNet(t, net, images, Options{}), 1, defaultChunkBytes)
	other := newNet(t, models.Arch{Channels: 1, Height: 16, Width: 16, Widths: []int{4, 4}}, 33)

	tests := []struct {
		name   string
		net    *models.Net
		engine *Engine
		images [][]float32
		want   string
	}{
		{"nil net", nil, engine, images, "must not be nil"},
		{"nil engine", net, nil, images, "must not be nil"},
		{"other arch", other, engine, images, "differs from the engine's"},
		{"no images", net, engine, nil, "no images"},
		{"wrong size", net, engine, [][]float32{make([]float32, 3)}, "has 3 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Report(tt.net, tt.engine, tt.images)
			if err == nil {
				t.Fatalf("Report accepted %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
