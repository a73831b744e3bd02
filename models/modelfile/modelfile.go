package modelfile

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Format constants.
const (
	// Magic starts every model file.
	Magic = "EDGEAE\x00M"

	// Version is the format version this package writes and the newest it
	// reads.
	Version = 1

	// MaxRank is the largest number of dimensions of a tensor.
	MaxRank = 8

	// MaxNameLen is the longest tensor name in bytes.
	MaxNameLen = 1024
)

const (
	headerSize   = len(Magic) + 4 + 8 // magic, version, file size
	checksumSize = 32                 // SHA-256
	minFileSize  = headerSize + 4 + 4 + checksumSize
)

// Errors returned (wrapped) by Read and Decode; test with errors.Is.
var (
	ErrNotModelFile = errors.New("not an edgeae model file")
	ErrNewerVersion = errors.New("written by a newer edgeae; upgrade edgeae to read it")
	ErrTruncated    = errors.New("truncated")
	ErrChecksum     = errors.New("corrupt: checksum mismatch; re-copy the file")
	ErrCorrupt      = errors.New("corrupt")
)

// DType is the element type of a tensor.
type DType uint8

// Element types. The zero DType is invalid.
const (
	Float32 DType = 1
	Int8    DType = 2
	Int32   DType = 3
)

// String returns the Go name of the element type.
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size returns the bytes per element, and 0 for an unknown type.
func (d DType) Size() int {
	switch d {
	case Float32, Int32:
		return 4
	case Int8:
		return 1
	}
	return 0
}

// Tensor is one named array. Exactly the data slice that matches DType is
// used, and it holds product(Shape) elements in row-major order. A Shape
// of length 0 is a scalar with one element.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	F32   []float32
	I8    []int8
	I32   []int32
}

// dataLens returns the lengths of the three data slices.
func (t Tensor) dataLens() (f32, i8, i32 int) {
	return len(t.F32), len(t.I8), len(t.I32)
}

// elements returns the number of elements in a tensor of the given shape,
// or an error when a dimension is negative or the count exceeds limit.
func elements(shape []int, limit int) (int, error) {
	count := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if count > 0 && d > limit/count {
			return 0, fmt.Errorf("shape %v has more than %d elements", shape, limit)
		}
		count *= d
	}
	return count, nil
}

// encodedSize validates meta and tensors and returns the size of the
// encoded file.
func encodedSize(meta []byte, tensors []Tensor) (uint64, error) {
	if uint64(len(meta)) > math.MaxUint32 {
		return 0, fmt.Errorf("metadata is %d bytes; the limit is %d", len(meta), uint32(math.MaxUint32))
	}
	if uint64(len(tensors)) > math.MaxUint32 {
		return 0, fmt.Errorf("%d tensors; the limit is %d", len(tensors), uint32(math.MaxUint32))
	}

	size := uint64(minFileSize + len(meta))
	names := make(map[string]bool, len(tensors))
	for i, t := range tensors {
		if err := checkName(t.Name, names); err != nil {
			return 0, fmt.Errorf("tensor %d: %w", i, err)
		}

		n, err := checkTensor(t)
		if err != nil {
			return 0, fmt.Errorf("tensor %q: %w", t.Name, err)
		}
		size += uint64(2 + len(t.Name) + 2 + 8*len(t.Shape) + n*t.DType.Size())
	}
	return size, nil
}

// checkName validates a tensor name and records it in seen.
func checkName(name string, seen map[string]bool) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("name %q must be 1 to %d bytes long", name, MaxNameLen)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("name %q is not valid UTF-8", name)
	}
	if seen[name] {
		return fmt.Errorf("duplicate tensor name %q", name)
	}
	seen[name] = true
	return nil
}

// checkTensor validates the type, shape and data of t and returns its
// element count.
func checkTensor(t Tensor) (int, error) {
	size := t.DType.Size()
	if size == 0 {
		return 0, fmt.Errorf("unknown dtype %d; use Float32, Int8 or Int32", uint8(t.DType))
	}
	if len(t.Shape) > MaxRank {
		return 0, fmt.Errorf("rank %d exceeds the maximum %d", len(t.Shape), MaxRank)
	}

	n, err := elements(t.Shape, math.MaxInt/size)
	if err != nil {
		return 0, err
	}

	f32, i8, i32 := t.dataLens()
	want := map[DType][3]int{Float32: {n, 0, 0}, Int8: {0, n, 0}, Int32: {0, 0, n}}[t.DType]
	if [3]int{f32, i8, i32} != want {
		return 0, fmt.Errorf("%s shape %v needs %d values in the %s slice only, but F32, I8, I32 hold %d, %d, %d",
			t.DType, t.Shape, n, t.DType, f32, i8, i32)
	}
	return n, nil
}
