package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"edgeae/inspect"
	"edgeae/models"
	"edgeae/quant"
)

func TestQuantizeWritesInt8Model(t *testing.T) {
	data, model := trainSmall(t)
	out := filepath.Join(t.TempDir(), "small.int8.edgeae")

	var report bytes.Buffer
	f := quantizeFlags{model: model, data: data, out: out, opts: quant.Options{Method: quant.MethodPercentile, Percentile: 99.9, Workers: 2}}
	if err := quantizeModel(context.Background(), f, &report); err != nil {
		t.Fatalf("quantize: %v", err)
	}

	text := report.String()
	for _, want := range []string{"enc0.conv+relu", "dec2.convt", "sigmoid (float32 output)", "Spearman correlation", "threshold: float32"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}

	det, err := inspect.Load(out)
	if err != nil {
		t.Fatalf("inspect.Load(%s): %v", out, err)
	}
	if det.Meta.Format != models.FormatInt8 {
		t.Errorf("format %q, want %q", det.Meta.Format, models.FormatInt8)
	}
	if !(det.Meta.Threshold > 0) || det.Meta.Calibration.N == 0 {
		t.Errorf("threshold %v calibrated on %d scores, want a positive threshold from the held-out images", det.Meta.Threshold, det.Meta.Calibration.N)
	}
	if _, _, err := models.Load(out); !errors.Is(err, models.ErrFormat) {
		t.Errorf("models.Load of the int8 file: error %v, want models.ErrFormat", err)
	}
}

func TestQuantizeRejectsInt8Input(t *testing.T) {
	data, model := trainSmall(t)
	first := filepath.Join(t.TempDir(), "first.int8")
	f := quantizeFlags{model: model, data: data, out: first}
	if err := quantizeModel(context.Background(), f, &bytes.Buffer{}); err != nil {
		t.Fatalf("quantize: %v", err)
	}

	f.model, f.out = first, filepath.Join(t.TempDir(), "second.int8")
	err := quantizeModel(context.Background(), f, &bytes.Buffer{})
	if !errors.Is(err, models.ErrFormat) {
		t.Errorf("quantizing an int8 model: error %v, want models.ErrFormat", err)
	}
}

func TestQuantizeMissingFlagsIsUsageError(t *testing.T) {
	err := runQuantize(context.Background(), []string{"--model", "m.edgeae"})
	if !errors.Is(err, errUsage) {
		t.Errorf("error %v, want errUsage", err)
	}
}
