//go:build linux

package v4l2

import (
	"testing"
	"unsafe"
)

func TestV4L2FormatSize(t *testing.T) {
	// sizeof(struct v4l2_format) is 208 on 64-bit and 204 on 32-bit Linux:
	// a 4-byte type, padding up to pointer alignment, and a 200-byte union.
	want := uintptr(204)
	if unsafe.Sizeof(uintptr(0)) == 8 {
		want = 208
	}

	if got := unsafe.Sizeof(v4l2Format{}); got != want {
		t.Errorf("sizeof(v4l2Format) = %d, want %d", got, want)
	}
	if got := unsafe.Offsetof(v4l2Format{}.fmt); got != unsafe.Sizeof(uintptr(0)) {
		t.Errorf("union offset = %d, want %d", got, unsafe.Sizeof(uintptr(0)))
	}
}

func TestQueryFormatOnNonVideoFile(t *testing.T) {
	if _, err := queryFormat("/dev/null"); err == nil {
		t.Errorf("VIDIOC_G_FMT on /dev/null succeeded")
	}
}
