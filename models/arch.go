package models

import (
	"errors"
	"fmt"
)

// Arch describes the convolutional autoencoder.
//
// The encoder is len(Widths) stages of conv 3x3 (stride 1, padding 1) +
// ReLU + max-pool 2x2 stride 2; the decoder mirrors it with len(Widths)
// transposed convs 3x3 (stride 2, padding 1, output padding 1, so each
// doubles height and width), each followed by ReLU except the last, which
// is followed by a sigmoid. With the default widths 16/32/64 the channels go
// C -> 16 -> 32 -> 64 -> 32 -> 16 -> C.
type Arch struct {
	Channels int   `json:"channels"`
	Height   int   `json:"height"`
	Width    int   `json:"width"`
	Widths   []int `json:"widths"`
}

// DefaultArch is the reference design: one 224 x 224 gray channel, widths
// 16/32/64.
func DefaultArch() Arch {
	return Arch{Channels: 1, Height: 224, Width: 224, Widths: []int{16, 32, 64}}
}

// Validate reports whether the architecture can be built.
func (a Arch) Validate() error {
	if a.Channels != 1 && a.Channels != 3 {
		return fmt.Errorf("models: channels must be 1 (gray) or 3 (RGB), got %d", a.Channels)
	}
	if len(a.Widths) == 0 {
		return errors.New("models: widths must list at least one encoder stage")
	}
	if len(a.Widths) > 16 {
		return fmt.Errorf("models: %d encoder stages is too many", len(a.Widths))
	}
	for i, w := range a.Widths {
		if w <= 0 {
			return fmt.Errorf("models: widths[%d] must be > 0, got %d", i, w)
		}
	}
	f := 1 << len(a.Widths)
	if a.Height <= 0 || a.Width <= 0 {
		return fmt.Errorf("models: input size must be positive, got %dx%d (HxW)", a.Height, a.Width)
	}
	if a.Height%f != 0 || a.Width%f != 0 {
		return fmt.Errorf("models: input %dx%d (HxW) must be divisible by 2^%d = %d for %d pooling stages",
			a.Height, a.Width, len(a.Widths), f, len(a.Widths))
	}
	return nil
}

func (a Arch) clone() Arch {
	a.Widths = append([]int(nil), a.Widths...)
	return a
}

// LayerKind names a layer type.
type LayerKind string

// Layer kinds, in the order they appear in the network.
const (
	KindConv3x3    LayerKind = "conv3x3"    // conv 3x3, stride 1, padding 1
	KindReLU       LayerKind = "relu"       // max(x, 0)
	KindMaxPool2   LayerKind = "maxpool2"   // max-pool 2x2, stride 2
	KindConvT3x3S2 LayerKind = "convt3x3s2" // transposed conv 3x3, stride 2, padding 1, output padding 1
	KindSigmoid    LayerKind = "sigmoid"    // 1 / (1 + exp(-x))
)

// Layer is one layer of the network.
type Layer struct {
	Kind LayerKind
	// In and Out are the input and output channel counts (equal for
	// activations and pooling).
	In, Out int
	// InH and InW are the spatial size of this layer's input.
	InH, InW int
	// Weight and Bias are the parameters of conv layers (nil otherwise), in
	// PyTorch layouts: conv3x3 Weight is [Out][In][3][3], convt3x3s2 Weight
	// is [In][Out][3][3]; Bias is [Out].
	Weight, Bias []float32
}

// OutH returns the spatial height of the layer's output.
func (l *Layer) OutH() int {
	switch l.Kind {
	case KindMaxPool2:
		return l.InH / 2
	case KindConvT3x3S2:
		return l.InH * 2
	}
	return l.InH
}

// OutW returns the spatial width of the layer's output.
func (l *Layer) OutW() int {
	switch l.Kind {
	case KindMaxPool2:
		return l.InW / 2
	case KindConvT3x3S2:
		return l.InW * 2
	}
	return l.InW
}

// InSize and OutSize are the number of floats in one image's input and
// output of the layer.
func (l *Layer) InSize() int  { return l.In * l.InH * l.InW }
func (l *Layer) OutSize() int { return l.Out * l.OutH() * l.OutW() }

func (l *Layer) clone() *Layer {
	c := *l
	if l.Weight != nil {
		c.Weight = append([]float32(nil), l.Weight...)
	}
	if l.Bias != nil {
		c.Bias = append([]float32(nil), l.Bias...)
	}
	return &c
}
