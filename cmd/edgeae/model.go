package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"edgeae/dataset"
	"edgeae/inspect"
)

// loadDetector loads the model file at path, or the embedded default model
// when path is empty, and returns the detector and the model's name.
func loadDetector(path string) (*inspect.Detector, string, error) {
	if path == "" {
		det, err := inspect.LoadDefault()
		return det, "embedded default model", err
	}
	det, err := inspect.Load(path)
	return det, path, err
}

// writeHeatmap writes the heatmap of one inspected sample as
// <kind>_<name>.png into dir.
func writeHeatmap(dir string, s dataset.Sample, _ image.Image, det *inspect.Detector, res inspect.Result) error {
	base := strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path))
	path := filepath.Join(dir, s.Kind+"_"+base+".png")

	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("eval: heatmap: %w", err)
	}
	if err := png.Encode(f, det.Heatmap(res)); err != nil {
		f.Close()
		return fmt.Errorf("eval: heatmap %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("eval: heatmap %s: %w", path, err)
	}
	return nil
}
