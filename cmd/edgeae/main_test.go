package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"edgeae/dataset"
	"edgeae/internal/testdata"
	"edgeae/models"
	"edgeae/preprocess"
	"edgeae/train"
)

// trainSmall trains a 32 x 32 model for two epochs on the first 20 real
// train/good images and returns the dataset root (symbolic links to 3 good
// and 3 defective test images) and the model path.
func trainSmall(t *testing.T) (data, model string) {
	t.Helper()
	data = testdata.Subset(t, 20, 3)

	model = filepath.Join(t.TempDir(), "small.edgeae")
	cfg := train.DefaultConfig()
	cfg.Data, cfg.Out, cfg.Epochs, cfg.Batch, cfg.Holdout = data, model, 2, 8, 0.25
	cfg.Arch = models.Arch{Channels: 1, Height: 32, Width: 32, Widths: []int{4, 8, 8}}
	cfg.Preprocess = preprocess.Config{Width: 32, Height: 32, Channels: 1, Resize: "area"}
	if _, err := train.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return data, model
}

// readJSON decodes the JSON file at path into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestEvalWritesReport(t *testing.T) {
	data, model := trainSmall(t)
	out := t.TempDir()
	jsonPath := filepath.Join(out, "report.json")
	heatmaps := filepath.Join(out, "heatmaps")

	err := runEval(context.Background(), []string{"--data", data, "--model", model, "--json", jsonPath, "--heatmaps", heatmaps})
	if err != nil {
		t.Fatal(err)
	}

	var rep map[string]any
	readJSON(t, jsonPath, &rep)
	for _, key := range []string{"image_auroc", "n_good", "n_defective", "threshold", "per_kind"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("report lacks %q", key)
		}
	}
	if rep["n_good"] != 3.0 || rep["n_defective"] != 3.0 {
		t.Errorf("report counts %v good and %v defective, want 3 and 3", rep["n_good"], rep["n_defective"])
	}
	if _, ok := rep["image_auroc"].(float64); !ok {
		t.Errorf("image_auroc = %v, want a number", rep["image_auroc"])
	}

	entries, err := os.ReadDir(heatmaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Errorf("wrote %d heatmaps, want 6", len(entries))
	}
	f, err := os.Open(filepath.Join(heatmaps, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("heatmap %s: %v", entries[0].Name(), err)
	}
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 32 {
		t.Errorf("heatmap is %dx%d, want the model input 32x32", b.Dx(), b.Dy())
	}
}

func TestEvalOneClassIsUndefined(t *testing.T) {
	data, model := trainSmall(t)
	if err := os.RemoveAll(filepath.Join(data, "test", "defective")); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(t.TempDir(), "report.json")

	if err := runEval(context.Background(), []string{"--data", data, "--model", model, "--json", jsonPath}); err != nil {
		t.Fatal(err)
	}

	var rep struct {
		AUROC *float64 `json:"image_auroc"`
		Note  string   `json:"image_auroc_note"`
	}
	readJSON(t, jsonPath, &rep)
	if rep.AUROC != nil {
		t.Errorf("image_auroc = %v with only good images, want null", *rep.AUROC)
	}
	if rep.Note == "" {
		t.Error("image_auroc_note is empty, want the reason")
	}
}

func TestEvalCorruptImageCountsAsFault(t *testing.T) {
	data, model := trainSmall(t)
	bad := filepath.Join(data, "test", "defective", "999.png")
	if err := os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(t.TempDir(), "report.json")

	if err := runEval(context.Background(), []string{"--data", data, "--model", model, "--json", jsonPath}); err != nil {
		t.Fatal(err)
	}

	var rep evalReport
	readJSON(t, jsonPath, &rep)
	if rep.Faults != 1 {
		t.Errorf("faults = %d, want 1", rep.Faults)
	}
	if rep.NDefective != 4 {
		t.Errorf("n_defective = %d, want 4 (the corrupt file is still counted)", rep.NDefective)
	}
}

func TestEncodingsWritesPlot(t *testing.T) {
	data, model := trainSmall(t)
	plotPath := filepath.Join(t.TempDir(), "enc.png")

	if err := runEncodings(context.Background(), []string{"--data", data, "--model", model, "--plot", plotPath}); err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(plotPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("plot is not a PNG: %v", err)
	}
}

func TestSummariseClass(t *testing.T) {
	c := summariseClass("good", [][]float32{{1, 3}, {3, 5}})

	if c.Mean[0] != 2 || c.Mean[1] != 4 {
		t.Errorf("mean encoding %v, want [2 4]", c.Mean)
	}
	if c.MeanValue != 3 {
		t.Errorf("mean value %g, want 3", c.MeanValue)
	}
	if c.Spread != 1 {
		t.Errorf("spread %g, want 1 (every value is 1 from the mean)", c.Spread)
	}
}

func TestSubcommandsHaveHelp(t *testing.T) {
	for name, cmd := range commands {
		t.Run(name, func(t *testing.T) {
			err := cmd.run(context.Background(), []string{"--help"})
			if !errors.Is(err, flag.ErrHelp) {
				t.Errorf("%s --help returned %v, want flag.ErrHelp", name, err)
			}
		})
	}
}

func TestMissingDataIsUsageError(t *testing.T) {
	for _, name := range []string{"train", "eval", "encodings"} {
		t.Run(name, func(t *testing.T) {
			err := commands[name].run(context.Background(), nil)
			if !errors.Is(err, errUsage) && err == nil {
				t.Errorf("%s without flags returned nil, want an error", name)
			}
		})
	}
}

func TestEvalPixelAUROCWithMasks(t *testing.T) {
	data, model := trainSmall(t)
	entries, err := os.ReadDir(filepath.Join(data, "test", "defective"))
	if err != nil {
		t.Fatal(err)
	}
	maskDir := filepath.Join(data, "ground_truth", "defective")
	if err := os.MkdirAll(maskDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		mask := image.NewGray(image.Rect(0, 0, 1024, 1024))
		for y := 400; y < 600; y++ {
			for x := 400; x < 600; x++ {
				mask.SetGray(x, y, color.Gray{Y: 255})
			}
		}
		name := strings.TrimSuffix(e.Name(), ".png") + "_mask.png"
		f, err := os.Create(filepath.Join(maskDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, mask); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	jsonPath := filepath.Join(t.TempDir(), "report.json")

	if err := runEval(context.Background(), []string{"--data", data, "--model", model, "--json", jsonPath}); err != nil {
		t.Fatal(err)
	}

	var rep evalReport
	readJSON(t, jsonPath, &rep)
	if rep.PixelAUROC == nil {
		t.Fatalf("pixel_auroc is null (%s), want a number with masks present", rep.PixelNote)
	}
	if *rep.PixelAUROC < 0 || *rep.PixelAUROC > 1 {
		t.Errorf("pixel_auroc = %g, want within [0, 1]", *rep.PixelAUROC)
	}
}

func TestFindPreset(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "screw"},
		{[]string{"--data", "d", "--preset", "paper"}, "paper"},
		{[]string{"-preset=paper", "--out", "m"}, "paper"},
		{[]string{"--", "--preset", "paper"}, "screw"},
	}
	for _, tt := range tests {
		if got := findPreset(tt.args); got != tt.want {
			t.Errorf("findPreset(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestOperatingPoints(t *testing.T) {
	images := []imageRow{
		{Defective: true, Score: 0.9},
		{Defective: true, Score: 0.7},
		{Defective: true, Score: 0.5},
		{Defective: true, Score: 0.3},
		{Score: 0.6},
		{Score: 0.2},
	}

	got := operatingPoints(images, []float64{0.5, 1})

	// Half the defects: reject 0.9 and 0.7, so the threshold sits halfway
	// between 0.7 and the next lower score, the good 0.6.
	if math.Abs(got[0].Threshold-0.65) > 1e-12 || got[0].GoodRejected != 0 {
		t.Errorf("recall 0.5: %+v, want threshold 0.65 and no good rejected", got[0])
	}
	// All defects: halfway between 0.3 and the good 0.2, which rejects the
	// good 0.6.
	if math.Abs(got[1].Threshold-0.25) > 1e-12 || got[1].GoodRejected != 0.5 {
		t.Errorf("recall 1: %+v, want threshold 0.25 and half the good rejected", got[1])
	}
}

func TestEncodingsSkipsCorruptImage(t *testing.T) {
	data, model := trainSmall(t)
	bad := filepath.Join(data, "test", "defective", "999.png")
	if err := os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}

	meta, net, err := models.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := dataset.Test(data)
	if err != nil {
		t.Fatal(err)
	}
	classes, err := encodeClasses(context.Background(), meta.Preprocess, net, samples)
	if err != nil {
		t.Fatalf("encodeClasses with one corrupt image: %v", err)
	}

	for _, c := range classes {
		if c.Class == "defective" && c.N != 3 {
			t.Errorf("defective class has %d encodings, want 3 (the corrupt file left out)", c.N)
		}
	}
}
