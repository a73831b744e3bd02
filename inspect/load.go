package inspect

import (
	"errors"
	"fmt"

	"edgeae/models"
	"edgeae/models/modelfile"
	"edgeae/quant"
)

// Load reads a model file of either format (float32 or int8) and returns a
// detector for it.
func Load(path string) (*Detector, error) {
	raw, tensors, err := modelfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return fromFile(path, raw, tensors)
}

// fromFile builds a detector from the parts of a model file; name is used
// in errors.
func fromFile(name string, raw []byte, tensors []modelfile.Tensor) (*Detector, error) {
	meta, tensors, err := models.DecodeMeta(name, raw, tensors)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return fromMeta(name, meta, tensors)
}

// fromMeta builds the engine named by meta.Format and wraps it in a
// detector.
func fromMeta(name string, meta models.Meta, tensors []modelfile.Tensor) (*Detector, error) {
	var engine models.Engine
	switch meta.Format {
	case models.FormatFloat32:
		net, err := models.NetFromTensors(name, meta, tensors)
		if err != nil {
			return nil, fmt.Errorf("inspect: %w", err)
		}
		engine = net
	case models.FormatInt8:
		q, err := quant.FromTensors(name, meta, tensors)
		if err != nil {
			return nil, fmt.Errorf("inspect: %w", err)
		}
		engine = q
	default:
		return nil, fmt.Errorf("inspect: %s: unknown model format %q: expected %q or %q",
			name, meta.Format, models.FormatFloat32, models.FormatInt8)
	}

	normal, err := models.PixelModelFrom(name, meta, tensors)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return New(meta, engine, normal)
}

// LoadDefault returns a detector for the model embedded in the binary: the
// int8 model when one is embedded, else the float32 one.
func LoadDefault() (*Detector, error) {
	name := models.DefaultInt8Name
	meta, tensors, err := models.DefaultFile(name)
	if errors.Is(err, models.ErrNoDefault) {
		name = models.DefaultModelName
		meta, tensors, err = models.DefaultFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return fromMeta("embedded "+name, meta, tensors)
}
