package preprocess

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes data to name in dir and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gradient returns a w x h gray image whose pixels are x*7 + y*3 mod 256,
// so no two neighbouring rows compress alike.
func gradient(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetGray(x, y, color.Gray{uint8(x*7 + y*3)})
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeFilePNGTypes(t *testing.T) {
	g16 := image.NewGray16(image.Rect(0, 0, 3, 2))
	g16.SetGray16(2, 1, color.Gray16{Y: 0x1234})
	nrgba := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	nrgba.SetNRGBA(2, 1, color.NRGBA{R: 10, G: 20, B: 30, A: 40})

	tests := []struct {
		name string
		img  image.Image
	}{
		{"gray", gradient(3, 2)},
		{"gray16", g16},
		{"nrgba", nrgba},
	}

	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.name+".png", encodePNG(t, tt.img))
			got, err := DecodeFile(path)
			if err != nil {
				t.Fatal(err)
			}

			if got.ColorModel() != tt.img.ColorModel() {
				t.Errorf("decoded colour model %v, want %v", got.ColorModel(), tt.img.ColorModel())
			}
			if got.At(2, 1) != tt.img.At(2, 1) {
				t.Errorf("pixel (2,1) = %v, want %v", got.At(2, 1), tt.img.At(2, 1))
			}
		})
	}
}

func TestDecodeFileJPEG(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range rgba.Pix {
		rgba.Pix[i] = 200
	}

	tests := []struct {
		name     string
		img      image.Image
		wantType string
	}{
		{"gray", gradient(16, 16), "*image.Gray"},
		{"colour", rgba, "*image.YCbCr"},
	}

	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, tt.img, &jpeg.Options{Quality: 95}); err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, dir, tt.name+".JPG", buf.Bytes())

			got, err := DecodeFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if typ := typeName(got); typ != tt.wantType {
				t.Errorf("decoded to %s, want %s", typ, tt.wantType)
			}
			if got.Bounds() != tt.img.Bounds() {
				t.Errorf("bounds %v, want %v", got.Bounds(), tt.img.Bounds())
			}
		})
	}
}

func typeName(img image.Image) string {
	switch img.(type) {
	case *image.Gray:
		return "*image.Gray"
	case *image.YCbCr:
		return "*image.YCbCr"
	}
	return "other"
}

func TestDecodeFileBadData(t *testing.T) {
	valid := encodePNG(t, gradient(64, 64))

	// Flip bytes inside the image data, past the 8-byte signature and the
	// 25-byte IHDR chunk, so the header still parses but the CRC fails.
	corrupt := bytes.Clone(valid)
	for i := 60; i < 70; i++ {
		corrupt[i] ^= 0xff
	}

	tests := []struct {
		name    string
		file    string
		data    []byte
		wantErr string
	}{
		{"corrupt PNG", "corrupt.png", corrupt, "damaged or incomplete"},
		{"truncated PNG", "truncated.png", valid[:len(valid)/2], "damaged or incomplete"},
		{"header only", "header.png", valid[:40], "damaged or incomplete"},
		{"empty file", "empty.png", nil, "expected a complete PNG or JPEG file"},
		{"text file", "notes.png", []byte("not an image\n"), "expected a complete PNG or JPEG file"},
	}

	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.file, tt.data)
			img, err := DecodeFile(path)
			if err == nil {
				t.Fatalf("DecodeFile returned a %v image, want an error", img.Bounds())
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.png")
	_, err := DecodeFile(path)
	if !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("error %v, want a not-exist error", err)
	}
	if err != nil && !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}

// unwrapAll returns the innermost wrapped error.
func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestDecodeTooLarge(t *testing.T) {
	old := MaxPixels
	MaxPixels = 100
	defer func() { MaxPixels = old }()

	_, err := Decode(bytes.NewReader(encodePNG(t, gradient(20, 10))), "big.png")
	if err == nil {
		t.Fatal("Decode accepted 200 pixels with MaxPixels = 100")
	}
	if !strings.Contains(err.Error(), "big.png") || !strings.Contains(err.Error(), "20x10") {
		t.Errorf("error %q should name the file and its size", err)
	}
}
