package gpio

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Pattern is the on/off cycle of a status LED: on for On, then off for
// Off, repeated. Off zero with On positive is steady on, and On zero is off.
// Build patterns with Off, Steady and Blink.
type Pattern struct {
	On  time.Duration
	Off time.Duration
}

// Blink periods and flash width of the standard status patterns.
const (
	StartingBlinkPeriod = time.Second
	FaultBlinkPeriod    = 200 * time.Millisecond
	RejectFlashWidth    = 100 * time.Millisecond

	// MinBlinkPeriod is the shortest period Blink accepts.
	MinBlinkPeriod = 20 * time.Millisecond
)

// Off returns the pattern of a dark LED.
func Off() Pattern {
	return Pattern{}
}

// Steady returns the pattern of an LED that stays on. Any positive On with
// zero Off means steady.
func Steady() Pattern {
	return Pattern{On: time.Hour}
}

// Blink returns a pattern that is on for half of period and off for the
// other half. Periods shorter than MinBlinkPeriod are raised to it.
func Blink(period time.Duration) Pattern {
	period = max(period, MinBlinkPeriod)
	return Pattern{On: period / 2, Off: period - period/2}
}

// Starting returns the slow blink shown while the program loads its model
// and opens the camera.
func Starting() Pattern {
	return Blink(StartingBlinkPeriod)
}

// Running returns the steady light shown while parts are inspected.
func Running() Pattern {
	return Steady()
}

// Fault returns the fast blink shown when inspection has stopped on a
// fault.
func Fault() Pattern {
	return Blink(FaultBlinkPeriod)
}

// String describes the pattern for logs.
func (p Pattern) String() string {
	switch {
	case p.On <= 0:
		return "off"
	case p.Off <= 0:
		return "steady"
	}
	return fmt.Sprintf("blink %v on / %v off", p.On, p.Off)
}

// LED drives a status LED from a goroutine. It starts dark. Its methods are
// safe for concurrent use.
type LED struct {
	line  Line
	clock Clock

	// wake signals the worker that the pattern, a flash or closing changed.
	wake chan struct{}

	// done is closed when the worker returns.
	done chan struct{}

	mu         sync.Mutex
	pattern    Pattern
	since      time.Time
	flashUntil time.Time
	closing    bool
	closeErr   error
	err        error
	failures   int
}

// NewLED starts driving line, dark at first. A nil clock means
// SystemClock().
func NewLED(line Line, clock Clock) (*LED, error) {
	if line == nil {
		return nil, errors.New("gpio: led: line is nil")
	}
	if clock == nil {
		clock = SystemClock()
	}

	if err := line.Set(false); err != nil {
		return nil, fmt.Errorf("gpio: %s: drive inactive: %w", line, err)
	}

	l := &LED{
		line:  line,
		clock: clock,
		wake:  make(chan struct{}, 1),
		done:  make(chan struct{}),
		since: clock.Now(),
	}
	go l.run()
	return l, nil
}

// SetPattern shows p from now on. A blink pattern starts with its on
// phase. Setting the pattern already shown changes nothing, so a blink
// keeps its rhythm.
func (l *LED) SetPattern(p Pattern) {
	l.mu.Lock()
	defer l.mu.Unlock()

	if p == l.pattern {
		return
	}
	l.pattern = p
	l.since = l.clock.Now()
	l.signal()
}

// Flash inverts what the pattern shows for d, then goes back to the
// pattern: a steady LED goes dark for d and a dark one lights. Use
// RejectFlashWidth to show a rejected part. A flash during another flash
// extends it.
func (l *LED) Flash(d time.Duration) {
	if d <= 0 {
		return
	}

	l.mu.Lock()
	defer l.mu.Unlock()

	if until := l.clock.Now().Add(d); until.After(l.flashUntil) {
		l.flashUntil = until
	}
	l.signal()
}

// Err returns the first failed write to the line, or nil.
func (l *LED) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.err
}

// Close stops the pattern and releases the line, which leaves the LED
// dark. Later calls return the same result.
func (l *LED) Close() error {
	l.mu.Lock()
	first := !l.closing
	l.closing = true
	l.signal()
	l.mu.Unlock()

	<-l.done

	l.mu.Lock()
	defer l.mu.Unlock()

	if first {
		if err := l.line.Release(); err != nil {
			l.closeErr = fmt.Errorf("gpio: %s: release: %w", l.line, err)
		}
	}
	return l.closeErr
}

// signal wakes the worker without blocking.
func (l *LED) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run is the worker goroutine: it computes the level the pattern and any
// flash ask for now, writes it when it changed, and sleeps until the next
// change or a wake signal.
func (l *LED) run() {
	defer close(l.done)

	lit := false
	for {
		l.mu.Lock()
		if l.closing {
			l.mu.Unlock()
			return
		}

		now := l.clock.Now()
		want, next, timed := l.levelAt(now)
		if want != lit {
			lit = want
			l.write(want)
		}
		l.mu.Unlock()

		if !timed {
			<-l.wake
			continue
		}

		timer := l.clock.NewTimerAt(next)
		select {
		case <-timer.C():
		case <-l.wake:
		}
		timer.Stop()
	}
}

// levelAt returns the level the LED shows at now and the time of the next
// change, if there is one. The caller holds l.mu.
func (l *LED) levelAt(now time.Time) (lit bool, next time.Time, timed bool) {
	p := l.pattern

	switch {
	case p.On <= 0:
		lit = false
	case p.Off <= 0:
		lit = true
	default:
		period := p.On + p.Off
		phase := now.Sub(l.since) % period
		if phase < 0 {
			phase += period
		}
		if phase < p.On {
			lit, next = true, now.Add(p.On-phase)
		} else {
			lit, next = false, now.Add(period-phase)
		}
		timed = true
	}

	if now.Before(l.flashUntil) {
		lit = !lit
		if !timed || l.flashUntil.Before(next) {
			next = l.flashUntil
		}
		timed = true
	}
	return lit, next, timed
}

// write sets the line and records a failure. The caller holds l.mu.
func (l *LED) write(lit bool) {
	err := l.line.Set(lit)
	if err == nil {
		return
	}

	l.failures++
	if l.err == nil {
		l.err = fmt.Errorf("gpio: %s: write: %w", l.line, err)
	}
	if logWorthy(l.failures) {
		slog.Error("gpio led write failed", "line", l.line.String(), "lit", lit, "failures", l.failures, "err", err)
	}
}
