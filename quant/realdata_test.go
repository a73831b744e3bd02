package quant

import (
	"context"
	"os"
	"testing"

	"edgeae/dataset"
	"edgeae/internal/testdata"
	"edgeae/metrics"
	"edgeae/models"
	"edgeae/train"
)

// TestRealModelHeldOut quantizes the trained float32 model named by
// EDGEAE_TEST_MODEL on its held-out split of the screw train/good images,
// as edgeae quantize does, and checks the int8 engine against float32 on
// those images. Both engines score with the float32 model's pixel model,
// if it has one.
func TestRealModelHeldOut(t *testing.T) {
	path := os.Getenv("EDGEAE_TEST_MODEL")
	if path == "" {
		t.Skip("EDGEAE_TEST_MODEL is not set; set it to a trained float32 model file to run this test")
	}
	meta, tensors, err := models.ReadMeta(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	net, err := models.NetFromTensors(path, meta, tensors)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	normal, err := models.PixelModelFrom(path, meta, tensors)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if meta.Training.HoldoutFraction == 0 {
		t.Skipf("%s records no hold-out fraction, so its held-out split cannot be rebuilt", path)
	}

	all, err := dataset.Train(testdata.ScrewDir(t))
	if err != nil {
		t.Fatalf("dataset.Train: %v", err)
	}
	_, held := dataset.Split(all, meta.Training.HoldoutFraction, meta.Training.Seed)
	images, err := train.LoadTensors(context.Background(), held, meta.Preprocess, 0)
	if err != nil {
		t.Fatalf("LoadTensors: %v", err)
	}

	m := quantizeNet(t, net, images, Options{})
	engine := startEngine(t, m, 0, defaultChunkBytes)

	report, err := Report(net, engine, images)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	for _, r := range report {
		t.Logf("%-26s SQNR %6.1f dB  max error %.4g", r.Name, r.SQNR, r.MaxAbsError)
	}
	if output := report[len(report)-1]; output.SQNR < 30 {
		t.Errorf("output SQNR %.1f dB, want at least 30 dB", output.SQNR)
	}

	floatScores, err := train.ScoreAll(net, meta.Score, normal, meta.Arch, images)
	if err != nil {
		t.Fatalf("score float32: %v", err)
	}
	intScores, err := train.ScoreAll(engine, meta.Score, normal, meta.Arch, images)
	if err != nil {
		t.Fatalf("score int8: %v", err)
	}
	rho, err := metrics.Spearman(floatScores, intScores)
	if err != nil {
		t.Fatalf("Spearman: %v", err)
	}
	t.Logf("Spearman correlation of int8 and float32 scores on %d held-out images: %.4f", len(images), rho)
	if rho < 0.9 {
		t.Errorf("Spearman correlation %.4f, want at least 0.9", rho)
	}
}
