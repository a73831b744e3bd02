package train

import "testing"

func TestPreset(t *testing.T) {
	tests := []struct {
		name     string
		wantPose bool
		method   string
		width    int
		height   int
	}{
		{PresetPaper, false, "mean", 224, 224},
		{PresetScrew, true, "topk", 256, 96},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Preset(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Preprocess.Pose != nil; got != tt.wantPose {
				t.Errorf("pose on = %v, want %v", got, tt.wantPose)
			}
			if cfg.Score.Method != tt.method {
				t.Errorf("score method %q, want %q", cfg.Score.Method, tt.method)
			}
			if cfg.Arch.Width != tt.width || cfg.Arch.Height != tt.height {
				t.Errorf("input %dx%d, want %dx%d", cfg.Arch.Width, cfg.Arch.Height, tt.width, tt.height)
			}
			if cfg.Epochs != 100 || cfg.Batch != 32 || cfg.LR != 0.001 {
				t.Errorf("optimisation %d epochs, batch %d, lr %g; want 100, 32, 0.001", cfg.Epochs, cfg.Batch, cfg.LR)
			}

			cfg.Data, cfg.Out = "data", "out"
			if err := cfg.Validate(); err != nil {
				t.Errorf("preset does not validate: %v", err)
			}
		})
	}

	if _, err := Preset("fast"); err == nil {
		t.Error("unknown preset accepted")
	}
}
