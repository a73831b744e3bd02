package quant

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"edgeae/models"
	"edgeae/models/modelfile"
	"edgeae/preprocess"
	"edgeae/score"
)

// testMeta returns valid metadata for a model of arch.
func testMeta(arch models.Arch) models.Meta {
	return models.Meta{
		Arch:       arch,
		Preprocess: preprocess.Config{Channels: arch.Channels, Height: arch.Height, Width: arch.Width, Resize: preprocess.FilterArea},
		Score:      score.DefaultConfig(),
		Threshold:  0.0125,
		Training:   models.TrainingInfo{HoldoutFraction: 0.2, Seed: 3},
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 20)
	images := randomImages(arch, 3, 20)
	m := quantizeNet(t, net, images, Options{Method: MethodPercentile})
	engine := startEngine(t, m, 1, defaultChunkBytes)

	path := filepath.Join(t.TempDir(), "model.int8")
	meta := testMeta(arch)
	if err := Save(path, meta, m); err != nil {
		t.Fatalf("Save: %v", err)
	}

	gotMeta, loaded, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Cleanup(loaded.Close)

	if gotMeta.Format != models.FormatInt8 {
		t.Errorf("format %q, want %q", gotMeta.Format, models.FormatInt8)
	}
	if gotMeta.Threshold != meta.Threshold || gotMeta.Training.Seed != meta.Training.Seed {
		t.Errorf("metadata threshold %v seed %d, want %v and %d", gotMeta.Threshold, gotMeta.Training.Seed, meta.Threshold, meta.Training.Seed)
	}
	if !reflect.DeepEqual(loaded.Model().Params, m.Params) {
		t.Errorf("loaded parameters differ:\n got %+v\nwant %+v", loaded.Model().Params, m.Params)
	}
	if !reflect.DeepEqual(loaded.Model().Weights, m.Weights) || !reflect.DeepEqual(loaded.Model().Biases, m.Biases) {
		t.Error("loaded weights or biases differ from the saved ones")
	}

	for n, x := range images {
		want := reconstruct(t, engine, arch, x)
		got := reconstruct(t, loaded, arch, x)
		if !slices.Equal(got, want) {
			worst, at := maxAbsDiff(got, want)
			t.Errorf("image %d: loaded output[%d] = %v, want %v (difference %v)", n, at, got[at], want[at], worst)
		}
	}
}

func TestLoadRejectsFloat32File(t *testing.T) {
	arch := tinyArch()
	path := filepath.Join(t.TempDir(), "model.f32")
	if err := models.Save(path, testMeta(arch), newNet(t, arch, 21)); err != nil {
		t.Fatalf("models.Save: %v", err)
	}

	_, _, err := Load(path)
	if !errors.Is(err, models.ErrFormat) {
		t.Fatalf("Load of a float32 file: error %v, want models.ErrFormat", err)
	}
	if !strings.Contains(err.Error(), "is a float32 model; quantize it with edgeae quantize") {
		t.Errorf("error %q does not say how to quantize", err)
	}
}

func TestModelsLoadRejectsInt8File(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 22)
	m := quantizeNet(t, net, randomImages(arch, 1, 22), Options{})
	path := filepath.Join(t.TempDir(), "model.int8")
	if err := Save(path, testMeta(arch), m); err != nil {
		t.Fatalf("Save: %v", err)
	}

	if _, _, err := models.Load(path); !errors.Is(err, models.ErrFormat) {
		t.Errorf("models.Load of an int8 file: error %v, want models.ErrFormat", err)
	}
}

func TestFromTensorsRejectsBrokenFiles(t *testing.T) {
	arch := tinyArch()
	net := newNet(t, arch, 23)
	m := quantizeNet(t, net, randomImages(arch, 1, 23), Options{})
	path := filepath.Join(t.TempDir(), "model.int8")
	if err := Save(path, testMeta(arch), m); err != nil {
		t.Fatalf("Save: %v", err)
	}
	meta, tensors, err := models.ReadMeta(path)
	if err != nil {
		t.Fatalf("ReadMeta: %v", err)
	}

	without := func(name string) []modelfile.Tensor {
		return slices.DeleteFunc(slices.Clone(tensors), func(t modelfile.Tensor) bool { return t.Name == name })
	}
	retyped := slices.Clone(tensors)
	for i := range retyped {
		if retyped[i].Name == "dec0.convt.bias" {
			retyped[i] = modelfile.Tensor{Name: retyped[i].Name, DType: modelfile.Float32, Shape: retyped[i].Shape, F32: make([]float32, len(retyped[i].I32))}
		}
	}

	tests := []struct {
		name    string
		meta    func() models.Meta
		tensors []modelfile.Tensor
		want    string
		format  bool
	}{
		{"unknown format", func() models.Meta { m := meta; m.Format = "int4"; return m }, tensors, `format "int4"`, true},
		{"no parameters", func() models.Meta { m := meta; m.Quant = nil; return m }, tensors, "no quantization parameters", false},
		{"invalid JSON", func() models.Meta { m := meta; m.Quant = []byte("{"); return m }, tensors, "invalid quantization parameters", false},
		{"missing weight", func() models.Meta { return meta }, without("enc1.conv.weight"), `"enc1.conv.weight" is missing`, false},
		{"float bias", func() models.Meta { return meta }, retyped, `"dec0.convt.bias" has 4 values of type float32, want 4 of type int32`, false},
		{"other arch", func() models.Meta { m := meta; m.Arch.Widths = []int{4}; return m }, tensors, "architecture [4] needs 2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromTensors("model.int8", tt.meta(), tt.tensors)
			if err == nil {
				t.Fatalf("FromTensors accepted a file with %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if got := errors.Is(err, models.ErrFormat); got != tt.format {
				t.Errorf("errors.Is(err, models.ErrFormat) = %v, want %v", got, tt.format)
			}
		})
	}
}
