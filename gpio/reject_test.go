package gpio_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"edgeae/gpio"
	"edgeae/gpio/gpiotest"
)

// wait is the real-time limit for a worker goroutine to react. It only
// matters when a test fails.
const wait = 5 * time.Second

const (
	delay = 300 * time.Millisecond
	width = 50 * time.Millisecond
)

// newReject returns a reject actuator on a recording line with a manual
// clock.
func newReject(t *testing.T, cfg gpio.RejectConfig) (*gpio.Reject, *gpiotest.Line, *gpiotest.Clock) {
	t.Helper()

	clock := gpiotest.NewClock(time.Time{})
	line := gpiotest.NewLine("reject GPIO17", clock.Now)
	cfg.Clock = clock

	r, err := gpio.NewReject(line, cfg)
	if err != nil {
		t.Fatalf("NewReject: %v", err)
	}
	return r, line, clock
}

// stepTo waits until the worker sleeps on a timer, then moves the clock to
// at.
func stepTo(t *testing.T, clock *gpiotest.Clock, at time.Time) {
	t.Helper()

	if !clock.WaitForTimers(1, wait) {
		t.Fatalf("no worker timer pending before stepping to %v", at)
	}
	clock.Advance(at.Sub(clock.Now()))
}

// waitChanges fails the test unless the line records n changes.
func waitChanges(t *testing.T, line *gpiotest.Line, n int) {
	t.Helper()

	if !line.WaitForChanges(n, wait) {
		t.Fatalf("line recorded %d changes, want %d", len(line.Changes()), n)
	}
}

// assertPulses compares recorded pulses with the expected ones.
func assertPulses(t *testing.T, got, want []gpiotest.Pulse) {
	t.Helper()

	if len(got) != len(want) {
		t.Fatalf("got %d pulses %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) {
			t.Errorf("pulse %d starts at %v, want %v", i, got[i].Start, want[i].Start)
		}
		if got[i].Width != want[i].Width {
			t.Errorf("pulse %d is %v wide, want %v", i, got[i].Width, want[i].Width)
		}
	}
}

func TestRejectPulseAfterDelay(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	if err := r.Schedule(t0); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	if line.Level() {
		t.Fatalf("line active before the delay")
	}

	stepTo(t, clock, t0.Add(delay))
	waitChanges(t, line, 1)
	stepTo(t, clock, t0.Add(delay+width))
	waitChanges(t, line, 2)

	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: t0.Add(delay), Width: width}})

	stats := r.Stats()
	if stats.Scheduled != 1 || stats.Activations != 1 || stats.Late != 0 || stats.Missed != 0 {
		t.Errorf("stats = %+v, want 1 scheduled and 1 activation", stats)
	}
}

func TestRejectKeepsStartOrder(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	// Scheduled out of order: the second part first.
	for _, capture := range []time.Time{t0.Add(100 * time.Millisecond), t0, t0.Add(200 * time.Millisecond)} {
		if err := r.Schedule(capture); err != nil {
			t.Fatalf("Schedule(%v): %v", capture, err)
		}
	}

	var want []gpiotest.Pulse
	for i := range 3 {
		start := t0.Add(delay + time.Duration(i)*100*time.Millisecond)
		stepTo(t, clock, start)
		waitChanges(t, line, 2*i+1)
		stepTo(t, clock, start.Add(width))
		waitChanges(t, line, 2*i+2)
		want = append(want, gpiotest.Pulse{Start: start, Width: width})
	}

	assertPulses(t, line.Pulses(), want)
}

func TestRejectMergesOverlaps(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	for _, capture := range []time.Time{t0, t0.Add(20 * time.Millisecond)} {
		if err := r.Schedule(capture); err != nil {
			t.Fatalf("Schedule: %v", err)
		}
	}

	stepTo(t, clock, t0.Add(delay))
	waitChanges(t, line, 1)
	stepTo(t, clock, t0.Add(delay+20*time.Millisecond))
	stepTo(t, clock, t0.Add(delay+20*time.Millisecond+width))
	waitChanges(t, line, 2)

	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: t0.Add(delay), Width: 20*time.Millisecond + width}})
	if got := r.Stats().Activations; got != 1 {
		t.Errorf("activations = %d, want 1 for two overlapping pulses", got)
	}
}

func TestRejectLateStartsNow(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	clock.Advance(delay + 20*time.Millisecond)
	now := clock.Now()
	if err := r.Schedule(t0); err != nil {
		t.Fatalf("Schedule 20 ms late: %v", err)
	}

	waitChanges(t, line, 1)
	stepTo(t, clock, now.Add(width))
	waitChanges(t, line, 2)

	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: now, Width: width}})
	if got := r.Stats().Late; got != 1 {
		t.Errorf("late = %d, want 1", got)
	}
}

func TestRejectMissedWindow(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	clock.Advance(delay + width + time.Millisecond)
	err := r.Schedule(t0)
	if !errors.Is(err, gpio.ErrMissed) {
		t.Fatalf("Schedule 51 ms late = %v, want ErrMissed", err)
	}

	if got := r.Stats().Missed; got != 1 {
		t.Errorf("missed = %d, want 1", got)
	}
	if line.Sets() != 1 {
		t.Errorf("line written %d times, want only the initial inactive write", line.Sets())
	}
}

func TestRejectCloseRunsPending(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	t0 := clock.Now()

	if err := r.Schedule(t0); err != nil {
		t.Fatalf("Schedule: %v", err)
	}

	// Close blocks this goroutine until the pending pulse has ended, so
	// another goroutine steps the clock through the pulse.
	stepped := make(chan string, 1)
	go func() {
		for i, at := range []time.Time{t0.Add(delay), t0.Add(delay + width)} {
			if !clock.WaitForTimers(1, wait) {
				stepped <- "no worker timer pending"
				return
			}
			clock.Advance(at.Sub(clock.Now()))
			if !line.WaitForChanges(i+1, wait) {
				stepped <- "line did not change"
				return
			}
		}
		stepped <- ""
	}()

	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if msg := <-stepped; msg != "" {
		t.Fatalf("stepping the clock: %s", msg)
	}

	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: t0.Add(delay), Width: width}})
	if !line.Released() {
		t.Errorf("line not released after Close")
	}
	if err := r.Schedule(clock.Now()); !errors.Is(err, gpio.ErrClosed) {
		t.Errorf("Schedule after Close = %v, want ErrClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRejectWriteFailure(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	t0 := clock.Now()

	line.Fail(gpiotest.ErrWrite)
	if err := r.Schedule(t0); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	stepTo(t, clock, t0.Add(delay))
	stepTo(t, clock, t0.Add(delay+width))

	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	err := <-closed

	if !errors.Is(r.Err(), gpiotest.ErrWrite) {
		t.Errorf("Err() = %v, want the write failure", r.Err())
	}
	if got := r.Stats().WriteErrors; got != 2 {
		t.Errorf("write errors = %d, want 2 (activate and deactivate)", got)
	}
	if !errors.Is(err, gpiotest.ErrWrite) {
		t.Errorf("Close = %v, want the failed release", err)
	}
}

func TestRejectQueueFull(t *testing.T) {
	r, _, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width, MaxPending: 2})
	t0 := clock.Now()

	for i := range 2 {
		if err := r.Schedule(t0.Add(time.Duration(i) * time.Millisecond)); err != nil {
			t.Fatalf("Schedule %d: %v", i, err)
		}
	}
	if err := r.Schedule(t0); !errors.Is(err, gpio.ErrQueueFull) {
		t.Errorf("third Schedule = %v, want ErrQueueFull", err)
	}

	// Close must run both pending pulses, which merge into one.
	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	stepTo(t, clock, t0.Add(delay))
	stepTo(t, clock, t0.Add(delay+time.Millisecond))
	stepTo(t, clock, t0.Add(delay+time.Millisecond+width))
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestRejectScheduleRejectsBadTimes(t *testing.T) {
	r, _, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()

	if err := r.Schedule(time.Time{}); err == nil {
		t.Errorf("zero capture time accepted")
	}
	if err := r.Schedule(clock.Now().Add(time.Minute)); err == nil {
		t.Errorf("capture time a minute in the future accepted")
	}
	if got := r.Stats().Scheduled; got != 0 {
		t.Errorf("scheduled = %d after bad times, want 0", got)
	}
}

func TestNewRejectRejectsConfig(t *testing.T) {
	line := gpiotest.NewLine("reject GPIO17", nil)

	tests := []struct {
		name string
		cfg  gpio.RejectConfig
	}{
		{"zero width", gpio.RejectConfig{DelayAfterCapture: delay}},
		{"negative width", gpio.RejectConfig{PulseWidth: -width}},
		{"negative delay", gpio.RejectConfig{DelayAfterCapture: -delay, PulseWidth: width}},
		{"negative max late", gpio.RejectConfig{PulseWidth: width, MaxLate: -1}},
		{"negative max pending", gpio.RejectConfig{PulseWidth: width, MaxPending: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := gpio.NewReject(line, tt.cfg); err == nil {
				t.Errorf("NewReject accepted %+v", tt.cfg)
			}
		})
	}

	if _, err := gpio.NewReject(nil, gpio.RejectConfig{PulseWidth: width}); err == nil {
		t.Errorf("NewReject accepted a nil line")
	}
}

func TestNewRejectBusyLine(t *testing.T) {
	line := gpiotest.NewLine("reject GPIO17", nil)
	line.Fail(gpiotest.ErrBusy)

	_, err := gpio.NewReject(line, gpio.RejectConfig{PulseWidth: width})
	if !errors.Is(err, syscall.EBUSY) {
		t.Errorf("NewReject on a busy line = %v, want EBUSY", err)
	}
}

func TestRejectManualPulse(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	pulsed := make(chan error, 1)
	go func() { pulsed <- r.Pulse(context.Background(), 80*time.Millisecond) }()

	waitChanges(t, line, 1)
	stepTo(t, clock, t0.Add(80*time.Millisecond))
	if err := <-pulsed; err != nil {
		t.Fatalf("Pulse: %v", err)
	}

	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: t0, Width: 80 * time.Millisecond}})
}

func TestRejectPulseEndsAfterCancel(t *testing.T) {
	r, line, clock := newReject(t, gpio.RejectConfig{DelayAfterCapture: delay, PulseWidth: width})
	defer r.Close()
	t0 := clock.Now()

	ctx, cancel := context.WithCancel(context.Background())
	pulsed := make(chan error, 1)
	go func() { pulsed <- r.Pulse(ctx, width) }()

	waitChanges(t, line, 1)
	cancel()
	if err := <-pulsed; !errors.Is(err, context.Canceled) {
		t.Fatalf("Pulse after cancel = %v, want context.Canceled", err)
	}

	stepTo(t, clock, t0.Add(width))
	waitChanges(t, line, 2)
	assertPulses(t, line.Pulses(), []gpiotest.Pulse{{Start: t0, Width: width}})

	if err := r.Pulse(context.Background(), 0); err == nil {
		t.Errorf("Pulse with zero width accepted")
	}
}

func TestRejectSystemClock(t *testing.T) {
	line := gpiotest.NewLine("reject GPIO17", nil)
	r, err := gpio.NewReject(line, gpio.RejectConfig{DelayAfterCapture: time.Millisecond, PulseWidth: 2 * time.Millisecond})
	if err != nil {
		t.Fatalf("NewReject: %v", err)
	}

	if err := r.Schedule(time.Now()); err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Timers never fire early, so only a lower bound on the width is safe.
	pulses := line.Pulses()
	if len(pulses) != 1 || pulses[0].Width < 2*time.Millisecond {
		t.Errorf("pulses = %v, want one of at least 2 ms", pulses)
	}
}
