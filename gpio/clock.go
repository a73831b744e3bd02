package gpio

import "time"

// Clock is the time source of Reject and LED. SystemClock returns the real
// one. gpiotest.Clock is a manual one that lets tests step through pulses
// without sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time

	// NewTimer returns a timer that fires once after d. A d of zero or less
	// fires at once.
	NewTimer(d time.Duration) Timer
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

func (systemClock) NewTimer(d time.Duration) Timer {
	return systemTimer{time.NewTimer(d)}
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
