package models

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"edgeae/models/modelfile"
)

// defaultFS holds the model files shipped inside the binary; see
// models/README.md for how they were trained.
//
//go:embed default
var defaultFS embed.FS

// DefaultModelName is the embedded default model's file name, used in
// logs and errors.
const DefaultModelName = "default/screw.edgeae"

// ErrNoDefault means the binary was built without an embedded model.
var ErrNoDefault = errors.New("no default model embedded in this binary; pass --model FILE")

// DefaultModel returns the bytes of the embedded default model file.
func DefaultModel() ([]byte, error) {
	buf, err := defaultFS.ReadFile(DefaultModelName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoDefault
	}
	if err != nil {
		return nil, fmt.Errorf("models: read embedded %s: %w", DefaultModelName, err)
	}
	return buf, nil
}

// DefaultFile decodes the embedded default model file into its metadata
// and tensors.
func DefaultFile() (Meta, []modelfile.Tensor, error) {
	buf, err := DefaultModel()
	if err != nil {
		return Meta{}, nil, err
	}
	return DecodeBytes("embedded "+DefaultModelName, buf)
}

// DecodeBytes checks and decodes a whole model file held in memory; name is
// used in errors.
func DecodeBytes(name string, buf []byte) (Meta, []modelfile.Tensor, error) {
	raw, tensors, err := modelfile.Decode(bytes.NewReader(buf))
	if err != nil {
		return Meta{}, nil, fmt.Errorf("models: %s: %w", name, err)
	}
	return DecodeMeta(name, raw, tensors)
}

// LoadDefault returns the embedded default model as a float32 network. The
// embedded model is float32; the int8 engine is built from it by the quant
// package.
func LoadDefault() (Meta, *Net, error) {
	meta, tensors, err := DefaultFile()
	if err != nil {
		return Meta{}, nil, err
	}
	net, err := NetFromTensors("embedded "+DefaultModelName, meta, tensors)
	if err != nil {
		return Meta{}, nil, err
	}
	return meta, net, nil
}
