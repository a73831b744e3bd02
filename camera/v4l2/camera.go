package v4l2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"edgeae/camera"
)

// maxDrain bounds how many waiting frames one Next call skips to reach the
// newest, so a driver that keeps reporting ready buffers cannot hold Next
// forever.
const maxDrain = 64

// waitStep is the length of one wait call, in the whole seconds that
// webcam.WaitForFrame takes.
const waitStep = 1

// device is the part of a V4L2 capture device that Camera uses. The Linux
// build implements it with github.com/blackjack/webcam, and tests use a
// fake.
type device interface {
	// formats returns the pixel formats the driver offers, with their
	// descriptions. An empty map means the driver does not enumerate them.
	formats() map[uint32]string

	// frameSizes describes the frame sizes offered for a pixel format, for
	// error messages.
	frameSizes(fourcc uint32) []string

	// setFormat requests a pixel format and frame size and returns what the
	// driver granted. ok is false when the granted size could not be read
	// back.
	setFormat(fourcc uint32, width, height int) (layout frameLayout, ok bool, err error)

	// start maps the buffers and starts streaming.
	start() error

	// wait blocks until a frame is ready or the given number of seconds
	// passes, in which case it returns errWaitTimeout.
	wait(seconds uint32) error

	// dequeue takes the oldest filled buffer. The returned slice is valid
	// until the buffer is queued again with enqueue. It returns EAGAIN when
	// no buffer is ready.
	dequeue() (data []byte, index uint32, err error)

	// enqueue gives a buffer back to the driver.
	enqueue(index uint32) error

	// close stops streaming and closes the device.
	close() error
}

// Camera is a V4L2 camera opened by Open. It implements camera.Source and
// is not safe for concurrent use.
type Camera struct {
	dev     device
	path    string
	layout  frameLayout
	timeout time.Duration

	// now is the clock for the frame timeout and Frame.Time.
	now func() time.Time

	seq           uint64
	disconnectErr error
	closed        bool
}

var _ camera.Source = (*Camera)(nil)

// Open opens the camera, sets and checks the frame format, and starts
// streaming. On any OS other than Linux it returns an error.
func Open(cfg Config) (*Camera, error) {
	req, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}

	dev, err := openDevice(req.device)
	if err != nil {
		return nil, err
	}

	cam, err := newCamera(dev, req)
	if err != nil {
		_ = dev.close()
		return nil, err
	}

	slog.Info("v4l2 camera streaming",
		"device", req.device,
		"format", formatName(cam.layout.fourcc),
		"width", cam.layout.width,
		"height", cam.layout.height,
		"timeout", req.timeout)
	return cam, nil
}

// newCamera negotiates the format on an open device and starts streaming.
// The caller closes dev when it returns an error.
func newCamera(dev device, req request) (*Camera, error) {
	layout, err := negotiate(dev, req)
	if err != nil {
		return nil, err
	}

	if err := dev.start(); err != nil {
		if isGone(err) {
			return nil, fmt.Errorf("v4l2: %s: start streaming: %w (%w)", req.device, camera.ErrDisconnected, err)
		}
		return nil, fmt.Errorf("v4l2: %s: start streaming failed (is another program using the camera?): %w", req.device, err)
	}

	return &Camera{
		dev:     dev,
		path:    req.device,
		layout:  layout,
		timeout: req.timeout,
		now:     time.Now,
	}, nil
}

// negotiate requests the configured format and checks what the driver
// granted.
func negotiate(dev device, req request) (frameLayout, error) {
	offered := dev.formats()
	if _, ok := offered[req.fourcc]; len(offered) > 0 && !ok {
		return frameLayout{}, fmt.Errorf("v4l2: %s: the camera does not offer pixel format %s: it offers %s; set the format to one of them",
			req.device, formatName(req.fourcc), describeFormats(offered))
	}

	layout, sizeKnown, err := dev.setFormat(req.fourcc, req.width, req.height)
	if err != nil {
		if isGone(err) {
			return frameLayout{}, fmt.Errorf("v4l2: %s: set format: %w (%w)", req.device, camera.ErrDisconnected, err)
		}
		return frameLayout{}, fmt.Errorf("v4l2: %s: set format %s %dx%d failed: %w", req.device, formatName(req.fourcc), req.width, req.height, err)
	}

	return checkGranted(req, layout, sizeKnown, dev.frameSizes)
}

// checkGranted compares the driver's granted format with the request. A
// different but decodable pixel format is accepted with a warning. A
// different frame size is an error that lists the sizes the driver offers.
// When the granted size is unknown, the requested size is assumed and each
// frame is checked against it when decoded.
func checkGranted(req request, got frameLayout, sizeKnown bool, sizes func(uint32) []string) (frameLayout, error) {
	if !decodable(got.fourcc) {
		return frameLayout{}, fmt.Errorf("v4l2: %s: requested %s but the driver granted pixel format %s, which edgeae cannot decode: choose GREY, YUYV or MJPEG from the camera's formats",
			req.device, formatName(req.fourcc), fourCCString(got.fourcc))
	}

	if got.fourcc != req.fourcc && !(isJPEG(got.fourcc) && isJPEG(req.fourcc)) {
		slog.Warn("v4l2 driver granted another pixel format",
			"device", req.device,
			"requested", formatName(req.fourcc),
			"granted", formatName(got.fourcc))
	}

	if !sizeKnown {
		slog.Warn("v4l2 granted frame size unknown, checking each frame instead",
			"device", req.device,
			"width", req.width,
			"height", req.height)
		return frameLayout{fourcc: got.fourcc, width: req.width, height: req.height}, nil
	}

	if got.width != req.width || got.height != req.height {
		offered := "none listed"
		if s := sizes(got.fourcc); len(s) > 0 {
			offered = strings.Join(s, ", ")
		}
		return frameLayout{}, fmt.Errorf("v4l2: %s: requested %dx%d but the driver granted %dx%d for %s: set width and height to an offered size (%s)",
			req.device, req.width, req.height, got.width, got.height, formatName(got.fourcc), offered)
	}

	minLine := got.width
	if got.fourcc == fourCCYUYV {
		minLine = 2 * got.width
	}
	if !isJPEG(got.fourcc) && got.bytesPerLine != 0 && got.bytesPerLine < minLine {
		return frameLayout{}, fmt.Errorf("v4l2: %s: driver reports %d bytes per line for %d pixels of %s, fewer than %d: the driver's format is inconsistent",
			req.device, got.bytesPerLine, got.width, formatName(got.fourcc), minLine)
	}
	if isJPEG(got.fourcc) {
		got.bytesPerLine = 0
	}
	return got, nil
}

// isJPEG reports the two codes that carry JPEG frames.
func isJPEG(code uint32) bool {
	return code == fourCCMJPEG || code == fourCCJPEG
}

// describeFormats lists offered pixel formats as "NAME (description)",
// sorted by name.
func describeFormats(offered map[uint32]string) string {
	parts := make([]string, 0, len(offered))
	for code, desc := range offered {
		parts = append(parts, fmt.Sprintf("%s (%s)", formatName(code), desc))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// String returns the device path.
func (c *Camera) String() string {
	return c.path
}

// Next waits for the next frame and returns the newest one the driver has.
// See the package documentation for the errors it returns.
func (c *Camera) Next(ctx context.Context) (camera.Frame, error) {
	if c.closed {
		return camera.Frame{}, fmt.Errorf("v4l2: %s: Next called after Close", c.path)
	}
	if c.disconnectErr != nil {
		return camera.Frame{}, c.disconnectErr
	}

	data, skipped, captured, err := c.receive(ctx)
	if err != nil {
		if errors.Is(err, camera.ErrDisconnected) {
			c.disconnectErr = err
		}
		return camera.Frame{}, err
	}

	c.seq += uint64(skipped) + 1

	img, err := decodeFrame(c.layout, data)
	if err != nil {
		return camera.Frame{}, corruptFrameError(c.path, c.seq, err)
	}

	return camera.Frame{
		Image: img,
		Seq:   c.seq,
		Time:  captured,
		Name:  fmt.Sprintf("%s#%d", c.path, c.seq),
	}, nil
}

// receive waits for a filled buffer, skips to the newest one that is
// ready, and returns a copy of its bytes, the number of frames skipped and
// the time of dequeue.
func (c *Camera) receive(ctx context.Context) ([]byte, int, time.Time, error) {
	deadline := c.now().Add(c.timeout)

	for {
		if err := ctx.Err(); err != nil {
			return nil, 0, time.Time{}, err
		}
		if !c.now().Before(deadline) {
			return nil, 0, time.Time{}, fmt.Errorf("v4l2: %s: no frame within %v: %w", c.path, c.timeout, camera.ErrTimeout)
		}

		err := c.dev.wait(waitStep)
		if errors.Is(err, errWaitTimeout) || (err != nil && isRetry(err)) {
			continue
		}
		if err != nil {
			return nil, 0, time.Time{}, classifyStreamError(c.path, "wait for frame", err)
		}

		data, index, err := c.dev.dequeue()
		if err != nil && isRetry(err) {
			continue
		}
		if err != nil {
			return nil, 0, time.Time{}, classifyStreamError(c.path, "dequeue buffer", err)
		}

		return c.keepNewest(data, index)
	}
}

// keepNewest dequeues every other frame that is already waiting, gives
// the older buffers back to the driver, and returns a copy of the newest
// frame with the number of frames skipped and the time of dequeue.
func (c *Camera) keepNewest(data []byte, index uint32) ([]byte, int, time.Time, error) {
	skipped := 0
	for skipped < maxDrain {
		newer, newerIndex, err := c.dev.dequeue()
		if err != nil && isRetry(err) {
			break
		}
		if err != nil {
			_ = c.dev.enqueue(index)
			return nil, 0, time.Time{}, classifyStreamError(c.path, "dequeue buffer", err)
		}

		if err := c.dev.enqueue(index); err != nil {
			_ = c.dev.enqueue(newerIndex)
			return nil, 0, time.Time{}, classifyStreamError(c.path, "queue buffer", err)
		}
		data, index = newer, newerIndex
		skipped++
	}

	// NOTE: this is the dequeue time, not the driver's capture timestamp,
	// which webcam v0.6.1 does not expose. It trails the exposure by the
	// USB transfer time and up to one frame interval, which the reject
	// delay calibration has to absorb.
	captured := c.now()

	frame := bytes.Clone(data)
	if err := c.dev.enqueue(index); err != nil {
		return nil, 0, time.Time{}, classifyStreamError(c.path, "queue buffer", err)
	}
	return frame, skipped, captured, nil
}

// Close stops streaming and closes the device. Calling it again does
// nothing.
func (c *Camera) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true

	if err := c.dev.close(); err != nil && !isGone(err) {
		return fmt.Errorf("v4l2: %s: close: %w", c.path, err)
	}
	return nil
}
