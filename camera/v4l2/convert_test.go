package v4l2

import (
	"bytes"
	"image"
	"testing"
)

func TestGrayFromGREY(t *testing.T) {
	// 3x2 frame with 4 bytes per line; the fourth byte of each row is
	// padding that must not appear in the image.
	data := []byte{
		1, 2, 3, 99,
		4, 5, 6, 99,
	}

	img, err := grayFromGREY(data, 3, 2, 4)
	if err != nil {
		t.Fatalf("grayFromGREY: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, 3, 2) {
		t.Fatalf("bounds = %v, want 3x2", img.Bounds())
	}
	if want := []byte{1, 2, 3, 4, 5, 6}; !bytes.Equal(img.Pix, want) {
		t.Errorf("pixels = %v, want %v", img.Pix, want)
	}

	data[0] = 77
	if img.Pix[0] != 1 {
		t.Errorf("image shares memory with the driver buffer")
	}
}

func TestGrayFromYUYVKeepsLuma(t *testing.T) {
	// 2x2 frame, packed Y0 U Y1 V.
	data := []byte{
		10, 128, 20, 128,
		30, 0, 40, 255,
	}

	img, err := grayFromYUYV(data, 2, 2, 0)
	if err != nil {
		t.Fatalf("grayFromYUYV: %v", err)
	}
	if want := []byte{10, 20, 30, 40}; !bytes.Equal(img.Pix, want) {
		t.Errorf("pixels = %v, want %v", img.Pix, want)
	}
}

func TestGrayFromYUYVWithStride(t *testing.T) {
	data := []byte{
		10, 128, 20, 128, 0, 0,
		30, 128, 40, 128,
	}

	img, err := grayFromYUYV(data, 2, 2, 6)
	if err != nil {
		t.Fatalf("grayFromYUYV: %v", err)
	}
	if want := []byte{10, 20, 30, 40}; !bytes.Equal(img.Pix, want) {
		t.Errorf("pixels = %v, want %v", img.Pix, want)
	}
}

func TestRawFramesTooShort(t *testing.T) {
	tests := []struct {
		name   string
		layout frameLayout
		size   int
	}{
		{"GREY packed", frameLayout{fourcc: fourCCGrey, width: 4, height: 3}, 11},
		{"GREY padded", frameLayout{fourcc: fourCCGrey, width: 4, height: 3, bytesPerLine: 8}, 19},
		{"YUYV packed", frameLayout{fourcc: fourCCYUYV, width: 4, height: 3}, 23},
		{"empty", frameLayout{fourcc: fourCCYUYV, width: 4, height: 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeFrame(tt.layout, make([]byte, tt.size)); err == nil {
				t.Errorf("%d-byte frame accepted", tt.size)
			}
		})
	}
}

func TestRawFrameStrideBelowWidth(t *testing.T) {
	if _, err := grayFromGREY(make([]byte, 100), 8, 2, 4); err == nil {
		t.Errorf("GREY stride below width accepted")
	}
	if _, err := grayFromYUYV(make([]byte, 100), 8, 2, 12); err == nil {
		t.Errorf("YUYV stride below twice the width accepted")
	}
}

func TestDecodeMJPEGWithoutDHT(t *testing.T) {
	original := encodeJPEG(t, testPattern(32, 16))
	frame := stripDHT(t, original)

	img, err := decodeFrame(frameLayout{fourcc: fourCCMJPEG, width: 32, height: 16}, frame)
	if err != nil {
		t.Fatalf("decodeFrame: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, 32, 16) {
		t.Errorf("bounds = %v, want 32x16", img.Bounds())
	}
}

func TestDecodeMJPEGFaults(t *testing.T) {
	frame := encodeJPEG(t, testPattern(32, 16))

	tests := []struct {
		name   string
		layout frameLayout
		data   []byte
	}{
		{"wrong size", frameLayout{fourcc: fourCCMJPEG, width: 64, height: 16}, frame},
		{"truncated scan", frameLayout{fourcc: fourCCMJPEG, width: 32, height: 16}, frame[:len(frame)/2]},
		{"truncated header", frameLayout{fourcc: fourCCJPEG, width: 32, height: 16}, frame[:20]},
		{"not a JPEG", frameLayout{fourcc: fourCCMJPEG, width: 32, height: 16}, []byte("not a jpeg")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeFrame(tt.layout, tt.data); err == nil {
				t.Errorf("bad MJPEG frame decoded without error")
			}
		})
	}
}

func TestDecodeUnknownFormat(t *testing.T) {
	_, err := decodeFrame(frameLayout{fourcc: fourCC("RGB3"), width: 2, height: 2}, make([]byte, 12))
	if err == nil {
		t.Errorf("RGB3 frame decoded, want an error")
	}
}
