package models

import "gorgonia.org/tensor"

// Engine reconstructs one preprocessed image. Both the float32 Net and the
// int8 quant.Engine implement it, so evaluation and the line-side loop share
// one code path.
//
// An Engine is not safe for concurrent use: it owns its scratch buffers.
type Engine interface {
	// InputShape returns the channels, height and width the engine expects.
	InputShape() (channels, height, width int)

	// Reconstruct writes the reconstruction of src into dst. Both are
	// float32 tensors of shape (C, H, W) with values in [0, 1], owned by the
	// caller and reused across calls.
	Reconstruct(dst, src *tensor.Dense) error
}
