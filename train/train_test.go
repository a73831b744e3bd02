package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"edgeae/dataset"
	"edgeae/inspect"
	"edgeae/internal/testdata"
	"edgeae/models"
	"edgeae/preprocess"
)

// smallConfig returns a fast configuration for tests: 32 x 32 gray input.
func smallConfig(data, out string) Config {
	cfg := DefaultConfig()
	cfg.Data, cfg.Out = data, out
	cfg.Epochs, cfg.Batch, cfg.LR = 4, 8, 0.003
	cfg.Holdout = 0.25
	cfg.Arch = models.Arch{Channels: 1, Height: 32, Width: 32, Widths: []int{4, 8, 8}}
	cfg.Preprocess = preprocess.Config{Width: 32, Height: 32, Channels: 1, Resize: "area"}
	return cfg
}

func TestRunRealScrews(t *testing.T) {
	data := testdata.Subset(t, 24, 4)
	out := filepath.Join(t.TempDir(), "m.edgeae")
	cfg := smallConfig(data, out)
	var progress bytes.Buffer
	cfg.Progress = &progress

	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}

	if len(res.EpochLoss) != cfg.Epochs {
		t.Fatalf("recorded %d epoch losses, want %d", len(res.EpochLoss), cfg.Epochs)
	}
	if first, last := res.EpochLoss[0], res.EpochLoss[len(res.EpochLoss)-1]; !(last < first) {
		t.Errorf("loss did not drop: first epoch %g, last %g", first, last)
	}
	if got := strings.Count(progress.String(), "\n"); got != cfg.Epochs {
		t.Errorf("progress printed %d lines, want one per epoch (%d):\n%s", got, cfg.Epochs, progress.String())
	}
	if res.Meta.Training.Images != 18 || res.Meta.Training.Holdout != 6 {
		t.Errorf("split %d train / %d held out, want 18 / 6", res.Meta.Training.Images, res.Meta.Training.Holdout)
	}
	if !(res.Meta.Threshold > 0) {
		t.Errorf("threshold %g, want > 0", res.Meta.Threshold)
	}

	det, err := inspect.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := dataset.Test(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		img, err := preprocess.DecodeFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := det.Inspect(img)
		if err != nil {
			t.Fatalf("%s: %v", s.Path, err)
		}
		if math.IsNaN(r.Score) || r.Score < 0 {
			t.Errorf("%s: score %g, want finite and >= 0", s.Path, r.Score)
		}
	}
}

func TestRunDeterministic(t *testing.T) {
	data := testdata.Subset(t, 20, 0)
	dir := t.TempDir()

	var losses [2][]float64
	for i := range losses {
		cfg := smallConfig(data, filepath.Join(dir, fmt.Sprintf("m%d.edgeae", i)))
		cfg.Epochs = 2
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		losses[i] = res.EpochLoss
	}

	for e := range losses[0] {
		if losses[0][e] != losses[1][e] {
			t.Errorf("epoch %d: loss %v then %v for the same seed", e+1, losses[0][e], losses[1][e])
		}
	}
}

func TestRunNonFiniteLossWritesNoModel(t *testing.T) {
	data := testdata.Subset(t, 20, 0)
	out := filepath.Join(t.TempDir(), "m.edgeae")
	cfg := smallConfig(data, out)

	trainBatch = func(n *models.Net, input, target []float32, batch int) (float64, error) {
		return math.NaN(), nil
	}
	t.Cleanup(func() { trainBatch = (*models.Net).TrainBatch })

	_, err := Run(context.Background(), cfg)
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("error %v, want ErrNonFinite", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("model file exists after a NaN loss (stat error %v)", err)
	}
}

// cancelAfter cancels a context when the progress output reaches an epoch.
type cancelAfter struct {
	mu     sync.Mutex
	marker string
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

func TestRunInterruptKeepsCheckpoint(t *testing.T) {
	data := testdata.Subset(t, 20, 0)
	out := filepath.Join(t.TempDir(), "m.edgeae")
	cfg := smallConfig(data, out)
	cfg.Epochs, cfg.CheckpointEvery = 6, 2

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Progress = &cancelAfter{marker: "epoch 3/", cancel: cancel}

	_, err := Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("final model written although training was interrupted (stat error %v)", err)
	}

	meta, _, err := models.Load(out + ".ckpt")
	if err != nil {
		t.Fatalf("checkpoint unreadable after interrupt: %v", err)
	}
	if meta.Training.Epochs != 2 {
		t.Errorf("checkpoint from epoch %d, want 2", meta.Training.Epochs)
	}
}

func TestConfigValidate(t *testing.T) {
	base := smallConfig("data", "out")
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no data", func(c *Config) { c.Data = "" }, "--data"},
		{"no out", func(c *Config) { c.Out = "" }, "--out"},
		{"zero epochs", func(c *Config) { c.Epochs = 0 }, "epochs"},
		{"zero batch", func(c *Config) { c.Batch = 0 }, "batch"},
		{"negative lr", func(c *Config) { c.LR = -1 }, "lr"},
		{"holdout one", func(c *Config) { c.Holdout = 1 }, "holdout"},
		{"size mismatch", func(c *Config) { c.Preprocess.Width = 64 }, "does not match"},
		{"shift too large", func(c *Config) { c.Augment.Shift = 100 }, "shift"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.Arch.Widths = append([]int(nil), base.Arch.Widths...)
			tt.change(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}

	if err := base.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}
