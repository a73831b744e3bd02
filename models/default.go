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

// Names of the embedded default model files: the float32 model and the
// int8 model quantized from it. The line-side runtime and eval use the int8
// one; encodings needs the float32 encoder.
const (
	DefaultModelName = "default/screw.edgeae"
	DefaultInt8Name  = "default/screw-int8.edgeae"
)

// ErrNoDefault means the binary was built without an embedded model.
var ErrNoDefault = errors.New("no default model embedded in this binary; pass --model FILE")

// DefaultModel returns the bytes of the embedded model file name (one of
// DefaultModelName and DefaultInt8Name), or ErrNoDefault.
func DefaultModel(name string) ([]byte, error) {
	buf, err := defaultFS.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("models: %s: %w", name, ErrNoDefault)
	}
	if err != nil {
		return nil, fmt.Errorf("models: read embedded %s: %w", name, err)
	}
	return buf, nil
}

// DefaultFile decodes the embedded model file name into its metadata and
// tensors.
func DefaultFile(name string) (Meta, []modelfile.Tensor, error) {
	buf, err := DefaultModel(name)
	if err != nil {
		return Meta{}, nil, err
	}
	return DecodeBytes("embedded "+name, buf)
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

// LoadDefault returns the embedded float32 default model.
func LoadDefault() (Meta, *Net, error) {
	meta, tensors, err := DefaultFile(DefaultModelName)
	if err != nil {
		return Meta{}, nil, err
	}
	net, err := NetFromTensors("embedded "+DefaultModelName, meta, tensors)
	if err != nil {
		return Meta{}, nil, err
	}
	return meta, net, nil
}
