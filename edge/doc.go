// Package edge is the line-side runtime of edgeae: it takes frames from a
// camera, scores each with the detector, decides PASS or REJECT, drives the
// reject actuator and the status LED, and writes one serial log line per
// part.
//
// # Frame loop
//
// Loop.Run is one goroutine that repeats capture -> inspect -> decide ->
// actuate -> log. Each frame from camera.Source.Next is one part. The loop
// never scores a frame twice: frame sequence numbers must strictly increase
// within one opened source, and a repeated or older number is a stale-frame
// fault. A gap in the numbers means the source dropped frames. The loop counts
// the gap in Counters.FramesDropped and logs a warning, but it cannot act on
// parts it never saw.
//
// # Fail-safe
//
// No part passes unless its frame was scored and the score is at or below
// the threshold. Everything else is a fault, counted by class in
// FaultCounts and logged with the error and the frame id:
//
//   - timeout: no frame within camera.timeout_ms
//   - corrupt: the frame could not be decoded
//   - disconnected: the camera went away (any capture error that is not a
//     timeout, a corrupt frame or io.EOF counts as a disconnect)
//   - no_part: pose alignment found no part, two parts or a part touching
//     the border (pose.ErrNoPart, pose.ErrMultipleParts,
//     pose.ErrTouchesBorder)
//   - inspect_error: any other detector error, including a panic inside the
//     detector and an ROI outside the frame
//   - nan: the score or threshold is NaN or infinite, or the detector
//     returned inspect.ErrNotFinite
//   - stale: the frame sequence number did not increase
//
// With fault.action = "reject" (the default) a fault fires a reject pulse,
// exactly as a defective part would, and the LED shows the fault pattern until
// the next frame is scored. With fault.action = "stop" the loop fires the
// same pulse and then returns an error, so the service stops and the line
// needs an operator.
//
// After a disconnect the loop closes the source and reopens it through the
// factory in Options.Open, waiting reconnect.initial_ms before the first
// attempt and doubling the wait up to reconnect.max_ms. While the camera is
// gone nothing is scored and the LED shows the fault pattern. Parts that
// pass the camera during that time are not seen at all, so wire the line
// interlock to the fault LED or to the service state when that matters.
// io.EOF from a finite source (a folder replay) ends the run without error.
//
// On context cancel (SIGINT or SIGTERM in the binary) the loop finishes the
// frame in hand and waits until every scheduled reject pulse has fired.
// Then it releases the reject line, which leaves it inactive, turns the
// LED off and logs a final summary.
//
// # Reject timing
//
// The part reaches the ejector some time after the camera captured it. The
// reject pulse of a defective or faulted part starts at the frame's capture
// time plus reject.delay_ms and lasts reject.pulse_ms. A fault without a
// frame uses the time of the fault. Scheduling only queues the pulse, and a
// gpio.Reject fires it from its own goroutine. Pulses that overlap merge
// into one longer pulse. A pulse whose start has passed by at most one
// pulse width fires at once and counts in Counters.LateRejects. A later one
// is not fired, because it would hit the next part. The loop counts it in
// Counters.MissedRejects and logs an error, since that part passed
// unrejected.
//
// # Status LED
//
// A gpio.LED shows the state:
//
//   - starting: slow blink (gpio.StartingBlinkPeriod) until the first frame
//     is scored
//   - running: steady on
//   - reject: dark for gpio.RejectFlashWidth, then steady again
//   - fault: fast blink (gpio.FaultBlinkPeriod) until the next frame is
//     scored, also while the camera is disconnected
//   - off: after shutdown, when the line is released
//
// # Serial log
//
// Each part produces exactly one line on the serial writer (a serial port,
// or standard output when serial.port is empty):
//
//	2026-01-02T15:04:05.123+01:00 seq=12 name=000.png score=0.00451 threshold=0.0039 verdict=REJECT latency_ms=41.2
//
// Fields are separated by single spaces. The time is the capture time in
// RFC 3339 with milliseconds (the time of the fault when there is no
// frame). A missing sequence number, name or score is written as "-". A
// name that is empty or contains spaces, quotes or '=' is written as a Go
// quoted string. Fault lines end with an extra field fault=<class>.
// Latency is the time from the frame leaving the source to the verdict,
// including inspection. Summaries and other events go to log/slog, never to
// the serial writer.
//
// # Supervision
//
// With systemd.notify = true and NOTIFY_SOCKET set, the loop sends READY=1
// once the first frame is scored, WATCHDOG=1 from inside the frame loop (at
// most every half WATCHDOG_USEC) and STOPPING=1 at shutdown, so a stalled
// loop stops sending and systemd restarts the service. With
// watchdog.device set (usually /dev/watchdog), the loop writes one byte to
// the device per iteration and writes the magic 'V' before closing it when
// Run returns. Backoff waits are split into short steps that keep both
// watchdogs fed, but a single camera.timeout_ms must stay below the
// watchdog timeouts.
//
// # Heatmaps
//
// With heatmaps.dir set, each rejected frame is saved as two PNG files: the
// inspected frame (after the ROI crop) and the anomaly map in red over gray.
// When the inspector can draw its own heatmap, as inspect.Detector does over
// its preprocessed and aligned input at the model input size, the loop draws
// it before the next frame overwrites the detector's buffers. Otherwise
// Overlay draws the map over the frame. Encoding and writing run on a
// background worker. When it falls behind, frames are skipped and counted
// in Counters.HeatmapsDropped. The oldest saved files are deleted first
// when the folder's saved files exceed heatmaps.max_mb.
package edge
