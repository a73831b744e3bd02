package edge

import (
	"log/slog"
	"sync"
	"time"

	"edgeae/gpio"
)

// Pattern is a status LED pattern; the package doc lists their timings.
type Pattern int

// Status LED patterns.
const (
	PatternOff Pattern = iota
	PatternStarting
	PatternRunning
	PatternReject
	PatternFault
)

// String returns the pattern name used in logs.
func (p Pattern) String() string {
	switch p {
	case PatternOff:
		return "off"
	case PatternStarting:
		return "starting"
	case PatternRunning:
		return "running"
	case PatternReject:
		return "reject"
	case PatternFault:
		return "fault"
	}
	return "unknown"
}

// ledStep is one level of a pattern, held for d; d == 0 holds it until
// the next pattern.
type ledStep struct {
	on bool
	d  time.Duration
}

// patternSteps returns the steps of p, whether they repeat, and the
// pattern that follows a one-shot pattern.
func patternSteps(p Pattern) (steps []ledStep, repeat bool, then Pattern) {
	switch p {
	case PatternStarting:
		return []ledStep{{true, 500 * time.Millisecond}, {false, 500 * time.Millisecond}}, true, p
	case PatternRunning:
		return []ledStep{{true, 0}}, false, p
	case PatternReject:
		flash := 100 * time.Millisecond
		return []ledStep{{false, flash}, {true, flash}, {false, flash}, {true, flash}, {false, flash}, {true, flash}}, false, PatternRunning
	case PatternFault:
		return []ledStep{{true, 125 * time.Millisecond}, {false, 125 * time.Millisecond}}, true, p
	}
	return []ledStep{{false, 0}}, false, PatternOff
}

// StatusLED shows patterns on a line from its own goroutine, so Show never
// blocks the frame loop. A nil *StatusLED ignores every call, which is
// what NewStatusLED returns for a nil line.
type StatusLED struct {
	line  gpio.Line
	log   *slog.Logger
	after func(time.Duration) <-chan time.Time

	mu        sync.Mutex
	pending   Pattern
	requested Pattern
	req       chan struct{}
	quit      chan struct{}
	done      chan struct{}

	level    bool
	levelSet bool
	failing  bool
}

// NewStatusLED starts driving line, initially off. It returns nil for a
// nil line. A nil logger means slog.Default().
func NewStatusLED(line gpio.Line, log *slog.Logger) *StatusLED {
	return newStatusLED(line, log, time.After)
}

// newStatusLED is NewStatusLED with an injectable timer for tests.
func newStatusLED(line gpio.Line, log *slog.Logger, after func(time.Duration) <-chan time.Time) *StatusLED {
	if line == nil {
		return nil
	}
	if log == nil {
		log = slog.Default()
	}

	l := &StatusLED{
		line:  line,
		log:   log,
		after: after,
		req:   make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go l.run()
	return l
}

// Show switches to pattern p. Repeating a steady pattern (all but
// PatternReject) changes nothing, while PatternReject restarts its flashes.
func (l *StatusLED) Show(p Pattern) {
	if l == nil {
		return
	}

	l.mu.Lock()
	if p == l.requested && p != PatternReject {
		l.mu.Unlock()
		return
	}
	l.requested = p
	l.pending = p
	l.mu.Unlock()

	select {
	case l.req <- struct{}{}:
	default:
	}
}

// Close stops the pattern goroutine and turns the LED off. It does not
// release the line.
func (l *StatusLED) Close() error {
	if l == nil {
		return nil
	}

	close(l.quit)
	<-l.done
	return l.line.Set(false)
}

// run is the pattern goroutine.
func (l *StatusLED) run() {
	defer close(l.done)

	current := PatternOff
	for {
		steps, repeat, then := patternSteps(current)
		next, stop := l.play(steps, repeat, then)
		if stop {
			return
		}
		current = next
	}
}

// play runs one pattern until it ends, a new pattern is requested or Close
// is called. It returns the next pattern, or stop = true on Close.
func (l *StatusLED) play(steps []ledStep, repeat bool, then Pattern) (next Pattern, stop bool) {
	for i := 0; ; i++ {
		if i == len(steps) {
			if !repeat {
				return then, false
			}
			i = 0
		}

		l.set(steps[i].on)

		var tick <-chan time.Time
		if steps[i].d > 0 {
			tick = l.after(steps[i].d)
		}

		select {
		case <-l.req:
			l.mu.Lock()
			p := l.pending
			l.mu.Unlock()
			return p, false
		case <-tick:
		case <-l.quit:
			return PatternOff, true
		}
	}
}

// set drives the line when the level changes. It logs the first failure of
// a run of failures and the recovery, so a broken LED does not flood the log.
func (l *StatusLED) set(on bool) {
	if l.levelSet && l.level == on {
		return
	}

	err := l.line.Set(on)
	switch {
	case err != nil && !l.failing:
		l.failing = true
		l.log.Error("set status LED failed; the LED may show a wrong state", "line", l.line.String(), "err", err)
	case err == nil && l.failing:
		l.failing = false
		l.log.Info("status LED working again", "line", l.line.String())
	}
	if err == nil {
		l.level = on
		l.levelSet = true
	}
}
