package v4l2

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// jpegSegment is one marker segment of a JPEG header, from its 0xFF byte to
// the end of its payload.
type jpegSegment struct {
	marker     byte
	start, end int
}

// headerSegments lists the marker segments of an encoder-made JPEG up to
// and including SOS. It expects no fill bytes and fails the test on a
// malformed header.
func headerSegments(t *testing.T, data []byte) []jpegSegment {
	t.Helper()

	var segments []jpegSegment
	pos := 2
	for {
		if pos+4 > len(data) || data[pos] != 0xFF {
			t.Fatalf("malformed test JPEG at byte %d", pos)
		}
		marker := data[pos+1]
		length := int(data[pos+2])<<8 | int(data[pos+3])
		segments = append(segments, jpegSegment{marker: marker, start: pos, end: pos + 2 + length})
		if marker == markerSOS {
			return segments
		}
		pos += 2 + length
	}
}

// stripDHT returns a copy of data without its DHT segments.
func stripDHT(t *testing.T, data []byte) []byte {
	t.Helper()

	var out []byte
	last := 0
	for _, seg := range headerSegments(t, data) {
		if seg.marker == markerDHT {
			out = append(out, data[last:seg.start]...)
			last = seg.end
		}
	}
	return append(out, data[last:]...)
}

// testPattern returns an RGBA image with gradients and edges, so that the
// encoded scan uses many Huffman codes of all four tables.
func testPattern(width, height int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.Set(x, y, color.RGBA{
				R: uint8(x * 255 / width),
				G: uint8(y * 255 / height),
				B: uint8((x ^ y) * 7),
				A: 255,
			})
		}
	}
	return img
}

// encodeJPEG encodes img with image/jpeg, which writes the Annex K tables.
func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatalf("encode test JPEG: %v", err)
	}
	return buf.Bytes()
}

func TestStandardTablesMatchImageJPEG(t *testing.T) {
	data := encodeJPEG(t, testPattern(32, 32))

	// Collect the tables that image/jpeg wrote, keyed by class and id.
	written := map[byte][]byte{}
	for _, seg := range headerSegments(t, data) {
		if seg.marker != markerDHT {
			continue
		}
		payload := data[seg.start+4 : seg.end]
		for len(payload) > 0 {
			key := payload[0]
			n := 0
			for _, c := range payload[1:17] {
				n += int(c)
			}
			written[key] = payload[1 : 17+n]
			payload = payload[17+n:]
		}
	}

	if len(written) != len(standardHuffmanTables) {
		t.Fatalf("image/jpeg wrote %d tables, want %d", len(written), len(standardHuffmanTables))
	}
	for _, table := range standardHuffmanTables {
		key := table.class<<4 | table.id
		want := append(table.counts[:], table.values...)
		if !bytes.Equal(written[key], want) {
			t.Errorf("table class %d id %d differs from the one image/jpeg writes", table.class, table.id)
		}
	}
}

func TestStandardDHTLength(t *testing.T) {
	// 2 length bytes + 4 tables x (1 + 16) + 12 + 162 + 12 + 162 values.
	const want = 2 + 4*17 + 12 + 162 + 12 + 162

	got := int(standardDHT[2])<<8 | int(standardDHT[3])
	if got != want {
		t.Errorf("DHT length field = %d, want %d", got, want)
	}
	if len(standardDHT) != want+2 {
		t.Errorf("DHT segment is %d bytes, want %d", len(standardDHT), want+2)
	}
}

func TestInsertHuffmanTablesRestoresStrippedFrame(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
	}{
		{"color", testPattern(48, 32)},
		{"gray", image.NewGray(image.Rect(0, 0, 40, 24))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			original := encodeJPEG(t, tt.img)
			want, err := jpeg.Decode(bytes.NewReader(original))
			if err != nil {
				t.Fatalf("decode original: %v", err)
			}

			stripped := stripDHT(t, original)
			if len(stripped) >= len(original) {
				t.Fatalf("stripping removed nothing")
			}
			if _, err := jpeg.Decode(bytes.NewReader(stripped)); err == nil {
				t.Fatalf("image/jpeg decoded a frame without DHT, so this test proves nothing")
			}
			strippedCopy := bytes.Clone(stripped)

			restored, err := InsertHuffmanTables(stripped)
			if err != nil {
				t.Fatalf("InsertHuffmanTables: %v", err)
			}
			if !bytes.Equal(stripped, strippedCopy) {
				t.Errorf("InsertHuffmanTables modified its input")
			}

			got, err := jpeg.Decode(bytes.NewReader(restored))
			if err != nil {
				t.Fatalf("decode restored frame: %v", err)
			}
			assertSameImage(t, got, want)
		})
	}
}

// assertSameImage fails unless both images have the same bounds and the
// same color at every pixel.
func assertSameImage(t *testing.T, got, want image.Image) {
	t.Helper()

	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds = %v, want %v", got.Bounds(), want.Bounds())
	}
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := got.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d) differs", x, y)
			}
		}
	}
}

func TestInsertHuffmanTablesKeepsExistingTables(t *testing.T) {
	original := encodeJPEG(t, testPattern(16, 16))

	got, err := InsertHuffmanTables(original)
	if err != nil {
		t.Fatalf("InsertHuffmanTables: %v", err)
	}
	if &got[0] != &original[0] || len(got) != len(original) {
		t.Errorf("frame with DHT was copied or changed, want the same slice back")
	}
}

func TestInsertHuffmanTablesBeforeSOS(t *testing.T) {
	// SOI, an APP0 segment after two fill bytes, a RST0 marker, then SOS
	// with a 2-byte payload and one byte of scan data.
	frame := []byte{
		0xFF, markerSOI,
		0xFF, 0xFF, 0xFF, 0xE0, 0x00, 0x04, 'h', 'i',
		0xFF, markerRST,
		0xFF, markerSOS, 0x00, 0x02, 0x55,
	}
	sosAt := 12

	got, err := InsertHuffmanTables(frame)
	if err != nil {
		t.Fatalf("InsertHuffmanTables: %v", err)
	}

	if !bytes.Equal(got[:sosAt], frame[:sosAt]) {
		t.Errorf("bytes before SOS changed")
	}
	if !bytes.Equal(got[sosAt:sosAt+len(standardDHT)], standardDHT) {
		t.Errorf("DHT segment not found right before SOS")
	}
	if !bytes.Equal(got[sosAt+len(standardDHT):], frame[sosAt:]) {
		t.Errorf("bytes from SOS on changed")
	}
}

func TestInsertHuffmanTablesRejectsBadHeaders(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
	}{
		{"empty", nil},
		{"no SOI", []byte{0x89, 'P', 'N', 'G'}},
		{"only SOI", []byte{0xFF, markerSOI}},
		{"only fill bytes", []byte{0xFF, markerSOI, 0xFF, 0xFF}},
		{"EOI before SOS", []byte{0xFF, markerSOI, 0xFF, markerEOI}},
		{"stuffed zero", []byte{0xFF, markerSOI, 0xFF, 0x00}},
		{"garbage between segments", []byte{0xFF, markerSOI, 0x12, 0x34}},
		{"missing length", []byte{0xFF, markerSOI, 0xFF, 0xE0, 0x00}},
		{"length below 2", []byte{0xFF, markerSOI, 0xFF, 0xE0, 0x00, 0x01, 0xFF, markerSOS}},
		{"length past end", []byte{0xFF, markerSOI, 0xFF, 0xE0, 0x01, 0x00, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := InsertHuffmanTables(tt.frame); err == nil {
				t.Errorf("InsertHuffmanTables accepted a bad header")
			}
		})
	}
}

func TestInsertHuffmanTablesTruncatedFrames(t *testing.T) {
	stripped := stripDHT(t, encodeJPEG(t, testPattern(16, 16)))
	segments := headerSegments(t, stripped)
	sos := segments[len(segments)-1].start

	// Every cut that ends before the SOS marker is complete must fail, and
	// no cut may panic.
	for n := 0; n < len(stripped); n++ {
		_, err := InsertHuffmanTables(stripped[:n])
		if n < sos+2 && err == nil {
			t.Errorf("frame cut to %d bytes (SOS at %d) accepted", n, sos)
		}
	}
}

func FuzzInsertHuffmanTables(f *testing.F) {
	f.Add([]byte{0xFF, markerSOI, 0xFF, markerSOS, 0x00, 0x02})
	f.Add([]byte{0xFF, markerSOI, 0xFF, markerDHT, 0x00, 0x02, 0xFF, markerSOS})
	f.Add([]byte{0xFF, markerSOI, 0xFF, 0xE0, 0xFF, 0xFF})

	f.Fuzz(func(t *testing.T, frame []byte) {
		out, err := InsertHuffmanTables(frame)
		if err != nil {
			return
		}
		if len(out) != len(frame) && len(out) != len(frame)+len(standardDHT) {
			t.Errorf("output length %d for input length %d", len(out), len(frame))
		}
	})
}
