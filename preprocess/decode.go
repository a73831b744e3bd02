package preprocess

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
)

// MaxPixels bounds the width*height of a decoded image. Decode checks the
// header first, so a damaged or hostile file cannot make the decoder
// allocate gigabytes. 1<<26 pixels is 8192x8192.
var MaxPixels int64 = 1 << 26

// DecodeFile decodes a PNG or JPEG file. Errors name the file.
func DecodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("preprocess: %w", err)
	}
	defer f.Close()

	return Decode(bufio.NewReader(f), path)
}

// Decode decodes a PNG or JPEG image from r. The name (usually a file path)
// only labels errors. Damaged, truncated or oversized data returns an error
// and never a partial image.
func Decode(r io.Reader, name string) (image.Image, error) {
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err != nil {
		return nil, fmt.Errorf("preprocess: decode %s: %w; expected a complete PNG or JPEG file", name, err)
	}

	if format != "png" && format != "jpeg" {
		return nil, fmt.Errorf("preprocess: decode %s: unsupported image format %q; convert it to PNG or JPEG", name, format)
	}

	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > MaxPixels {
		return nil, fmt.Errorf("preprocess: decode %s: image is %dx%d, more than the %d-pixel limit (preprocess.MaxPixels); crop or downscale it first",
			name, cfg.Width, cfg.Height, MaxPixels)
	}

	// The header bytes consumed by DecodeConfig are replayed before the rest.
	full := io.MultiReader(&head, r)
	var img image.Image
	if format == "png" {
		img, err = png.Decode(full)
	} else {
		img, err = jpeg.Decode(full)
	}
	if err != nil {
		return nil, fmt.Errorf("preprocess: decode %s: %w; the file is damaged or incomplete, re-copy or re-export it", name, err)
	}
	return img, nil
}
