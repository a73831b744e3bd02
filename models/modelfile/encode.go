package modelfile

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Encode writes meta and tensors to w in the model file format. It
// validates everything before writing the first byte.
func Encode(w io.Writer, meta []byte, tensors []Tensor) error {
	if err := encode(w, meta, tensors); err != nil {
		return fmt.Errorf("modelfile: %w", err)
	}
	return nil
}

// Write saves meta and tensors to path atomically: it writes a temporary
// file in the same folder, syncs it to disk and renames it over path, so
// path holds either the old file or the complete new one. The file gets
// mode 0644.
func Write(path string, meta []byte, tensors []Tensor) (err error) {
	if _, err := encodedSize(meta, tensors); err != nil {
		return fmt.Errorf("modelfile: write %s: %w", path, err)
	}

	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("modelfile: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()

	if err := encode(f, meta, tensors); err != nil {
		return fmt.Errorf("modelfile: write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("modelfile: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("modelfile: write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("modelfile: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("modelfile: write %s: %w", path, err)
	}

	// Sync the folder so the rename itself survives a power cut.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("modelfile: write %s: sync folder: %w", path, err)
	}
	return nil
}

// syncDir flushes the directory entry of dir to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// encoder writes little-endian values to a buffered writer, keeping the
// first error.
type encoder struct {
	w       *bufio.Writer
	scratch []byte
	err     error
}

func (e *encoder) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) u8(v uint8)   { e.write([]byte{v}) }
func (e *encoder) u16(v uint16) { e.write(binary.LittleEndian.AppendUint16(e.scratch[:0], v)) }
func (e *encoder) u32(v uint32) { e.write(binary.LittleEndian.AppendUint32(e.scratch[:0], v)) }
func (e *encoder) u64(v uint64) { e.write(binary.LittleEndian.AppendUint64(e.scratch[:0], v)) }

// words writes n 32-bit values given by at(i), in chunks of the scratch
// buffer.
func (e *encoder) words(n int, at func(i int) uint32) {
	for start := 0; start < n; {
		end := min(n, start+len(e.scratch)/4)
		buf := e.scratch[:0]
		for i := start; i < end; i++ {
			buf = binary.LittleEndian.AppendUint32(buf, at(i))
		}
		e.write(buf)
		start = end
	}
}

// bytes8 writes int8 values as bytes.
func (e *encoder) bytes8(v []int8) {
	for start := 0; start < len(v); {
		end := min(len(v), start+len(e.scratch))
		buf := e.scratch[:end-start]
		for i, x := range v[start:end] {
			buf[i] = byte(x)
		}
		e.write(buf)
		start = end
	}
}

// encode validates and writes the file, with errors not yet prefixed.
func encode(w io.Writer, meta []byte, tensors []Tensor) error {
	size, err := encodedSize(meta, tensors)
	if err != nil {
		return err
	}

	// Every byte before the checksum goes to w and to the hash.
	hash := sha256.New()
	e := &encoder{w: bufio.NewWriterSize(io.MultiWriter(w, hash), 64<<10), scratch: make([]byte, 32<<10)}

	e.write([]byte(Magic))
	e.u32(Version)
	e.u64(size)
	e.u32(uint32(len(meta)))
	e.write(meta)
	e.u32(uint32(len(tensors)))

	for _, t := range tensors {
		e.u16(uint16(len(t.Name)))
		e.write([]byte(t.Name))
		e.u8(uint8(t.DType))
		e.u8(uint8(len(t.Shape)))
		for _, d := range t.Shape {
			e.u64(uint64(d))
		}

		switch t.DType {
		case Float32:
			e.words(len(t.F32), func(i int) uint32 { return math.Float32bits(t.F32[i]) })
		case Int32:
			e.words(len(t.I32), func(i int) uint32 { return uint32(t.I32[i]) })
		case Int8:
			e.bytes8(t.I8)
		}
	}

	if e.err == nil {
		e.err = e.w.Flush()
	}
	if e.err != nil {
		return fmt.Errorf("write: %w", e.err)
	}

	if _, err := w.Write(hash.Sum(nil)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
