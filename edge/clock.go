package edge

import (
	"context"
	"time"
)

// Clock is the time source of the loop and the reject scheduler. Tests use
// a virtual clock so pulse times are exact without real waiting.
type Clock interface {
	// Now returns the current time.
	Now() time.Time

	// SleepUntil blocks until t, or returns ctx.Err() when ctx is done
	// first. It returns at once when t is not in the future.
	SleepUntil(ctx context.Context, t time.Time) error
}

// systemClock is the wall clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}

	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
