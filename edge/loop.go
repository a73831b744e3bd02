package edge

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"edgeae/camera"
	"edgeae/gpio"
	"edgeae/inspect"
	"edgeae/preprocess/pose"
)

// Inspector scores one image. *inspect.Detector implements it. An error
// means the image could not be scored, and the loop treats it as a fault.
type Inspector interface {
	Inspect(img image.Image) (inspect.Result, error)
}

// heatmapRenderer is implemented by inspectors that can draw the anomaly
// map of their last result over their own preprocessed input, as
// *inspect.Detector does. The loop prefers it to Overlay, because it is in
// the model's aligned coordinates.
type heatmapRenderer interface {
	Heatmap(res inspect.Result) *image.RGBA
}

// Verdict is the decision for one part.
type Verdict string

// Verdicts written in the serial log.
const (
	VerdictPass   Verdict = "PASS"
	VerdictReject Verdict = "REJECT"
	VerdictFault  Verdict = "FAULT"
)

// FaultClass names the cause of a fault. The package doc lists them.
type FaultClass string

// Fault classes, as written in logs and in the serial fault= field.
const (
	FaultNone         FaultClass = ""
	FaultTimeout      FaultClass = "timeout"
	FaultCorrupt      FaultClass = "corrupt"
	FaultNoPart       FaultClass = "no_part"
	FaultNaN          FaultClass = "nan"
	FaultDisconnected FaultClass = "disconnected"
	FaultInspectError FaultClass = "inspect_error"
	FaultStale        FaultClass = "stale"
)

// Errors reported in Part.Err and wrapped by Run.
var (
	// ErrStaleFrame means a frame's sequence number did not increase.
	ErrStaleFrame = errors.New("stale frame: sequence number did not increase")

	// ErrNotFinite means the score or the threshold is NaN or infinite.
	ErrNotFinite = errors.New("score or threshold is not finite")

	// ErrFaultStop is wrapped by the error Run returns when
	// fault.action = "stop" ended the run.
	ErrFaultStop = errors.New("stopped by fault.action = stop")
)

// Part is the outcome for one part, as written to the serial log.
type Part struct {
	// Time is the capture time, or the time of the fault without a frame.
	Time time.Time

	// Seq and Name identify the frame. Both are zero without a frame.
	Seq  uint64
	Name string

	// Scored reports that the detector returned a score, which may still
	// be NaN (a FaultNaN fault).
	Scored    bool
	Score     float64
	Threshold float64

	Verdict Verdict

	// Fault and Err give the cause when Verdict is VerdictFault.
	Fault FaultClass
	Err   error

	// Latency runs from the frame leaving the source to the verdict.
	Latency time.Duration
}

// Options are the parts of a Loop that are not in Config: the camera,
// detector, lines and outputs.
type Options struct {
	// Open opens the camera. Run calls it once at start, where a failure
	// ends the run, and again with backoff after every disconnect.
	// Required.
	Open func(ctx context.Context) (camera.Source, error)

	// Inspector scores frames. Required.
	Inspector Inspector

	// RejectLine drives the reject actuator through a gpio.Reject. Run
	// releases it when it returns. Required.
	RejectLine gpio.Line

	// LEDLine drives the status LED through a gpio.LED, always on the wall
	// clock. Run releases it when it returns. nil means no LED.
	LEDLine gpio.Line

	// Serial receives one line per part. Nil means standard output.
	Serial io.Writer

	// Logger receives structured logs. Nil means slog.Default().
	Logger *slog.Logger

	// Clock is the loop's time source and RejectClock the reject
	// actuator's. nil means the wall clock, and a nil RejectClock uses
	// Clock. Frame capture times must come from the same clock as
	// RejectClock, because the pulse starts at capture time plus the delay.
	Clock       gpio.Clock
	RejectClock gpio.Clock

	// Notifier sends systemd notifications. When nil and
	// Config.Systemd.Notify is set, Run connects to $NOTIFY_SOCKET.
	Notifier *Notifier

	// OnPart, when set, is called on the loop goroutine after each part is
	// logged. It must return quickly.
	OnPart func(Part)
}

// Loop is the line-side frame loop. Create it with New and call Run once.
type Loop struct {
	cfg         Config
	open        func(ctx context.Context) (camera.Source, error)
	inspector   Inspector
	rejectLine  gpio.Line
	ledLine     gpio.Line
	serial      io.Writer
	log         *slog.Logger
	clock       gpio.Clock
	rejectClock gpio.Clock
	onPart      func(Part)
	roi         *image.Rectangle
	started     atomic.Bool

	// mu guards counters and the component pointers that Counters reads.
	mu       sync.Mutex
	counters Counters
	reject   *gpio.Reject
	heatmaps *HeatmapStore

	// The fields below belong to the Run goroutine.
	src           camera.Source
	led           *gpio.LED
	ledPattern    gpio.Pattern
	notifier      *Notifier
	watchdog      *Watchdog
	lastSeq       uint64
	haveSeq       bool
	unseenCorrupt uint64 // corrupt-frame errors since lastSeq that carried no Seq
	ready         bool
	line          []byte
	serialFailing bool
	watchdogFail  bool
	notifyFail    bool
	rejectErrSeen bool
	latencies     latencyWindow
	lastSummary   time.Time
}

// New validates cfg and opts and returns a loop ready to Run.
func New(cfg Config, opts Options) (*Loop, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}

	switch {
	case opts.Open == nil:
		return nil, errors.New("edge.New: Options.Open is nil: pass a camera factory")
	case opts.Inspector == nil:
		return nil, errors.New("edge.New: Options.Inspector is nil: pass the detector")
	case opts.RejectLine == nil:
		return nil, errors.New("edge.New: Options.RejectLine is nil: pass the reject line, or a simulated line without hardware")
	}

	l := &Loop{
		cfg:         cfg,
		open:        opts.Open,
		inspector:   opts.Inspector,
		rejectLine:  opts.RejectLine,
		ledLine:     opts.LEDLine,
		serial:      opts.Serial,
		log:         opts.Logger,
		clock:       opts.Clock,
		rejectClock: opts.RejectClock,
		notifier:    opts.Notifier,
		onPart:      opts.OnPart,
		line:        make([]byte, 0, 256),
	}
	if l.serial == nil {
		l.serial = os.Stdout
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	if l.clock == nil {
		l.clock = gpio.SystemClock()
	}
	if l.rejectClock == nil {
		l.rejectClock = l.clock
	}
	if r := cfg.ROI; r != nil {
		rect := image.Rect(r.X0, r.Y0, r.X1, r.Y1)
		l.roi = &rect
	}
	return l, nil
}

// Counters returns a snapshot of the counters. It is safe to call from any
// goroutine, during and after Run.
func (l *Loop) Counters() Counters {
	l.mu.Lock()
	defer l.mu.Unlock()

	c := l.counters
	if l.reject != nil {
		s := l.reject.Stats()
		c.Pulses = uint64(s.Activations)
		c.LateRejects = uint64(s.Late)
		c.RejectLineErrors = uint64(s.WriteErrors)
	}
	if l.heatmaps != nil {
		c.HeatmapsSaved = l.heatmaps.Saved()
		c.HeatmapsDropped = l.heatmaps.Dropped()
		c.HeatmapsFailed = l.heatmaps.Failed()
	}
	return c
}

// maxPendingRejects bounds the reject pulses waiting for their start. A
// pulse that does not fit is not fired, so the bound is far above what a
// line needs: 100 rejects per second with the longest reject.delay_ms of
// 60 s is 6000 pending pulses.
const maxPendingRejects = 8192

// errEndOfInput ends Run without error when a finite source runs out.
var errEndOfInput = errors.New("end of input")

// Run inspects frames until ctx is done, a finite source returns io.EOF, or
// a fault stops it under fault.action = "stop". It returns nil in the first
// two cases. Whatever the cause, every scheduled reject pulse fires before
// Run returns, and the reject and LED lines are released, which leaves
// them inactive.
func (l *Loop) Run(ctx context.Context) (err error) {
	if !l.started.CompareAndSwap(false, true) {
		return errors.New("edge: Loop.Run called twice: create a new Loop for each run")
	}

	l.log.Info("edge loop starting",
		"reject_line", l.rejectLine.String(), "reject_delay", l.cfg.Reject.Delay(),
		"reject_pulse", l.cfg.Reject.Pulse(), "fault_action", l.cfg.Fault.Action)

	defer func() { err = errors.Join(err, l.shutdown()) }()

	if err := l.startOutputs(); err != nil {
		return err
	}

	src, err := l.open(ctx)
	if err != nil {
		return fmt.Errorf("open camera: %w", err)
	}
	l.src = src
	l.log.Info("camera opened", "source", src.String())

	l.lastSummary = l.clock.Now()
	for ctx.Err() == nil {
		if err := l.step(ctx); err != nil {
			if errors.Is(err, errEndOfInput) {
				return nil
			}
			return err
		}
	}
	return nil
}

// startOutputs starts the reject actuator and the status LED, then opens
// the optional systemd notifier, hardware watchdog and heatmap store.
func (l *Loop) startOutputs() error {
	reject, err := gpio.NewReject(l.rejectLine, gpio.RejectConfig{
		DelayAfterCapture: l.cfg.Reject.Delay(),
		PulseWidth:        l.cfg.Reject.Pulse(),
		MaxPending:        maxPendingRejects,
		Clock:             l.rejectClock,
	})
	if err != nil {
		return fmt.Errorf("start reject actuator on reject.pin %s: %w", l.cfg.Reject.Pin, err)
	}
	l.mu.Lock()
	l.reject = reject
	l.mu.Unlock()

	if l.ledLine != nil {
		led, err := gpio.NewLED(l.ledLine, gpio.SystemClock())
		if err != nil {
			return fmt.Errorf("start status LED on led.pin %s: %w", l.cfg.LED.Pin, err)
		}
		l.led = led
	}
	l.showLED(gpio.Starting())

	if l.notifier == nil && l.cfg.Systemd.Notify {
		n, err := NotifierFromEnv()
		if err != nil {
			return err
		}
		l.notifier = n
	}

	if dev := l.cfg.Watchdog.Device; dev != "" {
		w, err := OpenWatchdog(dev)
		if err != nil {
			return err
		}
		l.watchdog = w
		l.log.Info("hardware watchdog armed", "device", dev)
	}

	if dir := l.cfg.Heatmaps.Dir; dir != "" {
		h, err := NewHeatmapStore(dir, l.cfg.Heatmaps.MaxMB, l.log)
		if err != nil {
			return err
		}
		l.mu.Lock()
		l.heatmaps = h
		l.mu.Unlock()
	}
	return nil
}

// shutdown closes the source, lets scheduled pulses fire, releases the
// lines and logs the final summary. It returns the errors that leave the
// line in a state the operator must know about.
func (l *Loop) shutdown() error {
	var errs []error

	if l.src != nil {
		if err := l.src.Close(); err != nil {
			l.log.Warn("close camera failed", "source", l.src.String(), "err", err)
		}
	}

	if l.reject != nil {
		if err := l.reject.Close(); err != nil {
			errs = append(errs, fmt.Errorf("release reject line %s at shutdown, so check the actuator: %w", l.rejectLine.String(), err))
		}
	} else if err := l.rejectLine.Release(); err != nil {
		errs = append(errs, fmt.Errorf("release reject line %s at shutdown, so check the actuator: %w", l.rejectLine.String(), err))
	}

	if l.led != nil {
		if err := l.led.Close(); err != nil {
			l.log.Warn("turn status LED off failed", "line", l.ledLine.String(), "err", err)
		}
	}

	if l.heatmaps != nil {
		l.heatmaps.Close()
	}

	if err := l.notifier.Stopping(); err != nil {
		l.log.Warn("systemd notify failed", "err", err)
	}
	if err := l.notifier.Close(); err != nil {
		l.log.Warn("close systemd notify socket failed", "err", err)
	}

	if err := l.watchdog.Close(); err != nil {
		errs = append(errs, err)
	}

	l.log.Info("edge loop stopped", l.Counters().logAttrs()...)
	return errors.Join(errs...)
}

// step runs one iteration: feed the watchdogs, log a due summary, take one
// frame and handle it.
func (l *Loop) step(ctx context.Context) error {
	now := l.clock.Now()
	l.kick(now)
	l.maybeSummary(now)

	frame, err := l.src.Next(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return l.captureError(ctx, frame, err)
	}
	return l.handleFrame(frame)
}

// captureError turns an error from Source.Next into a fault, a reconnect
// or the end of the run.
func (l *Loop) captureError(ctx context.Context, frame camera.Frame, err error) error {
	start := l.clock.Now()

	switch {
	case errors.Is(err, io.EOF):
		l.log.Info("camera source finished", "source", l.src.String())
		return errEndOfInput
	case errors.Is(err, camera.ErrTimeout):
		return l.fault(FaultTimeout, frame, start, err)
	case errors.Is(err, camera.ErrCorruptFrame):
		// A corrupt frame still used up its sequence number, but sources
		// usually return it without the frame, so the next gap is expected.
		if frame.Seq > l.lastSeq {
			l.lastSeq, l.haveSeq = frame.Seq, true
		} else {
			l.unseenCorrupt++
		}
		return l.fault(FaultCorrupt, frame, start, err)
	}

	if ferr := l.fault(FaultDisconnected, frame, start, err); ferr != nil {
		return ferr
	}
	l.reconnect(ctx)
	return nil
}

// handleFrame checks, inspects, decides, actuates and logs one frame.
func (l *Loop) handleFrame(frame camera.Frame) error {
	start := l.clock.Now()

	if l.haveSeq && frame.Seq <= l.lastSeq {
		return l.fault(FaultStale, frame, start, fmt.Errorf("frame seq %d after seq %d: %w", frame.Seq, l.lastSeq, ErrStaleFrame))
	}
	if l.haveSeq && frame.Seq > l.lastSeq+1 {
		gap := frame.Seq - l.lastSeq - 1
		gap -= min(gap, l.unseenCorrupt)
		if gap > 0 {
			l.mu.Lock()
			l.counters.FramesDropped += gap
			l.mu.Unlock()
			l.log.Warn("camera dropped frames, so their parts were not inspected", "dropped", gap, "seq", frame.Seq, "name", frame.Name)
		}
	}
	l.lastSeq, l.haveSeq, l.unseenCorrupt = frame.Seq, true, 0

	if frame.Image == nil {
		return l.fault(FaultCorrupt, frame, start, fmt.Errorf("frame has no image: %w", camera.ErrCorruptFrame))
	}

	img, err := l.crop(frame.Image)
	if err != nil {
		return l.fault(FaultInspectError, frame, start, err)
	}

	res, err := l.safeInspect(img)
	if err != nil {
		return l.fault(classifyInspectError(err), frame, start, err)
	}

	p := l.newPart(frame, start)
	p.Scored, p.Score, p.Threshold = true, res.Score, res.Threshold

	if !finite(res.Score) || !finite(res.Threshold) {
		return l.faultPart(&p, start, FaultNaN, fmt.Errorf("score %v, threshold %v: %w", res.Score, res.Threshold, ErrNotFinite))
	}

	if res.Defective || res.Score > res.Threshold {
		p.Verdict = VerdictReject
		l.scheduleReject(&p)
		l.showLED(gpio.Running())
		if l.led != nil {
			l.led.Flash(gpio.RejectFlashWidth)
		}
		l.saveHeatmap(img, res, p)
	} else {
		p.Verdict = VerdictPass
		l.showLED(gpio.Running())
	}

	p.Latency = l.clock.Now().Sub(start)
	l.record(&p)

	if !l.ready {
		l.ready = true
		l.log.Info("first frame scored, service ready", "seq", frame.Seq, "name", frame.Name)
		if err := l.notifier.Ready(); err != nil {
			l.log.Warn("systemd notify failed", "err", err)
		}
	}
	return nil
}

// classifyInspectError maps a detector error to its fault class: pose
// alignment failures are no_part, non-finite scores are nan.
func classifyInspectError(err error) FaultClass {
	switch {
	case errors.Is(err, pose.ErrNoPart), errors.Is(err, pose.ErrMultipleParts), errors.Is(err, pose.ErrTouchesBorder):
		return FaultNoPart
	case errors.Is(err, inspect.ErrNotFinite):
		return FaultNaN
	}
	return FaultInspectError
}

// newPart starts the Part of frame, falling back to start for a frame
// without a capture time.
func (l *Loop) newPart(frame camera.Frame, start time.Time) Part {
	t := frame.Time
	if t.IsZero() {
		t = start
	}
	return Part{Time: t, Seq: frame.Seq, Name: frame.Name}
}

// fault handles a fault on frame (which may be empty) whose handling began
// at start.
func (l *Loop) fault(class FaultClass, frame camera.Frame, start time.Time, err error) error {
	p := l.newPart(frame, start)
	return l.faultPart(&p, start, class, err)
}

// faultPart applies the fault action to p, whose handling began at start:
// a reject pulse, the fault LED, the counters and logs, and for
// fault.action = "stop" an error that ends the run.
func (l *Loop) faultPart(p *Part, start time.Time, class FaultClass, err error) error {
	p.Verdict, p.Fault, p.Err = VerdictFault, class, err

	l.scheduleReject(p)
	l.showLED(gpio.Fault())

	l.log.Error("fault: part rejected", "class", string(class), "seq", p.Seq, "name", p.Name, "err", err)

	p.Latency = l.clock.Now().Sub(start)
	l.record(p)

	if l.cfg.Fault.Action == FaultActionStop {
		return fmt.Errorf("%w after %s fault on frame %d %q: %w", ErrFaultStop, class, p.Seq, p.Name, err)
	}
	return nil
}

// scheduleReject queues the reject pulse of p. A capture time the actuator
// rejects as implausible is replaced by the actuator's current time, so
// the part is still rejected. A part whose reject window has passed is
// counted and logged, because it reached the ejector unrejected.
func (l *Loop) scheduleReject(p *Part) {
	err := l.reject.Schedule(p.Time)
	if err != nil && !errors.Is(err, gpio.ErrMissed) && !errors.Is(err, gpio.ErrQueueFull) && !errors.Is(err, gpio.ErrClosed) {
		l.log.Warn("reject pulse rescheduled from now: the capture time was not accepted", "seq", p.Seq, "name", p.Name, "err", err)
		err = l.reject.Schedule(l.rejectClock.Now())
	}

	if err != nil {
		l.mu.Lock()
		l.counters.MissedRejects++
		l.mu.Unlock()
		l.log.Error("reject pulse not fired: the part passed the ejector unrejected, so increase reject.delay_ms or reduce the load",
			"seq", p.Seq, "name", p.Name, "verdict", string(p.Verdict), "err", err)
	}

	if werr := l.reject.Err(); werr != nil && !l.rejectErrSeen {
		l.rejectErrSeen = true
		l.log.Error("reject line write failed: parts may pass unrejected, so check the wiring and the pin", "line", l.rejectLine.String(), "err", werr)
	}
}

// showLED sets the LED pattern, if there is an LED.
func (l *Loop) showLED(p gpio.Pattern) {
	if l.led == nil || p == l.ledPattern {
		return
	}
	l.ledPattern = p
	l.led.SetPattern(p)
}

// record updates the counters, writes the serial line and calls OnPart.
func (l *Loop) record(p *Part) {
	l.mu.Lock()
	switch p.Verdict {
	case VerdictPass:
		l.counters.Inspected++
		l.counters.Passed++
	case VerdictReject:
		l.counters.Inspected++
		l.counters.Rejected++
	case VerdictFault:
		l.counters.Faults.add(p.Fault)
	}
	l.mu.Unlock()

	l.line = appendPartLine(l.line[:0], p)
	l.writeSerial()

	l.latencies.add(p.Latency)
	if l.onPart != nil {
		l.onPart(*p)
	}
}

// writeSerial writes the current line. A failing writer is logged once
// when it starts failing and once when it recovers, and every lost line is
// counted, because inspection must go on without the log.
func (l *Loop) writeSerial() {
	_, err := l.serial.Write(l.line)
	if err != nil {
		l.mu.Lock()
		l.counters.SerialErrors++
		l.mu.Unlock()
		if !l.serialFailing {
			l.serialFailing = true
			l.log.Error("write serial log line failed, so lines are lost until it recovers", "err", err)
		}
		return
	}

	if l.serialFailing {
		l.serialFailing = false
		l.log.Info("serial log writing again", "lost_lines", l.Counters().SerialErrors)
	}
}

// reconnect closes the source and reopens it with exponential backoff
// until it succeeds or ctx is done. l.src is nil when it returns on ctx.
func (l *Loop) reconnect(ctx context.Context) {
	name := l.src.String()
	if err := l.src.Close(); err != nil {
		l.log.Warn("close disconnected camera failed", "source", name, "err", err)
	}
	l.src = nil

	backoff := l.cfg.Reconnect.Initial()
	for attempt := 1; ; attempt++ {
		l.log.Warn("camera disconnected, reopening", "source", name, "attempt", attempt, "backoff", backoff)
		if err := l.sleep(ctx, backoff); err != nil {
			return
		}

		src, err := l.open(ctx)
		if err == nil {
			l.src = src
			l.haveSeq, l.unseenCorrupt = false, 0
			l.mu.Lock()
			l.counters.Reconnects++
			l.mu.Unlock()
			l.log.Info("camera reconnected", "source", src.String(), "attempt", attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}

		l.log.Warn("reopen camera failed", "source", name, "attempt", attempt, "err", err)
		backoff = min(2*backoff, l.cfg.Reconnect.Max())
	}
}

// maxKickInterval bounds the time between watchdog kicks during waits.
const maxKickInterval = time.Second

// sleep waits d in steps that keep the watchdogs fed, because a reconnect
// backoff is a known wait and not a stalled loop. It returns ctx.Err()
// when ctx ends first.
func (l *Loop) sleep(ctx context.Context, d time.Duration) error {
	step := maxKickInterval
	if every := l.notifier.WatchdogEvery(); every > 0 && every < step {
		step = every
	}

	deadline := l.clock.Now().Add(d)
	for {
		now := l.clock.Now()
		if !now.Before(deadline) {
			return nil
		}
		l.kick(now)

		timer := l.clock.NewTimerAt(minTime(deadline, now.Add(step)))
		select {
		case <-timer.C():
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
}

// kick feeds the hardware watchdog and the systemd watchdog.
func (l *Loop) kick(now time.Time) {
	if err := l.watchdog.Kick(); err != nil {
		if !l.watchdogFail {
			l.watchdogFail = true
			l.log.Error("feed hardware watchdog failed, so the board may reset", "err", err)
		}
	} else {
		l.watchdogFail = false
	}

	if err := l.notifier.Watchdog(now); err != nil {
		if !l.notifyFail {
			l.notifyFail = true
			l.log.Error("systemd watchdog notify failed, so systemd may restart the service", "err", err)
		}
	} else {
		l.notifyFail = false
	}
}

// maybeSummary logs the counters and recent latency percentiles when the
// summary interval has passed.
func (l *Loop) maybeSummary(now time.Time) {
	every := l.cfg.Summary.Interval()
	if every <= 0 || now.Sub(l.lastSummary) < every {
		return
	}
	l.lastSummary = now

	p50, p99 := l.latencies.percentiles()
	attrs := append(l.Counters().logAttrs(), "latency_p50", p50, "latency_p99", p99)
	l.log.Info("summary", attrs...)
}

// crop applies the configured ROI to img.
func (l *Loop) crop(img image.Image) (image.Image, error) {
	if l.roi == nil {
		return img, nil
	}

	b := img.Bounds()
	r := l.roi.Add(b.Min)
	if !r.In(b) {
		return nil, fmt.Errorf("crop frame: roi %v is outside the frame bounds %v: fix [roi] or the camera size", *l.roi, b)
	}

	if sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return sub.SubImage(r), nil
	}

	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	return out, nil
}

// safeInspect calls the inspector and turns a panic into an error, because
// a bad frame must never take the loop down.
func (l *Loop) safeInspect(img image.Image) (res inspect.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			l.log.Error("inspector panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("inspector panicked: %v", r)
		}
	}()

	return l.inspector.Inspect(img)
}

// saveHeatmap queues a rejected frame for the heatmap store, if enabled.
// The detector's own heatmap is drawn here, before the next Inspect call
// overwrites its buffers.
func (l *Loop) saveHeatmap(img image.Image, res inspect.Result, p Part) {
	if l.heatmaps == nil {
		return
	}

	rec := HeatmapRecord{Frame: img, Seq: p.Seq, Time: p.Time}
	if r, ok := l.inspector.(heatmapRenderer); ok && len(res.Map) > 0 {
		rec.Overlay = r.Heatmap(res)
	} else {
		rec.Map, rec.MapWidth, rec.MapHeight = res.Map, res.MapWidth, res.MapHeight
	}

	if !l.heatmaps.Submit(rec) {
		l.log.Warn("heatmap saver busy, rejected frame not saved", "seq", p.Seq, "name", p.Name)
	}
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
