package train

import (
	"fmt"

	"edgeae/models"
	"edgeae/preprocess"
	"edgeae/preprocess/pose"
	"edgeae/score"
)

// Names of the training presets.
const (
	// PresetScrew is the product default for screws and similar elongated
	// parts: pose-normalised crops and a localised score.
	PresetScrew = "screw"

	// PresetPaper is the reference design: the whole frame resized to
	// 224 x 224 and scored by its mean squared error.
	PresetPaper = "paper"
)

// Preset returns the training configuration named by name. Both presets
// share the reference design's optimisation settings (100 epochs, batch 32,
// Adam with learning rate 0.001) and architecture widths 16/32/64.
func Preset(name string) (Config, error) {
	cfg := DefaultConfig()

	switch name {
	case PresetPaper:
		cfg.Score = score.Config{Method: score.MethodMean, Sigma: 0, TopK: 0.01}
		return cfg, nil

	case PresetScrew:
		p := pose.DefaultConfig()
		cfg.Arch = models.Arch{Channels: 1, Width: 256, Height: 96, Widths: []int{16, 32, 64}}
		cfg.Preprocess = preprocess.Config{Width: 256, Height: 96, Channels: 1, Resize: "area", Pose: &p}
		cfg.Score = score.DefaultConfig()
		return cfg, nil
	}
	return Config{}, fmt.Errorf("train: unknown preset %q: use %q or %q", name, PresetScrew, PresetPaper)
}
