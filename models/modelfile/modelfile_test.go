package modelfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sampleTensors covers every dtype, a scalar, an empty tensor, extreme
// values and a NaN with a payload.
func sampleTensors() []Tensor {
	return []Tensor{
		{Name: "enc.0.weight", DType: Float32, Shape: []int{2, 3}, F32: []float32{0, -1.5, 3.25, float32(math.Inf(1)), math.Float32frombits(0x7fc00123), math.SmallestNonzeroFloat32}},
		{Name: "enc.0.weight.q", DType: Int8, Shape: []int{2, 2}, I8: []int8{-128, -1, 0, 127}},
		{Name: "enc.0.bias.q", DType: Int32, Shape: []int{3}, I32: []int32{math.MinInt32, 0, math.MaxInt32}},
		{Name: "scale", DType: Float32, Shape: []int{}, F32: []float32{0.125}},
		{Name: "empty", DType: Int8, Shape: []int{0, 4}},
		{Name: "ünïcode", DType: Int32, Shape: []int{1, 1, 1, 1, 1, 1, 1, 1}, I32: []int32{42}},
	}
}

var sampleMeta = []byte(`{"arch":"conv-ae","input":[1,224,224]}`)

// encodeBytes encodes meta and tensors and fails the test on error.
func encodeBytes(t testing.TB, meta []byte, tensors []Tensor) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, meta, tensors); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameTensors compares tensors field by field, treating nil and empty
// slices alike and comparing floats by their bits (so NaN payloads count).
func sameTensors(a, b []Tensor) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d tensors, want %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.DType != y.DType || !slices.Equal(x.Shape, y.Shape) {
			return fmt.Errorf("tensor %d: %q %v %v, want %q %v %v", i, x.Name, x.DType, x.Shape, y.Name, y.DType, y.Shape)
		}
		bits := func(v []float32) []uint32 {
			out := make([]uint32, len(v))
			for j, f := range v {
				out[j] = math.Float32bits(f)
			}
			return out
		}
		if !slices.Equal(bits(x.F32), bits(y.F32)) || !slices.Equal(x.I8, y.I8) || !slices.Equal(x.I32, y.I32) {
			return fmt.Errorf("tensor %q: data differs", x.Name)
		}
	}
	return nil
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		meta    []byte
		tensors []Tensor
	}{
		{"all dtypes", sampleMeta, sampleTensors()},
		{"no tensors", sampleMeta, nil},
		{"no metadata", nil, sampleTensors()[:1]},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "model.edgeae")
			if err := Write(path, tt.meta, tt.tensors); err != nil {
				t.Fatal(err)
			}

			meta, tensors, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(meta, tt.meta) {
				t.Errorf("meta = %q, want %q", meta, tt.meta)
			}
			if err := sameTensors(tensors, tt.tensors); err != nil {
				t.Error(err)
			}

			// The encoding is canonical and Write writes what Encode does.
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if again := encodeBytes(t, meta, tensors); !bytes.Equal(again, file) {
				t.Error("re-encoding the decoded model gives different bytes")
			}
		})
	}
}

func TestLayout(t *testing.T) {
	// One int8 tensor "w" of shape [2] holding {1, -1}, meta "{}":
	// 8 magic + 4 version + 8 size + 4+2 meta + 4 count
	// + 2+1 name + 1 dtype + 1 rank + 8 dim + 2 data + 32 checksum = 77.
	data := encodeBytes(t, []byte("{}"), []Tensor{{Name: "w", DType: Int8, Shape: []int{2}, I8: []int8{1, -1}}})

	want := []byte("EDGEAE\x00M")
	want = binary.LittleEndian.AppendUint32(want, 1)
	want = binary.LittleEndian.AppendUint64(want, 77)
	want = binary.LittleEndian.AppendUint32(want, 2)
	want = append(want, "{}"...)
	want = binary.LittleEndian.AppendUint32(want, 1)
	want = binary.LittleEndian.AppendUint16(want, 1)
	want = append(want, 'w', 2, 1)
	want = binary.LittleEndian.AppendUint64(want, 2)
	want = append(want, 1, 0xff)
	sum := sha256.Sum256(want)
	want = append(want, sum[:]...)

	if !bytes.Equal(data, want) {
		t.Errorf("encoded\n% x\nwant\n% x", data, want)
	}
}

// writeRaw writes data to a file in a temporary folder and returns its path.
func writeRaw(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadDamaged(t *testing.T) {
	valid := encodeBytes(t, sampleMeta, sampleTensors())
	n := len(valid)

	flip := func(off int) []byte {
		d := bytes.Clone(valid)
		d[off] ^= 0x40
		return d
	}
	newer := bytes.Clone(valid)
	binary.LittleEndian.PutUint32(newer[8:], 2)

	var pngFile bytes.Buffer
	if err := png.Encode(&pngFile, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		data    []byte
		want    error
		wantMsg string
	}{
		{"cut by one byte", valid[:n-1], ErrTruncated, fmt.Sprintf("truncated: %d of %d bytes", n-1, n)},
		{"cut to half", valid[:n/2], ErrTruncated, fmt.Sprintf("truncated: %d of %d bytes", n/2, n)},
		{"empty", nil, ErrTruncated, fmt.Sprintf("truncated: 0 of at least %d bytes", minFileSize)},
		{"magic only", valid[:8], ErrTruncated, "truncated: 8 of at least"},
		{"flipped meta length", flip(headerSize), ErrChecksum, "checksum mismatch; re-copy the file"},
		{"flipped meta", flip(headerSize + 6), ErrChecksum, "checksum mismatch"},
		{"flipped tensor data", flip(n - checksumSize - 1), ErrChecksum, "checksum mismatch"},
		{"flipped first data byte", flip(headerSize + 4 + len(sampleMeta) + 4 + 2 + len("enc.0.weight") + 2 + 16), ErrChecksum, "checksum mismatch"},
		{"flipped checksum", flip(n - 1), ErrChecksum, "checksum mismatch"},
		{"flipped magic", flip(0), ErrNotModelFile, "not an edgeae model file"},
		{"PNG file", pngFile.Bytes(), ErrNotModelFile, "not an edgeae model file"},
		{"short text", []byte("hello"), ErrNotModelFile, "not an edgeae model file"},
		{"newer version", newer, ErrNewerVersion, "written by a newer edgeae; upgrade"},
		{"extra byte", append(bytes.Clone(valid), 0), ErrCorrupt, "re-copy the file"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeRaw(t, "model.edgeae", tt.data)
			_, _, err := Read(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.edgeae")
	_, _, err := Read(path)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want os.ErrNotExist", err)
	}
}

// seal wraps body (everything after the header) into a file with a valid
// header, size and checksum, so the parser itself gets tested.
func seal(body []byte) []byte {
	data := []byte(Magic)
	data = binary.LittleEndian.AppendUint32(data, Version)
	data = binary.LittleEndian.AppendUint64(data, uint64(headerSize+len(body)+checksumSize))
	data = append(data, body...)
	sum := sha256.Sum256(data)
	return append(data, sum[:]...)
}

func TestDecodeAbsurdSizes(t *testing.T) {
	le := binary.LittleEndian

	// tensorHeader returns meta length 0, count 1 and the header of one
	// tensor named "x" with the given dtype, rank byte and dims, without
	// data.
	tensorHeader := func(dtype, rank uint8, dims ...uint64) []byte {
		b := le.AppendUint32(nil, 0)
		b = le.AppendUint32(b, 1)
		b = le.AppendUint16(b, 1)
		b = append(b, 'x', dtype, rank)
		for _, d := range dims {
			b = le.AppendUint64(b, d)
		}
		return b
	}
	pad := func(b []byte, n int) []byte { return append(b, make([]byte, n)...) }

	tests := []struct {
		name    string
		body    []byte
		wantMsg string
	}{
		{"meta length 4 GiB", pad(le.AppendUint32(nil, math.MaxUint32), 4), "metadata needs 4294967295 bytes but 4 remain"},
		{"tensor count 4 billion", pad(le.AppendUint32(le.AppendUint32(nil, 0), math.MaxUint32), 8), "does not fit"},
		{"huge dimension", tensorHeader(1, 1, 1<<40), "does not fit"},
		{"dimension above MaxInt", tensorHeader(1, 1, math.MaxUint64), "out of range"},
		{"overflowing product", tensorHeader(3, 3, 1<<32, 1<<32, 1<<32), "does not fit"},
		{"rank 200", pad(tensorHeader(1, 200), 16), "rank 200"},
		{"dims past the end", pad(tensorHeader(1, 3), 8), "3 dimensions need 24 bytes"},
		{"unknown dtype", pad(tensorHeader(9, 0), 4), "unknown dtype 9"},
		{"missing data", pad(tensorHeader(2, 1, 4), 2), "does not fit in the 2 remaining bytes"},
		{"empty name", pad(le.AppendUint32(le.AppendUint32(nil, 0), 1), 8), "name"},
		{"trailing bytes", pad(le.AppendUint32(le.AppendUint32(nil, 0), 0), 1), "1 unexpected bytes"},
		{"no count", append(le.AppendUint32(nil, 4), "abcd"...), "tensor count needs 4 bytes but 0 remain"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode(bytes.NewReader(seal(tt.body)))
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestEncodeRejectsInvalid(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		wantMsg string
	}{
		{"shape and data mismatch", []Tensor{{Name: "w", DType: Float32, Shape: []int{2, 2}, F32: []float32{1, 2, 3}}}, "needs 4 values"},
		{"data in the wrong slice", []Tensor{{Name: "w", DType: Int8, Shape: []int{1}, I32: []int32{1}}}, "in the int8 slice only"},
		{"two data slices", []Tensor{{Name: "w", DType: Int8, Shape: []int{1}, I8: []int8{1}, F32: []float32{1}}}, "in the int8 slice only"},
		{"unknown dtype", []Tensor{{Name: "w", Shape: []int{}}}, "unknown dtype 0"},
		{"negative dimension", []Tensor{{Name: "w", DType: Int8, Shape: []int{-1}}}, "negative dimension"},
		{"rank 9", []Tensor{{Name: "w", DType: Int8, Shape: make([]int, 9)}}, "rank 9"},
		{"empty name", []Tensor{{DType: Int8, Shape: []int{0}}}, "must be 1 to"},
		{"long name", []Tensor{{Name: strings.Repeat("n", MaxNameLen+1), DType: Int8, Shape: []int{0}}}, "must be 1 to"},
		{"invalid UTF-8 name", []Tensor{{Name: "w\xff", DType: Int8, Shape: []int{0}}}, "not valid UTF-8"},
		{"duplicate name", []Tensor{{Name: "w", DType: Int8, Shape: []int{0}}, {Name: "w", DType: Int8, Shape: []int{0}}}, "duplicate"},
		{"overflowing shape", []Tensor{{Name: "w", DType: Float32, Shape: []int{math.MaxInt / 2, 4}}}, "more than"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, nil, tt.tensors)
			if err == nil {
				t.Fatal("Encode accepted invalid tensors")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantMsg)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// folderNames returns the names in dir.
func folderNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.edgeae")
	if err := Write(path, []byte("old"), sampleTensors()); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	bad := []Tensor{{Name: "w", DType: Float32, Shape: []int{10}, F32: []float32{1}}}
	if err := Write(path, []byte("new"), bad); err == nil {
		t.Fatal("Write accepted a tensor whose shape does not match its data")
	} else if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}

	now, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(now, old) {
		t.Error("the existing model changed after a failed Write")
	}
	if names := folderNames(t, dir); !slices.Equal(names, []string{"model.edgeae"}) {
		t.Errorf("folder holds %v, want only model.edgeae", names)
	}
}

func TestWriteFailsAfterEncoding(t *testing.T) {
	// A folder at the target path makes the final rename fail after the
	// temporary file was written in full; it must be removed.
	dir := t.TempDir()
	path := filepath.Join(dir, "model.edgeae")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}

	if err := Write(path, sampleMeta, sampleTensors()); err == nil {
		t.Fatal("Write over a folder returned no error")
	}
	if names := folderNames(t, dir); !slices.Equal(names, []string{"model.edgeae"}) {
		t.Errorf("folder holds %v, want only the model.edgeae folder", names)
	}
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		t.Errorf("target folder was replaced or removed: %v", err)
	}
}

func TestWriteReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "model.edgeae")
	if err := Write(path, []byte("old"), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })

	if err := Write(path, []byte("new"), nil); err == nil {
		t.Fatal("Write into a read-only folder returned no error")
	}
	meta, _, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(meta) != "old" {
		t.Errorf("meta = %q after a failed Write, want %q", meta, "old")
	}
}

func TestWriteMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "model.edgeae")
	err := Write(path, nil, nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want os.ErrNotExist", err)
	}
}

func TestWriteFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.edgeae")
	if err := Write(path, nil, nil); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o644 {
		t.Errorf("mode %v, want 0644", mode)
	}
}

func FuzzDecode(f *testing.F) {
	valid := encodeBytes(f, sampleMeta, sampleTensors())
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte{})
	f.Add([]byte(Magic))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add(valid[headerSize : len(valid)-checksumSize])

	f.Fuzz(func(t *testing.T, data []byte) {
		// The raw input exercises the header checks; sealing it with a
		// valid header and checksum exercises the parser.
		for _, input := range [][]byte{data, seal(data)} {
			meta, tensors, err := Decode(bytes.NewReader(input))
			if err != nil {
				continue
			}

			var buf bytes.Buffer
			if err := Encode(&buf, meta, tensors); err != nil {
				t.Fatalf("decoded model does not encode: %v", err)
			}
			if !bytes.Equal(buf.Bytes(), input) {
				t.Fatal("decoded model encodes to different bytes")
			}
		}
	})
}

func BenchmarkRead(b *testing.B) {
	// About 4 MB of float32 weights.
	w := make([]float32, 1<<20)
	for i := range w {
		w[i] = float32(i)
	}
	path := filepath.Join(b.TempDir(), "model.edgeae")
	if err := Write(path, sampleMeta, []Tensor{{Name: "w", DType: Float32, Shape: []int{1 << 20}, F32: w}}); err != nil {
		b.Fatal(err)
	}

	b.SetBytes(4 << 20)
	for b.Loop() {
		if _, _, err := Read(path); err != nil {
			b.Fatal(err)
		}
	}
}
