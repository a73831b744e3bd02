package gpiotest

import (
	"slices"
	"sync"
	"time"

	"edgeae/gpio"
)

// Clock is a gpio.Clock that moves only when Advance is called. Its
// methods are safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	changed *sync.Cond
	now     time.Time
	timers  []*timer
}

var _ gpio.Clock = (*Clock)(nil)

// NewClock returns a clock set to start. A zero start means 2025-01-01
// 00:00 UTC, so that times are never zero.
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	c := &Clock{now: start}
	c.changed = sync.NewCond(&c.mu)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

// NewTimerAt returns a timer that fires when Advance reaches deadline, or
// at once when the clock is already there.
func (c *Clock) NewTimerAt(deadline time.Time) gpio.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()

	t := &timer{clock: c, deadline: deadline, ch: make(chan time.Time, 1)}
	if !deadline.After(c.now) {
		t.ch <- c.now
		return t
	}

	c.timers = append(c.timers, t)
	c.changed.Broadcast()
	return t
}

// Advance moves the clock forward by d and fires, in deadline order, every
// timer whose deadline is reached. A negative d does nothing.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)

	slices.SortStableFunc(c.timers, func(a, b *timer) int { return a.deadline.Compare(b.deadline) })
	pending := c.timers[:0]
	for _, t := range c.timers {
		if t.deadline.After(c.now) {
			pending = append(pending, t)
			continue
		}
		t.ch <- c.now
	}
	clear(c.timers[len(pending):])
	c.timers = pending
	c.changed.Broadcast()
}

// Timers returns the number of timers waiting to fire.
func (c *Clock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()

	return len(c.timers)
}

// WaitForTimers blocks until at least n timers are waiting to fire or
// timeout passes in real time, and reports whether they are. Tests use it
// to know that a worker goroutine has gone to sleep before they advance
// the clock. The timeout only limits a failing test.
func (c *Clock) WaitForTimers(n int, timeout time.Duration) bool {
	return waitUntil(&c.mu, c.changed, timeout, func() bool { return len(c.timers) >= n })
}

// timer is a Clock's gpio.Timer.
type timer struct {
	clock    *Clock
	deadline time.Time
	ch       chan time.Time
}

func (t *timer) C() <-chan time.Time {
	return t.ch
}

// Stop removes the timer from its clock and reports whether it was still
// waiting.
func (t *timer) Stop() bool {
	c := t.clock

	c.mu.Lock()
	defer c.mu.Unlock()

	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	c.changed.Broadcast()
	return true
}
