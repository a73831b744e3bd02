// Package gpiotest provides a recording gpio.Line and a manual gpio.Clock
// for tests of code that drives outputs.
//
// Line records every level change with the time of its clock function.
// Pulses turns the record into start and width pairs, so a test can check
// what a reject actuator did without a scope. Fail makes later calls fail,
// as a pin claimed by another process (ErrBusy) or a failing write
// (ErrWrite) would.
//
// Clock moves only when Advance is called. Passing clock.Now to NewLine
// and the clock itself to gpio.NewReject or gpio.NewLED makes every
// recorded time exact:
//
//	clock := gpiotest.NewClock(time.Time{})
//	line := gpiotest.NewLine("reject GPIO17", clock.Now)
//	r, _ := gpio.NewReject(line, gpio.RejectConfig{
//		DelayAfterCapture: 300 * time.Millisecond,
//		PulseWidth:        50 * time.Millisecond,
//		Clock:             clock,
//	})
//	_ = r.Schedule(clock.Now())
//	clock.WaitForTimers(1, time.Second) // the worker is waiting for the start
//	clock.Advance(300 * time.Millisecond)
//	clock.WaitForTimers(1, time.Second) // the pulse started, waiting for its end
//	clock.Advance(50 * time.Millisecond)
//	line.WaitForChanges(3, time.Second) // inactive, active, inactive
//	// line.Pulses() is one pulse at +300 ms, 50 ms wide
package gpiotest

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"edgeae/gpio"
)

// Errors to pass to Line.Fail.
var (
	// ErrBusy is what a pin claimed by another process returns. It wraps
	// syscall.EBUSY, like the error of a real busy pin.
	ErrBusy = fmt.Errorf("gpiotest: pin busy: %w", syscall.EBUSY)

	// ErrWrite is a failed level write.
	ErrWrite = errors.New("gpiotest: write failed")
)

// Change is one recorded level change.
type Change struct {
	Time   time.Time
	Active bool
}

// Pulse is one recorded active period of a line.
type Pulse struct {
	Start time.Time
	Width time.Duration
}

// Line is a recording gpio.Line. It starts inactive with no recorded
// change. Its methods are safe for concurrent use.
type Line struct {
	name string
	now  func() time.Time

	mu       sync.Mutex
	changed  *sync.Cond
	active   bool
	changes  []Change
	sets     int
	released bool
	fail     error
}

var _ gpio.Line = (*Line)(nil)

// NewLine returns a line named name, as String reports it, that stamps
// changes with now. A nil now means time.Now.
func NewLine(name string, now func() time.Time) *Line {
	if now == nil {
		now = time.Now
	}
	l := &Line{name: name, now: now}
	l.changed = sync.NewCond(&l.mu)
	return l
}

// Set records the level when it differs from the current one. It fails
// after Release and after Fail with a non-nil error.
func (l *Line) Set(active bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()

	l.sets++
	if l.fail != nil {
		return fmt.Errorf("gpiotest: %s: set: %w", l.name, l.fail)
	}
	if l.released {
		return fmt.Errorf("gpiotest: %s: set after Release", l.name)
	}

	l.record(active)
	return nil
}

// record appends a change when the level differs. The caller holds l.mu.
func (l *Line) record(active bool) {
	if active == l.active {
		return
	}
	l.active = active
	l.changes = append(l.changes, Change{Time: l.now(), Active: active})
	l.changed.Broadcast()
}

// Release drives the line inactive and marks it released. Calling it again
// does nothing. After Fail with a non-nil error it returns that error and
// leaves the line as it is.
func (l *Line) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()

	if l.fail != nil {
		return fmt.Errorf("gpiotest: %s: release: %w", l.name, l.fail)
	}
	if l.released {
		return nil
	}

	l.record(false)
	l.released = true
	l.changed.Broadcast()
	return nil
}

// String returns the name given to NewLine.
func (l *Line) String() string {
	return l.name
}

// Fail makes every later Set and Release call return err, wrapped. Nil
// restores normal operation.
func (l *Line) Fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()

	l.fail = err
}

// Level returns true when the line is active.
func (l *Line) Level() bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.active
}

// Released reports whether Release succeeded.
func (l *Line) Released() bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.released
}

// Sets returns the number of Set calls, failed ones and ones that did not
// change the level included.
func (l *Line) Sets() int {
	l.mu.Lock()
	defer l.mu.Unlock()

	return l.sets
}

// Changes returns a copy of the recorded level changes.
func (l *Line) Changes() []Change {
	l.mu.Lock()
	defer l.mu.Unlock()

	return append([]Change(nil), l.changes...)
}

// Pulses returns the completed active periods in order. A period that has
// not ended yet is left out.
func (l *Line) Pulses() []Pulse {
	l.mu.Lock()
	defer l.mu.Unlock()

	var pulses []Pulse
	var start time.Time
	inPulse := false
	for _, c := range l.changes {
		switch {
		case c.Active && !inPulse:
			start, inPulse = c.Time, true
		case !c.Active && inPulse:
			pulses = append(pulses, Pulse{Start: start, Width: c.Time.Sub(start)})
			inPulse = false
		}
	}
	return pulses
}

// WaitForChanges blocks until at least n changes are recorded or timeout
// passes in real time, and reports whether the changes arrived. The
// timeout only limits a failing test.
func (l *Line) WaitForChanges(n int, timeout time.Duration) bool {
	return waitUntil(&l.mu, l.changed, timeout, func() bool { return len(l.changes) >= n })
}

// WaitForRelease blocks until Release succeeded or timeout passes in real
// time, and reports whether it did.
func (l *Line) WaitForRelease(timeout time.Duration) bool {
	return waitUntil(&l.mu, l.changed, timeout, func() bool { return l.released })
}

// waitUntil waits on cond until done returns true or timeout passes. done
// runs with mu held.
func waitUntil(mu *sync.Mutex, cond *sync.Cond, timeout time.Duration, done func() bool) bool {
	// A timer broadcast wakes the waiter when the timeout passes.
	expired := false
	timer := time.AfterFunc(timeout, func() {
		mu.Lock()
		expired = true
		mu.Unlock()
		cond.Broadcast()
	})
	defer timer.Stop()

	mu.Lock()
	defer mu.Unlock()

	for !done() {
		if expired {
			return false
		}
		cond.Wait()
	}
	return true
}
