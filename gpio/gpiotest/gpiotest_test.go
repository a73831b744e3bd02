package gpiotest_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"edgeae/gpio/gpiotest"
)

func TestLineRecordsChanges(t *testing.T) {
	clock := gpiotest.NewClock(time.Time{})
	t0 := clock.Now()
	line := gpiotest.NewLine("reject GPIO17", clock.Now)

	steps := []struct {
		advance time.Duration
		active  bool
	}{
		{10 * time.Millisecond, true},
		{0, true}, // same level: counted, not recorded
		{5 * time.Millisecond, false},
		{20 * time.Millisecond, true},
		{7 * time.Millisecond, false},
		{1 * time.Millisecond, true}, // still active at the end
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		if err := line.Set(s.active); err != nil {
			t.Fatalf("Set(%v): %v", s.active, err)
		}
	}

	if got := line.Sets(); got != len(steps) {
		t.Errorf("Sets = %d, want %d", got, len(steps))
	}
	if got := len(line.Changes()); got != 5 {
		t.Errorf("%d changes recorded, want 5", got)
	}
	if !line.Level() {
		t.Errorf("Level = false, want true")
	}

	want := []gpiotest.Pulse{
		{Start: t0.Add(10 * time.Millisecond), Width: 5 * time.Millisecond},
		{Start: t0.Add(35 * time.Millisecond), Width: 7 * time.Millisecond},
	}
	got := line.Pulses()
	if len(got) != len(want) {
		t.Fatalf("pulses = %v, want %v (the open pulse left out)", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || got[i].Width != want[i].Width {
			t.Errorf("pulse %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestLineFailures(t *testing.T) {
	line := gpiotest.NewLine("reject GPIO17", nil)

	line.Fail(gpiotest.ErrBusy)
	err := line.Set(true)
	if !errors.Is(err, syscall.EBUSY) || !strings.Contains(err.Error(), "reject GPIO17") {
		t.Errorf("Set on a busy line = %v, want EBUSY naming the line", err)
	}
	if err := line.Release(); !errors.Is(err, gpiotest.ErrBusy) {
		t.Errorf("Release on a busy line = %v, want ErrBusy", err)
	}
	if line.Level() || line.Released() {
		t.Errorf("failed calls changed the line")
	}

	line.Fail(nil)
	if err := line.Set(true); err != nil {
		t.Fatalf("Set after Fail(nil): %v", err)
	}
	if err := line.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if line.Level() || !line.Released() {
		t.Errorf("Release left level %v, released %v; want inactive and released", line.Level(), line.Released())
	}
	if err := line.Set(true); err == nil {
		t.Errorf("Set after Release succeeded")
	}
	if err := line.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
}

func TestLineWaitTimesOut(t *testing.T) {
	line := gpiotest.NewLine("led", nil)

	if line.WaitForChanges(1, time.Millisecond) {
		t.Errorf("WaitForChanges reported a change that never happened")
	}
	if line.WaitForRelease(time.Millisecond) {
		t.Errorf("WaitForRelease reported a release that never happened")
	}
}

func TestLineWaitSeesChange(t *testing.T) {
	line := gpiotest.NewLine("led", nil)

	go func() { _ = line.Set(true) }()

	if !line.WaitForChanges(1, 5*time.Second) {
		t.Errorf("WaitForChanges missed the change")
	}
}

func TestClockFiresInOrder(t *testing.T) {
	clock := gpiotest.NewClock(time.Time{})
	t0 := clock.Now()

	late := clock.NewTimerAt(t0.Add(30 * time.Millisecond))
	early := clock.NewTimerAt(t0.Add(10 * time.Millisecond))
	stopped := clock.NewTimerAt(t0.Add(20 * time.Millisecond))
	if clock.Timers() != 3 {
		t.Fatalf("Timers = %d, want 3", clock.Timers())
	}

	if !stopped.Stop() {
		t.Errorf("Stop of a waiting timer = false")
	}
	if stopped.Stop() {
		t.Errorf("second Stop = true")
	}

	clock.Advance(15 * time.Millisecond)
	select {
	case at := <-early.C():
		if !at.Equal(t0.Add(15 * time.Millisecond)) {
			t.Errorf("early timer fired with %v, want the clock time", at)
		}
	default:
		t.Errorf("early timer did not fire")
	}
	select {
	case <-late.C():
		t.Errorf("late timer fired 15 ms early")
	default:
	}
	if clock.Timers() != 1 {
		t.Errorf("Timers = %d after the first fired, want 1", clock.Timers())
	}

	clock.Advance(-time.Hour)
	if !clock.Now().Equal(t0.Add(15 * time.Millisecond)) {
		t.Errorf("negative Advance moved the clock")
	}
}

func TestClockPastDeadlineFiresAtOnce(t *testing.T) {
	clock := gpiotest.NewClock(time.Time{})

	timer := clock.NewTimerAt(clock.Now())
	select {
	case <-timer.C():
	default:
		t.Errorf("timer with a reached deadline did not fire at once")
	}
	if clock.Timers() != 0 {
		t.Errorf("fired timer still registered")
	}
}

func TestClockWaitForTimers(t *testing.T) {
	clock := gpiotest.NewClock(time.Time{})

	if clock.WaitForTimers(1, time.Millisecond) {
		t.Errorf("WaitForTimers reported a timer that does not exist")
	}

	go clock.NewTimerAt(clock.Now().Add(time.Second))
	if !clock.WaitForTimers(1, 5*time.Second) {
		t.Errorf("WaitForTimers missed the new timer")
	}
}

func TestNewClockDefaultStart(t *testing.T) {
	if gpiotest.NewClock(time.Time{}).Now().IsZero() {
		t.Errorf("default start is the zero time")
	}
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	if got := gpiotest.NewClock(start).Now(); !got.Equal(start) {
		t.Errorf("Now = %v, want %v", got, start)
	}
}
