package camera

import (
	"context"
	"errors"
	"image"
	"time"
)

// Frame is one captured image.
type Frame struct {
	// Image is the decoded frame. The source does not reuse it after Next
	// returns, so the caller may keep it.
	Image image.Image

	// Seq is the source's frame counter, starting at 1 and increasing by one
	// per delivered frame. A gap means the source dropped frames.
	Seq uint64

	// Time is when the frame was captured (or read, for replay sources).
	Time time.Time

	// Name identifies the frame in logs: a file name for replay sources,
	// "<device>#<seq>" for cameras.
	Name string
}

// Source delivers frames one at a time. Implementations are not safe for
// concurrent use.
type Source interface {
	// Next blocks until a new frame is available, ctx is done, or the
	// source's own frame timeout passes. It never returns the same frame
	// twice. Errors wrap ErrTimeout, ErrCorruptFrame, ErrDisconnected or
	// io.EOF (a finite source ran out). With ErrCorruptFrame a source may
	// also return the frame's Seq, Time and Name, with a nil Image, so the
	// fault can name the part.
	Next(ctx context.Context) (Frame, error)

	// Close releases the device or files.
	Close() error

	// String names the source for logs (device path or folder).
	String() string
}

// Sentinel errors for the fault classes that the line-side loop treats
// differently. Test them with errors.Is.
var (
	// ErrTimeout means no frame arrived within the configured timeout.
	ErrTimeout = errors.New("frame timed out")

	// ErrCorruptFrame means a frame arrived but could not be decoded.
	ErrCorruptFrame = errors.New("corrupt frame")

	// ErrDisconnected means the device went away; reopen it to continue.
	ErrDisconnected = errors.New("camera disconnected")
)
