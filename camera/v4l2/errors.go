package v4l2

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"edgeae/camera"
)

// errWaitTimeout is the error a device returns when no frame arrived within
// one wait call. Next turns it into camera.ErrTimeout once Config.Timeout has
// passed.
var errWaitTimeout = errors.New("no frame ready")

// errNeedsLinux is returned by Open on other operating systems.
var errNeedsLinux = errors.New("V4L2 needs Linux: on this OS replay an image folder instead (camera kind \"folder\")")

// isRetry reports errors after which the same call can simply be repeated:
// no buffer was ready yet (EAGAIN) or a signal interrupted the call (EINTR).
func isRetry(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR)
}

// isGone reports errors that mean the device node or the device behind it
// no longer exists: ENODEV and ENXIO after a USB unplug, EIO from a device
// that stopped responding, and ENOENT when the device node was removed.
func isGone(err error) bool {
	return errors.Is(err, syscall.ENODEV) ||
		errors.Is(err, syscall.ENXIO) ||
		errors.Is(err, syscall.EIO) ||
		errors.Is(err, fs.ErrNotExist)
}

// classifyStreamError wraps an error from waiting for, dequeuing or
// queuing a buffer: camera.ErrDisconnected when the device is gone, the
// error with the device and operation prefixed otherwise.
func classifyStreamError(device, op string, err error) error {
	if isGone(err) {
		return fmt.Errorf("v4l2: %s: %s: %w (%w): close the camera and open it again", device, op, camera.ErrDisconnected, err)
	}
	return fmt.Errorf("v4l2: %s: %s: %w", device, op, err)
}

// corruptFrameError wraps a frame decoding error with camera.ErrCorruptFrame,
// the device and the frame's sequence number.
func corruptFrameError(device string, seq uint64, err error) error {
	return fmt.Errorf("v4l2: %s: frame %d: %w: %w", device, seq, camera.ErrCorruptFrame, err)
}

// describeOpenError explains why opening the device node failed and what
// to do about it. The messages of webcam v0.6.1 for devices without
// single-planar capture or streaming support are matched by text because
// the library returns them as plain strings.
func describeOpenError(device string, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("v4l2: %s: device not found: check the path, and list the cameras with 'v4l2-ctl --list-devices': %w", device, err)
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EPERM):
		return fmt.Errorf("v4l2: %s: permission denied: add the user to the video group (sudo usermod -aG video $USER, then log in again): %w", device, err)
	case errors.Is(err, syscall.EBUSY):
		return fmt.Errorf("v4l2: %s: device busy: another program is using the camera, stop it: %w", device, err)
	case errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.ENXIO):
		return fmt.Errorf("v4l2: %s: %w (%w): check the USB cable", device, camera.ErrDisconnected, err)
	case strings.Contains(msg, "Not a video capture device"):
		return fmt.Errorf("v4l2: %s: not a single-planar video capture device: multi-planar devices such as Raspberry Pi CSI cameras under libcamera are not supported, use a USB UVC camera, and pick the capture node from 'v4l2-ctl --list-devices': %w", device, err)
	case strings.Contains(msg, "streaming I/O"):
		return fmt.Errorf("v4l2: %s: the device does not support streaming I/O, use a USB UVC camera: %w", device, err)
	}
	return fmt.Errorf("v4l2: %s: open failed: %w", device, err)
}
