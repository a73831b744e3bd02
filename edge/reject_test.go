package edge

import (
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestRejectSchedulerPulses(t *testing.T) {
	const width = 30 * time.Millisecond
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }

	tests := []struct {
		name      string
		clockAt   time.Time
		starts    []time.Time
		want      [][2]time.Time
		wantFired uint64
		wantLate  uint64
	}{
		{
			name:      "separate pulses",
			clockAt:   base,
			starts:    []time.Time{at(100), at(200), at(500)},
			want:      [][2]time.Time{{at(100), at(130)}, {at(200), at(230)}, {at(500), at(530)}},
			wantFired: 3,
		},
		{
			name:      "overlapping pulses merge",
			clockAt:   base,
			starts:    []time.Time{at(100), at(110), at(125)},
			want:      [][2]time.Time{{at(100), at(155)}},
			wantFired: 1,
		},
		{
			name:      "touching pulses merge",
			clockAt:   base,
			starts:    []time.Time{at(100), at(130)},
			want:      [][2]time.Time{{at(100), at(160)}},
			wantFired: 1,
		},
		{
			name:      "earlier start moves up to the previous one",
			clockAt:   base,
			starts:    []time.Time{at(300), at(100)},
			want:      [][2]time.Time{{at(300), at(330)}},
			wantFired: 1,
		},
		{
			name:      "start passed within the window fires at once for the full width",
			clockAt:   at(110),
			starts:    []time.Time{at(100)},
			want:      [][2]time.Time{{at(110), at(140)}},
			wantFired: 1,
		},
		{
			name:      "window passed counts as late",
			clockAt:   at(1000),
			starts:    []time.Time{at(100)},
			want:      [][2]time.Time{{at(1000), at(1030)}},
			wantFired: 1,
			wantLate:  1,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock(tt.clockAt)
			line := &recLine{name: "reject", clock: clock}

			// Hold the first Set until every pulse is scheduled, so the
			// merge cases do not depend on goroutine timing.
			release := make(chan struct{})
			var once sync.Once
			line.before = func() { once.Do(func() { <-release }) }

			s := NewRejectScheduler(line, width, clock, slog.New(slog.DiscardHandler))
			for _, start := range tt.starts {
				s.Schedule(start)
			}
			close(release)

			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}

			got := line.pulses()
			if len(got) != len(tt.want) {
				t.Fatalf("pulses = %v; want %v", got, tt.want)
			}
			for i := range tt.want {
				if !got[i][0].Equal(tt.want[i][0]) || !got[i][1].Equal(tt.want[i][1]) {
					t.Errorf("pulse %d = [%v, %v]; want [%v, %v]", i, got[i][0].Sub(base), got[i][1].Sub(base), tt.want[i][0].Sub(base), tt.want[i][1].Sub(base))
				}
			}
			checkRejectInactive(t, line)
			wantCount(t, "Fired", s.Fired(), tt.wantFired)
			wantCount(t, "Late", s.Late(), tt.wantLate)
		})
	}
}

func TestRejectSchedulerCloseWithoutPulses(t *testing.T) {
	line := &recLine{name: "reject"}
	s := NewRejectScheduler(line, time.Millisecond, newFakeClock(base), slog.New(slog.DiscardHandler))

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	h := line.history()
	if len(h) != 1 || h[0].active {
		t.Errorf("line history = %v; want one inactive Set", h)
	}

	s.Schedule(base)
	wantCount(t, "Fired after Close", s.Fired(), 0)
}

func TestRejectSchedulerSetErrors(t *testing.T) {
	line := &recLine{name: "reject", fail: errors.New("gpio: write /dev/gpiochip0: device busy")}
	s := NewRejectScheduler(line, time.Millisecond, newFakeClock(base), slog.New(slog.DiscardHandler))

	s.Schedule(base)
	err := s.Close()
	if err == nil {
		t.Error("Close with a failing line: no error; want one")
	}
	wantCount(t, "SetErrors", s.SetErrors(), 2)
	wantCount(t, "Fired", s.Fired(), 1)
}
