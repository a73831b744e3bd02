package edge

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"edgeae/gpio"
)

// RejectScheduler fires reject pulses on a line at given start times. One
// goroutine owns the line, so pulses never interleave, and overlapping
// pulses merge into one.
type RejectScheduler struct {
	line  gpio.Line
	width time.Duration
	clock Clock
	log   *slog.Logger

	mu        sync.Mutex
	queue     []time.Time
	lastStart time.Time
	closed    bool
	wake      chan struct{}
	done      chan struct{}

	fired    atomic.Uint64
	late     atomic.Uint64
	setFails atomic.Uint64
}

// NewRejectScheduler starts a scheduler that drives line active for width
// per pulse. A nil clock means the wall clock and a nil logger means
// slog.Default(). Call Close to stop it.
func NewRejectScheduler(line gpio.Line, width time.Duration, clock Clock, log *slog.Logger) *RejectScheduler {
	if clock == nil {
		clock = systemClock{}
	}
	if log == nil {
		log = slog.Default()
	}

	s := &RejectScheduler{
		line:  line,
		width: width,
		clock: clock,
		log:   log,
		wake:  make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	go s.run()
	return s
}

// Schedule queues one pulse starting at start. Pulses fire in the order
// they were scheduled, so a start earlier than the previous one is moved
// up to it. Schedule after Close is ignored and logged, because the line is
// already released.
func (s *RejectScheduler) Schedule(start time.Time) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.log.Error("reject pulse scheduled after shutdown; dropped", "line", s.line.String(), "start", start)
		return
	}
	if start.Before(s.lastStart) {
		start = s.lastStart
	}
	s.lastStart = start
	s.queue = append(s.queue, start)
	s.mu.Unlock()

	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close waits until every scheduled pulse has fired, then sets the line
// inactive and returns that Set error. It does not release the line.
func (s *RejectScheduler) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()

	if !already {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	<-s.done

	return s.line.Set(false)
}

// Fired returns the number of pulses started, counting merged pulses once.
func (s *RejectScheduler) Fired() uint64 { return s.fired.Load() }

// Late returns the number of pulses that started after their intended
// window had already ended.
func (s *RejectScheduler) Late() uint64 { return s.late.Load() }

// SetErrors returns the number of failed Set calls on the line.
func (s *RejectScheduler) SetErrors() uint64 { return s.setFails.Load() }

// run is the scheduler goroutine. It sleeps without a context on purpose:
// a scheduled pulse always fires, and Close waits for it.
func (s *RejectScheduler) run() {
	defer close(s.done)

	for {
		start, ok := s.pop()
		if !ok {
			return
		}

		_ = s.clock.SleepUntil(context.Background(), start)

		now := s.clock.Now()
		if now.After(start.Add(s.width)) {
			s.late.Add(1)
			s.log.Warn("reject pulse late: the part may be past the ejector; increase reject.delay_ms",
				"line", s.line.String(), "late", now.Sub(start))
		}
		end := maxTime(start, now).Add(s.width)

		s.set(true)
		s.fired.Add(1)

		end = s.extend(end)
		s.set(false)
	}
}

// extend sleeps until end, merging every queued pulse that starts before
// the current pulse ends, and returns the final end time.
func (s *RejectScheduler) extend(end time.Time) time.Time {
	for {
		_ = s.clock.SleepUntil(context.Background(), end)

		s.mu.Lock()
		merged := false
		if len(s.queue) > 0 && !s.queue[0].After(end) {
			end = maxTime(end, s.queue[0].Add(s.width))
			s.queue = s.queue[1:]
			merged = true
		}
		s.mu.Unlock()

		if !merged {
			return end
		}
	}
}

// pop removes and returns the next start time, blocking until one is
// queued. It returns false once the scheduler is closed and the queue is
// empty.
func (s *RejectScheduler) pop() (time.Time, bool) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			start := s.queue[0]
			s.queue = s.queue[1:]
			if len(s.queue) == 0 {
				s.queue = s.queue[:0:0]
			}
			s.mu.Unlock()
			return start, true
		}
		closed := s.closed
		s.mu.Unlock()

		if closed {
			return time.Time{}, false
		}
		<-s.wake
	}
}

// set drives the line and logs a failure, because a reject that does not
// reach the actuator lets a bad part pass.
func (s *RejectScheduler) set(active bool) {
	if err := s.line.Set(active); err != nil {
		s.setFails.Add(1)
		s.log.Error("set reject line failed: check the wiring and the pin", "line", s.line.String(), "active", active, "err", err)
	}
}

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
