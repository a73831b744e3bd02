package gpio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Errors returned by Reject.Schedule and Reject.Pulse. Test them with
// errors.Is.
var (
	// ErrMissed means the part's reject window had already passed when it
	// was scheduled, so no pulse was fired for it.
	ErrMissed = errors.New("reject window missed")

	// ErrQueueFull means MaxPending pulses were already waiting.
	ErrQueueFull = errors.New("reject queue full")

	// ErrClosed means Close was called.
	ErrClosed = errors.New("actuator closed")
)

// Defaults of RejectConfig.
const (
	DefaultMaxPending = 256

	// maxFuture is how far past Now a capture time may lie before Schedule
	// rejects it as a clock error.
	maxFuture = time.Second
)

// RejectConfig configures a Reject actuator.
type RejectConfig struct {
	// DelayAfterCapture is the travel time of a part from the camera to the
	// kicker. The pulse starts this long after the frame's capture time.
	// It must not be negative.
	DelayAfterCapture time.Duration

	// PulseWidth is how long the line stays active for one part. It must
	// be positive.
	PulseWidth time.Duration

	// MaxLate is how late a pulse may start when the capture time plus the
	// delay has already passed at Schedule time. A later pulse would hit
	// the next part, so it is dropped with ErrMissed. Zero means PulseWidth.
	MaxLate time.Duration

	// MaxPending bounds the queue of pulses not yet started. Zero means
	// DefaultMaxPending.
	MaxPending int

	// Clock is the time source. Nil means SystemClock().
	Clock Clock
}

// RejectStats counts what a Reject actuator did.
type RejectStats struct {
	// Scheduled counts pulses accepted by Schedule and Pulse.
	Scheduled int

	// Late counts accepted pulses that started late but within MaxLate.
	Late int

	// Missed counts parts dropped with ErrMissed.
	Missed int

	// Activations counts the times the line went active. Overlapping
	// pulses merge into one activation.
	Activations int

	// WriteErrors counts failed writes to the line.
	WriteErrors int
}

// pulse is one requested active interval.
type pulse struct {
	start time.Time
	width time.Duration

	// done is closed when the line goes inactive after this pulse. It is
	// nil when no caller waits for the pulse.
	done chan struct{}
}

// Reject drives the reject actuator. Each Schedule call queues one pulse of
// PulseWidth at capture time plus DelayAfterCapture and returns without
// waiting for it. A worker goroutine fires the pulses.
//
// Pulses run in the order of their start times. Each pulse holds the line
// active for its full width from the moment it starts, which is its due
// time or, when the worker runs late, the moment of the write. Pulses that
// overlap merge into one longer activation, so the line does not drop
// between two parts whose pulses overlap.
//
// Close lets every accepted pulse run to its end before it releases the
// line, because a part that was already scheduled for rejection must not
// pass. Reject owns its line: Close releases it.
type Reject struct {
	line       Line
	delay      time.Duration
	width      time.Duration
	maxLate    time.Duration
	maxPending int
	clock      Clock

	// wake signals the worker that pending or closing changed.
	wake chan struct{}

	// done is closed when the worker returns.
	done chan struct{}

	mu       sync.Mutex
	pending  []pulse
	closing  bool
	closeErr error
	err      error
	stats    RejectStats
}

var _ Pulser = (*Reject)(nil)

// NewReject starts a reject actuator on line. It drives the line inactive
// first, so the actuator rests from the start.
func NewReject(line Line, cfg RejectConfig) (*Reject, error) {
	if line == nil {
		return nil, errors.New("gpio: reject: line is nil")
	}
	if cfg.PulseWidth <= 0 {
		return nil, fmt.Errorf("gpio: %s: pulse width %v must be positive", line, cfg.PulseWidth)
	}
	if cfg.DelayAfterCapture < 0 || cfg.MaxLate < 0 || cfg.MaxPending < 0 {
		return nil, fmt.Errorf("gpio: %s: delay %v, max late %v and max pending %d must not be negative",
			line, cfg.DelayAfterCapture, cfg.MaxLate, cfg.MaxPending)
	}

	r := &Reject{
		line:       line,
		delay:      cfg.DelayAfterCapture,
		width:      cfg.PulseWidth,
		maxLate:    cfg.MaxLate,
		maxPending: cfg.MaxPending,
		clock:      cfg.Clock,
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
	}
	if r.maxLate == 0 {
		r.maxLate = r.width
	}
	if r.maxPending == 0 {
		r.maxPending = DefaultMaxPending
	}
	if r.clock == nil {
		r.clock = SystemClock()
	}

	if err := line.Set(false); err != nil {
		return nil, fmt.Errorf("gpio: %s: drive inactive: %w", line, err)
	}

	go r.run()
	return r, nil
}

// Schedule queues a pulse for the part captured at capture and returns at
// once. A pulse whose start has already passed starts now if it is at most
// MaxLate late, and is dropped with ErrMissed otherwise. Schedule also
// fails for a zero capture time, for one more than a second in the future,
// when the queue is full, and after Close.
func (r *Reject) Schedule(capture time.Time) error {
	if capture.IsZero() {
		return fmt.Errorf("gpio: %s: capture time is zero", r.line)
	}

	now := r.clock.Now()
	if capture.Sub(now) > maxFuture {
		return fmt.Errorf("gpio: %s: capture time %s is %v in the future: check the frame source's clock",
			r.line, capture.Format(time.RFC3339Nano), capture.Sub(now))
	}

	start := capture.Add(r.delay)

	r.mu.Lock()
	defer r.mu.Unlock()

	if late := now.Sub(start); late > 0 {
		if late > r.maxLate {
			r.stats.Missed++
			return fmt.Errorf("gpio: %s: pulse would start %v late, more than the %v allowed, so it could hit the next part: %w",
				r.line, late, r.maxLate, ErrMissed)
		}
		r.stats.Late++
		if logWorthy(r.stats.Late) {
			slog.Warn("gpio reject pulse started late", "line", r.line.String(), "late", late, "late_pulses", r.stats.Late)
		}
		start = now
	}

	return r.enqueue(pulse{start: start, width: r.width})
}

// Pulse drives the line active for width now, merged with any scheduled
// pulses, and waits until the line goes inactive again or ctx ends. The
// pulse ends at its time even when ctx ends first. Pulse implements
// Pulser, for a manual test of the actuator.
func (r *Reject) Pulse(ctx context.Context, width time.Duration) error {
	if width <= 0 {
		return fmt.Errorf("gpio: %s: pulse width %v must be positive", r.line, width)
	}

	done := make(chan struct{})

	r.mu.Lock()
	err := r.enqueue(pulse{start: r.clock.Now(), width: width, done: done})
	r.mu.Unlock()
	if err != nil {
		return err
	}

	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueue inserts p in start order and wakes the worker. The caller holds
// r.mu.
func (r *Reject) enqueue(p pulse) error {
	if r.closing {
		return fmt.Errorf("gpio: %s: %w", r.line, ErrClosed)
	}
	if len(r.pending) >= r.maxPending {
		return fmt.Errorf("gpio: %s: %d pulses already waiting: raise MaxPending if parts come this close: %w", r.line, len(r.pending), ErrQueueFull)
	}

	i, _ := slices.BinarySearchFunc(r.pending, p.start, func(q pulse, t time.Time) int {
		if q.start.After(t) {
			return 1
		}
		return -1
	})
	r.pending = slices.Insert(r.pending, i, p)
	r.stats.Scheduled++

	r.signal()
	return nil
}

// signal wakes the worker without blocking.
func (r *Reject) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters so far.
func (r *Reject) Stats() RejectStats {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.stats
}

// Err returns the first failed write to the line, or nil. The actuator
// keeps trying after a failure, but a part may have passed unrejected, so
// the caller treats a non-nil Err as a fault.
func (r *Reject) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()

	return r.err
}

// Close stops accepting pulses, waits until every accepted pulse has run
// to its end, and releases the line. It can block for up to
// DelayAfterCapture plus PulseWidth. Later calls wait the same way and
// return the same result.
func (r *Reject) Close() error {
	r.mu.Lock()
	first := !r.closing
	r.closing = true
	r.signal()
	r.mu.Unlock()

	<-r.done

	r.mu.Lock()
	defer r.mu.Unlock()

	if first {
		if err := r.line.Release(); err != nil {
			r.closeErr = fmt.Errorf("gpio: %s: release: %w", r.line, err)
		}
	}
	return r.closeErr
}

// run is the worker goroutine. It starts due pulses, ends the activation
// when the last covering pulse ends, and sleeps until the next of those
// events or a wake signal. It returns after Close once nothing is pending
// and the line is inactive.
func (r *Reject) run() {
	defer close(r.done)

	var (
		active      bool
		activeUntil time.Time
		waiting     []chan struct{}
	)

	for {
		r.mu.Lock()
		now := r.clock.Now()

		for len(r.pending) > 0 && !r.pending[0].start.After(now) {
			p := r.pending[0]
			r.pending = r.pending[1:]

			if !active {
				active = true
				r.stats.Activations++
				r.write(true)

				// Count the width from after the write, so a worker that
				// woke late still gives the actuator the full width.
				now = r.clock.Now()
			}

			begin := p.start
			if now.After(begin) {
				begin = now
			}
			if end := begin.Add(p.width); end.After(activeUntil) {
				activeUntil = end
			}
			if p.done != nil {
				waiting = append(waiting, p.done)
			}
		}

		if active && !activeUntil.After(now) {
			active = false
			r.write(false)
			for _, done := range waiting {
				close(done)
			}
			waiting = nil
		}

		next, ok := r.nextEvent(active, activeUntil)
		if !ok && r.closing {
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()

		r.sleep(next, ok)
	}
}

// nextEvent returns the time of the next pulse start or activation end,
// and false when there is none. The caller holds r.mu.
func (r *Reject) nextEvent(active bool, activeUntil time.Time) (time.Time, bool) {
	var next time.Time
	ok := false

	if active {
		next, ok = activeUntil, true
	}
	if len(r.pending) > 0 && (!ok || r.pending[0].start.Before(next)) {
		next, ok = r.pending[0].start, true
	}
	return next, ok
}

// sleep waits until the clock reaches deadline when timed is true, and in
// any case until a wake signal.
func (r *Reject) sleep(deadline time.Time, timed bool) {
	if !timed {
		<-r.wake
		return
	}

	timer := r.clock.NewTimerAt(deadline)
	defer timer.Stop()

	select {
	case <-timer.C():
	case <-r.wake:
	}
}

// write sets the line and records a failure. The caller holds r.mu.
func (r *Reject) write(active bool) {
	err := r.line.Set(active)
	if err == nil {
		return
	}

	r.stats.WriteErrors++
	if r.err == nil {
		r.err = fmt.Errorf("gpio: %s: write: %w", r.line, err)
	}
	if logWorthy(r.stats.WriteErrors) {
		slog.Error("gpio reject line write failed", "line", r.line.String(), "active", active, "failures", r.stats.WriteErrors, "err", err)
	}
}

// logWorthy limits repeated log lines to the 1st, 10th, 100th, ...
// occurrence.
func logWorthy(count int) bool {
	for count >= 10 && count%10 == 0 {
		count /= 10
	}
	return count == 1
}
