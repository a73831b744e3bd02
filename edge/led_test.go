package edge

import (
	"log/slog"
	"testing"
	"time"
)

// timerRequest is one timer the LED goroutine asked for.
type timerRequest struct {
	d    time.Duration
	fire chan time.Time
}

// manualTimers hands every LED timer to the test, which fires it by hand.
func manualTimers() (after func(time.Duration) <-chan time.Time, requests chan timerRequest) {
	requests = make(chan timerRequest)
	after = func(d time.Duration) <-chan time.Time {
		ch := make(chan time.Time, 1)
		requests <- timerRequest{d, ch}
		return ch
	}
	return after, requests
}

// levels returns the recorded levels of line as a string of 0 and 1.
func levels(line *recLine) string {
	var s []byte
	for _, c := range line.history() {
		if c.active {
			s = append(s, '1')
		} else {
			s = append(s, '0')
		}
	}
	return string(s)
}

func TestStatusLEDPatterns(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		pattern    Pattern
		wantSteps  []time.Duration // timers requested, in order; all but the last are fired
		wantLevels string          // levels set by the pattern before Close
	}{
		{"starting blinks slowly", PatternStarting, []time.Duration{500 * ms, 500 * ms, 500 * ms}, "101"},
		{"fault blinks fast", PatternFault, []time.Duration{125 * ms, 125 * ms, 125 * ms, 125 * ms}, "1010"},
		{"reject flashes three times then runs", PatternReject, []time.Duration{100 * ms, 100 * ms, 100 * ms, 100 * ms, 100 * ms, 100 * ms, 0}, "010101"},
		{"running is steady on", PatternRunning, nil, "1"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after, requests := manualTimers()
			line := &recLine{name: "led", recorded: make(chan struct{}, 64)}
			led := newStatusLED(line, slog.New(slog.DiscardHandler), after)

			led.Show(tt.pattern)
			for i, want := range tt.wantSteps {
				if want == 0 {
					break // the pattern ends in a steady level
				}
				req := <-requests
				if req.d != want {
					t.Errorf("timer %d = %v; want %v", i, req.d, want)
				}
				if i < len(tt.wantSteps)-1 {
					req.fire <- time.Time{}
				}
			}

			// The initial off plus the pattern's levels.
			for range 1 + len(tt.wantLevels) {
				<-line.recorded
			}
			if err := led.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}

			if got, want := levels(line), "0"+tt.wantLevels+"0"; got != want {
				t.Errorf("levels = %s; want %s (initial off, pattern, off at Close)", got, want)
			}
		})
	}
}

func TestStatusLEDSwitchesPattern(t *testing.T) {
	after, requests := manualTimers()
	line := &recLine{name: "led", recorded: make(chan struct{}, 64)}
	led := newStatusLED(line, slog.New(slog.DiscardHandler), after)

	led.Show(PatternFault)
	req := <-requests
	if req.d != 125*time.Millisecond {
		t.Errorf("fault timer = %v; want 125ms", req.d)
	}

	// Repeating a steady pattern must not restart it, and running keeps
	// the LED on without a new Set.
	led.Show(PatternFault)
	led.Show(PatternRunning)
	led.Show(PatternRunning)
	led.Show(PatternOff)

	for range 3 {
		<-line.recorded
	}
	if err := led.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := levels(line); got != "0100" {
		t.Errorf("levels = %s; want 0100 (initial off, fault on, off, off at Close)", got)
	}
}

func TestStatusLEDNil(t *testing.T) {
	led := NewStatusLED(nil, nil)
	if led != nil {
		t.Fatalf("NewStatusLED(nil) = %v; want nil", led)
	}
	led.Show(PatternFault)
	if err := led.Close(); err != nil {
		t.Errorf("nil StatusLED Close: %v", err)
	}
}

func TestPatternString(t *testing.T) {
	for p, want := range map[Pattern]string{
		PatternOff: "off", PatternStarting: "starting", PatternRunning: "running",
		PatternReject: "reject", PatternFault: "fault", Pattern(42): "unknown",
	} {
		if got := p.String(); got != want {
			t.Errorf("Pattern(%d).String() = %q; want %q", int(p), got, want)
		}
	}
}
