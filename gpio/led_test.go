package gpio_test

import (
	"errors"
	"testing"
	"time"

	"edgeae/gpio"
	"edgeae/gpio/gpiotest"
)

// newLED returns an LED on a recording line with a manual clock.
func newLED(t *testing.T) (*gpio.LED, *gpiotest.Line, *gpiotest.Clock) {
	t.Helper()

	clock := gpiotest.NewClock(time.Time{})
	line := gpiotest.NewLine("led GPIO27", clock.Now)

	led, err := gpio.NewLED(line, clock)
	if err != nil {
		t.Fatalf("NewLED: %v", err)
	}
	return led, line, clock
}

// assertChanges compares recorded changes with (offset from t0, level)
// pairs.
func assertChanges(t *testing.T, got []gpiotest.Change, t0 time.Time, want []gpiotest.Change) {
	t.Helper()

	if len(got) != len(want) {
		t.Fatalf("got %d changes %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if offset := got[i].Time.Sub(t0); offset != want[i].Time.Sub(t0) || got[i].Active != want[i].Active {
			t.Errorf("change %d = %v at +%v, want %v at +%v", i, got[i].Active, offset, want[i].Active, want[i].Time.Sub(t0))
		}
	}
}

func TestLEDBlink(t *testing.T) {
	led, line, clock := newLED(t)
	defer led.Close()
	t0 := clock.Now()

	led.SetPattern(gpio.Blink(200 * time.Millisecond))
	waitChanges(t, line, 1)

	for i, at := range []time.Duration{100, 200, 300, 400} {
		stepTo(t, clock, t0.Add(at*time.Millisecond))
		waitChanges(t, line, i+2)
	}

	assertChanges(t, line.Changes(), t0, []gpiotest.Change{
		{Time: t0, Active: true},
		{Time: t0.Add(100 * time.Millisecond), Active: false},
		{Time: t0.Add(200 * time.Millisecond), Active: true},
		{Time: t0.Add(300 * time.Millisecond), Active: false},
		{Time: t0.Add(400 * time.Millisecond), Active: true},
	})
}

func TestLEDSteadyWithRejectFlash(t *testing.T) {
	led, line, clock := newLED(t)
	defer led.Close()
	t0 := clock.Now()

	led.SetPattern(gpio.Running())
	waitChanges(t, line, 1)

	clock.Advance(time.Second)
	led.Flash(gpio.RejectFlashWidth)
	waitChanges(t, line, 2)
	stepTo(t, clock, t0.Add(time.Second+gpio.RejectFlashWidth))
	waitChanges(t, line, 3)

	assertChanges(t, line.Changes(), t0, []gpiotest.Change{
		{Time: t0, Active: true},
		{Time: t0.Add(time.Second), Active: false},
		{Time: t0.Add(time.Second + gpio.RejectFlashWidth), Active: true},
	})
}

func TestLEDFlashWhenDark(t *testing.T) {
	led, line, clock := newLED(t)
	defer led.Close()
	t0 := clock.Now()

	led.Flash(50 * time.Millisecond)
	waitChanges(t, line, 1)
	stepTo(t, clock, t0.Add(50*time.Millisecond))
	waitChanges(t, line, 2)

	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: t0, Width: 50 * time.Millisecond}})
}

func TestLEDSamePatternKeepsRhythm(t *testing.T) {
	led, line, clock := newLED(t)
	defer led.Close()
	t0 := clock.Now()

	led.SetPattern(gpio.Fault())
	waitChanges(t, line, 1)

	// Setting the same pattern 50 ms in must not restart the on phase.
	clock.Advance(50 * time.Millisecond)
	led.SetPattern(gpio.Fault())
	stepTo(t, clock, t0.Add(gpio.FaultBlinkPeriod/2))
	waitChanges(t, line, 2)

	assertChanges(t, line.Changes(), t0, []gpiotest.Change{
		{Time: t0, Active: true},
		{Time: t0.Add(gpio.FaultBlinkPeriod / 2), Active: false},
	})
}

func TestLEDCloseLeavesDark(t *testing.T) {
	led, line, _ := newLED(t)

	led.SetPattern(gpio.Steady())
	waitChanges(t, line, 1)

	if err := led.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if line.Level() || !line.Released() {
		t.Errorf("after Close: level %v, released %v; want dark and released", line.Level(), line.Released())
	}
	if err := led.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestLEDWriteFailure(t *testing.T) {
	led, line, _ := newLED(t)
	defer led.Close()

	line.Fail(gpiotest.ErrWrite)
	led.SetPattern(gpio.Steady())

	deadline := time.Now().Add(wait)
	for led.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(led.Err(), gpiotest.ErrWrite) {
		t.Errorf("Err() = %v, want the write failure", led.Err())
	}
}

func TestNewLEDRejects(t *testing.T) {
	if _, err := gpio.NewLED(nil, nil); err == nil {
		t.Errorf("NewLED accepted a nil line")
	}

	busy := gpiotest.NewLine("led GPIO27", nil)
	busy.Fail(gpiotest.ErrBusy)
	if _, err := gpio.NewLED(busy, nil); !errors.Is(err, gpiotest.ErrBusy) {
		t.Errorf("NewLED on a busy line = %v, want ErrBusy", err)
	}
}

func TestPatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern gpio.Pattern
		on, off time.Duration
		text    string
	}{
		{"off", gpio.Off(), 0, 0, "off"},
		{"starting", gpio.Starting(), 500 * time.Millisecond, 500 * time.Millisecond, "blink 500ms on / 500ms off"},
		{"fault", gpio.Fault(), 100 * time.Millisecond, 100 * time.Millisecond, "blink 100ms on / 100ms off"},
		{"odd period", gpio.Blink(25 * time.Millisecond), 12500 * time.Microsecond, 12500 * time.Microsecond, "blink 12.5ms on / 12.5ms off"},
		{"tiny period clamped", gpio.Blink(time.Nanosecond), 10 * time.Millisecond, 10 * time.Millisecond, "blink 10ms on / 10ms off"},
		{"negative period clamped", gpio.Blink(-time.Second), 10 * time.Millisecond, 10 * time.Millisecond, "blink 10ms on / 10ms off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.pattern.On != tt.on || tt.pattern.Off != tt.off {
				t.Errorf("pattern = %v on / %v off, want %v / %v", tt.pattern.On, tt.pattern.Off, tt.on, tt.off)
			}
			if got := tt.pattern.String(); got != tt.text {
				t.Errorf("String = %q, want %q", got, tt.text)
			}
		})
	}

	if gpio.Running().String() != "steady" {
		t.Errorf("Running().String() = %q, want steady", gpio.Running().String())
	}
}
