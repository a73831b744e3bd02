package v4l2

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"edgeae/camera"
)

// Config configures a camera. It is the V4L2 section of camera.Config.
type Config = camera.V4L2Config

// DefaultTimeout is the frame timeout used when Config.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// maxSide is the largest frame width or height accepted in a Config.
const maxSide = 16384

// Pixel format codes (V4L2 FourCC values) that this package decodes.
var (
	fourCCGrey  = fourCC("GREY")
	fourCCYUYV  = fourCC("YUYV")
	fourCCMJPEG = fourCC("MJPG")
	fourCCJPEG  = fourCC("JPEG")
)

// fourCC packs a four-character code the way V4L2 does, first character in
// the lowest byte.
func fourCC(code string) uint32 {
	var v uint32
	for i := 0; i < 4 && i < len(code); i++ {
		v |= uint32(code[i]) << (8 * i)
	}
	return v
}

// fourCCString unpacks a V4L2 pixel format code into its four characters,
// with non-printable bytes shown as '?'.
func fourCCString(v uint32) string {
	var b [4]byte
	for i := range b {
		c := byte(v >> (8 * i))
		if c < ' ' || c > '~' {
			c = '?'
		}
		b[i] = c
	}
	return string(b[:])
}

// formatName returns the Config.Format spelling for a pixel format code.
func formatName(code uint32) string {
	switch code {
	case fourCCGrey:
		return "GREY"
	case fourCCYUYV:
		return "YUYV"
	case fourCCMJPEG:
		return "MJPEG"
	case fourCCJPEG:
		return "JPEG"
	}
	return fourCCString(code)
}

// decodable reports whether frames in the pixel format can be decoded.
func decodable(code uint32) bool {
	switch code {
	case fourCCGrey, fourCCYUYV, fourCCMJPEG, fourCCJPEG:
		return true
	}
	return false
}

// request is a validated Config.
type request struct {
	device  string
	width   int
	height  int
	fourcc  uint32
	timeout time.Duration
}

// parseConfig validates cfg, fills defaults and rounds the timeout up to
// whole seconds.
func parseConfig(cfg Config) (request, error) {
	device := strings.TrimSpace(cfg.Device)
	if device == "" {
		return request{}, errors.New(`v4l2: device is empty: set it to the video device node, for example "/dev/video0"`)
	}

	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxSide || cfg.Height > maxSide {
		return request{}, fmt.Errorf("v4l2: %s: invalid frame size %dx%d: width and height must be between 1 and %d", device, cfg.Width, cfg.Height, maxSide)
	}

	var code uint32
	switch strings.ToUpper(strings.TrimSpace(cfg.Format)) {
	case "GREY", "GRAY":
		code = fourCCGrey
	case "YUYV":
		code = fourCCYUYV
	case "MJPEG", "MJPG":
		code = fourCCMJPEG
	default:
		return request{}, fmt.Errorf("v4l2: %s: unsupported pixel format %q: use GREY, YUYV or MJPEG", device, cfg.Format)
	}

	if cfg.Timeout < 0 {
		return request{}, fmt.Errorf("v4l2: %s: negative timeout %v: use 0 for the default of %v", device, cfg.Timeout, DefaultTimeout)
	}

	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}

	return request{
		device:  device,
		width:   cfg.Width,
		height:  cfg.Height,
		fourcc:  code,
		timeout: roundUpToSeconds(timeout),
	}, nil
}

// roundUpToSeconds rounds a positive duration up to a whole number of
// seconds, the unit of webcam.WaitForFrame.
func roundUpToSeconds(d time.Duration) time.Duration {
	whole := d.Truncate(time.Second)
	if whole < d {
		whole += time.Second
	}
	return whole
}
