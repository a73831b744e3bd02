package v4l2

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"edgeae/camera"
)

// fakeDevice is a scripted device. Frames in ready are dequeued in order;
// when ready is empty, wait advances the fake clock by the requested
// seconds and reports errWaitTimeout.
type fakeDevice struct {
	offered   map[uint32]string
	granted   frameLayout
	sizeKnown bool
	sizes     []string
	setErr    error
	startErr  error

	ready      [][]byte
	waitErrs   []error
	dequeueErr error
	eagains    int

	clock    *time.Time
	waits    int
	queued   map[uint32]bool
	next     uint32
	enqueues int
	closes   int
}

func (d *fakeDevice) formats() map[uint32]string        { return d.offered }
func (d *fakeDevice) frameSizes(fourcc uint32) []string { return d.sizes }
func (d *fakeDevice) start() error                      { return d.startErr }

func (d *fakeDevice) setFormat(fourcc uint32, width, height int) (frameLayout, bool, error) {
	return d.granted, d.sizeKnown, d.setErr
}

func (d *fakeDevice) wait(seconds uint32) error {
	d.waits++
	if len(d.waitErrs) > 0 {
		err := d.waitErrs[0]
		d.waitErrs = d.waitErrs[1:]
		return err
	}
	if len(d.ready) > 0 || d.dequeueErr != nil || d.eagains > 0 {
		return nil
	}
	*d.clock = d.clock.Add(time.Duration(seconds) * time.Second)
	return errWaitTimeout
}

func (d *fakeDevice) dequeue() ([]byte, uint32, error) {
	if d.eagains > 0 {
		d.eagains--
		return nil, 0, syscall.EAGAIN
	}
	if d.dequeueErr != nil {
		return nil, 0, d.dequeueErr
	}
	if len(d.ready) == 0 {
		return nil, 0, syscall.EAGAIN
	}

	data := d.ready[0]
	d.ready = d.ready[1:]
	index := d.next
	d.next++
	if d.queued == nil {
		d.queued = map[uint32]bool{}
	}
	d.queued[index] = false
	return data, index, nil
}

func (d *fakeDevice) enqueue(index uint32) error {
	d.enqueues++
	d.queued[index] = true
	return nil
}

func (d *fakeDevice) close() error {
	d.closes++
	return nil
}

// outstanding counts dequeued buffers not yet given back.
func (d *fakeDevice) outstanding() int {
	n := 0
	for _, back := range d.queued {
		if !back {
			n++
		}
	}
	return n
}

// greyDevice returns a fake device that grants 4x2 GREY frames, and a
// camera streaming from it with a fake clock and a 2 s timeout.
func greyDevice(t *testing.T) (*fakeDevice, *Camera) {
	t.Helper()

	clock := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	dev := &fakeDevice{
		offered:   map[uint32]string{fourCCGrey: "8-bit Greyscale"},
		granted:   frameLayout{fourcc: fourCCGrey, width: 4, height: 2, bytesPerLine: 4},
		sizeKnown: true,
		clock:     &clock,
	}
	req := request{device: "/dev/video0", width: 4, height: 2, fourcc: fourCCGrey, timeout: 2 * time.Second}

	cam, err := newCamera(dev, req)
	if err != nil {
		t.Fatalf("newCamera: %v", err)
	}
	cam.now = func() time.Time { return *dev.clock }
	return dev, cam
}

// greyFrame returns an 8-byte 4x2 GREY frame filled with v.
func greyFrame(v byte) []byte {
	return []byte{v, v, v, v, v, v, v, v}
}

func TestNextDeliversFrame(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.ready = [][]byte{greyFrame(7)}

	frame, err := cam.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}

	gray, ok := frame.Image.(*image.Gray)
	if !ok {
		t.Fatalf("image is %T, want *image.Gray", frame.Image)
	}
	if gray.Pix[0] != 7 || gray.Bounds().Dx() != 4 || gray.Bounds().Dy() != 2 {
		t.Errorf("image = %v %v, want 4x2 filled with 7", gray.Bounds(), gray.Pix)
	}
	if frame.Seq != 1 {
		t.Errorf("Seq = %d, want 1", frame.Seq)
	}
	if frame.Name != "/dev/video0#1" {
		t.Errorf("Name = %q, want /dev/video0#1", frame.Name)
	}
	if !frame.Time.Equal(*dev.clock) {
		t.Errorf("Time = %v, want the clock %v", frame.Time, *dev.clock)
	}
	if dev.outstanding() != 0 {
		t.Errorf("%d buffers not given back to the driver", dev.outstanding())
	}
}

func TestNextKeepsNewestFrame(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.ready = [][]byte{greyFrame(1), greyFrame(2), greyFrame(3)}

	frame, err := cam.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}

	if got := frame.Image.(*image.Gray).Pix[0]; got != 3 {
		t.Errorf("frame value = %d, want the newest (3)", got)
	}
	if frame.Seq != 3 {
		t.Errorf("Seq = %d, want 3 (two skipped frames leave a gap)", frame.Seq)
	}
	if dev.outstanding() != 0 {
		t.Errorf("%d buffers not given back to the driver", dev.outstanding())
	}
}

func TestNextTimesOut(t *testing.T) {
	dev, cam := greyDevice(t)
	start := *dev.clock

	_, err := cam.Next(context.Background())
	if !errors.Is(err, camera.ErrTimeout) {
		t.Fatalf("Next error = %v, want ErrTimeout", err)
	}

	if waited := dev.clock.Sub(start); waited != 2*time.Second {
		t.Errorf("waited %v of fake time, want the 2 s timeout", waited)
	}
	if dev.waits != 2 {
		t.Errorf("wait called %d times, want 2 one-second steps", dev.waits)
	}
}

func TestNextRetriesSpuriousWakeups(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.waitErrs = []error{syscall.EINTR}
	dev.eagains = 2
	dev.ready = [][]byte{greyFrame(5)}

	frame, err := cam.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if frame.Seq != 1 {
		t.Errorf("Seq = %d, want 1", frame.Seq)
	}
}

func TestNextDisconnectIsPermanent(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.dequeueErr = syscall.ENODEV

	_, err := cam.Next(context.Background())
	if !errors.Is(err, camera.ErrDisconnected) {
		t.Fatalf("Next error = %v, want ErrDisconnected", err)
	}

	dev.dequeueErr = nil
	dev.ready = [][]byte{greyFrame(1)}
	if _, err := cam.Next(context.Background()); !errors.Is(err, camera.ErrDisconnected) {
		t.Errorf("second Next error = %v, want ErrDisconnected again", err)
	}
}

func TestNextWaitDisconnect(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.waitErrs = []error{syscall.EIO}

	_, err := cam.Next(context.Background())
	if !errors.Is(err, camera.ErrDisconnected) {
		t.Errorf("Next error = %v, want ErrDisconnected", err)
	}
}

func TestNextCorruptFrame(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.ready = [][]byte{{1, 2, 3}}

	_, err := cam.Next(context.Background())
	if !errors.Is(err, camera.ErrCorruptFrame) {
		t.Fatalf("Next error = %v, want ErrCorruptFrame", err)
	}
	if !strings.Contains(err.Error(), "frame 1") {
		t.Errorf("error %q does not name the frame", err)
	}

	dev.ready = [][]byte{greyFrame(9)}
	frame, err := cam.Next(context.Background())
	if err != nil {
		t.Fatalf("Next after a corrupt frame: %v", err)
	}
	if frame.Seq != 2 {
		t.Errorf("Seq = %d, want 2 after one corrupt frame", frame.Seq)
	}
}

func TestNextHonorsContext(t *testing.T) {
	dev, cam := greyDevice(t)
	dev.ready = [][]byte{greyFrame(1)}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := cam.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next error = %v, want context.Canceled", err)
	}
	if dev.waits != 0 {
		t.Errorf("Next waited %d times on a cancelled context", dev.waits)
	}
}

func TestCloseTwice(t *testing.T) {
	dev, cam := greyDevice(t)

	if err := cam.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := cam.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if dev.closes != 1 {
		t.Errorf("device closed %d times, want 1", dev.closes)
	}
	if _, err := cam.Next(context.Background()); err == nil {
		t.Errorf("Next after Close succeeded")
	}
}

func TestNegotiate(t *testing.T) {
	req := request{device: "/dev/video0", width: 640, height: 480, fourcc: fourCCMJPEG, timeout: time.Second}

	tests := []struct {
		name    string
		dev     fakeDevice
		wantErr string
		want    frameLayout
	}{
		{
			name: "granted as requested",
			dev: fakeDevice{
				offered:   map[uint32]string{fourCCMJPEG: "Motion-JPEG"},
				granted:   frameLayout{fourcc: fourCCMJPEG, width: 640, height: 480, bytesPerLine: 0},
				sizeKnown: true,
			},
			want: frameLayout{fourcc: fourCCMJPEG, width: 640, height: 480},
		},
		{
			name: "format not offered",
			dev: fakeDevice{
				offered: map[uint32]string{fourCCYUYV: "YUYV 4:2:2", fourCCGrey: "Greyscale"},
			},
			wantErr: "does not offer pixel format MJPEG: it offers GREY (Greyscale), YUYV (YUYV 4:2:2)",
		},
		{
			name: "other size granted",
			dev: fakeDevice{
				granted:   frameLayout{fourcc: fourCCMJPEG, width: 1280, height: 720},
				sizeKnown: true,
				sizes:     []string{"1280x720", "1920x1080"},
			},
			wantErr: "requested 640x480 but the driver granted 1280x720 for MJPEG: set width and height to an offered size (1280x720, 1920x1080)",
		},
		{
			name: "undecodable format granted",
			dev: fakeDevice{
				granted:   frameLayout{fourcc: fourCC("H264"), width: 640, height: 480},
				sizeKnown: true,
			},
			wantErr: "granted pixel format H264",
		},
		{
			name: "other decodable format granted",
			dev: fakeDevice{
				granted:   frameLayout{fourcc: fourCCYUYV, width: 640, height: 480, bytesPerLine: 1280},
				sizeKnown: true,
			},
			want: frameLayout{fourcc: fourCCYUYV, width: 640, height: 480, bytesPerLine: 1280},
		},
		{
			name: "JPEG code for MJPEG",
			dev: fakeDevice{
				granted:   frameLayout{fourcc: fourCCJPEG, width: 640, height: 480, bytesPerLine: 640},
				sizeKnown: true,
			},
			want: frameLayout{fourcc: fourCCJPEG, width: 640, height: 480},
		},
		{
			name: "size unknown",
			dev: fakeDevice{
				granted: frameLayout{fourcc: fourCCMJPEG},
			},
			want: frameLayout{fourcc: fourCCMJPEG, width: 640, height: 480},
		},
		{
			name: "set format fails",
			dev: fakeDevice{
				setErr: syscall.EINVAL,
			},
			wantErr: "set format MJPEG 640x480 failed",
		},
		{
			name: "unplugged during set format",
			dev: fakeDevice{
				setErr: syscall.ENODEV,
			},
			wantErr: "camera disconnected",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := negotiate(&tt.dev, req)

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "/dev/video0") {
					t.Errorf("error %q does not name the device", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("negotiate: %v", err)
			}
			if got != tt.want {
				t.Errorf("layout = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckGrantedRejectsShortLines(t *testing.T) {
	req := request{device: "/dev/video0", width: 640, height: 480, fourcc: fourCCYUYV}
	got := frameLayout{fourcc: fourCCYUYV, width: 640, height: 480, bytesPerLine: 640}

	if _, err := checkGranted(req, got, true, func(uint32) []string { return nil }); err == nil {
		t.Errorf("YUYV with 640 bytes per line for 640 pixels accepted")
	}
}

func TestNewCameraStartFailure(t *testing.T) {
	dev := &fakeDevice{
		granted:   frameLayout{fourcc: fourCCGrey, width: 4, height: 2},
		sizeKnown: true,
		startErr:  syscall.EBUSY,
	}
	req := request{device: "/dev/video0", width: 4, height: 2, fourcc: fourCCGrey, timeout: time.Second}

	_, err := newCamera(dev, req)
	if err == nil || !strings.Contains(err.Error(), "start streaming failed") {
		t.Errorf("error = %v, want a start streaming failure", err)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "video0")

	_, err := Open(Config{Device: path, Width: 640, Height: 480, Format: "MJPEG"})
	if err == nil {
		t.Fatalf("Open of a missing device succeeded")
	}

	want := "device not found"
	if runtime.GOOS != "linux" {
		want = "V4L2 needs Linux"
	}
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the device and %q", err, want)
	}
}

func TestOpenNotAVideoDevice(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("V4L2 exists only on Linux")
	}

	// /dev/null opens, but VIDIOC_QUERYCAP on it fails with ENOTTY.
	_, err := Open(Config{Device: "/dev/null", Width: 640, Height: 480, Format: "GREY"})
	if err == nil || !strings.Contains(err.Error(), "/dev/null") {
		t.Errorf("error = %v, want one naming /dev/null", err)
	}
}

func TestRegisteredWithCameraOpen(t *testing.T) {
	_, err := camera.Open(camera.Config{Kind: "v4l2", V4L2: Config{Device: "", Width: 1, Height: 1, Format: "GREY"}})
	if err == nil || !strings.Contains(err.Error(), "device is empty") {
		t.Errorf("camera.Open error = %v, want the v4l2 config error", err)
	}
}
