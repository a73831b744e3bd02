package quant

import (
	"encoding/json"
	"errors"
	"fmt"

	"edgeae/models"
	"edgeae/models/modelfile"
)

// Save writes an int8 model file atomically. meta is stored with Format
// set to models.FormatInt8, Arch to m.Arch and Quant to m.Params as JSON.
// Each layer's weights are an int8 tensor "<name>.weight" in the float32
// layout and its biases an int32 tensor "<name>.bias". extra tensors, such
// as those of models.PixelModelTensors, are stored after them.
func Save(path string, meta models.Meta, m *Model, extra ...modelfile.Tensor) error {
	if m == nil {
		return fmt.Errorf("quant: save %s: model is nil", path)
	}
	if err := m.validate(); err != nil {
		return fmt.Errorf("quant: save %s: invalid model: %w", path, err)
	}

	params, err := json.Marshal(m.Params)
	if err != nil {
		return fmt.Errorf("quant: save %s: encode parameters: %w", path, err)
	}
	meta.Format = models.FormatInt8
	meta.Arch = m.Arch
	meta.Quant = params
	raw, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("quant: save %s: encode metadata: %w", path, err)
	}

	tensors := make([]modelfile.Tensor, 0, 2*len(m.Params.Layers)+len(extra))
	for i := range m.Params.Layers {
		p := &m.Params.Layers[i]
		tensors = append(tensors,
			modelfile.Tensor{Name: p.Name + ".weight", DType: modelfile.Int8, Shape: weightShape(p), I8: m.Weights[i]},
			modelfile.Tensor{Name: p.Name + ".bias", DType: modelfile.Int32, Shape: []int{p.Out}, I32: m.Biases[i]})
	}
	tensors = append(tensors, extra...)

	if err := modelfile.Write(path, raw, tensors); err != nil {
		return fmt.Errorf("quant: save: %w", err)
	}
	return nil
}

// Load reads an int8 model file and returns its metadata and an engine for
// it. A float32 file is rejected with an error that wraps
// models.ErrFormat.
func Load(path string) (models.Meta, *Engine, error) {
	meta, tensors, err := models.ReadMeta(path)
	if err != nil {
		return models.Meta{}, nil, fmt.Errorf("quant: %w", err)
	}
	engine, err := FromTensors(path, meta, tensors)
	if err != nil {
		return models.Meta{}, nil, err
	}
	return meta, engine, nil
}

// FromTensors builds the engine of an int8 model from the metadata and
// tensors of a model file; name is used in errors.
func FromTensors(name string, meta models.Meta, tensors []modelfile.Tensor) (*Engine, error) {
	m, err := ModelFromTensors(name, meta, tensors)
	if err != nil {
		return nil, err
	}
	return NewEngine(m)
}

// ModelFromTensors decodes the int8 model of a model file; name is used in
// errors. A float32 file is rejected with an error that wraps
// models.ErrFormat.
func ModelFromTensors(name string, meta models.Meta, tensors []modelfile.Tensor) (*Model, error) {
	switch meta.Format {
	case models.FormatInt8:
	case models.FormatFloat32:
		return nil, fmt.Errorf("quant: %s: %w: it is a float32 model; quantize it with edgeae quantize", name, models.ErrFormat)
	default:
		return nil, fmt.Errorf("quant: %s: %w: format %q is not %q", name, models.ErrFormat, meta.Format, models.FormatInt8)
	}
	if len(meta.Quant) == 0 {
		return nil, fmt.Errorf("quant: %s: int8 model has no quantization parameters; quantize the float32 model again", name)
	}

	m := &Model{Arch: meta.Arch}
	if err := json.Unmarshal(meta.Quant, &m.Params); err != nil {
		return nil, fmt.Errorf("quant: %s: invalid quantization parameters: %w", name, err)
	}
	if len(m.Params.Layers) != len(expectedLayers(m.Arch)) {
		return nil, fmt.Errorf("quant: %s: %d quantized layers, architecture %v needs %d",
			name, len(m.Params.Layers), m.Arch.Widths, len(expectedLayers(m.Arch)))
	}

	byName := make(map[string]modelfile.Tensor, len(tensors))
	for _, t := range tensors {
		byName[t.Name] = t
	}
	for i := range m.Params.Layers {
		p := &m.Params.Layers[i]
		weights, err := tensorOf(byName, p.Name+".weight", modelfile.Int8, p.In*p.Out*9)
		if err != nil {
			return nil, fmt.Errorf("quant: %s: %w", name, err)
		}
		biases, err := tensorOf(byName, p.Name+".bias", modelfile.Int32, p.Out)
		if err != nil {
			return nil, fmt.Errorf("quant: %s: %w", name, err)
		}
		m.Weights = append(m.Weights, weights.I8)
		m.Biases = append(m.Biases, biases.I32)
	}

	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("quant: %s: invalid model: %w", name, err)
	}
	return m, nil
}

// errTensor marks a missing or mistyped tensor.
var errTensor = errors.New("the file is not a complete int8 model; quantize the float32 model again")

// tensorOf returns the named tensor after checking its type and size.
func tensorOf(byName map[string]modelfile.Tensor, name string, dtype modelfile.DType, size int) (modelfile.Tensor, error) {
	t, ok := byName[name]
	if !ok {
		return t, fmt.Errorf("tensor %q is missing: %w", name, errTensor)
	}
	count := len(t.I8) + len(t.I32) + len(t.F32)
	if t.DType != dtype || count != size {
		return t, fmt.Errorf("tensor %q has %d values of type %v, want %d of type %v: %w", name, count, t.DType, size, dtype, errTensor)
	}
	return t, nil
}
