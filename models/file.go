package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"edgeae/models/modelfile"
	"edgeae/preprocess"
	"edgeae/score"
)

// Model file formats stored in Meta.Format.
const (
	FormatFloat32 = "float32"
	FormatInt8    = "int8"
)

// Meta is the JSON metadata of a model file: everything besides the weights
// that a detector needs to reproduce training-time behaviour.
type Meta struct {
	// Format is FormatFloat32 or FormatInt8.
	Format string `json:"format"`

	// Arch is the network architecture.
	Arch Arch `json:"arch"`

	// Preprocess is the exact preprocessing used in training.
	Preprocess preprocess.Config `json:"preprocess"`

	// Score selects the image score.
	Score score.Config `json:"score"`

	// Threshold is the calibrated image score above which a part is
	// defective.
	Threshold float64 `json:"threshold"`

	// Calibration summarises the held-out good scores behind Threshold.
	Calibration score.Stats `json:"calibration"`

	// PixelModel, when set, describes the per-position normal model of
	// the error map stored in the tensors PixelMeanTensor and
	// PixelStdTensor.
	PixelModel *PixelModelInfo `json:"pixel_model,omitempty"`

	// Training records how the model was made.
	Training TrainingInfo `json:"training"`

	// Quant holds the int8 quantization parameters; only for FormatInt8.
	Quant json.RawMessage `json:"quant,omitempty"`
}

// TrainingInfo records the provenance of a model.
type TrainingInfo struct {
	Data    string `json:"data"`
	Images  int    `json:"images"`
	Holdout int    `json:"holdout"`
	// HoldoutFraction and Seed reproduce the train/calibration split with
	// dataset.Split.
	HoldoutFraction float64   `json:"holdout_fraction"`
	Epochs          int       `json:"epochs"`
	Batch           int       `json:"batch"`
	LR              float64   `json:"lr"`
	Seed            int64     `json:"seed"`
	FinalLoss       float64   `json:"final_loss"`
	Options         []string  `json:"options,omitempty"`
	Created         time.Time `json:"created"`
	Duration        string    `json:"duration"`
}

// PixelModelInfo holds the scalar fields of a score.PixelModel; its maps
// are stored as tensors.
type PixelModelInfo struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Eps    float32 `json:"eps"`
}

// Names of the tensors that hold the pixel model's maps.
const (
	PixelMeanTensor = "pixel.mean"
	PixelStdTensor  = "pixel.std"
)

// PixelModelTensors returns the tensors that store p, and sets
// meta.PixelModel; nil p stores nothing.
func PixelModelTensors(meta *Meta, p *score.PixelModel) []modelfile.Tensor {
	if p == nil {
		meta.PixelModel = nil
		return nil
	}
	meta.PixelModel = &PixelModelInfo{Width: p.Width, Height: p.Height, Eps: p.Eps}
	shape := []int{p.Height, p.Width}
	return []modelfile.Tensor{
		{Name: PixelMeanTensor, DType: modelfile.Float32, Shape: shape, F32: p.Mean},
		{Name: PixelStdTensor, DType: modelfile.Float32, Shape: shape, F32: p.Std},
	}
}

// PixelModelFrom rebuilds the pixel model described by meta from a model
// file's tensors; it returns nil when the model has none.
func PixelModelFrom(name string, meta Meta, tensors []modelfile.Tensor) (*score.PixelModel, error) {
	info := meta.PixelModel
	if info == nil {
		return nil, nil
	}

	p := &score.PixelModel{Width: info.Width, Height: info.Height, Eps: info.Eps}
	n := info.Width * info.Height
	for _, t := range tensors {
		switch t.Name {
		case PixelMeanTensor:
			p.Mean = t.F32
		case PixelStdTensor:
			p.Std = t.F32
		}
	}
	if len(p.Mean) != n || len(p.Std) != n {
		return nil, fmt.Errorf("models: %s: pixel model needs %d values in %q and %q, found %d and %d",
			name, n, PixelMeanTensor, PixelStdTensor, len(p.Mean), len(p.Std))
	}
	return p, nil
}

// ErrFormat means a model file holds a different format than the caller
// expects (for example an int8 model given to a float32 loader).
var ErrFormat = errors.New("model format mismatch")

// Save writes a float32 model file atomically: the old file at path stays
// intact until the new one is complete. extra tensors, such as those of
// PixelModelTensors, are stored after the weights.
func Save(path string, meta Meta, net *Net, extra ...modelfile.Tensor) error {
	meta.Format = FormatFloat32
	meta.Arch = net.Arch

	buf, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("models: save %s: encode metadata: %w", path, err)
	}

	params := net.Params()
	tensors := make([]modelfile.Tensor, 0, len(params))
	for _, p := range params {
		tensors = append(tensors, modelfile.Tensor{Name: p.Name, DType: modelfile.Float32, Shape: p.Shape, F32: p.Value})
	}
	tensors = append(tensors, extra...)

	if err := modelfile.Write(path, buf, tensors); err != nil {
		return fmt.Errorf("models: save: %w", err)
	}
	return nil
}

// ReadMeta reads and checks a model file of any format and returns its
// metadata and raw tensors.
func ReadMeta(path string) (Meta, []modelfile.Tensor, error) {
	raw, tensors, err := modelfile.Read(path)
	if err != nil {
		return Meta{}, nil, fmt.Errorf("models: %w", err)
	}
	return DecodeMeta(path, raw, tensors)
}

// DecodeMeta parses model metadata already read from a file or an embedded
// byte slice; name is used in errors.
func DecodeMeta(name string, raw []byte, tensors []modelfile.Tensor) (Meta, []modelfile.Tensor, error) {
	var meta Meta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return Meta{}, nil, fmt.Errorf("models: %s: invalid metadata: %w", name, err)
	}

	if err := meta.Arch.Validate(); err != nil {
		return Meta{}, nil, fmt.Errorf("models: %s: %w", name, err)
	}
	if err := meta.Preprocess.Validate(); err != nil {
		return Meta{}, nil, fmt.Errorf("models: %s: %w", name, err)
	}
	if err := meta.Score.Validate(); err != nil {
		return Meta{}, nil, fmt.Errorf("models: %s: %w", name, err)
	}
	return meta, tensors, nil
}

// Load reads a float32 model file. An int8 file is rejected with ErrFormat;
// load it with the quant package instead.
func Load(path string) (Meta, *Net, error) {
	meta, tensors, err := ReadMeta(path)
	if err != nil {
		return Meta{}, nil, err
	}
	net, err := NetFromTensors(path, meta, tensors)
	if err != nil {
		return Meta{}, nil, err
	}
	return meta, net, nil
}

// NetFromTensors builds the float32 network described by meta from the
// tensors of a model file; name is used in errors.
func NetFromTensors(name string, meta Meta, tensors []modelfile.Tensor) (*Net, error) {
	if meta.Format != FormatFloat32 {
		return nil, fmt.Errorf("models: %s: %w: file is %q, expected %q: pass the float32 model this one was quantized from (eval and run accept both)",
			name, ErrFormat, meta.Format, FormatFloat32)
	}

	net, err := New(meta.Arch, 0)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", name, err)
	}

	byName := make(map[string]modelfile.Tensor, len(tensors))
	for _, t := range tensors {
		byName[t.Name] = t
	}

	for _, p := range net.Params() {
		t, ok := byName[p.Name]
		if !ok {
			return nil, fmt.Errorf("models: %s: tensor %q missing", name, p.Name)
		}
		if t.DType != modelfile.Float32 || len(t.F32) != len(p.Value) {
			return nil, fmt.Errorf("models: %s: tensor %q has %d values of type %v, expected %d float32",
				name, p.Name, len(t.F32), t.DType, len(p.Value))
		}
		copy(p.Value, t.F32)
	}
	return net, nil
}
