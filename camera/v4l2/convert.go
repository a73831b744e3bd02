package v4l2

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

// frameLayout describes the frames that the driver granted.
type frameLayout struct {
	fourcc uint32
	width  int
	height int

	// bytesPerLine is the distance between rows in the driver buffer. Zero
	// means rows are packed (width bytes for GREY, 2*width for YUYV).
	bytesPerLine int
}

// decodeFrame converts one raw driver frame into an image. The result does
// not share memory with data.
func decodeFrame(layout frameLayout, data []byte) (image.Image, error) {
	switch layout.fourcc {
	case fourCCGrey:
		return grayFromGREY(data, layout.width, layout.height, layout.bytesPerLine)
	case fourCCYUYV:
		return grayFromYUYV(data, layout.width, layout.height, layout.bytesPerLine)
	case fourCCMJPEG, fourCCJPEG:
		return decodeMJPEG(data, layout.width, layout.height)
	}
	return nil, fmt.Errorf("pixel format %s cannot be decoded", fourCCString(layout.fourcc))
}

// grayFromGREY copies an 8-bit luma frame into a packed image.Gray.
func grayFromGREY(data []byte, width, height, stride int) (*image.Gray, error) {
	if stride == 0 {
		stride = width
	}
	if stride < width {
		return nil, fmt.Errorf("GREY row stride %d is less than the width %d", stride, width)
	}

	need := stride*(height-1) + width
	if len(data) < need {
		return nil, fmt.Errorf("GREY frame has %d bytes, %dx%d needs %d", len(data), width, height, need)
	}

	img := image.NewGray(image.Rect(0, 0, width, height))
	for y := range height {
		copy(img.Pix[y*width:(y+1)*width], data[y*stride:y*stride+width])
	}
	return img, nil
}

// grayFromYUYV builds an image.Gray from the Y samples of a packed YUYV
// 4:2:2 frame (byte order Y0 U Y1 V) and drops the chroma samples.
func grayFromYUYV(data []byte, width, height, stride int) (*image.Gray, error) {
	if stride == 0 {
		stride = 2 * width
	}
	if stride < 2*width {
		return nil, fmt.Errorf("YUYV row stride %d is less than twice the width %d", stride, width)
	}

	need := stride*(height-1) + 2*width
	if len(data) < need {
		return nil, fmt.Errorf("YUYV frame has %d bytes, %dx%d needs %d", len(data), width, height, need)
	}

	img := image.NewGray(image.Rect(0, 0, width, height))
	for y := range height {
		row := data[y*stride : y*stride+2*width]
		out := img.Pix[y*width : (y+1)*width]
		for x := range out {
			out[x] = row[2*x]
		}
	}
	return img, nil
}

// decodeMJPEG decodes one motion-JPEG frame, adding the standard Huffman
// tables when the frame has none, and checks that the frame has the granted
// size before the pixels are decoded.
func decodeMJPEG(data []byte, width, height int) (image.Image, error) {
	complete, err := InsertHuffmanTables(data)
	if err != nil {
		return nil, err
	}

	cfg, err := jpeg.DecodeConfig(bytes.NewReader(complete))
	if err != nil {
		return nil, fmt.Errorf("MJPEG header: %w", err)
	}
	if cfg.Width != width || cfg.Height != height {
		return nil, fmt.Errorf("MJPEG frame is %dx%d, the driver granted %dx%d", cfg.Width, cfg.Height, width, height)
	}

	img, err := jpeg.Decode(bytes.NewReader(complete))
	if err != nil {
		return nil, fmt.Errorf("MJPEG data: %w", err)
	}
	return img, nil
}
