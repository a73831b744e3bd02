// Package camera defines the frame source contract of the line-side loop
// and opens the configured source.
//
// A Source delivers one decoded frame per Next call. Three implementations
// exist, each in its own package:
//
//   - camera/v4l2 reads a USB UVC camera through Video4Linux2 (Linux only).
//   - camera/folder replays an image folder, for bench runs and tests with
//     real photos.
//   - camera/cameratest plays a scripted sequence of frames, faults and
//     delays, for tests of the loop.
//
// Faults come back as errors that wrap one of the sentinels ErrTimeout,
// ErrCorruptFrame and ErrDisconnected, or io.EOF from a finite source, so
// the loop can tell a late frame from a bad frame from a lost device:
//
//	frame, err := src.Next(ctx)
//	switch {
//	case errors.Is(err, camera.ErrCorruptFrame): // count it, keep going
//	case errors.Is(err, camera.ErrTimeout):      // the line may have stopped
//	case errors.Is(err, camera.ErrDisconnected): // Close, then reopen with backoff
//	}
//
// Open builds a source from a Config whose Kind selects the implementation.
// The implementations register themselves when their package is imported,
// the way image decoders do, so a program imports the ones it supports:
//
//	import (
//		_ "edgeae/camera/folder"
//		_ "edgeae/camera/v4l2"
//	)
//
// Sources are not safe for concurrent use. To stop a blocked Next, cancel
// its context, and call Close only after Next has returned.
package camera
