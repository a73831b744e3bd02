package v4l2

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"edgeae/camera"
)

func TestClassifyStreamError(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		disconnected bool
	}{
		{"ENODEV", syscall.ENODEV, true},
		{"ENXIO", syscall.ENXIO, true},
		{"EIO", syscall.EIO, true},
		{"node removed", &os.PathError{Op: "open", Path: "/dev/video0", Err: syscall.ENOENT}, true},
		{"EINVAL", syscall.EINVAL, false},
		{"plain error", errors.New("odd driver state"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classifyStreamError("/dev/video0", "dequeue buffer", tt.err)

			if got := errors.Is(err, camera.ErrDisconnected); got != tt.disconnected {
				t.Errorf("errors.Is(ErrDisconnected) = %v, want %v (%v)", got, tt.disconnected, err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("cause %v not wrapped in %v", tt.err, err)
			}
			if !strings.HasPrefix(err.Error(), "v4l2: /dev/video0: dequeue buffer: ") {
				t.Errorf("error %q lacks the package, device and operation prefix", err)
			}
		})
	}
}

func TestIsRetry(t *testing.T) {
	if !isRetry(syscall.EAGAIN) || !isRetry(syscall.EINTR) {
		t.Errorf("EAGAIN and EINTR must be retried")
	}
	if isRetry(syscall.ENODEV) {
		t.Errorf("ENODEV must not be retried")
	}
}

func TestCorruptFrameError(t *testing.T) {
	err := corruptFrameError("/dev/video1", 42, errors.New("short"))

	if !errors.Is(err, camera.ErrCorruptFrame) {
		t.Errorf("%v does not wrap ErrCorruptFrame", err)
	}
	if !strings.Contains(err.Error(), "/dev/video1") || !strings.Contains(err.Error(), "frame 42") {
		t.Errorf("error %q does not name the device and sequence number", err)
	}
}

func TestDescribeOpenError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"missing node", &fs.PathError{Op: "open", Path: "/dev/video9", Err: syscall.ENOENT}, "device not found"},
		{"permission", syscall.EACCES, "video group"},
		{"EPERM", syscall.EPERM, "video group"},
		{"busy", syscall.EBUSY, "another program"},
		{"unplugged", syscall.ENODEV, "camera disconnected"},
		{"multi-planar", errors.New("Not a video capture device"), "multi-planar"},
		{"no streaming", errors.New("Device does not support the streaming I/O method"), "streaming I/O"},
		{"other", syscall.EINVAL, "open failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := describeOpenError("/dev/video9", tt.err)

			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "v4l2: /dev/video9: ") {
				t.Errorf("error %q does not start with the package and device", err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("cause not wrapped in %v", err)
			}
		})
	}
}
