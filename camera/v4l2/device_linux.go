//go:build linux

package v4l2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"unsafe"

	"github.com/blackjack/webcam"
	"github.com/blackjack/webcam/ioctl"
	"golang.org/x/sys/unix"
)

// bufferCount is the number of driver buffers requested. Few buffers keep
// the frames fresh, and Next skips to the newest ready one anyway.
const bufferCount = 4

// maxListedSizes bounds the frame sizes listed in an error message.
const maxListedSizes = 12

// webcamDevice implements device with github.com/blackjack/webcam.
type webcamDevice struct {
	cam  *webcam.Webcam
	path string
}

// openDevice opens the device node and checks that it is a single-planar
// capture device with streaming I/O.
func openDevice(path string) (device, error) {
	cam, err := webcam.Open(path)
	if err != nil {
		return nil, describeOpenError(path, err)
	}

	if err := cam.SetBufferCount(bufferCount); err != nil {
		_ = cam.Close()
		return nil, fmt.Errorf("v4l2: %s: set buffer count: %w", path, err)
	}
	return &webcamDevice{cam: cam, path: path}, nil
}

func (d *webcamDevice) formats() map[uint32]string {
	offered := map[uint32]string{}
	for code, desc := range d.cam.GetSupportedFormats() {
		offered[uint32(code)] = desc
	}
	return offered
}

func (d *webcamDevice) frameSizes(fourcc uint32) []string {
	var sizes []string
	for _, s := range d.cam.GetSupportedFrameSizes(webcam.PixelFormat(fourcc)) {
		if len(sizes) == maxListedSizes {
			sizes = append(sizes, "...")
			break
		}
		sizes = append(sizes, s.GetString())
	}
	return sizes
}

// setFormat sets the format with VIDIOC_S_FMT through webcam, then reads
// it back with VIDIOC_G_FMT because webcam v0.6.1 returns the requested
// size in place of the granted one.
func (d *webcamDevice) setFormat(fourcc uint32, width, height int) (frameLayout, bool, error) {
	code, _, _, err := d.cam.SetImageFormat(webcam.PixelFormat(fourcc), uint32(width), uint32(height))
	if err != nil {
		return frameLayout{}, false, err
	}

	layout, err := queryFormat(d.path)
	if err != nil {
		slog.Debug("v4l2 VIDIOC_G_FMT failed", "device", d.path, "err", err)
		return frameLayout{fourcc: uint32(code)}, false, nil
	}
	return layout, true, nil
}

func (d *webcamDevice) start() error {
	return d.cam.StartStreaming()
}

func (d *webcamDevice) wait(seconds uint32) error {
	err := d.cam.WaitForFrame(seconds)

	var timeout *webcam.Timeout
	if errors.As(err, &timeout) {
		return errWaitTimeout
	}
	return err
}

func (d *webcamDevice) dequeue() ([]byte, uint32, error) {
	return d.cam.GetFrame()
}

func (d *webcamDevice) enqueue(index uint32) error {
	return d.cam.ReleaseFrame(index)
}

func (d *webcamDevice) close() error {
	return d.cam.Close()
}

// v4l2Format mirrors struct v4l2_format of linux/videodev2.h: a buffer
// type followed by a 200-byte union that the kernel aligns to pointer
// size. The trailing uintptr gives the Go struct that alignment without
// holding a pointer that the garbage collector would scan.
type v4l2Format struct {
	bufType uint32
	fmt     struct {
		raw [200 - unsafe.Sizeof(uintptr(0))]byte
		_   uintptr
	}
}

// Constants from linux/videodev2.h.
const (
	bufTypeVideoCapture = 1
	ioctlGetFormatNr    = 4 // VIDIOC_G_FMT = _IOWR('V', 4, struct v4l2_format)
)

// queryFormat reads the current capture format of the device with
// VIDIOC_G_FMT on a separate file descriptor. V4L2 lets any open file
// descriptor query the format while another one streams.
func queryFormat(path string) (frameLayout, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return frameLayout{}, err
	}
	defer unix.Close(fd)

	format := v4l2Format{bufType: bufTypeVideoCapture}
	request := ioctl.IoRW(uintptr('V'), ioctlGetFormatNr, unsafe.Sizeof(format))
	if err := ioctl.Ioctl(uintptr(fd), request, uintptr(unsafe.Pointer(&format))); err != nil {
		return frameLayout{}, err
	}

	// struct v4l2_pix_format starts with width, height, pixelformat, field
	// and bytesperline, each a __u32 in native byte order.
	raw := format.fmt.raw[:]
	return frameLayout{
		width:        int(binary.NativeEndian.Uint32(raw[0:4])),
		height:       int(binary.NativeEndian.Uint32(raw[4:8])),
		fourcc:       binary.NativeEndian.Uint32(raw[8:12]),
		bytesPerLine: int(binary.NativeEndian.Uint32(raw[16:20])),
	}, nil
}
