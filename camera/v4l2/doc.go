// Package v4l2 reads frames from a USB UVC camera through Video4Linux2,
// using github.com/blackjack/webcam v0.6.1 for the device calls.
//
// # Supported devices
//
// The library drives single-planar video capture devices with memory-mapped
// streaming, which covers USB UVC cameras on a Raspberry Pi or a Jetson.
// Multi-planar devices are not supported by the library, and Raspberry Pi
// CSI cameras under libcamera are such devices, so use a USB UVC camera.
// Opening a multi-planar device fails with an error that explains this. The
// package builds on every OS so that the rest of edgeae does, but Open
// returns an error on any OS other than Linux.
//
// # Formats
//
// Config.Format picks the pixel format requested from the driver:
//
//	GREY   8-bit luma, delivered as *image.Gray.
//	YUYV   packed 4:2:2, delivered as *image.Gray built from the Y samples
//	       only. The chroma samples are dropped.
//	MJPEG  motion JPEG, decoded with image/jpeg, delivered as *image.Gray or
//	       *image.YCbCr as the stream encodes it.
//
// Many UVC cameras send MJPEG frames without a DHT (Huffman table) segment
// and rely on the default tables of ITU-T T.81 Annex K.3. InsertHuffmanTables
// adds those tables before decoding.
//
// After setting the format, Open reads the format back from the driver and
// fails, naming the device, when the granted frame size differs from the
// request or the granted pixel format is not one of the three above. A
// granted format that differs from the request but is decodable is used,
// with a warning in the log. webcam v0.6.1 reports the requested size
// instead of the granted one, so Open queries the size with VIDIOC_G_FMT on
// a second file descriptor of the same device.
//
// # Frames and timing
//
// Open requests 4 driver buffers. Next waits for a frame, then dequeues
// every frame that is already waiting and keeps only the newest one, so a
// slow consumer always inspects the freshest image. Each skipped frame still
// takes a sequence number, which leaves a gap in Frame.Seq. The frame is
// copied out of the driver buffer before the buffer is queued again.
//
// Frame.Time is the time of dequeue. webcam v0.6.1 does not expose the
// driver's capture timestamp, so Frame.Time is later than the exposure by
// the USB transfer time and by up to one frame interval.
//
// webcam v0.6.1 waits for frames in whole seconds. Next therefore polls in
// one-second steps: it notices a cancelled context within one second, and
// Config.Timeout is rounded up to whole seconds.
//
// # Errors
//
// Next returns errors that wrap the camera sentinels:
//
//	camera.ErrTimeout        no frame within the timeout
//	camera.ErrCorruptFrame   a frame too short for its format, or an MJPEG
//	                         frame that does not decode to the granted size
//	camera.ErrDisconnected   the device went away (ENODEV, ENXIO, EIO, or
//	                         the device node was removed)
//
// After ErrDisconnected every later Next call returns it again, so the
// caller closes the camera and opens it anew.
package v4l2
