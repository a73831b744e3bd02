package modelfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// Read reads a model file. Errors name the file and wrap ErrNotModelFile,
// ErrNewerVersion, ErrTruncated, ErrChecksum or ErrCorrupt.
func Read(path string) (meta []byte, tensors []Tensor, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("modelfile: %w", err)
	}

	meta, tensors, err = decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("modelfile: %s: %w", path, err)
	}
	return meta, tensors, nil
}

// Decode reads a model file from r until EOF. Errors wrap the same
// sentinel errors as Read.
func Decode(r io.Reader) (meta []byte, tensors []Tensor, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("modelfile: read: %w", err)
	}

	meta, tensors, err = decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("modelfile: %w", err)
	}
	return meta, tensors, nil
}

// decode checks the header, size and checksum of data and parses the
// body. Errors are not yet prefixed.
func decode(data []byte) ([]byte, []Tensor, error) {
	n := len(data)
	if n < headerSize {
		if bytes.HasPrefix([]byte(Magic), data[:min(n, len(Magic))]) {
			return nil, nil, fmt.Errorf("%w: %d of at least %d bytes; re-copy the file", ErrTruncated, n, minFileSize)
		}
		return nil, nil, ErrNotModelFile
	}

	if string(data[:len(Magic)]) != Magic {
		return nil, nil, ErrNotModelFile
	}

	version := binary.LittleEndian.Uint32(data[len(Magic):])
	if version > Version {
		return nil, nil, fmt.Errorf("%w (format version %d; this build reads up to %d)", ErrNewerVersion, version, Version)
	}
	if version == 0 {
		return nil, nil, fmt.Errorf("%w: invalid format version 0", ErrCorrupt)
	}

	size := binary.LittleEndian.Uint64(data[len(Magic)+4:])
	switch {
	case size < uint64(minFileSize):
		return nil, nil, fmt.Errorf("%w: header gives a file size of %d bytes, below the minimum %d", ErrCorrupt, size, minFileSize)
	case uint64(n) < size:
		return nil, nil, fmt.Errorf("%w: %d of %d bytes; re-copy the file", ErrTruncated, n, size)
	case uint64(n) > size:
		return nil, nil, fmt.Errorf("%w: %d bytes but the header gives %d; re-copy the file", ErrCorrupt, n, size)
	}

	body := data[:n-checksumSize]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[n-checksumSize:]) {
		return nil, nil, ErrChecksum
	}

	p := parser{data: body, off: headerSize}
	meta, tensors, err := p.file()
	if err != nil {
		return nil, nil, fmt.Errorf("%w at byte %d: %v", ErrCorrupt, p.off, err)
	}
	return meta, tensors, nil
}

// parser reads little-endian values from a checksummed body. Any read past
// the end is an error, because the checksum and size already matched, so
// the structure itself is inconsistent.
type parser struct {
	data []byte
	off  int
}

// remaining returns the number of unread bytes.
func (p *parser) remaining() int { return len(p.data) - p.off }

// take returns the next k bytes of the named field.
func (p *parser) take(k int, field string) ([]byte, error) {
	if k < 0 || k > p.remaining() {
		return nil, fmt.Errorf("%s needs %d bytes but %d remain", field, k, p.remaining())
	}
	b := p.data[p.off : p.off+k]
	p.off += k
	return b, nil
}

func (p *parser) u8(field string) (uint8, error) {
	b, err := p.take(1, field)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (p *parser) u16(field string) (uint16, error) {
	b, err := p.take(2, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

func (p *parser) u32(field string) (uint32, error) {
	b, err := p.take(4, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (p *parser) u64(field string) (uint64, error) {
	b, err := p.take(8, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// file parses the metadata and tensors after the header.
func (p *parser) file() ([]byte, []Tensor, error) {
	metaLen, err := p.u32("metadata length")
	if err != nil {
		return nil, nil, err
	}
	meta, err := p.take(int(metaLen), "metadata")
	if err != nil {
		return nil, nil, err
	}

	count, err := p.u32("tensor count")
	if err != nil {
		return nil, nil, err
	}

	// The smallest tensor (one-byte name, scalar int8) is 6 bytes, which
	// bounds the allocation below.
	const minTensorSize = 2 + 1 + 1 + 1 + 1
	if uint64(count) > uint64(p.remaining()/minTensorSize) {
		return nil, nil, fmt.Errorf("tensor count %d does not fit in the %d remaining bytes", count, p.remaining())
	}

	tensors := make([]Tensor, 0, count)
	names := make(map[string]bool, count)
	for i := range int(count) {
		t, err := p.tensor(names)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %d: %w", i, err)
		}
		tensors = append(tensors, t)
	}

	if p.remaining() != 0 {
		return nil, nil, fmt.Errorf("%d unexpected bytes after the last tensor", p.remaining())
	}
	return bytes.Clone(meta), tensors, nil
}

// tensor parses one tensor. Lengths are checked against the remaining
// bytes before any allocation.
func (p *parser) tensor(names map[string]bool) (Tensor, error) {
	nameLen, err := p.u16("name length")
	if err != nil {
		return Tensor{}, err
	}
	name, err := p.take(int(nameLen), "name")
	if err != nil {
		return Tensor{}, err
	}
	t := Tensor{Name: string(name)}
	if err := checkName(t.Name, names); err != nil {
		return Tensor{}, err
	}

	dtype, err := p.u8("dtype")
	if err != nil {
		return Tensor{}, err
	}
	t.DType = DType(dtype)
	size := t.DType.Size()
	if size == 0 {
		return Tensor{}, fmt.Errorf("tensor %q: unknown dtype %d", t.Name, dtype)
	}

	rank, err := p.u8("rank")
	if err != nil {
		return Tensor{}, err
	}
	if rank > MaxRank {
		return Tensor{}, fmt.Errorf("tensor %q: rank %d exceeds the maximum %d", t.Name, rank, MaxRank)
	}
	if 8*int(rank) > p.remaining() {
		return Tensor{}, fmt.Errorf("tensor %q: %d dimensions need %d bytes but %d remain", t.Name, rank, 8*int(rank), p.remaining())
	}

	t.Shape = make([]int, rank)
	for i := range t.Shape {
		d, err := p.u64("dimension")
		if err != nil {
			return Tensor{}, err
		}
		if d > math.MaxInt {
			return Tensor{}, fmt.Errorf("tensor %q: dimension %d is out of range", t.Name, d)
		}
		t.Shape[i] = int(d)
	}

	n, err := elements(t.Shape, p.remaining()/size)
	if err != nil {
		return Tensor{}, fmt.Errorf("tensor %q: %s data of shape %v does not fit in the %d remaining bytes", t.Name, t.DType, t.Shape, p.remaining())
	}
	raw, err := p.take(n*size, "data")
	if err != nil {
		return Tensor{}, err
	}

	switch t.DType {
	case Float32:
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case Int32:
		t.I32 = make([]int32, n)
		for i := range t.I32 {
			t.I32[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case Int8:
		t.I8 = make([]int8, n)
		for i, b := range raw {
			t.I8[i] = int8(b)
		}
	}
	return t, nil
}
