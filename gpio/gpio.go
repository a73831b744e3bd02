package gpio

import (
	"context"
	"time"
)

// Line is one digital output: a reject actuator or a status LED.
type Line interface {
	// Set drives the line to its active level when active is true and to
	// its inactive level otherwise. The active level (high or low) is part
	// of the line's configuration, so callers think only in terms of
	// active and inactive.
	Set(active bool) error

	// Release drives the line inactive and frees the pin.
	Release() error

	// String names the line for logs, as "<role> <pin>".
	String() string
}

// Pulser drives a line active for a fixed width. Reject implements it for
// manual test pulses, and its pulse always ends, even when the caller's
// context ends first.
type Pulser interface {
	// Pulse sets the line active, waits width, then sets it inactive.
	Pulse(ctx context.Context, width time.Duration) error
}
