package gpio

import "time"

// Clock is the time source of Reject and LED. SystemClock returns the real
// one. gpiotest.Clock is a manual one that lets tests step through pulses
// without sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time

	// NewTimerAt returns a timer that fires once when the clock reaches
	// deadline, or at once when deadline has passed. Reject and LED pass
	// absolute deadlines so that a clock that moves between their reading
	// of Now and the timer's creation cannot delay an event.
	NewTimerAt(deadline time.Time) Timer
}

// Timer is a one-shot timer made by a Clock.
type Timer interface {
	// C returns the channel that receives the time when the timer fires.
	C() <-chan time.Time

	// Stop prevents the timer from firing. It returns false when the timer
	// already fired or was stopped.
	Stop() bool
}

// SystemClock returns the clock of package time.
func SystemClock() Clock {
	return systemClock{}
}

// systemClock implements Clock with package time.
type systemClock struct{}

func (systemClock) Now() time.Time {
	return time.Now()
}

func (systemClock) NewTimerAt(deadline time.Time) Timer {
	return systemTimer{time.NewTimer(time.Until(deadline))}
}

// systemTimer adapts *time.Timer to Timer.
type systemTimer struct {
	t *time.Timer
}

func (s systemTimer) C() <-chan time.Time {
	return s.t.C
}

func (s systemTimer) Stop() bool {
	return s.t.Stop()
}
